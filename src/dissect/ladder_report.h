// ladder_from_report: a dissected connection as the same ladder diagram `hs client --trace-svg`
// draws (src/trace/ladder.h), so `hs dissect --trace-svg` has no drawing code of its own.
#pragma once

#include "dissect/dissector.h"
#include "trace/ladder.h"

namespace hs::dissect {

// ladder_from_report maps each FlowItem to a LadderMessage (handshake sizes with their 4-byte
// header, as the live trace counts them; times from the capture) and builds the ladder. TLS 1.3
// client application data before the client's Finished is 0-RTT data. Without a key log the
// protected records keep the dissector's names ("Encrypted Handshake Message") and a note says
// the round trips after the ServerHello are counted from what could be seen.
trace::Ladder ladder_from_report(const ConnectionReport& report);

}  // namespace hs::dissect

// LiveDissector: the connections of a live capture, each dissected when it ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "crypto/provider.h"
#include "dissect/dissector.h"
#include "dissect/keylog_file.h"
#include "dissect/packet.h"

namespace hs::dissect {

// LiveDissector keeps the frames of each TCP connection until the connection ends (a FIN from
// each side, or a RST) and then runs a Dissector over them alone. Waiting is what makes live
// decryption work: an endpoint writes its key log line only after the ServerHello that needs
// it has gone by on the wire, so the key log is read when the connection is over, not while
// its packets pass.
//
// A connection starts with a SYN or with a segment carrying data (a capture begun in the
// middle); bare ACKs and FINs of a connection already reported start nothing. At most
// `max_bytes` of frames are kept per connection; later frames are dropped and the report says
// so.
class LiveDissector {
 public:
  LiveDissector(LinkType link, const crypto::Provider& provider, std::optional<uint16_t> port,
                size_t max_bytes = size_t{16} << 20);

  void add_frame(std::span<const uint8_t> frame, double time);

  // completed is true when some connection ended since the last take_completed().
  bool completed() const { return !done_.empty(); }
  // take_completed dissects the connections that ended, with `keylog` (may be null), in the
  // order they ended.
  std::vector<ConnectionReport> take_completed(const KeyLogFile* keylog);
  // finish dissects every connection still open, in order of first packet (the capture
  // stopped).
  std::vector<ConnectionReport> finish(const KeyLogFile* keylog);

  size_t frames() const { return frames_; }
  size_t connections() const { return next_index_ - 1; }

  // set_keep_bytes: the reports carry their records' bytes (Dissector::set_keep_bytes).
  void set_keep_bytes(bool keep) { keep_bytes_ = keep; }

 private:
  struct Tracked {
    size_t index = 0;
    std::vector<std::pair<double, std::vector<uint8_t>>> frames;
    size_t bytes = 0;
    size_t dropped = 0;
    bool fin_from_first = false;  // FIN from key.first
    bool fin_from_second = false;
  };
  using Key = std::pair<Endpoint, Endpoint>;

  ConnectionReport dissect(Tracked& t, const KeyLogFile* keylog) const;
  void complete(std::map<Key, Tracked>::iterator it);

  LinkType link_;
  const crypto::Provider* provider_;
  std::optional<uint16_t> port_;
  size_t max_bytes_;
  std::map<Key, Tracked> open_;
  std::vector<Tracked> done_;
  size_t next_index_ = 1;
  size_t frames_ = 0;
  bool keep_bytes_ = false;
};

}  // namespace hs::dissect

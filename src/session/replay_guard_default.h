// replay_guard_for: the 0-RTT single-use guard a server uses, its configured one or the
// per-process one.
#pragma once

#include <hs/config.h>
#include <hs/session.h>

namespace hs::detail {

// replay_guard_for returns config.early_data_guard when set, else an InMemoryReplayGuard made
// once per process (shared by every server config in the process without a guard of its own).
EarlyDataReplayGuard& replay_guard_for(const ServerConfig& config);

}  // namespace hs::detail

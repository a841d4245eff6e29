// InMemoryReplayGuard and the per-process guard a server uses when its config names none.
#include <hs/session.h>

#include <string>

#include "session/replay_guard_default.h"

namespace hs {

InMemoryReplayGuard::InMemoryReplayGuard(size_t capacity) : capacity_(capacity) {}

void InMemoryReplayGuard::drop_expired(uint64_t now_ms) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now_ms) {
    auto it = seen_.find(by_expiry_.begin()->second);
    // A ticket is recorded once, so its index entry is the one to drop with it.
    if (it != seen_.end() && it->second == by_expiry_.begin()->first) {
      seen_.erase(it);
    }
    by_expiry_.erase(by_expiry_.begin());
  }
}

bool InMemoryReplayGuard::first_use(std::span<const uint8_t> ticket, uint64_t expires_ms,
                                    uint64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  drop_expired(now_ms);
  if (expires_ms <= now_ms) {
    return false;  // an expired ticket is not resumed at all
  }
  std::string key(ticket.begin(), ticket.end());
  if (seen_.contains(key)) {
    return false;
  }
  if (seen_.size() >= capacity_) {
    return false;
  }
  seen_.emplace(key, expires_ms);
  by_expiry_.emplace(expires_ms, std::move(key));
  return true;
}

size_t InMemoryReplayGuard::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_.size();
}

namespace detail {

EarlyDataReplayGuard& replay_guard_for(const ServerConfig& config) {
  if (config.early_data_guard) {
    return *config.early_data_guard;
  }
  static InMemoryReplayGuard process_guard;
  return process_guard;
}

}  // namespace detail

}  // namespace hs

// ServerSessionCache: TLS 1.2 session IDs, bounded by count (LRU) and by lifetime.
#include <hs/session.h>

namespace hs {

namespace {
std::string id_key(std::span<const uint8_t> id) { return std::string(id.begin(), id.end()); }
}  // namespace

ServerSessionCache::ServerSessionCache(size_t capacity, uint32_t lifetime_s)
    : capacity_(capacity == 0 ? 1 : capacity), lifetime_s_(lifetime_s) {}

void ServerSessionCache::put(StoredSession session) {
  if (session.session_id.empty()) {
    return;
  }
  std::string key = id_key(session.session_id);
  if (session.lifetime_s == 0 || session.lifetime_s > lifetime_s_) {
    session.lifetime_s = lifetime_s_;
  }
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
  while (entries_.size() >= capacity_ && !lru_.empty()) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  entries_.emplace(key, Entry{lru_.begin(), std::move(session)});
}

std::optional<StoredSession> ServerSessionCache::get(std::span<const uint8_t> id, uint64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id_key(id));
  if (it == entries_.end()) {
    return std::nullopt;
  }
  if (it->second.session.expired(now_ms)) {
    lru_.erase(it->second.lru);
    entries_.erase(it);
    return std::nullopt;
  }
  lru_.erase(it->second.lru);
  lru_.push_front(it->first);
  it->second.lru = lru_.begin();
  return it->second.session.clone();
}

void ServerSessionCache::erase(std::span<const uint8_t> id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id_key(id));
  if (it != entries_.end()) {
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
}

size_t ServerSessionCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace hs

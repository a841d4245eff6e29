// InMemorySessionStore: the client's bounded, thread-safe session store and key-exchange hints.
#include <hs/session.h>

namespace hs {

InMemorySessionStore::InMemorySessionStore(size_t max_servers, size_t per_server)
    : max_servers_(max_servers == 0 ? 1 : max_servers),
      per_server_(per_server == 0 ? 1 : per_server) {}

void InMemorySessionStore::touch(Entry& entry, const std::string& key) {
  lru_.erase(entry.lru);
  lru_.push_front(key);
  entry.lru = lru_.begin();
}

void InMemorySessionStore::drop_expired(Entry& entry, uint64_t now) {
  std::erase_if(entry.sessions, [now](const StoredSession& s) { return s.expired(now); });
}

InMemorySessionStore::Entry& InMemorySessionStore::entry_for(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    while (entries_.size() >= max_servers_ && !lru_.empty()) {
      entries_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(key);
    it = entries_.emplace(key, Entry{lru_.begin(), {}, std::nullopt}).first;
  } else {
    touch(it->second, key);
  }
  return it->second;
}

void InMemorySessionStore::erase_if_empty(std::map<std::string, Entry>::iterator it) {
  if (it->second.sessions.empty() && !it->second.kx_hint.has_value()) {
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
}

void InMemorySessionStore::put(const std::string& key, StoredSession session) {
  std::lock_guard lock(mu_);
  auto& sessions = entry_for(key).sessions;
  // A TLS 1.2 session replaces what we had: the server remembers one per connection and a new
  // full handshake supersedes the old one. TLS 1.3 tickets accumulate.
  if (session.version == ProtocolVersion::tls1_2) {
    sessions.clear();
  } else {
    std::erase_if(sessions,
                  [](const StoredSession& s) { return s.version == ProtocolVersion::tls1_2; });
  }
  sessions.push_back(std::move(session));
  while (sessions.size() > per_server_) {
    sessions.erase(sessions.begin());
  }
}

std::optional<StoredSession> InMemorySessionStore::take(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return std::nullopt;
  }
  drop_expired(it->second, session_now_ms());
  auto& sessions = it->second.sessions;
  if (sessions.empty()) {
    erase_if_empty(it);
    return std::nullopt;
  }
  StoredSession s = std::move(sessions.back());
  sessions.pop_back();
  touch(it->second, key);
  erase_if_empty(it);
  return s;
}

std::optional<StoredSession> InMemorySessionStore::get(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return std::nullopt;
  }
  drop_expired(it->second, session_now_ms());
  if (it->second.sessions.empty()) {
    return std::nullopt;
  }
  touch(it->second, key);
  return it->second.sessions.back().clone();
}

void InMemorySessionStore::set_kx_hint(const std::string& key, NamedGroup group) {
  std::lock_guard lock(mu_);
  entry_for(key).kx_hint = group;
}

std::optional<NamedGroup> InMemorySessionStore::kx_hint(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.kx_hint.has_value()) {
    return std::nullopt;
  }
  touch(it->second, key);
  return it->second.kx_hint;
}

size_t InMemorySessionStore::servers() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

size_t InMemorySessionStore::size() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [key, entry] : entries_) {
    n += entry.sessions.size();
  }
  return n;
}

}  // namespace hs

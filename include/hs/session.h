// Session resumption state: what a client keeps to resume (StoredSession in a
// ClientSessionStore), what a TLS 1.2 server keeps for session IDs (ServerSessionCache), and the
// keys that seal stateless tickets for TLS 1.2 (RFC 5077) and TLS 1.3 (RFC 8446 §4.6.1)
// (TicketKeys). The library never opens files: the tools read and write them and hand bytes in.
#pragma once

#include <hs/export.h>
#include <hs/result.h>
#include <hs/secret.h>  // SecretBytes holds the resumption secret
#include <hs/wire.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hs::crypto {
class Provider;
}  // namespace hs::crypto

namespace hs {

// session_now_ms is the wall clock in milliseconds since the Unix epoch; creation times and
// lifetimes of sessions are measured with it.
HS_API uint64_t session_now_ms();

// StoredSession is one resumable session, as a client keeps it or a TLS 1.2 server caches it.
// For TLS 1.2 `secret` is the master secret; for TLS 1.3 it is the PSK derived from the
// resumption master secret and the ticket nonce (RFC 8446 §4.6.1). Move-only because of the
// secret; clone() copies explicitly.
struct StoredSession {
  ProtocolVersion version = ProtocolVersion::tls1_2;
  CipherSuite suite = CipherSuite::TLS_AES_128_GCM_SHA256;
  SecretBytes secret;
  std::vector<uint8_t> session_id;  // TLS 1.2 session ID (may be empty)
  std::vector<uint8_t> ticket;      // RFC 5077 ticket (1.2) or NewSessionTicket.ticket (1.3)
  uint32_t lifetime_s = 0;          // ticket_lifetime hint or the cache lifetime; 0 = unknown
  uint32_t age_add = 0;             // TLS 1.3 ticket_age_add
  uint64_t created_ms = 0;          // session_now_ms() when the session/ticket was received
  uint32_t max_early_data = 0;      // TLS 1.3 early_data extension of the ticket
  std::string alpn;                 // the protocol agreed in the original handshake
  std::string server_name;          // SNI of the original handshake
  bool extended_master_secret = false;
  // peer_chain: the peer's certificate chain (leaf first) from the original full handshake, so a
  // resumed connection reports the same peer in SessionInfo::peer_chain (as OpenSSL keeps the
  // peer certificate in its SSL_SESSION): on a server the client certificate chain, empty when
  // the client did not authenticate; on a client the server's chain.
  std::vector<std::vector<uint8_t>> peer_chain;
  // peer_verified: peer_chain was verified in the original handshake (SessionInfo::
  // peer_verified). A client that verifies does not offer a session whose server was not
  // verified (one made with verification switched off, or read from such a --sess-out file).
  bool peer_verified = false;
  // kx_hint (clients, session files only): the group the server chose for key exchange
  // (ClientSessionStore::kx_hint), carried through --sess-out / --sess-in so that a new process
  // sends its TLS 1.3 key share for that group and spares the HelloRetryRequest. Stores keep
  // the hint per server themselves and ignore this field.
  std::optional<NamedGroup> kx_hint;

  StoredSession clone() const;
  // expired: the lifetime (when known) has passed at `now_ms`. A lifetime of 0 never expires
  // here; callers bound the age themselves (RFC 8446 caps tickets at 7 days).
  bool expired(uint64_t now_ms) const;
};

// kSessionFileMagic starts every serialized session ("HSSESS" + format version 1).
inline constexpr std::string_view kSessionFileMagic = "HSSESS1";

// serialize_session encodes `session` for a --sess-out file. The result holds the resumption
// secret: whoever writes it must keep it private (the hs tool writes it with mode 0600).
// internal_error when a field is too large for its length prefix.
HS_API Result<SecretBytes> serialize_session(const StoredSession& session);
// deserialize_session parses what serialize_session wrote; decode_error for anything else
// (wrong magic, truncated, trailing bytes).
HS_API Result<StoredSession> deserialize_session(std::span<const uint8_t> bytes);

// ClientSessionStore keeps sessions for the client, keyed by the server they came from (see
// ClientConfig::session_key). Implementations must be thread-safe: one store may serve several
// connections at once.
class HS_API ClientSessionStore {
 public:
  virtual ~ClientSessionStore() = default;
  // put adds a session for `key` (a TLS 1.3 server may hand out several tickets; each is kept
  // until taken or evicted). For TLS 1.2 it replaces the previous session of `key`.
  virtual void put(const std::string& key, StoredSession session) = 0;
  // take removes and returns the newest unexpired session of `key`. TLS 1.3 tickets are taken:
  // "Clients SHOULD NOT reuse a ticket for multiple connections" (RFC 8446 §C.4).
  virtual std::optional<StoredSession> take(const std::string& key) = 0;
  // get returns a copy of the newest unexpired session of `key` and keeps it (TLS 1.2 session
  // IDs and RFC 5077 tickets may be offered again).
  virtual std::optional<StoredSession> get(const std::string& key) = 0;

  // Key-exchange hints (as rustls' ClientSessionStore::set_kx_hint/kx_hint): the group the
  // server of `key` chose last time, so that the next TLS 1.3 ClientHello sends its one key
  // share for that group instead of paying a HelloRetryRequest (a round trip and a wasted key
  // share) on every connection to a server that does not take our first group. The client
  // records it once the server's Finished has verified (the choice is then authenticated):
  // from a TLS 1.3 ServerHello's key_share (after a HelloRetryRequest, its selected_group), and
  // from a TLS 1.2 ServerKeyExchange's named curve when the ClientHello also offered TLS 1.3
  // (the server is then TLS 1.2 only, and its curve is the best guess should it move to 1.3).
  // A hint outlives the sessions of `key`: it is about the server, not about a ticket.
  //
  // set_kx_hint remembers `group` for `key`. The default does nothing (a store written before
  // hints existed keeps working: every ClientHello shares the first configured group).
  virtual void set_kx_hint(const std::string& key, NamedGroup group) {
    static_cast<void>(key);
    static_cast<void>(group);
  }
  // kx_hint returns the group remembered for `key`, nullopt when none. The default has none.
  // The client uses it only when it is one of ClientConfig::groups.
  virtual std::optional<NamedGroup> kx_hint(const std::string& key) {
    static_cast<void>(key);
    return std::nullopt;
  }
};

// session_key is the store key for a server: "host:port".
HS_API std::string session_key(std::string_view host, uint16_t port);

// InMemorySessionStore is a bounded ClientSessionStore: at most `max_servers` keys (least
// recently used evicted first), each with `per_server` sessions (oldest dropped first) and one
// key-exchange hint. A key stays while it has sessions or a hint; the hints count against
// `max_servers` like the sessions do.
class HS_API InMemorySessionStore final : public ClientSessionStore {
 public:
  explicit InMemorySessionStore(size_t max_servers = 256, size_t per_server = 4);
  void put(const std::string& key, StoredSession session) override;
  std::optional<StoredSession> take(const std::string& key) override;
  std::optional<StoredSession> get(const std::string& key) override;
  void set_kx_hint(const std::string& key, NamedGroup group) override;
  std::optional<NamedGroup> kx_hint(const std::string& key) override;
  // size is the number of sessions held over all keys.
  size_t size() const;
  // servers is the number of keys held (with sessions, a hint or both).
  size_t servers() const;

 private:
  struct Entry {
    std::list<std::string>::iterator lru;
    std::vector<StoredSession> sessions;  // oldest first
    std::optional<NamedGroup> kx_hint;
  };
  // entry_for returns the entry of `key`, made (evicting the least recently used key when full)
  // if there was none, and marks it most recently used.
  Entry& entry_for(const std::string& key);
  // erase_if_empty drops the entry at `it` when it holds neither sessions nor a hint.
  void erase_if_empty(std::map<std::string, Entry>::iterator it);
  void touch(Entry& entry, const std::string& key);
  void drop_expired(Entry& entry, uint64_t now);

  mutable std::mutex mu_;
  size_t max_servers_;
  size_t per_server_;
  std::list<std::string> lru_;  // most recently used first
  std::map<std::string, Entry> entries_;
};

// ServerSessionCache is the TLS 1.2 server's session-ID cache: bounded to `capacity` entries
// (least recently used evicted first), each valid for `lifetime_s` seconds after it was
// created. Thread-safe: one cache serves every connection of a server.
class HS_API ServerSessionCache {
 public:
  explicit ServerSessionCache(size_t capacity = 1024, uint32_t lifetime_s = 7200);
  // put stores `session` under its session_id (ignored when the id is empty).
  void put(StoredSession session);
  // get returns a copy of the live session for `id` and marks it recently used; nullopt when
  // unknown or expired at `now_ms` (an expired entry is removed).
  std::optional<StoredSession> get(std::span<const uint8_t> id, uint64_t now_ms);
  std::optional<StoredSession> get(std::span<const uint8_t> id) {
    return get(id, session_now_ms());
  }
  // erase forgets `id` (a session whose connection failed must not be resumed).
  void erase(std::span<const uint8_t> id);
  size_t size() const;
  size_t capacity() const { return capacity_; }
  uint32_t lifetime_s() const { return lifetime_s_; }

 private:
  struct Entry {
    std::list<std::string>::iterator lru;
    StoredSession session;
  };
  mutable std::mutex mu_;
  size_t capacity_;
  uint32_t lifetime_s_;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Entry> entries_;
};

// TicketKeys is a ring of named AES-256-GCM keys that seal session tickets. The newest key
// (current) seals; every key still in the ring opens, so tickets issued before a rotation stay
// valid until their key falls off the ring. Servers that share the key bytes (several processes
// behind one name) accept each other's tickets. Thread-safe.
//
// A ticket follows RFC 5077 §4's recommended structure, with the AEAD tag in place of the HMAC:
//   key_name[16] || iv[12] || ciphertext || tag[16]
// The AEAD's additional data is key_name || purpose, so a TLS 1.2 ticket never opens as a
// TLS 1.3 one.
class HS_API TicketKeys {
 public:
  static constexpr size_t kNameLen = 16;
  static constexpr size_t kKeyLen = 32;
  // kEntryLen: one key in the byte format of from_bytes (name || key).
  static constexpr size_t kEntryLen = kNameLen + kKeyLen;
  static constexpr size_t kOverhead = kNameLen + 12 + 16;

  // generate makes a ring with one fresh random key. `provider` null = libcrypto.
  static Result<std::shared_ptr<TicketKeys>> generate(const crypto::Provider* provider = nullptr,
                                                      size_t max_keys = 3);
  // from_bytes builds a ring from N >= 1 entries of name[16] || key[32], the first being current
  // and the others previous keys, newest first (48, 96, ... bytes). invalid_config otherwise.
  static Result<std::shared_ptr<TicketKeys>> from_bytes(std::span<const uint8_t> bytes,
                                                        const crypto::Provider* provider = nullptr,
                                                        size_t max_keys = 3);

  explicit TicketKeys(const crypto::Provider* provider = nullptr, size_t max_keys = 3);
  TicketKeys(const TicketKeys&) = delete;
  TicketKeys& operator=(const TicketKeys&) = delete;

  // rotate makes a fresh random key current; the old current stays for opening. The oldest key
  // beyond max_keys is dropped (its tickets then fall back to a full handshake).
  Result<void> rotate();
  // add_key makes (name, key) current, as rotate does with a random one. invalid_config for
  // wrong sizes.
  Result<void> add_key(std::span<const uint8_t> name, std::span<const uint8_t> key);

  // seal encrypts `plaintext` under the current key; internal_error when the ring is empty or
  // the provider fails.
  Result<std::vector<uint8_t>> seal(std::span<const uint8_t> plaintext,
                                    std::string_view purpose) const;
  // open decrypts a ticket made by seal (by this ring or one sharing its keys) with the same
  // purpose. nullopt when the name is unknown (rotated out, another server's), the ticket was
  // tampered with or truncated. Never an error: a bad ticket means a full handshake.
  std::optional<SecretBytes> open(std::span<const uint8_t> ticket, std::string_view purpose) const;

  size_t size() const;
  // current_name is the name of the key that seals (all zero when empty).
  std::array<uint8_t, kNameLen> current_name() const;

 private:
  // AeadPool (ticket_keys.cc) owns one key's bytes and its idle keyed AEAD contexts.
  struct AeadPool;
  struct Key {
    std::array<uint8_t, kNameLen> name{};
    std::shared_ptr<AeadPool> pool;  // shared: a seal or open in flight keeps it alive
  };
  const crypto::Provider& provider() const;

  const crypto::Provider* provider_;
  size_t max_keys_;
  mutable std::mutex mu_;
  std::vector<Key> keys_;  // current first
};

// EarlyDataReplayGuard is a TLS 1.3 server's single-use record of the tickets under which it
// accepted 0-RTT data (RFC 8446 §8.1: "the server ... only allows each ticket to be used once").
// The server asks it only after every other 0-RTT check passed (binder, suite, ALPN, ticket
// age); a ticket already recorded gets its early data rejected (the handshake goes on as 1-RTT).
// Implementations must be thread-safe: one guard serves every connection of a server, and every
// server that should refuse each other's replays must share one.
class HS_API EarlyDataReplayGuard {
 public:
  virtual ~EarlyDataReplayGuard() = default;
  // first_use records `ticket` (the PSK identity as sent) until `expires_ms`, when the ticket
  // stops being accepted anyway, and returns true when it was not recorded before. It returns
  // false for a replay, and also when it cannot record the ticket (full): refusing 0-RTT is
  // always safe, forgetting a ticket is not.
  virtual bool first_use(std::span<const uint8_t> ticket, uint64_t expires_ms, uint64_t now_ms) = 0;
};

// InMemoryReplayGuard keeps up to `capacity` tickets in memory, each until it expires (at most
// the ticket lifetime, 7 days by RFC 8446 §4.6.1); when full of live entries it refuses 0-RTT.
// Memory is about capacity * (ticket size + 64) bytes.
//
// Limits (RFC 8446 §8): the record lives in one process. Servers that share ticket keys
// (ServerConfig::ticket_keys, `hs server --ticket-keys`) but not this object each accept a
// ticket's early data once, so an attacker can replay it once per server; a restarted process
// with persistent ticket keys has forgotten what it saw. Several servers behind one name should
// share one EarlyDataReplayGuard (an implementation over a shared store), route each client to
// one server, or leave max_early_data_size at 0.
class HS_API InMemoryReplayGuard final : public EarlyDataReplayGuard {
 public:
  explicit InMemoryReplayGuard(size_t capacity = 65536);
  bool first_use(std::span<const uint8_t> ticket, uint64_t expires_ms, uint64_t now_ms) override;
  // size is the number of live entries (expired ones are dropped lazily).
  size_t size() const;

 private:
  void drop_expired(uint64_t now_ms);

  mutable std::mutex mu_;
  size_t capacity_;
  std::unordered_map<std::string, uint64_t> seen_;  // ticket -> expires_ms
  std::multimap<uint64_t, std::string> by_expiry_;
};

// Ticket purposes used by the handshake (the AEAD additional data).
inline constexpr std::string_view kTicketPurposeTls12 = "hs tls12 ticket v1";
inline constexpr std::string_view kTicketPurposeTls13 = "hs tls13 ticket v1";

}  // namespace hs

// StoredSession helpers and the --sess-out/--sess-in file format.
#include <hs/session.h>

#include <atomic>
#include <chrono>

#include "codec/reader.h"
#include "codec/writer.h"
#include "session/session_clock.h"

namespace hs {

namespace {

std::span<const uint8_t> as_bytes(std::string_view s) {
  return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string as_string(std::span<const uint8_t> b) { return std::string(b.begin(), b.end()); }

// Format 2 added peer_chain, format 3 kx_hint, format 4 peer_verified (and clients' sessions
// began to carry the server's chain); older files decode_error and cost a full handshake.
constexpr uint16_t kFormatVersion = 4;

}  // namespace

namespace {
std::atomic<uint64_t> g_pinned_ms{0};
}  // namespace

namespace detail {
void dangerous_pin_session_clock(uint64_t ms) { g_pinned_ms.store(ms); }
}  // namespace detail

uint64_t session_now_ms() {
  if (uint64_t pinned = g_pinned_ms.load(); pinned != 0) {
    return pinned;
  }
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

StoredSession StoredSession::clone() const {
  StoredSession s;
  s.version = version;
  s.suite = suite;
  s.secret = secret.clone();
  s.session_id = session_id;
  s.ticket = ticket;
  s.lifetime_s = lifetime_s;
  s.age_add = age_add;
  s.created_ms = created_ms;
  s.max_early_data = max_early_data;
  s.alpn = alpn;
  s.server_name = server_name;
  s.extended_master_secret = extended_master_secret;
  s.peer_chain = peer_chain;
  s.peer_verified = peer_verified;
  s.kx_hint = kx_hint;
  return s;
}

bool StoredSession::expired(uint64_t now_ms) const {
  if (lifetime_s == 0) {
    return false;
  }
  if (now_ms < created_ms) {
    return false;  // the clock went back: the age is unknown, the server decides
  }
  return now_ms - created_ms >= uint64_t{lifetime_s} * 1000;
}

std::string session_key(std::string_view host, uint16_t port) {
  std::string key(host);
  key += ':';
  key += std::to_string(port);
  return key;
}

// File format (all integers big-endian):
//   "HSSESS1" uint16 format=4; uint16 version; uint16 suite; opaque secret<1..255>;
//   opaque session_id<0..32>; opaque ticket<0..2^16-1>; uint32 lifetime_s; uint32 age_add;
//   uint64 created_ms; uint32 max_early_data; opaque alpn<0..255>;
//   opaque server_name<0..2^16-1>; uint8 extended_master_secret;
//   opaque peer_chain<0..2^24-1> holding opaque certificate<1..2^24-1> entries;
//   uint8 peer_verified; uint16 kx_hint (a NamedGroup, 0 when none: 0 is not a group).
Result<SecretBytes> serialize_session(const StoredSession& s) {
  std::vector<uint8_t> out;
  bool ok = false;
  {
    codec::Writer w(out);
    w.write_bytes(as_bytes(kSessionFileMagic));
    w.write_u16(kFormatVersion);
    w.write_u16(static_cast<uint16_t>(s.version));
    w.write_u16(static_cast<uint16_t>(s.suite));
    w.write_prefixed_bytes(codec::Len::u8, s.secret.expose());
    w.write_prefixed_bytes(codec::Len::u8, s.session_id);
    w.write_prefixed_bytes(codec::Len::u16, s.ticket);
    w.write_u32(s.lifetime_s);
    w.write_u32(s.age_add);
    w.write_u64(s.created_ms);
    w.write_u32(s.max_early_data);
    w.write_prefixed_bytes(codec::Len::u8, as_bytes(s.alpn));
    w.write_prefixed_bytes(codec::Len::u16, as_bytes(s.server_name));
    w.write_u8(s.extended_master_secret ? 1 : 0);
    {
      auto chain = w.open_prefixed(codec::Len::u24);
      for (const auto& cert : s.peer_chain) {
        chain.write_prefixed_bytes(codec::Len::u24, cert);
      }
    }
    w.write_u8(s.peer_verified ? 1 : 0);
    w.write_u16(s.kx_hint ? static_cast<uint16_t>(*s.kx_hint) : 0);
    ok = w.ok() && !s.secret.empty() && s.session_id.size() <= 32;
  }
  SecretBytes result(out);
  crypto::secure_wipe(out);
  if (!ok) {
    return Error(ErrorCode::internal_error, "session file", "session does not fit the format");
  }
  return result;
}

Result<StoredSession> deserialize_session(std::span<const uint8_t> bytes) {
  codec::Reader in(bytes);
  std::span<const uint8_t> magic;
  uint16_t format = 0;
  uint16_t version = 0;
  uint16_t suite = 0;
  codec::Reader secret;
  codec::Reader id;
  codec::Reader ticket;
  codec::Reader alpn;
  codec::Reader name;
  codec::Reader chain;
  uint8_t ems = 0;
  uint8_t verified = 0;
  uint16_t kx_hint = 0;
  StoredSession s;
  if (!in.read_bytes(kSessionFileMagic.size(), magic) || as_string(magic) != kSessionFileMagic ||
      !in.read_u16(format) || format != kFormatVersion || !in.read_u16(version) ||
      !in.read_u16(suite) || !in.read_prefixed(codec::Len::u8, 1, 255, secret) ||
      !in.read_prefixed(codec::Len::u8, 0, 32, id) ||
      !in.read_prefixed(codec::Len::u16, 0, 0xFFFF, ticket) || !in.read_u32(s.lifetime_s) ||
      !in.read_u32(s.age_add) || !in.read_u64(s.created_ms) || !in.read_u32(s.max_early_data) ||
      !in.read_prefixed(codec::Len::u8, 0, 255, alpn) ||
      !in.read_prefixed(codec::Len::u16, 0, 0xFFFF, name) || !in.read_u8(ems) || ems > 1 ||
      !in.read_prefixed(codec::Len::u24, 0, 0xFFFFFF, chain) || !in.read_u8(verified) ||
      verified > 1 || !in.read_u16(kx_hint) || !in.expect_end()) {
    return Error(ErrorCode::decode_error, "session file", "not a saved hs session");
  }
  s.version = static_cast<ProtocolVersion>(version);
  if (s.version != ProtocolVersion::tls1_2 && s.version != ProtocolVersion::tls1_3) {
    return Error(ErrorCode::decode_error, "session file", "unknown protocol version");
  }
  s.suite = static_cast<CipherSuite>(suite);
  s.secret = SecretBytes(secret.take_rest());
  auto i = id.take_rest();
  s.session_id.assign(i.begin(), i.end());
  auto t = ticket.take_rest();
  s.ticket.assign(t.begin(), t.end());
  s.alpn = as_string(alpn.take_rest());
  s.server_name = as_string(name.take_rest());
  s.extended_master_secret = ems == 1;
  s.peer_verified = verified == 1;
  if (kx_hint != 0) {
    // Only a hint: a group we do not offer is never used (the ClientHello takes a hint only
    // among the configured groups).
    s.kx_hint = static_cast<NamedGroup>(kx_hint);
  }
  while (!chain.empty()) {
    codec::Reader cert;
    if (!chain.read_prefixed(codec::Len::u24, 1, 0xFFFFFF, cert)) {
      return Error(ErrorCode::decode_error, "session file", "not a saved hs session");
    }
    auto der = cert.take_rest();
    s.peer_chain.emplace_back(der.begin(), der.end());
  }
  return s;
}

}  // namespace hs

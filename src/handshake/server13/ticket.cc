// Session tickets and HelloRetryRequest cookies: what the server hands the client to give back
// later, protected under keys that never leave this process.
#include <mutex>
#include <string>
#include <utility>

#include "codec/reader.h"
#include "codec/writer.h"
#include "handshake/server13/server13.h"
#include "session/ticket_keys_default.h"

namespace hs::server13 {

namespace {

constexpr size_t kCookieKeyLen = 32;  // HMAC-SHA256

// ProcessKeys: the cookie key, drawn once per process from the first provider that asks (a
// cookie only lives for one connection's HelloRetryRequest round trip).
struct ProcessKeys {
  SecretBytes cookie_key;
  bool ok = false;
};

const ProcessKeys& process_keys(const crypto::Provider& provider) {
  static ProcessKeys keys;
  static std::once_flag once;
  std::call_once(once, [&] {
    std::vector<uint8_t> c(kCookieKeyLen);
    keys.ok = provider.random(c).ok();
    keys.cookie_key = SecretBytes(c);
    crypto::secure_wipe(c);
  });
  return keys;
}

std::span<const uint8_t> as_bytes(std::string_view s) {
  return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::vector<uint8_t> cookie_body(CipherSuite suite, NamedGroup group,
                                 std::span<const uint8_t> ch1_hash) {
  std::vector<uint8_t> body;
  codec::Writer w(body);
  w.write_u16(static_cast<uint16_t>(suite));
  w.write_u16(static_cast<uint16_t>(group));
  w.write_prefixed_bytes(codec::Len::u8, ch1_hash);
  return body;
}

std::vector<uint8_t> cookie_tag(const crypto::Provider& provider, std::span<const uint8_t> body) {
  auto hmac =
      provider.make_hmac(crypto::HashAlg::sha256, process_keys(provider).cookie_key.expose());
  std::vector<uint8_t> tag(crypto::hash_len(crypto::HashAlg::sha256));
  if (!hmac) {
    return {};
  }
  hmac->update(body);
  hmac->finish(tag);
  return tag;
}

}  // namespace

Result<std::vector<uint8_t>> seal_ticket(const ServerConfig& config, const TicketState& state) {
  // TicketPlaintext: uint16 suite; uint64 created_ms; uint32 age_add; uint32 lifetime_s;
  // opaque psk<1..255>; opaque alpn<0..255>; opaque server_name<0..2^16-1>;
  // opaque client_leaf<0..2^24-1> (empty: the client did not authenticate);
  // uint32 max_early_data.
  std::vector<uint8_t> plain;
  codec::Writer w(plain);
  w.write_u16(static_cast<uint16_t>(state.suite));
  w.write_u64(state.created_ms);
  w.write_u32(state.age_add);
  w.write_u32(state.lifetime_s);
  w.write_prefixed_bytes(codec::Len::u8, state.psk.expose());
  w.write_prefixed_bytes(codec::Len::u8, as_bytes(state.alpn));
  w.write_prefixed_bytes(codec::Len::u16, as_bytes(state.server_name));
  w.write_prefixed_bytes(codec::Len::u24, state.client_leaf);
  w.write_u32(state.max_early_data);
  const bool ok = w.ok();
  SecretBytes secret_plain(plain);  // holds the PSK: wiped with it
  crypto::secure_wipe(plain);
  if (!ok) {
    return Error(ErrorCode::internal_error, "session ticket", "ticket state too large");
  }
  // The shared ring (RFC 5077 §4 layout: key_name || iv || AES-256-GCM ciphertext || tag).
  return detail::ticket_keys_for(config).seal(secret_plain.expose(), kTicketPurposeTls13);
}

std::optional<TicketState> open_ticket(const ServerConfig& config,
                                       std::span<const uint8_t> ticket) {
  std::optional<SecretBytes> plain =
      detail::ticket_keys_for(config).open(ticket, kTicketPurposeTls13);
  if (!plain) {
    return std::nullopt;
  }
  codec::Reader r(plain->expose());
  TicketState st;
  uint16_t suite = 0;
  codec::Reader psk;
  codec::Reader alpn;
  codec::Reader name;
  codec::Reader leaf;
  if (!r.read_u16(suite) || !r.read_u64(st.created_ms) || !r.read_u32(st.age_add) ||
      !r.read_u32(st.lifetime_s) || !r.read_prefixed(codec::Len::u8, 1, 255, psk) ||
      !r.read_prefixed(codec::Len::u8, 0, 255, alpn) ||
      !r.read_prefixed(codec::Len::u16, 0, 0xFFFF, name) ||
      !r.read_prefixed(codec::Len::u24, 0, 0xFFFFFF, leaf) || !r.read_u32(st.max_early_data) ||
      !r.expect_end()) {
    return std::nullopt;
  }
  st.suite = static_cast<CipherSuite>(suite);
  st.psk = SecretBytes(psk.take_rest());
  auto a = alpn.take_rest();
  st.alpn.assign(a.begin(), a.end());
  auto n = name.take_rest();
  st.server_name.assign(n.begin(), n.end());
  auto l = leaf.take_rest();
  st.client_leaf.assign(l.begin(), l.end());
  return st;
}

Result<std::vector<uint8_t>> make_cookie(const crypto::Provider& provider, CipherSuite suite,
                                         NamedGroup group, std::span<const uint8_t> ch1_hash) {
  if (!process_keys(provider).ok) {
    return Error(ErrorCode::internal_error, "cookie", "no cookie key");
  }
  // Cookie: uint16 suite; uint16 group; opaque ch1_hash<1..255>; opaque tag[32].
  std::vector<uint8_t> cookie = cookie_body(suite, group, ch1_hash);
  std::vector<uint8_t> tag = cookie_tag(provider, cookie);
  if (tag.empty()) {
    return Error(ErrorCode::internal_error, "cookie", "HMAC unavailable");
  }
  cookie.insert(cookie.end(), tag.begin(), tag.end());
  return cookie;
}

bool cookie_matches(const crypto::Provider& provider, std::span<const uint8_t> cookie,
                    CipherSuite suite, NamedGroup group, std::span<const uint8_t> ch1_hash) {
  const std::vector<uint8_t> expected_body = cookie_body(suite, group, ch1_hash);
  const size_t tag_len = crypto::hash_len(crypto::HashAlg::sha256);
  if (cookie.size() != expected_body.size() + tag_len) {
    return false;
  }
  codec::Reader in(cookie);
  std::span<const uint8_t> body;
  std::span<const uint8_t> tag;
  if (!in.read_bytes(expected_body.size(), body) || !in.read_bytes(tag_len, tag)) {
    return false;
  }
  const std::vector<uint8_t> want = cookie_tag(provider, body);
  // Both checks always run: the tag in constant time, then the content against our state.
  const bool tag_ok = !want.empty() && crypto::constant_time_equal(want, tag);
  const bool body_ok = crypto::constant_time_equal(expected_body, body);
  return tag_ok && body_ok;
}

uint64_t now_ms() { return session_now_ms(); }

}  // namespace hs::server13

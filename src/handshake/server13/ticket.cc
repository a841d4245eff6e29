// Session tickets and HelloRetryRequest cookies: what the server hands the client to give back
// later, protected under keys that never leave this process.
#include <chrono>
#include <mutex>
#include <string>
#include <utility>

#include "codec/reader.h"
#include "codec/writer.h"
#include "handshake/server13/server13.h"

namespace hs::server13 {

namespace {

// kTicketAad binds the sealed state to its purpose and format version.
constexpr std::string_view kTicketAad = "hs tls13 ticket v1";
constexpr size_t kTicketKeyLen = 32;  // AES-256-GCM
constexpr size_t kCookieKeyLen = 32;  // HMAC-SHA256

// ProcessKeys are drawn once per process from the first provider that asks. Resumption across
// processes (and key rotation) needs key management the server does not have yet.
struct ProcessKeys {
  SecretBytes ticket_key;
  SecretBytes cookie_key;
  bool ok = false;
};

const ProcessKeys& process_keys(const crypto::Provider& provider) {
  static ProcessKeys keys;
  static std::once_flag once;
  std::call_once(once, [&] {
    std::vector<uint8_t> t(kTicketKeyLen);
    std::vector<uint8_t> c(kCookieKeyLen);
    keys.ok = provider.random(t).ok() && provider.random(c).ok();
    keys.ticket_key = SecretBytes(t);
    keys.cookie_key = SecretBytes(c);
    crypto::secure_wipe(t);
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

Result<std::vector<uint8_t>> seal_ticket(const crypto::Provider& provider,
                                         const TicketState& state) {
  const ProcessKeys& keys = process_keys(provider);
  if (!keys.ok) {
    return Error(ErrorCode::internal_error, "session ticket", "no ticket key");
  }
  // TicketPlaintext: uint16 suite; uint64 created_ms; uint32 age_add; opaque psk<1..255>;
  // opaque alpn<0..255>; opaque server_name<0..2^16-1>.
  std::vector<uint8_t> plain;
  {
    codec::Writer w(plain);
    w.write_u16(static_cast<uint16_t>(state.suite));
    w.write_u64(state.created_ms);
    w.write_u32(state.age_add);
    w.write_prefixed_bytes(codec::Len::u8, state.psk.expose());
    w.write_prefixed_bytes(codec::Len::u8, as_bytes(state.alpn));
    w.write_prefixed_bytes(codec::Len::u16, as_bytes(state.server_name));
    if (!w.ok()) {
      crypto::secure_wipe(plain);
      return Error(ErrorCode::internal_error, "session ticket", "ticket state too large");
    }
  }
  auto aead = HS_TRY(provider.make_aead(crypto::AeadAlg::aes_256_gcm, keys.ticket_key.expose()));
  std::array<uint8_t, crypto::kAeadNonceLen> nonce{};
  HS_TRY(provider.random(nonce));
  std::array<uint8_t, crypto::kAeadTagLen> tag{};
  if (!aead->seal(nonce, as_bytes(kTicketAad), plain, tag)) {
    crypto::secure_wipe(plain);
    return Error(ErrorCode::internal_error, "session ticket", "sealing failed");
  }
  // Ticket: nonce(12) || ciphertext || tag(16).
  std::vector<uint8_t> ticket(nonce.begin(), nonce.end());
  ticket.insert(ticket.end(), plain.begin(), plain.end());
  ticket.insert(ticket.end(), tag.begin(), tag.end());
  return ticket;
}

std::optional<TicketState> open_ticket(const crypto::Provider& provider,
                                       std::span<const uint8_t> ticket) {
  const ProcessKeys& keys = process_keys(provider);
  if (!keys.ok || ticket.size() < crypto::kAeadNonceLen + crypto::kAeadTagLen) {
    return std::nullopt;
  }
  codec::Reader in(ticket);
  std::span<const uint8_t> nonce;
  std::span<const uint8_t> body;
  std::span<const uint8_t> tag;
  if (!in.read_bytes(crypto::kAeadNonceLen, nonce) ||
      !in.read_bytes(in.remaining() - crypto::kAeadTagLen, body) ||
      !in.read_bytes(crypto::kAeadTagLen, tag) || !in.expect_end()) {
    return std::nullopt;
  }
  auto aead = provider.make_aead(crypto::AeadAlg::aes_256_gcm, keys.ticket_key.expose());
  if (!aead.ok()) {
    return std::nullopt;
  }
  std::vector<uint8_t> plain(body.begin(), body.end());
  if (!aead.value()->open(nonce, as_bytes(kTicketAad), plain, tag)) {
    return std::nullopt;
  }
  SecretBytes plain_secret(plain);  // holds the PSK: wiped with it
  crypto::secure_wipe(plain);
  codec::Reader r(plain_secret.expose());
  TicketState st;
  uint16_t suite = 0;
  codec::Reader psk;
  codec::Reader alpn;
  codec::Reader name;
  if (!r.read_u16(suite) || !r.read_u64(st.created_ms) || !r.read_u32(st.age_add) ||
      !r.read_prefixed(codec::Len::u8, 1, 255, psk) ||
      !r.read_prefixed(codec::Len::u8, 0, 255, alpn) ||
      !r.read_prefixed(codec::Len::u16, 0, 0xFFFF, name) || !r.expect_end()) {
    return std::nullopt;
  }
  st.suite = static_cast<CipherSuite>(suite);
  st.psk = SecretBytes(psk.take_rest());
  auto a = alpn.take_rest();
  st.alpn.assign(a.begin(), a.end());
  auto n = name.take_rest();
  st.server_name.assign(n.begin(), n.end());
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

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace hs::server13

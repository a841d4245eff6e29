// Client authentication (at and after the handshake), external PSKs and 0-RTT for the handshake
// fuzz targets (fuzz_client_auth_early,
// fuzz_server_auth_early), their seed generator (seeds.h) and the hostile-input table.
//
// Everything here repeats byte for byte from one run to the next, so seeds recorded once stay
// valid: the session clock is pinned (session_clock.h), the server's ticket key is fixed, and the
// session a resuming client holds comes from a full TLS 1.3 handshake against an Ed25519 server
// (the one deterministic TLS 1.3 signature; the resumption secret covers the transcript).
#pragma once

#include <hs/config.h>
#include <hs/session.h>

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "fuzz/handshake/loopback.h"
#include "session/session_clock.h"

namespace hs::fuzzing {

// kPinnedClockMs: session_now_ms() in the targets and the seed generator (2027-01-15).
inline constexpr uint64_t kPinnedClockMs = 1'800'000'000'000;
inline void pin_clock() { detail::dangerous_pin_session_clock(kPinnedClockMs); }

// kEarlyData is what the resuming client sends as 0-RTT data.
inline constexpr std::string_view kEarlyData = "GET / HTTP/1.1\r\nHost: fuzz.example\r\n\r\n";
inline std::span<const uint8_t> early_data_bytes() {
  return {reinterpret_cast<const uint8_t*>(kEarlyData.data()), kEarlyData.size()};
}

// ticket_keys: one fixed key (name 16 x 0x4B, key 32 x 0x7E). `provider` null seals with
// libcrypto's random nonces (a server that only needs to open tickets).
inline std::shared_ptr<TicketKeys> ticket_keys(const crypto::Provider* provider = nullptr) {
  Bytes entry(TicketKeys::kNameLen, 0x4B);
  entry.insert(entry.end(), TicketKeys::kKeyLen, 0x7E);
  auto keys = TicketKeys::from_bytes(entry, provider);
  if (!keys.ok()) {
    __builtin_trap();
  }
  return std::move(keys).value();
}

inline const ServerCertificate& ed25519_certificate() {
  static const ServerCertificate cert = [] {
    auto c = load_server_certificate(kEd25519CertPem, kEd25519KeyPem);
    if (!c.ok()) {
      __builtin_trap();  // the committed key must load
    }
    return std::move(c).value();
  }();
  return cert;
}

// external_psk: the one external PSK the fuzz server knows ("fuzz-psk", 32 x 0x5A, SHA-256).
inline std::shared_ptr<const ExternalPsk> external_psk() {
  static const std::shared_ptr<const ExternalPsk> psk = [] {
    auto p = std::make_shared<ExternalPsk>();
    const std::string_view identity = "fuzz-psk";
    p->identity.assign(identity.begin(), identity.end());
    p->key = SecretBytes(Bytes(32, 0x5A));
    return p;
  }();
  return psk;
}

// AcceptAnyClient stands in for the client-certificate verifier: the chain checks have their
// own tests and fuzz targets; here every presented chain goes on to CertificateVerify.
class AcceptAnyClient final : public CertificateVerifier {
 public:
  Result<void> verify(std::span<const CertificateDer>, std::string_view) override {
    return ok_result();
  }
};

// auth_early_server_config: the fuzz server asking for a client certificate (request: an empty
// Certificate is accepted too), accepting 0-RTT on tickets of the fixed key and external_psk()
// with or without (EC)DHE. Each connection needs its own early_data_guard (the guard refuses a
// ticket's second use). fuzz_server_auth_early also asks TLS 1.3 clients that offer
// post_handshake_auth for a certificate again once connected.
inline ServerConfig auth_early_server_config() {
  ServerConfig s = fuzz_server_config();
  // Ed25519 preferred: a TLS 1.3 client that accepts it gets a deterministic CertificateVerify,
  // so a full handshake recorded into a seed replays to the end. The server signs with its most
  // preferred scheme the client accepts, so ed25519 goes first in the list.
  s.certificates.insert(s.certificates.begin(), ed25519_certificate());
  std::erase(s.signature_schemes, SignatureScheme::ed25519);
  s.signature_schemes.insert(s.signature_schemes.begin(), SignatureScheme::ed25519);
  s.client_auth = ClientAuth::request;
  s.client_verifier = std::make_shared<AcceptAnyClient>();
  s.ticket_keys = ticket_keys();
  s.max_early_data_size = 16384;
  s.early_data_guard = std::make_shared<InMemoryReplayGuard>();
  s.external_psks = {external_psk()};
  s.allow_psk_without_dhe = true;
  return s;
}

// first_session runs a full TLS 1.3 handshake of the fuzz client against an Ed25519 server
// with the fixed ticket key and 0-RTT on, and returns the first ticket it stored.
inline std::optional<StoredSession> first_session() {
  pin_clock();
  crypto::TestingProvider ticket_provider(0x71C7);  // the ticket's nonce, deterministic
  ServerConfig s = auth_early_server_config();
  s.client_auth = ClientAuth::none;
  s.certificates = {ed25519_certificate()};
  s.ticket_keys = ticket_keys(&ticket_provider);
  ClientConfig c = fuzz_client_config();
  auto store = std::make_shared<InMemorySessionStore>();
  c.sessions = store;
  {
    Loopback lb(c, s);
    lb.run_all();
    if (!lb.conn(Side::client).is_connected()) {
      return std::nullopt;
    }
  }
  return store->take(kServerName);
}

// auth_early_client_config: the fuzz client with an Ed25519 client certificate, offering
// post-handshake authentication, and, when `session` is set, that session to resume with 0-RTT
// (write kEarlyData after creating it).
inline ClientConfig auth_early_client_config(const StoredSession* session) {
  ClientConfig c = fuzz_client_config();
  c.client_certificate = ed25519_certificate();
  c.post_handshake_auth = true;
  if (session != nullptr) {
    auto store = std::make_shared<InMemorySessionStore>();
    store->put(kServerName, session->clone());
    c.sessions = store;
    c.enable_early_data = true;
  }
  return c;
}

// external_psk_client_config: the fuzz client offering external_psk() (TLS 1.3, psk_dhe_ke).
inline ClientConfig external_psk_client_config() {
  ClientConfig c = fuzz_client_config();
  c.external_psk = external_psk();
  return c;
}

}  // namespace hs::fuzzing

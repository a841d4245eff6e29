// The TLS 1.2 server handshake (RFC 5246 §7.3, ECDHE only per RFC 8422, with RFC 7627 and
// RFC 5746): one move-only state per message we wait for, kept in a std::variant.
//
//   ExpectClientHello --ClientHello / ServerHello, Certificate, ServerKeyExchange,
//                       ServerHelloDone--> ExpectClientKeyExchange
//   ExpectClientKeyExchange --ClientKeyExchange--> ExpectChangeCipherSpec
//
// Client authentication (ServerConfig::client_auth request/require, full handshakes only; RFC
// 5246 §7.4.4, §7.4.6, §7.4.8):
//   ExpectClientHello --ClientHello / ServerHello, Certificate, ServerKeyExchange,
//                       CertificateRequest, ServerHelloDone--> ExpectClientCertificate
//   ExpectClientCertificate --Certificate (chain verified, or empty)--> ExpectClientKeyExchange
//   ExpectClientKeyExchange --ClientKeyExchange--> ExpectCertificateVerify (a certificate was
//                       sent) or ExpectChangeCipherSpec (none)
//   ExpectCertificateVerify --CertificateVerify--> ExpectChangeCipherSpec
//   ExpectChangeCipherSpec --ChangeCipherSpec (read keys switch)--> ExpectFinished
//   ExpectFinished --Finished / [NewSessionTicket], ChangeCipherSpec, Finished--> Connected
//
// Abbreviated handshake (a session ID from the ServerSessionCache or an RFC 5077 ticket):
//   ExpectClientHello --ClientHello / ServerHello, [NewSessionTicket], ChangeCipherSpec,
//                       Finished--> ExpectChangeCipherSpec (Params::abbreviated)
//   ExpectChangeCipherSpec --ChangeCipherSpec--> ExpectFinished --Finished--> Connected
//   Connected: ClientHello -> a no_renegotiation warning, still Connected; anything else ->
//   unexpected_message.
#pragma once

#include <hs/config.h>
#include <hs/result.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "handshake/common/driver.h"
#include "handshake/common/suites.h"
#include "handshake/common/transcript.h"
#include "keyschedule/tls12_keys.h"
#include "messages/certificate_request.h"
#include "messages/client_hello.h"
#include "messages/server_key_exchange.h"

namespace hs::server12 {

// Params are fixed once the ClientHello is answered.
struct Params {
  detail::SuiteInfo suite;
  std::array<uint8_t, 32> client_random{};
  std::array<uint8_t, 32> server_random{};
  bool extended_master_secret = false;
  // Resumption (RFC 5246 §7.3 figure 2, RFC 5077).
  bool abbreviated = false;         // resumed: the client's Finished ends the handshake
  bool send_ticket = false;         // NewSessionTicket before our ChangeCipherSpec
  std::vector<uint8_t> session_id;  // as sent in ServerHello; the cache key of a new session
  std::string alpn;                 // kept with the session
  std::string server_name;          // kept with the session
  uint64_t created_ms = 0;          // when the session was first made
  // Client authentication: the schemes our CertificateRequest listed (empty when we sent
  // none), and the client's verified chain (empty when it sent none), kept with the session.
  std::vector<SignatureScheme> client_auth_schemes;
  std::vector<CertificateDer> client_chain;
};

// ClientKey is the public key of the client's verified certificate, for its CertificateVerify.
struct ClientKey {
  std::unique_ptr<crypto::PublicKey> key;
  crypto::KeyType type{};
};

struct ExpectClientHello {};

// ExpectClientCertificate: we sent a CertificateRequest; RFC 5246 §7.4.6: "This is the first
// message the client can send after receiving a ServerHelloDone message."
struct ExpectClientCertificate {
  Params params;
  detail::Transcript transcript;  // through ServerHelloDone, messages kept (keep_messages)
  std::unique_ptr<crypto::KeyShare> key_share;
};

// AwaitSignature: our certificate's key is offloaded (certified_key_for_offload); the flight
// stopped before ServerKeyExchange, whose signature the application makes
// (Server12Driver::on_signature). `ske` lacks only its signature.
struct AwaitSignature {
  Params params;
  detail::Transcript transcript;  // through Certificate (and CertificateStatus)
  std::unique_ptr<crypto::KeyShare> key_share;
  messages::ServerKeyExchangeEcdhe ske;
  bool request_client_cert = false;
};

struct ExpectClientKeyExchange {
  Params params;
  detail::Transcript transcript;  // through ServerHelloDone (or the client's Certificate)
  std::unique_ptr<crypto::KeyShare> key_share;
  // client_key: set when the client sent a certificate, whose CertificateVerify comes next.
  std::optional<ClientKey> client_key;
};

// ExpectCertificateVerify: the client sent a certificate; its CertificateVerify proves it
// holds the key (RFC 5246 §7.4.8), before its ChangeCipherSpec.
struct ExpectCertificateVerify {
  Params params;
  detail::Transcript transcript;  // through ClientKeyExchange, messages kept
  SecretBytes master_secret;
  keyschedule::Prf12 master_prf;  // keyed on master_secret once: key block and both Finished
  keyschedule::KeyBlock12 keys;
  ClientKey client_key;
};

struct ExpectChangeCipherSpec {
  Params params;
  detail::Transcript transcript;  // through ClientKeyExchange
  SecretBytes master_secret;
  keyschedule::Prf12 master_prf;  // keyed on master_secret once: key block and both Finished
  keyschedule::KeyBlock12 keys;
};

struct ExpectFinished {
  Params params;
  detail::Transcript transcript;
  SecretBytes master_secret;
  keyschedule::Prf12 master_prf;  // keyed on master_secret once: key block and both Finished
  keyschedule::KeyBlock12 keys;   // the server write half is still to be installed
};

struct Connected {};

using State = std::variant<ExpectClientHello, AwaitSignature, ExpectClientCertificate,
                           ExpectClientKeyExchange, ExpectCertificateVerify, ExpectChangeCipherSpec,
                           ExpectFinished, Connected>;

// state_name returns "server12::<State>" for the trace.
std::string_view state_name(const State& state);

// Env is what every handler may use: the connection seam and the configuration.
struct Env {
  detail::HandshakeContext& ctx;
  const ServerConfig& config;
  // tls13_capable: we count as a TLS 1.3 server, so negotiating TLS 1.2 with a client that
  // offers TLS 1.3 sets the RFC 8446 §4.1.3 downgrade sentinel in ServerHello.random.
  bool tls13_capable;
};

// handle consumes the current state and one handshake message and returns the next state.
// Each first rejects message types the state does not expect (unexpected_message).
Result<State> handle(ExpectClientHello&& st, Env env, const detail::HandshakeMessageView& msg);
// handle_client_hello is handle(ExpectClientHello) for a ClientHello the caller already parsed
// from `msg` (the server driver parses it once to pick the version).
Result<State> handle_client_hello(ExpectClientHello&& st, Env env,
                                  const messages::ClientHello& hello,
                                  const detail::HandshakeMessageView& msg);
Result<State> handle(AwaitSignature&& st, Env env, const detail::HandshakeMessageView& msg);
Result<State> handle(ExpectClientCertificate&& st, Env env,
                     const detail::HandshakeMessageView& msg);
Result<State> handle(ExpectClientKeyExchange&& st, Env env,
                     const detail::HandshakeMessageView& msg);
Result<State> handle(ExpectCertificateVerify&& st, Env env,
                     const detail::HandshakeMessageView& msg);
Result<State> handle(ExpectChangeCipherSpec&& st, Env env, const detail::HandshakeMessageView& msg);
Result<State> handle(ExpectFinished&& st, Env env, const detail::HandshakeMessageView& msg);
Result<State> handle(Connected&& st, Env env, const detail::HandshakeMessageView& msg);

// handle_ccs consumes the current state and a ChangeCipherSpec record. Only
// ExpectChangeCipherSpec accepts one; every other state answers unexpected_message.
Result<State> handle_ccs(ExpectChangeCipherSpec&& st, Env env);
template <typename S>
Result<State> handle_ccs(S&& /*st*/, Env /*env*/) {
  return Error(ErrorCode::unexpected_message, "change_cipher_spec",
               "ChangeCipherSpec not expected in this state");
}

// client_auth_schemes are the signature schemes a CertificateRequest lists: those of
// config.signature_schemes we can verify in a TLS 1.2 CertificateVerify.
std::vector<SignatureScheme> client_auth_schemes(const ServerConfig& config);

// make_certificate_request builds our TLS 1.2 CertificateRequest (RFC 5246 §7.4.4):
// certificate_types rsa_sign and ecdsa_sign, `schemes`, and config.client_ca_names.
messages::CertificateRequest12 make_certificate_request(const ServerConfig& config,
                                                        std::vector<SignatureScheme> schemes);

// Server12Driver runs the states above behind the HandshakeDriver seam.
class Server12Driver final : public detail::HandshakeDriver {
 public:
  // Server12Driver runs the TLS 1.2 server for `config`; `tls13_capable` is passed to every
  // handler through Env (see there).
  Server12Driver(std::shared_ptr<const ServerConfig> config, bool tls13_capable);

  Result<void> start(detail::HandshakeContext& ctx) override;
  Result<void> on_handshake(detail::HandshakeContext& ctx,
                            const detail::HandshakeMessageView& msg) override;
  // on_client_hello is on_handshake() for the first ClientHello, already parsed from `msg` by
  // the caller (hello must be parse_client_hello(msg.body)); in any other state it is
  // on_handshake(ctx, msg).
  Result<void> on_client_hello(detail::HandshakeContext& ctx, const messages::ClientHello& hello,
                               const detail::HandshakeMessageView& msg);
  Result<void> on_change_cipher_spec(detail::HandshakeContext& ctx) override;
  // on_signature completes the flight that waits in AwaitSignature.
  Result<void> on_signature(detail::HandshakeContext& ctx,
                            std::span<const uint8_t> signature) override;
  bool is_connected() const override { return std::holds_alternative<Connected>(state_); }
  std::string_view state_name() const override;

 private:
  // advance installs `next` (or remembers the failure) and reports the new state to the trace.
  Result<void> advance(detail::HandshakeContext& ctx, std::string_view before, Result<State> next);

  std::shared_ptr<const ServerConfig> config_;
  bool tls13_capable_;
  State state_;
  bool failed_ = false;
};

}  // namespace hs::server12

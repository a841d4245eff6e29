// The TLS 1.2 client handshake (RFC 5246 §7.3 full handshake, ECDHE only, RFC 8422; extended
// master secret, RFC 7627; secure renegotiation signalling, RFC 5746; ALPN, RFC 7301).
//
//   ClientHello        -------->
//                                          ServerHello
//                                          Certificate
//                                    ServerKeyExchange
//                                 [CertificateRequest]
//                      <--------       ServerHelloDone
//   [Certificate]
//   ClientKeyExchange
//   [CertificateVerify]
//   [ChangeCipherSpec]
//   Finished           -------->
//                                    [NewSessionTicket]
//                                   [ChangeCipherSpec]
//                      <--------              Finished
//
// Resumption (RFC 5246 §7.3 figure 2; RFC 5077 §3.1): when the ClientHello offered a stored
// session (its session ID, or a ticket with a fresh random session ID, RFC 5077 §3.4) and the
// ServerHello echoes that session ID, the handshake is abbreviated:
//   ServerHello --> [ExpectNewSessionTicket] --> ExpectChangeCipherSpec --> ExpectFinished
//   --(our ChangeCipherSpec, Finished)--> Connected
// Every completed handshake leaves its session in ClientConfig::sessions when one is set.
//
// Client authentication (RFC 5246 §7.4.4, §7.4.6, §7.4.8): ExpectServerHelloDone also accepts
// one CertificateRequest before the ServerHelloDone. We then answer with a Certificate (ours
// when ClientConfig::client_certificate can meet the request, else empty) before the
// ClientKeyExchange, and with ours a CertificateVerify after it.
//
// The ClientHello (offering TLS 1.2, and TLS 1.3 when enabled) is built and sent by the client
// front (handshake/client/), which hands a TLS 1.2 ServerHello to ExpectServerHello here.
// One state = one move-only struct named after what it waits for; handle() consumes it and
// returns the next. Every handler first rejects message types the state does not expect.
#pragma once

#include <hs/config.h>
#include <hs/result.h>
#include <hs/session.h>

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crypto/provider.h"
#include "crypto/secret.h"
#include "handshake/common/driver.h"
#include "handshake/common/server_chain.h"
#include "handshake/common/suites.h"
#include "handshake/common/tls12_keys.h"
#include "handshake/common/transcript.h"
#include "keyschedule/prf12.h"
#include "messages/server_hello.h"
#include "record/protection.h"

namespace hs::client12 {

using detail::HandshakeContext;
using detail::HandshakeMessageView;
using detail::ServerKey;

// Offer is what our ClientHello said; every server choice is checked against it.
struct Offer {
  std::shared_ptr<const ClientConfig> config;
  std::string host;         // what the application asked to connect to
  std::string server_name;  // SNI sent ("" for IP literals or when disabled)
  std::array<uint8_t, 32> client_random{};
  std::vector<CipherSuite> suites;
  std::vector<NamedGroup> groups;
  std::vector<SignatureScheme> schemes;
  std::vector<ExtensionType> extensions;  // types we sent
  bool offered_tls13 = false;             // the same ClientHello offered TLS 1.3 too
  // resume: the stored TLS 1.2 session the ClientHello offers (nullopt when none);
  // offered_session_id is the legacy_session_id sent with it. store/store_key: where the new
  // session goes (null store: nowhere).
  std::optional<StoredSession> resume;
  bool resume_by_ticket = false;
  std::vector<uint8_t> offered_session_id;
  std::shared_ptr<ClientSessionStore> store;
  std::string store_key;
};

// Negotiated is what the ServerHello fixed.
struct Negotiated {
  std::array<uint8_t, 32> server_random{};
  detail::SuiteInfo suite{};
  bool ticket_expected = false;  // we offered session_ticket and the server acknowledged it
  // status_expected: we offered status_request and the ServerHello acknowledged it, so a
  // CertificateStatus may follow the Certificate (RFC 6066 §8: the server "MAY also choose not
  // to send" it).
  bool status_expected = false;
  // extended_master_secret: the ServerHello echoed RFC 7627's extension. Without it (allowed by
  // ClientConfig::require_extended_master_secret = false) the master secret is RFC 5246 §8.1's
  // and the session is not stored.
  bool extended_master_secret = false;
  // Resumption: whether the ServerHello resumed our offered session, and what the session to
  // store after the handshake will hold.
  bool abbreviated = false;
  std::shared_ptr<ClientSessionStore> store;
  std::string store_key;
  std::vector<uint8_t> session_id;  // the server's
  std::vector<uint8_t> ticket;      // the newest ticket (NewSessionTicket, or the one resumed)
  uint32_t ticket_lifetime = 0;
  uint64_t created_ms = 0;
  std::string alpn;
  std::string server_name;
  // kx_hint: the ServerKeyExchange's curve, remembered for the next TLS 1.3 ClientHello's key
  // share (ClientSessionStore::set_kx_hint) once the server's Finished verified. Set only when
  // our ClientHello offered TLS 1.3 too, so the server is TLS 1.2 only: a TLS 1.2-only
  // connection by our configuration says nothing about the server's TLS 1.3 choice.
  std::optional<NamedGroup> kx_hint;
};

// SignatureVerified proves the ServerKeyExchange signature was checked; only
// verify_server_key_exchange() can make one.
class SignatureVerified {
 private:
  SignatureVerified() = default;
  friend struct SkeVerifier;
};

// ServerShare is the server's verified ECDHE share.
struct ServerShare {
  NamedGroup group{};
  std::vector<uint8_t> public_key;
  SignatureVerified proof;
};

struct ExpectServerHello {
  Offer offer;
  detail::Transcript transcript;
};
struct ExpectCertificate {
  Offer offer;
  detail::Transcript transcript;
  Negotiated neg;
};
// ExpectServerKeyExchange also takes the CertificateStatus that may come first.
struct ExpectServerKeyExchange {
  Offer offer;
  detail::Transcript transcript;
  Negotiated neg;
  ServerKey server_key;
  bool status_checked = false;  // the CertificateStatus arrived and was checked
};
// CertificateRequested is what the server's CertificateRequest asked for.
struct CertificateRequested {
  std::vector<uint8_t> certificate_types;
  std::vector<SignatureScheme> schemes;
};

// ExpectServerHelloDone waits for ServerHelloDone, accepting one CertificateRequest first.
struct ExpectServerHelloDone {
  Offer offer;
  detail::Transcript transcript;  // messages kept when we have a client certificate
  Negotiated neg;
  ServerShare share;
  std::optional<CertificateRequested> cert_request;
};

// client_certificate_scheme picks the scheme we sign a TLS 1.2 CertificateVerify with: the
// first of `ours` (our config's order) that the request lists and our key of `type` can make,
// provided the request's certificate_types admit the key (RFC 5246 §7.4.6: the certificate
// "MUST be appropriate for the negotiated cipher suite's key exchange algorithm" and listed
// types). nullopt when none fits: we then send an empty Certificate.
std::optional<SignatureScheme> client_certificate_scheme(const CertificateRequested& request,
                                                         std::span<const SignatureScheme> ours,
                                                         crypto::KeyType type);
// AwaitSignature: our client certificate's key is offloaded (certified_key_for_offload); the
// flight stopped after ClientKeyExchange until the application's signature for our
// CertificateVerify arrives (finish_client_flight). No record is read meanwhile.
struct AwaitSignature {
  detail::Transcript transcript;  // through ClientKeyExchange, messages kept
  Negotiated neg;
  SecretBytes master_secret;
  keyschedule::Prf12 master_prf;
  detail::Tls12Protections keys;
  SignatureScheme scheme{};  // our CertificateVerify's
};

// After our Finished: the server's NewSessionTicket (if it acknowledged session_ticket), its
// ChangeCipherSpec, then its Finished.
// `client_write` is set only in an abbreviated handshake: our keys, switched on after the
// server's Finished when our ChangeCipherSpec goes out.
struct ExpectNewSessionTicket {
  detail::Transcript transcript;
  Negotiated neg;
  SecretBytes master_secret;
  keyschedule::Prf12 master_prf;  // keyed on master_secret: the key block, then both Finished
  std::unique_ptr<record::RecordProtection> server_write;
  std::unique_ptr<record::RecordProtection> client_write;
};
struct ExpectChangeCipherSpec {
  detail::Transcript transcript;
  Negotiated neg;
  SecretBytes master_secret;
  keyschedule::Prf12 master_prf;  // keyed on master_secret: the key block, then both Finished
  std::unique_ptr<record::RecordProtection> server_write;
  std::unique_ptr<record::RecordProtection> client_write;
};
struct ExpectFinished {
  detail::Transcript transcript;
  Negotiated neg;
  SecretBytes master_secret;
  keyschedule::Prf12 master_prf;  // keyed on master_secret: the key block, then both Finished
  std::unique_ptr<record::RecordProtection> client_write;
};
struct Connected {};

using State = std::variant<ExpectServerHello, ExpectCertificate, ExpectServerKeyExchange,
                           ExpectServerHelloDone, AwaitSignature, ExpectNewSessionTicket,
                           ExpectChangeCipherSpec, ExpectFinished, Connected>;

// state_name returns "client12::<State>".
std::string_view state_name(const State& state);

// finish_client_flight sends the rest of our flight after the ClientKeyExchange: the
// CertificateVerify with `signature` (when `cv_scheme` is set), ChangeCipherSpec and Finished.
Result<State> finish_client_flight(HandshakeContext& ctx, detail::Transcript transcript,
                                   Negotiated neg, SecretBytes master_secret,
                                   keyschedule::Prf12 master_prf, detail::Tls12Protections keys,
                                   std::optional<SignatureScheme> cv_scheme,
                                   std::span<const uint8_t> signature);
Result<State> handle(AwaitSignature&& st, HandshakeContext& ctx, const HandshakeMessageView& msg);

Result<State> handle(ExpectServerHello&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg);
// handle_server_hello is handle(ExpectServerHello) for a ServerHello the caller already parsed
// from `msg` (`sh` must be parse_server_hello(msg.body); the client driver parses it once to
// pick the version).
Result<State> handle_server_hello(ExpectServerHello&& st, HandshakeContext& ctx,
                                  const HandshakeMessageView& msg, const messages::ServerHello& sh);
Result<State> handle(ExpectCertificate&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg);
Result<State> handle(ExpectServerKeyExchange&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg);
Result<State> handle(ExpectServerHelloDone&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg);
Result<State> handle(ExpectNewSessionTicket&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg);
Result<State> handle(ExpectChangeCipherSpec&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg);
Result<State> handle(ExpectFinished&& st, HandshakeContext& ctx, const HandshakeMessageView& msg);
Result<State> handle(Connected&& st, HandshakeContext& ctx, const HandshakeMessageView& msg);

// handle_message dispatches to the handler of the current state.
Result<State> handle_message(State&& state, HandshakeContext& ctx, const HandshakeMessageView& msg);
// handle_change_cipher_spec: only ExpectChangeCipherSpec accepts the server's CCS (it switches
// the read keys); anywhere else, including before our Finished went out, a second time, or
// before a promised NewSessionTicket (RFC 5077 §3.3), it is unexpected_message.
Result<State> handle_change_cipher_spec(State&& state, HandshakeContext& ctx);

// is_ip_literal reports whether `host` is an IPv4 or IPv6 address literal (RFC 6066 §3:
// "Literal IPv4 and IPv6 addresses are not permitted in "HostName".").
bool is_ip_literal(std::string_view host);

}  // namespace hs::client12

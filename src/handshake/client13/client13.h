// The TLS 1.3 client handshake (RFC 8446 §2, full (EC)DHE handshake with certificate
// authentication; HelloRetryRequest, §4.1.4; middlebox compatibility mode, Appendix D.4):
//
//   ClientHello (key_share)   -------->
//                                               ServerHello (key_share)
//                                               {EncryptedExtensions}
//                                               {CertificateRequest*}
//                                               {Certificate}
//                                               {CertificateVerify}
//                             <--------         {Finished}
//   [ChangeCipherSpec]
//   {Certificate*}
//   {Finished}                -------->
//                             <--------         [NewSessionTicket]
//   [Application Data]        <------->         [Application Data]
//
// The first ServerHello is read by the client front (handshake/client/), which builds the one
// ClientHello offering TLS 1.2 and 1.3 and hands a ServerHello that selects TLS 1.3 (through
// supported_versions) to ExpectServerHello here. One state = one move-only struct named after
// what it waits for; handle() consumes it and returns the next. Every handler first rejects the
// message types the state does not expect.
//
// Resumption (RFC 8446 §2.2): with a stored ticket the ClientHello offers it as its one PSK
// (psk_dhe_ke only, pre_shared_key last, binder over the truncated ClientHello). A ServerHello
// that selects it skips Certificate and CertificateVerify: EncryptedExtensions -> Finished.
// NewSessionTickets become sessions in ClientConfig::sessions.
#pragma once

#include <hs/config.h>
#include <hs/result.h>
#include <hs/session.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
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
#include "handshake/common/tls13_traffic.h"
#include "handshake/common/transcript.h"
#include "keyschedule/tls13_schedule.h"
#include "messages/client_hello.h"
#include "messages/server_hello.h"

namespace hs::client13 {

using detail::HandshakeContext;
using detail::HandshakeMessageView;
using detail::ServerKey;

// Offer is what our ClientHello said about TLS 1.3; every server choice is checked against it.
struct Offer {
  std::shared_ptr<const ClientConfig> config;
  std::string host;         // what the application asked to connect to
  std::string server_name;  // SNI sent ("" for IP literals or when disabled)
  std::array<uint8_t, 32> client_random{};
  std::vector<uint8_t> session_id;        // legacy_session_id (32 random bytes, or empty)
  std::vector<CipherSuite> suites;        // the TLS 1.3 suites offered
  std::vector<NamedGroup> groups;         // supported_groups as sent
  std::vector<SignatureScheme> schemes;   // signature_algorithms as sent
  std::vector<ExtensionType> extensions;  // extension types sent
  std::vector<std::string> alpn;          // ALPN protocols offered
  std::vector<std::unique_ptr<crypto::KeyShare>> shares;  // one per key_share entry sent
  messages::ClientHello hello;     // the ClientHello as sent (for ClientHello2)
  std::vector<uint8_t> hello_raw;  // its encoding (header + body)
  // middlebox_compat: send a non-empty legacy_session_id and one dummy ChangeCipherSpec before
  // our second flight (RFC 8446 Appendix D.4). On by default; off only in known-answer tests.
  bool middlebox_compat = true;
  bool ccs_sent = false;
  // edit_hello2 / now_ms: client::TestHooks::edit_client_hello2 and ::now_ms, for ClientHello2
  // (test-only; empty in production, where now() is session_now_ms()).
  std::function<void(messages::ClientHello&)> edit_hello2;
  std::function<uint64_t()> now_ms;
  uint64_t now() const { return now_ms ? now_ms() : session_now_ms(); }
  // psk: the stored session whose ticket the ClientHello offers as its one PSK (identity 0);
  // nullopt when none (or dropped after a HelloRetryRequest chose another hash). With
  // psk_external it stands for ClientConfig::external_psk: the identity in `ticket`, the key in
  // `secret`, a suite of its hash in `suite`.
  std::optional<StoredSession> psk;
  bool psk_external = false;
  // store/store_key: where NewSessionTickets go (null store: nowhere).
  std::shared_ptr<ClientSessionStore> store;
  std::string store_key;
  // early_data: the ClientHello offers 0-RTT under `psk` (RFC 8446 §4.2.10); cleared once the
  // server declined it (HelloRetryRequest, PSK not selected).
  bool early_data = false;
};

// early_data_allowed reports whether a ClientHello under `config` that offers the TLS 1.3
// `suites` and resumes `session` may offer early data: ClientConfig::enable_early_data, a ticket
// with max_early_data_size > 0, its suite offered, and its ALPN protocol (if any) offered
// (RFC 8446 §4.2.10: the server accepts only with the ticket's suite and ALPN).
bool early_data_allowed(const ClientConfig& config, std::span<const CipherSuite> suites,
                        const StoredSession& session);
// start_early_data runs right after the ClientHello that offered early data went out: the
// middlebox-compatibility ChangeCipherSpec, then the client early traffic key for writing
// (RFC 8446 §7.1: Derive-Secret(Early Secret, "c e traffic", ClientHello)), logged as
// CLIENT_EARLY_TRAFFIC_SECRET, and the connection opened for write_early_data.
Result<void> start_early_data(Offer& offer, HandshakeContext& ctx);
// decline_early_data ends 0-RTT as rejected (the connection resends the data as 1-RTT data)
// and puts the write protection back to plaintext for a ClientHello2 (`plaintext`).
void decline_early_data(Offer& offer, HandshakeContext& ctx, bool plaintext);

// PskAuthenticated proves the server accepted our PSK (its binder-bound identity selected in the
// ServerHello), which authenticates the server in place of Certificate/CertificateVerify (RFC
// 8446 §2.2). Only the ServerHello handler makes one.
class PskAuthenticated {
 private:
  PskAuthenticated() = default;
  friend struct PskAcceptor;
};

// add_psk_offer appends psk_key_exchange_modes (psk_dhe_ke) and pre_shared_key (last, with the
// ticket of `session`, its obfuscated age at `now_ms`, and a zero binder) to `hello`. An
// `external` PSK (ClientConfig::external_psk, its identity in session.ticket) has age 0.
Result<void> add_psk_offer(messages::ClientHello& hello, const StoredSession& session,
                           uint64_t now_ms, bool external);
// bind_psk fills in the binder of `hello`'s pre_shared_key (RFC 8446 §4.2.11.2) and returns the
// encoded message. `prefix` is the transcript before this ClientHello (message_hash(ClientHello1)
// and the HelloRetryRequest), or null for ClientHello1. The binder key is "ext binder" for an
// `external` PSK, "res binder" for a ticket (RFC 8446 §7.1).
Result<std::vector<uint8_t>> bind_psk(const crypto::Provider& provider,
                                      messages::ClientHello& hello, const StoredSession& session,
                                      const detail::Transcript* prefix, bool external);

// CertRequest13 is what a CertificateRequest asks of our certificate (RFC 8446 §4.3.2): the
// context our Certificate echoes and the signature_algorithms our CertificateVerify may use.
struct CertRequest13 {
  std::vector<uint8_t> context;
  std::vector<SignatureScheme> schemes;
};

// parse_cert_request13 parses a CertificateRequest body; missing_extension without
// signature_algorithms ("The "signature_algorithms" extension MUST be specified").
Result<CertRequest13> parse_cert_request13(std::span<const uint8_t> body);

// HandshakeKeys is the handshake stage of the key schedule once the ServerHello is processed.
struct HandshakeKeys {
  detail::SuiteInfo suite{};
  keyschedule::HandshakeSecret secret;
  keyschedule::TrafficSecret client_hs;
  keyschedule::TrafficSecret server_hs;
};

// Session is what every state between ServerHello and the server's Finished carries.
struct Session {
  Offer offer;
  detail::Transcript transcript;
  HandshakeKeys keys;
  // cert_request is set when the server sent a CertificateRequest: our second flight answers it
  // (send_client_certificate).
  std::optional<CertRequest13> cert_request;
  // psk_auth is set when the server accepted our PSK: no certificate comes.
  std::optional<PskAuthenticated> psk_auth;
  // early_data_accepted: EncryptedExtensions carried early_data; EndOfEarlyData precedes our
  // second flight (RFC 8446 §4.5).
  bool early_data_accepted = false;
};

// SignatureVerified proves the server's CertificateVerify was checked; only the CertificateVerify
// handler's verifier can make one.
class SignatureVerified {
 private:
  SignatureVerified() = default;
  friend struct CertificateVerifyChecker;
};

// Ticket is the latest NewSessionTicket with the PSK it names (RFC 8446 §4.6.1). Kept for the
// resumption work to come; nothing reads it yet.
struct Ticket {
  uint32_t lifetime = 0;
  uint32_t age_add = 0;
  std::vector<uint8_t> ticket;
  SecretBytes psk;
  std::optional<uint32_t> max_early_data;
};

// ---- states ----

// ExpectServerHello waits for the ServerHello (or a HelloRetryRequest) that selected TLS 1.3.
// Before a HelloRetryRequest the transcript holds ClientHello1 unhashed (the suite is not known
// yet); after one it is message_hash(ClientHello1), HelloRetryRequest, ClientHello2.
struct ExpectServerHello {
  Offer offer;
  detail::Transcript transcript;
  // hrr: the suite and version the HelloRetryRequest fixed, once one was received.
  std::optional<CipherSuite> hrr_suite;
};
struct ExpectEncryptedExtensions {
  Session s;
};
// ExpectCertificateOrRequest: after EncryptedExtensions, a CertificateRequest or the server's
// Certificate.
struct ExpectCertificateOrRequest {
  Session s;
};
struct ExpectCertificate {
  Session s;
};
struct ExpectCertificateVerify {
  Session s;
  ServerKey server_key;
};
struct ExpectFinished {
  Session s;
  std::variant<SignatureVerified, PskAuthenticated> proof;
};
// PostHandshakeAuth is kept when our ClientHello offered post_handshake_auth (RFC 8446 §4.2.6):
// the transcript through our Finished, which every post-handshake CertificateRequest extends on
// its own copy (§4.4.1: "ClientHello ... client Finished + CertificateRequest"), and the
// configuration whose client_certificate answers it.
// PendingAnswer: our answer to a post-handshake CertificateRequest waits for the offloaded
// key's signature; `transcript` runs through our Certificate.
struct PendingAnswer {
  detail::Transcript transcript;
  SignatureScheme scheme{};
};
struct PostHandshakeAuth {
  std::shared_ptr<const ClientConfig> config;
  detail::Transcript transcript;
  size_t requests_answered = 0;
  std::optional<PendingAnswer> pending;
};

// Connected: application data flows; post-handshake messages (NewSessionTicket, KeyUpdate,
// CertificateRequest) are handled here.
// `app.write` is client_application_traffic_secret_N, `app.read` the server's.
struct Connected {
  detail::AppTraffic13 app;
  SecretBytes resumption_master_secret;
  std::optional<Ticket> ticket;  // the latest one
  size_t tickets_received = 0;
  // Where NewSessionTickets are stored as sessions, with what the handshake agreed.
  std::shared_ptr<ClientSessionStore> store;
  std::string store_key;
  std::string alpn;
  std::string server_name;
  std::optional<PostHandshakeAuth> pha;  // set when post_handshake_auth was offered
};

// AwaitSignature: our client certificate's key is offloaded (certified_key_for_offload); our
// second flight stopped after its Certificate until the application's signature for the
// CertificateVerify arrives (finish_second_flight). The server's Finished was verified and
// the application secrets derived. No record is read meanwhile.
struct AwaitSignature {
  Session s;  // transcript through our Certificate
  keyschedule::MasterSecret master;
  keyschedule::TrafficSecret client_app;
  keyschedule::TrafficSecret server_app;
  SignatureScheme scheme{};
};

using State = std::variant<ExpectServerHello, ExpectEncryptedExtensions, ExpectCertificateOrRequest,
                           ExpectCertificate, ExpectCertificateVerify, ExpectFinished,
                           AwaitSignature, Connected>;

// state_name returns "client13::<State>".
std::string_view state_name(const State& state);

Result<State> handle(ExpectServerHello&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg);
// handle_server_hello is handle(ExpectServerHello) for a ServerHello the caller already parsed
// from `msg` (`sh` must be parse_server_hello(msg.body); the client driver parses it once to
// pick the version).
Result<State> handle_server_hello(ExpectServerHello&& st, HandshakeContext& ctx,
                                  const HandshakeMessageView& msg, const messages::ServerHello& sh);
Result<State> handle(ExpectEncryptedExtensions&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg);
Result<State> handle(ExpectCertificateOrRequest&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg);
Result<State> handle(ExpectCertificate&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg);
Result<State> handle(ExpectCertificateVerify&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg);
Result<State> handle(ExpectFinished&& st, HandshakeContext& ctx, const HandshakeMessageView& msg);
Result<State> handle(Connected&& st, HandshakeContext& ctx, const HandshakeMessageView& msg);

// handle_message dispatches to the handler of the current state.
Result<State> handle_message(State&& state, HandshakeContext& ctx, const HandshakeMessageView& msg);

// accepts_dummy_change_cipher_spec reports whether `state` still precedes the server's Finished,
// where RFC 8446 §5 lets a peer send one unprotected ChangeCipherSpec that is dropped.
bool accepts_dummy_change_cipher_spec(const State& state);

// choose_client_scheme picks the scheme our CertificateVerify uses with `key`: the first of the
// server's `requested` signature_algorithms that we also offer (`ours`), that TLS 1.3 allows
// for handshake signatures, and that fits the key (RSA: rsa_pss_rsae_*, ECDSA: the key's curve,
// Ed25519). nullopt when there is none.
std::optional<SignatureScheme> choose_client_scheme(std::span<const SignatureScheme> requested,
                                                    std::span<const SignatureScheme> ours,
                                                    crypto::KeyType key);

// send_client_certificate answers `request` (RFC 8446 §4.4.2, §4.4.3), in our second flight or
// after the handshake: config.client_certificate and a CertificateVerify when a scheme fits
// (choose_client_scheme), else an empty Certificate. Adds what it sends to `transcript`.
// internal_error when signing fails. With an offloaded key it sends the Certificate, asks the
// application for the signature (HandshakeContext::request_signature) and returns the scheme:
// the caller waits and then sends send_client_certificate_verify; nullopt otherwise.
Result<std::optional<SignatureScheme>> send_client_certificate(const ClientConfig& config,
                                                               const CertRequest13& request,
                                                               detail::Transcript& transcript,
                                                               HandshakeContext& ctx);
// send_client_certificate_verify sends our CertificateVerify with `signature`.
Result<void> send_client_certificate_verify(HandshakeContext& ctx, detail::Transcript& transcript,
                                            SignatureScheme scheme,
                                            std::span<const uint8_t> signature);

// finish_second_flight sends the rest of our second flight after the Certificate (or the
// EndOfEarlyData): the CertificateVerify with `signature` when `cv_scheme` is set, Finished, and
// switches to the application write key.
Result<State> finish_second_flight(HandshakeContext& ctx, Session&& s,
                                   keyschedule::MasterSecret master,
                                   keyschedule::TrafficSecret client_app,
                                   keyschedule::TrafficSecret server_app,
                                   std::optional<SignatureScheme> cv_scheme,
                                   std::span<const uint8_t> signature);
Result<State> handle(AwaitSignature&& st, HandshakeContext& ctx, const HandshakeMessageView& msg);

// complete_post_handshake_answer sends the CertificateVerify (with `signature`) and Finished of
// a post-handshake answer that waited for an offloaded signature.
Result<void> complete_post_handshake_answer(Connected& st, HandshakeContext& ctx,
                                            std::span<const uint8_t> signature);
// finish_post_handshake_answer sends the Finished of a post-handshake answer.
Result<void> finish_post_handshake_answer(Connected& st, HandshakeContext& ctx,
                                          detail::Transcript& transcript);

// answer_post_handshake_request answers a CertificateRequest received once connected (RFC 8446
// §4.6.2) with Certificate, CertificateVerify and Finished under our application traffic key;
// unexpected_message when we did not offer post_handshake_auth.
Result<void> answer_post_handshake_request(Connected& st, HandshakeContext& ctx,
                                           const HandshakeMessageView& msg);

// send_dummy_change_cipher_spec sends the middlebox-compatibility ChangeCipherSpec once per
// connection, when the offer asks for it (RFC 8446 Appendix D.4: "immediately before its second
// flight. This may either be before its second ClientHello or before its encrypted handshake
// flight").
Result<void> send_dummy_change_cipher_spec(Offer& offer, HandshakeContext& ctx);

}  // namespace hs::client13

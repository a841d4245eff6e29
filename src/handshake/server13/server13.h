// The TLS 1.3 server handshake (RFC 8446 §2): full (EC)DHE handshake with certificate
// authentication, HelloRetryRequest with a cookie (§4.1.4, §4.2.2), PSK resumption with tickets
// we issue (psk_dhe_ke only, §4.2.9, §4.2.11, §4.6.1), middlebox compatibility (Appendix D.4)
// and KeyUpdate (§4.6.3).
//
//   ClientHello            -------->  ServerHello, [CCS], {EncryptedExtensions},
//                                     {Certificate*}, {CertificateVerify*}, {Finished}
//   [CCS] {Finished}       -------->  [NewSessionTicket...]
//
//   ClientHello (no usable share) -->  HelloRetryRequest (key_share, cookie), [CCS]
//   ClientHello2           -------->  ServerHello ... as above
//
// The first ClientHello is parsed by the server front (handshake/server/), which hands it here
// once it picked TLS 1.3. One state = one move-only struct named after what it waits for.
#pragma once

#include <hs/config.h>
#include <hs/result.h>
#include <hs/session.h>

#include <array>
#include <cstddef>
#include <cstdint>
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
#include "handshake/common/suites.h"
#include "handshake/common/tls13_traffic.h"
#include "handshake/common/transcript.h"
#include "keyschedule/tls13_schedule.h"
#include "messages/client_hello.h"
#include "messages/extensions.h"

namespace hs::server13 {

using detail::HandshakeContext;
using detail::HandshakeMessageView;

// Env is what every handler may use: the connection seam and the configuration.
struct Env {
  HandshakeContext& ctx;
  const ServerConfig& config;
};

// kDefaultTicketCount is how many NewSessionTickets we send after the handshake (OpenSSL's
// default, enough for a client that opens two connections in parallel).
inline constexpr size_t kDefaultTicketCount = 2;
// kMaxTicketLifetime: RFC 8446 §4.6.1 "Servers MUST NOT use any value greater than 604800
// seconds (7 days)." ServerConfig::ticket_lifetime is capped to it.
inline constexpr uint32_t kMaxTicketLifetime = 604800;

// kMaxTicketClientLeaf bounds the client certificate a ticket records (TicketState::client_leaf)
// so that the sealed ticket stays within ticket<1..2^16-1>.
inline constexpr size_t kMaxTicketClientLeaf = 32768;

// TicketState is what a ticket we issue carries, sealed under the process ticket key.
struct TicketState {
  CipherSuite suite{};
  SecretBytes psk;              // HKDF-Expand-Label(resumption_master_secret, "resumption", ...)
  uint64_t created_ms = 0;      // milliseconds since the Unix epoch
  uint32_t age_add = 0;         // ticket_age_add sent with the ticket
  uint32_t lifetime_s = 0;      // ticket_lifetime sent with the ticket
  std::string alpn;             // ALPN agreed on the connection that issued it
  std::string server_name;      // SNI of that connection
  uint32_t max_early_data = 0;  // the early_data extension sent with the ticket (0: none)
  // client_leaf: the certificate the client authenticated with on the connection that issued
  // the ticket (verified there by ServerConfig::client_verifier); empty when the client sent
  // none. A resumed connection reports it as its peer (RFC 8446 §2.2: the PSK stands in for
  // the authentication of the original handshake).
  CertificateDer client_leaf;
};

// now_ms is the wall clock in milliseconds since the Unix epoch (ticket ages).
uint64_t now_ms();

// seal_ticket encrypts `state` into an opaque ticket under the server's ticket key ring
// (ServerConfig::ticket_keys, or the per-process ring; purpose kTicketPurposeTls13).
// internal_error when the ring cannot seal.
Result<std::vector<uint8_t>> seal_ticket(const ServerConfig& config, const TicketState& state);
// open_ticket decrypts a ticket made by seal_ticket; nullopt when it is not one of ours, was
// tampered with, or does not parse. Never an error: a bad ticket means a full handshake.
std::optional<TicketState> open_ticket(const ServerConfig& config, std::span<const uint8_t> ticket);

// make_cookie / cookie_matches: the HelloRetryRequest cookie (RFC 8446 §4.2.2), an HMAC-SHA256
// under a per-process random key over the selected suite, group and Hash(ClientHello1), so a
// stateless server could rebuild its transcript from it. cookie_matches checks the tag in
// constant time and that the content is what we sent.
Result<std::vector<uint8_t>> make_cookie(const crypto::Provider& provider, CipherSuite suite,
                                         NamedGroup group, std::span<const uint8_t> ch1_hash);
bool cookie_matches(const crypto::Provider& provider, std::span<const uint8_t> cookie,
                    CipherSuite suite, NamedGroup group, std::span<const uint8_t> ch1_hash);

// ---- states ----

// ExpectClientHello waits for the first ClientHello (handed over by the front).
struct ExpectClientHello {};

// ExpectSecondClientHello waits for ClientHello2 after our HelloRetryRequest.
struct ExpectSecondClientHello {
  messages::ClientHello hello1;   // what ClientHello2 must repeat
  detail::SuiteInfo suite{};      // fixed by the HelloRetryRequest
  NamedGroup group{};             // the group we asked a share for
  std::vector<uint8_t> ch1_hash;  // Hash(ClientHello1)
  std::vector<uint8_t> cookie;    // as sent in the HelloRetryRequest
  detail::Transcript transcript;  // message_hash(ClientHello1), HelloRetryRequest
  bool ccs_sent = false;          // our middlebox-compatibility CCS went after the HRR
};

// ExpectFinished waits for the client's Finished (one dummy ChangeCipherSpec may come first).
struct ExpectFinished {
  detail::SuiteInfo suite{};
  std::array<uint8_t, 32> client_random{};
  detail::Transcript transcript;  // through the server Finished
  keyschedule::TrafficSecret client_hs;
  keyschedule::MasterSecret master;
  keyschedule::TrafficSecret client_app;
  keyschedule::TrafficSecret server_app;
  std::string alpn;
  std::string server_name;
  // client_leaf: the client's authenticated certificate (or the one a resumed ticket carried),
  // empty when the client was not authenticated; recorded in the tickets we issue.
  CertificateDer client_leaf;
  // post_handshake_auth: the ClientHello offered it (RFC 8446 §4.2.6), so we may ask for a
  // certificate once connected (request_client_certificate).
  bool post_handshake_auth = false;
};

// FlightEnd is what the server's first flight still needs once its Certificate is sent: the
// CertificateVerify (when `cv_scheme` is set: certificate authentication), Finished, the
// application traffic secrets, and what the state after it holds.
struct FlightEnd {
  detail::SuiteInfo suite{};
  std::array<uint8_t, 32> client_random{};
  detail::Transcript transcript;  // through our Certificate (or EncryptedExtensions)
  keyschedule::HandshakeSecret hs_secret;
  keyschedule::TrafficSecret client_hs;
  keyschedule::TrafficSecret server_hs;
  std::string alpn;
  std::string server_name;
  CertificateDer client_leaf;  // see ExpectFinished
  bool post_handshake_auth = false;
  std::optional<SignatureScheme> cv_scheme;  // our CertificateVerify's scheme
  // client_auth: the schemes of the CertificateRequest we sent (the client's Certificate comes
  // next); early_limit: the max_early_data of accepted 0-RTT (EndOfEarlyData comes next).
  std::optional<std::vector<SignatureScheme>> client_auth;
  std::optional<uint32_t> early_limit;
  std::string note;  // the trace's summary of the handshake, when notes are read
};

// AwaitSignature: our certificate's key is offloaded (certified_key_for_offload); the flight
// stopped after Certificate until the application's signature arrives (Driver::on_signature).
// No record is read meanwhile (the connection holds them).
struct AwaitSignature {
  FlightEnd end;
};

// ExpectClientCertificate waits for the client's Certificate after our CertificateRequest
// (RFC 8446 §4.4.2); `next` is what the client's Finished is then checked against.
struct ExpectClientCertificate {
  ExpectFinished next;
  std::vector<SignatureScheme> offered;  // signature_algorithms of our CertificateRequest
};

// ExpectClientCertificateVerify waits for the client's CertificateVerify (RFC 8446 §4.4.3)
// after a non-empty client Certificate whose chain client_verifier accepted.
struct ExpectClientCertificateVerify {
  ExpectFinished next;
  std::vector<SignatureScheme> offered;
  std::unique_ptr<crypto::PublicKey> client_key;  // the client leaf's public key
  crypto::KeyType key_type{};
};

// ExpectEndOfEarlyData: we accepted 0-RTT; application data records under the client early
// traffic key are early data until the client's EndOfEarlyData (RFC 8446 §4.5) switches to its
// handshake key. `next` is the ExpectFinished that follows.
struct ExpectEndOfEarlyData {
  ExpectFinished next;
  uint32_t max_early_data = 0;  // max_early_data_size of the ticket
  uint64_t received = 0;        // early data bytes so far
};

// ClientChain is a client's non-empty Certificate whose chain client_verifier accepted, with
// the leaf's public key for its CertificateVerify.
struct ClientChain {
  std::vector<CertificateDer> chain;
  std::unique_ptr<crypto::PublicKey> key;
  crypto::KeyType key_type{};
};

// PostHandshakeRequest is an outstanding post-handshake CertificateRequest (RFC 8446 §4.6.2):
// the client answers with Certificate, CertificateVerify (when the Certificate is not empty) and
// Finished, over the handshake's transcript forked at our request (§4.4.1: "ClientHello ...
// client Finished + CertificateRequest").
struct PostHandshakeRequest {
  std::vector<uint8_t> context;          // our certificate_request_context
  std::vector<SignatureScheme> offered;  // its signature_algorithms
  detail::Transcript transcript;         // the handshake's, then this exchange's messages
  bool required = false;                 // an empty Certificate is certificate_required
  bool certificate_received = false;
  std::optional<ClientChain> client;  // set by a non-empty Certificate
  bool certificate_verified = false;  // its CertificateVerify checked
};

// Connected: application data flows; the client may send KeyUpdate, and answer a post-handshake
// CertificateRequest. Anything else is refused.
// `app.write` is server_application_traffic_secret_N, `app.read` the client's.
struct Connected {
  detail::AppTraffic13 app;
  SecretBytes resumption_master_secret;
  uint64_t tickets_sent = 0;   // also the next ticket_nonce
  CertificateDer client_leaf;  // see ExpectFinished::client_leaf; goes into our tickets
  // handshake_transcript: through the client Finished, kept only when the client offered
  // post_handshake_auth and ServerConfig::client_verifier is set.
  std::optional<detail::Transcript> handshake_transcript;
  std::optional<PostHandshakeRequest> pha_request;  // at most one outstanding
  uint64_t pha_requests_sent = 0;                   // also the next certificate_request_context
};

using State = std::variant<ExpectClientHello, ExpectSecondClientHello, AwaitSignature,
                           ExpectClientCertificate, ExpectClientCertificateVerify,
                           ExpectEndOfEarlyData, ExpectFinished, Connected>;

// state_name returns "server13::<State>".
std::string_view state_name(const State& state);

// handle_client_hello answers a parsed first ClientHello (`msg` is its raw form) that selected
// TLS 1.3: a ServerHello flight, or a HelloRetryRequest.
Result<State> handle_client_hello(Env env, const messages::ClientHello& hello,
                                  const HandshakeMessageView& msg);

Result<State> handle(ExpectClientHello&& st, Env env, const HandshakeMessageView& msg);
Result<State> handle(ExpectSecondClientHello&& st, Env env, const HandshakeMessageView& msg);
Result<State> handle(AwaitSignature&& st, Env env, const HandshakeMessageView& msg);
Result<State> handle(ExpectClientCertificate&& st, Env env, const HandshakeMessageView& msg);
Result<State> handle(ExpectClientCertificateVerify&& st, Env env, const HandshakeMessageView& msg);
Result<State> handle(ExpectEndOfEarlyData&& st, Env env, const HandshakeMessageView& msg);
Result<State> handle(ExpectFinished&& st, Env env, const HandshakeMessageView& msg);
Result<State> handle(Connected&& st, Env env, const HandshakeMessageView& msg);

// send_certificate_request sends our CertificateRequest (RFC 8446 §4.3.2) with `context` (empty
// in the server flight of a certificate-authenticated handshake, when ServerConfig::client_auth
// asks for one; unique per request after the handshake) and returns the signature schemes it
// offered. internal_error when no client_verifier is set or no scheme we verify in TLS 1.3 is
// configured.
Result<std::vector<SignatureScheme>> send_certificate_request(Env env,
                                                              detail::Transcript& transcript,
                                                              std::span<const uint8_t> context);

// request_client_certificate sends a post-handshake CertificateRequest (RFC 8446 §4.6.2); an
// empty answer is then certificate_required when `required`. internal_error when the client
// did not offer post_handshake_auth, a request is still outstanding, or
// send_certificate_request fails. The answer goes through handle(Connected).
Result<void> request_client_certificate(Connected& st, Env env, bool required);

// handle_post_handshake_auth takes the client's Certificate, CertificateVerify and Finished in
// answer to st.pha_request; on the Finished the client's chain becomes the connection's peer.
Result<void> handle_post_handshake_auth(Connected& st, Env env, const HandshakeMessageView& msg);

// finish_flight sends the rest of the server's first flight (CertificateVerify with
// `signature` when end.cv_scheme is set, Finished), installs the application write key and
// returns the state that waits for the client's next message.
Result<State> finish_flight(Env env, FlightEnd&& end, std::span<const uint8_t> signature);

// handle_message dispatches to the handler of the current state.
Result<State> handle_message(State&& state, Env env, const HandshakeMessageView& msg);

// accepts_dummy_change_cipher_spec reports whether `state` precedes the client's Finished, where
// RFC 8446 §5 lets the client send one unprotected ChangeCipherSpec that we drop.
bool accepts_dummy_change_cipher_spec(const State& state);

// accept_early_data decides whether to accept the 0-RTT data of a ClientHello that offered
// early_data with `identity` (identity 0, whose binder verified) naming `ticket`, for a
// handshake that selected `suite` and `alpn` (RFC 8446 §4.2.10). On success the ticket is
// recorded in the server's single-use guard. On refusal it returns false and sets `why`.
bool accept_early_data(Env env, const messages::PskIdentity& identity, const TicketState& ticket,
                       CipherSuite suite, std::string_view alpn, std::string& why);

// on_early_data counts `length` bytes of 0-RTT application data against the accepted
// max_early_data_size: unexpected_message outside ExpectEndOfEarlyData or beyond the limit
// (RFC 8446 §4.2.10).
Result<void> on_early_data(State& state, size_t length);

// kEarlyDataAgeWindowMs bounds the difference between the ticket age the client reports and
// the one we measure for 0-RTT to be accepted (RFC 8446 §8.3; OpenSSL uses 10 s).
inline constexpr uint64_t kEarlyDataAgeWindowMs = 10000;
// send_tickets sends `count` NewSessionTickets from a Connected state (the driver calls it right
// after the client Finished; exposed for tests).
Result<void> send_tickets(Connected& st, Env env, size_t count, std::string_view alpn,
                          std::string_view server_name);

}  // namespace hs::server13

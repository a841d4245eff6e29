// Client and server configuration. Defaults are the safe ones, and a default-constructed config
// gets them all:
// - TLS 1.2 and TLS 1.3 only (min_version tls1_2, max_version tls1_3); older versions are not
//   implemented at all.
// - AEAD cipher suites only (AES-GCM, ChaCha20-Poly1305) with ECDHE key exchange: no CBC, no RC4,
//   no RSA key exchange, no renegotiation; clients require the extended master secret (RFC
//   7627), servers serve legacy clients without it but never resume their sessions.
// - Peer verification on: a client without a verifier refuses to finish the handshake unless
//   dangerous_skip_verification is set (curl's -k).
//
// Ownership and threads: a Connection keeps the shared_ptr<const ClientConfig/ServerConfig> it
// was created with, so a config must not change once a connection uses it; share one config
// between any number of connections and threads. The objects a config points to (verifier,
// session stores, ticket keys, replay guard, key-log sink) are called from whichever thread
// drives each connection: when connections run on several threads, they must be thread-safe
// (the library's own implementations are).
#pragma once

#include <hs/export.h>
#include <hs/keylog.h>
#include <hs/result.h>
#include <hs/secret.h>
#include <hs/wire.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hs::crypto {
class Provider;
class PrivateKey;
}  // namespace hs::crypto

namespace hs {

// Session resumption (include <hs/session.h> to use them).
class ClientSessionStore;
class ServerSessionCache;
class TicketKeys;
class EarlyDataReplayGuard;

using CertificateDer = std::vector<uint8_t>;

// default_cipher_suites is the order we offer and prefer: TLS 1.3 suites, then ECDHE with
// AES-GCM and ChaCha20-Poly1305, ECDSA before RSA.
HS_API std::vector<CipherSuite> default_cipher_suites();
HS_API std::vector<NamedGroup>
default_groups();  // x25519, P-256, P-384, x448, P-521, ffdhe2048/3072
// default_signature_schemes: ECDSA, RSA-PSS, Ed25519, then RSA PKCS#1 v1.5, in preference order.
HS_API std::vector<SignatureScheme> default_signature_schemes();

// CertificateVerifier decides whether the peer's chain (leaf first, DER) is acceptable for
// `host` (empty for a client certificate). It returns an Error whose detail reads like curl's
// ("SSL certificate problem: certificate has expired") on rejection; the handshake then fails
// with that Error and sends the alert its code maps to. This is the hook for custom
// verification (pinning, a private PKI): implement verify(), or wrap make_default_verifier()
// (<hs/x509.h>) and add checks after it. The handshake signature is checked against the leaf's
// key by the library in every case.
class HS_API CertificateVerifier {
 public:
  virtual ~CertificateVerifier() = default;
  virtual Result<void> verify(std::span<const CertificateDer> chain, std::string_view host) = 0;
};

// CertifiedKey is one chain (leaf first) with its private key: a server's certificate, or the
// one a client presents when the server asks for it.
struct CertifiedKey {
  std::vector<CertificateDer> chain;
  std::shared_ptr<const crypto::PrivateKey> key;
  // ocsp_response (servers): a DER OCSPResponse (RFC 6960 §4.2.1) for the leaf, stapled when
  // the client asks (status_request; RFC 6066 §8, RFC 8446 §4.4.2.1); empty: none. It must be a
  // successful response (Connection::server fails with invalid_config otherwise); its freshness
  // is the operator's business, as with nginx's ssl_stapling_file: fetch a new one before its
  // nextUpdate.
  std::vector<uint8_t> ocsp_response;
};
using ServerCertificate = CertifiedKey;

// PskHash is the hash an external PSK is used with: the handshake takes a TLS 1.3 suite of that
// hash (TLS_AES_128_GCM_SHA256 and TLS_CHACHA20_POLY1305_SHA256, or TLS_AES_256_GCM_SHA384).
enum class PskHash : uint8_t { sha256, sha384 };

// ExternalPsk is a TLS 1.3 pre-shared key agreed outside TLS (RFC 8446 §2.2, §4.2.11): the
// identity both sides know it by, the key, and its hash (RFC 8446 §4.2.11: "For externally
// established PSKs, the Hash algorithm MUST be set when the PSK is established or default to
// SHA-256 if no such algorithm is defined."). A handshake it authenticates carries no
// certificate. Each key must be used with one hash only (RFC 9258's rule), and should have
// at least 128 bits of entropy: a low-entropy key (a password) can be found offline from one
// observed handshake (RFC 8446 §E.7).
struct ExternalPsk {
  std::vector<uint8_t> identity;  // 1 to 65535 bytes
  SecretBytes key;                // not empty
  PskHash hash = PskHash::sha256;
};

// Limits bounds what a peer can make one connection hold or do (both roles). Beyond a limit the
// handshake fails with the alert named below; Connection::client/server refuse a Limits whose
// sizes are zero, exceed 2^24 - 1 (the uint24 length of a handshake message) or whose
// certificate bound is below the general one.
struct Limits {
  // max_handshake_message_size bounds each handshake message received, Certificate,
  // CertificateRequest and ClientHello excepted. Checked as soon as the 4-byte header arrives,
  // before the body is buffered: decode_error. 16 KiB, as BoringSSL (kMaxMessageLen): a
  // ServerHello or NewSessionTicket is a few hundred bytes.
  size_t max_handshake_message_size = 16 * 1024;
  // max_certificate_message_size bounds Certificate and CertificateRequest (whose
  // certificate_authorities list can be as long as a chain) and ClientHello (2^16 bytes of
  // suites and 2^16 of extensions are legal; conformance suites send thousands of extensions):
  // decode_error beyond it. 100 KiB, OpenSSL's default max_cert_list.
  size_t max_certificate_message_size = 100 * 1024;
  // max_certificates bounds the certificates in one Certificate message: bad_certificate beyond
  // it (the message is well-formed, so not decode_error; RFC 8446 §6.2 "bad_certificate: A
  // certificate was corrupt, contained signatures that did not verify correctly, etc." is the
  // alert for a chain we will not use). 16, GnuTLS's default verification depth; real chains
  // hold 2 to 5.
  size_t max_certificates = 16;
};

// ClientConfig configures Connection::client (and Stream::connect). Pass it as a
// shared_ptr<const ClientConfig>; see the top of this file for defaults and sharing.
struct ClientConfig {
  // min_version..max_version: the versions offered (TLS 1.2 and 1.3; nothing older exists).
  ProtocolVersion min_version = ProtocolVersion::tls1_2;
  ProtocolVersion max_version = ProtocolVersion::tls1_3;
  // cipher_suites offered, most preferred first; only AEAD suites exist. Connection::client
  // refuses (invalid_config) an empty cipher_suites, groups or signature_schemes.
  std::vector<CipherSuite> cipher_suites = default_cipher_suites();
  // groups for ECDHE key shares, most preferred first. The first one gets the TLS 1.3 key
  // share, unless `sessions` remembers another of them as the group this server chose last time
  // (ClientSessionStore::kx_hint): then that one does, saving the HelloRetryRequest.
  std::vector<NamedGroup> groups = default_groups();
  // signature_schemes we accept in the server's handshake signature.
  std::vector<SignatureScheme> signature_schemes = default_signature_schemes();
  // alpn lists the protocols offered, most preferred first ("h2", "http/1.1").
  std::vector<std::string> alpn;
  // verifier checks the server's chain and name. When it is null and verification has not been
  // switched off, the handshake refuses to finish (verification_disabled_refusal) rather than
  // trust silently.
  std::shared_ptr<CertificateVerifier> verifier;
  // dangerous_skip_verification accepts any server certificate (curl's -k/--insecure). The
  // ServerKeyExchange/CertificateVerify signature is still checked against the leaf key.
  bool dangerous_skip_verification = false;
  // send_sni controls the server_name extension (never sent for IP literals).
  bool send_sni = true;
  // require_extended_master_secret refuses a TLS 1.2 server that does not negotiate RFC 7627
  // (extended_master_secret_required, handshake_failure). Set it to false only to reach legacy
  // servers (Go before 1.21): their master secret is not bound to the handshake (the triple
  // handshake attack), and such a session is never stored, so it is never resumed (RFC 7627
  // §5.3).
  bool require_extended_master_secret = true;
  // ocsp_stapling asks the server for its leaf's OCSP response (status_request, RFC 6066 §8;
  // RFC 8446 §4.4.2.1) and checks what it staples against the issuer in the chain it sent:
  // signed by the issuer or its designated responder, for this certificate, current, "good"
  // (x509/ocsp_verify.h; curl's --cert-status with OpenSSL). A revoked certificate fails the
  // handshake with certificate_revoked, any other unsatisfactory response with
  // bad_certificate_status (RFC 6066 §8: bad_certificate_status_response). `require` also fails
  // when nothing is stapled ("No OCSP response received"); `request` then carries on, unless
  // the leaf is OCSP must-staple (its RFC 7633 TLS feature extension lists status_request),
  // which fails the same way. The response is in SessionInfo::ocsp_response. Not checked on
  // resumption (none is sent).
  enum class OcspStapling : uint8_t { off, request, require };
  OcspStapling ocsp_stapling = OcspStapling::off;
  // sessions, when set, makes the client resume: it offers the newest stored session for
  // session_key (a TLS 1.2 session ID and/or RFC 5077 ticket, or a TLS 1.3 ticket as a PSK) and
  // stores the sessions the server hands out. Null: no resumption, no session_ticket offer.
  std::shared_ptr<ClientSessionStore> sessions;
  // session_key names the server in `sessions`; empty means the server_name given to
  // Connection::client. Set it to session_key(host, port) when one config serves several ports.
  std::string session_key;
  // client_certificate is sent when the server sends a CertificateRequest whose signature
  // algorithms (and, for TLS 1.3, signature_algorithms_cert) the key can meet; otherwise, and
  // when unset, the client answers with an empty Certificate (RFC 5246 §7.4.6, RFC 8446 §4.4.2)
  // and the server decides whether that is enough.
  std::optional<CertifiedKey> client_certificate;
  // external_psk (TLS 1.3, RFC 8446 §4.2.11) is offered in place of a stored ticket; a server
  // that selects it authenticates with it instead of a certificate (the verifier is then not
  // asked), and info().psk_identity names it. A server that does not know it answers with a
  // certificate handshake, verified as usual. Only psk_dhe_ke is offered (forward secrecy).
  std::shared_ptr<const ExternalPsk> external_psk;
  // post_handshake_auth offers RFC 8446 §4.2.6's extension of that name: a TLS 1.3 server may
  // then ask for a client certificate at any time after the handshake (§4.6.2), as web servers
  // do for one protected location, and the client answers with client_certificate, or an empty
  // Certificate when it has none that fits. Off by default, as in OpenSSL; curl turns it on.
  bool post_handshake_auth = false;
  // enable_early_data lets the application send 0-RTT data (Connection::write_early_data) when
  // resuming TLS 1.3 with a ticket whose max_early_data_size is above 0: the ClientHello then
  // offers early_data (RFC 8446 §4.2.10). Early data can be replayed by an attacker; send only
  // what is safe to repeat (an idempotent request). Off by default.
  bool enable_early_data = false;
  Limits limits;
  // record_size_limit is offered in the ClientHello (RFC 8449): the largest protected record
  // plaintext we accept, counted as TLS 1.3 counts it (content + inner type byte + padding), so
  // 16385 (2^14 + 1, the default) means "any size". Under TLS 1.2 the limit applies to the
  // fragment, capped at 2^14. A server that answers with its own limit gets protected records
  // no larger than that from us. 64..16385, or 0 to not offer the extension.
  uint16_t record_size_limit = 16385;
  // key_update_after_records: under TLS 1.3, write() sends a KeyUpdate (update_not_requested)
  // and moves to the next traffic secret once this many records were sealed under one sending
  // key. RFC 8446 §5.5 allows AES-GCM 2^24.5 full-size records per key; the default 2^24 stays
  // below it for every suite (ChaCha20-Poly1305 has no practical limit). Tests set it low. TLS
  // 1.2 cannot rekey: the connection fails with internal_error rather than let the 64-bit
  // sequence number wrap (RFC 5246 §6.1: "Sequence numbers ... MUST NOT wrap").
  uint64_t key_update_after_records = uint64_t{1} << 24;
  // key_log receives every secret in the NSS key-log format (SSLKEYLOGFILE, for Wireshark);
  // null (the default) logs nothing. It decrypts the whole connection: debugging only.
  std::shared_ptr<KeyLogSink> key_log;
  // provider overrides the crypto provider (tests use a deterministic one); null = libcrypto.
  // Not owned: it must outlive every connection using this config.
  const crypto::Provider* provider = nullptr;
};

// load_server_certificate (also for client certificates) parses PEM text: every CERTIFICATE block
// of `chain_pem`, leaf first, and the private key of `key_pem` (PKCS#8, RSA or EC; encrypted keys
// are refused). It checks that the key matches the leaf's public key.
HS_API Result<ServerCertificate> load_server_certificate(
    std::string_view chain_pem, std::string_view key_pem,
    const crypto::Provider* provider = nullptr);

// ClientAuth says whether the server asks for a client certificate (CertificateRequest) and
// whether it refuses a client that sends none.
enum class ClientAuth : uint8_t {
  none,     // never ask
  request,  // ask; an empty Certificate is accepted, a presented one must verify
  require,  // ask; an empty Certificate is refused (certificate_required in TLS 1.3,
            // handshake_failure in TLS 1.2)
};

// ServerConfig configures Connection::server (and Stream::server). Pass it as a
// shared_ptr<const ServerConfig>; see the top of this file for defaults and sharing. At least
// one certificate is required (invalid_config otherwise).
struct ServerConfig {
  // min_version..max_version: the versions accepted (TLS 1.2 and 1.3).
  ProtocolVersion min_version = ProtocolVersion::tls1_2;
  ProtocolVersion max_version = ProtocolVersion::tls1_3;
  // cipher_suites in server preference order.
  std::vector<CipherSuite> cipher_suites = default_cipher_suites();
  // prefer_client_order selects by the client's order instead of ours (the suite, and in TLS 1.3
  // the signature scheme and with it the certificate).
  bool prefer_client_order = false;
  // groups for ECDHE, in our preference order.
  std::vector<NamedGroup> groups = default_groups();
  // signature_schemes we may sign with (and accept from a client certificate).
  std::vector<SignatureScheme> signature_schemes = default_signature_schemes();
  // certificates: one or more chains (RSA and ECDSA side by side); the server picks per client
  // by SNI (against the leaf's names) and by what the client can verify: in TLS 1.2 through the
  // suite chosen, in TLS 1.3 through the signature scheme, each by our preference (the order of
  // cipher_suites, signature_schemes) or the client's with prefer_client_order; among equals, the
  // one configured first. When none names the SNI host, every certificate is a candidate.
  std::vector<ServerCertificate> certificates;
  // alpn: the protocols we speak, in our preference order. A client that offers ALPN with no
  // overlap gets no_application_protocol (RFC 7301 §3.2).
  std::vector<std::string> alpn;
  // require_extended_master_secret refuses TLS 1.2 clients without RFC 7627
  // (extended_master_secret_required, handshake_failure). Off by default, as OpenSSL, BoringSSL,
  // rustls, GnuTLS and Go serve them: RFC 7627 §5.2 lets a server "interoperate with legacy
  // clients" (OpenSSL 1.0.2, LibreSSL 2.x, Go before 1.21, scanners such as testssl.sh, whose
  // TLS 1.2 probe has no extension) with the legacy master secret. Such a session is never
  // cached nor given a ticket, so it is never resumed (§5.3), and without renegotiation the
  // triple handshake attack has no second step. Set it to refuse them (hs server --require-ems).
  bool require_extended_master_secret = false;
  // session_cache keeps TLS 1.2 sessions by session ID for abbreviated handshakes (RFC 5246
  // §7.3); null means session IDs are not resumable.
  std::shared_ptr<ServerSessionCache> session_cache;
  // ticket_keys seals session tickets (TLS 1.2 RFC 5077 and TLS 1.3 NewSessionTicket); servers
  // sharing the keys accept each other's tickets. Null means a random per-process key ring.
  std::shared_ptr<TicketKeys> ticket_keys;
  // issue_tickets: TLS 1.2 tickets for clients that offer session_ticket, and whether TLS 1.2/1.3
  // tickets are accepted at all.
  bool issue_tickets = true;
  // ticket_lifetime in seconds (ticket_lifetime_hint / ticket_lifetime; RFC 8446 §4.6.1 caps
  // it at 604800).
  uint32_t ticket_lifetime = 7200;
  // tls13_session_tickets: how many TLS 1.3 NewSessionTickets to send after the handshake
  // (RFC 8446 §4.6.1); 0 disables resumption tickets.
  uint32_t tls13_session_tickets = 2;
  // client_auth: see ClientAuth. With request or require, client_verifier must be set; it is
  // called with the client's chain and an empty host (make_default_verifier with purpose
  // CertificatePurpose::client checks extendedKeyUsage clientAuth).
  ClientAuth client_auth = ClientAuth::none;
  std::shared_ptr<CertificateVerifier> client_verifier;
  // external_psks: TLS 1.3 pre-shared keys (ExternalPsk) a client may authenticate the handshake
  // with instead of our certificate: the first identity of the client's pre_shared_key that
  // names one of them, with a cipher suite of its hash, is selected (a session ticket only as
  // the first identity, as before). With at least one, `certificates` may be empty (a PSK-only
  // server); a client without a matching PSK then gets handshake_failure. No 0-RTT with them.
  std::vector<std::shared_ptr<const ExternalPsk>> external_psks;
  // allow_psk_without_dhe accepts an external PSK without (EC)DHE (psk_ke, RFC 8446 §4.2.9)
  // when the client offers only that mode: no forward secrecy, the PSK alone protects the
  // traffic. Off by default (OpenSSL's -allow_no_dhe_kex); psk_dhe_ke is preferred whenever
  // offered. Session tickets always need psk_dhe_ke.
  bool allow_psk_without_dhe = false;
  // client_ca_names: DER-encoded distinguished names sent as certificate_authorities in the
  // CertificateRequest (empty: none sent, the client picks any certificate).
  std::vector<std::vector<uint8_t>> client_ca_names;
  // max_early_data_size: the 0-RTT data a resumed TLS 1.3 client may send (RFC 8446 §4.2.10);
  // 0 (the default) never accepts early data.
  // Tickets issued while it is above 0 carry the early_data extension with this size, and a
  // resumed client's early data is accepted when its ticket allows it, the suite and ALPN match
  // the ticket's connection, the ticket age is plausible and early_data_guard has not seen the
  // ticket before (RFC 8446 §4.2.10, §8). Early data is replayable: see
  // Connection::read_early_data.
  uint32_t max_early_data_size = 0;
  // early_data_guard remembers the tickets whose early data was accepted (single use, RFC 8446
  // §8.1). Null means one InMemoryReplayGuard per process; see its comment for the limits when
  // several servers share ticket keys.
  std::shared_ptr<EarlyDataReplayGuard> early_data_guard;
  Limits limits;
  // record_size_limit: our limit (RFC 8449), sent in the ServerHello (TLS 1.2, capped at 2^14)
  // or EncryptedExtensions (TLS 1.3) only when the client offered the extension; see
  // ClientConfig::record_size_limit. 0 never answers it (the client's limit is still obeyed).
  uint16_t record_size_limit = 16385;
  // key_update_after_records: see ClientConfig.
  uint64_t key_update_after_records = uint64_t{1} << 24;
  // key_log, provider: see ClientConfig.
  std::shared_ptr<KeyLogSink> key_log;
  const crypto::Provider* provider = nullptr;
};

}  // namespace hs

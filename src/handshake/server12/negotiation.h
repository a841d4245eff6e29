// TLS 1.2 server negotiation: what a ClientHello offers, and what we pick from it (suite,
// group, signature scheme, certificate, ALPN). Pure functions over the ClientHello and the
// ServerConfig: no I/O, no state, so every rule is unit-testable on its own.
#pragma once

#include <hs/config.h>
#include <hs/result.h>
#include <hs/wire.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/provider.h"
#include "messages/client_hello.h"

namespace hs::server12 {

// ClientOffer is a ClientHello decoded into what negotiation needs. GREASE values (RFC 8701)
// and values we do not know are dropped from the lists, so they can never be selected.
struct ClientOffer {
  std::array<uint8_t, 32> random{};
  std::vector<uint8_t> session_id;
  // suites: the client's cipher suites in its order (GREASE and the SCSV removed).
  std::vector<CipherSuite> suites;
  // groups: supported_groups in the client's order; nullopt when the extension was absent.
  std::optional<std::vector<NamedGroup>> groups;
  // signature_schemes: signature_algorithms; nullopt when absent.
  std::optional<std::vector<SignatureScheme>> signature_schemes;
  // alpn: the protocols offered; nullopt when the extension was absent.
  std::optional<std::vector<std::string>> alpn;
  std::string server_name;        // SNI host_name, "" when absent
  bool ec_point_formats = false;  // the client sent ec_point_formats
  bool extended_master_secret = false;
  // secure_renegotiation: the client signalled RFC 5746 (SCSV or an empty renegotiation_info).
  bool secure_renegotiation = false;
  // offers_tls13: supported_versions lists TLS 1.3 (for the RFC 8446 §4.1.3 sentinel).
  bool offers_tls13 = false;
  // record_size_limit: the client's RFC 8449 limit (64..65535), nullopt when not offered.
  std::optional<uint16_t> record_size_limit;
  // status_request: the client asked for a stapled OCSP response (RFC 6066 §8).
  bool status_request = false;
};

// read_client_offer validates a parsed ClientHello for a TLS 1.2 server and decodes the
// extensions we use. Errors:
//   protocol_version  - the client cannot speak TLS 1.2 (legacy_version below 0x0303 without
//                       supported_versions, or supported_versions without 0x0303), or the
//                       configuration does not allow TLS 1.2;
//   illegal_parameter - compression_methods without null, or ec_point_formats without
//                       uncompressed (RFC 8422 §5.1.2), or a record_size_limit below 64
//                       (RFC 8449 §4);
//   insecure_renegotiation - a non-empty renegotiated_connection (RFC 5746 §3.6);
//   inappropriate_fallback - TLS_FALLBACK_SCSV from a client whose highest version is below
//                       config.max_version (RFC 7507 §3), checked before the version gate;
//   decode_error      - a malformed extension body we decode.
Result<ClientOffer> read_client_offer(const messages::ClientHello& hello,
                                      const ServerConfig& config);

// read_client_offer13 decodes a ClientHello for the TLS 1.3 server: the TLS 1.3 cipher suites
// and the extensions both versions use (SNI, supported_groups, signature_algorithms, ALPN).
// It applies none of the TLS 1.2 rules (version gate, ec_point_formats, renegotiation_info);
// the TLS 1.3 checks are the caller's. decode_error for a malformed extension body;
// illegal_parameter for a record_size_limit below 64.
Result<ClientOffer> read_client_offer13(const messages::ClientHello& hello);

// server_scheme_fits_key reports whether we sign a TLS 1.2 ServerKeyExchange with `scheme`
// and a key of `type`. Stricter than RFC 5246 (whose ECDSA code points name only the hash): we
// bind the curve as TLS 1.3 does, so P-256 signs only with ecdsa_secp256r1_sha256 and P-384
// only with ecdsa_secp384r1_sha384; RSA keys sign with rsa_pss_rsae_* and rsa_pkcs1_sha256+,
// RSASSA-PSS keys with rsa_pss_pss_*, Ed25519 keys with ed25519.
bool server_scheme_fits_key(SignatureScheme scheme, crypto::KeyType type);

// Selection is everything negotiate() picked.
struct Selection {
  CipherSuite suite{};
  NamedGroup group{};
  SignatureScheme scheme{};
  size_t certificate_index = 0;  // into config.certificates
  bool sni_matched = false;      // the certificate was chosen because it names server_name
  std::string alpn;              // "" when none
  bool extended_master_secret = false;
  // notes explain each decision for the detailed trace (NoteEvent).
  std::vector<std::string> notes;
};

// CertificateNameMatcher tells negotiate() whether a certificate names `host` (the leaf's
// dNSName SANs). Injected so negotiation does not depend on X.509 parsing.
using CertificateNameMatcher = bool (*)(const ServerCertificate& cert, std::string_view host);

// leaf_matches_host is the matcher used by the server: it parses the leaf with the X.509
// module and applies RFC 6125 dNSName matching. False when the leaf cannot be parsed.
bool leaf_matches_host(const ServerCertificate& cert, std::string_view host);

// certificate_pool returns the indexes into config.certificates a server may present for
// `server_name`: those whose leaf names it when any does (sets `sni_matched`), else all of them
// (the first being the default). Explains itself in `notes`.
std::vector<size_t> certificate_pool(std::string_view server_name, const ServerConfig& config,
                                     CertificateNameMatcher matcher, bool& sni_matched,
                                     std::vector<std::string>& notes);

// select_alpn returns our most preferred protocol the client offered (RFC 7301 §3.2), "" when
// the client sent no ALPN or we have none configured; no_application_protocol when there is no
// overlap.
Result<std::string> select_alpn(const std::optional<std::vector<std::string>>& offered,
                                const ServerConfig& config);

// negotiate picks suite, group, signature scheme, certificate and ALPN for `offer`:
//   - certificates: those whose leaf names the SNI host when any does, else all of them;
//     each is usable with the first scheme of config.signature_schemes that the client lists
//     and that fits the key (RSA: rsa_pss_rsae_*, rsa_pkcs1_*; P-256: ecdsa_secp256r1_sha256;
//     P-384: ecdsa_secp384r1_sha384);
//   - suite: among the TLS 1.2 suites both sides list whose auth has a usable certificate, the
//     best by server preference (config order), or by client order when
//     config.prefer_client_order. Under server preference, a client that lists a ChaCha20 suite
//     first gets ChaCha20 ranked equal with the best AES-GCM suite of the same auth (BoringSSL's
//     equal-preference groups), so the client's order breaks the tie;
//   - group: the first of config.groups the client supports; a client without supported_groups
//     is assumed to support secp256r1 only (RFC 8422 §4);
//   - ALPN: the first of config.alpn the client offered (RFC 7301 §3.2).
// Errors: no_common_cipher_suite, no_common_signature_scheme, no_common_group (all
// handshake_failure), extended_master_secret_required (handshake_failure),
// no_application_protocol, invalid_config (no certificates).
// Selection::notes is filled only when `with_notes` (building them costs as much as the rest).
Result<Selection> negotiate(const ClientOffer& offer, const ServerConfig& config,
                            CertificateNameMatcher matcher = &leaf_matches_host,
                            bool with_notes = true);

}  // namespace hs::server12

// x509::Certificate: an RFC 5280 certificate parsed from DER, keeping everything path
// validation will need (TBS bytes, algorithms, names raw and parsed, extensions).
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/provider.h"

namespace hs::x509 {

using Bytes = std::vector<uint8_t>;

// Object identifiers as DER contents octets, for comparison with parsed OIDs.
namespace oid {
using Oid = std::span<const uint8_t>;
// Extensions (RFC 5280 §4.2.1).
inline constexpr uint8_t kSubjectKeyIdentifier[] = {0x55, 0x1D, 0x0E};    // 2.5.29.14
inline constexpr uint8_t kKeyUsage[] = {0x55, 0x1D, 0x0F};                // 2.5.29.15
inline constexpr uint8_t kSubjectAltName[] = {0x55, 0x1D, 0x11};          // 2.5.29.17
inline constexpr uint8_t kBasicConstraints[] = {0x55, 0x1D, 0x13};        // 2.5.29.19
inline constexpr uint8_t kNameConstraints[] = {0x55, 0x1D, 0x1E};         // 2.5.29.30
inline constexpr uint8_t kCertificatePolicies[] = {0x55, 0x1D, 0x20};     // 2.5.29.32
inline constexpr uint8_t kAuthorityKeyIdentifier[] = {0x55, 0x1D, 0x23};  // 2.5.29.35
inline constexpr uint8_t kExtKeyUsage[] = {0x55, 0x1D, 0x25};             // 2.5.29.37
inline constexpr uint8_t kCrlDistributionPoints[] = {0x55, 0x1D, 0x1F};   // 2.5.29.31
// CRL and CRL entry extensions (RFC 5280 §5.2, §5.3).
inline constexpr uint8_t kCrlNumber[] = {0x55, 0x1D, 0x14};                 // 2.5.29.20
inline constexpr uint8_t kCrlReason[] = {0x55, 0x1D, 0x15};                 // 2.5.29.21
inline constexpr uint8_t kInvalidityDate[] = {0x55, 0x1D, 0x18};            // 2.5.29.24
inline constexpr uint8_t kDeltaCrlIndicator[] = {0x55, 0x1D, 0x1B};         // 2.5.29.27
inline constexpr uint8_t kIssuingDistributionPoint[] = {0x55, 0x1D, 0x1C};  // 2.5.29.28
inline constexpr uint8_t kCertificateIssuer[] = {0x55, 0x1D, 0x1D};         // 2.5.29.29
// Extended key usages (RFC 5280 §4.2.1.12), 1.3.6.1.5.5.7.3.x.
inline constexpr uint8_t kServerAuth[] = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
inline constexpr uint8_t kClientAuth[] = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02};
inline constexpr uint8_t kAnyExtendedKeyUsage[] = {0x55, 0x1D, 0x25, 0x00};  // 2.5.29.37.0
// id-kp-OCSPSigning, 1.3.6.1.5.5.7.3.9: a delegated OCSP responder (RFC 6960 §4.2.2.2).
inline constexpr uint8_t kOcspSigning[] = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09};
// id-pe-tlsfeature, 1.3.6.1.5.5.7.1.24 (RFC 7633 §6): TLS extensions the server must use with
// this certificate; status_request (5) there is "OCSP must-staple".
inline constexpr uint8_t kTlsFeature[] = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18};
// Hash algorithms: SHA-1 (1.3.14.3.2.26; OCSP CertIDs, RFC 6960 §4.1.1) and SHA-256
// (2.16.840.1.101.3.4.2.1), the first of the SHA-2 arcs 2.16.840.1.101.3.4.2.x (RFC 5758 §2).
inline constexpr uint8_t kSha1[] = {0x2B, 0x0E, 0x03, 0x02, 0x1A};
inline constexpr uint8_t kSha2Prefix[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02};
inline constexpr uint8_t kSha256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
// Name attributes.
inline constexpr uint8_t kCommonName[] = {0x55, 0x04, 0x03};  // 2.5.4.3
// PKCS #9 emailAddress, 1.2.840.113549.1.9.1 (RFC 5280 §4.1.2.6, legacy mail addresses in DNs).
inline constexpr uint8_t kEmailAddress[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01};
}  // namespace oid

// SignatureOid names the certificate signature algorithms we recognise, including the weak
// ones, so validation can refuse them by name.
enum class SignatureOid : uint8_t {
  unknown,
  md5_with_rsa,     // 1.2.840.113549.1.1.4
  sha1_with_rsa,    // 1.2.840.113549.1.1.5
  sha224_with_rsa,  // 1.2.840.113549.1.1.14
  sha256_with_rsa,  // 1.2.840.113549.1.1.11
  sha384_with_rsa,  // 1.2.840.113549.1.1.12
  sha512_with_rsa,  // 1.2.840.113549.1.1.13
  rsassa_pss,       // 1.2.840.113549.1.1.10 (hash in the parameters)
  ecdsa_with_sha1,  // 1.2.840.10045.4.1
  ecdsa_with_sha224,
  ecdsa_with_sha256,  // 1.2.840.10045.4.3.2
  ecdsa_with_sha384,
  ecdsa_with_sha512,
  ed25519,  // 1.3.101.112
  ed448,    // 1.3.101.113
};
// signature_oid_name returns OpenSSL's long name ("sha256WithRSAEncryption", "ED25519").
std::string_view signature_oid_name(SignatureOid s);

// AlgorithmIdentifier (RFC 5280 §4.1.1.2): the OID contents and the parameters' whole DER
// (empty when absent).
struct AlgorithmIdentifier {
  Bytes oid;
  Bytes params;
};

class DerReader;
// read_algorithm reads an AlgorithmIdentifier from `in`; `raw` is its whole DER. False (nothing
// consumed) when the next element is not one. Shared by certificates and OCSP responses.
[[nodiscard]] bool read_algorithm(DerReader& in, AlgorithmIdentifier& out,
                                  std::span<const uint8_t>& raw);

// signature_algorithm_of maps a signature AlgorithmIdentifier to what crypto::Provider verifies
// (as Certificate::signature_alg is set): nullopt for algorithms we refuse (SHA-1, MD5) or do
// not know, and for parameters RFC 4055 / RFC 5758 / RFC 8410 forbid. OCSP responses use it.
std::optional<crypto::SignatureAlgorithm> signature_algorithm_of(const AlgorithmIdentifier& alg);

// NameAttribute is one AttributeTypeAndValue: the type OID contents, the value's DER tag
// (UTF8String, PrintableString, ...) and its contents octets. `rdn` is the index of the
// RelativeDistinguishedName it belongs to (several attributes share one in a multi-valued RDN).
struct NameAttribute {
  Bytes oid;
  uint8_t string_tag = 0;
  Bytes value;
  size_t rdn = 0;
};

// Name is an X.501 Name: the RDNSequence's whole DER for exact comparison (RFC 5280 §7.1
// comparisons start from it) and its attributes in order.
struct Name {
  Bytes raw;
  std::vector<NameAttribute> attributes;
};

// to_string renders a Name as curl 7.88 prints "subject:" and "issuer:" (OpenSSL's
// X509_NAME_print_ex with XN_FLAG_SEP_SEMI_SPC): "C=US; O=Test; CN=localhost", short names,
// unknown types as dotted OIDs, " + " between the attributes of a multi-valued RDN, no
// escaping; UTF8String characters U+0080..U+00FF come out as one byte, higher ones as \UXXXX.
std::string to_string(const Name& name);

// GeneralName (RFC 5280 §4.2.1.6) keeps its context tag and contents octets. For dNSName,
// rfc822Name and URI the contents are the IA5String; for iPAddress the 4 or 16 address octets
// (8 or 32 octets, address then mask, inside name constraints); for directoryName the Name's
// DER; others are kept raw.
struct GeneralName {
  enum class Type : uint8_t {
    other_name = 0,
    rfc822_name = 1,
    dns_name = 2,
    x400_address = 3,
    directory_name = 4,
    edi_party_name = 5,
    uri = 6,
    ip_address = 7,
    registered_id = 8,
  };
  Type type = Type::other_name;
  Bytes value;
};

struct Extension {
  Bytes oid;
  bool critical = false;
  Bytes value;  // extnValue contents (the DER of the extension's own structure)
  bool recognised = false;
};

// read_extensions reads Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension from `seq` (the
// SEQUENCE's contents): OID, criticality and value of each, none interpreted. Refuses with
// bad_certificate, context `context`: an empty list, malformed entries, an explicit critical
// FALSE (not DER) and duplicates (RFC 5280 §4.2, §5.2). Certificates and CRLs use it;
// `context` is a string literal.
Result<std::vector<Extension>> read_extensions(DerReader seq, const char* context);

// parse_authority_key_identifier reads an authorityKeyIdentifier extension value (RFC 5280
// §4.2.1.1: keyIdentifier, authorityCertIssuer, authorityCertSerialNumber, each checked) and
// sets `key_id` to the keyIdentifier when there is one; false when malformed. Certificates and
// CRLs (§5.2.1) carry it.
[[nodiscard]] bool parse_authority_key_identifier(std::span<const uint8_t> value,
                                                  std::optional<Bytes>& key_id);

// read_general_name_list reads GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName from
// `body` (the SEQUENCE's or the IMPLICIT tag's contents); false when malformed or empty.
[[nodiscard]] bool read_general_name_list(DerReader body, std::vector<GeneralName>& out);

struct BasicConstraints {
  bool ca = false;
  std::optional<uint64_t> path_len;
};

// KeyUsage bits as numbered in RFC 5280 §4.2.1.3 (bit 0 = digitalSignature).
enum class KeyUsageBit : uint8_t {
  digital_signature = 0,
  non_repudiation = 1,
  key_encipherment = 2,
  data_encipherment = 3,
  key_agreement = 4,
  key_cert_sign = 5,
  crl_sign = 6,
  encipher_only = 7,
  decipher_only = 8,
};
struct KeyUsage {
  uint16_t bits = 0;  // bit i set when KeyUsageBit i is asserted
  bool has(KeyUsageBit b) const { return (bits >> static_cast<unsigned>(b)) & 1u; }
};

struct NameConstraints {
  std::vector<GeneralName> permitted;  // GeneralSubtree bases
  std::vector<GeneralName> excluded;
};

// Certificate is the parsed form; it owns copies of every byte it needs.
struct Certificate {
  Bytes der;        // the whole certificate
  Bytes tbs_raw;    // the TBSCertificate DER, exactly as signed
  int version = 1;  // 1, 2 or 3
  Bytes serial;     // INTEGER contents octets (two's complement)
  AlgorithmIdentifier signature_algorithm;
  SignatureOid signature_oid = SignatureOid::unknown;
  // signature_alg is set when the algorithm is one we can verify with crypto::Provider and its
  // parameters are as RFC 4055 / RFC 5758 / RFC 8410 require.
  std::optional<crypto::SignatureAlgorithm> signature_alg;
  Bytes signature_value;  // BIT STRING octets
  Name issuer;
  Name subject;
  int64_t not_before = 0;  // Unix seconds
  int64_t not_after = 0;
  Bytes spki_raw;  // SubjectPublicKeyInfo DER, for crypto::Provider::parse_public_key
  AlgorithmIdentifier spki_algorithm;
  std::optional<crypto::KeyType> key_type;  // nullopt for algorithms/curves we do not know

  std::vector<Extension> extensions;
  bool has_unknown_critical = false;  // a critical extension we do not process (RFC 5280 §4.2)
  std::optional<BasicConstraints> basic_constraints;
  std::optional<KeyUsage> key_usage;
  std::optional<std::vector<Bytes>> ext_key_usage;  // KeyPurposeId OID contents
  std::vector<GeneralName> subject_alt_names;       // empty when the extension is absent
  bool has_subject_alt_name = false;
  std::optional<Bytes> subject_key_id;
  std::optional<Bytes> authority_key_id;  // keyIdentifier of the AKI extension
  std::optional<NameConstraints> name_constraints;
  std::optional<Bytes> certificate_policies;          // the extension's DER, unparsed
  std::optional<std::vector<uint16_t>> tls_features;  // RFC 7633 TLS feature extension numbers

  // requires_stapled_ocsp: the TLS feature extension lists status_request (5): OCSP must-staple.
  bool requires_stapled_ocsp() const;

  // dns_names and ip_addresses list the SAN entries of those types.
  std::vector<std::string> dns_names() const;
  std::vector<Bytes> ip_addresses() const;
  // find_extension returns the extension with `oid`, or nullptr.
  const Extension* find_extension(std::span<const uint8_t> oid) const;
};

// parse_certificate parses one DER certificate. Errors are ErrorCode::bad_certificate with
// context "certificate" and a detail naming the field: non-DER encodings, trailing data,
// version out of range or below v3 with extensions, signature algorithm differing from the
// TBS one, impossible dates, duplicate extensions, malformed known extensions.
Result<Certificate> parse_certificate(std::span<const uint8_t> der);

// parse_name parses the DER of an X.501 Name (a SEQUENCE); same errors as above.
Result<Name> parse_name(std::span<const uint8_t> der);

// format_ip renders 4 or 16 address octets: dotted quad, or RFC 5952 IPv6 text ("::1").
std::string format_ip(std::span<const uint8_t> addr);

}  // namespace hs::x509

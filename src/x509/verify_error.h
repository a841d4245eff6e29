// Certificate verification outcomes, worded as OpenSSL 3.0 words its verify errors (the text
// curl prints after "SSL certificate problem: "), and their ErrorCode.
#pragma once

#include <hs/error.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hs::x509 {

// VerifyStatus names one reason a chain or a host name was refused. Each enumerator is one of
// OpenSSL's X509_V_ERR_* reasons (number in the comment) so that our wording and theirs agree.
enum class VerifyStatus : uint8_t {
  ok,                                 // 0
  unable_to_get_issuer_cert,          // 2: a trusted certificate's issuer is missing
  signature_failure,                  // 7
  not_yet_valid,                      // 9
  expired,                            // 10
  depth_zero_self_signed,             // 18: the leaf is self-signed and not trusted
  self_signed_in_chain,               // 19: the path ends at an untrusted self-signed cert
  unable_to_get_issuer_cert_locally,  // 20: no issuer in the peer's chain or the store
  chain_too_long,                     // 22: the depth or work bound was reached
  invalid_ca,                         // 79: an issuer without cA=TRUE, or without keyCertSign
  path_length_exceeded,               // 25
  invalid_purpose,                    // 26: EKU (or keyUsage) does not allow the purpose
  unhandled_critical_extension,       // 34
  invalid_extension,                  // 41: extensions that contradict each other
  permitted_subtree_violation,        // 47
  excluded_subtree_violation,         // 48
  unsupported_constraint_type,        // 51: a constrained name form we do not process
  unsupported_name_syntax,            // 53: a constrained name we cannot parse
  hostname_mismatch,                  // 62 (curl words it its own way, see curl_message)
  ip_address_mismatch,                // 64 (likewise)
  ca_md_too_weak,                     // 68: SHA-1 or MD5 signature below a trust anchor
  // Revocation by CRL (curl's --crlfile: every certificate of the path is checked).
  unable_to_get_crl,                   // 3: no usable CRL from the certificate's issuer
  unable_to_decode_issuer_public_key,  // 6: the CRL issuer's key does not parse
  crl_signature_failure,               // 8
  crl_not_yet_valid,                   // 11
  crl_has_expired,                     // 12
  cert_revoked,                        // 23
  unable_to_get_crl_issuer,            // 33: the anchor's CRL, whose issuer is not in the path
  keyusage_no_crl_sign,                // 35: the CRL issuer's keyUsage lacks cRLSign
  unhandled_critical_crl_extension,    // 36
  // Keep this one last: verify_status_from_string walks the statuses up to it.
};
inline constexpr VerifyStatus kLastVerifyStatus = VerifyStatus::unhandled_critical_crl_extension;

// verify_status_string returns OpenSSL 3.0's wording of the status ("certificate
// has expired"). OpenSSL 3.0 words X509_V_ERR_INVALID_PURPOSE "unsuitable certificate purpose"
// (1.1.1 said "unsupported certificate purpose"); we follow the library curl runs on here.
std::string_view verify_status_string(VerifyStatus s);

// verify_status_from_string is the inverse of verify_status_string: the status OpenSSL words
// `text`, or nullopt.
std::optional<VerifyStatus> verify_status_from_string(std::string_view text);

// openssl_verify_code returns the X509_V_ERR_* number (`openssl verify` prints "error N").
int openssl_verify_code(VerifyStatus s);

// error_code_for maps a status to the ErrorCode (and so the alert) a TLS client sends, by the
// meanings of RFC 8446 §6.2:
//  - expired, not yet valid -> certificate_expired ("has expired or is not currently valid");
//  - issuer not found, untrusted self-signed, chain too long -> unknown_ca ("the CA certificate
//    could not be located or could not be matched with a known trust anchor");
//  - signature failure, weak digest -> bad_certificate ("contained signatures that did not
//    verify correctly"); so are a CRL that does not verify, is out of date or comes from an
//    issuer not allowed to sign CRLs (OpenSSL sends bad_certificate for these too);
//  - revoked -> certificate_revoked; no CRL for a certificate, or no issuer for a CRL ->
//    unknown_ca (as OpenSSL);
//  - unhandled critical extension (of a certificate or a CRL), a constrained name form we do
//    not process ->
//    unsupported_certificate (a kind of certificate we do not support);
//  - inconsistent extensions, an unparsable constrained name -> bad_certificate ("corrupt");
//  - invalid CA, path length, purpose, name constraints, host name or address ->
//    certificate_unknown
//    ("some other (unspecified) issue ... rendering it unacceptable").
ErrorCode error_code_for(VerifyStatus s);

// VerifyFailure is one refusal: why, and which certificate (depth 0 = leaf, and its subject as
// to_string(Name) renders it). `host` is set for hostname_mismatch.
struct VerifyFailure {
  VerifyStatus status = VerifyStatus::ok;
  size_t depth = 0;
  std::string subject;
  std::string host;

  // curl_message is what curl prints after "curl: (60) ": "SSL certificate problem: <reason>",
  // or for the name check "SSL: no alternative certificate subject name matches target host
  // name 'HOST'".
  std::string curl_message() const;
  // where names the failing certificate: "depth 1: C=US; O=Example; CN=Example CA".
  std::string where() const;
  // to_error builds the Error a CertificateVerifier returns: error_code_for(status), context
  // "certificate", detail curl_message(), note where().
  Error to_error() const;
};

}  // namespace hs::x509

// Certificate revocation lists (RFC 5280 §5), parsed strictly with the DER reader. Parsing
// checks shape only: the signature, the issuer's authority and the times are for revocation
// checking (x509/revocation.h) to judge.
//
//   CertificateList ::= SEQUENCE {
//      tbsCertList          TBSCertList,
//      signatureAlgorithm   AlgorithmIdentifier,
//      signatureValue       BIT STRING }
//   TBSCertList ::= SEQUENCE {
//      version              Version OPTIONAL,  -- if present, MUST be v2
//      signature            AlgorithmIdentifier,
//      issuer               Name,
//      thisUpdate           Time,
//      nextUpdate           Time OPTIONAL,
//      revokedCertificates  SEQUENCE OF SEQUENCE {
//           userCertificate         CertificateSerialNumber,
//           revocationDate          Time,
//           crlEntryExtensions      Extensions OPTIONAL } OPTIONAL,
//      crlExtensions        [0] EXPLICIT Extensions OPTIONAL }
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "x509/certificate.h"

namespace hs::x509 {

// RevokedCertificate is one entry of revokedCertificates.
struct RevokedCertificate {
  Bytes serial;  // INTEGER contents octets, as Certificate::serial
  int64_t revocation_date = 0;
  std::optional<uint8_t> reason;  // reasonCode (RFC 5280 §5.3.1), when given
  bool unknown_critical = false;  // a critical entry extension we do not process
};

// DistributionPointName (RFC 5280 §4.2.1.13): fullName, or a name relative to the CRL issuer
// (kept as a flag: we match full names only).
struct DistributionPointName {
  std::vector<GeneralName> full_name;
  bool relative_to_issuer = false;
};

// IssuingDistributionPoint (RFC 5280 §5.2.5): the scope of the CRL.
struct IssuingDistributionPoint {
  std::optional<DistributionPointName> distribution_point;
  bool only_user_certs = false;
  bool only_ca_certs = false;
  bool only_some_reasons = false;
  bool indirect = false;
  bool only_attribute_certs = false;
};

struct Crl {
  Bytes der;        // the whole CertificateList
  Bytes tbs_raw;    // the TBSCertList DER, exactly as signed
  int version = 1;  // 1 (version absent) or 2
  AlgorithmIdentifier signature_algorithm;
  // signature_alg is set when the algorithm is one crypto::Provider verifies (not SHA-1/MD5).
  std::optional<crypto::SignatureAlgorithm> signature_alg;
  Bytes signature_value;
  Name issuer;
  int64_t this_update = 0;
  std::optional<int64_t> next_update;  // always set: parse_crl requires it (RFC 5280 §5.1.2.5)
  std::vector<RevokedCertificate> revoked;
  bool duplicate_serials = false;  // a serial listed twice: the CRL is not used

  std::vector<Extension> extensions;
  std::optional<Bytes> crl_number;  // INTEGER contents octets
  bool delta = false;               // a deltaCRLIndicator is present (§5.2.4)
  std::optional<IssuingDistributionPoint> issuing_distribution_point;
  // unknown_critical: a critical CRL extension other than those OpenSSL processes (issuing
  // distribution point, authority key identifier, delta CRL indicator), or any entry with an
  // unknown critical extension. RFC 5280 §5.2: "If a CRL contains a critical extension that the
  // application cannot process, then the application MUST NOT use that CRL to determine the
  // status of certificates."
  bool unknown_critical = false;

  // find returns the entry for `serial` (INTEGER contents octets), or nullptr.
  const RevokedCertificate* find(std::span<const uint8_t> serial) const;
};

// parse_crl parses one DER CertificateList. Refusals are bad_certificate with context "CRL" and
// a detail naming the field: non-DER encodings, trailing data, a version other than v2,
// extensions in a v1 CRL, signature algorithms that differ, impossible times, no nextUpdate,
// GeneralizedTime for an update before 2050, duplicate or malformed known extensions.
Result<Crl> parse_crl(std::span<const uint8_t> der);

// load_crls_pem returns every "X509 CRL" block of `text`, parsed, skipping other blocks (a file
// may hold certificates too, as OpenSSL's X509_load_crl_file allows). Fails with invalid_config
// when there is no CRL or one does not parse.
Result<std::vector<Crl>> load_crls_pem(std::string_view text);

// parse_distribution_points reads a certificate's cRLDistributionPoints extension value
// (RFC 5280 §4.2.1.13) into the distributionPoint names of the points that name no cRLIssuer
// (those are the only ones a CRL from the certificate's own issuer can match); nullopt when
// malformed.
std::optional<std::vector<DistributionPointName>> parse_distribution_points(
    std::span<const uint8_t> value);

}  // namespace hs::x509

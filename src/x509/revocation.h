// Revocation checking by CRL (RFC 5280 §6.3), as OpenSSL does it under X509_V_FLAG_CRL_CHECK |
// X509_V_FLAG_CRL_CHECK_ALL, the flags curl sets for --crlfile: every certificate of a
// validated path, the trust anchor included, needs a usable CRL from its issuer, and none may be
// listed in it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crypto/provider.h"
#include "x509/certificate.h"
#include "x509/crl.h"
#include "x509/verify_error.h"

namespace hs::x509 {

// CrlSet is the CRLs a verifier was given (curl's --crlfile), shared by the connections that
// use it.
using CrlSet = std::vector<Crl>;

// RevocationCheck is the outcome for one certificate: ok (status VerifyStatus::ok) with what
// was checked, or the reason it was refused, in OpenSSL's words.
struct RevocationCheck {
  VerifyStatus status = VerifyStatus::ok;
  std::string detail;
};

// check_revocation checks `cert` against the CRLs of its issuer. `issuer` is the next
// certificate of the path, or for the last one (the trust anchor) the anchor itself when it is
// self-issued and null otherwise.
//
// The CRL used is chosen among those whose issuer name is the certificate's issuer name and
// whose scope covers it (RFC 5280 §5.2.5 issuingDistributionPoint: not attribute-only, not
// CA-only for an end entity nor user-only for a CA, no onlySomeReasons, not indirect, a
// distribution point named in the certificate's cRLDistributionPoints when the CRL names one);
// delta CRLs are not used (as OpenSSL without X509_V_FLAG_USE_DELTAS), nor CRLs listing a serial
// twice. Among those: one without
// unknown critical extensions first, then one current at `now`, then the latest thisUpdate.
// Then, in OpenSSL's order: the issuer (unable_to_get_crl_issuer), its keyUsage
// (keyusage_no_crl_sign), the CRL's times (crl_not_yet_valid, crl_has_expired), the issuer's key
// and the CRL's signature (unable_to_decode_issuer_public_key, crl_signature_failure), unknown
// critical extensions (unhandled_critical_crl_extension) and last the serial number
// (cert_revoked; an entry with reason removeFromCRL does not revoke). No CRL at all is
// unable_to_get_crl.
// With `require_crl_number`, a CRL without a cRLNumber is not in scope (RFC 5280 §5.2.3).
RevocationCheck check_revocation(const Certificate& cert, const Certificate* issuer,
                                 std::span<const Crl> crls, int64_t now,
                                 const crypto::Provider& provider, bool require_crl_number = false);

}  // namespace hs::x509

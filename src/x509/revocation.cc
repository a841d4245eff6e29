#include "x509/revocation.h"

#include <algorithm>
#include <tuple>

#include "x509/der.h"
#include "x509/ocsp.h"

namespace hs::x509 {

namespace {

constexpr uint8_t kRemoveFromCrl = 8;  // CRLReason removeFromCRL (RFC 5280 §5.3.1)

bool is_ca(const Certificate& cert) { return cert.basic_constraints && cert.basic_constraints->ca; }

bool same_general_name(const GeneralName& a, const GeneralName& b) {
  return a.type == b.type && a.value == b.value;
}

// distribution_point_matches: the CRL's issuingDistributionPoint names a point the certificate's
// cRLDistributionPoints also names (RFC 5280 §6.3.3 (b)(2)(i): "If the distribution point name
// is present in the IDP CRL extension and the distribution field is present in the DP, then
// verify that one of the names in the IDP matches one of the names in the DP").
bool distribution_point_matches(const Certificate& cert, const DistributionPointName& idp) {
  const Extension* ext = cert.find_extension(oid::kCrlDistributionPoints);
  if (ext == nullptr || idp.relative_to_issuer) {
    return false;
  }
  auto points = parse_distribution_points(ext->value);
  if (!points) {
    return false;
  }
  for (const DistributionPointName& dp : *points) {
    for (const GeneralName& a : dp.full_name) {
      for (const GeneralName& b : idp.full_name) {
        if (same_general_name(a, b)) {
          return true;
        }
      }
    }
  }
  return false;
}

// in_scope: the CRL is one that can say whether `cert` is revoked (RFC 5280 §6.3.3 (b)).
bool in_scope(const Crl& crl, const Certificate& cert) {
  if (crl.issuer.raw != cert.issuer.raw || crl.delta || crl.duplicate_serials) {
    return false;
  }
  if (!crl.issuing_distribution_point) {
    return true;
  }
  const IssuingDistributionPoint& idp = *crl.issuing_distribution_point;
  // (b)(2)(iii), (iv): "If the onlyContainsUserCerts boolean is asserted in the IDP CRL
  // extension, verify that the certificate does not include the basic constraints extension
  // with the cA boolean asserted"; "If the onlyContainsCACerts boolean is asserted in the IDP
  // CRL extension, verify that the certificate includes the basic constraints extension with
  // the cA boolean asserted"; (v): "Verify that the onlyContainsAttributeCerts boolean is not
  // asserted." A CRL for some reasons only would need others to cover the rest (§6.3.3 (d),
  // (j)), and an indirect CRL names other issuers' certificates: we use neither.
  if (idp.only_attribute_certs || idp.only_some_reasons || idp.indirect) {
    return false;
  }
  if ((idp.only_user_certs && is_ca(cert)) || (idp.only_ca_certs && !is_ca(cert))) {
    return false;
  }
  return !idp.distribution_point || distribution_point_matches(cert, *idp.distribution_point);
}

bool current(const Crl& crl, int64_t now) {
  return crl.this_update <= now && (!crl.next_update || now <= *crl.next_update);
}

std::string update_times(const Crl& crl) {
  std::string out = "this update " + format_time(crl.this_update);
  if (crl.next_update) {
    out += ", next update " + format_time(*crl.next_update);
  }
  return out;
}

}  // namespace

RevocationCheck check_revocation(const Certificate& cert, const Certificate* issuer,
                                 std::span<const Crl> crls, int64_t now,
                                 const crypto::Provider& provider, bool require_crl_number) {
  const Crl* chosen = nullptr;
  auto rank = [&](const Crl& c) {
    return std::make_tuple(!c.unknown_critical, current(c, now), c.this_update);
  };
  for (const Crl& crl : crls) {
    if (in_scope(crl, cert) && (crl.crl_number || !require_crl_number) &&
        (chosen == nullptr || rank(crl) > rank(*chosen))) {
      chosen = &crl;
    }
  }
  if (chosen == nullptr) {
    return {VerifyStatus::unable_to_get_crl, "no CRL from " + to_string(cert.issuer)};
  }
  const Crl& crl = *chosen;
  if (issuer == nullptr) {
    return {VerifyStatus::unable_to_get_crl_issuer,
            "the CRL's issuer is not in the path: " + to_string(crl.issuer)};
  }
  // RFC 5280 §6.3.3 (f): "If a key usage extension is present in the CRL issuer's certificate,
  // verify that the cRLSign bit is set."
  if (issuer->key_usage && !issuer->key_usage->has(KeyUsageBit::crl_sign)) {
    return {VerifyStatus::keyusage_no_crl_sign, "the issuer's keyUsage lacks cRLSign"};
  }
  // §6.3.3 (a)(2): "If the current time is after the value of the CRL next update field, then
  // do one of the following ..."; a CRL from the future is not one to trust either.
  if (now < crl.this_update) {
    return {VerifyStatus::crl_not_yet_valid, update_times(crl)};
  }
  if (crl.next_update && now > *crl.next_update) {
    return {VerifyStatus::crl_has_expired, update_times(crl)};
  }
  auto key = provider.parse_public_key(issuer->spki_raw);
  if (!key.ok()) {
    return {VerifyStatus::unable_to_decode_issuer_public_key, key.error().detail()};
  }
  // §6.3.3 (g): "Obtain and validate the certification path for the issuer of the complete
  // CRL" (the issuer is the next certificate of the path being validated) "and verify the
  // signature on the complete CRL using the public key validated in step (f)."
  if (!crl.signature_alg || !(*key)->verify(*crl.signature_alg, crl.tbs_raw, crl.signature_value)) {
    return {VerifyStatus::crl_signature_failure,
            crl.signature_alg ? "the signature does not verify with the issuer's key"
                              : "a signature algorithm we do not verify (" +
                                    oid_to_string(crl.signature_algorithm.oid) + ")"};
  }
  // §5.2: "If a CRL contains a critical extension that the application cannot process, then
  // the application MUST NOT use that CRL to determine the status of certificates."
  if (crl.unknown_critical) {
    return {VerifyStatus::unhandled_critical_crl_extension,
            "a critical CRL extension we do not process"};
  }
  const RevokedCertificate* entry = crl.find(cert.serial);
  if (entry != nullptr && entry->reason != kRemoveFromCrl) {
    return {VerifyStatus::cert_revoked,
            "revoked " + format_time(entry->revocation_date) +
                (entry->reason ? ", " + revocation_reason_text(entry->reason) : std::string())};
  }
  return {VerifyStatus::ok,
          "not revoked (CRL of " + to_string(crl.issuer) + ", " + update_times(crl) + ")"};
}

}  // namespace hs::x509

// Certification path building and validation (RFC 5280 §6, with the path building browsers and
// OpenSSL do): from the leaf through the peer's other certificates to a trust anchor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/provider.h"
#include "x509/certificate.h"
#include "x509/revocation.h"
#include "x509/trust_store.h"
#include "x509/verify_error.h"

namespace hs::x509 {

// Purpose is what the leaf must be good for (its extendedKeyUsage, RFC 5280 §4.2.1.12).
enum class Purpose : uint8_t { server_auth, client_auth };

struct ValidationOptions {
  Purpose purpose = Purpose::server_auth;
  // at_time is the time validity is checked at, in Unix seconds; nullopt means now.
  std::optional<int64_t> at_time;
  // max_depth bounds the certificates in a path below the anchor (OpenSSL's default is 100;
  // no real chain is longer than a handful).
  size_t max_depth = 10;
  // max_signature_checks bounds the work of exploring alternative paths.
  size_t max_signature_checks = 100;
  // provider verifies signatures; null means crypto::default_provider().
  const crypto::Provider* provider = nullptr;
  // crls, when set, turns on revocation checking of every certificate of the path (curl's
  // --crlfile; see check_revocation).
  std::shared_ptr<const CrlSet> crls;
  // check_anchor_revocation: the trust anchor too needs a CRL (from itself, when self-issued),
  // as OpenSSL checks under X509_V_FLAG_CRL_CHECK_ALL and so curl; false stops at the
  // certificate below it (RFC 5280 §6.3 treats the anchor as trusted input, as webpki does).
  bool check_anchor_revocation = true;
  // require_crl_number: a CRL without the cRLNumber extension cannot be used (RFC 5280 §5.2.3:
  // "conforming CRL issuers MUST include this extension in all CRLs"); OpenSSL uses such CRLs.
  bool require_crl_number = false;
};

// CheckRecord is one check made on the path that was chosen, for `hs verify --json`:
// `check` is "signature", "digest", "critical_extensions", "ca", "purpose", "path_length",
// "validity", "revocation", "name_constraints", "trust" or "host".
struct CheckRecord {
  size_t depth = 0;
  std::string check;
  bool ok = true;
  std::string detail;
};

// ValidationResult is the outcome. On success `path` is the chain from the leaf (index 0) to the
// trust anchor (last), copied out of the inputs and the store, and `failure` is empty. On
// failure `failure` is the most relevant reason among the paths tried (a path that reached a
// trust anchor over one that did not; then the longest; then the first tried) and `path` is the
// path it was found on. `checks` lists the checks made on `path`.
struct ValidationResult {
  std::vector<Certificate> path;
  bool anchored = false;  // path ends at a trust anchor
  std::optional<VerifyFailure> failure;
  std::vector<CheckRecord> checks;
  size_t signature_checks = 0;
  size_t paths_tried = 0;

  bool ok() const { return !failure.has_value(); }
};

// validate_chain builds and validates a path for `leaf`.
//
// Path building: issuers are looked for by subject name (byte-equal DER) among `untrusted`
// (the peer's other certificates, in any order, extras ignored) and the store, skipping
// candidates whose subjectKeyIdentifier contradicts the child's authorityKeyIdentifier. They
// are tried depth first with backtracking: store certificates first, then ones valid at the
// checked time, then in the order given. A certificate (by subject and key) never appears twice
// in one path. Any certificate in the store is a trust anchor (curl sets OpenSSL's
// X509_V_FLAG_PARTIAL_CHAIN), matched by subject and public key; a leaf that is itself in the
// store is trusted directly. Anchors' own signatures are never checked.
//
// Checks on a complete path, in OpenSSL's order so that the reason reported matches theirs:
// unknown critical extensions; a leaf that is no CA carrying keyCertSign, a pathLenConstraint or
// nameConstraints, or an empty subject with a non-critical subjectAltName (invalid_extension; not
// for a leaf the store trusts directly); issuers are CAs (basicConstraints cA, keyCertSign when
// keyUsage is present, a non-empty subject; a version 1 self-signed anchor is accepted as a CA);
// the purpose (leaf EKU and keyUsage, intermediate EKU; anchors are exempt); pathLenConstraint;
// SHA-1/MD5
// signatures below the anchor; with options.crls, revocation of every certificate, leaf to
// anchor (OpenSSL's check_revocation comes here, before validity); validity periods, anchor down
// to leaf; last, name constraints of every CA over the certificates below it. Signatures are
// checked while building.
ValidationResult validate_chain(const Certificate& leaf, std::span<const Certificate> untrusted,
                                const TrustStore& store, const ValidationOptions& options);

// check_host applies match_host (subjectAltName only, RFC 6125 rules) to the leaf; nullopt when
// it matches, otherwise a hostname_mismatch (ip_address_mismatch for an IP literal) failure at
// depth 0.
std::optional<VerifyFailure> check_host(const Certificate& leaf, std::string_view host);

// is_self_issued: subject and issuer are the same name (RFC 5280 §6.1).
bool is_self_issued(const Certificate& cert);
// is_self_signed: self-issued and, where both key identifiers are present, they agree (OpenSSL's
// test; the signature itself is not checked).
bool is_self_signed(const Certificate& cert);
// is_weak_signature: signed with MD5 or SHA-1.
bool is_weak_signature(const Certificate& cert);

}  // namespace hs::x509

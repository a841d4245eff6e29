#include "x509/crl.h"

#include <algorithm>

#include "x509/der.h"
#include "x509/pem.h"

namespace hs::x509 {

namespace {

using Span = std::span<const uint8_t>;

Error refused(std::string detail) {
  return Error(ErrorCode::bad_certificate, "CRL", std::move(detail));
}

bool eq(Span a, Span b) { return std::ranges::equal(a, b); }

bool is_time_tag(uint8_t t) { return t == tag::kUtcTime || t == tag::kGeneralizedTime; }

constexpr int64_t k2050 = 2524608000;  // 2050-01-01T00:00:00Z

// read_update_time reads thisUpdate or nextUpdate. RFC 5280 §5.1.2.4: "CRL issuers conforming
// to this profile MUST encode thisUpdate as UTCTime for dates through the year 2049. CRL issuers
// conforming to this profile MUST encode thisUpdate as GeneralizedTime for dates in the year
// 2050 or later" (§5.1.2.5 says the same of nextUpdate). A date that could be UTCTime but is
// not is refused (as a certificate's validity is).
bool read_update_time(DerReader& in, int64_t& out) {
  uint8_t t = 0;
  return in.peek_tag(t) && in.read_time(out) && (t == tag::kUtcTime || out >= k2050);
}

// read_implicit_true reads `[n] IMPLICIT BOOLEAN DEFAULT FALSE` when present: DER leaves a
// FALSE out (X.690 §11.5), so a present one must be TRUE (0xFF, X.690 §11.1).
bool read_implicit_true(DerReader& in, uint8_t n, bool& out) {
  std::optional<Tlv> tlv;
  if (!in.read_optional(tag::context_primitive(n), tlv)) {
    return false;
  }
  if (!tlv) {
    return true;
  }
  out = true;
  return tlv->value.size() == 1 && tlv->value[0] == 0xFF;
}

// read_distribution_point_name reads the contents of a [0] EXPLICIT DistributionPointName:
//   DistributionPointName ::= CHOICE {
//      fullName                [0] GeneralNames,
//      nameRelativeToCRLIssuer [1] RelativeDistinguishedName }
bool read_distribution_point_name(DerReader outer, DistributionPointName& out) {
  uint8_t t = 0;
  if (!outer.peek_tag(t)) {
    return false;
  }
  if (t == tag::context_constructed(0)) {
    DerReader names;
    return outer.read_constructed(t, names) && read_general_name_list(names, out.full_name) &&
           outer.expect_end();
  }
  Tlv rdn;
  out.relative_to_issuer = true;
  return outer.read(tag::context_constructed(1), rdn) && !rdn.value.empty() && outer.expect_end();
}

// parse_idp reads an issuingDistributionPoint value:
//   IssuingDistributionPoint ::= SEQUENCE {
//      distributionPoint          [0] DistributionPointName OPTIONAL,
//      onlyContainsUserCerts      [1] BOOLEAN DEFAULT FALSE,
//      onlyContainsCACerts        [2] BOOLEAN DEFAULT FALSE,
//      onlySomeReasons            [3] ReasonFlags OPTIONAL,
//      indirectCRL                [4] BOOLEAN DEFAULT FALSE,
//      onlyContainsAttributeCerts [5] BOOLEAN DEFAULT FALSE }
bool parse_idp(Span value, IssuingDistributionPoint& out) {
  DerReader in(value);
  DerReader seq;
  if (!in.read_constructed(tag::kSequence, seq) || !in.expect_end()) {
    return false;
  }
  uint8_t t = 0;
  if (seq.peek_tag(t) && t == tag::context_constructed(0)) {
    DerReader name;
    DistributionPointName dp;
    if (!seq.read_constructed(t, name) || !read_distribution_point_name(name, dp)) {
      return false;
    }
    out.distribution_point = std::move(dp);
  }
  if (!read_implicit_true(seq, 1, out.only_user_certs) ||
      !read_implicit_true(seq, 2, out.only_ca_certs)) {
    return false;
  }
  if (seq.peek_tag(t) && t == tag::context_primitive(3)) {
    Span bits;
    uint8_t unused = 0;
    if (!seq.read_bit_string(bits, unused, t)) {
      return false;
    }
    out.only_some_reasons = true;
  }
  return read_implicit_true(seq, 4, out.indirect) &&
         read_implicit_true(seq, 5, out.only_attribute_certs) && seq.expect_end();
}

// parse_integer_value reads an extension value that is one INTEGER (cRLNumber, the delta
// indicator's BaseCRLNumber).
bool parse_integer_value(Span value, Bytes& out) {
  DerReader in(value);
  Span n;
  if (!in.read_integer(n) || !in.expect_end()) {
    return false;
  }
  out = copy_octets(n);
  return true;
}

// apply_crl_extension interprets one crlExtensions entry; false when a known one is malformed.
bool apply_crl_extension(const Extension& ext, Crl& crl) {
  if (eq(ext.oid, oid::kIssuingDistributionPoint)) {
    IssuingDistributionPoint idp;
    if (!parse_idp(ext.value, idp)) {
      return false;
    }
    crl.issuing_distribution_point = std::move(idp);
    return true;
  }
  if (eq(ext.oid, oid::kAuthorityKeyIdentifier)) {
    // Checked for shape only: the CRL's signature, verified with the issuer in the path, is
    // what ties it to its issuer.
    std::optional<Bytes> key_id;
    return parse_authority_key_identifier(ext.value, key_id);
  }
  if (eq(ext.oid, oid::kDeltaCrlIndicator)) {
    Bytes base;
    crl.delta = true;
    return parse_integer_value(ext.value, base);
  }
  if (eq(ext.oid, oid::kCrlNumber)) {
    Bytes number;
    if (!parse_integer_value(ext.value, number)) {
      return false;
    }
    crl.crl_number = std::move(number);
  }
  // OpenSSL (crl_cb) processes these three when critical; any other critical one, cRLNumber
  // included (RFC 5280 §5.2.3 makes it non-critical), leaves the CRL unusable.
  if (ext.critical) {
    crl.unknown_critical = true;
  }
  return true;
}

// read_entry reads one revokedCertificates entry.
Result<RevokedCertificate> read_entry(DerReader& list, int version) {
  DerReader entry;
  Span serial;
  RevokedCertificate out;
  if (!list.read_constructed(tag::kSequence, entry) || !entry.read_integer(serial) ||
      !entry.read_time(out.revocation_date)) {
    return refused("malformed revokedCertificates entry");
  }
  out.serial = copy_octets(serial);
  if (entry.empty()) {
    return out;
  }
  DerReader ext_seq;
  if (!entry.read_constructed(tag::kSequence, ext_seq) || !entry.expect_end()) {
    return refused("malformed revokedCertificates entry");
  }
  // RFC 5280 §5.1.2.6: crlEntryExtensions "if present, version MUST be v2".
  if (version != 2) {
    return refused("entry extensions in a version 1 CRL");
  }
  for (const Extension& ext : HS_TRY(read_extensions(ext_seq, "CRL"))) {
    const bool known = eq(ext.oid, oid::kCrlReason) || eq(ext.oid, oid::kInvalidityDate);
    // certificateIssuer (§5.3.3) belongs to indirect CRLs, which we do not process: critical as
    // RFC 5280 requires it to be, it makes the entry unusable, like any unknown critical one.
    out.unknown_critical = out.unknown_critical || (ext.critical && !known);
    if (eq(ext.oid, oid::kCrlReason)) {
      // CRLReason ::= ENUMERATED; 7 is unused (RFC 5280 §5.3.1).
      DerReader in(ext.value);
      uint64_t reason = 0;
      if (!in.read_small_uint(10, reason, tag::kEnumerated) || !in.expect_end() || reason == 7) {
        return refused("malformed reasonCode");
      }
      out.reason = static_cast<uint8_t>(reason);
    } else if (eq(ext.oid, oid::kInvalidityDate)) {
      DerReader in(ext.value);
      uint8_t t = 0;
      int64_t when = 0;
      if (!in.peek_tag(t) || t != tag::kGeneralizedTime || !in.read_time(when) ||
          !in.expect_end()) {
        return refused("malformed invalidityDate");
      }
    }
  }
  return out;
}

Result<void> read_tbs(Span tbs_der, Crl& crl) {
  DerReader outer(tbs_der);
  DerReader tbs;
  if (!outer.read_constructed(tag::kSequence, tbs) || !outer.expect_end()) {
    return refused("malformed tbsCertList");
  }
  uint8_t t = 0;
  if (tbs.peek_tag(t) && t == tag::kInteger) {
    uint64_t v = 0;
    // RFC 5280 §5.1.2.1: "This optional field describes the version of the encoded CRL. When
    // extensions are used, as required by this profile, this field MUST be present and MUST
    // specify version 2 (the integer value is 1)."
    if (!tbs.read_small_uint(255, v) || v != 1) {
      return refused("version is not v2");
    }
    crl.version = 2;
  }
  AlgorithmIdentifier inner_alg;
  Span raw;
  Tlv issuer;
  if (!read_algorithm(tbs, inner_alg, raw) || !tbs.read(tag::kSequence, issuer)) {
    return refused("malformed signature or issuer");
  }
  auto name = parse_name(issuer.raw);
  if (!name) {
    return refused("malformed issuer");
  }
  crl.issuer = std::move(name).value();
  crl.signature_algorithm = std::move(inner_alg);
  if (!read_update_time(tbs, crl.this_update)) {
    return refused("malformed thisUpdate");
  }
  // RFC 5280 §5.1.2.5: "Conforming CRL issuers MUST include the nextUpdate time in all CRLs."
  // Without it a CRL would never go stale; OpenSSL uses such CRLs, we refuse them.
  if (!tbs.peek_tag(t) || !is_time_tag(t)) {
    return refused("no nextUpdate (RFC 5280 §5.1.2.5)");
  }
  int64_t next = 0;
  if (!read_update_time(tbs, next)) {
    return refused("malformed nextUpdate");
  }
  crl.next_update = next;
  if (tbs.peek_tag(t) && t == tag::kSequence) {
    DerReader list;
    if (!tbs.read_constructed(tag::kSequence, list)) {
      return refused("malformed revokedCertificates");
    }
    // X.509: an empty revokedCertificates is left out, not encoded empty; OpenSSL writes it so
    // and reads either, and so do we.
    while (!list.empty()) {
      crl.revoked.push_back(HS_TRY(read_entry(list, crl.version)));
      crl.unknown_critical = crl.unknown_critical || crl.revoked.back().unknown_critical;
    }
    // One serial listed twice is ambiguous (the entries may differ in reason and dates; CA/B
    // Forum servercert issue 589): such a CRL is kept but never used (revocation.cc), so that a
    // certificate it may list is not accepted for want of a CRL read one way.
    std::vector<const Bytes*> serials;
    serials.reserve(crl.revoked.size());
    for (const RevokedCertificate& r : crl.revoked) {
      serials.push_back(&r.serial);
    }
    std::ranges::sort(serials, [](const Bytes* a, const Bytes* b) { return *a < *b; });
    auto same = [](const Bytes* a, const Bytes* b) { return *a == *b; };
    crl.duplicate_serials = std::ranges::adjacent_find(serials, same) != serials.end();
  }
  if (tbs.peek_tag(t) && t == tag::context_constructed(0)) {
    DerReader explicit_exts;
    DerReader exts;
    if (!tbs.read_constructed(t, explicit_exts) ||
        !explicit_exts.read_constructed(tag::kSequence, exts) || !explicit_exts.expect_end()) {
      return refused("malformed crlExtensions");
    }
    // RFC 5280 §5.1.2.7: crlExtensions "if present, version MUST be v2".
    if (crl.version != 2) {
      return refused("extensions in a version 1 CRL");
    }
    crl.extensions = HS_TRY(read_extensions(exts, "CRL"));
    for (const Extension& ext : crl.extensions) {
      if (!apply_crl_extension(ext, crl)) {
        return refused("malformed extension " + oid_to_string(ext.oid));
      }
    }
  }
  if (!tbs.expect_end()) {
    return refused("trailing data in tbsCertList");
  }
  return ok_result();
}

}  // namespace

const RevokedCertificate* Crl::find(std::span<const uint8_t> serial) const {
  for (const RevokedCertificate& r : revoked) {
    if (eq(r.serial, serial)) {
      return &r;
    }
  }
  return nullptr;
}

Result<Crl> parse_crl(std::span<const uint8_t> der) {
  DerReader in(der);
  DerReader list;
  Tlv tbs;
  AlgorithmIdentifier outer_alg;
  Span raw;
  Span signature;
  if (!in.read_constructed(tag::kSequence, list) || !in.expect_end()) {
    return refused("not a CertificateList");
  }
  if (!list.read(tag::kSequence, tbs) || !read_algorithm(list, outer_alg, raw) ||
      !list.read_bit_string_octets(signature) || !list.expect_end()) {
    return refused("malformed CertificateList");
  }
  Crl crl;
  HS_TRY(read_tbs(tbs.raw, crl));
  // RFC 5280 §5.1.1.2: signatureAlgorithm "MUST contain the same algorithm identifier as the
  // signature field in the sequence tbsCertList".
  if (outer_alg.oid != crl.signature_algorithm.oid ||
      outer_alg.params != crl.signature_algorithm.params) {
    return refused("signatureAlgorithm differs from the tbsCertList signature");
  }
  crl.signature_alg = signature_algorithm_of(crl.signature_algorithm);
  crl.der = copy_octets(der);
  crl.tbs_raw = copy_octets(tbs.raw);
  crl.signature_value = copy_octets(signature);
  return crl;
}

Result<std::vector<Crl>> load_crls_pem(std::string_view text) {
  std::vector<PemBlock> blocks = HS_TRY(parse_pem(text));
  std::vector<Crl> crls;
  for (const PemBlock& block : blocks) {
    if (block.label != "X509 CRL") {
      continue;
    }
    auto crl = parse_crl(block.der);
    if (!crl) {
      return Error(
          ErrorCode::invalid_config, "CRL",
          "CRL " + std::to_string(crls.size() + 1) + " does not parse: " + crl.error().detail());
    }
    crls.push_back(std::move(crl).value());
  }
  if (crls.empty()) {
    return Error(ErrorCode::invalid_config, "CRL", "no X509 CRL block found");
  }
  return crls;
}

std::optional<std::vector<DistributionPointName>> parse_distribution_points(
    std::span<const uint8_t> value) {
  // CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
  // DistributionPoint ::= SEQUENCE {
  //      distributionPoint       [0]     DistributionPointName OPTIONAL,
  //      reasons                 [1]     ReasonFlags OPTIONAL,
  //      cRLIssuer               [2]     GeneralNames OPTIONAL }
  DerReader in(value);
  DerReader seq;
  if (!in.read_constructed(tag::kSequence, seq) || !in.expect_end() || seq.empty()) {
    return std::nullopt;
  }
  std::vector<DistributionPointName> out;
  while (!seq.empty()) {
    DerReader point;
    if (!seq.read_constructed(tag::kSequence, point)) {
      return std::nullopt;
    }
    std::optional<DistributionPointName> name;
    uint8_t t = 0;
    if (point.peek_tag(t) && t == tag::context_constructed(0)) {
      DerReader outer;
      DistributionPointName dp;
      if (!point.read_constructed(t, outer) || !read_distribution_point_name(outer, dp)) {
        return std::nullopt;
      }
      name = std::move(dp);
    }
    std::optional<Tlv> reasons;
    std::optional<Tlv> crl_issuer;
    if (!point.read_optional(tag::context_primitive(1), reasons) ||
        !point.read_optional(tag::context_constructed(2), crl_issuer) || !point.expect_end()) {
      return std::nullopt;
    }
    if (name && !crl_issuer) {
      out.push_back(std::move(*name));
    }
  }
  return out;
}

}  // namespace hs::x509

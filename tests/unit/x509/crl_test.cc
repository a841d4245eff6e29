// CRLs: the parser (x509/crl.h) on hand-written DER, and revocation checking through
// validate_chain (x509/revocation.h) on a root -> intermediate -> leaf path made in memory with
// cert_builder.h, each CRL signed (Ed25519) by the key the test chooses. The expected reasons are
// what `openssl verify -crl_check_all` says for the same situations (and curl --crlfile, which
// sets those flags); tests/interop/curl_flags_test.cc compares with curl itself.
#include "x509/crl.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "cert_builder.h"
#include "x509/pem.h"
#include "x509/revocation.h"
#include "x509/validate.h"
#include "x509/verify_error.h"

namespace hs::x509 {
namespace {

using namespace hs::x509::testing;  // NOLINT(google-build-using-namespace)

constexpr int64_t k2024 = 1704067200;  // 2024-01-01T00:00:00Z
constexpr int kCrlSign = 6;            // keyUsage bit cRLSign

const Der kOidCrlNumber = {0x55, 0x1D, 0x14};
const Der kOidCrlReason = {0x55, 0x1D, 0x15};
const Der kOidDelta = {0x55, 0x1D, 0x1B};
const Der kOidIdp = {0x55, 0x1D, 0x1C};
const Der kOidCdp = {0x55, 0x1D, 0x1F};

// entry is one revokedCertificates element; `reason` adds a reasonCode extension.
Der entry(uint64_t serial, std::optional<uint8_t> reason = std::nullopt,
          std::vector<Der> extra = {}) {
  std::vector<Der> exts = std::move(extra);
  if (reason) {
    exts.insert(exts.begin(), extension(kOidCrlReason, false, tlv(0x0A, Der{*reason})));
  }
  std::vector<Der> body = {integer(serial), time_value("231201000000Z")};
  if (!exts.empty()) {
    body.push_back(seq_of(exts));
  }
  return seq_of(body);
}

struct CrlSpec {
  bool v2 = true;
  Der issuer;
  std::string this_update = "231215000000Z";
  std::optional<std::string> next_update = "240115000000Z";
  std::vector<Der> entries;
  bool number = true;           // add cRLNumber 1
  std::vector<Der> extensions;  // more crlExtensions, after the number
  Der outer_alg;                // when set, the outer signatureAlgorithm differs
  Der trailing;                 // bytes after the CertificateList
};

Der sign_crl(const CrlSpec& spec, const TestKey& signer) {
  Der alg = seq({testing::oid(kOidEd25519)});
  std::vector<Der> tbs;
  if (spec.v2) {
    tbs.push_back(integer(1));
  }
  tbs.push_back(alg);
  tbs.push_back(spec.issuer);
  tbs.push_back(time_value(spec.this_update));
  if (spec.next_update) {
    tbs.push_back(time_value(*spec.next_update));
  }
  if (!spec.entries.empty()) {
    tbs.push_back(seq_of(spec.entries));
  }
  std::vector<Der> exts;
  if (spec.number) {
    exts.push_back(extension(kOidCrlNumber, false, integer(1)));
  }
  exts.insert(exts.end(), spec.extensions.begin(), spec.extensions.end());
  if (!exts.empty()) {
    tbs.push_back(tlv(0xA0, seq_of(exts)));
  }
  Der tbs_der = seq_of(tbs);
  Der out = seq(
      {tbs_der, spec.outer_alg.empty() ? alg : spec.outer_alg, signature_bits(tbs_der, signer)});
  out.insert(out.end(), spec.trailing.begin(), spec.trailing.end());
  return out;
}

// idp is an issuingDistributionPoint (critical, as RFC 5280 §5.2.5 requires).
Der idp(std::optional<Der> uri_name, bool only_user, bool only_ca, bool only_attr = false) {
  std::vector<Der> body;
  if (uri_name) {
    body.push_back(tlv(0xA0, tlv(0xA0, *uri_name)));
  }
  if (only_user) {
    body.push_back(tlv(0x81, Der{0xFF}));
  }
  if (only_ca) {
    body.push_back(tlv(0x82, Der{0xFF}));
  }
  if (only_attr) {
    body.push_back(tlv(0x85, Der{0xFF}));
  }
  return extension(kOidIdp, true, seq_of(body));
}

Der cdp(const Der& uri_name) {
  return extension(kOidCdp, false, seq({seq({tlv(0xA0, tlv(0xA0, uri_name))})}));
}

class CrlTest : public ::testing::Test {
 protected:
  CrlTest()
      : root_key_(make_key(1)),
        int_key_(make_key(2)),
        leaf_key_(make_key(3)),
        other_key_(make_key(9)) {
    CertSpec r = root_spec(root_key_, cn("Root"));
    r.extensions[1] = key_usage({kKeyCertSign, kCrlSign});
    root_ = issue(r, root_key_, root_key_);
    CertSpec i = intermediate_spec(root_, int_key_, std::nullopt, cn("Inter"));
    i.extensions[1] = key_usage({kKeyCertSign, kCrlSign});
    inter_ = issue(i, int_key_, root_key_);
    leaf_spec_ = leaf_spec(inter_, leaf_key_);
    leaf_ = issue(leaf_spec_, leaf_key_, int_key_);
  }

  CrlSpec from_root() const { return from(root_); }
  CrlSpec from_inter() const { return from(inter_); }
  static CrlSpec from(const Issued& issuer) {
    CrlSpec s;
    s.issuer = issuer.subject;
    return s;
  }

  // check validates leaf <- inter <- root against `crls` and returns the refusal (ok when
  // accepted) and the depth blamed.
  std::pair<VerifyStatus, size_t> check(const std::vector<Der>& crls, bool anchor = true,
                                        bool require_number = false, const Der* leaf = nullptr) {
    auto set = std::make_shared<CrlSet>();
    for (const Der& d : crls) {
      auto c = parse_crl(d);
      EXPECT_TRUE(c.ok()) << c.error().message();
      if (c.ok()) {
        set->push_back(std::move(c).value());
      }
    }
    TrustStore store;
    EXPECT_TRUE(store.add_der(root_.der).ok());
    auto l = parse_certificate(leaf != nullptr ? *leaf : leaf_.der);
    auto i = parse_certificate(inter_.der);
    EXPECT_TRUE(l.ok() && i.ok());
    const std::vector<Certificate> untrusted = {*i};
    ValidationOptions o;
    o.at_time = k2024;
    o.crls = set;
    o.check_anchor_revocation = anchor;
    o.require_crl_number = require_number;
    ValidationResult r = validate_chain(*l, untrusted, store, o);
    last_checks_ = r.checks;
    if (r.ok()) {
      return {VerifyStatus::ok, 0};
    }
    return {r.failure->status, r.failure->depth};
  }

  using Outcome = std::pair<VerifyStatus, size_t>;

  TestKey root_key_, int_key_, leaf_key_, other_key_;
  Issued root_, inter_, leaf_;
  CertSpec leaf_spec_;
  std::vector<CheckRecord> last_checks_;
};

TEST_F(CrlTest, ParsesTimesEntriesReasonsAndExtensions) {
  CrlSpec s = from_inter();
  s.entries = {entry(3, 1), entry(0x80),
               entry(42, std::nullopt, {extension(kOidUnknown, false, {})})};
  auto crl = parse_crl(sign_crl(s, int_key_));
  ASSERT_TRUE(crl.ok()) << crl.error().message();
  EXPECT_EQ(crl->version, 2);
  EXPECT_EQ(crl->issuer.raw, inter_.subject);
  EXPECT_EQ(crl->this_update, 1702598400);  // 2023-12-15
  ASSERT_TRUE(crl->next_update.has_value());
  EXPECT_EQ(*crl->next_update, 1705276800);  // 2024-01-15
  ASSERT_EQ(crl->revoked.size(), 3u);
  EXPECT_EQ(crl->revoked[0].reason, std::optional<uint8_t>(1));
  EXPECT_EQ(crl->revoked[1].serial, (Bytes{0x00, 0x80}));
  EXPECT_FALSE(crl->revoked[2].reason.has_value());
  EXPECT_FALSE(crl->unknown_critical);
  EXPECT_EQ(crl->crl_number, std::optional<Bytes>(Bytes{1}));
  EXPECT_TRUE(crl->signature_alg.has_value());
  EXPECT_NE(crl->find(std::vector<uint8_t>{3}), nullptr);
  EXPECT_EQ(crl->find(std::vector<uint8_t>{4}), nullptr);
}

TEST_F(CrlTest, RefusesMalformedCrls) {
  auto refused = [&](const CrlSpec& s, const std::string& why) {
    auto crl = parse_crl(sign_crl(s, int_key_));
    ASSERT_FALSE(crl.ok()) << why;
    EXPECT_EQ(crl.error().code(), ErrorCode::bad_certificate) << why;
    EXPECT_NE(crl.error().detail().find(why), std::string::npos) << crl.error().detail();
  };
  CrlSpec s = from_inter();
  s.trailing = {0x00};
  refused(s, "not a CertificateList");
  s = from_inter();
  s.outer_alg = seq({testing::oid(kOidEd25519), tlv(0x05, {})});
  refused(s, "signatureAlgorithm differs");
  s = from_inter();
  s.v2 = false;  // extensions (the cRLNumber) without the version
  refused(s, "extensions in a version 1 CRL");
  s = from_inter();
  s.next_update.reset();
  refused(s, "no nextUpdate");
  s = from_inter();
  s.this_update = "20231215000000Z";  // GeneralizedTime for a date UTCTime must carry
  refused(s, "thisUpdate");
  s = from_inter();
  s.next_update = "20240115000000Z";
  refused(s, "nextUpdate");
  s = from_inter();
  s.entries = {entry(5, 7)};  // reasonCode 7 is unused
  refused(s, "reasonCode");
  s = from_inter();
  s.extensions = {extension(kOidCrlNumber, false, integer(2))};
  refused(s, "duplicate extension");
  s = from_inter();
  s.this_update = "231301000000Z";  // month 13
  refused(s, "thisUpdate");

  // Every proper prefix of a good CRL is refused.
  CrlSpec good = from_inter();
  good.entries = {entry(3, 1)};
  const Der der = sign_crl(good, int_key_);
  ASSERT_TRUE(parse_crl(der).ok());
  for (size_t n = 0; n < der.size(); ++n) {
    EXPECT_FALSE(parse_crl(std::span<const uint8_t>(der).first(n)).ok()) << n;
  }
}

TEST_F(CrlTest, PemLoadingSkipsCertificatesAndNeedsACrl) {
  const Der crl = sign_crl(from_inter(), int_key_);
  const std::string pem = "-----BEGIN CERTIFICATE-----\n" + base64_encode(root_.der) +
                          "\n-----END CERTIFICATE-----\n-----BEGIN X509 CRL-----\n" +
                          base64_encode(crl) + "\n-----END X509 CRL-----\n";
  auto loaded = load_crls_pem(pem);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->size(), 1u);
  auto none = load_crls_pem("-----BEGIN CERTIFICATE-----\n" + base64_encode(root_.der) +
                            "\n-----END CERTIFICATE-----\n");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::invalid_config);
}

TEST_F(CrlTest, EveryCertificateNeedsACrlFromItsIssuer) {
  const Der root_crl = sign_crl(from_root(), root_key_);
  const Der inter_crl = sign_crl(from_inter(), int_key_);
  EXPECT_EQ(check({root_crl, inter_crl}), Outcome(VerifyStatus::ok, 0));
  size_t revocation_checks = 0;
  for (const CheckRecord& c : last_checks_) {
    revocation_checks += c.check == "revocation" && c.ok ? 1 : 0;
  }
  EXPECT_EQ(revocation_checks, 3u);  // leaf, intermediate and the root against its own CRL
  // As `openssl verify -crl_check_all`: "unable to get certificate CRL" at the depth lacking one.
  EXPECT_EQ(check({root_crl}), Outcome(VerifyStatus::unable_to_get_crl, 0));
  EXPECT_EQ(check({inter_crl}), Outcome(VerifyStatus::unable_to_get_crl, 1));
  EXPECT_EQ(check({}), Outcome(VerifyStatus::unable_to_get_crl, 0));
}

TEST_F(CrlTest, RevokedCertificatesAtEachDepth) {
  const Der root_crl = sign_crl(from_root(), root_key_);
  CrlSpec revoking_leaf = from_inter();
  revoking_leaf.entries = {entry(99), entry(3, 1)};
  EXPECT_EQ(check({root_crl, sign_crl(revoking_leaf, int_key_)}),
            Outcome(VerifyStatus::cert_revoked, 0));
  CrlSpec revoking_inter = from_root();
  revoking_inter.entries = {entry(2)};
  const Der inter_crl = sign_crl(from_inter(), int_key_);
  EXPECT_EQ(check({sign_crl(revoking_inter, root_key_), inter_crl}),
            Outcome(VerifyStatus::cert_revoked, 1));
  CrlSpec revoking_root = from_root();
  revoking_root.entries = {entry(1)};  // the root (serial 1) in its own CRL
  EXPECT_EQ(check({sign_crl(revoking_root, root_key_), inter_crl}),
            Outcome(VerifyStatus::cert_revoked, 2));
  EXPECT_EQ(check({sign_crl(revoking_root, root_key_), inter_crl}, /*anchor=*/false),
            Outcome(VerifyStatus::ok, 0));
  // removeFromCRL (8) takes an entry back (it belongs in delta CRLs).
  CrlSpec removed = from_inter();
  removed.entries = {entry(3, 8)};
  EXPECT_EQ(check({root_crl, sign_crl(removed, int_key_)}), Outcome(VerifyStatus::ok, 0));
  EXPECT_EQ(error_code_for(VerifyStatus::cert_revoked), ErrorCode::certificate_revoked);
}

TEST_F(CrlTest, CrlTimesSignatureAndIssuerKeyUsage) {
  const Der root_crl = sign_crl(from_root(), root_key_);
  CrlSpec expired = from_inter();
  expired.next_update = "231231000000Z";
  EXPECT_EQ(check({root_crl, sign_crl(expired, int_key_)}),
            Outcome(VerifyStatus::crl_has_expired, 0));
  CrlSpec future = from_inter();
  future.this_update = "240102000000Z";
  EXPECT_EQ(check({root_crl, sign_crl(future, int_key_)}),
            Outcome(VerifyStatus::crl_not_yet_valid, 0));
  CrlSpec far = from_inter();
  far.next_update = "20500101000000Z";  // from 2050 on, GeneralizedTime is the encoding
  EXPECT_EQ(check({root_crl, sign_crl(far, int_key_)}), Outcome(VerifyStatus::ok, 0));
  // Claims to be the intermediate's, signed by another key.
  EXPECT_EQ(check({root_crl, sign_crl(from_inter(), other_key_)}),
            Outcome(VerifyStatus::crl_signature_failure, 0));

  // An intermediate whose keyUsage lacks cRLSign cannot sign CRLs (RFC 5280 §6.3.3 (f)).
  CertSpec i = intermediate_spec(root_, int_key_, std::nullopt, cn("Inter"));
  Issued no_crl_sign = issue(i, int_key_, root_key_);  // keyUsage keyCertSign only
  inter_ = no_crl_sign;
  EXPECT_EQ(check({root_crl, sign_crl(from_inter(), int_key_)}),
            Outcome(VerifyStatus::keyusage_no_crl_sign, 0));
}

TEST_F(CrlTest, CriticalExtensionsAndScope) {
  const Der root_crl = sign_crl(from_root(), root_key_);
  CrlSpec critical = from_inter();
  critical.extensions = {extension(kOidUnknown, true, {})};
  EXPECT_EQ(check({root_crl, sign_crl(critical, int_key_)}),
            Outcome(VerifyStatus::unhandled_critical_crl_extension, 0));
  CrlSpec noncritical = from_inter();
  noncritical.extensions = {extension(kOidUnknown, false, {})};
  EXPECT_EQ(check({root_crl, sign_crl(noncritical, int_key_)}), Outcome(VerifyStatus::ok, 0));
  CrlSpec critical_entry = from_inter();
  critical_entry.entries = {entry(77, std::nullopt, {extension(kOidUnknown, true, {})})};
  EXPECT_EQ(check({root_crl, sign_crl(critical_entry, int_key_)}),
            Outcome(VerifyStatus::unhandled_critical_crl_extension, 0));

  // issuingDistributionPoint scopes (RFC 5280 §6.3.3 (b)).
  CrlSpec ca_only = from_inter();
  ca_only.extensions = {idp(std::nullopt, false, true)};
  EXPECT_EQ(check({root_crl, sign_crl(ca_only, int_key_)}),
            Outcome(VerifyStatus::unable_to_get_crl, 0));
  CrlSpec user_only = from_inter();
  user_only.extensions = {idp(std::nullopt, true, false)};
  EXPECT_EQ(check({root_crl, sign_crl(user_only, int_key_)}), Outcome(VerifyStatus::ok, 0));
  CrlSpec user_only_root = from_root();
  user_only_root.extensions = {idp(std::nullopt, true, false)};
  EXPECT_EQ(check({sign_crl(user_only_root, root_key_), sign_crl(from_inter(), int_key_)}),
            Outcome(VerifyStatus::unable_to_get_crl, 1));
  CrlSpec attr_only = from_inter();
  attr_only.extensions = {idp(std::nullopt, false, false, true)};
  EXPECT_EQ(check({root_crl, sign_crl(attr_only, int_key_)}),
            Outcome(VerifyStatus::unable_to_get_crl, 0));

  // A partitioned CRL applies to the certificates naming its distribution point.
  CrlSpec partition = from_inter();
  partition.extensions = {idp(uri("http://example.com/a.crl"), false, false)};
  const Der partition_crl = sign_crl(partition, int_key_);
  EXPECT_EQ(check({root_crl, partition_crl}), Outcome(VerifyStatus::unable_to_get_crl, 0));
  CertSpec with_cdp = leaf_spec_;
  with_cdp.extensions.push_back(cdp(uri("http://example.com/a.crl")));
  const Der leaf_a = issue(with_cdp, leaf_key_, int_key_).der;
  EXPECT_EQ(check({root_crl, partition_crl}, true, false, &leaf_a), Outcome(VerifyStatus::ok, 0));
  with_cdp.extensions.back() = cdp(uri("http://example.com/b.crl"));
  const Der leaf_b = issue(with_cdp, leaf_key_, int_key_).der;
  EXPECT_EQ(check({root_crl, partition_crl}, true, false, &leaf_b),
            Outcome(VerifyStatus::unable_to_get_crl, 0));

  // A CRL listing one serial twice is ambiguous and not used (it still parses).
  CrlSpec twice = from_inter();
  twice.entries = {entry(5), entry(6), entry(5)};
  auto parsed_twice = parse_crl(sign_crl(twice, int_key_));
  ASSERT_TRUE(parsed_twice.ok()) << parsed_twice.error().message();
  EXPECT_TRUE(parsed_twice->duplicate_serials);
  EXPECT_EQ(check({root_crl, sign_crl(twice, int_key_)}),
            Outcome(VerifyStatus::unable_to_get_crl, 0));

  // A delta CRL is not a complete one.
  CrlSpec delta = from_inter();
  delta.extensions = {extension(kOidDelta, true, integer(1))};
  EXPECT_EQ(check({root_crl, sign_crl(delta, int_key_)}),
            Outcome(VerifyStatus::unable_to_get_crl, 0));
}

TEST_F(CrlTest, ChoosesTheBestCrlAndCanRequireANumber) {
  const Der root_crl = sign_crl(from_root(), root_key_);
  CrlSpec older = from_inter();
  older.this_update = "231201000000Z";
  CrlSpec newer = from_inter();
  newer.entries = {entry(3)};
  // Both current: the later thisUpdate decides, whatever the order given.
  EXPECT_EQ(check({root_crl, sign_crl(older, int_key_), sign_crl(newer, int_key_)}),
            Outcome(VerifyStatus::cert_revoked, 0));
  EXPECT_EQ(check({root_crl, sign_crl(newer, int_key_), sign_crl(older, int_key_)}),
            Outcome(VerifyStatus::cert_revoked, 0));
  // A current CRL is preferred to a newer one that is not yet valid.
  CrlSpec future = from_inter();
  future.this_update = "240102000000Z";
  EXPECT_EQ(check({root_crl, sign_crl(future, int_key_), sign_crl(older, int_key_)}),
            Outcome(VerifyStatus::ok, 0));

  CrlSpec unnumbered = from_inter();
  unnumbered.number = false;
  CrlSpec unnumbered_root = from_root();
  unnumbered_root.number = false;
  const std::vector<Der> crls = {sign_crl(unnumbered_root, root_key_),
                                 sign_crl(unnumbered, int_key_)};
  EXPECT_EQ(check(crls), Outcome(VerifyStatus::ok, 0));
  EXPECT_EQ(check(crls, true, /*require_number=*/true),
            Outcome(VerifyStatus::unable_to_get_crl, 0));
}

TEST(VerifyStatusText, EveryStatusReadsBackFromItsWords) {
  for (int i = 0; i <= static_cast<int>(kLastVerifyStatus); ++i) {
    const auto s = static_cast<VerifyStatus>(i);
    auto back = verify_status_from_string(verify_status_string(s));
    ASSERT_TRUE(back.has_value()) << i;
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(verify_status_from_string("no such reason").has_value());
  EXPECT_EQ(openssl_verify_code(VerifyStatus::cert_revoked), 23);
  EXPECT_EQ(verify_status_string(VerifyStatus::unable_to_get_crl), "unable to get certificate CRL");
}

}  // namespace
}  // namespace hs::x509

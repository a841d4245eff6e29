// verify_stapled_ocsp: a response made and signed here (Ed25519 keys from cert_builder.h) for a
// leaf issued by a test CA, changed one field at a time, against curl's refusals. Real responses
// from `openssl ocsp` are checked end to end in tests/interop/ocsp_stapling_test.cc.
#include "x509/ocsp_verify.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/x509/cert_builder.h"
#include "unit/x509/ocsp_builder.h"

namespace hs::x509 {
namespace {

using namespace testing;

constexpr int64_t kNow = 1795953600;  // 2026-11-29 12:00:00 UTC
using Options = SignedOcsp;

class OcspVerifyTest : public ::testing::Test {
 protected:
  OcspVerifyTest() : pki_(1, "OCSP test CA", "example.com"), other_key_(make_key(4)) {}

  Der make(const Options& o) const { return pki_.response(o); }

  Result<OcspSingleResponse> verify(const Der& response, int64_t now = kNow) const {
    const std::vector<std::vector<uint8_t>> chain = {pki_.leaf, pki_.ca};
    return verify_stapled_ocsp(crypto::default_provider(), chain, response, now);
  }

  // refusal returns the detail of verify()'s error, expecting bad_certificate_status.
  std::string refusal(const Der& response, int64_t now = kNow) const {
    auto r = verify(response, now);
    if (r.ok()) {
      return "(accepted)";
    }
    EXPECT_EQ(r.error().code(), ErrorCode::bad_certificate_status);
    EXPECT_EQ(r.error().alert(), AlertDescription::bad_certificate_status_response);
    return r.error().detail();
  }

  StaplingPki pki_;
  TestKey other_key_;
};

TEST_F(OcspVerifyTest, GoodResponseFromTheIssuer) {
  auto r = verify(make({}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, OcspCertStatus::good);
  EXPECT_EQ(r->cert_id.serial, Der({0x12, 0x34}));
}

TEST_F(OcspVerifyTest, ResponderByKeyAndSha256CertId) {
  Options o;
  o.by_key = true;
  o.hash_oid = kSha256;
  EXPECT_TRUE(verify(make(o)).ok());
}

// RFC 6960 §4.2.2.2: a CA Designated Responder, issued by the CA with id-kp-OCSPSigning.
TEST_F(OcspVerifyTest, DelegatedResponderNeedsOcspSigningAndValidity) {
  Options o;
  o.signed_by_responder = true;
  EXPECT_TRUE(verify(make(o)).ok());
  o.by_key = true;
  EXPECT_TRUE(verify(make(o)).ok());
  o.responder_has_eku = false;
  EXPECT_EQ(refusal(make(o)), "OCSP response verification failed");
  o.responder_has_eku = true;
  o.responder_not_after = "20261128000000Z";
  EXPECT_EQ(refusal(make(o)), "OCSP response verification failed");
}

TEST_F(OcspVerifyTest, BadSignatureIsRefused) {
  Options o;
  o.corrupt_signature = true;
  EXPECT_EQ(refusal(make(o)), "OCSP response verification failed");
}

TEST_F(OcspVerifyTest, SignerMustBeTheIssuerOrItsResponder) {
  // The same response, naming its signer by key, signed by a key the CA never certified.
  Options o;
  o.by_key = true;
  std::swap(pki_.ca_key, other_key_);
  const Der forged = make(o);
  std::swap(pki_.ca_key, other_key_);
  EXPECT_EQ(refusal(forged), "OCSP response verification failed");
  EXPECT_TRUE(verify(make(o)).ok());
}

TEST_F(OcspVerifyTest, ResponseForAnotherCertificateIsNotFound) {
  Options o;
  o.serial = 0x1235;
  EXPECT_EQ(refusal(make(o)), "Could not find certificate ID in OCSP response");
}

// OpenSSL's OCSP_check_validity with curl's 5 minutes of leeway.
TEST_F(OcspVerifyTest, StaleOrFutureResponsesHaveExpired) {
  const Der r = make({});
  const int64_t next_update = kNow + 6 * 86400 + 12 * 3600;  // 2026-12-06 00:00:00
  EXPECT_TRUE(verify(r, next_update + kOcspLeewaySeconds).ok());
  EXPECT_EQ(refusal(r, next_update + kOcspLeewaySeconds + 1), "OCSP response has expired");
  const int64_t this_update = kNow - 12 * 3600;
  EXPECT_TRUE(verify(r, this_update - kOcspLeewaySeconds).ok());
  EXPECT_EQ(refusal(r, this_update - kOcspLeewaySeconds - 1), "OCSP response has expired");
  Options o;
  o.next_update.clear();  // no nextUpdate: "newer information is always available"
  EXPECT_TRUE(verify(make(o), kNow + 365 * 86400).ok());
}

TEST_F(OcspVerifyTest, RevokedIsCertificateRevokedWithTheReason) {
  Options o;
  o.status = tlv(0xA1, cat({generalized("20261101000000Z"), tlv(0xA0, tlv(0x0A, {1}))}));
  auto r = verify(make(o));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::certificate_revoked);
  EXPECT_EQ(r.error().alert(), AlertDescription::certificate_revoked);
  EXPECT_EQ(r.error().detail(), "SSL certificate revocation reason: keyCompromise (1)");
  o.status = tlv(0xA1, generalized("20261101000000Z"));
  EXPECT_EQ(verify(make(o)).error().detail(), "SSL certificate revocation reason: (UNKNOWN) (-1)");
}

TEST_F(OcspVerifyTest, UnknownStatusIsRefused) {
  Options o;
  o.status = tlv(0x82, {});
  EXPECT_EQ(refusal(make(o)), "SSL certificate status: unknown (2)");
}

TEST_F(OcspVerifyTest, UnsuccessfulOrMalformedResponses) {
  Options o;
  o.response_status = 3;
  EXPECT_EQ(refusal(make(o)), "Invalid OCSP response status: trylater (3)");
  EXPECT_EQ(refusal(Der{0x30, 0x00}), "Invalid OCSP response");
  Der truncated = make({});
  truncated.pop_back();
  EXPECT_EQ(refusal(truncated), "Invalid OCSP response");
}

// curl computes the CertID from the issuer in the chain the server sent.
TEST_F(OcspVerifyTest, IssuerMustBeInTheChain) {
  const std::vector<std::vector<uint8_t>> leaf_only = {pki_.leaf};
  auto r = verify_stapled_ocsp(crypto::default_provider(), leaf_only, make({}), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail(), "Error computing OCSP ID");
  // A certificate with the issuer's name but another key did not sign the leaf.
  const Der impostor = sign_cert(root_spec(other_key_, cn("OCSP test CA")), other_key_, other_key_);
  const std::vector<std::vector<uint8_t>> wrong = {pki_.leaf, impostor};
  r = verify_stapled_ocsp(crypto::default_provider(), wrong, make({}), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail(), "Error computing OCSP ID");
}

}  // namespace
}  // namespace hs::x509

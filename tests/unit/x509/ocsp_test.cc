// parse_ocsp_response / check_ocsp_response (x509/ocsp.h): the OCSPResponse and the
// BasicOCSPResponse inside it, built here by hand to the RFC 6960 §4.2.1 grammar; hs server's
// interop test staples real ones from `openssl ocsp`.
#include "x509/ocsp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "unit/x509/cert_builder.h"
#include "unit/x509/ocsp_builder.h"
#include "x509/der.h"

namespace hs::x509 {
namespace {

using testing::cat;
using testing::cert_id;
using testing::cn;
using testing::Der;
using testing::generalized;
using testing::kGood;
using testing::kOcspBasic;
using testing::kSha1;
using testing::kSha256WithRsa;
using testing::oid;
using testing::response;
using testing::seq;
using testing::single;
using testing::text;
using testing::tlv;

std::string reason(const Der& b) {
  auto r = parse_ocsp_response(b);
  EXPECT_FALSE(r.ok());
  if (r.ok()) {
    return "";
  }
  EXPECT_EQ(r.error().code(), ErrorCode::bad_certificate);
  EXPECT_FALSE(check_ocsp_response(b).ok());
  return r.error().message();
}

TEST(OcspResponse, ParsesAGoodResponse) {
  const Der der = response({single(kGood)});
  EXPECT_TRUE(check_ocsp_response(der).ok());
  auto r = parse_ocsp_response(der);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->responder_name, cn("ocsp"));
  EXPECT_TRUE(r->responder_key_hash.empty());
  ASSERT_EQ(r->responses.size(), 1u);
  const OcspSingleResponse& s = r->responses[0];
  EXPECT_EQ(s.status, OcspCertStatus::good);
  EXPECT_EQ(s.cert_id.hash_algorithm.oid, kSha1);
  EXPECT_EQ(s.cert_id.issuer_name_hash, Der(20, 0xAA));
  EXPECT_EQ(s.cert_id.issuer_key_hash, Der(20, 0xBB));
  EXPECT_EQ(s.cert_id.serial, (Der{0x12, 0x34}));
  EXPECT_EQ(s.this_update, 1'795'910'400);  // 2026-11-29T00:00:00Z
  ASSERT_TRUE(s.next_update.has_value());
  EXPECT_EQ(*s.next_update, 1'795'910'400 + 7 * 86'400);
  EXPECT_EQ(r->produced_at, 1'795'910'401);
  EXPECT_EQ(r->signature_algorithm.oid, kSha256WithRsa);
  EXPECT_EQ(r->signature, (Der{0x01, 0x02}));
  EXPECT_TRUE(r->certs.empty());
  EXPECT_EQ(ocsp_status_name(s.status), "good");
}

TEST(OcspResponse, RevokedWithAndWithoutReasonUnknownAndByKey) {
  const Der revoked = tlv(0xA1, cat({generalized("20261101000000Z"), tlv(0xA0, tlv(0x0A, {1}))}));
  const Der revoked_plain = tlv(0xA1, generalized("20261101000000Z"));
  auto r = parse_ocsp_response(
      response({single(revoked), single(revoked_plain, false), single(tlv(0x82, {}))},
               tlv(0xA2, tlv(0x04, Der(20, 0xCC)))));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->responses.size(), 3u);
  EXPECT_EQ(r->responses[0].status, OcspCertStatus::revoked);
  EXPECT_EQ(r->responses[0].revocation_time, 1'793'491'200);  // 2026-11-01
  EXPECT_EQ(r->responses[0].revocation_reason, 1);            // keyCompromise
  EXPECT_EQ(r->responses[1].status, OcspCertStatus::revoked);
  EXPECT_FALSE(r->responses[1].revocation_reason.has_value());
  EXPECT_FALSE(r->responses[1].next_update.has_value());
  EXPECT_EQ(r->responses[2].status, OcspCertStatus::unknown);
  EXPECT_EQ(r->responder_key_hash, Der(20, 0xCC));
  EXPECT_TRUE(r->responder_name.empty());
}

TEST(OcspResponse, RefusalsSayWhy) {
  auto outer = [](uint8_t status, const Der& type, const Der& body) {
    return seq({tlv(0x0A, {status}), tlv(0xA0, seq({oid(type), tlv(0x04, body)}))});
  };
  EXPECT_NE(reason(outer(3, kOcspBasic, {})).find("status 3, not successful (0)"),
            std::string::npos);
  EXPECT_NE(reason(seq({tlv(0x0A, {0})})).find("without responseBytes"), std::string::npos);
  Der nonce = kOcspBasic;
  nonce.back() = 0x02;  // id-pkix-ocsp-nonce, not a response type
  EXPECT_NE(reason(outer(0, nonce, {})).find("not id-pkix-ocsp-basic"), std::string::npos);
  EXPECT_NE(reason({}).find("not an OCSPResponse"), std::string::npos);
  EXPECT_NE(reason(cat({response({single(kGood)}), {0x00}})).find("not an OCSPResponse"),
            std::string::npos);
  Der integer_status = response({single(kGood)});
  integer_status[2] = 0x02;  // INTEGER where ENUMERATED belongs
  EXPECT_NE(reason(integer_status).find("not an OCSPResponse"), std::string::npos);
  // Malformed insides: an empty BasicOCSPResponse, no SingleResponse, a good status with
  // contents, an unknown CertStatus tag, a UTCTime where GeneralizedTime belongs.
  for (const Der& bad :
       {outer(0, kOcspBasic, seq({})), response({}), response({single(tlv(0x80, {0x00}))}),
        response({single(tlv(0x83, {}))}),
        response({tlv(0x30, cat({cert_id(), kGood, tlv(0x17, text("261129000000Z"))}))})}) {
    EXPECT_NE(reason(bad).find("malformed BasicOCSPResponse"), std::string::npos);
  }
}

}  // namespace
}  // namespace hs::x509

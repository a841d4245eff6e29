// check_ocsp_response (x509/ocsp.h): what a server accepts to staple. Responses are built by
// hand to the RFC 6960 §4.2.1 grammar; hs server's interop test staples a real one from
// `openssl ocsp`.
#include "x509/ocsp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "unit/x509/cert_builder.h"

namespace hs::x509 {
namespace {

using testing::cat;
using testing::Der;
using testing::oid;
using testing::seq;
using testing::tlv;

const Der kOcspBasic = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};

Der response(uint8_t status, const Der& type, bool with_bytes = true) {
  const Der enumerated = tlv(0x0A, {status});
  if (!with_bytes) {
    return seq({enumerated});
  }
  return seq({enumerated, tlv(0xA0, seq({oid(type), tlv(0x04, {0x30, 0x00})}))});
}

std::string reason(const Der& b) {
  auto r = check_ocsp_response(b);
  EXPECT_FALSE(r.ok());
  if (r.ok()) {
    return "";
  }
  EXPECT_EQ(r.error().code(), ErrorCode::bad_certificate);
  return r.error().message();
}

TEST(OcspResponse, SuccessfulBasicResponseIsAccepted) {
  EXPECT_TRUE(check_ocsp_response(response(0, kOcspBasic)).ok());
}

TEST(OcspResponse, RefusalsSayWhy) {
  EXPECT_NE(reason(response(3, kOcspBasic)).find("status 3, not successful (0)"),
            std::string::npos);
  EXPECT_NE(reason(response(0, kOcspBasic, false)).find("without responseBytes"),
            std::string::npos);
  Der other = kOcspBasic;
  other.back() = 0x02;  // id-pkix-ocsp-nonce, not a response type
  EXPECT_NE(reason(response(0, other)).find("not id-pkix-ocsp-basic"), std::string::npos);
  EXPECT_NE(reason({}).find("not an OCSPResponse"), std::string::npos);
  EXPECT_NE(reason(cat({response(0, kOcspBasic), {0x00}})).find("not an OCSPResponse"),
            std::string::npos);
  // INTEGER where ENUMERATED belongs.
  Der integer = response(0, kOcspBasic);
  integer[2] = 0x02;
  EXPECT_NE(reason(integer).find("not an OCSPResponse"), std::string::npos);
}

}  // namespace
}  // namespace hs::x509

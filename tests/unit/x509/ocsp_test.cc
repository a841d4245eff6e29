// check_ocsp_response (x509/ocsp.h): what a server accepts to staple. Responses are built by
// hand to the RFC 6960 §4.2.1 grammar; hs server's interop test staples a real one from
// `openssl ocsp`.
#include "x509/ocsp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hs::x509 {
namespace {

using Bytes = std::vector<uint8_t>;

// der wraps `body` as one element of `tag` (short-form lengths: the test values are small).
Bytes der(uint8_t tag, const Bytes& body) {
  Bytes out = {tag, static_cast<uint8_t>(body.size())};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes cat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

const Bytes kOcspBasic = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};

Bytes response(uint8_t status, const Bytes& oid, bool with_bytes = true) {
  Bytes body = der(0x0A, {status});
  if (with_bytes) {
    body = cat(body, der(0xA0, der(0x30, cat(der(0x06, oid), der(0x04, {0x30, 0x00})))));
  }
  return der(0x30, body);
}

std::string reason(const Bytes& b) {
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
  Bytes other = kOcspBasic;
  other.back() = 0x02;  // id-pkix-ocsp-nonce, not a response type
  EXPECT_NE(reason(response(0, other)).find("not id-pkix-ocsp-basic"), std::string::npos);
  EXPECT_NE(reason({}).find("not an OCSPResponse"), std::string::npos);
  EXPECT_NE(reason(cat(response(0, kOcspBasic), {0x00})).find("not an OCSPResponse"),
            std::string::npos);
  // INTEGER where ENUMERATED belongs.
  Bytes integer = response(0, kOcspBasic);
  integer[2] = 0x02;
  EXPECT_NE(reason(integer).find("not an OCSPResponse"), std::string::npos);
}

}  // namespace
}  // namespace hs::x509

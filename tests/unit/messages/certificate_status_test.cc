// OCSP stapling's bodies (messages/certificate_status.h): the ClientHello's status_request and
// the CertificateStatus the server answers with (RFC 6066 §8).
#include "messages/certificate_status.h"

#include <gtest/gtest.h>

#include "unit/messages/test_util.h"

namespace hs::messages {
namespace {

using testing::hex;

TEST(StatusRequest, OcspWithAndWithoutResponderIds) {
  auto plain = parse_status_request(hex("01 0000 0000"));
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain.value());
  // Two ResponderIDs (opaque<1..2^16-1>) and request extensions: shape checked, not kept.
  auto listed = parse_status_request(hex("01 0007 0001 aa 0002 bbcc 0003 300100"));
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed.value());
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_status_request_ocsp(out).ok());
  EXPECT_EQ(out, hex("01 0000 0000"));
}

TEST(StatusRequest, OtherStatusTypesAreIgnored) {
  // RFC 6066 defines only ocsp(1); another type's body is not ours to read.
  auto other = parse_status_request(hex("02 ff ff ff"));
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other.value());
}

TEST(StatusRequest, MalformedIsDecodeError) {
  for (const char* bad : {"", "01", "01 00", "01 0000", "01 0000 00", "01 0000 0000 00",
                          "01 0002 0000 0000",  // a zero-length ResponderID
                          "01 0003 0002 aa 0000", "01 0000 0002 00"}) {
    SCOPED_TRACE(bad);
    auto r = parse_status_request(hex(bad));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::decode_error);
  }
}

TEST(CertificateStatus, RoundTrip) {
  const CertificateStatus status{hex("30 03 0a 01 00")};
  std::vector<uint8_t> body;
  ASSERT_TRUE(serialize(status, body).ok());
  EXPECT_EQ(body, hex("01 000005 3003 0a0100"));
  auto parsed = parse_certificate_status(body);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value(), status);
  std::vector<uint8_t> none;
  EXPECT_EQ(serialize(CertificateStatus{}, none).error().code(), ErrorCode::internal_error);
}

TEST(CertificateStatus, MalformedIsDecodeError) {
  for (const char* bad : {"", "01", "01 0000", "01 000000",  // OCSPResponse<1..2^24-1>
                          "02 000001 00",                    // not ocsp
                          "01 000002 00", "01 000001 00 00"}) {
    SCOPED_TRACE(bad);
    auto r = parse_certificate_status(hex(bad));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::decode_error);
  }
}

}  // namespace
}  // namespace hs::messages

#include "messages/certificate_verify.h"

#include <gtest/gtest.h>

#include "unit/messages/test_util.h"

namespace hs::messages {
namespace {

using testing::body_of;
using testing::expect_error;
using testing::expect_prefixes_fail;
using testing::expect_trailing_byte_fails;
using testing::hex;
using testing::load_vector;

auto parse = [](std::span<const uint8_t> b) { return parse_certificate_verify(b); };

// RFC 8448 §3 (rsa_pss_rsae_sha256) and §6 (ecdsa_secp256r1_sha256 client signature).
TEST(CertificateVerify, Rfc8448KnownAnswers) {
  const auto full = load_vector("rfc8448_s3_certificate_verify");
  const auto body = body_of(full, HandshakeType::certificate_verify);
  auto cv = parse_certificate_verify(body);
  ASSERT_TRUE(cv.ok());
  EXPECT_EQ(cv->scheme, SignatureScheme::rsa_pss_rsae_sha256);
  EXPECT_EQ(cv->signature.size(), 128u);
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_message(cv.value(), out).ok());
  EXPECT_EQ(out, full);
  expect_prefixes_fail(body, parse);
  expect_trailing_byte_fails(body, parse);

  const auto full6 = load_vector("rfc8448_s6_certificate_verify_ecdsa");
  auto ecdsa = parse_certificate_verify(body_of(full6, HandshakeType::certificate_verify));
  ASSERT_TRUE(ecdsa.ok());
  EXPECT_EQ(ecdsa->scheme, SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_EQ(ecdsa->signature.size(), 0x47u);
  EXPECT_EQ(ecdsa->signature[0], 0x30);
}

TEST(CertificateVerify, BadPrefix) {
  expect_error(hex("08 04 00 03 aa bb"), parse, ErrorCode::decode_error);
  expect_error(hex("08"), parse, ErrorCode::decode_error);
  auto empty = parse(hex("08 04 00 00"));
  ASSERT_TRUE(empty.ok());  // signature<0..2^16-1>
}

}  // namespace
}  // namespace hs::messages

#include "messages/certificate_request.h"

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
using testing::round_trip;

auto parse12 = [](std::span<const uint8_t> b) { return parse_certificate_request12(b); };
auto parse13 = [](std::span<const uint8_t> b) { return parse_certificate_request13(b); };

// RFC 8448 §6 (client authentication): CertificateRequest with signature_algorithms only.
TEST(CertificateRequest13, Rfc8448KnownAnswer) {
  const auto full = load_vector("rfc8448_s6_certificate_request");
  const auto body = body_of(full, HandshakeType::certificate_request);
  auto cr = parse_certificate_request13(body);
  ASSERT_TRUE(cr.ok()) << cr.error().message();
  EXPECT_TRUE(cr->context.empty());
  ASSERT_EQ(cr->extensions.size(), 1u);
  EXPECT_EQ(cr->extensions[0].type, ExtensionType::signature_algorithms);
  auto schemes = parse_signature_algorithms(cr->extensions[0].data);
  ASSERT_TRUE(schemes.ok());
  EXPECT_EQ(schemes->size(), 15u);
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_message(cr.value(), out).ok());
  EXPECT_EQ(out, full);
  expect_prefixes_fail(body, parse13);
  expect_trailing_byte_fails(body, parse13);
}

TEST(CertificateRequest13, ExtensionsBelowMinimumAndDuplicates) {
  expect_error(hex("00 00 00"), parse13, ErrorCode::decode_error);  // extensions<2..2^16-1>
  expect_error(hex("00 00 08 00 0d 00 00 00 0d 00 00"), parse13, ErrorCode::duplicate_extension);
  std::vector<uint8_t> out;
  EXPECT_FALSE(serialize(CertificateRequest13{}, out).ok());
}

TEST(CertificateRequest12, RoundTripAndBounds) {
  CertificateRequest12 cr;
  cr.certificate_types = {kClientCertTypeRsaSign, kClientCertTypeEcdsaSign};
  cr.signature_algorithms = {SignatureScheme::rsa_pss_rsae_sha256,
                             SignatureScheme::ecdsa_secp256r1_sha256};
  cr.certificate_authorities = {hex("30 00"), hex("30 02 31 00")};
  const auto body = round_trip(cr, parse12);
  EXPECT_EQ(body, hex("02 01 40 00 04 08 04 04 03 00 0a 00 02 30 00 00 04 30 02 31 00"));
  expect_prefixes_fail(body, parse12);
  expect_trailing_byte_fails(body, parse12);
  expect_error(hex("00 00 02 04 03 00 00"), parse12, ErrorCode::decode_error);        // no types
  expect_error(hex("01 40 00 00 00 00"), parse12, ErrorCode::decode_error);           // no schemes
  expect_error(hex("01 40 00 03 04 03 00 00 00"), parse12, ErrorCode::decode_error);  // odd
  expect_error(hex("01 40 00 02 04 03 00 02 00 00"), parse12, ErrorCode::decode_error);  // empty DN
  auto no_cas = parse12(hex("01 40 00 02 04 03 00 00"));
  ASSERT_TRUE(no_cas.ok());
  EXPECT_TRUE(no_cas->certificate_authorities.empty());
}

}  // namespace
}  // namespace hs::messages

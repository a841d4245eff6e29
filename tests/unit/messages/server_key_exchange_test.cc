#include "messages/server_key_exchange.h"

#include <gtest/gtest.h>

#include "unit/messages/test_util.h"

namespace hs::messages {
namespace {

using testing::expect_error;
using testing::expect_prefixes_fail;
using testing::expect_trailing_byte_fails;
using testing::hex;
using testing::round_trip;

auto parse = [](std::span<const uint8_t> b) { return parse_server_key_exchange_ecdhe(b); };

ServerKeyExchangeEcdhe sample() {
  ServerKeyExchangeEcdhe ske;
  ske.group = NamedGroup::x25519;
  ske.public_key = std::vector<uint8_t>(32, 0x5A);
  ske.scheme = SignatureScheme::rsa_pss_rsae_sha256;
  ske.signature = std::vector<uint8_t>(256, 0xC3);
  return ske;
}

TEST(ServerKeyExchange, EncodingFollowsRfc8422Grammar) {
  ServerKeyExchangeEcdhe ske;
  ske.group = NamedGroup::secp256r1;
  ske.public_key = hex("04 01 02");
  ske.scheme = SignatureScheme::ecdsa_secp256r1_sha256;
  ske.signature = hex("aa bb");
  // curve_type named_curve(3), NamedCurve, ECPoint<1..2^8-1>, SignatureAndHashAlgorithm,
  // signature<0..2^16-1>.
  const auto body = round_trip(ske, parse);
  EXPECT_EQ(body, hex("03 00 17 03 04 01 02 04 03 00 02 aa bb"));
  EXPECT_EQ(ske_params_bytes(ske), hex("03 00 17 03 04 01 02"));
}

TEST(ServerKeyExchange, SignedContentIsRandomsThenParams) {
  auto ske = sample();
  std::array<uint8_t, 32> client_random;
  std::array<uint8_t, 32> server_random;
  client_random.fill(0x01);
  server_random.fill(0x02);
  const auto content = ske_signed_content(client_random, server_random, ske);
  ASSERT_EQ(content.size(), 32u + 32u + 4u + 32u);
  EXPECT_EQ(content[0], 0x01);
  EXPECT_EQ(content[31], 0x01);
  EXPECT_EQ(content[32], 0x02);
  EXPECT_EQ(content[63], 0x02);
  const auto params = ske_params_bytes(ske);
  EXPECT_EQ(std::vector<uint8_t>(content.begin() + 64, content.end()), params);
  // The signature is not part of what it signs.
  ske.signature.clear();
  EXPECT_EQ(ske_signed_content(client_random, server_random, ske), content);
}

TEST(ServerKeyExchange, TruncatedTrailingAndBounds) {
  std::vector<uint8_t> body;
  ASSERT_TRUE(serialize(sample(), body).ok());
  expect_prefixes_fail(body, parse);
  expect_trailing_byte_fails(body, parse);
  expect_error(hex("03 00 1d 00 08 04 00 00"), parse, ErrorCode::decode_error);  // empty point
  expect_error(hex("03 00 1d 01 aa 08 04 00 02 bb"), parse, ErrorCode::decode_error);
  auto empty_sig = parse(hex("03 00 1d 01 aa 08 04 00 00"));
  ASSERT_TRUE(empty_sig.ok());  // signature<0..2^16-1>
}

TEST(ServerKeyExchange, ExplicitCurvesAreIllegalParameter) {
  expect_error(hex("01 00 1d 01 aa 08 04 00 00"), parse, ErrorCode::illegal_parameter);
  expect_error(hex("02"), parse, ErrorCode::illegal_parameter);
  auto bad = sample();
  bad.curve_type = 1;
  std::vector<uint8_t> out;
  EXPECT_FALSE(serialize(bad, out).ok());
  auto big = sample();
  big.public_key.assign(256, 4);
  out.clear();
  EXPECT_EQ(serialize(big, out).error().code(), ErrorCode::internal_error);
}

}  // namespace
}  // namespace hs::messages

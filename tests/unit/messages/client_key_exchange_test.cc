#include "messages/client_key_exchange.h"

#include <gtest/gtest.h>

#include "unit/messages/test_util.h"

namespace hs::messages {
namespace {

using testing::expect_error;
using testing::expect_prefixes_fail;
using testing::expect_trailing_byte_fails;
using testing::hex;
using testing::round_trip;

auto parse = [](std::span<const uint8_t> b) { return parse_client_key_exchange_ecdhe(b); };

TEST(ClientKeyExchange, RoundTripAndNegatives) {
  ClientKeyExchangeEcdhe cke{std::vector<uint8_t>(65, 0x04)};
  const auto body = round_trip(cke, parse);
  ASSERT_EQ(body.size(), 66u);
  EXPECT_EQ(body[0], 65);
  expect_prefixes_fail(body, parse);
  expect_trailing_byte_fails(body, parse);
  expect_error(hex("00"), parse, ErrorCode::decode_error);  // point<1..2^8-1>
  expect_error(hex("02 aa"), parse, ErrorCode::decode_error);
  std::vector<uint8_t> out;
  EXPECT_FALSE(serialize(ClientKeyExchangeEcdhe{}, out).ok());
  out.clear();
  EXPECT_FALSE(serialize(ClientKeyExchangeEcdhe{std::vector<uint8_t>(256, 1)}, out).ok());
}

}  // namespace
}  // namespace hs::messages

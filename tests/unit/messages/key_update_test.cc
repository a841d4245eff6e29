#include "messages/key_update.h"

#include <gtest/gtest.h>

#include "unit/messages/test_util.h"

namespace hs::messages {
namespace {

using testing::hex;

TEST(KeyUpdate, ValuesAndLengths) {
  auto r0 = parse_key_update(hex("00"));
  ASSERT_TRUE(r0.ok());
  EXPECT_EQ(r0->request_update, KeyUpdateRequest::update_not_requested);
  auto r1 = parse_key_update(hex("01"));
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->request_update, KeyUpdateRequest::update_requested);
  // RFC 8446 §4.6.3: any other value -> illegal_parameter.
  EXPECT_EQ(parse_key_update(hex("02")).error().code(), ErrorCode::illegal_parameter);
  EXPECT_EQ(parse_key_update(hex("ff")).error().code(), ErrorCode::illegal_parameter);
  EXPECT_EQ(parse_key_update({}).error().code(), ErrorCode::decode_error);
  EXPECT_EQ(parse_key_update(hex("01 00")).error().code(), ErrorCode::decode_error);
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_message(KeyUpdate{KeyUpdateRequest::update_requested}, out).ok());
  EXPECT_EQ(out, hex("18 00 00 01 01"));
  out.clear();
  EXPECT_FALSE(serialize(KeyUpdate{static_cast<KeyUpdateRequest>(2)}, out).ok());
}

}  // namespace
}  // namespace hs::messages

#include "messages/alert.h"

#include <gtest/gtest.h>

#include "messages/change_cipher_spec.h"
#include "unit/messages/test_util.h"

namespace hs::messages {
namespace {

using testing::hex;

TEST(Alert, ExactlyTwoBytes) {
  // A fatal handshake_failure alert: 02 28 (RFC 8446 §6).
  auto a = parse_alert(hex("02 28"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->level, AlertLevel::fatal);
  EXPECT_EQ(a->description, AlertDescription::handshake_failure);
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize(a.value(), out).ok());
  EXPECT_EQ(out, hex("02 28"));
  auto close = parse_alert(hex("01 00"));
  ASSERT_TRUE(close.ok());
  EXPECT_EQ(close->description, AlertDescription::close_notify);
  auto unknown = parse_alert(hex("07 fe"));  // unknown values pass through for the caller
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(static_cast<uint8_t>(unknown->description), 0xfe);
  EXPECT_EQ(parse_alert({}).error().code(), ErrorCode::decode_error);
  EXPECT_EQ(parse_alert(hex("02")).error().code(), ErrorCode::decode_error);
  EXPECT_EQ(parse_alert(hex("02 28 00")).error().code(), ErrorCode::decode_error);
}

TEST(ChangeCipherSpec, OnlyTheSingleByteOne) {
  EXPECT_TRUE(parse_change_cipher_spec(hex("01")).ok());
  EXPECT_EQ(parse_change_cipher_spec({}).error().code(), ErrorCode::decode_error);
  EXPECT_EQ(parse_change_cipher_spec(hex("00")).error().code(), ErrorCode::decode_error);
  EXPECT_EQ(parse_change_cipher_spec(hex("02")).error().code(), ErrorCode::decode_error);
  EXPECT_EQ(parse_change_cipher_spec(hex("01 01")).error().code(), ErrorCode::decode_error);
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize(ChangeCipherSpec{}, out).ok());
  EXPECT_EQ(out, hex("01"));
}

}  // namespace
}  // namespace hs::messages

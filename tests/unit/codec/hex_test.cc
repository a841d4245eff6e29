// decode_hex (src/common/hex.h): the one hex decoder behind key log files, --psk and ticket key
// files. Exactly two digits per byte, either case, nothing else.
#include "common/hex.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace hs {
namespace {

TEST(Hex, DigitsOfBothCases) {
  EXPECT_EQ(hex_digit('0'), 0);
  EXPECT_EQ(hex_digit('9'), 9);
  EXPECT_EQ(hex_digit('a'), 10);
  EXPECT_EQ(hex_digit('F'), 15);
  for (char c : {'g', 'G', ' ', 'x', '/', ':', '@', '`', '\0'}) {
    EXPECT_FALSE(hex_digit(c).has_value()) << static_cast<int>(c);
  }
}

TEST(Hex, DecodesExactlyTwoDigitsPerByte) {
  std::array<uint8_t, 4> out{};
  ASSERT_TRUE(decode_hex("00fFa5C3", out));
  EXPECT_EQ(out, (std::array<uint8_t, 4>{0x00, 0xFF, 0xA5, 0xC3}));
  std::vector<uint8_t> none;
  EXPECT_TRUE(decode_hex("", none));
}

TEST(Hex, RefusesWrongLengthsAndNonDigits) {
  std::array<uint8_t, 2> out{};
  EXPECT_FALSE(decode_hex("abc", out));     // odd
  EXPECT_FALSE(decode_hex("ab", out));      // short
  EXPECT_FALSE(decode_hex("abcdef", out));  // long
  EXPECT_FALSE(decode_hex("0x12", out));    // prefix
  EXPECT_FALSE(decode_hex("ab c", out));    // separator
  EXPECT_FALSE(decode_hex("abcg", out));    // not a digit
  EXPECT_FALSE(decode_hex("+1+2", out));    // what stoi would have taken as a sign
}

}  // namespace
}  // namespace hs

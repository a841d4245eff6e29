#include "codec/reader.h"

#include <gtest/gtest.h>

#include <vector>

namespace hs::codec {
namespace {

TEST(Reader, ReadsBigEndianIntegers) {
  const std::vector<uint8_t> bytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
  Reader r(bytes);
  uint8_t a;
  uint16_t b;
  uint32_t c;
  ASSERT_TRUE(r.read_u8(a));
  ASSERT_TRUE(r.read_u16(b));
  ASSERT_TRUE(r.read_u24(c));
  EXPECT_EQ(a, 0x01);
  EXPECT_EQ(b, 0x0203);
  EXPECT_EQ(c, 0x040506u);
  EXPECT_TRUE(r.expect_end());
}

TEST(Reader, FailedReadConsumesNothing) {
  const std::vector<uint8_t> bytes = {0x01, 0x02, 0x03};
  Reader r(bytes);
  uint32_t v;
  EXPECT_FALSE(r.read_u32(v));
  EXPECT_EQ(r.remaining(), 3u);
  uint16_t w;
  EXPECT_TRUE(r.read_u16(w));
  EXPECT_EQ(w, 0x0102);
}

TEST(Reader, PrefixedChecksBoundsAndHidesTheRest) {
  const std::vector<uint8_t> bytes = {0x00, 0x02, 0xAA, 0xBB, 0xCC};
  Reader r(bytes);
  Reader body;
  ASSERT_TRUE(r.read_prefixed(Len::u16, 1, 0xFFFF, body));
  EXPECT_EQ(body.remaining(), 2u);
  uint32_t too_much;
  EXPECT_FALSE(body.read_u24(too_much));  // cannot see past the field
  EXPECT_EQ(r.remaining(), 1u);
}

TEST(Reader, PrefixedRejectsOutOfRangeLengths) {
  const std::vector<uint8_t> over = {0x00, 0x05, 0xAA};  // claims 5, has 1
  Reader r1(over);
  Reader body;
  EXPECT_FALSE(r1.read_prefixed(Len::u16, 0, 0xFFFF, body));
  EXPECT_EQ(r1.remaining(), 3u);

  const std::vector<uint8_t> empty = {0x00};
  Reader r2(empty);
  EXPECT_FALSE(r2.read_prefixed(Len::u8, 1, 0xFF, body));  // below RFC minimum

  const std::vector<uint8_t> big = {0x03, 1, 2, 3};
  Reader r3(big);
  EXPECT_FALSE(r3.read_prefixed(Len::u8, 0, 2, body));  // above RFC maximum
}

TEST(Reader, U24PrefixAndTakeRest) {
  const std::vector<uint8_t> bytes = {0x00, 0x00, 0x01, 0x7F, 0x10, 0x11};
  Reader r(bytes);
  std::span<const uint8_t> field;
  ASSERT_TRUE(r.read_prefixed_bytes(Len::u24, 0, 0xFFFFFF, field));
  ASSERT_EQ(field.size(), 1u);
  EXPECT_EQ(field[0], 0x7F);
  auto rest = r.take_rest();
  EXPECT_EQ(rest.size(), 2u);
  EXPECT_TRUE(r.expect_end());
}

}  // namespace
}  // namespace hs::codec

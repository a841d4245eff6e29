#include "codec/writer.h"

#include <gtest/gtest.h>

#include <vector>

namespace hs::codec {
namespace {

TEST(Writer, NestedPrefixesAreFilledOnClose) {
  std::vector<uint8_t> out;
  Writer w(out);
  {
    auto outer = w.open_prefixed(Len::u16);
    outer.write_u8(0x01);
    {
      auto inner = outer.open_prefixed(Len::u8);
      inner.write_u16(0xBEEF);
    }
  }
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(out, (std::vector<uint8_t>{0x00, 0x04, 0x01, 0x02, 0xBE, 0xEF}));
}

TEST(Writer, BodyLargerThanPrefixFailsInsteadOfTruncating) {
  std::vector<uint8_t> out;
  Writer w(out);
  {
    auto body = w.open_prefixed(Len::u8);
    std::vector<uint8_t> big(256, 0x42);
    body.write_bytes(big);
  }
  EXPECT_FALSE(w.ok());
}

TEST(Writer, RfcMaximumIsEnforced) {
  std::vector<uint8_t> out;
  Writer w(out);
  {
    auto body = w.open_prefixed(Len::u16, /*max=*/2);
    body.write_u24(0x010203);
  }
  EXPECT_FALSE(w.ok());
}

TEST(Writer, RoundTripsThroughReader) {
  std::vector<uint8_t> out;
  Writer w(out);
  w.write_u64(0x0102030405060708ULL);
  const std::vector<uint8_t> payload = {9, 8, 7};
  w.write_prefixed_bytes(Len::u24, payload);
  ASSERT_TRUE(w.ok());

  Reader r(out);
  uint64_t v;
  std::span<const uint8_t> got;
  ASSERT_TRUE(r.read_u64(v));
  ASSERT_TRUE(r.read_prefixed_bytes(Len::u24, 0, 0xFFFFFF, got));
  EXPECT_EQ(v, 0x0102030405060708ULL);
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.end()), payload);
  EXPECT_TRUE(r.expect_end());
}

}  // namespace
}  // namespace hs::codec

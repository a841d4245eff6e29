// SecretBytes: inline storage up to kInline bytes, the heap beyond; every move leaves the source
// empty, resize keeps the prefix across the inline/heap boundary.
#include <gtest/gtest.h>
#include <hs/secret.h>

#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

namespace hs {
namespace {

std::vector<uint8_t> counting(size_t n) {
  std::vector<uint8_t> v(n);
  std::iota(v.begin(), v.end(), uint8_t{1});
  return v;
}

std::vector<uint8_t> bytes_of(const SecretBytes& s) {
  return {s.expose().begin(), s.expose().end()};
}

class SecretBytesSizes : public ::testing::TestWithParam<size_t> {};

TEST_P(SecretBytesSizes, HoldsCopiesAndMovesItsBytes) {
  const std::vector<uint8_t> want = counting(GetParam());
  SecretBytes a(want);
  EXPECT_EQ(a.size(), want.size());
  EXPECT_EQ(a.empty(), want.empty());
  EXPECT_EQ(bytes_of(a), want);

  SecretBytes copy = a.clone();
  EXPECT_EQ(bytes_of(copy), want);
  EXPECT_NE(copy.expose().data(), a.expose().data());

  SecretBytes moved(std::move(a));
  EXPECT_EQ(bytes_of(moved), want);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified

  SecretBytes assigned(counting(3));
  assigned = std::move(moved);
  EXPECT_EQ(bytes_of(assigned), want);
  EXPECT_TRUE(moved.empty());  // NOLINT(bugprone-use-after-move)
}

TEST_P(SecretBytesSizes, SizedConstructorZeroes) {
  SecretBytes z(GetParam());
  EXPECT_EQ(bytes_of(z), std::vector<uint8_t>(GetParam(), 0));
}

INSTANTIATE_TEST_SUITE_P(InlineAndHeap, SecretBytesSizes,
                         ::testing::Values(0, 1, 32, 48, SecretBytes::kInline,
                                           SecretBytes::kInline + 1, 104, 1000));

TEST(SecretBytes, ResizeKeepsThePrefixAcrossTheInlineLimit) {
  const std::vector<uint8_t> start = counting(40);
  SecretBytes s(start);
  s.resize(SecretBytes::kInline + 40);  // inline -> heap
  std::vector<uint8_t> want = start;
  want.resize(SecretBytes::kInline + 40, 0);
  EXPECT_EQ(bytes_of(s), want);

  s.resize(10);  // shrinking keeps the first bytes
  EXPECT_EQ(bytes_of(s), counting(10));
  s.resize(20);  // regrown bytes read as zero, not as the bytes cut before
  want = counting(10);
  want.resize(20, 0);
  EXPECT_EQ(bytes_of(s), want);
}

TEST(SecretBytes, ShrunkInlineBytesReadAsZeroWhenRegrown) {
  SecretBytes s(counting(SecretBytes::kInline));
  s.resize(4);
  s.resize(SecretBytes::kInline);
  std::vector<uint8_t> want = counting(4);
  want.resize(SecretBytes::kInline, 0);
  EXPECT_EQ(bytes_of(s), want);
}

TEST(SecretBytes, ExposeMutWritesThrough) {
  SecretBytes s(size_t{5});
  s.expose_mut()[4] = 0x7f;
  EXPECT_EQ(bytes_of(s), (std::vector<uint8_t>{0, 0, 0, 0, 0x7f}));
}

}  // namespace
}  // namespace hs

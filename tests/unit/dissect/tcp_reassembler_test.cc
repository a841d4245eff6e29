// TcpReassembler with hand-built segments: in order, out of order, retransmitted, overlapping,
// sequence-number wrap, gaps and the pending bound.
#include "dissect/tcp_reassembler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hs::dissect {
namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }
std::string text(const std::vector<uint8_t>& b) { return {b.begin(), b.end()}; }

constexpr uint32_t kIsn = 1000;

TEST(TcpReassembler, InOrderAfterSyn) {
  TcpReassembler r;
  EXPECT_TRUE(r.add(kIsn, /*syn=*/true, false, {}).empty());
  auto a = bytes("hello ");
  auto b = bytes("world");
  EXPECT_EQ(text(r.add(kIsn + 1, false, false, a)), "hello ");
  EXPECT_EQ(text(r.add(kIsn + 7, false, false, b)), "world");
  EXPECT_EQ(r.delivered(), 11u);
  EXPECT_EQ(r.retransmitted_segments(), 0u);
}

TEST(TcpReassembler, OutOfOrderIsHeldUntilTheGapFills) {
  TcpReassembler r;
  (void)r.add(kIsn, true, false, {});
  auto c = bytes("CCC");
  auto b = bytes("BBB");
  auto a = bytes("AAA");
  EXPECT_TRUE(r.add(kIsn + 7, false, false, c).empty());
  EXPECT_TRUE(r.add(kIsn + 4, false, false, b).empty());
  EXPECT_EQ(r.pending_bytes(), 6u);
  EXPECT_EQ(r.gap_before_pending(), 3u);
  EXPECT_EQ(text(r.add(kIsn + 1, false, false, a)), "AAABBBCCC");
  EXPECT_EQ(r.pending_bytes(), 0u);
}

TEST(TcpReassembler, RetransmissionIsDeliveredOnce) {
  TcpReassembler r;
  (void)r.add(kIsn, true, false, {});
  auto a = bytes("AAAA");
  EXPECT_EQ(text(r.add(kIsn + 1, false, false, a)), "AAAA");
  EXPECT_TRUE(r.add(kIsn + 1, false, false, a).empty());
  EXPECT_EQ(r.retransmitted_segments(), 1u);
  // A retransmitted SYN after data changes nothing.
  EXPECT_TRUE(r.add(kIsn, true, false, {}).empty());
  auto b = bytes("B");
  EXPECT_EQ(text(r.add(kIsn + 5, false, false, b)), "B");
}

TEST(TcpReassembler, OverlappingSegmentKeepsTheFirstCopy) {
  TcpReassembler r;
  (void)r.add(kIsn, true, false, {});
  auto first = bytes("abcd");
  auto overlap = bytes("XXef");  // repeats offsets 2..3 with different bytes, adds "ef"
  EXPECT_EQ(text(r.add(kIsn + 1, false, false, first)), "abcd");
  EXPECT_EQ(text(r.add(kIsn + 3, false, false, overlap)), "ef");
  EXPECT_EQ(r.overlapping_segments(), 1u);
}

TEST(TcpReassembler, OverlappingHeldSegmentsDrainWithoutDuplicates) {
  TcpReassembler r;
  (void)r.add(kIsn, true, false, {});
  auto late1 = bytes("cdef");  // offsets 2..5
  auto late2 = bytes("efgh");  // offsets 4..7, overlaps late1
  auto inner = bytes("de");    // offsets 3..4, wholly inside late1
  auto head = bytes("ab");
  EXPECT_TRUE(r.add(kIsn + 3, false, false, late1).empty());
  EXPECT_TRUE(r.add(kIsn + 5, false, false, late2).empty());
  EXPECT_TRUE(r.add(kIsn + 4, false, false, inner).empty());
  EXPECT_EQ(text(r.add(kIsn + 1, false, false, head)), "abcdefgh");
  EXPECT_EQ(r.delivered(), 8u);
}

TEST(TcpReassembler, SameOffsetKeepsTheLongerHeldCopy) {
  TcpReassembler r;
  (void)r.add(kIsn, true, false, {});
  auto shorter = bytes("cd");
  auto longer = bytes("cdef");
  EXPECT_TRUE(r.add(kIsn + 3, false, false, shorter).empty());
  EXPECT_TRUE(r.add(kIsn + 3, false, false, longer).empty());
  auto head = bytes("ab");
  EXPECT_EQ(text(r.add(kIsn + 1, false, false, head)), "abcdef");
}

TEST(TcpReassembler, SequenceNumbersWrap) {
  TcpReassembler r;
  uint32_t isn = 0xFFFFFFFD;
  (void)r.add(isn, true, false, {});
  auto a = bytes("xy");  // 0xFFFFFFFE, 0xFFFFFFFF
  auto b = bytes("zw");  // 0, 1 after the wrap
  EXPECT_TRUE(r.add(0, false, false, b).empty());
  EXPECT_EQ(text(r.add(isn + 1, false, false, a)), "xyzw");
}

TEST(TcpReassembler, MidStreamCaptureStartsAtTheFirstSegment) {
  TcpReassembler r;
  auto a = bytes("mid");
  EXPECT_EQ(text(r.add(123456, false, false, a)), "mid");
  auto old = bytes("old");
  EXPECT_TRUE(r.add(123000, false, false, old).empty());  // before the capture's start
  EXPECT_EQ(r.retransmitted_segments(), 1u);
}

TEST(TcpReassembler, PendingIsBounded) {
  TcpReassembler r(/*max_pending=*/4);
  (void)r.add(kIsn, true, false, {});
  auto far = bytes("12345");
  EXPECT_TRUE(r.add(kIsn + 100, false, false, far).empty());
  EXPECT_EQ(r.dropped_segments(), 1u);
  EXPECT_EQ(r.pending_bytes(), 0u);
}

TEST(TcpReassembler, FinIsRemembered) {
  TcpReassembler r;
  (void)r.add(kIsn, true, false, {});
  auto a = bytes("bye");
  EXPECT_EQ(text(r.add(kIsn + 1, false, true, a)), "bye");
  EXPECT_TRUE(r.saw_fin());
}

}  // namespace
}  // namespace hs::dissect

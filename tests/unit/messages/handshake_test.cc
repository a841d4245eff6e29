#include "messages/handshake.h"

#include <gtest/gtest.h>

#include "messages/finished.h"
#include "unit/messages/test_util.h"

namespace hs::messages {
namespace {

using testing::hex;
using testing::load_vector;

TEST(Handshake, ParsesOneMessageAndBorrowsBodyAndRaw) {
  // Two messages back to back: RFC 8448 §4 EndOfEarlyData, then a 2-byte unknown type 0x63.
  auto bytes = load_vector("rfc8448_s4_end_of_early_data");
  ASSERT_EQ(bytes, hex("05 00 00 00"));
  const auto second = hex("63 00 00 02 aa bb");
  bytes.insert(bytes.end(), second.begin(), second.end());
  codec::Reader in(bytes);
  auto first = parse_handshake_header(in);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->type, HandshakeType::end_of_early_data);
  EXPECT_TRUE(first->body.empty());
  EXPECT_EQ(first->raw.size(), 4u);
  EXPECT_EQ(first->raw.data(), bytes.data());
  auto next = parse_handshake_header(in);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(static_cast<uint8_t>(next->type), 0x63);  // unknown types pass through
  EXPECT_EQ(std::vector<uint8_t>(next->body.begin(), next->body.end()), hex("aa bb"));
  EXPECT_EQ(std::vector<uint8_t>(next->raw.begin(), next->raw.end()), second);
  EXPECT_TRUE(in.empty());
}

TEST(Handshake, IncompleteMessageIsDecodeErrorAndConsumesNothing) {
  const auto full = load_vector("rfc8448_s3_server_finished");
  for (size_t n = 0; n < full.size(); ++n) {
    codec::Reader in(std::span<const uint8_t>(full).first(n));
    auto r = parse_handshake_header(in);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code(), ErrorCode::decode_error);
    EXPECT_EQ(in.remaining(), n);
  }
}

TEST(Handshake, MessageSizeForReassembly) {
  const auto full = load_vector("rfc8448_s3_server_finished");
  EXPECT_FALSE(handshake_message_size(std::span<const uint8_t>(full).first(3)).has_value());
  EXPECT_EQ(handshake_message_size(std::span<const uint8_t>(full).first(4)), 36u);
  EXPECT_EQ(handshake_message_size(full), 36u);
}

TEST(Handshake, WriteAndSerializeMessageProduceTheRfcBytes) {
  const auto full = load_vector("rfc8448_s3_server_finished");
  std::vector<uint8_t> out;
  write_handshake(HandshakeType::finished, std::span<const uint8_t>(full).subspan(4), out);
  EXPECT_EQ(out, full);

  auto fin = parse_finished(std::span<const uint8_t>(full).subspan(4), 32);
  ASSERT_TRUE(fin.ok());
  std::vector<uint8_t> again = {0xEE};  // serialize_message appends
  ASSERT_TRUE(serialize_message(fin.value(), again).ok());
  ASSERT_EQ(again.size(), 37u);
  EXPECT_EQ(std::vector<uint8_t>(again.begin() + 1, again.end()), full);
}

TEST(Handshake, SerializeMessageFailureLeavesOutputUnchanged) {
  std::vector<uint8_t> out = {1, 2};
  EXPECT_FALSE(serialize_message(Finished{}, out).ok());  // empty verify_data
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 2}));
}

}  // namespace
}  // namespace hs::messages

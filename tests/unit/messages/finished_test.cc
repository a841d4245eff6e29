#include "messages/finished.h"

#include <gtest/gtest.h>

#include "unit/messages/test_util.h"

namespace hs::messages {
namespace {

using testing::body_of;
using testing::hex;
using testing::load_vector;

// RFC 8448 §3: the server Finished (SHA-256, 32 bytes).
TEST(Finished, Rfc8448KnownAnswer) {
  const auto full = load_vector("rfc8448_s3_server_finished");
  const auto body = body_of(full, HandshakeType::finished);
  auto fin = parse_finished(body, 32);
  ASSERT_TRUE(fin.ok());
  EXPECT_EQ(fin->verify_data, hex("9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c 30"
                                  "95 72 cb 7f ff ee 54 54 b7 8f 07 18"));
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_message(fin.value(), out).ok());
  EXPECT_EQ(out, full);
  // Any other expected length is a decode_error: shorter, longer, TLS 1.2's 12.
  EXPECT_EQ(parse_finished(body, 48).error().code(), ErrorCode::decode_error);
  EXPECT_EQ(parse_finished(body, 12).error().code(), ErrorCode::decode_error);
  for (size_t n = 0; n < body.size(); ++n) {
    EXPECT_FALSE(parse_finished(std::span<const uint8_t>(body).first(n), 32).ok());
  }
}

TEST(Finished, Tls12TwelveBytes) {
  const auto vd = hex("01 02 03 04 05 06 07 08 09 0a 0b 0c");
  auto fin = parse_finished(vd, kVerifyDataLength12);
  ASSERT_TRUE(fin.ok());
  EXPECT_EQ(fin->verify_data, vd);
  auto longer = vd;
  longer.push_back(0);
  EXPECT_EQ(parse_finished(longer, kVerifyDataLength12).error().code(), ErrorCode::decode_error);
  std::vector<uint8_t> out;
  EXPECT_FALSE(serialize(Finished{}, out).ok());
}

}  // namespace
}  // namespace hs::messages

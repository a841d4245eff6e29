#include "messages/server_hello_done.h"

#include <gtest/gtest.h>

#include "messages/end_of_early_data.h"
#include "unit/messages/test_util.h"

namespace hs::messages {
namespace {

using testing::body_of;
using testing::hex;
using testing::load_vector;

TEST(ServerHelloDone, EmptyBodyOnly) {
  EXPECT_TRUE(parse_server_hello_done({}).ok());
  EXPECT_EQ(parse_server_hello_done(hex("00")).error().code(), ErrorCode::decode_error);
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_message(ServerHelloDone{}, out).ok());
  EXPECT_EQ(out, hex("0e 00 00 00"));
}

// RFC 8448 §4: EndOfEarlyData is "05 00 00 00".
TEST(EndOfEarlyData, Rfc8448KnownAnswerAndNonEmptyBody) {
  const auto full = load_vector("rfc8448_s4_end_of_early_data");
  EXPECT_TRUE(parse_end_of_early_data(body_of(full, HandshakeType::end_of_early_data)).ok());
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_message(EndOfEarlyData{}, out).ok());
  EXPECT_EQ(out, full);
  EXPECT_EQ(parse_end_of_early_data(hex("00")).error().code(), ErrorCode::decode_error);
}

}  // namespace
}  // namespace hs::messages

#include "messages/new_session_ticket.h"

#include <gtest/gtest.h>

#include "unit/messages/test_util.h"

namespace hs::messages {
namespace {

using testing::body_of;
using testing::expect_error;
using testing::expect_prefixes_fail;
using testing::expect_trailing_byte_fails;
using testing::hex;
using testing::load_vector;
using testing::round_trip;

auto parse12 = [](std::span<const uint8_t> b) { return parse_new_session_ticket12(b); };
auto parse13 = [](std::span<const uint8_t> b) { return parse_new_session_ticket13(b); };

// RFC 8448 §3: NewSessionTicket with lifetime 30, nonce 00 00, a 178-byte ticket and
// early_data(max_early_data_size = 1024).
TEST(NewSessionTicket13, Rfc8448KnownAnswer) {
  const auto full = load_vector("rfc8448_s3_new_session_ticket");
  const auto body = body_of(full, HandshakeType::new_session_ticket);
  auto nst = parse_new_session_ticket13(body);
  ASSERT_TRUE(nst.ok()) << nst.error().message();
  EXPECT_EQ(nst->lifetime, 30u);
  EXPECT_EQ(nst->age_add, 0xfad6aac5u);
  EXPECT_EQ(nst->nonce, hex("00 00"));
  EXPECT_EQ(nst->ticket.size(), 178u);
  ASSERT_EQ(nst->extensions.size(), 1u);
  EXPECT_EQ(nst->extensions[0].type, ExtensionType::early_data);
  auto max_early = parse_early_data_nst(nst->extensions[0].data);
  ASSERT_TRUE(max_early.ok());
  EXPECT_EQ(max_early.value(), 1024u);
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_message(nst.value(), out).ok());
  EXPECT_EQ(out, full);
  expect_prefixes_fail(body, parse13);
  expect_trailing_byte_fails(body, parse13);
}

TEST(NewSessionTicket13, EmptyTicketAndDuplicates) {
  // ticket<1..2^16-1>
  expect_error(hex("00 00 00 01 00 00 00 02 00 00 00 00 00"), parse13, ErrorCode::decode_error);
  expect_error(hex("00 00 00 01 00 00 00 02 00 00 01 aa 00 10 00 2a 00 04 00 00 00 01 00 2a 00 "
                   "04 00 00 00 01"),
               parse13, ErrorCode::duplicate_extension);
  std::vector<uint8_t> out;
  EXPECT_FALSE(serialize(NewSessionTicket13{}, out).ok());
}

TEST(NewSessionTicket12, RoundTripAndNegatives) {
  NewSessionTicket12 nst{7200, hex("de ad be ef")};
  const auto body = round_trip(nst, parse12);
  EXPECT_EQ(body, hex("00 00 1c 20 00 04 de ad be ef"));
  expect_prefixes_fail(body, parse12);
  expect_trailing_byte_fails(body, parse12);
  auto empty = parse12(hex("00 00 00 00 00 00"));
  ASSERT_TRUE(empty.ok());  // ticket<0..2^16-1>: the server declines to issue one
  EXPECT_TRUE(empty->ticket.empty());
  expect_error(hex("00 00 00 00 00 05 aa"), parse12, ErrorCode::decode_error);
}

}  // namespace
}  // namespace hs::messages

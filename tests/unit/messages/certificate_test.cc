#include "messages/certificate.h"

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

auto parse12 = [](std::span<const uint8_t> b) { return parse_certificate12(b); };
auto parse13 = [](std::span<const uint8_t> b) { return parse_certificate13(b); };

// RFC 8448 §3: the server's TLS 1.3 Certificate (one RSA certificate, no extensions).
TEST(Certificate13, Rfc8448KnownAnswerAndIdenticalBytes) {
  const auto full = load_vector("rfc8448_s3_certificate");
  const auto body = body_of(full, HandshakeType::certificate);
  auto cert = parse_certificate13(body);
  ASSERT_TRUE(cert.ok()) << cert.error().message();
  EXPECT_TRUE(cert->request_context.empty());
  ASSERT_EQ(cert->entries.size(), 1u);
  EXPECT_EQ(cert->entries[0].cert_data.size(), 0x1b0u);
  EXPECT_EQ(cert->entries[0].cert_data[0], 0x30);  // DER SEQUENCE
  EXPECT_TRUE(cert->entries[0].extensions.empty());
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_message(cert.value(), out).ok());
  EXPECT_EQ(out, full);
  expect_prefixes_fail(body, parse13);
  expect_trailing_byte_fails(body, parse13);
}

TEST(Certificate13, EntryExtensionsRoundTripAndDuplicates) {
  Certificate13 msg;
  msg.request_context = hex("01 02");
  msg.entries = {{hex("30 01 aa"), {{ExtensionType::status_request, hex("01 00")}}},
                 {hex("30 00"), {}}};
  const auto body = round_trip(msg, parse13);
  expect_prefixes_fail(body, parse13);
  Certificate13 dup;
  dup.entries = {
      {hex("30 00"), {{ExtensionType::status_request, {}}, {ExtensionType::status_request, {}}}}};
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize(dup, out).ok());
  expect_error(out, parse13, ErrorCode::duplicate_extension);
}

TEST(Certificate13, BadPrefixesAndEmptyCertData) {
  // Empty cert_data: opaque cert_data<1..2^24-1>.
  expect_error(hex("00 00 00 05 00 00 00 00 00"), parse13, ErrorCode::decode_error);
  // certificate_list length runs past the body.
  expect_error(hex("00 00 00 09 00 00 01 aa 00 00"), parse13, ErrorCode::decode_error);
  // Missing extensions block after cert_data.
  expect_error(hex("00 00 00 04 00 00 01 aa"), parse13, ErrorCode::decode_error);
  Certificate13 empty_cert;
  empty_cert.entries = {{{}, {}}};
  std::vector<uint8_t> out;
  EXPECT_FALSE(serialize(empty_cert, out).ok());
}

TEST(Certificate12, RoundTripEmptyChainAndBounds) {
  Certificate12 msg;
  msg.chain = {hex("30 03 01 02 03"), hex("30 00")};
  const auto body = round_trip(msg, parse12);
  EXPECT_EQ(body, hex("00 00 0d 00 00 05 30 03 01 02 03 00 00 02 30 00"));
  expect_prefixes_fail(body, parse12);
  expect_trailing_byte_fails(body, parse12);
  auto empty = parse12(hex("00 00 00"));
  ASSERT_TRUE(empty.ok());  // certificate_list<0..2^24-1>: a client without a certificate
  EXPECT_TRUE(empty->chain.empty());
  expect_error(hex("00 00 03 00 00 00"), parse12, ErrorCode::decode_error);  // ASN.1Cert<1..>
  expect_error(hex("00 00 04 00 00 02 aa"), parse12, ErrorCode::decode_error);
  Certificate12 bad;
  bad.chain = {{}};
  std::vector<uint8_t> out;
  EXPECT_FALSE(serialize(bad, out).ok());
}

}  // namespace
}  // namespace hs::messages

#include "messages/encrypted_extensions.h"

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

auto parse = [](std::span<const uint8_t> b) { return parse_encrypted_extensions(b); };

// RFC 8448 §3: supported_groups, record_size_limit, server_name (empty).
TEST(EncryptedExtensions, Rfc8448KnownAnswer) {
  const auto full = load_vector("rfc8448_s3_encrypted_extensions");
  const auto body = body_of(full, HandshakeType::encrypted_extensions);
  auto ee = parse_encrypted_extensions(body);
  ASSERT_TRUE(ee.ok());
  ASSERT_EQ(ee->extensions.size(), 3u);
  EXPECT_EQ(ee->extensions[0].type, ExtensionType::supported_groups);
  EXPECT_EQ(ee->extensions[1].type, ExtensionType::record_size_limit);
  EXPECT_EQ(parse_record_size_limit(ee->extensions[1].data).value(), 0x4001);
  EXPECT_EQ(ee->extensions[2].type, ExtensionType::server_name);
  EXPECT_TRUE(parse_server_name_ack(ee->extensions[2].data).ok());
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_message(ee.value(), out).ok());
  EXPECT_EQ(out, full);
  expect_prefixes_fail(body, parse);
  expect_trailing_byte_fails(body, parse);
}

TEST(EncryptedExtensions, EmptyAndDuplicates) {
  auto empty = parse(hex("00 00"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->extensions.empty());
  expect_error({}, parse, ErrorCode::decode_error);
  expect_error(hex("00 08 00 00 00 00 00 00 00 00"), parse, ErrorCode::duplicate_extension);
}

}  // namespace
}  // namespace hs::messages

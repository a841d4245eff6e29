#include "messages/server_hello.h"

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

auto parse = [](std::span<const uint8_t> b) { return parse_server_hello(b); };

std::vector<uint8_t> rfc8448_body() {
  return body_of(load_vector("rfc8448_s3_server_hello"), HandshakeType::server_hello);
}

// RFC 8448 §3 "Simple 1-RTT Handshake": the ServerHello.
TEST(ServerHello, Rfc8448SimpleOneRttKnownAnswer) {
  auto sh = parse_server_hello(rfc8448_body());
  ASSERT_TRUE(sh.ok()) << sh.error().message();
  EXPECT_EQ(sh->legacy_version, ProtocolVersion::tls1_2);
  EXPECT_EQ(sh->random[0], 0xa6);
  EXPECT_EQ(sh->random[31], 0x28);
  EXPECT_TRUE(sh->legacy_session_id.empty());
  EXPECT_EQ(sh->cipher_suite, CipherSuite::TLS_AES_128_GCM_SHA256);
  EXPECT_EQ(sh->compression_method, 0);
  EXPECT_FALSE(is_hello_retry_request(sh.value()));
  EXPECT_EQ(downgrade_sentinel(sh->random), DowngradeSentinel::none);
  ASSERT_EQ(sh->extensions.size(), 2u);
  const Extension* ks = find_extension(sh->extensions, ExtensionType::key_share);
  ASSERT_NE(ks, nullptr);
  auto share = parse_key_share_server(ks->data);
  ASSERT_TRUE(share.ok());
  EXPECT_EQ(share->group, NamedGroup::x25519);
  // RFC 8448 §3: the server's ephemeral x25519 public key.
  EXPECT_EQ(share->key_exchange, hex("c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1 56 d6 cc 25"
                                     "3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f"));
  const Extension* sv = find_extension(sh->extensions, ExtensionType::supported_versions);
  ASSERT_NE(sv, nullptr);
  auto v = parse_supported_versions_server(sv->data);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.value(), ProtocolVersion::tls1_3);
}

TEST(ServerHello, Rfc8448SerializesBackToIdenticalBytes) {
  for (const char* name : {"rfc8448_s3_server_hello", "rfc8448_s4_server_hello_psk",
                           "rfc8448_s5_hello_retry_request"}) {
    const auto full = load_vector(name);
    auto sh = parse_server_hello(body_of(full, HandshakeType::server_hello));
    ASSERT_TRUE(sh.ok()) << name;
    std::vector<uint8_t> out;
    ASSERT_TRUE(serialize_message(sh.value(), out).ok());
    EXPECT_EQ(out, full) << name;
  }
}

// RFC 8448 §5: HelloRetryRequest with key_share(selected_group) and a cookie.
TEST(ServerHello, Rfc8448HelloRetryRequest) {
  auto hrr = parse_server_hello(
      body_of(load_vector("rfc8448_s5_hello_retry_request"), HandshakeType::server_hello));
  ASSERT_TRUE(hrr.ok());
  EXPECT_TRUE(is_hello_retry_request(hrr.value()));
  const Extension* ks = find_extension(hrr->extensions, ExtensionType::key_share);
  ASSERT_NE(ks, nullptr);
  auto group = parse_key_share_hrr(ks->data);
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group.value(), NamedGroup::secp256r1);
  const Extension* cookie = find_extension(hrr->extensions, ExtensionType::cookie);
  ASSERT_NE(cookie, nullptr);
  auto c = parse_cookie(cookie->data);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), 0x72u);  // 00 2c 00 74 00 72 ...
}

// RFC 8448 §4: resumption ServerHello selects PSK identity 0.
TEST(ServerHello, Rfc8448SelectedPskIdentity) {
  auto sh = parse_server_hello(
      body_of(load_vector("rfc8448_s4_server_hello_psk"), HandshakeType::server_hello));
  ASSERT_TRUE(sh.ok());
  const Extension* psk = find_extension(sh->extensions, ExtensionType::pre_shared_key);
  ASSERT_NE(psk, nullptr);
  auto selected = parse_pre_shared_key_server(psk->data);
  ASSERT_TRUE(selected.ok());
  EXPECT_EQ(selected.value(), 0);
}

TEST(ServerHello, DowngradeSentinels) {
  std::array<uint8_t, 32> random{};
  // RFC 8446 §4.1.3: 44 4F 57 4E 47 52 44 01 / 44 4F 57 4E 47 52 44 00.
  const auto s12 = hex("44 4F 57 4E 47 52 44 01");
  const auto s11 = hex("44 4F 57 4E 47 52 44 00");
  std::copy(s12.begin(), s12.end(), random.begin() + 24);
  EXPECT_EQ(downgrade_sentinel(random), DowngradeSentinel::tls12);
  std::copy(s11.begin(), s11.end(), random.begin() + 24);
  EXPECT_EQ(downgrade_sentinel(random), DowngradeSentinel::tls11);
  random[31] = 0x02;
  EXPECT_EQ(downgrade_sentinel(random), DowngradeSentinel::none);
  // The HRR random is SHA-256("HelloRetryRequest") as printed in RFC 8446 §4.1.3.
  EXPECT_EQ(
      std::vector<uint8_t>(kHelloRetryRequestRandom.begin(), kHelloRetryRequestRandom.end()),
      hex("CF 21 AD 74 E5 9A 61 11 BE 1D 8C 02 1E 65 B8 91 C2 A2 11 16 7A BB 8C 5E 07 9E 09 E2"
          "C8 A8 33 9C"));
}

TEST(ServerHello, TruncatedAtEveryLengthIsDecodeError) {
  // 2 + 32 + 1 + 2 + 1 = 38: a TLS 1.2 ServerHello without extensions is valid.
  expect_prefixes_fail(rfc8448_body(), parse, {38});
}

TEST(ServerHello, TrailingByteIsDecodeError) { expect_trailing_byte_fails(rfc8448_body(), parse); }

TEST(ServerHello, BadLengthPrefixes) {
  auto bad = rfc8448_body();
  bad[34] = 33;
  expect_error(bad, parse, ErrorCode::decode_error);
  bad = rfc8448_body();
  bad[39] = static_cast<uint8_t>(bad[39] - 1);  // extension block shorter than its entries
  expect_error(bad, parse, ErrorCode::decode_error);
}

TEST(ServerHello, Tls12RoundTripWithoutExtensions) {
  ServerHello sh;
  sh.random.fill(7);
  sh.legacy_session_id.assign(32, 9);
  sh.cipher_suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  auto body = round_trip(sh, parse);
  EXPECT_EQ(body.size(), 2u + 32u + 1u + 32u + 2u + 1u);
  sh.extensions = {{ExtensionType::renegotiation_info, {0}},
                   {static_cast<ExtensionType>(0x2A2A), {}}};
  round_trip(sh, parse);
}

TEST(ServerHello, DuplicateExtensionIsRejected) {
  ServerHello sh;
  sh.extensions = {{ExtensionType::supported_versions, {3, 4}},
                   {ExtensionType::supported_versions, {3, 4}}};
  std::vector<uint8_t> body;
  ASSERT_TRUE(serialize(sh, body).ok());
  expect_error(body, parse, ErrorCode::duplicate_extension);
}

}  // namespace
}  // namespace hs::messages

#include "messages/client_hello.h"

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

auto parse = [](std::span<const uint8_t> b) { return parse_client_hello(b); };

std::vector<uint8_t> rfc8448_body() {
  return body_of(load_vector("rfc8448_s3_client_hello"), HandshakeType::client_hello);
}

// RFC 8448 §3 "Simple 1-RTT Handshake": the ClientHello, field by field.
TEST(ClientHello, Rfc8448SimpleOneRttKnownAnswer) {
  const auto body = rfc8448_body();
  ASSERT_EQ(body.size(), 196u - 4u);
  auto ch = parse_client_hello(body);
  ASSERT_TRUE(ch.ok()) << ch.error().message();
  EXPECT_EQ(ch->legacy_version, ProtocolVersion::tls1_2);
  EXPECT_EQ(ch->random[0], 0xcb);
  EXPECT_EQ(ch->random[31], 0xe7);
  EXPECT_TRUE(ch->legacy_session_id.empty());
  EXPECT_EQ(ch->cipher_suites, (std::vector<CipherSuite>{CipherSuite::TLS_AES_128_GCM_SHA256,
                                                         CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                                                         CipherSuite::TLS_AES_256_GCM_SHA384}));
  EXPECT_EQ(ch->compression_methods, std::vector<uint8_t>{0});
  ASSERT_EQ(ch->extensions.size(), 9u);

  const Extension* sni = find_extension(ch->extensions, ExtensionType::server_name);
  ASSERT_NE(sni, nullptr);
  auto host = parse_server_name(sni->data);
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host.value(), "server");

  const Extension* reneg = find_extension(ch->extensions, ExtensionType::renegotiation_info);
  ASSERT_NE(reneg, nullptr);
  auto rc = parse_renegotiation_info(reneg->data);
  ASSERT_TRUE(rc.ok());
  EXPECT_TRUE(rc->empty());

  const Extension* groups = find_extension(ch->extensions, ExtensionType::supported_groups);
  ASSERT_NE(groups, nullptr);
  auto g = parse_supported_groups(groups->data);
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->size(), 9u);
  EXPECT_EQ((*g)[0], NamedGroup::x25519);
  EXPECT_EQ((*g)[1], NamedGroup::secp256r1);
  EXPECT_EQ((*g)[2], NamedGroup::secp384r1);
  EXPECT_EQ((*g)[3], NamedGroup::secp521r1);
  EXPECT_EQ(static_cast<uint16_t>((*g)[4]), 0x0100);  // ffdhe2048 passes through

  const Extension* ticket = find_extension(ch->extensions, ExtensionType::session_ticket);
  ASSERT_NE(ticket, nullptr);
  EXPECT_TRUE(ticket->data.empty());

  const Extension* ks = find_extension(ch->extensions, ExtensionType::key_share);
  ASSERT_NE(ks, nullptr);
  auto shares = parse_key_share_client(ks->data);
  ASSERT_TRUE(shares.ok());
  ASSERT_EQ(shares->size(), 1u);
  EXPECT_EQ((*shares)[0].group, NamedGroup::x25519);
  // RFC 8448 §3: the client's ephemeral x25519 public key.
  EXPECT_EQ((*shares)[0].key_exchange, hex("99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe"
                                           "b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c"));

  const Extension* sv = find_extension(ch->extensions, ExtensionType::supported_versions);
  ASSERT_NE(sv, nullptr);
  auto versions = parse_supported_versions_client(sv->data);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions.value(), std::vector<ProtocolVersion>{ProtocolVersion::tls1_3});

  const Extension* sa = find_extension(ch->extensions, ExtensionType::signature_algorithms);
  ASSERT_NE(sa, nullptr);
  auto schemes = parse_signature_algorithms(sa->data);
  ASSERT_TRUE(schemes.ok());
  ASSERT_EQ(schemes->size(), 15u);
  EXPECT_EQ(schemes->front(), SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_EQ((*schemes)[4], SignatureScheme::rsa_pss_rsae_sha256);

  const Extension* modes = find_extension(ch->extensions, ExtensionType::psk_key_exchange_modes);
  ASSERT_NE(modes, nullptr);
  auto m = parse_psk_key_exchange_modes(modes->data);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m.value(), std::vector<PskKeyExchangeMode>{PskKeyExchangeMode::psk_dhe_ke});

  const Extension* rsl = find_extension(ch->extensions, ExtensionType::record_size_limit);
  ASSERT_NE(rsl, nullptr);
  auto limit = parse_record_size_limit(rsl->data);
  ASSERT_TRUE(limit.ok());
  EXPECT_EQ(limit.value(), 0x4001);
}

TEST(ClientHello, Rfc8448SerializesBackToIdenticalBytes) {
  const auto full = load_vector("rfc8448_s3_client_hello");
  auto ch = parse_client_hello(body_of(full, HandshakeType::client_hello));
  ASSERT_TRUE(ch.ok());
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_message(ch.value(), out).ok());
  EXPECT_EQ(out, full);
}

// The typed extension bodies re-serialize to the RFC 8448 bytes too.
TEST(ClientHello, Rfc8448ExtensionBodiesRoundTrip) {
  auto ch = parse_client_hello(rfc8448_body());
  ASSERT_TRUE(ch.ok());
  auto same = [&](ExtensionType t, auto ser) {
    const Extension* e = find_extension(ch->extensions, t);
    ASSERT_NE(e, nullptr);
    std::vector<uint8_t> out;
    ASSERT_TRUE(ser(e->data, out).ok());
    EXPECT_EQ(out, e->data) << extension_type_name(t);
  };
  same(ExtensionType::server_name, [](const auto& d, auto& o) {
    return serialize_server_name(parse_server_name(d).value(), o);
  });
  same(ExtensionType::supported_groups, [](const auto& d, auto& o) {
    return serialize_supported_groups(parse_supported_groups(d).value(), o);
  });
  same(ExtensionType::key_share, [](const auto& d, auto& o) {
    return serialize_key_share_client(parse_key_share_client(d).value(), o);
  });
  same(ExtensionType::supported_versions, [](const auto& d, auto& o) {
    return serialize_supported_versions_client(parse_supported_versions_client(d).value(), o);
  });
  same(ExtensionType::signature_algorithms, [](const auto& d, auto& o) {
    return serialize_signature_algorithms(parse_signature_algorithms(d).value(), o);
  });
  same(ExtensionType::psk_key_exchange_modes, [](const auto& d, auto& o) {
    return serialize_psk_key_exchange_modes(parse_psk_key_exchange_modes(d).value(), o);
  });
  same(ExtensionType::record_size_limit, [](const auto& d, auto& o) {
    return serialize_record_size_limit(parse_record_size_limit(d).value(), o);
  });
  same(ExtensionType::renegotiation_info, [](const auto& d, auto& o) {
    return serialize_renegotiation_info(parse_renegotiation_info(d).value(), o);
  });
}

// RFC 8448 §4: a ClientHello with pre_shared_key; the binders are the last bytes of the message.
TEST(ClientHello, Rfc8448ResumptionPreSharedKey) {
  const auto full = load_vector("rfc8448_s4_client_hello_psk");
  auto ch = parse_client_hello(body_of(full, HandshakeType::client_hello));
  ASSERT_TRUE(ch.ok()) << ch.error().message();
  ASSERT_FALSE(ch->extensions.empty());
  EXPECT_EQ(ch->extensions.back().type, ExtensionType::pre_shared_key);
  auto psks = parse_pre_shared_key_client(ch->extensions.back().data);
  ASSERT_TRUE(psks.ok()) << psks.error().message();
  ASSERT_EQ(psks->identities.size(), 1u);
  EXPECT_EQ(psks->identities[0].identity.size(), 178u);
  EXPECT_EQ(psks->identities[0].obfuscated_ticket_age, 0xfad6aacbu);  // RFC 8448 §4
  ASSERT_EQ(psks->binders.size(), 1u);
  // RFC 8448 §4: "binder" = 3a dd 4f b2 ...; the binders list (2 + 1 + 32) ends the message.
  EXPECT_EQ(psk_binders_size(psks.value()), 35u);
  const auto span = std::span<const uint8_t>(full);
  const auto tail = span.last(35);
  EXPECT_EQ(std::vector<uint8_t>(tail.begin(), tail.end()),
            hex("00 21 20 3a dd 4f b2 d8 fd f8 22 a0 ca 3c f7 67 8e f5 e8 8d ae 99 01 41"
                "c5 92 4d 57 bb 6f a3 1b 9e 5f 9d"));
  // Truncate(ClientHello) (RFC 8446 §4.2.11.2) is the "ClientHello prefix" RFC 8448 prints.
  const auto truncated = span.first(full.size() - psk_binders_size(psks.value()));
  EXPECT_EQ(std::vector<uint8_t>(truncated.begin(), truncated.end()),
            load_vector("rfc8448_s4_client_hello_prefix"));
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_message(ch.value(), out).ok());
  EXPECT_EQ(out, full);
}

TEST(ClientHello, TruncatedAtEveryLengthIsDecodeError) {
  const auto body = rfc8448_body();
  // 2 + 32 + 1 + (2 + 6) + (1 + 1) = 45: a hello without an extension block is valid (RFC 5246).
  expect_prefixes_fail(body, parse, {45});
  auto no_ext = parse_client_hello(std::span<const uint8_t>(body).first(45));
  ASSERT_TRUE(no_ext.ok());
  EXPECT_TRUE(no_ext->extensions.empty());
}

TEST(ClientHello, TrailingByteIsDecodeError) { expect_trailing_byte_fails(rfc8448_body(), parse); }

TEST(ClientHello, BadLengthPrefixes) {
  auto body = rfc8448_body();
  auto bad = body;
  bad[34] = 33;  // legacy_session_id<0..32>
  expect_error(bad, parse, ErrorCode::decode_error);
  bad = body;
  bad[36] = 0x07;  // cipher_suites length odd
  expect_error(bad, parse, ErrorCode::decode_error);
  bad = body;
  bad[36] = 0x00;  // cipher_suites<2..2^16-2> empty: 00 00
  bad[35] = 0x00;
  expect_error(bad, parse, ErrorCode::decode_error);
  bad = body;
  bad[43] = 0x00;  // compression_methods<1..2^8-1> empty
  expect_error(bad, parse, ErrorCode::decode_error);
  bad = body;
  bad[46] = static_cast<uint8_t>(bad[46] + 1);  // extension block longer than the message
  expect_error(bad, parse, ErrorCode::decode_error);
}

TEST(ClientHello, DuplicateExtensionIsRejected) {
  ClientHello ch;
  ch.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  ch.compression_methods = {0};
  ch.extensions = {{ExtensionType::extended_master_secret, {}},
                   {ExtensionType::extended_master_secret, {}}};
  std::vector<uint8_t> body;
  ASSERT_TRUE(serialize(ch, body).ok());
  expect_error(body, parse, ErrorCode::duplicate_extension);
}

TEST(ClientHello, UnknownSuitesAndGreaseExtensionsPassThrough) {
  ClientHello ch;
  ch.random.fill(0x42);
  ch.legacy_session_id.assign(32, 0x11);
  ch.cipher_suites = {static_cast<CipherSuite>(0x0A0A),
                      CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                      static_cast<CipherSuite>(0x1234)};
  ch.compression_methods = {0};
  ch.extensions = {{static_cast<ExtensionType>(0x1A1A), {}},
                   {static_cast<ExtensionType>(0xFE0D), {1, 2, 3}},
                   {ExtensionType::extended_master_secret, {}}};
  auto body = round_trip(ch, parse);
  auto back = parse_client_hello(body);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(static_cast<uint16_t>(back->cipher_suites[0]), 0x0A0A);
  EXPECT_EQ(back->extensions[1].data, (std::vector<uint8_t>{1, 2, 3}));
}

TEST(ClientHello, SerializeRejectsOutOfBoundsFields) {
  ClientHello ch;
  ch.compression_methods = {0};
  std::vector<uint8_t> out;
  EXPECT_EQ(serialize(ch, out).error().code(), ErrorCode::internal_error);  // no suites
  ch.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  ch.legacy_session_id.assign(33, 0);
  out.clear();
  EXPECT_EQ(serialize(ch, out).error().code(), ErrorCode::internal_error);
}

}  // namespace
}  // namespace hs::messages

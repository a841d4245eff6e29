#include "messages/extensions.h"

#include <gtest/gtest.h>

#include <optional>

#include "unit/messages/test_util.h"

namespace hs::messages {
namespace {

using testing::expect_error;
using testing::expect_prefixes_fail;
using testing::expect_trailing_byte_fails;
using testing::hex;

Result<std::vector<Extension>> parse_block(std::span<const uint8_t> bytes) {
  codec::Reader in(bytes);
  auto exts = parse_extensions(in);
  if (exts.ok() && !in.expect_end()) {
    return Error(ErrorCode::decode_error, "test: trailing");
  }
  return exts;
}

std::vector<uint8_t> write_block(const std::vector<Extension>& exts) {
  std::vector<uint8_t> out;
  codec::Writer w(out);
  write_extensions(exts, w);
  EXPECT_TRUE(w.ok());
  return out;
}

TEST(Extensions, BlockRoundTripKeepsOrderUnknownAndGrease) {
  const std::vector<Extension> exts = {
      {static_cast<ExtensionType>(0xDADA), {}},  // GREASE
      {ExtensionType::server_name, hex("00 09 00 00 06 73 65 72 76 65 72")},
      {static_cast<ExtensionType>(0x7777), {0xFF}},  // unknown
      {ExtensionType::padding, std::vector<uint8_t>(300, 0)},
  };
  const auto bytes = write_block(exts);
  auto back = parse_block(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), exts);
  EXPECT_EQ(find_extension(back.value(), static_cast<ExtensionType>(0x7777)), &back.value()[2]);
  EXPECT_EQ(find_extension(back.value(), ExtensionType::key_share), nullptr);
}

TEST(Extensions, EmptyBlockIsValid) {
  auto r = parse_block(hex("00 00"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(Extensions, TruncatedTrailingAndBadPrefixes) {
  const auto bytes = hex("00 0b 00 17 00 00 00 2b 00 03 02 03 04");
  ASSERT_TRUE(parse_block(bytes).ok());
  expect_prefixes_fail(bytes, parse_block);
  expect_trailing_byte_fails(bytes, parse_block);
  // The block length says 12 but only 11 bytes follow.
  expect_error(hex("00 0c 00 17 00 00 00 2b 00 03 02 03 04"), parse_block, ErrorCode::decode_error);
  // An entry whose own length runs past the block.
  expect_error(hex("00 05 00 17 00 02 00"), parse_block, ErrorCode::decode_error);
  // Block with a dangling 3 bytes after the last entry.
  expect_error(hex("00 07 00 17 00 00 00 2b 00"), parse_block, ErrorCode::decode_error);
}

TEST(Extensions, DuplicateTypeIsDuplicateExtension) {
  expect_error(hex("00 08 00 17 00 00 00 17 00 00"), parse_block, ErrorCode::duplicate_extension);
  // Duplicate GREASE values too: the rule is about any type.
  expect_error(hex("00 08 0a 0a 00 00 0a 0a 00 00"), parse_block, ErrorCode::duplicate_extension);
}

// A block of `count` empty extensions of types 0x1000, 0x1001, ... with `dup_of` (an index)
// repeated at the end when given.
std::vector<uint8_t> many_extensions(size_t count, std::optional<size_t> dup_of) {
  std::vector<uint8_t> body;
  auto add = [&](size_t i) { body.insert(body.end(), {0x10, static_cast<uint8_t>(i), 0, 0}); };
  for (size_t i = 0; i < count; ++i) {
    add(i);
  }
  if (dup_of) {
    add(*dup_of);
  }
  std::vector<uint8_t> block = {static_cast<uint8_t>(body.size() >> 8),
                                static_cast<uint8_t>(body.size())};
  block.insert(block.end(), body.begin(), body.end());
  return block;
}

TEST(Extensions, DuplicatesFoundBeforeAndAfterTheBitsetTakesOver) {
  // Small blocks compare with the extensions read so far; long ones switch to a bitset that
  // must still know the types read before the switch.
  for (size_t count : {1, 5, 23, 24, 25, 40, 200}) {
    auto clean = parse_block(many_extensions(count, std::nullopt));
    ASSERT_TRUE(clean.ok()) << count;
    EXPECT_EQ(clean.value().size(), count);
    for (size_t dup : {size_t{0}, count / 2, count - 1}) {
      expect_error(many_extensions(count, dup), parse_block, ErrorCode::duplicate_extension);
    }
  }
}

// ---- server_name ----

TEST(ServerName, ParsesHostNameAndSkipsUnknownTypes) {
  auto r = parse_server_name(hex("00 09 00 00 06 73 65 72 76 65 72"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "server");
  auto other = parse_server_name(hex("00 0e 07 00 02 aa bb 00 00 06 73 65 72 76 65 72"));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other.value(), "server");
  auto none = parse_server_name(hex("00 05 07 00 02 aa bb"));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value(), "");
}

TEST(ServerName, RejectsMalformedLists) {
  auto parse = [](std::span<const uint8_t> d) { return parse_server_name(d); };
  const auto valid = hex("00 09 00 00 06 73 65 72 76 65 72");
  expect_prefixes_fail(valid, parse);
  expect_trailing_byte_fails(valid, parse);
  expect_error(hex("00 00"), parse, ErrorCode::decode_error);           // empty list
  expect_error(hex("00 03 00 00 00"), parse, ErrorCode::decode_error);  // empty host name
  // Two host_name entries (RFC 6066 §3).
  expect_error(hex("00 0a 00 00 02 61 62 00 00 02 63 64"), parse, ErrorCode::decode_error);
}

TEST(ServerName, SerializeAndAck) {
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_server_name("example.com", out).ok());
  auto back = parse_server_name(out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), "example.com");
  out.clear();
  EXPECT_FALSE(serialize_server_name("", out).ok());
  EXPECT_TRUE(parse_server_name_ack({}).ok());
  EXPECT_EQ(parse_server_name_ack(hex("00")).error().code(), ErrorCode::decode_error);
}

// ---- supported_groups / signature_algorithms ----

TEST(SupportedGroups, RoundTripBoundsAndOddLength) {
  auto parse = [](std::span<const uint8_t> d) { return parse_supported_groups(d); };
  const auto valid = hex("00 06 00 1d 00 17 2a 2a");
  auto r = parse(valid);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), (std::vector<NamedGroup>{NamedGroup::x25519, NamedGroup::secp256r1,
                                                static_cast<NamedGroup>(0x2A2A)}));
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_supported_groups(r.value(), out).ok());
  EXPECT_EQ(out, valid);
  expect_prefixes_fail(valid, parse);
  expect_trailing_byte_fails(valid, parse);
  expect_error(hex("00 00"), parse, ErrorCode::decode_error);
  expect_error(hex("00 03 00 1d 00"), parse, ErrorCode::decode_error);
  out.clear();
  EXPECT_EQ(serialize_supported_groups({}, out).error().code(), ErrorCode::internal_error);
}

TEST(SignatureAlgorithms, RoundTripBoundsAndOddLength) {
  auto parse = [](std::span<const uint8_t> d) { return parse_signature_algorithms(d); };
  const auto valid = hex("00 04 08 04 04 03");
  auto r = parse(valid);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), (std::vector<SignatureScheme>{SignatureScheme::rsa_pss_rsae_sha256,
                                                     SignatureScheme::ecdsa_secp256r1_sha256}));
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_signature_algorithms_cert(r.value(), out).ok());
  EXPECT_EQ(out, valid);
  expect_prefixes_fail(valid, parse);
  expect_trailing_byte_fails(valid, parse);
  expect_error(hex("00 00"), parse, ErrorCode::decode_error);
  expect_error(hex("00 01 08"), parse, ErrorCode::decode_error);
  EXPECT_TRUE(parse_signature_algorithms_cert(valid).ok());
}

// ---- ec_point_formats ----

TEST(EcPointFormats, RoundTripAndBounds) {
  auto parse = [](std::span<const uint8_t> d) { return parse_ec_point_formats(d); };
  const auto valid = hex("01 00");
  auto r = parse(valid);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), std::vector<uint8_t>{kEcPointFormatUncompressed});
  expect_prefixes_fail(valid, parse);
  expect_trailing_byte_fails(valid, parse);
  expect_error(hex("00"), parse, ErrorCode::decode_error);
  std::vector<uint8_t> out;
  EXPECT_FALSE(serialize_ec_point_formats({}, out).ok());
}

// ---- ALPN ----

TEST(Alpn, ClientAndServerForms) {
  // RFC 7301 §3.1 example names.
  const auto valid = hex("00 0c 02 68 32 08 68 74 74 70 2f 31 2e 31");
  auto r = parse_alpn(valid);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), (std::vector<std::string>{"h2", "http/1.1"}));
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_alpn(r.value(), out).ok());
  EXPECT_EQ(out, valid);
  auto parse = [](std::span<const uint8_t> d) { return parse_alpn(d); };
  expect_prefixes_fail(valid, parse);
  expect_trailing_byte_fails(valid, parse);
  expect_error(hex("00 00"), parse, ErrorCode::decode_error);
  expect_error(hex("00 01 00"), parse, ErrorCode::decode_error);     // below list minimum
  expect_error(hex("00 02 00 00"), parse, ErrorCode::decode_error);  // empty name
  expect_error(hex("00 03 02 68 32 00"), parse, ErrorCode::decode_error);

  auto server = parse_alpn_server(hex("00 03 02 68 32"));
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(server.value(), "h2");
  EXPECT_EQ(parse_alpn_server(valid).error().code(), ErrorCode::decode_error);  // two names
  out.clear();
  ASSERT_TRUE(serialize_alpn_server("h2", out).ok());
  EXPECT_EQ(out, hex("00 03 02 68 32"));
  out.clear();
  EXPECT_FALSE(serialize_alpn({"ok", ""}, out).ok());
  out.clear();
  EXPECT_FALSE(serialize_alpn({std::string(256, 'a')}, out).ok());
}

// ---- supported_versions ----

TEST(SupportedVersions, ClientAndServerForms) {
  auto parse = [](std::span<const uint8_t> d) { return parse_supported_versions_client(d); };
  const auto valid = hex("06 7a 7a 03 04 03 03");
  auto r = parse(valid);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(),
            (std::vector<ProtocolVersion>{static_cast<ProtocolVersion>(0x7A7A),
                                          ProtocolVersion::tls1_3, ProtocolVersion::tls1_2}));
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_supported_versions_client(r.value(), out).ok());
  EXPECT_EQ(out, valid);
  expect_prefixes_fail(valid, parse);
  expect_trailing_byte_fails(valid, parse);
  expect_error(hex("00"), parse, ErrorCode::decode_error);
  expect_error(hex("03 03 04 03"), parse, ErrorCode::decode_error);
  std::vector<uint8_t> too_long(1, 255);
  too_long.resize(256, 3);
  expect_error(too_long, parse, ErrorCode::decode_error);  // versions<2..254>

  auto server = parse_supported_versions_server(hex("03 04"));
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(server.value(), ProtocolVersion::tls1_3);
  EXPECT_FALSE(parse_supported_versions_server(hex("03")).ok());
  EXPECT_FALSE(parse_supported_versions_server(hex("03 04 00")).ok());
}

// ---- key_share ----

TEST(KeyShare, ClientFormRoundTripEmptyListAndDuplicates) {
  auto parse = [](std::span<const uint8_t> d) { return parse_key_share_client(d); };
  const std::vector<KeyShareEntry> shares = {{NamedGroup::x25519, std::vector<uint8_t>(32, 1)},
                                             {NamedGroup::secp256r1, std::vector<uint8_t>(65, 4)}};
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_key_share_client(shares, out).ok());
  auto r = parse(out);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), shares);
  expect_prefixes_fail(out, parse);
  expect_trailing_byte_fails(out, parse);
  // client_shares<0..2^16-1>: an empty list is allowed (the client asks for an HRR).
  auto empty = parse(hex("00 00"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  expect_error(hex("00 04 00 1d 00 00"), parse, ErrorCode::decode_error);  // empty key
  expect_error(hex("00 0a 00 1d 00 01 aa 00 1d 00 01 bb"), parse, ErrorCode::illegal_parameter);
}

TEST(KeyShare, ServerAndHrrForms) {
  auto s = parse_key_share_server(hex("00 1d 00 02 aa bb"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->group, NamedGroup::x25519);
  EXPECT_EQ(s->key_exchange, hex("aa bb"));
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_key_share_server(s.value(), out).ok());
  EXPECT_EQ(out, hex("00 1d 00 02 aa bb"));
  auto parse = [](std::span<const uint8_t> d) { return parse_key_share_server(d); };
  expect_prefixes_fail(out, parse);
  expect_trailing_byte_fails(out, parse);
  EXPECT_FALSE(parse_key_share_server(hex("00 1d 00 00")).ok());

  auto g = parse_key_share_hrr(hex("00 17"));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g.value(), NamedGroup::secp256r1);
  EXPECT_FALSE(parse_key_share_hrr(hex("00")).ok());
  EXPECT_FALSE(parse_key_share_hrr(hex("00 17 00")).ok());
  out.clear();
  ASSERT_TRUE(serialize_key_share_hrr(NamedGroup::x25519, out).ok());
  EXPECT_EQ(out, hex("00 1d"));
}

// ---- renegotiation_info, empty extensions ----

TEST(RenegotiationInfo, InitialAndRenegotiatedForms) {
  auto r = parse_renegotiation_info(hex("00"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  auto v = parse_renegotiation_info(hex("03 01 02 03"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.value(), hex("01 02 03"));
  EXPECT_FALSE(parse_renegotiation_info({}).ok());
  EXPECT_FALSE(parse_renegotiation_info(hex("03 01 02")).ok());
  EXPECT_FALSE(parse_renegotiation_info(hex("00 00")).ok());
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_renegotiation_info({}, out).ok());
  EXPECT_EQ(out, hex("00"));
  out.clear();
  EXPECT_FALSE(serialize_renegotiation_info(std::vector<uint8_t>(256, 0), out).ok());
}

TEST(EmptyExtensions, NonEmptyBodyIsDecodeError) {
  EXPECT_TRUE(parse_extended_master_secret({}).ok());
  EXPECT_TRUE(parse_encrypt_then_mac({}).ok());
  EXPECT_EQ(parse_extended_master_secret(hex("00")).error().code(), ErrorCode::decode_error);
  EXPECT_EQ(parse_encrypt_then_mac(hex("00")).error().code(), ErrorCode::decode_error);
  EXPECT_EQ(parse_empty_extension(hex("00 00")).error().code(), ErrorCode::decode_error);
}

// ---- psk_key_exchange_modes, cookie ----

TEST(PskKeyExchangeModes, RoundTripAndBounds) {
  auto r = parse_psk_key_exchange_modes(hex("02 01 00"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), (std::vector<PskKeyExchangeMode>{PskKeyExchangeMode::psk_dhe_ke,
                                                        PskKeyExchangeMode::psk_ke}));
  EXPECT_FALSE(parse_psk_key_exchange_modes(hex("00")).ok());
  EXPECT_FALSE(parse_psk_key_exchange_modes(hex("02 01")).ok());
  EXPECT_FALSE(parse_psk_key_exchange_modes(hex("01 01 01")).ok());
  std::vector<uint8_t> out;
  EXPECT_FALSE(serialize_psk_key_exchange_modes({}, out).ok());
}

TEST(Cookie, RoundTripAndBounds) {
  auto r = parse_cookie(hex("00 02 ab cd"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), hex("ab cd"));
  EXPECT_FALSE(parse_cookie(hex("00 00")).ok());
  EXPECT_FALSE(parse_cookie(hex("00 02 ab")).ok());
  EXPECT_FALSE(parse_cookie(hex("00 01 ab cd")).ok());
  std::vector<uint8_t> out;
  EXPECT_FALSE(serialize_cookie({}, out).ok());
}

// ---- pre_shared_key ----

TEST(PreSharedKey, ClientFormRoundTripAndBinderSize) {
  OfferedPsks psks;
  psks.identities = {{hex("01 02 03"), 0x01020304}, {hex("aa"), 7}};
  psks.binders = {std::vector<uint8_t>(32, 0x11), std::vector<uint8_t>(48, 0x22)};
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_pre_shared_key_client(psks, out).ok());
  auto r = parse_pre_shared_key_client(out);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), psks);
  EXPECT_EQ(psk_binders_size(psks), 2u + 33u + 49u);
  // The identities part precedes the binders: 2 + (2+3+4) + (2+1+4) = 18.
  EXPECT_EQ(out.size() - psk_binders_size(psks), 18u);
  auto parse = [](std::span<const uint8_t> d) { return parse_pre_shared_key_client(d); };
  expect_prefixes_fail(out, parse);
  expect_trailing_byte_fails(out, parse);
}

TEST(PreSharedKey, ClientFormBoundsAndCountMismatch) {
  auto parse = [](std::span<const uint8_t> d) { return parse_pre_shared_key_client(d); };
  std::vector<uint8_t> binder31 = hex("00 20 1f");
  binder31.resize(binder31.size() + 31, 0);
  std::vector<uint8_t> bytes = hex("00 07 00 01 aa 00 00 00 00");
  bytes.insert(bytes.end(), binder31.begin(), binder31.end());
  expect_error(bytes, parse, ErrorCode::decode_error);  // binder below 32 bytes

  OfferedPsks two_ids;
  two_ids.identities = {{hex("aa"), 0}, {hex("bb"), 0}};
  two_ids.binders = {std::vector<uint8_t>(32, 0), std::vector<uint8_t>(32, 0)};
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_pre_shared_key_client(two_ids, out).ok());
  // Drop the second binder by hand: identities 2, binders 1.
  std::vector<uint8_t> one_binder(out.begin(), out.begin() + 2 + 14);
  const auto b = hex("00 21 20");
  one_binder.insert(one_binder.end(), b.begin(), b.end());
  one_binder.resize(one_binder.size() + 32, 0);
  expect_error(one_binder, parse, ErrorCode::illegal_parameter);

  OfferedPsks mismatch = two_ids;
  mismatch.binders.pop_back();
  out.clear();
  EXPECT_FALSE(serialize_pre_shared_key_client(mismatch, out).ok());
}

TEST(PreSharedKey, ServerForm) {
  auto r = parse_pre_shared_key_server(hex("00 01"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 1);
  EXPECT_FALSE(parse_pre_shared_key_server(hex("00")).ok());
  EXPECT_FALSE(parse_pre_shared_key_server(hex("00 01 00")).ok());
}

// ---- early_data, record_size_limit ----

TEST(EarlyData, NewSessionTicketForm) {
  auto r = parse_early_data_nst(hex("00 00 40 00"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0x4000u);
  EXPECT_FALSE(parse_early_data_nst(hex("00 00 40")).ok());
  EXPECT_FALSE(parse_early_data_nst(hex("00 00 40 00 00")).ok());
  std::vector<uint8_t> out;
  ASSERT_TRUE(serialize_early_data_nst(0x4000, out).ok());
  EXPECT_EQ(out, hex("00 00 40 00"));
}

TEST(RecordSizeLimit, BelowSixtyFourIsIllegalParameter) {
  EXPECT_EQ(parse_record_size_limit(hex("00 40")).value(), 64);
  EXPECT_EQ(parse_record_size_limit(hex("00 3f")).error().code(), ErrorCode::illegal_parameter);
  EXPECT_EQ(parse_record_size_limit(hex("00")).error().code(), ErrorCode::decode_error);
  EXPECT_EQ(parse_record_size_limit(hex("00 40 00")).error().code(), ErrorCode::decode_error);
  std::vector<uint8_t> out;
  EXPECT_FALSE(serialize_record_size_limit(63, out).ok());
}

TEST(MakeExtension, BuildsTypedExtension) {
  auto ext = make_extension(ExtensionType::supported_groups, [](std::vector<uint8_t>& out) {
    return serialize_supported_groups({NamedGroup::x25519}, out);
  });
  ASSERT_TRUE(ext.ok());
  EXPECT_EQ(ext->type, ExtensionType::supported_groups);
  EXPECT_EQ(ext->data, hex("00 02 00 1d"));
}

}  // namespace
}  // namespace hs::messages

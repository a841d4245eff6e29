#include "record/protection.h"

#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <tuple>
#include <vector>

#include "unit/record/rfc8448_vectors.h"
#include "unit/record/test_util.h"

namespace hs::record {
namespace {

using crypto::AeadAlg;
using testing::bytes_of;
using testing::from_hex;
using testing::pattern;

// split_record returns {type, version, fragment} of one complete record given as bytes.
struct Parts {
  ContentType type;
  uint16_t version;
  std::vector<uint8_t> fragment;
};
Parts split_record(const std::vector<uint8_t>& rec) {
  EXPECT_GE(rec.size(), 5u);
  const size_t len = static_cast<size_t>(rec[3] << 8 | rec[4]);
  EXPECT_EQ(rec.size(), 5 + len);
  return {static_cast<ContentType>(rec[0]), static_cast<uint16_t>(rec[1] << 8 | rec[2]),
          std::vector<uint8_t>(rec.begin() + 5, rec.end())};
}

std::unique_ptr<RecordProtection> rfc8448_protection(std::string_view key, std::string_view iv) {
  auto p = make_tls13_protection(crypto::default_provider(), AeadAlg::aes_128_gcm, from_hex(key),
                                 from_hex(iv));
  EXPECT_TRUE(p.ok());
  return std::move(p).value();
}

// ---- RFC 8448 §3 known answers (TLS_AES_128_GCM_SHA256) ----

TEST(Tls13Protection, Rfc8448SealsServerHandshakeRecord) {
  auto p = rfc8448_protection(rfc8448::kServerHsKey, rfc8448::kServerHsIv);
  std::vector<uint8_t> out;
  ASSERT_TRUE(p->seal(ContentType::handshake, 0x0303, from_hex(rfc8448::kServerHsPayload), out));
  EXPECT_EQ(out, from_hex(rfc8448::kServerHsRecord));
  EXPECT_EQ(p->sequence_number(), 1u);
}

TEST(Tls13Protection, Rfc8448OpensServerHandshakeRecord) {
  auto p = rfc8448_protection(rfc8448::kServerHsKey, rfc8448::kServerHsIv);
  auto rec = split_record(from_hex(rfc8448::kServerHsRecord));
  auto opened = p->open(rec.type, rec.version, rec.fragment);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(opened->type, ContentType::handshake);
  EXPECT_EQ(bytes_of(opened->plaintext), from_hex(rfc8448::kServerHsPayload));
}

TEST(Tls13Protection, Rfc8448ClientFinishedRecord) {
  auto sealer = rfc8448_protection(rfc8448::kClientHsKey, rfc8448::kClientHsIv);
  std::vector<uint8_t> out;
  ASSERT_TRUE(
      sealer->seal(ContentType::handshake, 0x0303, from_hex(rfc8448::kClientFinishedPayload), out));
  EXPECT_EQ(out, from_hex(rfc8448::kClientFinishedRecord));

  auto opener = rfc8448_protection(rfc8448::kClientHsKey, rfc8448::kClientHsIv);
  auto rec = split_record(out);
  auto opened = opener->open(rec.type, rec.version, rec.fragment);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->type, ContentType::handshake);
  EXPECT_EQ(bytes_of(opened->plaintext), from_hex(rfc8448::kClientFinishedPayload));
}

TEST(Tls13Protection, Rfc8448ClientApplicationDataThenAlert) {
  // The client's application traffic key protects the application data (seq 0) and then the
  // close_notify alert (seq 1).
  auto sealer = rfc8448_protection(rfc8448::kClientApKey, rfc8448::kClientApIv);
  std::vector<uint8_t> out;
  ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303,
                           from_hex(rfc8448::kClientAppPayload), out));
  EXPECT_EQ(out, from_hex(rfc8448::kClientAppRecord));
  out.clear();
  const std::vector<uint8_t> close_notify = {0x01, 0x00};
  ASSERT_TRUE(sealer->seal(ContentType::alert, 0x0303, close_notify, out));
  EXPECT_EQ(out, from_hex(rfc8448::kClientAlertRecord));

  auto opener = rfc8448_protection(rfc8448::kClientApKey, rfc8448::kClientApIv);
  auto app = split_record(from_hex(rfc8448::kClientAppRecord));
  auto opened = opener->open(app.type, app.version, app.fragment);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->type, ContentType::application_data);
  EXPECT_EQ(bytes_of(opened->plaintext), from_hex(rfc8448::kClientAppPayload));
  auto alert = split_record(from_hex(rfc8448::kClientAlertRecord));
  auto opened_alert = opener->open(alert.type, alert.version, alert.fragment);
  ASSERT_TRUE(opened_alert.ok());
  EXPECT_EQ(opened_alert->type, ContentType::alert);
  EXPECT_EQ(bytes_of(opened_alert->plaintext), close_notify);
}

TEST(Tls13Protection, Rfc8448ServerTicketApplicationDataAlert) {
  auto opener = rfc8448_protection(rfc8448::kServerApKey, rfc8448::kServerApIv);
  auto ticket = split_record(from_hex(rfc8448::kServerTicketRecord));
  auto t = opener->open(ticket.type, ticket.version, ticket.fragment);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->type, ContentType::handshake);
  EXPECT_EQ(bytes_of(t->plaintext), from_hex(rfc8448::kServerTicketPayload));
  auto app = split_record(from_hex(rfc8448::kServerAppRecord));
  auto a = opener->open(app.type, app.version, app.fragment);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(bytes_of(a->plaintext), from_hex(rfc8448::kClientAppPayload));  // same payload
  auto alert = split_record(from_hex(rfc8448::kServerAlertRecord));
  auto al = opener->open(alert.type, alert.version, alert.fragment);
  ASSERT_TRUE(al.ok());
  EXPECT_EQ(al->type, ContentType::alert);
  EXPECT_EQ(bytes_of(al->plaintext), (std::vector<uint8_t>{0x01, 0x00}));
}

TEST(Tls13Protection, Rfc8448WrongSequenceNumberFails) {
  // The alert was sealed with sequence number 1; opening it first (seq 0) must fail.
  auto opener = rfc8448_protection(rfc8448::kClientApKey, rfc8448::kClientApIv);
  auto alert = split_record(from_hex(rfc8448::kClientAlertRecord));
  auto r = opener->open(alert.type, alert.version, alert.fragment);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
  EXPECT_EQ(r.error().alert(), AlertDescription::bad_record_mac);
}

TEST(Tls13Protection, Rfc8448TamperedByteFails) {
  const auto good = from_hex(rfc8448::kClientAppRecord);
  for (size_t i = 0; i < good.size(); ++i) {
    auto rec = good;
    rec[i] ^= 0x01;
    if (i == 3 || i == 4) {
      continue;  // the length bytes change the framing; covered by the truncation case below
    }
    auto parts = split_record(rec);
    auto opener = rfc8448_protection(rfc8448::kClientApKey, rfc8448::kClientApIv);
    auto r = opener->open(parts.type, parts.version, parts.fragment);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    // The outer type is checked before the tag: a record that is not application_data is
    // unexpected under TLS 1.3 protection.
    EXPECT_EQ(r.error().code(), i == 0 ? ErrorCode::unexpected_message : ErrorCode::bad_record_mac)
        << "byte " << i;
  }
  auto parts = split_record(good);
  parts.fragment.pop_back();
  auto opener = rfc8448_protection(rfc8448::kClientApKey, rfc8448::kClientApIv);
  auto r = opener->open(parts.type, parts.version, parts.fragment);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
}

TEST(Tls13Protection, Rfc8448OpenToLeavesTheRecordAndFillsTheBuffer) {
  // open_to decrypts into the caller's buffer (the receive path's plaintext buffer) and must
  // give the RFC 8448 plaintext without touching the received bytes.
  auto p = rfc8448_protection(rfc8448::kServerApKey, rfc8448::kServerApIv);
  for (auto [record, payload, type] :
       {std::tuple{rfc8448::kServerTicketRecord, rfc8448::kServerTicketPayload,
                   ContentType::handshake},
        std::tuple{rfc8448::kServerAppRecord, rfc8448::kClientAppPayload,
                   ContentType::application_data}}) {
    const auto rec = split_record(from_hex(record));
    const std::vector<uint8_t> received = rec.fragment;
    std::vector<uint8_t> out(received.size() + 3, 0xee);
    auto opened = p->open_to(rec.type, rec.version, received, out);
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    EXPECT_EQ(opened->type, type);
    EXPECT_EQ(bytes_of(opened->plaintext), from_hex(payload));
    EXPECT_EQ(opened->plaintext.data(), out.data());
    EXPECT_EQ(received, rec.fragment);
  }
  // Too small a buffer is refused before anything is decrypted (no sequence number used).
  const auto alert = split_record(from_hex(rfc8448::kServerAlertRecord));
  // It needs room for the inner plaintext (content, type byte, padding), not for the tag.
  EXPECT_EQ(p->plaintext_room(alert.fragment.size()), alert.fragment.size() - 16);
  std::vector<uint8_t> small(p->plaintext_room(alert.fragment.size()) - 1);
  auto refused = p->open_to(alert.type, alert.version, alert.fragment, small);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::internal_error);
  std::vector<uint8_t> out(p->plaintext_room(alert.fragment.size()));
  auto opened = p->open_to(alert.type, alert.version, alert.fragment, out);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->type, ContentType::alert);
}

// ---- Round trips for every AEAD and version ----

class EveryAead : public ::testing::TestWithParam<AeadAlg> {};
INSTANTIATE_TEST_SUITE_P(Record, EveryAead, ::testing::ValuesIn(testing::kAllAeads));

void round_trip(RecordProtection& sealer, RecordProtection& opener, ContentType type,
                const std::vector<uint8_t>& plaintext) {
  std::vector<uint8_t> out;
  ASSERT_TRUE(sealer.seal(type, 0x0303, plaintext, out));
  auto parts = split_record(out);
  EXPECT_LE(parts.fragment.size(), plaintext.size() + sealer.max_overhead());
  auto opened = opener.open(parts.type, parts.version, parts.fragment);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(opened->type, type);
  EXPECT_EQ(bytes_of(opened->plaintext), plaintext);
}

// open_to must agree with open() byte for byte, and a tampered record fails the same way.
TEST_P(EveryAead, OpenToMatchesOpenInPlace) {
  for (bool v13 : {false, true}) {
    auto make = [&] { return testing::protection(v13, GetParam()); };
    auto sealer = make();
    auto in_place = make();
    auto to_buffer = make();
    for (size_t n : {size_t{1}, size_t{100}, kMaxPlaintext}) {
      std::vector<uint8_t> out;
      ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, pattern(n, 5), out));
      auto parts = split_record(out);
      // Exactly the room it asks for: the plaintext (TLS 1.3: with the type byte), no tag.
      std::vector<uint8_t> buffer(to_buffer->plaintext_room(parts.fragment.size()));
      EXPECT_EQ(buffer.size(), n + (v13 ? 1 : 0));
      auto b = to_buffer->open_to(parts.type, parts.version, parts.fragment, buffer);
      ASSERT_TRUE(b.ok()) << b.error().message();
      EXPECT_EQ(bytes_of(b->plaintext), pattern(n, 5));
      auto a = in_place->open(parts.type, parts.version, parts.fragment);
      ASSERT_TRUE(a.ok());
      EXPECT_EQ(bytes_of(a->plaintext), bytes_of(b->plaintext));
    }
    std::vector<uint8_t> out;
    ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, pattern(50), out));
    auto parts = split_record(out);
    parts.fragment[parts.fragment.size() / 2] ^= 1;
    std::vector<uint8_t> buffer(parts.fragment.size());
    auto bad = to_buffer->open_to(parts.type, parts.version, parts.fragment, buffer);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code(), ErrorCode::bad_record_mac);
  }
}

// open_split_to opens a record from two pieces cut anywhere (TLS 1.2 GCM: in the explicit
// nonce too; the tag's bytes on either side), as the decoder does for a record cut by the
// transport; flipping a bit in either piece is bad_record_mac and uses no sequence number.
TEST_P(EveryAead, OpenSplitToAtEveryCut) {
  for (bool v13 : {false, true}) {
    auto make = [&] { return testing::protection(v13, GetParam()); };
    auto sealer = make();
    auto opener = make();
    // Not a multiple of the AES block: the cut meets partial blocks on both sides.
    const auto plaintext = pattern(101, 9);
    std::vector<uint8_t> wire;
    ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, plaintext, wire));
    const auto parts = split_record(wire);
    const std::span<const uint8_t> fragment(parts.fragment);
    std::vector<uint8_t> out(opener->plaintext_room(fragment.size()));
    for (size_t cut = 0; cut <= fragment.size(); ++cut) {
      SCOPED_TRACE(::testing::Message() << (v13 ? "TLS 1.3" : "TLS 1.2") << " cut " << cut);
      opener->dangerous_set_sequence_number(0);
      std::ranges::fill(out, uint8_t{0xee});
      auto opened = opener->open_split_to(parts.type, parts.version, fragment.first(cut),
                                          fragment.subspan(cut), out);
      ASSERT_TRUE(opened.ok()) << opened.error().message();
      EXPECT_EQ(opened->type, ContentType::application_data);
      EXPECT_EQ(bytes_of(opened->plaintext), plaintext);
      EXPECT_EQ(opened->plaintext.data(), out.data());
      EXPECT_EQ(opener->sequence_number(), 1u);
      for (bool in_head : {true, false}) {
        if ((in_head && cut == 0) || (!in_head && cut == fragment.size())) {
          continue;
        }
        auto head = bytes_of(fragment.first(cut));
        auto tail = bytes_of(fragment.subspan(cut));
        auto& piece = in_head ? head : tail;
        piece[piece.size() / 2] ^= 0x20;
        opener->dangerous_set_sequence_number(0);
        auto bad = opener->open_split_to(parts.type, parts.version, head, tail, out);
        ASSERT_FALSE(bad.ok());
        EXPECT_EQ(bad.error().code(), ErrorCode::bad_record_mac);
        EXPECT_EQ(opener->sequence_number(), 0u);
      }
    }
  }
}

TEST_P(EveryAead, Tls12RoundTrips) {
  auto sealer = testing::tls12(GetParam());
  auto opener = testing::tls12(GetParam());
  ASSERT_TRUE(sealer->valid());
  for (size_t n : {size_t{0}, size_t{1}, size_t{100}, kMaxPlaintext}) {
    round_trip(*sealer, *opener, ContentType::application_data, pattern(n, 3));
  }
  round_trip(*sealer, *opener, ContentType::handshake, pattern(40, 9));
  EXPECT_EQ(sealer->sequence_number(), 5u);
  EXPECT_EQ(opener->sequence_number(), 5u);
}

TEST_P(EveryAead, Tls13RoundTrips) {
  auto sealer = testing::tls13(GetParam());
  auto opener = testing::tls13(GetParam());
  ASSERT_TRUE(sealer->valid());
  for (size_t n : {size_t{1}, size_t{100}, kMaxPlaintext}) {
    round_trip(*sealer, *opener, ContentType::application_data, pattern(n, 3));
  }
  round_trip(*sealer, *opener, ContentType::alert, {0x01, 0x00});
  round_trip(*sealer, *opener, ContentType::handshake, pattern(40, 9));
}

TEST_P(EveryAead, Tls12RecordLayout) {
  // RFC 5288 §3: GCM sends an 8-byte explicit nonce (ours: the sequence number);
  // RFC 7905 §2: ChaCha20-Poly1305 sends none.
  auto sealer = testing::tls12(GetParam());
  const bool gcm = GetParam() != AeadAlg::chacha20_poly1305;
  std::vector<uint8_t> out;
  ASSERT_TRUE(sealer->seal(ContentType::handshake, 0x0303, pattern(10), out));
  out.clear();
  ASSERT_TRUE(sealer->seal(ContentType::handshake, 0x0303, pattern(10), out));
  ASSERT_EQ(out.size(), 5u + (gcm ? 8u : 0u) + 10u + 16u);
  EXPECT_EQ(out[0], 22);
  EXPECT_EQ(out[1], 0x03);
  EXPECT_EQ(out[2], 0x03);
  EXPECT_EQ(static_cast<size_t>(out[3] << 8 | out[4]), out.size() - 5);
  if (gcm) {
    EXPECT_EQ(std::vector<uint8_t>(out.begin() + 5, out.begin() + 13),
              (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0, 1}));
  }
}

TEST_P(EveryAead, Tls12TamperAnyByteFails) {
  auto sealer = testing::tls12(GetParam());
  std::vector<uint8_t> out;
  ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, pattern(33), out));
  for (size_t i = 0; i < out.size(); ++i) {
    if (i == 3 || i == 4) {
      continue;  // length: framing, covered by truncation below
    }
    auto rec = out;
    rec[i] ^= 0x80;
    auto parts = split_record(rec);
    auto opener = testing::tls12(GetParam());
    auto r = opener->open(parts.type, parts.version, parts.fragment);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac) << "byte " << i;
    EXPECT_EQ(opener->sequence_number(), 0u);
  }
  auto parts = split_record(out);
  for (size_t cut : {size_t{1}, parts.fragment.size()}) {
    auto frag = parts.fragment;
    frag.resize(frag.size() - cut);
    auto opener = testing::tls12(GetParam());
    auto r = opener->open(parts.type, parts.version, frag);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
  }
}

TEST_P(EveryAead, Tls12ReplayAndReorderFail) {
  auto sealer = testing::tls12(GetParam());
  std::vector<uint8_t> r0, r1;
  ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, pattern(20, 1), r0));
  ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, pattern(20, 2), r1));
  {
    auto opener = testing::tls12(GetParam());
    auto p0 = split_record(r0);
    ASSERT_TRUE(opener->open(p0.type, p0.version, p0.fragment).ok());
    auto again = split_record(r0);  // replayed: now checked against sequence number 1
    auto r = opener->open(again.type, again.version, again.fragment);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
  }
  {
    auto opener = testing::tls12(GetParam());
    auto p1 = split_record(r1);  // reordered: sequence number 1 opened as 0
    auto r = opener->open(p1.type, p1.version, p1.fragment);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
  }
}

TEST_P(EveryAead, Tls13TamperAndReplayFail) {
  auto sealer = testing::tls13(GetParam());
  std::vector<uint8_t> out;
  ASSERT_TRUE(sealer->seal(ContentType::handshake, 0x0303, pattern(50), out));
  for (size_t i = 5; i < out.size(); ++i) {
    auto rec = out;
    rec[i] ^= 0x04;
    auto parts = split_record(rec);
    auto opener = testing::tls13(GetParam());
    auto r = opener->open(parts.type, parts.version, parts.fragment);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
  }
  // The header is the additional data: a different legacy version fails.
  auto parts = split_record(out);
  auto opener = testing::tls13(GetParam());
  auto r = opener->open(parts.type, 0x0301, parts.fragment);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
  parts = split_record(out);  // a failed open leaves the fragment bytes unspecified
  auto ok = opener->open(parts.type, parts.version, parts.fragment);
  ASSERT_TRUE(ok.ok());
  auto replay = split_record(out);
  auto again = opener->open(replay.type, replay.version, replay.fragment);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::bad_record_mac);
}

TEST_P(EveryAead, Tls12OverlongCiphertextIsRecordOverflow) {
  auto opener = testing::tls12(GetParam());
  std::vector<uint8_t> frag(kMaxCiphertext12 + 1);
  auto r = opener->open(ContentType::application_data, 0x0303, frag);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow);
}

TEST_P(EveryAead, Tls12DecryptedPlaintextOver2To14IsRecordOverflow) {
  // Build an authentic record with 2^14 + 1 plaintext bytes directly with the AEAD, following
  // RFC 5288 §3 / RFC 7905 §2 and RFC 5246 §6.2.3.3 (sequence number 0).
  const AeadAlg alg = GetParam();
  const bool gcm = alg != AeadAlg::chacha20_poly1305;
  auto aead = testing::make_aead(alg, testing::test_key(alg));
  const auto iv = pattern(testing::tls12_iv_len(alg), 0x77);
  std::array<uint8_t, 12> nonce{};
  if (gcm) {
    std::copy(iv.begin(), iv.end(), nonce.begin());  // salt || explicit nonce 0
  } else {
    std::copy(iv.begin(), iv.end(), nonce.begin());  // iv XOR 0
  }
  const size_t n = kMaxPlaintext + 1;
  const std::vector<uint8_t> aad = {
      0, 0, 0, 0, 0, 0, 0, 0, 23, 3, 3, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
  std::vector<uint8_t> frag(gcm ? 8 : 0, 0);
  auto body = pattern(n);
  std::array<uint8_t, 16> tag{};
  ASSERT_TRUE(aead->seal(nonce, aad, body, tag));
  frag.insert(frag.end(), body.begin(), body.end());
  frag.insert(frag.end(), tag.begin(), tag.end());

  auto opener = testing::tls12(alg);
  auto r = opener->open(ContentType::application_data, 0x0303, frag);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow);
  EXPECT_EQ(r.error().alert(), AlertDescription::record_overflow);
}

TEST_P(EveryAead, Tls12IndependentConstructionOpens) {
  // A record assembled by hand from RFC 5288 §3 / RFC 7905 §2 (explicit nonce 0x..2a for GCM,
  // which differs from the sequence number: the receiver must use the nonce sent).
  const AeadAlg alg = GetParam();
  const bool gcm = alg != AeadAlg::chacha20_poly1305;
  auto aead = testing::make_aead(alg, testing::test_key(alg));
  const auto iv = pattern(testing::tls12_iv_len(alg), 0x77);
  std::array<uint8_t, 12> nonce{};
  std::copy(iv.begin(), iv.end(), nonce.begin());
  if (gcm) {
    nonce[11] = 0x2a;
  }
  const std::vector<uint8_t> plaintext = {'h', 'e', 'l', 'l', 'o'};
  const std::vector<uint8_t> aad = {0, 0, 0, 0, 0, 0, 0, 0, 22, 3, 3, 0, 5};
  auto body = plaintext;
  std::array<uint8_t, 16> tag{};
  ASSERT_TRUE(aead->seal(nonce, aad, body, tag));
  std::vector<uint8_t> frag;
  if (gcm) {
    frag = {0, 0, 0, 0, 0, 0, 0, 0x2a};
  }
  frag.insert(frag.end(), body.begin(), body.end());
  frag.insert(frag.end(), tag.begin(), tag.end());
  auto opener = testing::tls12(alg);
  auto r = opener->open(ContentType::handshake, 0x0303, frag);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(bytes_of(r->plaintext), plaintext);
}

TEST_P(EveryAead, SequenceNumberRefusesToWrap) {
  auto sealer = testing::tls12(GetParam());
  auto opener = testing::tls12(GetParam());
  const uint64_t last = std::numeric_limits<uint64_t>::max();
  sealer->dangerous_set_sequence_number(last);
  opener->dangerous_set_sequence_number(last);
  std::vector<uint8_t> out;
  ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, pattern(5), out));
  auto parts = split_record(out);
  ASSERT_TRUE(opener->open(parts.type, parts.version, parts.fragment).ok());
  std::vector<uint8_t> more;
  auto r = sealer->seal(ContentType::application_data, 0x0303, pattern(5), more);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  EXPECT_TRUE(more.empty());
  auto r2 = opener->open(parts.type, parts.version, parts.fragment);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code(), ErrorCode::internal_error);

  auto s13 = testing::tls13(GetParam());
  s13->dangerous_set_sequence_number(last);
  ASSERT_TRUE(s13->seal(ContentType::application_data, 0x0303, pattern(5), out));
  EXPECT_FALSE(s13->seal(ContentType::application_data, 0x0303, pattern(5), out).ok());
}

// ---- TLS 1.3 inner plaintext ----

TEST_P(EveryAead, Tls13PaddingIsStripped) {
  auto sealer = testing::tls13(GetParam());
  auto opener = testing::tls13(GetParam());
  std::vector<uint8_t> out;
  const std::vector<uint8_t> content = {'a', 'b', 'c'};
  ASSERT_TRUE(sealer->seal_with_padding(ContentType::handshake, content, 100, out));
  EXPECT_EQ(out.size(), 5u + 3u + 1u + 100u + 16u);
  auto parts = split_record(out);
  auto opened = opener->open(parts.type, parts.version, parts.fragment);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->type, ContentType::handshake);
  EXPECT_EQ(bytes_of(opened->plaintext), content);

  // Content that ends in zero bytes keeps them: only the padding after the type goes.
  out.clear();
  const std::vector<uint8_t> zeros = {0, 0, 0};
  ASSERT_TRUE(sealer->seal_with_padding(ContentType::application_data, zeros, 7, out));
  parts = split_record(out);
  opened = opener->open(parts.type, parts.version, parts.fragment);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(bytes_of(opened->plaintext), zeros);
}

TEST_P(EveryAead, Tls13PaddingBlock) {
  auto sealer = testing::tls13(GetParam());
  auto opener = testing::tls13(GetParam());
  sealer->set_padding_block(64);
  for (size_t n : {size_t{1}, size_t{63}, size_t{64}, size_t{1000}, kMaxPlaintext}) {
    std::vector<uint8_t> out;
    ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, pattern(n), out));
    const size_t inner = out.size() - 5 - 16;
    EXPECT_TRUE(inner % 64 == 0 || inner == kMaxPlaintext + 1) << n;
    EXPECT_LE(inner, kMaxPlaintext + 1);
    auto parts = split_record(out);
    auto opened = opener->open(parts.type, parts.version, parts.fragment);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(opened->plaintext.size(), n);
  }
}

TEST_P(EveryAead, Tls13PaddingCannotExceedLimit) {
  auto sealer = testing::tls13(GetParam());
  std::vector<uint8_t> out;
  EXPECT_TRUE(sealer->seal_with_padding(ContentType::application_data, pattern(10),
                                        kMaxPlaintext - 10, out));
  EXPECT_FALSE(sealer->seal_with_padding(ContentType::application_data, pattern(10),
                                         kMaxPlaintext - 9, out));
}

// seal_inner seals raw TLSInnerPlaintext bytes with sequence number 0 exactly as RFC 8446 §5.2
// describes, so the tests can build records our sealer refuses to make.
std::vector<uint8_t> seal_inner(AeadAlg alg, std::vector<uint8_t> inner) {
  auto aead = testing::make_aead(alg, testing::test_key(alg));
  const auto iv = pattern(12, 0x55);  // XOR 0
  const size_t len = inner.size() + 16;
  const std::vector<uint8_t> header = {23, 3, 3, static_cast<uint8_t>(len >> 8),
                                       static_cast<uint8_t>(len)};
  std::array<uint8_t, 16> tag{};
  EXPECT_TRUE(aead->seal(iv, header, inner, tag));
  inner.insert(inner.end(), tag.begin(), tag.end());
  return inner;
}

TEST_P(EveryAead, Tls13AllZeroInnerPlaintextIsUnexpectedMessage) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{20}}) {
    auto frag = seal_inner(GetParam(), std::vector<uint8_t>(n, 0));
    auto opener = testing::tls13(GetParam());
    auto r = opener->open(ContentType::application_data, 0x0303, frag);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
  }
}

TEST_P(EveryAead, Tls13InnerPlaintextOverLimitIsRecordOverflow) {
  auto inner = pattern(kMaxPlaintext + 1);
  inner.push_back(23);  // 2^14 + 2 bytes
  auto frag = seal_inner(GetParam(), inner);
  auto opener = testing::tls13(GetParam());
  auto r = opener->open(ContentType::application_data, 0x0303, frag);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow);
}

// RFC 8449 §4: the limit we advertised counts the whole TLSInnerPlaintext (content, type byte
// and padding); one byte more is record_overflow, padding included.
TEST_P(EveryAead, Tls13RecordSizeLimitCountsTypeAndPadding) {
  auto sealer = testing::tls13(GetParam());
  auto opener = testing::tls13(GetParam());
  opener->set_plaintext_limit(256);
  std::vector<uint8_t> out;
  ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, pattern(255), out));
  auto parts = split_record(out);
  EXPECT_TRUE(opener->open(parts.type, parts.version, parts.fragment).ok());
  out.clear();
  ASSERT_TRUE(sealer->seal_with_padding(ContentType::application_data, pattern(200), 56, out));
  parts = split_record(out);
  auto r = opener->open(parts.type, parts.version, parts.fragment);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow);
}

// RFC 8449 §4: in TLS 1.2 the limit covers the plaintext fragment.
TEST_P(EveryAead, Tls12RecordSizeLimitCountsThePlaintext) {
  auto sealer = testing::tls12(GetParam());
  auto opener = testing::tls12(GetParam());
  opener->set_plaintext_limit(64);
  std::vector<uint8_t> out;
  ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, pattern(64), out));
  auto parts = split_record(out);
  EXPECT_TRUE(opener->open(parts.type, parts.version, parts.fragment).ok());
  out.clear();
  ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, pattern(65), out));
  parts = split_record(out);
  auto r = opener->open(parts.type, parts.version, parts.fragment);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow);
}

TEST_P(EveryAead, Tls13ProtectedChangeCipherSpecIsUnexpected) {
  auto frag = seal_inner(GetParam(), {0x01, 20});
  auto opener = testing::tls13(GetParam());
  auto r = opener->open(ContentType::application_data, 0x0303, frag);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
}

TEST_P(EveryAead, Tls13OuterTypeMustBeApplicationData) {
  auto frag = seal_inner(GetParam(), {0x01, 22});
  auto opener = testing::tls13(GetParam());
  auto r = opener->open(ContentType::handshake, 0x0303, frag);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
}

TEST_P(EveryAead, Tls13OverlongCiphertextIsRecordOverflow) {
  auto opener = testing::tls13(GetParam());
  std::vector<uint8_t> frag(kMaxCiphertext13 + 1);
  auto r = opener->open(ContentType::application_data, 0x0303, frag);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow);
}

TEST_P(EveryAead, Tls13WritesLegacyVersion0303) {
  auto sealer = testing::tls13(GetParam());
  std::vector<uint8_t> out;
  ASSERT_TRUE(sealer->seal(ContentType::handshake, 0x0301, pattern(4), out));
  EXPECT_EQ(out[0], 23);
  EXPECT_EQ(out[1], 3);
  EXPECT_EQ(out[2], 3);
}

// ---- Misconfiguration and NullProtection ----

TEST(Protection, WrongIvLengthIsInvalid) {
  auto key = testing::test_key(AeadAlg::aes_128_gcm);
  Tls12AeadProtection gcm_with_12(testing::make_aead(AeadAlg::aes_128_gcm, key),
                                  AeadAlg::aes_128_gcm, pattern(12));
  EXPECT_FALSE(gcm_with_12.valid());
  std::vector<uint8_t> out;
  auto r = gcm_with_12.seal(ContentType::handshake, 0x0303, pattern(3), out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  Tls12AeadProtection alg_mismatch(testing::make_aead(AeadAlg::aes_128_gcm, key),
                                   AeadAlg::chacha20_poly1305, pattern(12));
  EXPECT_FALSE(alg_mismatch.valid());
  Tls13AeadProtection short_iv(testing::make_aead(AeadAlg::aes_128_gcm, key), pattern(4));
  EXPECT_FALSE(short_iv.valid());

  EXPECT_FALSE(make_tls12_protection(crypto::default_provider(), AeadAlg::aes_256_gcm, key,
                                     pattern(4))
                   .ok());  // 16-byte key for AES-256
  EXPECT_FALSE(
      make_tls13_protection(crypto::default_provider(), AeadAlg::aes_128_gcm, key, pattern(11))
          .ok());
  EXPECT_TRUE(make_tls12_protection(crypto::default_provider(), AeadAlg::chacha20_poly1305,
                                    testing::test_key(AeadAlg::chacha20_poly1305), pattern(12))
                  .ok());
}

TEST(Protection, NullProtectionPassesThrough) {
  NullProtection p;
  std::vector<uint8_t> out;
  ASSERT_TRUE(p.seal(ContentType::handshake, 0x0301, pattern(3), out));
  EXPECT_EQ(out, (std::vector<uint8_t>{22, 3, 1, 0, 3, 0, 31, 62}));
  std::vector<uint8_t> frag = {1, 2, 3};
  auto r = p.open(ContentType::alert, 0x0303, frag);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ContentType::alert);
  EXPECT_EQ(bytes_of(r->plaintext), frag);
  std::vector<uint8_t> big(kMaxPlaintext + 1);
  auto over = p.open(ContentType::application_data, 0x0303, big);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code(), ErrorCode::record_overflow);
  EXPECT_FALSE(p.seal(ContentType::application_data, 0x0303, big, out).ok());
}

}  // namespace
}  // namespace hs::record

#include "record/record_decoder.h"

#include <gtest/gtest.h>

#include <vector>

#include "record/record_encoder.h"
#include "unit/record/rfc8448_vectors.h"
#include "unit/record/test_util.h"

namespace hs::record {
namespace {

using crypto::AeadAlg;
using testing::bytes_of;
using testing::from_hex;
using testing::pattern;

std::vector<uint8_t> plain_record(uint8_t type, uint16_t version, std::vector<uint8_t> body) {
  std::vector<uint8_t> r = {type, static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version),
                            static_cast<uint8_t>(body.size() >> 8),
                            static_cast<uint8_t>(body.size())};
  r.insert(r.end(), body.begin(), body.end());
  return r;
}

std::unique_ptr<RecordProtection> rfc8448(std::string_view key, std::string_view iv) {
  auto p = make_tls13_protection(crypto::default_provider(), AeadAlg::aes_128_gcm, from_hex(key),
                                 from_hex(iv));
  EXPECT_TRUE(p.ok());
  return std::move(p).value();
}

void expect_error(RecordDecoder& d, ErrorCode code) {
  auto r = d.next();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), code) << r.error().message();
  // Sticky.
  auto again = d.next();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), code);
}

TEST(RecordDecoder, PlaintextRecordsInOneFeed) {
  RecordDecoder d;
  auto bytes = plain_record(22, 0x0301, {1, 2, 3});
  auto second = plain_record(21, 0x0303, {2, 40});
  bytes.insert(bytes.end(), second.begin(), second.end());
  d.feed(bytes);
  auto r1 = d.next();
  ASSERT_TRUE(r1.ok());
  ASSERT_TRUE(r1->has_value());
  EXPECT_EQ((*r1)->type, ContentType::handshake);
  EXPECT_EQ((*r1)->version, 0x0301);
  EXPECT_EQ(bytes_of((*r1)->fragment), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_TRUE(d.has_buffered_bytes());
  auto r2 = d.next();
  ASSERT_TRUE(r2.ok() && r2->has_value());
  EXPECT_EQ((*r2)->type, ContentType::alert);
  EXPECT_EQ(bytes_of((*r2)->fragment), (std::vector<uint8_t>{2, 40}));
  EXPECT_FALSE(d.has_buffered_bytes());
  auto r3 = d.next();
  ASSERT_TRUE(r3.ok());
  EXPECT_FALSE(r3->has_value());
}

TEST(RecordDecoder, EncryptedRecordsFedOneByteAtATime) {
  // RFC 8448 §3: the server's NewSessionTicket, application data and close_notify records,
  // all under the server application traffic key, delivered one byte per feed.
  RecordDecoder d;
  d.set_protection(rfc8448(rfc8448::kServerApKey, rfc8448::kServerApIv));
  std::vector<uint8_t> wire = from_hex(rfc8448::kServerTicketRecord);
  for (auto v : {rfc8448::kServerAppRecord, rfc8448::kServerAlertRecord}) {
    auto b = from_hex(v);
    wire.insert(wire.end(), b.begin(), b.end());
  }
  std::vector<std::pair<ContentType, std::vector<uint8_t>>> got;
  for (uint8_t byte : wire) {
    d.feed(std::vector<uint8_t>{byte});
    for (;;) {
      auto r = d.next();
      ASSERT_TRUE(r.ok()) << r.error().message();
      if (!r->has_value()) {
        break;
      }
      got.emplace_back((*r)->type, bytes_of((*r)->fragment));
    }
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].first, ContentType::handshake);
  EXPECT_EQ(got[0].second, from_hex(rfc8448::kServerTicketPayload));
  EXPECT_EQ(got[1].first, ContentType::application_data);
  EXPECT_EQ(got[1].second, from_hex(rfc8448::kClientAppPayload));
  EXPECT_EQ(got[2].first, ContentType::alert);
  EXPECT_EQ(got[2].second, (std::vector<uint8_t>{1, 0}));
  EXPECT_FALSE(d.has_buffered_bytes());
}

TEST(RecordDecoder, BytesNeeded) {
  RecordDecoder d;
  EXPECT_EQ(d.bytes_needed(), 5u);
  auto rec = plain_record(23, 0x0303, pattern(10));
  d.feed(std::span<const uint8_t>(rec).first(3));
  EXPECT_EQ(d.bytes_needed(), 2u);
  d.feed(std::span<const uint8_t>(rec).subspan(3, 4));
  EXPECT_EQ(d.bytes_needed(), 8u);
  d.feed(std::span<const uint8_t>(rec).subspan(7));
  EXPECT_EQ(d.bytes_needed(), 0u);
}

TEST(RecordDecoder, KeyChangeAppliesToBufferedRecords) {
  // A plaintext ServerHello record and the first encrypted record arrive in one read; the
  // encrypted one is opened with the keys installed after the first was returned.
  RecordDecoder d;
  auto wire = plain_record(22, 0x0303, {2, 0, 0, 0});
  auto enc = from_hex(rfc8448::kServerHsRecord);
  wire.insert(wire.end(), enc.begin(), enc.end());
  d.feed(wire);
  auto first = d.next();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->type, ContentType::handshake);
  d.set_protection(rfc8448(rfc8448::kServerHsKey, rfc8448::kServerHsIv));
  auto second = d.next();
  ASSERT_TRUE(second.ok()) << second.error().message();
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ(bytes_of((*second)->fragment), from_hex(rfc8448::kServerHsPayload));
}

TEST(RecordDecoder, UnknownContentTypeRejectedFromHeader) {
  for (uint8_t type : {0, 19, 24, 0x47}) {
    RecordDecoder d;
    d.feed(std::vector<uint8_t>{type, 3, 3, 0, 10});  // body not yet here
    expect_error(d, ErrorCode::unexpected_message);
  }
}

TEST(RecordDecoder, BadVersionMajorIsDecodeError) {
  RecordDecoder d;
  d.feed(plain_record(22, 0x0203, {1}));
  expect_error(d, ErrorCode::decode_error);
}

TEST(RecordDecoder, OversizedHeaderRejectedBeforeBody) {
  using Factory = std::unique_ptr<RecordProtection> (*)();
  const std::vector<std::pair<Factory, size_t>> cases = {
      {[]() -> std::unique_ptr<RecordProtection> { return std::make_unique<NullProtection>(); },
       kMaxPlaintext},
      {[]() -> std::unique_ptr<RecordProtection> { return testing::tls12(AeadAlg::aes_128_gcm); },
       kMaxCiphertext12},
      {[]() -> std::unique_ptr<RecordProtection> {
         return testing::tls13(AeadAlg::chacha20_poly1305);
       },
       kMaxCiphertext13},
  };
  for (const auto& [make, limit] : cases) {
    for (size_t len : {limit, limit + 1}) {
      RecordDecoder d;
      d.set_protection(make());
      // Only the header arrives.
      d.feed(std::vector<uint8_t>{23, 3, 3, static_cast<uint8_t>(len >> 8),
                                  static_cast<uint8_t>(len)});
      if (len == limit) {
        auto r = d.next();  // acceptable: waits for the body
        ASSERT_TRUE(r.ok());
        EXPECT_FALSE(r->has_value());
      } else {
        expect_error(d, ErrorCode::record_overflow);
      }
    }
  }
}

TEST(RecordDecoder, ZeroLengthHandshakeAndAlertRejected) {
  for (uint8_t type : {20, 21, 22}) {
    RecordDecoder d;
    d.feed(plain_record(type, 0x0303, {}));
    expect_error(d, ErrorCode::unexpected_message);
  }
  RecordDecoder d;
  d.feed(plain_record(23, 0x0303, {}));
  auto r = d.next();
  ASSERT_TRUE(r.ok() && r->has_value());  // RFC 8446 §5.1 allows empty application_data
  EXPECT_TRUE((*r)->fragment.empty());
}

TEST(RecordDecoder, ZeroLengthEncryptedHandshakeRejected) {
  // RFC 8446 §5.1: no zero-length handshake fragments "even if those fragments contain
  // padding".
  auto sealer = testing::tls13(AeadAlg::aes_128_gcm);
  std::vector<uint8_t> wire;
  ASSERT_TRUE(sealer->seal_with_padding(ContentType::handshake, {}, 12, wire));
  RecordDecoder d;
  d.set_protection(testing::tls13(AeadAlg::aes_128_gcm));
  d.feed(wire);
  expect_error(d, ErrorCode::unexpected_message);
}

TEST(RecordDecoder, PlaintextCcsPassesUnderTls13) {
  auto sealer = testing::tls13(AeadAlg::aes_256_gcm);
  auto wire = plain_record(20, 0x0303, {1});
  ASSERT_TRUE(sealer->seal(ContentType::handshake, 0x0303, pattern(30), wire));
  RecordDecoder d;
  d.set_protection(testing::tls13(AeadAlg::aes_256_gcm));
  d.feed(wire);
  auto ccs = d.next();
  ASSERT_TRUE(ccs.ok() && ccs->has_value());
  EXPECT_EQ((*ccs)->type, ContentType::change_cipher_spec);
  EXPECT_EQ(bytes_of((*ccs)->fragment), (std::vector<uint8_t>{1}));
  auto hs = d.next();  // no sequence number was used by the CCS
  ASSERT_TRUE(hs.ok()) << hs.error().message();
  ASSERT_TRUE(hs->has_value());
  EXPECT_EQ(bytes_of((*hs)->fragment), pattern(30));
}

TEST(RecordDecoder, PlaintextHandshakeUnderTls13IsUnexpected) {
  RecordDecoder d;
  d.set_protection(testing::tls13(AeadAlg::aes_128_gcm));
  d.feed(plain_record(22, 0x0303, pattern(40)));
  expect_error(d, ErrorCode::unexpected_message);
}

TEST(RecordDecoder, TamperedRecordIsBadRecordMacAndSticky) {
  auto sealer = testing::tls12(AeadAlg::chacha20_poly1305);
  std::vector<uint8_t> wire;
  ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, pattern(64), wire));
  wire.back() ^= 1;
  RecordDecoder d;
  d.set_protection(testing::tls12(AeadAlg::chacha20_poly1305));
  d.feed(wire);
  expect_error(d, ErrorCode::bad_record_mac);
  d.feed(plain_record(23, 0x0303, {1}));
  expect_error(d, ErrorCode::bad_record_mac);
}

TEST(RecordDecoder, ReplayedRecordFails) {
  auto sealer = testing::tls12(AeadAlg::aes_128_gcm);
  std::vector<uint8_t> rec;
  ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, pattern(64), rec));
  RecordDecoder d;
  d.set_protection(testing::tls12(AeadAlg::aes_128_gcm));
  d.feed(rec);
  auto ok = d.next();
  ASSERT_TRUE(ok.ok() && ok->has_value());
  d.feed(rec);
  expect_error(d, ErrorCode::bad_record_mac);
}

TEST(RecordDecoder, EncoderToDecoderManyRecordsAllAeads) {
  for (AeadAlg alg : testing::kAllAeads) {
    for (bool v13 : {false, true}) {
      RecordEncoder enc;
      RecordDecoder dec;
      if (v13) {
        enc.set_protection(testing::tls13(alg));
        dec.set_protection(testing::tls13(alg));
      } else {
        enc.set_protection(testing::tls12(alg));
        dec.set_protection(testing::tls12(alg));
      }
      std::vector<uint8_t> wire;
      const auto data = pattern(100000, 7);
      ASSERT_TRUE(enc.write(ContentType::application_data, data, wire));
      ASSERT_TRUE(enc.write(ContentType::alert, std::vector<uint8_t>{1, 0}, wire));
      std::vector<uint8_t> got;
      bool alert = false;
      // Feed in uneven chunks.
      size_t pos = 0;
      size_t chunk = 1;
      while (pos < wire.size()) {
        const size_t n = std::min(chunk, wire.size() - pos);
        dec.feed(std::span<const uint8_t>(wire).subspan(pos, n));
        pos += n;
        chunk = chunk * 3 + 1;
        if (chunk > 9000) {
          chunk = 7;
        }
        for (;;) {
          auto r = dec.next();
          ASSERT_TRUE(r.ok()) << r.error().message();
          if (!r->has_value()) {
            break;
          }
          EXPECT_LE((*r)->fragment.size(), kMaxPlaintext);
          if ((*r)->type == ContentType::alert) {
            alert = true;
          } else {
            got.insert(got.end(), (*r)->fragment.begin(), (*r)->fragment.end());
          }
        }
        // Bounded: at most one maximum record beyond what was consumed, plus the last feed.
        EXPECT_LE(dec.buffered_size(), kRecordHeaderLen + kMaxCiphertext12 + n);
      }
      EXPECT_EQ(got, data);
      EXPECT_TRUE(alert);
    }
  }
}

// attach(): records wholly inside the attached bytes are opened straight into the sink, a record
// cut at the end is kept by retain() and completed from the next attach; the result is the same
// as feeding, whatever the cut points, and the fragment handed out is the sink's tail.
TEST(RecordDecoder, AttachedBytesOpenIntoTheSink) {
  for (AeadAlg alg : testing::kAllAeads) {
    for (bool v13 : {false, true}) {
      RecordEncoder enc;
      RecordDecoder dec;
      auto make = [&] { return testing::protection(v13, alg); };
      enc.set_protection(make());
      dec.set_protection(make());
      std::vector<uint8_t> wire;
      const auto data = pattern(70000, 3);
      ASSERT_TRUE(enc.write(ContentType::application_data, data, wire));
      ASSERT_TRUE(enc.write(ContentType::alert, std::vector<uint8_t>{1, 0}, wire));
      codec::PlainBuffer sink;
      bool alert = false;
      size_t pos = 0;
      size_t chunk = 3;
      while (pos < wire.size()) {
        const size_t n = std::min(chunk, wire.size() - pos);
        // A copy that goes away after retain(), as a caller's read buffer does.
        std::vector<uint8_t> piece(wire.begin() + static_cast<std::ptrdiff_t>(pos),
                                   wire.begin() + static_cast<std::ptrdiff_t>(pos + n));
        pos += n;
        chunk = chunk * 5 + 11;
        if (chunk > 40000) {
          chunk = 9;
        }
        dec.attach(piece);
        for (;;) {
          const size_t before = sink.size();
          auto r = dec.next(&sink);
          ASSERT_TRUE(r.ok()) << r.error().message();
          if (!r->has_value()) {
            break;
          }
          ASSERT_EQ(sink.size(), before + (*r)->fragment.size());
          if ((*r)->type == ContentType::alert) {
            EXPECT_EQ(bytes_of((*r)->fragment), (std::vector<uint8_t>{1, 0}));
            EXPECT_EQ((*r)->fragment.data(), &sink[before]);
            sink.resize(before);
            alert = true;
          }
        }
        dec.retain();
        std::ranges::fill(piece, uint8_t{0});
        EXPECT_LE(dec.buffered_size(), kRecordHeaderLen + kMaxCiphertext12);
      }
      EXPECT_EQ(bytes_of(sink), data);
      EXPECT_TRUE(alert);
      EXPECT_FALSE(dec.has_buffered_bytes());
    }
  }
}

// A record cut by the transport at any byte (in the header, an explicit nonce, the body or the
// tag) is opened from the part retain() kept and the rest where the next attach() left it, into
// `dest` or the sink; a bit flipped in either part is bad_record_mac, and what the failed open
// wrote into `dest` is zeroed.
TEST(RecordDecoder, RecordCutAtEveryByteOpensFromTwoPieces) {
  for (AeadAlg alg : testing::kAllAeads) {
    for (bool v13 : {false, true}) {
      auto make = [&] { return testing::protection(v13, alg); };
      auto sealer = make();
      const auto data = pattern(29, 4);
      std::vector<uint8_t> wire;
      ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, data, wire));
      const size_t first_len = wire.size();
      // A second record follows in the same read: it is opened straight from the view.
      const auto second = pattern(5, 8);
      ASSERT_TRUE(sealer->seal(ContentType::application_data, 0x0303, second, wire));
      for (size_t cut = 1; cut < first_len; ++cut) {
        for (int mode = 0; mode < 6; ++mode) {  // dest / sink; intact, kept part or rest tampered
          const bool to_dest = mode % 2 == 0;
          const int tamper = mode / 2;
          if (tamper == 1 && cut <= kRecordHeaderLen) {
            continue;  // the kept part is (part of) the header: no fragment byte to flip
          }
          SCOPED_TRACE(::testing::Message() << static_cast<int>(alg) << (v13 ? " v13" : " v12")
                                            << " cut " << cut << " mode " << mode);
          RecordDecoder dec;
          dec.set_protection(make());
          std::vector<uint8_t> first(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(cut));
          std::vector<uint8_t> rest(wire.begin() + static_cast<std::ptrdiff_t>(cut), wire.end());
          if (tamper == 1) {
            first[cut - 1] ^= 0x01;
          } else if (tamper == 2) {
            rest[(first_len - cut) / 2] ^= 0x01;  // in the first record's body or tag
          }
          std::vector<uint8_t> dest(200, 0xee);
          codec::PlainBuffer sink;
          const auto dest_span = to_dest ? std::span<uint8_t>(dest) : std::span<uint8_t>();
          dec.attach(first);
          auto none = dec.next(&sink, dest_span);
          ASSERT_TRUE(none.ok());
          EXPECT_FALSE(none->has_value());
          dec.retain();
          std::ranges::fill(first, uint8_t{0});  // the caller's buffer goes away
          dec.attach(rest);
          auto r = dec.next(&sink, dest_span);
          if (tamper != 0) {
            ASSERT_FALSE(r.ok());
            EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
            EXPECT_TRUE(sink.empty());
            for (size_t i = 0; i < dest.size(); ++i) {
              ASSERT_TRUE(dest[i] == 0 || dest[i] == 0xee) << i;
            }
            continue;
          }
          ASSERT_TRUE(r.ok()) << r.error().message();
          ASSERT_TRUE(r->has_value());
          EXPECT_EQ((*r)->in_dest, to_dest);
          EXPECT_EQ(bytes_of((*r)->fragment), data);
          EXPECT_EQ((*r)->fragment.data(), to_dest ? dest.data() : sink.data());
          sink.clear();
          auto r2 = dec.next(&sink, dest_span);
          ASSERT_TRUE(r2.ok() && r2->has_value());
          EXPECT_EQ(bytes_of((*r2)->fragment), second);
          dec.retain();
          EXPECT_FALSE(dec.has_buffered_bytes());
        }
      }
    }
  }
}

// Without a sink, attached records are opened in place as with feed(); unprotected records
// are handed out where they are.
TEST(RecordDecoder, AttachWithoutSinkBehavesLikeFeed) {
  RecordDecoder d;
  auto bytes = plain_record(22, 0x0301, {1, 2, 3});
  auto second = plain_record(21, 0x0303, {2, 40});
  bytes.insert(bytes.end(), second.begin(), second.end());
  d.attach(bytes);
  codec::PlainBuffer sink;
  auto r1 = d.next(&sink);
  ASSERT_TRUE(r1.ok() && r1->has_value());
  EXPECT_EQ(bytes_of((*r1)->fragment), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_TRUE(sink.empty());
  auto r2 = d.next();
  ASSERT_TRUE(r2.ok() && r2->has_value());
  EXPECT_EQ(bytes_of((*r2)->fragment), (std::vector<uint8_t>{2, 40}));
  d.retain();
  EXPECT_FALSE(d.has_buffered_bytes());

  RecordDecoder e;
  e.set_protection(rfc8448(rfc8448::kServerApKey, rfc8448::kServerApIv));
  const auto wire = from_hex(rfc8448::kServerTicketRecord);
  e.attach(wire);
  auto r = e.next();
  ASSERT_TRUE(r.ok() && r->has_value()) << (r.ok() ? "" : r.error().message());
  EXPECT_EQ(bytes_of((*r)->fragment), from_hex(rfc8448::kServerTicketPayload));
  e.retain();
}

}  // namespace
}  // namespace hs::record

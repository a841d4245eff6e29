#include "record/record_encoder.h"

#include <gtest/gtest.h>

#include <vector>

#include "record/record_decoder.h"
#include "unit/record/test_util.h"

namespace hs::record {
namespace {

using crypto::AeadAlg;
using testing::pattern;

// record_lengths walks plaintext records and returns each fragment length.
std::vector<size_t> record_lengths(const std::vector<uint8_t>& wire) {
  std::vector<size_t> lens;
  size_t pos = 0;
  while (pos + 5 <= wire.size()) {
    const size_t len = static_cast<size_t>(wire[pos + 3] << 8 | wire[pos + 4]);
    lens.push_back(len);
    pos += 5 + len;
  }
  EXPECT_EQ(pos, wire.size());
  return lens;
}

TEST(RecordEncoder, Fragments40000BytesIntoThreeRecords) {
  RecordEncoder enc;
  std::vector<uint8_t> wire;
  const auto data = pattern(40000);
  ASSERT_TRUE(enc.write(ContentType::handshake, data, wire));
  EXPECT_EQ(record_lengths(wire), (std::vector<size_t>{16384, 16384, 7232}));
  EXPECT_EQ(wire[0], 22);
  EXPECT_EQ(wire[1], 3);
  EXPECT_EQ(wire[2], 3);
}

TEST(RecordEncoder, FragmentsUnderEveryProtection) {
  for (AeadAlg alg : testing::kAllAeads) {
    RecordEncoder e12;
    e12.set_protection(testing::tls12(alg));
    std::vector<uint8_t> w12;
    ASSERT_TRUE(e12.write(ContentType::application_data, pattern(40000), w12));
    const size_t extra = alg == AeadAlg::chacha20_poly1305 ? 16 : 24;
    EXPECT_EQ(record_lengths(w12),
              (std::vector<size_t>{16384 + extra, 16384 + extra, 7232 + extra}));

    RecordEncoder e13;
    e13.set_protection(testing::tls13(alg));
    std::vector<uint8_t> w13;
    ASSERT_TRUE(e13.write(ContentType::application_data, pattern(40000), w13));
    EXPECT_EQ(record_lengths(w13), (std::vector<size_t>{16401, 16401, 7249}));
    EXPECT_EQ(e13.protection().sequence_number(), 3u);
  }
}

TEST(RecordEncoder, EmptyWriteEmitsNothing) {
  RecordEncoder enc;
  std::vector<uint8_t> wire;
  for (auto type : {ContentType::handshake, ContentType::alert, ContentType::application_data,
                    ContentType::change_cipher_spec}) {
    ASSERT_TRUE(enc.write(type, {}, wire));
  }
  EXPECT_TRUE(wire.empty());
}

TEST(RecordEncoder, VersionAndMaxFragment) {
  RecordEncoder enc;
  enc.set_version(0x0301);
  ASSERT_TRUE(enc.set_max_fragment(100));
  std::vector<uint8_t> wire;
  ASSERT_TRUE(enc.write(ContentType::handshake, pattern(250), wire));
  EXPECT_EQ(record_lengths(wire), (std::vector<size_t>{100, 100, 50}));
  EXPECT_EQ(wire[1], 3);
  EXPECT_EQ(wire[2], 1);

  EXPECT_FALSE(enc.set_max_fragment(0).ok());
  EXPECT_FALSE(enc.set_max_fragment(kMaxPlaintext + 1).ok());
  EXPECT_EQ(enc.max_fragment(), 100u);

  // TLS 1.3 protection writes 0x0303 whatever the legacy version says.
  enc.set_protection(testing::tls13(AeadAlg::aes_128_gcm));
  wire.clear();
  ASSERT_TRUE(enc.write(ContentType::handshake, pattern(10), wire));
  EXPECT_EQ(wire[2], 3);
}

TEST(RecordEncoder, AlertIsNeverFragmented) {
  RecordEncoder enc;
  ASSERT_TRUE(enc.set_max_fragment(1));
  std::vector<uint8_t> wire;
  auto r = enc.write(ContentType::alert, std::vector<uint8_t>{2, 40}, wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  EXPECT_TRUE(wire.empty());
}

TEST(RecordEncoder, InvalidContentTypeRefused) {
  RecordEncoder enc;
  std::vector<uint8_t> wire;
  EXPECT_FALSE(enc.write(ContentType::invalid, pattern(3), wire).ok());
  EXPECT_TRUE(wire.empty());
}

TEST(RecordEncoder, ExhaustedSequenceNumberFails) {
  auto p = testing::tls13(AeadAlg::aes_128_gcm);
  p->dangerous_set_sequence_number(~uint64_t{0});
  RecordEncoder enc;
  enc.set_protection(std::move(p));
  std::vector<uint8_t> wire;
  auto r = enc.write(ContentType::application_data, pattern(kMaxPlaintext + 1), wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  EXPECT_EQ(record_lengths(wire).size(), 1u);  // the last number was still usable
}

}  // namespace
}  // namespace hs::record

// AEAD known answers (RFC 8439 §2.8.2, McGrew-Viega GCM spec test cases 4 and 16) and tamper
// detection.
#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <vector>

#include "crypto/openssl/openssl_provider.h"
#include "unit/crypto/test_util.h"

namespace hs::crypto {
namespace {

using hs::testing::hex;

struct Vector {
  AeadAlg alg;
  const char* key;
  const char* nonce;
  const char* aad;
  const char* plaintext;
  const char* ciphertext;
  const char* tag;
};

const Vector kVectors[] = {
    // RFC 8439, 2.8.2: nonce = 32-bit constant 07000000 || IV 4041424344454647.
    {AeadAlg::chacha20_poly1305, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
     "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
     "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
     "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
     "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
     "637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
     "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
     "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
     "3ff4def08e4b7a9de576d26586cec64b6116",
     "1ae10b594f09e26a7e902ecbd0600691"},
    // GCM spec (McGrew & Viega), Test Case 4: AES-128, 60-byte plaintext, 20-byte AAD.
    {AeadAlg::aes_128_gcm, "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    // GCM spec, Test Case 16: AES-256, same plaintext and AAD.
    {AeadAlg::aes_256_gcm, "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

TEST(Aead, PublishedVectorsSealAndOpen) {
  for (const Vector& v : kVectors) {
    SCOPED_TRACE(static_cast<int>(v.alg));
    auto aead = default_provider().make_aead(v.alg, hex(v.key));
    ASSERT_TRUE(aead.ok());
    EXPECT_EQ((*aead)->alg(), v.alg);
    std::vector<uint8_t> buf = hex(v.plaintext);
    std::vector<uint8_t> tag(kAeadTagLen);
    ASSERT_TRUE((*aead)->seal(hex(v.nonce), hex(v.aad), buf, tag));
    EXPECT_EQ(buf, hex(v.ciphertext));
    EXPECT_EQ(tag, hex(v.tag));
    // The same object opens (and seals again): the key is set once and reused.
    ASSERT_TRUE((*aead)->open(hex(v.nonce), hex(v.aad), buf, tag));
    EXPECT_EQ(buf, hex(v.plaintext));
    ASSERT_TRUE((*aead)->seal(hex(v.nonce), hex(v.aad), buf, tag));
    EXPECT_EQ(buf, hex(v.ciphertext));
  }
}

// The out-of-place forms the record layer uses: seal_to from a separate input, with the input
// split at every position between `in` and an in-place `trailer` (a TLS 1.3 record's content
// and its type byte), and open_to into a separate buffer, give the published answers.
TEST(Aead, PublishedVectorsSealToAndOpenTo) {
  for (const Vector& v : kVectors) {
    SCOPED_TRACE(static_cast<int>(v.alg));
    auto aead = default_provider().make_aead(v.alg, hex(v.key));
    ASSERT_TRUE(aead.ok());
    const std::vector<uint8_t> plain = hex(v.plaintext);
    for (size_t split : {size_t{0}, size_t{1}, size_t{17}, plain.size() - 1, plain.size()}) {
      SCOPED_TRACE(split);
      const std::vector<uint8_t> in(plain.begin(),
                                    plain.begin() + static_cast<std::ptrdiff_t>(split));
      std::vector<uint8_t> out(plain.size(), 0);
      std::copy(plain.begin() + static_cast<std::ptrdiff_t>(split), plain.end(),
                out.begin() + static_cast<std::ptrdiff_t>(split));
      const auto trailer = std::span<uint8_t>(out).subspan(split);
      std::vector<uint8_t> tag(kAeadTagLen);
      ASSERT_TRUE((*aead)->seal_to(hex(v.nonce), hex(v.aad), in, trailer, out, tag));
      EXPECT_EQ(out, hex(v.ciphertext));
      EXPECT_EQ(tag, hex(v.tag));
    }
    const std::vector<uint8_t> sealed = hex(v.ciphertext);
    std::vector<uint8_t> opened(sealed.size());
    ASSERT_TRUE((*aead)->open_to(hex(v.nonce), hex(v.aad), sealed, opened, hex(v.tag)));
    EXPECT_EQ(opened, plain);
    EXPECT_EQ(sealed, hex(v.ciphertext));
    std::vector<uint8_t> wrong_size(sealed.size() + 1);
    EXPECT_FALSE((*aead)->open_to(hex(v.nonce), hex(v.aad), sealed, wrong_size, hex(v.tag)));
  }
}

TEST(Aead, TamperedTagCiphertextOrAadFails) {
  for (const Vector& v : kVectors) {
    SCOPED_TRACE(static_cast<int>(v.alg));
    auto aead = default_provider().make_aead(v.alg, hex(v.key));
    ASSERT_TRUE(aead.ok());
    std::vector<uint8_t> tag = hex(v.tag);
    tag[15] ^= 0x01;
    std::vector<uint8_t> buf = hex(v.ciphertext);
    EXPECT_FALSE((*aead)->open(hex(v.nonce), hex(v.aad), buf, tag));

    buf = hex(v.ciphertext);
    buf[0] ^= 0x80;
    EXPECT_FALSE((*aead)->open(hex(v.nonce), hex(v.aad), buf, hex(v.tag)));

    buf = hex(v.ciphertext);
    std::vector<uint8_t> aad = hex(v.aad);
    aad.back() ^= 0x01;
    EXPECT_FALSE((*aead)->open(hex(v.nonce), aad, buf, hex(v.tag)));

    // After failures the object still works.
    buf = hex(v.ciphertext);
    EXPECT_TRUE((*aead)->open(hex(v.nonce), hex(v.aad), buf, hex(v.tag)));
    EXPECT_EQ(buf, hex(v.plaintext));
  }
}

TEST(Aead, EmptyPlaintextAndAadRoundTrip) {
  const std::vector<uint8_t> key(16, 0x42);
  auto aead = default_provider().make_aead(AeadAlg::aes_128_gcm, key);
  ASSERT_TRUE(aead.ok());
  const std::vector<uint8_t> nonce(12, 0);
  std::vector<uint8_t> empty;
  std::vector<uint8_t> tag(16);
  ASSERT_TRUE((*aead)->seal(nonce, {}, empty, tag));
  EXPECT_TRUE((*aead)->open(nonce, {}, empty, tag));
  tag[0] ^= 1;
  EXPECT_FALSE((*aead)->open(nonce, {}, empty, tag));
}

// GCM spec, Test Case 1: zero key, zero nonce, empty plaintext -> tag 58e2fcce...
TEST(Aead, GcmSpecTestCase1EmptyInput) {
  auto aead = default_provider().make_aead(AeadAlg::aes_128_gcm, std::vector<uint8_t>(16, 0));
  ASSERT_TRUE(aead.ok());
  std::vector<uint8_t> empty;
  std::vector<uint8_t> tag(16);
  ASSERT_TRUE((*aead)->seal(std::vector<uint8_t>(12, 0), {}, empty, tag));
  EXPECT_EQ(tag, hex("58e2fccefa7e3061367f1d57a4e7455a"));
}

TEST(Aead, RejectsWrongKeyAndNonceLengths) {
  auto bad = default_provider().make_aead(AeadAlg::aes_256_gcm, std::vector<uint8_t>(16, 0));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::internal_error);
  auto aead = default_provider().make_aead(AeadAlg::chacha20_poly1305, std::vector<uint8_t>(32));
  ASSERT_TRUE(aead.ok());
  std::vector<uint8_t> buf(4);
  std::vector<uint8_t> tag(16);
  EXPECT_FALSE((*aead)->seal(std::vector<uint8_t>(8), {}, buf, tag));
}

}  // namespace
}  // namespace hs::crypto

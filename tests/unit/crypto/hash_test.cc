// Known answers for digests, HMAC and HKDF (FIPS 180-2, RFC 4231, RFC 5869).
#include <gtest/gtest.h>

#include "crypto/openssl/openssl_provider.h"
#include "unit/crypto/test_util.h"

namespace hs::crypto {
namespace {

using hs::testing::bytes;
using hs::testing::hex;
using hs::testing::vec;

std::vector<uint8_t> digest(HashAlg alg, std::string_view msg) {
  auto h = default_provider().make_hash(alg);
  h->update(bytes(msg));
  std::vector<uint8_t> out(hash_len(alg));
  h->current(out);
  return out;
}

// FIPS 180-2, Appendix B.1 / C.1 / D.1: the one-block message "abc".
TEST(Hash, Fips180AbcVectors) {
  EXPECT_EQ(digest(HashAlg::sha256, "abc"),
            hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  EXPECT_EQ(digest(HashAlg::sha384, "abc"),
            hex("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                "8086072ba1e7cc2358baeca134c825a7"));
  EXPECT_EQ(digest(HashAlg::sha512, "abc"),
            hex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"));
}

TEST(Hash, CurrentContinuesTheRunningHash) {
  auto h = default_provider().make_hash(HashAlg::sha256);
  h->update(bytes("a"));
  std::vector<uint8_t> mid(32);
  h->current(mid);
  EXPECT_EQ(mid, digest(HashAlg::sha256, "a"));
  h->update(bytes("bc"));  // keeps absorbing after current()
  std::vector<uint8_t> end(32);
  h->current(end);
  EXPECT_EQ(end, digest(HashAlg::sha256, "abc"));
}

TEST(Hash, CloneIsIndependent) {
  auto h = default_provider().make_hash(HashAlg::sha384);
  h->update(bytes("ab"));
  auto c = h->clone();
  EXPECT_EQ(c->alg(), HashAlg::sha384);
  c->update(bytes("c"));
  h->update(bytes("x"));
  std::vector<uint8_t> out(48);
  c->current(out);
  EXPECT_EQ(out, digest(HashAlg::sha384, "abc"));
  h->current(out);
  EXPECT_EQ(out, digest(HashAlg::sha384, "abx"));
}

// RFC 4231, 4.3 (Test Case 2): Key = "Jefe", Data = "what do ya want for nothing?".
TEST(Hmac, Rfc4231TestCase2) {
  struct Case {
    HashAlg alg;
    const char* tag;
  } cases[] = {
      {HashAlg::sha256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {HashAlg::sha384,
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
       "8e2240ca5e69e2c78b3239ecfab21649"},
      {HashAlg::sha512,
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
       "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
  };
  for (const Case& c : cases) {
    auto mac = default_provider().make_hmac(c.alg, bytes("Jefe"));
    EXPECT_EQ(mac->alg(), c.alg);
    mac->update(bytes("what do ya "));
    mac->update(bytes("want for nothing?"));
    std::vector<uint8_t> tag(hash_len(c.alg));
    mac->finish(tag);
    EXPECT_EQ(tag, hex(c.tag));
    // finish() restarts with the same key: the same input gives the same tag again.
    mac->update(bytes("what do ya want for nothing?"));
    std::vector<uint8_t> again(hash_len(c.alg));
    mac->finish(again);
    EXPECT_EQ(again, hex(c.tag));
  }
}

// rekey replaces the key and drops pending input: RFC 4231 Test Case 2 on a context first keyed
// with another key, rekeyed mid-message and after a tag; and Test Case 1 (Key = 20 bytes of
// 0x0b, Data = "Hi There") after rekeying that context again.
TEST(Hmac, RekeyStartsOverWithTheNewKey) {
  const auto tc2 = hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const auto tc1 = hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  auto mac = default_provider().make_hmac(HashAlg::sha256, bytes("another key"));
  mac->update(bytes("pending input"));
  mac->rekey(bytes("Jefe"));
  mac->update(bytes("what do ya want for nothing?"));
  std::vector<uint8_t> tag(32);
  mac->finish(tag);
  EXPECT_EQ(tag, tc2);
  mac->rekey(std::vector<uint8_t>(20, 0x0b));
  mac->update(bytes("Hi There"));
  mac->finish(tag);
  EXPECT_EQ(tag, tc1);
  // finish() still restarts with the current key.
  mac->update(bytes("Hi There"));
  mac->finish(tag);
  EXPECT_EQ(tag, tc1);
}

// RFC 5869, A.1 (Test Case 1).
TEST(Hkdf, Rfc5869TestCase1) {
  const auto& p = default_provider();
  SecretBytes prk = p.hkdf_extract(HashAlg::sha256, hex("000102030405060708090a0b0c"),
                                   hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"));
  EXPECT_EQ(vec(prk.expose()),
            hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"));
  auto okm = p.hkdf_expand(HashAlg::sha256, prk.expose(), hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_TRUE(okm.ok());
  EXPECT_EQ(vec(okm->expose()),
            hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                "34007208d5b887185865"));
}

// RFC 5869, A.2 (Test Case 2): an 80-byte salt is an HMAC key longer than SHA-256's 64-byte
// block, which HMAC hashes first (RFC 2104, 2); the 80-byte info spans more than one block.
TEST(Hkdf, Rfc5869TestCase2LongSaltKey) {
  const auto& p = default_provider();
  SecretBytes prk =
      p.hkdf_extract(HashAlg::sha256,
                     hex("606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                         "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
                         "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"),
                     hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                         "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                         "404142434445464748494a4b4c4d4e4f"));
  EXPECT_EQ(vec(prk.expose()),
            hex("06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244"));
  auto okm = p.hkdf_expand(HashAlg::sha256, prk.expose(),
                           hex("b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
                               "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
                               "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"),
                           82);
  ASSERT_TRUE(okm.ok());
  EXPECT_EQ(vec(okm->expose()),
            hex("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                "cc30c58179ec3e87c14c01d5c1f3434f1d87"));
}

// RFC 5869, A.3 (Test Case 3): zero-length salt and info.
TEST(Hkdf, Rfc5869TestCase3) {
  const auto& p = default_provider();
  SecretBytes prk =
      p.hkdf_extract(HashAlg::sha256, {}, hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"));
  EXPECT_EQ(vec(prk.expose()),
            hex("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04"));
  auto okm = p.hkdf_expand(HashAlg::sha256, prk.expose(), {}, 42);
  ASSERT_TRUE(okm.ok());
  EXPECT_EQ(vec(okm->expose()),
            hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                "9d201395faa4b61a96c8"));
}

TEST(Hkdf, ExpandRefusesMoreThan255Blocks) {
  const std::vector<uint8_t> prk(32, 1);
  EXPECT_TRUE(default_provider().hkdf_expand(HashAlg::sha256, prk, {}, 255 * 32).ok());
  auto too_long = default_provider().hkdf_expand(HashAlg::sha256, prk, {}, 255 * 32 + 1);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code(), ErrorCode::internal_error);
}

TEST(Secret, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal(hex("0102"), hex("0102")));
  EXPECT_FALSE(constant_time_equal(hex("0102"), hex("0103")));
  EXPECT_FALSE(constant_time_equal(hex("0102"), hex("010203")));
  EXPECT_TRUE(constant_time_equal({}, {}));
}

TEST(Secret, SecureWipeZeroes) {
  std::vector<uint8_t> b = {1, 2, 3};
  secure_wipe(b);
  EXPECT_EQ(b, std::vector<uint8_t>(3, 0));
}

}  // namespace
}  // namespace hs::crypto

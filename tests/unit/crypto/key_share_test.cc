// Key shares: RFC 7748 X25519 and X448 vectors, NIST-curve round trips and peer-point validation.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>

#include "crypto/openssl/openssl_provider.h"
#include "crypto/testing/testing_provider.h"
#include "unit/crypto/test_util.h"

namespace hs::crypto {
namespace {

using hs::testing::hex;
using hs::testing::vec;

const OpenSslProvider& provider() {
  static const OpenSslProvider p;
  return p;
}

// XdhVector is one RFC 7748 §5.2 known answer: X(scalar, u) = out.
struct XdhVector {
  const char* scalar;
  const char* u;
  const char* out;
};

void expect_vectors(NamedGroup group, std::span<const XdhVector> cases) {
  for (const XdhVector& c : cases) {
    auto share = provider().key_share_from_private(group, hex(c.scalar));
    ASSERT_TRUE(share.ok());
    auto k = (*share)->derive(hex(c.u));
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(vec(k->expose()), hex(c.out));
  }
}

// AliceBob is RFC 7748 §6's exchange: both private keys, their public keys and the secret.
struct AliceBob {
  const char* a;
  const char* a_pub;
  const char* b;
  const char* b_pub;
  const char* k;
};

void expect_alice_and_bob(NamedGroup group, const AliceBob& v) {
  auto alice = provider().key_share_from_private(group, hex(v.a));
  auto bob = provider().key_share_from_private(group, hex(v.b));
  ASSERT_TRUE(alice.ok());
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ((*alice)->group(), group);
  EXPECT_EQ(vec((*alice)->public_key()), hex(v.a_pub));
  EXPECT_EQ(vec((*bob)->public_key()), hex(v.b_pub));
  auto ka = (*alice)->derive((*bob)->public_key());
  auto kb = (*bob)->derive((*alice)->public_key());
  ASSERT_TRUE(ka.ok());
  ASSERT_TRUE(kb.ok());
  EXPECT_EQ(vec(ka->expose()), hex(v.k));
  EXPECT_EQ(vec(kb->expose()), hex(v.k));
}

// RFC 7748, 5.2: X25519(scalar, u) for the two listed inputs.
TEST(X25519, Rfc7748Section52Vectors) {
  const XdhVector cases[] = {
      {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
       "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
       "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
      {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
       "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
       "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
  };
  expect_vectors(NamedGroup::x25519, cases);
}

// RFC 7748, 6.1: Alice and Bob's key pairs and shared secret.
TEST(X25519, Rfc7748Section61AliceAndBob) {
  expect_alice_and_bob(NamedGroup::x25519,
                       {"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
                        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
                        "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
                        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
                        "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"});
}

// The testing provider's random() feeds key generation, so a share made through it is the one
// key_share_from_private makes from the same bytes.
TEST(X25519, TestingProviderKeySharesAreReproducible) {
  TestingProvider a(7);
  TestingProvider b(7);
  TestingProvider c(8);
  auto sa = a.generate_key_share(NamedGroup::x25519);
  auto sb = b.generate_key_share(NamedGroup::x25519);
  auto sc = c.generate_key_share(NamedGroup::x25519);
  ASSERT_TRUE(sa.ok() && sb.ok() && sc.ok());
  EXPECT_EQ(vec((*sa)->public_key()), vec((*sb)->public_key()));
  EXPECT_NE(vec((*sa)->public_key()), vec((*sc)->public_key()));

  TestingProvider d(7);
  std::vector<uint8_t> priv(32);
  ASSERT_TRUE(d.random(priv).ok());
  auto sd = provider().key_share_from_private(NamedGroup::x25519, priv);
  ASSERT_TRUE(sd.ok());
  EXPECT_EQ(vec((*sd)->public_key()), vec((*sa)->public_key()));
}

TEST(X25519, RejectsWrongLengthAndLowOrderPoints) {
  auto share = provider().generate_key_share(NamedGroup::x25519);
  ASSERT_TRUE(share.ok());
  EXPECT_EQ((*share)->public_key().size(), 32u);
  auto short_peer = (*share)->derive(std::vector<uint8_t>(31, 9));
  ASSERT_FALSE(short_peer.ok());
  EXPECT_EQ(short_peer.error().code(), ErrorCode::illegal_parameter);
  // u = 0 and u = 1 are small-order points: X25519 yields all zeros (RFC 7748, 6.1).
  for (uint8_t u : {0, 1}) {
    std::vector<uint8_t> peer(32, 0);
    peer[0] = u;
    auto k = (*share)->derive(peer);
    ASSERT_FALSE(k.ok());
    EXPECT_EQ(k.error().code(), ErrorCode::illegal_parameter);
  }
}

// Peer values go through one kept EVP_PKEY per thread, overwritten for each derive: shares
// deriving in turn against different peers, and after a refused (low-order) peer, each get the
// secret of the peer they were given, the same as the other side computes.
TEST(X25519, InterleavedPeersGetTheirOwnSecrets) {
  std::vector<std::unique_ptr<KeyShare>> shares;
  for (int i = 0; i < 3; ++i) {
    auto s = provider().generate_key_share(NamedGroup::x25519);
    ASSERT_TRUE(s.ok());
    shares.push_back(std::move(*s));
  }
  std::vector<uint8_t> low_order(32, 0);
  for (int round = 0; round < 2; ++round) {
    for (size_t a = 0; a < shares.size(); ++a) {
      for (size_t b = 0; b < shares.size(); ++b) {
        if (a == b) {
          continue;
        }
        auto kab = shares[a]->derive(shares[b]->public_key());
        ASSERT_FALSE(shares[b]->derive(low_order).ok());
        auto kba = shares[b]->derive(shares[a]->public_key());
        ASSERT_TRUE(kab.ok() && kba.ok());
        EXPECT_EQ(vec(kab->expose()), vec(kba->expose())) << a << " " << b;
        const size_t c = 3 - a - b;
        auto kac = shares[a]->derive(shares[c]->public_key());
        ASSERT_TRUE(kac.ok());
        EXPECT_NE(vec(kab->expose()), vec(kac->expose()));
      }
    }
  }
}

// RFC 7748, 5.2: X448(scalar, u) for the two listed inputs.
TEST(X448, Rfc7748Section52Vectors) {
  const XdhVector cases[] = {
      {"3d262fddf9ec8e88495266fea19a34d28882acef045104d0d1aae121"
       "700a779c984c24f8cdd78fbff44943eba368f54b29259a4f1c600ad3",
       "06fce640fa3487bfda5f6cf2d5263f8aad88334cbd07437f020f08f9"
       "814dc031ddbdc38c19c6da2583fa5429db94ada18aa7a7fb4ef8a086",
       "ce3e4ff95a60dc6697da1db1d85e6afbdf79b50a2412d7546d5f239f"
       "e14fbaadeb445fc66a01b0779d98223961111e21766282f73dd96b6f"},
      {"203d494428b8399352665ddca42f9de8fef600908e0d461cb021f8c5"
       "38345dd77c3e4806e25f46d3315c44e0a5b4371282dd2c8d5be3095f",
       "0fbcc2f993cd56d3305b0b7d9e55d4c1a8fb5dbb52f8e9a1e9b6201b"
       "165d015894e56c4d3570bee52fe205e28a78b91cdfbde71ce8d157db",
       "884a02576239ff7a2f2f63b2db6a9ff37047ac13568e1e30fe63c4a7"
       "ad1b3ee3a5700df34321d62077e63633c575c1c954514e99da7c179d"},
  };
  expect_vectors(NamedGroup::x448, cases);
}

// RFC 7748, 6.2: Alice and Bob's X448 key pairs and shared secret.
TEST(X448, Rfc7748Section62AliceAndBob) {
  expect_alice_and_bob(NamedGroup::x448,
                       {"9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28d"
                        "d9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b",
                        "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c"
                        "22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0",
                        "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d"
                        "6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d",
                        "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b430"
                        "27d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609",
                        "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282b"
                        "b60c0b56fd2464c335543936521c24403085d59a449a5037514a879d"});
}

TEST(X448, RejectsWrongLengthsAndLowOrderPoints) {
  auto share = provider().generate_key_share(NamedGroup::x448);
  ASSERT_TRUE(share.ok());
  EXPECT_EQ((*share)->public_key().size(), 56u);
  EXPECT_FALSE(
      provider().key_share_from_private(NamedGroup::x448, std::vector<uint8_t>(32, 1)).ok());
  for (size_t len : {32u, 55u, 57u}) {
    auto k = (*share)->derive(std::vector<uint8_t>(len, 9));
    ASSERT_FALSE(k.ok()) << len;
    EXPECT_EQ(k.error().code(), ErrorCode::illegal_parameter);
  }
  // u = 0 and u = 1 are small-order points: X448 yields all zeros (RFC 7748 §6.2, RFC 8446
  // §7.4.2 "MUST check ... and abort").
  for (uint8_t u : {0, 1}) {
    std::vector<uint8_t> peer(56, 0);
    peer[0] = u;
    auto k = (*share)->derive(peer);
    ASSERT_FALSE(k.ok()) << int{u};
    EXPECT_EQ(k.error().code(), ErrorCode::illegal_parameter);
  }
  // Two generated shares agree.
  auto other = provider().generate_key_share(NamedGroup::x448);
  ASSERT_TRUE(other.ok());
  auto ka = (*share)->derive((*other)->public_key());
  auto kb = (*other)->derive((*share)->public_key());
  ASSERT_TRUE(ka.ok() && kb.ok());
  EXPECT_EQ(vec(ka->expose()), vec(kb->expose()));
}

using Bytes = std::vector<uint8_t>;

// RFC 7919 Appendix A.1: ffdhe2048's p.
Bytes ffdhe2048_p() {
  return hex(
      "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE"
      "249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3"
      "B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182"
      "B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D70"
      "9E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC"
      "2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF");
}

// be_bytes: `value` as a big-endian integer of `len` bytes.
Bytes be_bytes(std::initializer_list<uint8_t> value, size_t len) {
  Bytes out(len - value.size(), 0);
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

// The group is RFC 7919's, and values are padded to the size of p: with exponent 2048, Y =
// 2^2048 mod p = 2^2048 - p (p lies between 2^2047 and 2^2048); with exponent 100, Y = 2^100 has
// 243 leading zero bytes, and so does the secret with the peer value 2 (Z = 2^100), which RFC
// 8446 §7.4.1 keeps ("left-padded with zeros up to the size of the prime").
TEST(Ffdhe, ValuesAreRfc7919sAndPaddedToThePrime) {
  const Bytes p = ffdhe2048_p();
  ASSERT_EQ(p.size(), 256u);
  Bytes two_2048_minus_p(256);
  unsigned carry = 1;  // two's complement: ~p + 1 over 2048 bits
  for (size_t i = 256; i-- > 0;) {
    unsigned v = static_cast<uint8_t>(~p[i]) + carry;
    two_2048_minus_p[i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  auto big = provider().key_share_from_private(NamedGroup::ffdhe2048, be_bytes({0x08, 0x00}, 2));
  ASSERT_TRUE(big.ok()) << big.error().message();
  EXPECT_EQ(vec((*big)->public_key()), two_2048_minus_p);

  auto small = provider().key_share_from_private(NamedGroup::ffdhe2048, Bytes{100});
  ASSERT_TRUE(small.ok());
  Bytes two_100 = be_bytes({0x10}, 256 - 12);  // 2^100 = 0x10 followed by 12 zero bytes
  two_100.resize(256, 0);
  EXPECT_EQ(vec((*small)->public_key()), two_100);
  auto z = (*small)->derive(be_bytes({2}, 256));
  ASSERT_TRUE(z.ok()) << z.error().message();
  EXPECT_EQ(vec(z->expose()), two_100);
}

// Generated shares of every group agree, with public values and secrets of p's size.
TEST(Ffdhe, BothSidesAgreeInEveryGroup) {
  const std::pair<NamedGroup, size_t> groups[] = {{NamedGroup::ffdhe2048, 256},
                                                  {NamedGroup::ffdhe3072, 384},
                                                  {NamedGroup::ffdhe4096, 512},
                                                  {NamedGroup::ffdhe6144, 768},
                                                  {NamedGroup::ffdhe8192, 1024}};
  for (auto [group, len] : groups) {
    SCOPED_TRACE(static_cast<int>(group));
    auto a = default_provider().generate_key_share(group);
    auto b = default_provider().generate_key_share(group);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ((*a)->group(), group);
    EXPECT_EQ((*a)->public_key().size(), len);
    EXPECT_NE(vec((*a)->public_key()), vec((*b)->public_key()));
    auto ka = (*a)->derive((*b)->public_key());
    auto kb = (*b)->derive((*a)->public_key());
    ASSERT_TRUE(ka.ok() && kb.ok());
    EXPECT_EQ(ka->expose().size(), len);
    EXPECT_EQ(vec(ka->expose()), vec(kb->expose()));
  }
}

// RFC 8446 §4.2.8.1: "Peers MUST validate each other's public key Y by ensuring that 1 < Y <
// p-1"; Y is exactly p's size. Secret exponents lie in [2, p-2] (RFC 7919 §5.2).
TEST(Ffdhe, RefusesOutOfRangeValuesAndWrongLengths) {
  const Bytes p = ffdhe2048_p();
  Bytes p_minus_1 = p;
  p_minus_1.back() -= 1;
  auto share = provider().generate_key_share(NamedGroup::ffdhe2048);
  ASSERT_TRUE(share.ok());
  Bytes p_minus_2 = p_minus_1;
  p_minus_2.back() -= 1;
  const Bytes refused[] = {be_bytes({0}, 256), be_bytes({1}, 256), p_minus_1,   p, Bytes(256, 0xff),
                           be_bytes({2}, 255), be_bytes({2}, 257), Bytes(32, 9)};
  for (size_t i = 0; i < std::size(refused); ++i) {
    auto k = (*share)->derive(refused[i]);
    ASSERT_FALSE(k.ok()) << i;
    EXPECT_EQ(k.error().code(), ErrorCode::illegal_parameter);
  }
  EXPECT_TRUE((*share)->derive(be_bytes({2}, 256)).ok());
  EXPECT_TRUE((*share)->derive(p_minus_2).ok());
  for (const Bytes& x : {Bytes{0}, Bytes{1}, p}) {
    auto s = provider().key_share_from_private(NamedGroup::ffdhe2048, x);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), ErrorCode::illegal_parameter);
  }
}

// The seeds of fuzz_key_share (tests/fuzz/crypto/fuzz_key_share.cc): for group i of the target's
// table, the byte i and the public value of TestingProvider(100 + i)'s share, a valid peer value
// to mutate from. HS_WRITE_FUZZ_CORPUS=1 (re)writes them; otherwise they must match.
TEST(KeyShareSeeds, MatchTheFuzzCorpus) {
  const NamedGroup groups[] = {NamedGroup::x25519,    NamedGroup::x448,      NamedGroup::secp256r1,
                               NamedGroup::secp384r1, NamedGroup::secp521r1, NamedGroup::ffdhe2048,
                               NamedGroup::ffdhe3072, NamedGroup::ffdhe4096, NamedGroup::ffdhe6144,
                               NamedGroup::ffdhe8192};
  const std::filesystem::path dir =
      std::filesystem::path(HS_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / "key_share";
  const bool write = std::getenv("HS_WRITE_FUZZ_CORPUS") != nullptr;
  for (size_t i = 0; i < std::size(groups); ++i) {
    SCOPED_TRACE(group_name(groups[i]));
    TestingProvider p(100 + i);
    auto share = p.generate_key_share(groups[i]);
    ASSERT_TRUE(share.ok());
    Bytes seed = {static_cast<uint8_t>(i)};
    seed.insert(seed.end(), (*share)->public_key().begin(), (*share)->public_key().end());
    const auto path = dir / std::string(group_name(groups[i]));
    if (write) {
      std::filesystem::create_directories(dir);
      std::ofstream(path, std::ios::binary)
          .write(reinterpret_cast<const char*>(seed.data()),
                 static_cast<std::streamsize>(seed.size()));
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    const Bytes committed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(committed, seed) << "regenerate with HS_WRITE_FUZZ_CORPUS=1";
  }
}

class NistCurve : public ::testing::TestWithParam<std::pair<NamedGroup, size_t>> {};

TEST_P(NistCurve, BothSidesAgree) {
  const auto [group, field_len] = GetParam();
  auto a = default_provider().generate_key_share(group);
  auto b = default_provider().generate_key_share(group);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*a)->group(), group);
  ASSERT_EQ((*a)->public_key().size(), 1 + 2 * field_len);
  EXPECT_EQ((*a)->public_key()[0], 0x04);
  auto ka = (*a)->derive((*b)->public_key());
  auto kb = (*b)->derive((*a)->public_key());
  ASSERT_TRUE(ka.ok());
  ASSERT_TRUE(kb.ok());
  EXPECT_EQ(ka->size(), field_len);  // RFC 8422, 5.10: the X coordinate only
  EXPECT_EQ(vec(ka->expose()), vec(kb->expose()));
}

TEST_P(NistCurve, RejectsMalformedPeerPoints) {
  const auto [group, field_len] = GetParam();
  auto a = default_provider().generate_key_share(group);
  auto b = default_provider().generate_key_share(group);
  ASSERT_TRUE(a.ok() && b.ok());
  const std::vector<uint8_t> good = vec((*b)->public_key());

  std::vector<std::vector<uint8_t>> bad;
  bad.push_back({good.begin(), good.end() - 1});  // truncated
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  bad.push_back(longer);  // trailing byte
  std::vector<uint8_t> compressed(good.begin(), good.begin() + 1 + field_len);
  compressed[0] = 0x02 | (good.back() & 1);
  bad.push_back(compressed);  // compressed form is not allowed in TLS 1.3 / RFC 8422 5.1.2
  std::vector<uint8_t> hybrid = good;
  hybrid[0] = 0x06;
  bad.push_back(hybrid);
  std::vector<uint8_t> off_curve = good;
  off_curve.back() ^= 0x01;  // y changed: not on the curve
  bad.push_back(off_curve);
  bad.push_back(std::vector<uint8_t>(good.size(), 0));  // all zeros (not 0x04)
  std::vector<uint8_t> zero_point(good.size(), 0);
  zero_point[0] = 0x04;  // (0, 0) is not on these curves
  bad.push_back(zero_point);
  bad.push_back({});

  for (size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE(i);
    auto k = (*a)->derive(bad[i]);
    ASSERT_FALSE(k.ok());
    EXPECT_EQ(k.error().code(), ErrorCode::illegal_parameter);
  }
  // The share still works after rejecting garbage.
  EXPECT_TRUE((*a)->derive(good).ok());
}

TEST_P(NistCurve, TestingProviderIsReproducible) {
  const auto [group, field_len] = GetParam();
  TestingProvider p1(42);
  TestingProvider p2(42);
  auto a = p1.generate_key_share(group);
  auto b = p2.generate_key_share(group);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(vec((*a)->public_key()), vec((*b)->public_key()));
}

INSTANTIATE_TEST_SUITE_P(Groups, NistCurve,
                         ::testing::Values(std::make_pair(NamedGroup::secp256r1, size_t{32}),
                                           std::make_pair(NamedGroup::secp384r1, size_t{48}),
                                           std::make_pair(NamedGroup::secp521r1, size_t{66})));

// The P-256 generator G (SEC 2, 2.4.2): private key 1 must give G as the public point, and a
// scalar of n or 0 is refused.
TEST(NistCurveScalar, FixedScalarsGiveKnownPoints) {
  std::vector<uint8_t> one(32, 0);
  one[31] = 1;
  auto g = provider().key_share_from_private(NamedGroup::secp256r1, one);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(vec((*g)->public_key()),
            hex("04"
                "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
                "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"));
  auto zero = provider().key_share_from_private(NamedGroup::secp256r1, std::vector<uint8_t>(32));
  EXPECT_FALSE(zero.ok());
  auto n = provider().key_share_from_private(
      NamedGroup::secp256r1,
      hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"));
  EXPECT_FALSE(n.ok());
}

TEST(KeyShare, UnsupportedGroupIsAnError) {
  EXPECT_FALSE(default_provider().generate_key_share(NamedGroup::X25519MLKEM768).ok());
  EXPECT_FALSE(default_provider().generate_key_share(static_cast<NamedGroup>(0x1234)).ok());
}

TEST(Random, TestingProviderStreamIsSeededAndContinuous) {
  TestingProvider a(1);
  TestingProvider b(1);
  std::vector<uint8_t> x(40);
  std::vector<uint8_t> y1(13);
  std::vector<uint8_t> y2(27);
  ASSERT_TRUE(a.random(x).ok());
  ASSERT_TRUE(b.random(y1).ok());
  ASSERT_TRUE(b.random(y2).ok());
  std::vector<uint8_t> y = y1;
  y.insert(y.end(), y2.begin(), y2.end());
  EXPECT_EQ(x, y);  // split calls read the same stream
  TestingProvider c(2);
  std::vector<uint8_t> z(40);
  ASSERT_TRUE(c.random(z).ok());
  EXPECT_NE(x, z);
  std::vector<uint8_t> r1(32), r2(32);
  ASSERT_TRUE(default_provider().random(r1).ok());
  ASSERT_TRUE(default_provider().random(r2).ok());
  EXPECT_NE(r1, r2);
}

}  // namespace
}  // namespace hs::crypto

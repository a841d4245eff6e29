// Signatures: RFC 8032 Ed25519 and Ed448 known answers, sign/verify round trips for every
// SignatureAlgorithm with fixed test keys, key parsing, and the TLS scheme table.
#include "crypto/signature.h"

#include <gtest/gtest.h>

#include "crypto/openssl/openssl_provider.h"
#include "unit/crypto/test_util.h"

namespace hs::crypto {
namespace {

using hs::testing::bytes;
using hs::testing::hex;
using hs::testing::read_vector;

std::unique_ptr<PublicKey> public_key(const std::string& name) {
  auto k = default_provider().parse_public_key(read_vector("crypto/" + name + ".spki.der"));
  EXPECT_TRUE(k.ok()) << name;
  return k.ok() ? std::move(k).value() : nullptr;
}

std::unique_ptr<PrivateKey> private_key(const std::string& file) {
  auto k = default_provider().parse_private_key(read_vector("crypto/" + file));
  EXPECT_TRUE(k.ok()) << file;
  return k.ok() ? std::move(k).value() : nullptr;
}

// RFC 8032, 7.1, TEST 1: empty message. The raw public key is wrapped in the fixed Ed25519
// SubjectPublicKeyInfo prefix (RFC 8410, 4).
TEST(Ed25519, Rfc8032Test1Verifies) {
  const auto spki =
      hex("302a300506032b6570032100"
          "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const auto sig =
      hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
          "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  auto key = default_provider().parse_public_key(spki);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ((*key)->type(), KeyType::ed25519);
  EXPECT_TRUE((*key)->verify(SignatureAlgorithm::ed25519, {}, sig));
  auto bad = sig;
  bad[0] ^= 1;
  EXPECT_FALSE((*key)->verify(SignatureAlgorithm::ed25519, {}, bad));
  EXPECT_FALSE((*key)->verify(SignatureAlgorithm::ed25519, hex("00"), sig));
  // Wrong algorithm for the key type: simply invalid.
  EXPECT_FALSE((*key)->verify(SignatureAlgorithm::ecdsa_sha256, {}, sig));
  EXPECT_FALSE((*key)->verify(SignatureAlgorithm::rsa_pss_sha256, {}, sig));
}

// RFC 8032, 7.4, "Blank": Ed448 of the empty message, byte for byte (EdDSA is deterministic),
// and verified through the RFC 8410 SubjectPublicKeyInfo prefix.
TEST(Ed448, Rfc8032BlankSignsAndVerifies) {
  // PKCS#8 PrivateKeyInfo (RFC 8410 §7): version 0, id-Ed448, CurvePrivateKey OCTET STRING.
  const auto pkcs8 =
      hex("3047020100300506032b6571043b0439"
          "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3"
          "528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b");
  const auto spki =
      hex("3043300506032b6571033a00"
          "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778"
          "edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180");
  const auto sig =
      hex("533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f"
          "2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a"
          "9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4db"
          "b61149f05a7363268c71d95808ff2e652600");
  auto priv = default_provider().parse_private_key(pkcs8);
  ASSERT_TRUE(priv.ok());
  EXPECT_EQ((*priv)->type(), KeyType::ed448);
  EXPECT_EQ((*priv)->public_key_info(), spki);
  auto made = (*priv)->sign(SignatureAlgorithm::ed448, {});
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(*made, sig);
  auto key = default_provider().parse_public_key(spki);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE((*key)->verify(SignatureAlgorithm::ed448, {}, sig));
  auto bad = sig;
  bad[0] ^= 1;
  EXPECT_FALSE((*key)->verify(SignatureAlgorithm::ed448, {}, bad));
  EXPECT_FALSE((*key)->verify(SignatureAlgorithm::ed448, hex("00"), sig));
  EXPECT_FALSE((*key)->verify(SignatureAlgorithm::ed25519, {}, sig));
}

struct RoundTrip {
  const char* key;   // base name under tests/vectors/crypto
  const char* priv;  // private key file
  KeyType type;
  size_t bits;
  std::vector<SignatureAlgorithm> algs;
};

const std::vector<RoundTrip>& round_trips() {
  static const std::vector<RoundTrip> kCases = {
      {"rsa2048",
       "rsa2048.pkcs8.der",
       KeyType::rsa,
       2048,
       {SignatureAlgorithm::rsa_pkcs1_sha256, SignatureAlgorithm::rsa_pkcs1_sha384,
        SignatureAlgorithm::rsa_pkcs1_sha512, SignatureAlgorithm::rsa_pss_sha256,
        SignatureAlgorithm::rsa_pss_sha384, SignatureAlgorithm::rsa_pss_sha512}},
      {"rsa2048",
       "rsa2048.pkcs1.der",
       KeyType::rsa,
       2048,
       {SignatureAlgorithm::rsa_pkcs1_sha256, SignatureAlgorithm::rsa_pss_sha256}},
      {"rsapss2048",
       "rsapss2048.pkcs8.der",
       KeyType::rsa_pss,
       2048,
       {SignatureAlgorithm::rsa_pss_sha256, SignatureAlgorithm::rsa_pss_sha384,
        SignatureAlgorithm::rsa_pss_sha512}},
      {"ecp256",
       "ecp256.pkcs8.der",
       KeyType::ec_p256,
       256,
       {SignatureAlgorithm::ecdsa_sha256, SignatureAlgorithm::ecdsa_sha384,
        SignatureAlgorithm::ecdsa_sha512}},
      {"ecp256", "ecp256.sec1.der", KeyType::ec_p256, 256, {SignatureAlgorithm::ecdsa_sha256}},
      {"ecp384", "ecp384.pkcs8.der", KeyType::ec_p384, 384, {SignatureAlgorithm::ecdsa_sha384}},
      {"ecp521", "ecp521.pkcs8.der", KeyType::ec_p521, 521, {SignatureAlgorithm::ecdsa_sha512}},
      {"ed25519", "ed25519.pkcs8.der", KeyType::ed25519, 256, {SignatureAlgorithm::ed25519}},
      {"ed448", "ed448.pkcs8.der", KeyType::ed448, 456, {SignatureAlgorithm::ed448}},
  };
  return kCases;
}

const SignatureAlgorithm kAllAlgs[] = {
    SignatureAlgorithm::rsa_pkcs1_sha256,
    SignatureAlgorithm::rsa_pkcs1_sha384,
    SignatureAlgorithm::rsa_pkcs1_sha512,
    SignatureAlgorithm::rsa_pss_sha256,
    SignatureAlgorithm::rsa_pss_sha384,
    SignatureAlgorithm::rsa_pss_sha512,
    SignatureAlgorithm::ecdsa_sha256,
    SignatureAlgorithm::ecdsa_sha384,
    SignatureAlgorithm::ecdsa_sha512,
    SignatureAlgorithm::ed25519,
    SignatureAlgorithm::ed448,
};

TEST(Signature, SignVerifyRoundTripsForEveryAlgorithm) {
  const auto msg = bytes("TLS 1.3, server CertificateVerify ... transcript hash");
  for (const RoundTrip& c : round_trips()) {
    SCOPED_TRACE(c.priv);
    auto priv = private_key(c.priv);
    auto pub = public_key(c.key);
    ASSERT_TRUE(priv && pub);
    EXPECT_EQ(priv->type(), c.type);
    EXPECT_EQ(pub->type(), c.type);
    EXPECT_EQ(priv->bits(), c.bits);
    EXPECT_EQ(pub->bits(), c.bits);
    // The private key's SubjectPublicKeyInfo is the committed public key.
    EXPECT_EQ(priv->public_key_info(), read_vector(std::string("crypto/") + c.key + ".spki.der"));
    for (SignatureAlgorithm alg : c.algs) {
      SCOPED_TRACE(static_cast<int>(alg));
      auto sig = priv->sign(alg, msg);
      ASSERT_TRUE(sig.ok());
      EXPECT_TRUE(pub->verify(alg, msg, *sig));
      auto tampered = msg;
      tampered[0] ^= 1;
      EXPECT_FALSE(pub->verify(alg, tampered, *sig));
      auto bad_sig = *sig;
      bad_sig[bad_sig.size() / 2] ^= 0x10;
      EXPECT_FALSE(pub->verify(alg, msg, bad_sig));
      // The same signature under any other algorithm is not valid.
      for (SignatureAlgorithm other : kAllAlgs) {
        if (other != alg) {
          EXPECT_FALSE(pub->verify(other, msg, *sig)) << static_cast<int>(other);
        }
      }
    }
  }
}

TEST(Signature, PssRequiresSaltLengthEqualToHashLength) {
  // RFC 8446, 4.2.3: "The length of the Salt MUST be equal to the length of the output of the
  // digest algorithm." Both signatures were made by the openssl CLI (see the vectors README).
  auto pub = public_key("rsa2048");
  ASSERT_TRUE(pub);
  const auto msg = read_vector("crypto/pss_message.txt");
  EXPECT_TRUE(pub->verify(SignatureAlgorithm::rsa_pss_sha256, msg,
                          read_vector("crypto/pss_sha256_salt32.sig")));
  EXPECT_FALSE(pub->verify(SignatureAlgorithm::rsa_pss_sha256, msg,
                           read_vector("crypto/pss_sha256_salt20.sig")));
  EXPECT_FALSE(pub->verify(SignatureAlgorithm::rsa_pss_sha256, msg, {}));
}

TEST(Signature, MismatchedKeyAndAlgorithmNeverSigns) {
  auto ec = private_key("ecp256.pkcs8.der");
  auto rsa_pss = private_key("rsapss2048.pkcs8.der");
  auto ed = private_key("ed25519.pkcs8.der");
  ASSERT_TRUE(ec && rsa_pss && ed);
  EXPECT_FALSE(ec->sign(SignatureAlgorithm::rsa_pss_sha256, bytes("m")).ok());
  EXPECT_FALSE(rsa_pss->sign(SignatureAlgorithm::rsa_pkcs1_sha256, bytes("m")).ok());
  EXPECT_FALSE(ed->sign(SignatureAlgorithm::ecdsa_sha256, bytes("m")).ok());
}

TEST(Signature, MalformedKeysAreRefused) {
  auto spki = read_vector("crypto/ecp256.spki.der");
  auto truncated = spki;
  truncated.pop_back();
  EXPECT_FALSE(default_provider().parse_public_key(truncated).ok());
  auto trailing = spki;
  trailing.push_back(0);
  EXPECT_FALSE(default_provider().parse_public_key(trailing).ok());
  EXPECT_FALSE(default_provider().parse_public_key({}).ok());
  auto priv = read_vector("crypto/rsa2048.pkcs8.der");
  priv.resize(priv.size() - 10);
  EXPECT_FALSE(default_provider().parse_private_key(priv).ok());
  EXPECT_FALSE(default_provider().parse_private_key(hex("3000")).ok());
}

TEST(SignatureScheme, TableMapsSchemes) {
  auto info = scheme_info(SignatureScheme::rsa_pss_rsae_sha384);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->alg, SignatureAlgorithm::rsa_pss_sha384);
  EXPECT_EQ(info->hash, HashAlg::sha384);
  EXPECT_TRUE(info->tls13_allowed);
  EXPECT_EQ(info->key_type, KeyType::rsa);

  info = scheme_info(SignatureScheme::rsa_pss_pss_sha256);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->key_type, KeyType::rsa_pss);

  info = scheme_info(SignatureScheme::rsa_pkcs1_sha256);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->tls13_allowed);

  info = scheme_info(SignatureScheme::ecdsa_secp521r1_sha512);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->alg, SignatureAlgorithm::ecdsa_sha512);
  EXPECT_EQ(info->key_type, KeyType::ec_p521);

  info = scheme_info(SignatureScheme::ed25519);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->hash.has_value());

  EXPECT_FALSE(scheme_info(SignatureScheme::rsa_pkcs1_sha1));
  EXPECT_FALSE(scheme_info(SignatureScheme::ecdsa_sha1));
  info = scheme_info(SignatureScheme::ed448);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->alg, SignatureAlgorithm::ed448);
  EXPECT_EQ(info->key_type, KeyType::ed448);
  EXPECT_FALSE(info->hash.has_value());

  EXPECT_FALSE(scheme_info(static_cast<SignatureScheme>(0x0A0A)));
}

TEST(SignatureScheme, FitsKeyPerVersion) {
  using enum SignatureScheme;
  const auto v12 = ProtocolVersion::tls1_2;
  const auto v13 = ProtocolVersion::tls1_3;
  // ECDSA: curve bound to the scheme in 1.3 only.
  EXPECT_TRUE(scheme_fits_key(ecdsa_secp256r1_sha256, KeyType::ec_p256, v13));
  EXPECT_FALSE(scheme_fits_key(ecdsa_secp256r1_sha256, KeyType::ec_p384, v13));
  EXPECT_TRUE(scheme_fits_key(ecdsa_secp256r1_sha256, KeyType::ec_p384, v12));
  EXPECT_FALSE(scheme_fits_key(ecdsa_secp256r1_sha256, KeyType::rsa, v12));
  // PKCS#1 v1.5 is TLS 1.2 only.
  EXPECT_TRUE(scheme_fits_key(rsa_pkcs1_sha256, KeyType::rsa, v12));
  EXPECT_FALSE(scheme_fits_key(rsa_pkcs1_sha256, KeyType::rsa, v13));
  // rsae vs pss keys.
  EXPECT_TRUE(scheme_fits_key(rsa_pss_rsae_sha256, KeyType::rsa, v13));
  EXPECT_FALSE(scheme_fits_key(rsa_pss_rsae_sha256, KeyType::rsa_pss, v13));
  EXPECT_TRUE(scheme_fits_key(rsa_pss_pss_sha256, KeyType::rsa_pss, v13));
  EXPECT_FALSE(scheme_fits_key(rsa_pss_pss_sha256, KeyType::rsa, v13));
  EXPECT_TRUE(scheme_fits_key(ed25519, KeyType::ed25519, v12));
  EXPECT_TRUE(scheme_fits_key(ed448, KeyType::ed448, v13));
  EXPECT_TRUE(scheme_fits_key(ed448, KeyType::ed448, v12));
  EXPECT_FALSE(scheme_fits_key(ed448, KeyType::ed25519, v13));
  EXPECT_FALSE(scheme_fits_key(ed25519, KeyType::ed448, v13));
  EXPECT_FALSE(scheme_fits_key(rsa_pkcs1_sha1, KeyType::rsa, v12));
}

// An RSASSA-PSS key whose parameters restrict it to SHA-384 (RFC 4055 §3.1; generated with
// `openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_pss_keygen_md:sha384 ...`): libcrypto refuses
// to sign with any other hash, so can_sign says so up front and signable_schemes keeps only
// rsa_pss_pss_sha384, the one scheme a handshake may choose with it.
TEST(Signature, RestrictedRsaPssKeyCanSignOnlyItsHash) {
  auto priv = private_key("rsapss2048_sha384.pkcs8.der");
  ASSERT_TRUE(priv);
  EXPECT_EQ(priv->type(), KeyType::rsa_pss);
  for (SignatureAlgorithm alg : kAllAlgs) {
    EXPECT_EQ(priv->can_sign(alg), alg == SignatureAlgorithm::rsa_pss_sha384)
        << static_cast<int>(alg);
  }
  const auto msg = bytes("restricted");
  auto sig = priv->sign(SignatureAlgorithm::rsa_pss_sha384, msg);
  ASSERT_TRUE(sig.ok());
  auto pub = default_provider().parse_public_key(priv->public_key_info());
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE((*pub)->verify(SignatureAlgorithm::rsa_pss_sha384, msg, *sig));
  EXPECT_FALSE(priv->sign(SignatureAlgorithm::rsa_pss_sha256, msg).ok());

  using S = SignatureScheme;
  const std::vector<S> ours = {S::ecdsa_secp256r1_sha256, S::rsa_pss_rsae_sha256,
                               S::rsa_pss_pss_sha256,     S::rsa_pss_pss_sha384,
                               S::rsa_pss_pss_sha512,     S::rsa_pkcs1_sha256};
  EXPECT_EQ(signable_schemes(ours, *priv), std::vector<S>{S::rsa_pss_pss_sha384});
  // Without parameters an RSASSA-PSS key signs every PSS hash (rsae and pss schemes name the
  // same algorithm; which key type a scheme needs is scheme_fits_key's business).
  auto any = private_key("rsapss2048.pkcs8.der");
  ASSERT_TRUE(any);
  EXPECT_EQ(signable_schemes(ours, *any),
            (std::vector<S>{S::rsa_pss_rsae_sha256, S::rsa_pss_pss_sha256, S::rsa_pss_pss_sha384,
                            S::rsa_pss_pss_sha512}));
}

}  // namespace
}  // namespace hs::crypto

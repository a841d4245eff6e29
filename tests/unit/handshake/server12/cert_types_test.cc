// TLS 1.2 with Ed25519, Ed448, P-521 and RSASSA-PSS certificate keys: which suites and signature
// schemes each key type may use on both sides (RFC 8422 §2.1 and §5.1.3, RFC 8446 §4.2.3). The
// interop side is tests/interop/cert_types_test.cc.
#include <gtest/gtest.h>

#include "crypto/signature.h"
#include "handshake/common/suites.h"
#include "handshake/server12/negotiation.h"

namespace hs {
namespace {

using crypto::KeyType;
using S = SignatureScheme;

TEST(Server12CertTypes, Ed25519SignsOnlyWithEd25519) {
  EXPECT_TRUE(server12::server_scheme_fits_key(S::ed25519, KeyType::ed25519));
  EXPECT_FALSE(server12::server_scheme_fits_key(S::ecdsa_secp256r1_sha256, KeyType::ed25519));
  EXPECT_FALSE(server12::server_scheme_fits_key(S::ed25519, KeyType::ec_p256));
  EXPECT_TRUE(crypto::scheme_fits_key(S::ed25519, KeyType::ed25519, ProtocolVersion::tls1_2));
  // RFC 8422 §2.1: ECDHE_ECDSA suites take "an ECDSA- or EdDSA-capable public key".
  EXPECT_TRUE(detail::suite_auth_fits_key(detail::SuiteAuth::ecdsa, KeyType::ed25519));
  EXPECT_FALSE(detail::suite_auth_fits_key(detail::SuiteAuth::rsa, KeyType::ed25519));
}

TEST(Server12CertTypes, Ed448SignsOnlyWithEd448) {
  EXPECT_TRUE(server12::server_scheme_fits_key(S::ed448, KeyType::ed448));
  EXPECT_FALSE(server12::server_scheme_fits_key(S::ed25519, KeyType::ed448));
  EXPECT_FALSE(server12::server_scheme_fits_key(S::ed448, KeyType::ed25519));
  EXPECT_TRUE(detail::suite_auth_fits_key(detail::SuiteAuth::ecdsa, KeyType::ed448));
  EXPECT_FALSE(detail::suite_auth_fits_key(detail::SuiteAuth::rsa, KeyType::ed448));
}

// A P-521 key serves ECDHE_ECDSA suites and signs with its own curve's scheme first.
TEST(Server12CertTypes, P521SignsWithEcdsa) {
  EXPECT_TRUE(server12::server_scheme_fits_key(S::ecdsa_secp521r1_sha512, KeyType::ec_p521));
  EXPECT_TRUE(detail::suite_auth_fits_key(detail::SuiteAuth::ecdsa, KeyType::ec_p521));
  EXPECT_FALSE(detail::suite_auth_fits_key(detail::SuiteAuth::rsa, KeyType::ec_p521));
}

TEST(Server12CertTypes, RsaPssKeySignsOnlyWithRsaPssPss) {
  for (S s : {S::rsa_pss_pss_sha256, S::rsa_pss_pss_sha384, S::rsa_pss_pss_sha512}) {
    EXPECT_TRUE(server12::server_scheme_fits_key(s, KeyType::rsa_pss)) << signature_scheme_name(s);
    EXPECT_TRUE(crypto::scheme_fits_key(s, KeyType::rsa_pss, ProtocolVersion::tls1_2))
        << signature_scheme_name(s);
    // RFC 8446 §4.2.3: an rsaEncryption key never signs rsa_pss_pss_*.
    EXPECT_FALSE(server12::server_scheme_fits_key(s, KeyType::rsa)) << signature_scheme_name(s);
    EXPECT_FALSE(crypto::scheme_fits_key(s, KeyType::rsa, ProtocolVersion::tls1_2))
        << signature_scheme_name(s);
  }
  // ... and an RSASSA-PSS key never signs rsa_pss_rsae_* or rsa_pkcs1_*.
  for (S s : {S::rsa_pss_rsae_sha256, S::rsa_pkcs1_sha256}) {
    EXPECT_FALSE(server12::server_scheme_fits_key(s, KeyType::rsa_pss)) << signature_scheme_name(s);
    EXPECT_FALSE(crypto::scheme_fits_key(s, KeyType::rsa_pss, ProtocolVersion::tls1_2))
        << signature_scheme_name(s);
  }
  EXPECT_TRUE(detail::suite_auth_fits_key(detail::SuiteAuth::rsa, KeyType::rsa_pss));
  EXPECT_FALSE(detail::suite_auth_fits_key(detail::SuiteAuth::ecdsa, KeyType::rsa_pss));
}

TEST(Server12CertTypes, RsaPssPssIsTheSamePssSignatureAsRsae) {
  EXPECT_EQ(crypto::scheme_algorithm(S::rsa_pss_pss_sha256),
            crypto::scheme_algorithm(S::rsa_pss_rsae_sha256));
  EXPECT_EQ(crypto::scheme_algorithm(S::rsa_pss_pss_sha384),
            crypto::scheme_algorithm(S::rsa_pss_rsae_sha384));
  EXPECT_EQ(crypto::scheme_algorithm(S::rsa_pss_pss_sha512),
            crypto::scheme_algorithm(S::rsa_pss_rsae_sha512));
}

}  // namespace
}  // namespace hs

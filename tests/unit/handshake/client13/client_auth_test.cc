// How our TLS 1.3 client picks the signature scheme of its CertificateVerify from the server's
// CertificateRequest (RFC 8446 §4.4.3). The whole exchange is tested with our server in
// tests/unit/handshake/server13/client_auth_test.cc and against the RFC 8448 §6 trace in
// rfc8448_client_auth_test.cc.
#include <gtest/gtest.h>
#include <hs/config.h>

#include "handshake/client13/client13.h"

namespace hs::test {
namespace {

TEST(Client13ChooseScheme, FirstRequestedSchemeThatFitsTheKey) {
  using S = SignatureScheme;
  const std::vector<S> ours = default_signature_schemes();
  const std::vector<S> requested = {S::ecdsa_secp384r1_sha384, S::rsa_pkcs1_sha256,
                                    S::rsa_pss_rsae_sha384, S::ecdsa_secp256r1_sha256, S::ed25519};
  EXPECT_EQ(client13::choose_client_scheme(requested, ours, crypto::KeyType::rsa),
            S::rsa_pss_rsae_sha384);
  EXPECT_EQ(client13::choose_client_scheme(requested, ours, crypto::KeyType::ec_p256),
            S::ecdsa_secp256r1_sha256);
  EXPECT_EQ(client13::choose_client_scheme(requested, ours, crypto::KeyType::ec_p384),
            S::ecdsa_secp384r1_sha384);
  EXPECT_EQ(client13::choose_client_scheme(requested, ours, crypto::KeyType::ed25519), S::ed25519);
  // Only PKCS#1 for RSA: nothing (RFC 8446 §4.4.3), and nothing we do not offer ourselves.
  EXPECT_EQ(client13::choose_client_scheme(std::vector<S>{S::rsa_pkcs1_sha256}, ours,
                                           crypto::KeyType::rsa),
            std::nullopt);
  EXPECT_EQ(client13::choose_client_scheme(requested, std::vector<S>{S::rsa_pss_rsae_sha256},
                                           crypto::KeyType::rsa),
            std::nullopt);
}

}  // namespace
}  // namespace hs::test

// certified_key_with_signer (include/hs/signer.h): a server, or a client answering a
// CertificateRequest, whose one handshake signature an application's Signer makes. In memory,
// our client against our server, TLS 1.2 and 1.3; the peer checks every signature against the
// leaf's key, so a signer with the wrong key is found out (decrypt_error).
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/signer.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "crypto/signature.h"
#include "unit/handshake/common/loopback_pair.h"
#include "unit/handshake/server12/server12_harness.h"
#include "unit/handshake/server13/server13_harness.h"

namespace hs::test {
namespace {

// KeySigner signs with one of the test keys, as an HSM would with its own: it offers `schemes`
// and counts the calls; `fail` makes it answer with an error.
class KeySigner final : public Signer {
 public:
  KeySigner(std::shared_ptr<const crypto::PrivateKey> key, std::vector<SignatureScheme> schemes)
      : key_(std::move(key)), schemes_(std::move(schemes)) {}

  std::vector<SignatureScheme> schemes() const override { return schemes_; }
  Result<std::vector<uint8_t>> sign(SignatureScheme scheme,
                                    std::span<const uint8_t> message) const override {
    ++calls;
    last_scheme = scheme;
    if (fail) {
      return Error(ErrorCode::internal_error, "hsm", "the device is offline");
    }
    return key_->sign(*crypto::scheme_algorithm(scheme), message);
  }

  mutable std::atomic<int> calls{0};
  mutable std::optional<SignatureScheme> last_scheme;
  bool fail = false;

 private:
  std::shared_ptr<const crypto::PrivateKey> key_;
  std::vector<SignatureScheme> schemes_;
};

class ExternalSigner : public ::testing::TestWithParam<ProtocolVersion> {
 protected:
  std::shared_ptr<ServerConfig> server_with(const CertifiedKey& cert) const {
    auto sc = std::make_shared<ServerConfig>();
    sc->min_version = sc->max_version = GetParam();
    sc->certificates = {cert};
    return sc;
  }
  std::shared_ptr<ClientConfig> client() const { return unverified_client(GetParam()); }
  static CertifiedKey with_signer(const CertifiedKey& cert, std::shared_ptr<const Signer> s) {
    auto out = certified_key_with_signer(cert.chain, std::move(s));
    EXPECT_TRUE(out.ok()) << out.error().message();
    return out.ok() ? std::move(out).value() : CertifiedKey{};
  }
};

TEST_P(ExternalSigner, ServerSignsThroughTheSignerOnce) {
  const CertifiedKey& ecdsa = test_certs()->ecdsa;
  auto signer = std::make_shared<KeySigner>(
      ecdsa.key, std::vector<SignatureScheme>{SignatureScheme::ecdsa_secp256r1_sha256});
  LoopbackPair p = LoopbackPair::start(client(), server_with(with_signer(ecdsa, signer)));
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  EXPECT_TRUE(p.client->is_connected());
  EXPECT_EQ(signer->calls.load(), 1);
  EXPECT_EQ(p.client->info().signature_scheme, SignatureScheme::ecdsa_secp256r1_sha256);
}

// The signer's list decides: an RSA key offered only with rsa_pss_rsae_sha384 signs with it,
// although the client prefers SHA-256.
TEST_P(ExternalSigner, OnlyTheSignersSchemesAreUsed) {
  const CertifiedKey& rsa = test_certs()->rsa;
  auto signer = std::make_shared<KeySigner>(
      rsa.key, std::vector<SignatureScheme>{SignatureScheme::ed25519,  // does not fit: ignored
                                            SignatureScheme::rsa_pss_rsae_sha384});
  LoopbackPair p = LoopbackPair::start(client(), server_with(with_signer(rsa, signer)));
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  EXPECT_EQ(signer->last_scheme, SignatureScheme::rsa_pss_rsae_sha384);
  EXPECT_EQ(p.client->info().signature_scheme, SignatureScheme::rsa_pss_rsae_sha384);
}

// A signer that fails ends the handshake with internal_error, sent to the client as an alert.
TEST_P(ExternalSigner, AFailingSignerIsInternalError) {
  const CertifiedKey& ecdsa = test_certs()->ecdsa;
  auto signer = std::make_shared<KeySigner>(
      ecdsa.key, std::vector<SignatureScheme>{SignatureScheme::ecdsa_secp256r1_sha256});
  signer->fail = true;
  LoopbackPair p = LoopbackPair::start(client(), server_with(with_signer(ecdsa, signer)));
  p.pump();
  ASSERT_TRUE(p.server_error);
  EXPECT_EQ(p.server_error->code(), ErrorCode::internal_error);
  EXPECT_EQ(p.alert_at_client(), AlertDescription::internal_error);
  EXPECT_FALSE(p.client->is_connected());
}

// A signer holding another key than the certificate's: the client's check of the signature
// against the leaf refuses it (decrypt_error, RFC 8446 §4.4.3 / RFC 5246 §7.2.2).
TEST_P(ExternalSigner, ASignatureWithTheWrongKeyIsRefusedByThePeer) {
  auto signer = std::make_shared<KeySigner>(
      test_certs()->example_ecdsa.key,
      std::vector<SignatureScheme>{SignatureScheme::ecdsa_secp256r1_sha256});
  LoopbackPair p =
      LoopbackPair::start(client(), server_with(with_signer(test_certs()->ecdsa, signer)));
  p.pump();
  ASSERT_TRUE(p.client_error);
  EXPECT_EQ(p.client_error->code(), ErrorCode::bad_signature);
  EXPECT_EQ(p.alert_at_server(), AlertDescription::decrypt_error);
}

// A client certificate's CertificateVerify made by a signer.
TEST_P(ExternalSigner, ClientCertificateSignedThroughTheSigner) {
  const CertifiedKey& ecdsa = test_certs()->ecdsa;
  auto signer = std::make_shared<KeySigner>(
      ecdsa.key, std::vector<SignatureScheme>{SignatureScheme::ecdsa_secp256r1_sha256});
  auto sc = server_with(test_certs()->rsa);
  auto verifier = std::make_shared<StubVerifier>();
  sc->client_auth = ClientAuth::require;
  sc->client_verifier = verifier;
  auto cc = client();
  cc->client_certificate = with_signer(ecdsa, signer);
  LoopbackPair p = LoopbackPair::start(cc, sc);
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  EXPECT_TRUE(p.server->is_connected());
  EXPECT_EQ(signer->calls.load(), 1);
  EXPECT_EQ(verifier->calls, 1);
  EXPECT_EQ(p.server->info().signature_scheme, SignatureScheme::ecdsa_secp256r1_sha256);
}

INSTANTIATE_TEST_SUITE_P(Versions, ExternalSigner,
                         ::testing::Values(ProtocolVersion::tls1_2, ProtocolVersion::tls1_3),
                         version_param_name);

TEST(ExternalSignerConfig, RefusesWhatCannotWork) {
  const CertifiedKey& ecdsa = test_certs()->ecdsa;
  auto ed_only = std::make_shared<KeySigner>(
      ecdsa.key, std::vector<SignatureScheme>{SignatureScheme::ed25519});
  auto r = certified_key_with_signer(ecdsa.chain, ed_only);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::invalid_config);
  auto ok_signer = std::make_shared<KeySigner>(
      ecdsa.key, std::vector<SignatureScheme>{SignatureScheme::ecdsa_secp256r1_sha256});
  EXPECT_EQ(certified_key_with_signer({}, ok_signer).error().code(), ErrorCode::invalid_config);
  EXPECT_EQ(certified_key_with_signer({CertificateDer{1, 2, 3}}, ok_signer).error().code(),
            ErrorCode::invalid_config);
  EXPECT_EQ(certified_key_with_signer(ecdsa.chain, nullptr).error().code(),
            ErrorCode::invalid_config);
}

}  // namespace
}  // namespace hs::test

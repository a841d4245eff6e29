// certified_key_for_offload (include/hs/signer.h): a server whose handshake signature the
// application makes later, outside receive(). The handshake stops at the signature
// (Connection::signature_request), keeps what arrives meanwhile, and goes on with
// Connection::provide_signature. In memory, our client against our server, TLS 1.2 and 1.3;
// the client checks the signature against the leaf, so only the right signature connects.
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/signer.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/signature.h"
#include "unit/handshake/common/loopback_pair.h"
#include "unit/handshake/server12/server12_harness.h"
#include "unit/handshake/server13/server13_harness.h"

namespace hs::test {
namespace {

// offloaded_ecdsa is the ECDSA test certificate with its key offloaded.
CertifiedKey offloaded_ecdsa() {
  auto key = certified_key_for_offload(test_certs()->ecdsa.chain,
                                       {SignatureScheme::ecdsa_secp256r1_sha256});
  EXPECT_TRUE(key.ok()) << key.error().message();
  return key.ok() ? std::move(key).value() : CertifiedKey{};
}

class OffloadedSigning : public ::testing::TestWithParam<ProtocolVersion> {
 protected:
  bool tls13() const { return GetParam() == ProtocolVersion::tls1_3; }

  std::shared_ptr<ServerConfig> server() const {
    auto sc = std::make_shared<ServerConfig>();
    sc->min_version = sc->max_version = GetParam();
    sc->certificates = {offloaded_ecdsa()};
    return sc;
  }
  std::shared_ptr<ClientConfig> client() const { return unverified_client(GetParam()); }
  // sign is what the application's signing service does with a request: the certificate's
  // own key here.
  static std::vector<uint8_t> sign(const SignatureRequest& request) {
    auto sig =
        test_certs()->ecdsa.key->sign(*crypto::scheme_algorithm(request.scheme), request.message);
    EXPECT_TRUE(sig.ok());
    return sig.ok() ? std::move(sig).value() : std::vector<uint8_t>{};
  }
  // waiting runs the pair until the server asks for its signature.
  static void run_until_request(LoopbackPair& p) {
    p.pump();
    ASSERT_FALSE(p.client_error) << p.client_error->message();
    ASSERT_FALSE(p.server_error) << p.server_error->message();
    ASSERT_NE(p.server->signature_request(), nullptr);
  }
};

TEST_P(OffloadedSigning, HandshakeWaitsForTheSignatureAndGoesOnWithIt) {
  // An RSA certificate (signed in place) first, the offloaded ECDSA one second; the client takes
  // ECDSA only, so the request names certificate 1.
  auto sc = server();
  sc->certificates.insert(sc->certificates.begin(), test_certs()->rsa);
  auto cc = client();
  cc->signature_schemes = {SignatureScheme::ecdsa_secp256r1_sha256};
  LoopbackPair p = LoopbackPair::start(cc, sc);
  run_until_request(p);
  const SignatureRequest& request = *p.server->signature_request();
  EXPECT_EQ(request.scheme, SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_EQ(request.certificate, 1u);
  if (tls13()) {
    // RFC 8446 §4.4.3: 64 spaces, the context string, 0, Transcript-Hash (SHA-256 here).
    const std::string_view context = "TLS 1.3, server CertificateVerify";
    ASSERT_EQ(request.message.size(), 64 + context.size() + 1 + 32);
    EXPECT_EQ(std::string(request.message.begin(), request.message.begin() + 64),
              std::string(64, ' '));
    EXPECT_EQ(std::string(request.message.begin() + 64,
                          request.message.begin() + 64 + static_cast<long>(context.size())),
              context);
  } else {
    // RFC 8422 §5.4: client_random, server_random, ServerECDHParams (X25519: 3 + 1 + 32).
    EXPECT_EQ(request.message.size(), 32 + 32 + 4 + 32);
  }
  // Everything before the signature went out and nothing after: the client waits.
  EXPECT_TRUE(p.server->is_handshaking());
  EXPECT_TRUE(p.client->is_handshaking());
  EXPECT_FALSE(p.server->wants_write());
  EXPECT_FALSE(p.client->wants_write());

  ASSERT_TRUE(p.server->provide_signature(sign(request)).ok());
  EXPECT_EQ(p.server->signature_request(), nullptr);
  EXPECT_TRUE(p.server->wants_write());
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  ASSERT_TRUE(p.client->is_connected());
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_EQ(p.client->info().signature_scheme, SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_EQ(p.server->info().own_signature_scheme, SignatureScheme::ecdsa_secp256r1_sha256);

  const std::vector<uint8_t> hello = {'h', 'i'};
  ASSERT_TRUE(p.client->write(hello).ok());
  p.pump();
  std::vector<uint8_t> got(16);
  got.resize(p.server->read(got));
  EXPECT_EQ(got, hello);
}

// Records that arrive while the server waits are kept, not read, and handled once the signature
// is in: a fatal alert from the client then ends the connection.
TEST_P(OffloadedSigning, RecordsReceivedWhileWaitingAreHandledAfterTheSignature) {
  LoopbackPair p = LoopbackPair::start(client(), server());
  run_until_request(p);
  const std::vector<uint8_t> alert = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
  ASSERT_TRUE(p.server->receive(alert).ok());
  EXPECT_FALSE(p.server->failed());
  ASSERT_NE(p.server->signature_request(), nullptr);
  auto r = p.server->provide_signature(sign(*p.server->signature_request()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::peer_alert);
  EXPECT_EQ(r.error().received_alert(), AlertDescription::handshake_failure);
  EXPECT_TRUE(p.server->failed());
}

// The application could not sign (empty signature): internal_error, sent as an alert.
TEST_P(OffloadedSigning, NoSignatureIsInternalError) {
  LoopbackPair p = LoopbackPair::start(client(), server());
  run_until_request(p);
  auto r = p.server->provide_signature({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  EXPECT_EQ(p.server->signature_request(), nullptr);
  p.pump();
  EXPECT_EQ(p.alert_at_client(), AlertDescription::internal_error);
  EXPECT_FALSE(p.client->is_connected());
}

// The library does not check the signature; the client does (decrypt_error).
TEST_P(OffloadedSigning, AWrongSignatureIsRefusedByThePeer) {
  LoopbackPair p = LoopbackPair::start(client(), server());
  run_until_request(p);
  SignatureRequest other = *p.server->signature_request();
  other.message.back() ^= 1;
  ASSERT_TRUE(p.server->provide_signature(sign(other)).ok());
  p.pump();
  ASSERT_TRUE(p.client_error);
  EXPECT_EQ(p.client_error->code(), ErrorCode::bad_signature);
  EXPECT_EQ(p.alert_at_server(), AlertDescription::decrypt_error);
}

// provide_signature when nothing is asked for is refused and leaves the connection as it was.
TEST_P(OffloadedSigning, ASignatureNobodyAskedForIsRefused) {
  LoopbackPair p = LoopbackPair::start(client(), server());
  const std::vector<uint8_t> junk = {1, 2, 3};
  auto early = p.server->provide_signature(junk);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::internal_error);
  EXPECT_FALSE(p.server->failed());
  run_until_request(p);
  ASSERT_TRUE(p.server->provide_signature(sign(*p.server->signature_request())).ok());
  EXPECT_FALSE(p.server->provide_signature(junk).ok());
  EXPECT_FALSE(p.server->failed());
  p.pump();
  EXPECT_TRUE(p.client->is_connected());
  EXPECT_TRUE(p.server->is_connected());
}

// A message behind the ClientHello in the same record is refused (unexpected_message): nothing
// may follow a ClientHello before our flight (RFC 8446 §5.1, RFC 5246 §7.3).
TEST_P(OffloadedSigning, AMessageBehindTheClientHelloIsUnexpected) {
  LoopbackPair p = LoopbackPair::start(client(), server());
  std::vector<uint8_t> wire(p.client->output().begin(), p.client->output().end());
  p.client->consume_output(wire.size());
  ASSERT_GE(wire.size(), 5u);
  ASSERT_EQ(wire[0], 22);
  const size_t len = (size_t{wire[3]} << 8) | wire[4];
  ASSERT_EQ(wire.size(), 5 + len);  // the ClientHello, alone in its record
  std::vector<uint8_t> finished = {20, 0, 0, 32};
  finished.resize(4 + 32, 0);
  wire.insert(wire.end(), finished.begin(), finished.end());
  wire[3] = static_cast<uint8_t>((len + finished.size()) >> 8);
  wire[4] = static_cast<uint8_t>(len + finished.size());
  auto r = p.server->receive(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message) << r.error().message();
  // TLS 1.3 refuses it as it switches read keys after the ClientHello (the record layer), TLS
  // 1.2 in the waiting state.
  EXPECT_NE(r.error().message().find(tls13() ? "spans a key change" : "server12::AwaitSignature"),
            std::string::npos)
      << r.error().message();
  EXPECT_EQ(p.server->signature_request(), nullptr);
}

// close() while waiting ends the handshake: close_notify goes out, the request is dropped and a
// late signature is refused.
TEST_P(OffloadedSigning, CloseWhileWaitingDropsTheRequest) {
  LoopbackPair p = LoopbackPair::start(client(), server());
  run_until_request(p);
  const std::vector<uint8_t> signature = sign(*p.server->signature_request());
  p.server->close();
  EXPECT_EQ(p.server->signature_request(), nullptr);
  EXPECT_FALSE(p.server->provide_signature(signature).ok());
  p.pump();
  EXPECT_FALSE(p.client->is_connected());
  EXPECT_TRUE(p.client->peer_closed());
}

// A client that floods the waiting server is stopped (record_overflow), not buffered forever.
TEST_P(OffloadedSigning, FloodWhileWaitingIsRecordOverflow) {
  LoopbackPair p = LoopbackPair::start(client(), server());
  run_until_request(p);
  std::vector<uint8_t> record = {0x17, 0x03, 0x03, 0x40, 0x00};
  record.resize(5 + 0x4000, 0xAB);
  Result<void> r = ok_result();
  for (int i = 0; i < 16 && r.ok(); ++i) {
    r = p.server->receive(record);
  }
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow);
}

// With client authentication the flight goes on to the CertificateRequest after the signature.
TEST_P(OffloadedSigning, ClientAuthenticationFollowsTheSignature) {
  auto sc = server();
  auto verifier = std::make_shared<StubVerifier>();
  sc->client_auth = ClientAuth::require;
  sc->client_verifier = verifier;
  auto cc = client();
  cc->client_certificate = test_certs()->rsa;
  LoopbackPair p = LoopbackPair::start(cc, sc);
  run_until_request(p);
  ASSERT_TRUE(p.server->provide_signature(sign(*p.server->signature_request())).ok());
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  EXPECT_TRUE(p.server->is_connected());
  EXPECT_EQ(verifier->calls, 1);
  EXPECT_TRUE(p.server->info().peer_verified);
}

INSTANTIATE_TEST_SUITE_P(Versions, OffloadedSigning,
                         ::testing::Values(ProtocolVersion::tls1_2, ProtocolVersion::tls1_3),
                         version_param_name);

TEST(OffloadedSigningConfig, RefusesWhatCannotWork) {
  const CertifiedKey& ecdsa = test_certs()->ecdsa;
  EXPECT_EQ(certified_key_for_offload(ecdsa.chain, {SignatureScheme::ed25519}).error().code(),
            ErrorCode::invalid_config);
  EXPECT_EQ(certified_key_for_offload({}, {SignatureScheme::ecdsa_secp256r1_sha256}).error().code(),
            ErrorCode::invalid_config);
  auto key = certified_key_for_offload(ecdsa.chain, {SignatureScheme::ecdsa_secp256r1_sha256});
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->key->offloaded());
  // The key itself refuses to sign in place: only the handshake's request gets a signature.
  EXPECT_FALSE(key->key->sign(crypto::SignatureAlgorithm::ecdsa_sha256, {}).ok());
}

// A client certificate whose key is offloaded: the client's second flight stops at its
// CertificateVerify until provide_signature(); the server verifies the signature.
TEST_P(OffloadedSigning, ClientCertificateIsSignedLater) {
  auto sc = std::make_shared<ServerConfig>();
  sc->min_version = sc->max_version = GetParam();
  sc->certificates = {test_certs()->rsa};
  auto verifier = std::make_shared<StubVerifier>();
  sc->client_auth = ClientAuth::require;
  sc->client_verifier = verifier;
  auto cc = client();
  cc->client_certificate = offloaded_ecdsa();
  LoopbackPair p = LoopbackPair::start(cc, sc);
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  ASSERT_NE(p.client->signature_request(), nullptr);
  const SignatureRequest request = *p.client->signature_request();
  EXPECT_EQ(request.scheme, SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_EQ(request.certificate, 0u);
  if (tls13()) {
    const std::string_view context = "TLS 1.3, client CertificateVerify";
    ASSERT_EQ(request.message.size(), 64 + context.size() + 1 + 32);
    EXPECT_EQ(std::string(request.message.begin() + 64,
                          request.message.begin() + 64 + static_cast<long>(context.size())),
              context);
  } else {
    // RFC 5246 §7.4.8: every handshake message so far, starting with our ClientHello.
    ASSERT_GT(request.message.size(), 4u);
    EXPECT_EQ(request.message[0], 1);  // client_hello
  }
  EXPECT_FALSE(p.server->is_connected());
  EXPECT_FALSE(p.client->is_connected());

  ASSERT_TRUE(p.client->provide_signature(sign(request)).ok());
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  EXPECT_TRUE(p.client->is_connected());
  EXPECT_TRUE(p.server->is_connected());
  EXPECT_EQ(verifier->calls, 1);
  EXPECT_EQ(p.server->info().signature_scheme, SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_EQ(p.client->info().own_signature_scheme, SignatureScheme::ecdsa_secp256r1_sha256);
}

// TLS 1.3 post-handshake authentication with an offloaded client key: the answer waits for the
// signature while the connection stays up, then the server has its client.
TEST(OffloadedSigningPostHandshake, AnswerWaitsForTheSignature) {
  auto sc = std::make_shared<ServerConfig>();
  sc->certificates = {test_certs()->rsa};
  auto verifier = std::make_shared<StubVerifier>();
  sc->client_verifier = verifier;
  auto cc = unverified_client(ProtocolVersion::tls1_3);
  cc->post_handshake_auth = true;
  cc->client_certificate = offloaded_ecdsa();
  LoopbackPair p = LoopbackPair::start(cc, sc);
  p.pump();
  ASSERT_TRUE(p.client->is_connected());
  ASSERT_TRUE(p.server->is_connected());
  ASSERT_EQ(p.client->signature_request(), nullptr);

  ASSERT_TRUE(p.server->request_client_certificate().ok());
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_NE(p.client->signature_request(), nullptr);
  EXPECT_TRUE(p.server->client_certificate_pending());
  EXPECT_TRUE(p.client->is_connected());
  auto sig = test_certs()->ecdsa.key->sign(crypto::SignatureAlgorithm::ecdsa_sha256,
                                           p.client->signature_request()->message);
  ASSERT_TRUE(sig.ok());
  ASSERT_TRUE(p.client->provide_signature(sig.value()).ok());
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  EXPECT_FALSE(p.server->client_certificate_pending());
  EXPECT_TRUE(p.server->info().peer_verified);
  EXPECT_EQ(p.server->info().peer_chain, test_certs()->ecdsa.chain);
  EXPECT_EQ(verifier->calls, 1);
}

}  // namespace
}  // namespace hs::test

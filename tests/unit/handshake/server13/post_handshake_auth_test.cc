// Post-handshake client authentication (RFC 8446 §4.6.2) between our client and our server in
// memory: Connection::request_client_certificate, the client's answer (Certificate,
// CertificateVerify, Finished under the application keys), what the server then reports, and
// each refusal: no post_handshake_auth offered, a request outstanding, no certificate where one
// is required, a chain the verifier refuses, a Finished that does not verify.
#include <gtest/gtest.h>

#include "unit/handshake/server13/server13_harness.h"

namespace hs::test {
namespace {

struct Peers {
  std::shared_ptr<ClientConfig> client;
  std::shared_ptr<ServerConfig> server;
  std::shared_ptr<StubVerifier> verifier = std::make_shared<StubVerifier>();
};

// setup: a server that asks for no certificate in the handshake and a client offering
// post_handshake_auth (when `offer`) with `ck`.
Peers setup(const CertifiedKey* ck, bool offer = true) {
  const TestCerts* certs = test_certs();
  EXPECT_NE(certs, nullptr);
  Peers s;
  s.client = client13_config();
  s.client->post_handshake_auth = offer;
  if (ck != nullptr) {
    s.client->client_certificate = *ck;
  }
  s.server = make_config({certs->ecdsa, certs->rsa});
  s.server->client_verifier = s.verifier;
  return s;
}

// connected runs the handshake and checks that both sides finished it.
Pair13 connected(const Peers& s) {
  Pair13 p = connect13(s.client, s.server, nullptr);
  EXPECT_FALSE(p.client_error.has_value()) << p.client_error->message();
  EXPECT_FALSE(p.server_error.has_value()) << p.server_error->message();
  EXPECT_TRUE(p.server->is_connected());
  EXPECT_TRUE(p.client->is_connected());
  return p;
}

TEST(PostHandshakeAuth, ServerAsksAndTheClientCertificateBecomesThePeer) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  for (const CertifiedKey* ck : {&certs->ecdsa, &certs->rsa, &certs->ecdsa384}) {
    Peers s = setup(ck);
    Pair13 p = connected(s);
    EXPECT_TRUE(p.server->info().post_handshake_auth);
    EXPECT_TRUE(p.client->info().post_handshake_auth);
    EXPECT_TRUE(p.server->info().peer_chain.empty());  // nothing asked in the handshake
    EXPECT_FALSE(p.server->info().peer_verified);

    ASSERT_TRUE(p.server->request_client_certificate().ok());
    p.pump();
    ASSERT_FALSE(p.client_error.has_value()) << p.client_error->message();
    ASSERT_FALSE(p.server_error.has_value()) << p.server_error->message();
    EXPECT_EQ(p.server->info().peer_chain, ck->chain);
    EXPECT_TRUE(p.server->info().peer_verified);
    EXPECT_EQ(s.verifier->calls, 1);
    EXPECT_EQ(s.verifier->last_host, "");  // a client certificate names no server
    ASSERT_TRUE(p.client->info().own_signature_scheme.has_value());
    EXPECT_EQ(p.server->info().signature_scheme, p.client->info().own_signature_scheme);
    exchange_data(p);
  }
}

// Each request forks the handshake transcript with its own context (RFC 8446 §4.4.1, §4.3.2
// "unique within the scope of this connection"): a second and third exchange verify as well,
// with a KeyUpdate between them (the Finished keys follow client_application_traffic_secret_N).
TEST(PostHandshakeAuth, RepeatedRequestsAndAKeyUpdateBetweenThem) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  Peers s = setup(&certs->ecdsa);
  Pair13 p = connected(s);
  for (int round = 1; round <= 3; ++round) {
    SCOPED_TRACE(round);
    if (round == 2) {
      ASSERT_TRUE(p.client->key_update(/*request_peer_update=*/true).ok());
      p.pump();
    }
    ASSERT_TRUE(p.server->request_client_certificate().ok());
    p.pump();
    ASSERT_FALSE(p.client_error.has_value()) << p.client_error->message();
    ASSERT_FALSE(p.server_error.has_value()) << p.server_error->message();
    EXPECT_EQ(s.verifier->calls, round);
    exchange_data(p);
  }
  EXPECT_EQ(p.server->info().peer_chain, certs->ecdsa.chain);
}

TEST(PostHandshakeAuth, RefusedWithoutTheClientsOffer) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  Peers s = setup(&certs->ecdsa, /*offer=*/false);
  Pair13 p = connected(s);
  EXPECT_FALSE(p.server->info().post_handshake_auth);
  // RFC 8446 §4.2.6: "Servers MUST NOT send a post-handshake CertificateRequest to clients
  // which do not offer this extension."
  auto r = p.server->request_client_certificate();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  EXPECT_FALSE(p.server->wants_write());  // nothing sent
  EXPECT_FALSE(p.server->failed());       // and the connection goes on
  exchange_data(p);
}

// Without ServerConfig::client_verifier no answer could be checked: the server refuses to ask.
TEST(PostHandshakeAuth, RefusedWithoutAClientVerifier) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  Peers s = setup(&certs->ecdsa);
  s.server->client_verifier = nullptr;
  Pair13 p = connected(s);
  EXPECT_TRUE(p.server->info().post_handshake_auth);
  auto r = p.server->request_client_certificate();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  EXPECT_FALSE(p.server->wants_write());
  exchange_data(p);
}

TEST(PostHandshakeAuth, OneRequestAtATime) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  Peers s = setup(&certs->ecdsa);
  Pair13 p = connected(s);
  EXPECT_FALSE(p.server->client_certificate_pending());
  ASSERT_TRUE(p.server->request_client_certificate().ok());
  EXPECT_TRUE(p.server->client_certificate_pending());
  auto again = p.server->request_client_certificate();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::internal_error);
  p.pump();
  ASSERT_FALSE(p.server_error.has_value()) << p.server_error->message();
  EXPECT_FALSE(p.server->client_certificate_pending());
  EXPECT_EQ(s.verifier->calls, 1);
  // Answered: the next request may go.
  ASSERT_TRUE(p.server->request_client_certificate().ok());
  p.pump();
  EXPECT_EQ(s.verifier->calls, 2);
}

TEST(PostHandshakeAuth, NotBeforeTheHandshakeNorOnAClient) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  Peers s = setup(&certs->ecdsa);
  auto server = Connection::server(s.server);
  ASSERT_TRUE(server.ok());
  EXPECT_EQ((*server)->request_client_certificate().error().code(), ErrorCode::internal_error);
  Pair13 p = connected(s);
  EXPECT_EQ(p.client->request_client_certificate().error().code(), ErrorCode::internal_error);
  exchange_data(p);
}

// A client without a certificate answers with an empty Certificate and its Finished (RFC 8446
// §4.6.2). After ClientAuth::request the server carries on unauthenticated; after
// ClientAuth::require it ends the connection with certificate_required (§4.4.2.4).
TEST(PostHandshakeAuth, EmptyAnswerIsAcceptedOrRefusedByTheRequestsMode) {
  for (ClientAuth mode : {ClientAuth::request, ClientAuth::require}) {
    SCOPED_TRACE(static_cast<int>(mode));
    Peers s = setup(nullptr);
    Pair13 p = connected(s);
    ASSERT_TRUE(p.server->request_client_certificate(mode).ok());
    p.pump();
    EXPECT_EQ(s.verifier->calls, 0);
    EXPECT_TRUE(p.server->info().peer_chain.empty());
    if (mode == ClientAuth::require) {
      ASSERT_TRUE(p.server_error.has_value());
      EXPECT_EQ(p.server_error->alert(), AlertDescription::certificate_required);
      ASSERT_TRUE(p.client_error.has_value());
      EXPECT_EQ(p.client_error->received_alert(), AlertDescription::certificate_required);
    } else {
      ASSERT_FALSE(p.server_error.has_value()) << p.server_error->message();
      exchange_data(p);
    }
  }
  Peers s = setup(nullptr);
  Pair13 p = connected(s);
  EXPECT_EQ(p.server->request_client_certificate(ClientAuth::none).error().code(),
            ErrorCode::internal_error);
}

TEST(PostHandshakeAuth, RefusedChainGetsTheVerifiersAlert) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  Peers s = setup(&certs->ecdsa);
  Pair13 p = connected(s);
  s.verifier->refusal = Error(ErrorCode::unknown_ca, "certificate", "not our CA");
  ASSERT_TRUE(p.server->request_client_certificate().ok());
  p.pump();
  ASSERT_TRUE(p.server_error.has_value());
  EXPECT_EQ(p.server_error->alert(), AlertDescription::unknown_ca);
  EXPECT_TRUE(p.server->info().peer_chain.empty());
  EXPECT_FALSE(p.server->info().peer_verified);
  ASSERT_TRUE(p.client_error.has_value());
  EXPECT_EQ(p.client_error->received_alert(), AlertDescription::unknown_ca);
}

}  // namespace
}  // namespace hs::test

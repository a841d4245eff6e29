// The TLS 1.2 client's side of client authentication (RFC 5246 §7.4.4, §7.4.6, §7.4.8): what it
// sends for a CertificateRequest, in which order, and when it answers with an empty Certificate.
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/events.h>

#include <memory>
#include <tuple>
#include <vector>

#include "handshake/client12/client12.h"
#include "unit/handshake/common/loopback_pair.h"
#include "unit/handshake/server12/server12_harness.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;
using Messages = std::vector<std::pair<uint8_t, Bytes>>;

// AcceptAll lets every client chain through (the server tests cover refusals).
class AcceptAll final : public CertificateVerifier {
 public:
  Result<void> verify(std::span<const CertificateDer>, std::string_view) override {
    return ok_result();
  }
};

// Sent records the handshake messages and CCS a connection sends, in order.
class Sent final : public Observer {
 public:
  void on_event(const Event& event) override {
    if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
      // The ClientHello goes out before the observer is installed: not counted.
      if (m->direction == Direction::out && !(m->content_type == 22 && m->handshake_type == 1)) {
        types.push_back(m->content_type == 20 ? 0 : m->handshake_type);
      }
    }
  }
  std::vector<uint8_t> types;  // 0 stands for ChangeCipherSpec
};

std::shared_ptr<ClientConfig> tls12_client(std::optional<CertifiedKey> cert) {
  auto c = std::make_shared<ClientConfig>();
  c->max_version = ProtocolVersion::tls1_2;
  c->dangerous_skip_verification = true;
  c->provider = &test_provider();
  c->client_certificate = std::move(cert);
  return c;
}

std::shared_ptr<ServerConfig> requesting_server(std::vector<ServerCertificate> certs) {
  auto sc = make_config(std::move(certs));
  sc->client_auth = ClientAuth::request;
  sc->client_verifier = std::make_shared<AcceptAll>();
  return sc;
}

TEST(Client12ClientAuth, SchemeIsOursInOrderThatTheRequestListsAndTheKeyCanMake) {
  client12::CertificateRequested req{
      {1, 64},
      {SignatureScheme::rsa_pkcs1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
       SignatureScheme::ecdsa_secp256r1_sha256}};
  const auto ours = default_signature_schemes();
  EXPECT_EQ(client12::client_certificate_scheme(req, ours, crypto::KeyType::ec_p256),
            SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_EQ(client12::client_certificate_scheme(req, ours, crypto::KeyType::rsa),
            SignatureScheme::rsa_pkcs1_sha256);
  // The key type must be among certificate_types (RFC 5246 §7.4.4).
  req.certificate_types = {64};
  EXPECT_EQ(client12::client_certificate_scheme(req, ours, crypto::KeyType::rsa), std::nullopt);
  // Nothing the RSA key can make.
  req.certificate_types = {1, 64};
  req.schemes = {SignatureScheme::ecdsa_secp256r1_sha256};
  EXPECT_EQ(client12::client_certificate_scheme(req, ours, crypto::KeyType::rsa), std::nullopt);
  // SHA-1 is never picked, even when it is all the server lists.
  req.schemes = {SignatureScheme::ecdsa_sha1, SignatureScheme::rsa_pkcs1_sha1};
  EXPECT_EQ(client12::client_certificate_scheme(req, ours, crypto::KeyType::ec_p256), std::nullopt);
}

TEST(Client12ClientAuth, SendsCertificateKeyExchangeThenCertificateVerify) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto p = LoopbackPair::start(tls12_client(certs->rsa), requesting_server({certs->ecdsa}));
  Sent sent;
  p.client->set_observer(&sent);
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_TRUE(p.client->is_connected());
  // RFC 5246 §7.3: Certificate, ClientKeyExchange, CertificateVerify, [ChangeCipherSpec],
  // Finished, as curl -v lists them.
  EXPECT_EQ(sent.types, (std::vector<uint8_t>{11, 16, 15, 0, 20}));
  EXPECT_EQ(p.server->info().peer_chain, certs->rsa.chain);
  p.client->set_observer(nullptr);
}

TEST(Client12ClientAuth, EmptyCertificateWithoutConfiguredCertificate) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto p = LoopbackPair::start(tls12_client(std::nullopt), requesting_server({certs->ecdsa}));
  Sent sent;
  p.client->set_observer(&sent);
  p.pump();
  ASSERT_TRUE(p.client->is_connected());
  EXPECT_EQ(sent.types, (std::vector<uint8_t>{11, 16, 0, 20}));  // no CertificateVerify
  EXPECT_TRUE(p.server->info().peer_chain.empty());
  p.client->set_observer(nullptr);
}

TEST(Client12ClientAuth, EmptyCertificateWhenTheKeyCannotMeetTheRequest) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  // The server verifies RSA signatures only; our certificate is ECDSA.
  auto sc = requesting_server({certs->rsa});
  sc->signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pkcs1_sha256};
  auto p = LoopbackPair::start(tls12_client(certs->ecdsa), sc);
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_TRUE(p.client->is_connected());
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_TRUE(p.server->info().peer_chain.empty());
}

TEST(Client12ClientAuth, SecondCertificateRequestIsUnexpectedMessage) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto p = LoopbackPair::start(tls12_client(certs->ecdsa), requesting_server({certs->ecdsa}));
  p.server_rewrite = [](uint8_t t, Bytes body) -> Messages {
    if (t == 13) {
      return {{t, body}, {t, body}};
    }
    return {{t, std::move(body)}};
  };
  p.pump();
  ASSERT_TRUE(p.client_error);
  EXPECT_EQ(p.client_error->code(), ErrorCode::unexpected_message);
  EXPECT_EQ(p.alert_at_server(), AlertDescription::unexpected_message);
}

TEST(Client12ClientAuth, CertificateRequestBeforeServerKeyExchangeIsUnexpectedMessage) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto p = LoopbackPair::start(tls12_client(certs->ecdsa), requesting_server({certs->ecdsa}));
  // Move the CertificateRequest in front of the ServerKeyExchange.
  p.server_rewrite = [held = std::make_shared<Bytes>()](uint8_t t, Bytes body) -> Messages {
    if (t == 12) {
      *held = std::move(body);
      return {};
    }
    if (t == 13) {
      return {{t, std::move(body)}, {12, *held}};
    }
    return {{t, std::move(body)}};
  };
  p.pump();
  ASSERT_TRUE(p.client_error);
  EXPECT_EQ(p.client_error->code(), ErrorCode::unexpected_message);
}

TEST(Client12ClientAuth, MalformedCertificateRequestIsDecodeError) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto p = LoopbackPair::start(tls12_client(certs->ecdsa), requesting_server({certs->ecdsa}));
  p.server_rewrite = [](uint8_t t, Bytes body) -> Messages {
    if (t == 13) {
      body.pop_back();  // truncated certificate_authorities
      body.push_back(0xFF);
      body.push_back(0xFF);
    }
    return {{t, std::move(body)}};
  };
  p.pump();
  ASSERT_TRUE(p.client_error);
  EXPECT_EQ(p.client_error->code(), ErrorCode::decode_error);
  EXPECT_EQ(p.alert_at_server(), AlertDescription::decode_error);
}

}  // namespace
}  // namespace hs::test

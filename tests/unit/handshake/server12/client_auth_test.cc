// TLS 1.2 client authentication (RFC 5246 §7.4.4, §7.4.6, §7.4.8) between our client and our
// server, in memory: success with ECDSA and RSA client certificates, and each refusal with its
// alert on the wire.
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/session.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "crypto/signature.h"
#include "handshake/common/suites.h"
#include "handshake/server12/server12.h"
#include "unit/handshake/common/loopback_pair.h"
#include "unit/handshake/server12/server12_harness.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;
using Messages = std::vector<std::pair<uint8_t, Bytes>>;

// ExactVerifier accepts one leaf and refuses every other chain with `refusal`, as the default
// verifier refuses an untrusted (unknown_ca) or expired (certificate_expired) certificate.
class ExactVerifier final : public CertificateVerifier {
 public:
  ExactVerifier(Bytes leaf, ErrorCode refusal) : leaf_(std::move(leaf)), refusal_(refusal) {}
  Result<void> verify(std::span<const CertificateDer> chain, std::string_view host) override {
    hosts.emplace_back(host);
    if (!chain.empty() && chain.front() == leaf_) {
      return ok_result();
    }
    return Error(refusal_, "certificate", "SSL certificate problem: refused by the test");
  }
  std::vector<std::string> hosts;

 private:
  Bytes leaf_;
  ErrorCode refusal_;
};

std::shared_ptr<ClientConfig> tls12_client(std::optional<CertifiedKey> cert) {
  auto c = std::make_shared<ClientConfig>();
  c->max_version = ProtocolVersion::tls1_2;
  c->dangerous_skip_verification = true;
  c->provider = &test_provider();
  c->client_certificate = std::move(cert);
  return c;
}

std::shared_ptr<ServerConfig> mtls_server(ClientAuth mode, const CertifiedKey& trusted,
                                          ErrorCode refusal = ErrorCode::unknown_ca) {
  const TestCerts* certs = test_certs();
  auto sc = make_config({certs->rsa, certs->ecdsa});
  sc->client_auth = mode;
  sc->client_verifier = std::make_shared<ExactVerifier>(trusted.chain.front(), refusal);
  return sc;
}

LoopbackPair run(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc,
                 MessageRewrite client_rewrite = nullptr) {
  auto p = LoopbackPair::start(std::move(cc), std::move(sc));
  p.client_rewrite = std::move(client_rewrite);
  if (p.client && p.server) {
    p.pump();
  }
  return p;
}

// rewrite_type applies `f` to the client's message of `type` only.
MessageRewrite rewrite_type(uint8_t type, std::function<Messages(Bytes)> f) {
  return [type, f](uint8_t t, Bytes body) -> Messages {
    if (t == type) {
      return f(std::move(body));
    }
    return {{t, std::move(body)}};
  };
}

constexpr uint8_t kCertificate = 11;
constexpr uint8_t kCertificateVerify = 15;

TEST(Server12ClientAuth, EcdsaAndRsaClientCertificatesAuthenticate) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  for (const CertifiedKey* client_cert : {&certs->ecdsa, &certs->rsa, &certs->ecdsa384}) {
    for (ClientAuth mode : {ClientAuth::request, ClientAuth::require}) {
      SCOPED_TRACE(client_cert->key->type() == crypto::KeyType::rsa ? "rsa" : "ecdsa");
      auto sc = mtls_server(mode, *client_cert);
      auto verifier = std::static_pointer_cast<ExactVerifier>(sc->client_verifier);
      auto p = run(tls12_client(*client_cert), sc);
      ASSERT_FALSE(p.server_error) << p.server_error->message();
      ASSERT_FALSE(p.client_error) << p.client_error->message();
      ASSERT_TRUE(p.server->is_connected());
      ASSERT_TRUE(p.client->is_connected());
      EXPECT_EQ(p.server->info().version, ProtocolVersion::tls1_2);
      EXPECT_EQ(p.server->info().peer_chain, client_cert->chain);
      EXPECT_TRUE(p.server->info().peer_verified);
      // The CertificateVerify scheme is recorded as the peer's signature scheme.
      ASSERT_TRUE(p.server->info().signature_scheme.has_value());
      EXPECT_TRUE(crypto::scheme_fits_key(*p.server->info().signature_scheme,
                                          client_cert->key->type(), ProtocolVersion::tls1_2));
      // ... and as the client's own; each side's own scheme is the other's peer scheme.
      EXPECT_EQ(p.server->info().signature_scheme, p.client->info().own_signature_scheme);
      ASSERT_TRUE(p.server->info().own_signature_scheme.has_value());
      EXPECT_EQ(p.server->info().own_signature_scheme, p.client->info().signature_scheme);
      // The verifier is asked about the client's chain with no host name.
      ASSERT_EQ(verifier->hosts.size(), 1u);
      EXPECT_EQ(verifier->hosts.front(), "");
    }
  }
}

TEST(Server12ClientAuth, RequestAcceptsAnEmptyCertificate) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto p = run(tls12_client(std::nullopt), mtls_server(ClientAuth::request, certs->ecdsa));
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  ASSERT_TRUE(p.server->is_connected());
  ASSERT_TRUE(p.client->is_connected());
  EXPECT_TRUE(p.server->info().peer_chain.empty());
  EXPECT_FALSE(p.server->info().peer_verified);
}

TEST(Server12ClientAuth, RequireRefusesAnEmptyCertificateWithHandshakeFailure) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto p = run(tls12_client(std::nullopt), mtls_server(ClientAuth::require, certs->ecdsa));
  ASSERT_TRUE(p.server_error);
  EXPECT_EQ(p.server_error->code(), ErrorCode::no_client_certificate);
  // RFC 5246 §7.4.6: handshake_failure (TLS 1.2 has no certificate_required).
  EXPECT_EQ(p.alert_at_client(), AlertDescription::handshake_failure);
  EXPECT_FALSE(p.server->is_connected());
}

TEST(Server12ClientAuth, ChainRefusedByTheVerifierGetsItsAlert) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  const std::pair<ErrorCode, AlertDescription> cases[] = {
      {ErrorCode::unknown_ca, AlertDescription::unknown_ca},
      {ErrorCode::certificate_expired, AlertDescription::certificate_expired},
      {ErrorCode::bad_certificate, AlertDescription::bad_certificate},
  };
  for (auto [code, alert] : cases) {
    SCOPED_TRACE(std::string(error_code_name(code)));
    for (ClientAuth mode : {ClientAuth::request, ClientAuth::require}) {
      // The server trusts only the RSA leaf; the client presents the ECDSA one.
      auto p = run(tls12_client(certs->ecdsa), mtls_server(mode, certs->rsa, code));
      ASSERT_TRUE(p.server_error);
      EXPECT_EQ(p.server_error->code(), code);
      EXPECT_EQ(p.alert_at_client(), alert);
      EXPECT_TRUE(p.server->info().peer_chain.empty());
    }
  }
}

TEST(Server12ClientAuth, BadCertificateVerifySignatureIsDecryptError) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto p = run(tls12_client(certs->ecdsa), mtls_server(ClientAuth::require, certs->ecdsa),
               rewrite_type(kCertificateVerify, [](Bytes body) -> Messages {
                 body.back() ^= 0x01;  // the last byte of the signature
                 return {{kCertificateVerify, body}};
               }));
  ASSERT_TRUE(p.server_error);
  EXPECT_EQ(p.server_error->code(), ErrorCode::bad_signature);
  EXPECT_EQ(p.alert_at_client(), AlertDescription::decrypt_error);
}

TEST(Server12ClientAuth, CertificateVerifyWithASchemeNotOfferedIsIllegalParameter) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  // ecdsa_sha1 (0x0203) is never in our CertificateRequest; ecdsa_secp521r1_sha512 is offered
  // but cannot be an RSA key's.
  for (uint16_t scheme : {uint16_t{0x0203}, uint16_t{0x0603}}) {
    auto p = run(tls12_client(certs->rsa), mtls_server(ClientAuth::require, certs->rsa),
                 rewrite_type(kCertificateVerify, [scheme](Bytes body) -> Messages {
                   body[0] = static_cast<uint8_t>(scheme >> 8);
                   body[1] = static_cast<uint8_t>(scheme);
                   return {{kCertificateVerify, body}};
                 }));
    ASSERT_TRUE(p.server_error);
    EXPECT_EQ(p.server_error->code(), ErrorCode::illegal_parameter);
    EXPECT_EQ(p.alert_at_client(), AlertDescription::illegal_parameter);
  }
}

TEST(Server12ClientAuth, MissingCertificateVerifyIsUnexpectedMessage) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto p = run(tls12_client(certs->ecdsa), mtls_server(ClientAuth::request, certs->ecdsa),
               rewrite_type(kCertificateVerify, [](Bytes) -> Messages { return {}; }));
  ASSERT_TRUE(p.server_error);
  EXPECT_EQ(p.server_error->code(), ErrorCode::unexpected_message);
  EXPECT_EQ(p.alert_at_client(), AlertDescription::unexpected_message);
}

TEST(Server12ClientAuth, MissingCertificateIsUnexpectedMessage) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  // RFC 5246 §7.4.6: a requested Certificate MUST be sent, even empty.
  auto p = run(tls12_client(std::nullopt), mtls_server(ClientAuth::request, certs->ecdsa),
               rewrite_type(kCertificate, [](Bytes) -> Messages { return {}; }));
  ASSERT_TRUE(p.server_error);
  EXPECT_EQ(p.server_error->code(), ErrorCode::unexpected_message);
  EXPECT_EQ(p.alert_at_client(), AlertDescription::unexpected_message);
}

TEST(Server12ClientAuth, UnrequestedCertificateIsUnexpectedMessage) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  // Without client_auth no CertificateRequest goes out, so a client Certificate is refused.
  auto sc = make_config({certs->ecdsa});
  auto p = run(tls12_client(std::nullopt), sc, [](uint8_t t, Bytes body) -> Messages {
    if (t == 16) {  // put an empty Certificate in front of the ClientKeyExchange
      return {{kCertificate, Bytes{0, 0, 0}}, {t, std::move(body)}};
    }
    return {{t, std::move(body)}};
  });
  ASSERT_TRUE(p.server_error);
  EXPECT_EQ(p.server_error->code(), ErrorCode::unexpected_message);
}

TEST(Server12ClientAuth, CertificateRequestListsOurSchemesAndCaNames) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto sc = mtls_server(ClientAuth::request, certs->ecdsa);
  sc->client_ca_names = {Bytes{0x30, 0x00}};
  auto req = server12::make_certificate_request(*sc, server12::client_auth_schemes(*sc));
  EXPECT_EQ(req.certificate_types, (Bytes{1, 64}));  // rsa_sign, ecdsa_sign
  EXPECT_EQ(req.certificate_authorities, sc->client_ca_names);
  ASSERT_FALSE(req.signature_algorithms.empty());
  for (SignatureScheme s : req.signature_algorithms) {
    EXPECT_TRUE(crypto::scheme_algorithm(s).has_value()) << signature_scheme_name(s);
  }
  // rsa_pss_pss_* are not requested from TLS 1.2 clients (see client_auth_schemes).
  EXPECT_EQ(std::count(req.signature_algorithms.begin(), req.signature_algorithms.end(),
                       SignatureScheme::rsa_pss_pss_sha256),
            0);
}

TEST(Server12ClientAuth, ResumedSessionKeepsTheClientAndRequireSkipsUnauthenticatedSessions) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto cache = std::make_shared<ServerSessionCache>();
  auto keys = TicketKeys::generate();
  ASSERT_TRUE(keys.ok());
  for (bool tickets : {true, false}) {
    SCOPED_TRACE(tickets ? "ticket" : "session ID");
    auto server_config = [&](ClientAuth mode) {
      auto sc = mtls_server(mode, certs->ecdsa);
      sc->session_cache = cache;
      sc->ticket_keys = *keys;
      sc->issue_tickets = tickets;
      return sc;
    };
    auto store = std::make_shared<InMemorySessionStore>();
    auto client = [&](std::optional<CertifiedKey> cert) {
      auto cc = tls12_client(std::move(cert));
      cc->sessions = store;
      cc->session_key = "localhost:443";
      return cc;
    };
    // Authenticated, then resumed: the resumed connection reports the same client.
    auto first = run(client(certs->ecdsa), server_config(ClientAuth::require));
    ASSERT_TRUE(first.server && first.server->is_connected());
    auto second = run(client(certs->ecdsa), server_config(ClientAuth::require));
    ASSERT_TRUE(second.server && second.server->is_connected());
    EXPECT_TRUE(second.server->info().resumed);
    EXPECT_EQ(second.server->info().peer_chain, certs->ecdsa.chain);
    EXPECT_TRUE(second.server->info().peer_verified);

    // A session made without a client certificate (request) is not resumed under require: the
    // full handshake asks for the certificate again.
    store = std::make_shared<InMemorySessionStore>();
    auto anonymous = run(client(std::nullopt), server_config(ClientAuth::request));
    ASSERT_TRUE(anonymous.server && anonymous.server->is_connected());
    EXPECT_TRUE(anonymous.server->info().peer_chain.empty());
    auto strict = run(client(certs->ecdsa), server_config(ClientAuth::require));
    ASSERT_FALSE(strict.server_error) << strict.server_error->message();
    ASSERT_TRUE(strict.server->is_connected());
    EXPECT_FALSE(strict.server->info().resumed);
    EXPECT_EQ(strict.server->info().peer_chain, certs->ecdsa.chain);
  }
}

}  // namespace
}  // namespace hs::test

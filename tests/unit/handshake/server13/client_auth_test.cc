// TLS 1.3 client authentication on the server (RFC 8446 §4.3.2, §4.4.2, §4.4.3): the
// CertificateRequest we send, the client's Certificate and CertificateVerify with each refusal
// and its exact alert, which message types the new states accept, the client certificate
// recorded in tickets, and our own client and server together in memory.
#include <gtest/gtest.h>
#include <hs/session.h>

#include "crypto/signature.h"
#include "handshake/server/server.h"
#include "unit/handshake/server13/server13_harness.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;

std::shared_ptr<ServerConfig> auth_config(const TestCerts* certs, ClientAuth mode,
                                          std::shared_ptr<StubVerifier> verifier) {
  auto config = make_config({certs->ecdsa, certs->rsa});
  config->client_auth = mode;
  config->client_verifier = std::move(verifier);
  return config;
}

Bytes client_cv_content(std::span<const uint8_t> transcript_hash) {
  static constexpr std::string_view kContext = "TLS 1.3, client CertificateVerify";
  Bytes content(64, 0x20);
  content.insert(content.end(), kContext.begin(), kContext.end());
  content.push_back(0);
  content.insert(content.end(), transcript_hash.begin(), transcript_hash.end());
  return content;
}

Bytes certificate_raw(const CertifiedKey& ck, Bytes context = {}) {
  messages::Certificate13 cert;
  cert.request_context = std::move(context);
  for (const auto& der : ck.chain) {
    cert.entries.push_back({der, {}});
  }
  Bytes raw;
  EXPECT_TRUE(messages::serialize_message(cert, raw).ok());
  return raw;
}

Bytes certificate_verify_raw(const CertifiedKey& ck, SignatureScheme scheme,
                             std::span<const uint8_t> transcript_hash, bool corrupt = false) {
  auto info = crypto::scheme_info(scheme);
  EXPECT_TRUE(info.has_value());
  auto sig = ck.key->sign(info->alg, client_cv_content(transcript_hash));
  EXPECT_TRUE(sig.ok());
  Bytes signature = sig.ok() ? sig.value() : Bytes{1};
  if (corrupt) {
    signature[signature.size() / 2] ^= 0x01;
  }
  Bytes raw;
  EXPECT_TRUE(
      messages::serialize_message(messages::CertificateVerify{scheme, signature}, raw).ok());
  return raw;
}

class Server13ClientAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = test_certs();
    ASSERT_NE(certs_, nullptr);
    verifier_ = std::make_shared<StubVerifier>();
  }

  // start runs the ClientHello and the server's flight with `mode`.
  void start(ClientAuth mode, const Hello13Options& opts = {}) {
    config_ = auth_config(certs_, mode, verifier_);
    restart(opts);
  }
  void restart(const Hello13Options& opts = {}) {
    ctx_ = std::make_unique<FakeContext>();
    driver_ = detail::make_server_driver(config_);
    ASSERT_TRUE(driver_->start(*ctx_).ok());
    client_ = std::make_unique<ScriptedClient13>(*driver_, *ctx_);
    auto r = client_->hello(opts);
    ASSERT_TRUE(r.ok()) << r.error().message();
  }

  // certificate_request returns the CertificateRequest the server sent, if any.
  std::optional<messages::CertificateRequest13> certificate_request() const {
    for (const auto& m : client_->server_flight) {
      if (m.type == HandshakeType::certificate_request) {
        EXPECT_TRUE(m.encrypted);
        auto cr = messages::parse_certificate_request13(std::span<const uint8_t>(m.raw).subspan(4));
        EXPECT_TRUE(cr.ok());
        return cr.ok() ? std::optional(cr.value()) : std::nullopt;
      }
    }
    return std::nullopt;
  }

  // authenticate sends Certificate and CertificateVerify with `ck` signing with `scheme`.
  Result<void> authenticate(const CertifiedKey& ck, SignatureScheme scheme) {
    HS_TRY(client_->deliver_in_transcript(certificate_raw(ck)));
    return client_->deliver_in_transcript(
        certificate_verify_raw(ck, scheme, client_->transcript_hash()));
  }

  void expect_error(const Result<void>& r, ErrorCode code, AlertDescription alert) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), code) << r.error().message();
    EXPECT_EQ(r.error().alert(), alert) << r.error().message();
    EXPECT_FALSE(driver_->is_connected());
  }

  const TestCerts* certs_ = nullptr;
  std::shared_ptr<StubVerifier> verifier_;
  std::shared_ptr<ServerConfig> config_;
  std::unique_ptr<FakeContext> ctx_;
  std::unique_ptr<detail::HandshakeDriver> driver_;
  std::unique_ptr<ScriptedClient13> client_;
};

TEST_F(Server13ClientAuthTest, NoCertificateRequestUnlessConfigured) {
  start(ClientAuth::none);
  EXPECT_FALSE(certificate_request().has_value());
  EXPECT_EQ(driver_->state_name(), "server13::ExpectFinished");
}

TEST_F(Server13ClientAuthTest, CertificateRequestFollowsEncryptedExtensions) {
  config_ = auth_config(certs_, ClientAuth::request, verifier_);
  config_->client_ca_names = {Bytes{0x30, 0x03, 0x31, 0x01, 0x00}, Bytes{0x30, 0x00}};
  restart();
  auto cr = certificate_request();
  ASSERT_TRUE(cr.has_value());
  // Order: EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify, Finished.
  std::vector<HandshakeType> order;
  for (const auto& m : client_->server_flight) {
    order.push_back(m.type);
  }
  const std::vector<HandshakeType> expected = {
      HandshakeType::server_hello,        HandshakeType::encrypted_extensions,
      HandshakeType::certificate_request, HandshakeType::certificate,
      HandshakeType::certificate_verify,  HandshakeType::finished};
  EXPECT_EQ(order, expected);
  // RFC 8446 §4.3.2: empty context in the main handshake.
  EXPECT_TRUE(cr->context.empty());
  const auto* sa = messages::find_extension(cr->extensions, ExtensionType::signature_algorithms);
  ASSERT_NE(sa, nullptr);
  auto schemes = messages::parse_signature_algorithms(sa->data).value();
  ASSERT_FALSE(schemes.empty());
  for (SignatureScheme s : schemes) {
    EXPECT_TRUE(crypto::scheme_info(s)->tls13_allowed) << static_cast<int>(s);
  }
  // RFC 8446 §4.2.4: certificate_authorities lists the configured names in order.
  const auto* ca = messages::find_extension(cr->extensions, ExtensionType::certificate_authorities);
  ASSERT_NE(ca, nullptr);
  const Bytes expected_ca = {0x00, 0x0b, 0x00, 0x05, 0x30, 0x03, 0x31,
                             0x01, 0x00, 0x00, 0x02, 0x30, 0x00};
  EXPECT_EQ(ca->data, expected_ca);
  EXPECT_EQ(driver_->state_name(), "server13::ExpectClientCertificate");
}

TEST_F(Server13ClientAuthTest, RequestedCertificateVerifiesAndIsReported) {
  start(ClientAuth::request);
  ASSERT_TRUE(authenticate(certs_->rsa, SignatureScheme::rsa_pss_rsae_sha256).ok());
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(driver_->is_connected());
  EXPECT_EQ(verifier_->calls, 1);
  EXPECT_EQ(verifier_->last_host, "");
  EXPECT_EQ(verifier_->last_chain, certs_->rsa.chain);
  EXPECT_EQ(ctx_->info().peer_chain, certs_->rsa.chain);
  EXPECT_TRUE(ctx_->info().peer_verified);
}

TEST_F(Server13ClientAuthTest, RequiredCertificateWithEachKeyType) {
  const Tls13Certs* extra = tls13_certs();
  ASSERT_NE(extra, nullptr);
  struct Case {
    const CertifiedKey* ck;
    SignatureScheme scheme;
  };
  const Case cases[] = {
      {&certs_->rsa, SignatureScheme::rsa_pss_rsae_sha384},
      {&certs_->ecdsa, SignatureScheme::ecdsa_secp256r1_sha256},
      {&certs_->ecdsa384, SignatureScheme::ecdsa_secp384r1_sha384},
      {&extra->ed25519, SignatureScheme::ed25519},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.scheme));
    start(ClientAuth::require);
    auto r = authenticate(*c.ck, c.scheme);
    ASSERT_TRUE(r.ok()) << r.error().message();
    ASSERT_TRUE(client_->finished().ok());
    EXPECT_TRUE(driver_->is_connected());
    EXPECT_EQ(ctx_->info().peer_chain, c.ck->chain);
    // The server's signature_scheme is the peer's (the client's CertificateVerify), as in TLS
    // 1.2; its own CertificateVerify's scheme is own_signature_scheme.
    EXPECT_EQ(ctx_->info().signature_scheme, c.scheme);
    EXPECT_TRUE(ctx_->info().own_signature_scheme.has_value());
  }
}

TEST_F(Server13ClientAuthTest, EmptyCertificateAcceptedWhenRequested) {
  start(ClientAuth::request);
  ASSERT_TRUE(client_->deliver_in_transcript(certificate_raw(CertifiedKey{})).ok());
  EXPECT_EQ(driver_->state_name(), "server13::ExpectFinished");
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(driver_->is_connected());
  EXPECT_EQ(verifier_->calls, 0);
  EXPECT_TRUE(ctx_->info().peer_chain.empty());
  EXPECT_FALSE(ctx_->info().peer_verified);
}

TEST_F(Server13ClientAuthTest, EmptyCertificateRefusedWhenRequired) {
  start(ClientAuth::require);
  // RFC 8446 §4.4.2.4: abort "with a "certificate_required" alert".
  expect_error(client_->deliver(certificate_raw(CertifiedKey{})), ErrorCode::certificate_required,
               AlertDescription::certificate_required);
}

TEST_F(Server13ClientAuthTest, WrongRequestContextIsIllegalParameter) {
  start(ClientAuth::request);
  expect_error(client_->deliver(certificate_raw(certs_->rsa, Bytes{0x01})),
               ErrorCode::illegal_parameter, AlertDescription::illegal_parameter);
  EXPECT_EQ(verifier_->calls, 0);
}

TEST_F(Server13ClientAuthTest, UntrustedChainGetsTheVerifiersAlert) {
  verifier_->refusal = Error(ErrorCode::unknown_ca, "certificate",
                             "SSL certificate problem: unable to get local issuer certificate");
  start(ClientAuth::request);
  expect_error(client_->deliver(certificate_raw(certs_->rsa)), ErrorCode::unknown_ca,
               AlertDescription::unknown_ca);
  verifier_->refusal =
      Error(ErrorCode::certificate_expired, "certificate", "certificate has expired");
  start(ClientAuth::require);
  expect_error(client_->deliver(certificate_raw(certs_->rsa)), ErrorCode::certificate_expired,
               AlertDescription::certificate_expired);
}

TEST_F(Server13ClientAuthTest, CertificateEntryExtensionIsUnsupportedExtension) {
  start(ClientAuth::request);
  messages::Certificate13 cert;
  cert.entries.push_back({certs_->rsa.chain.front(), {{ExtensionType::status_request, {}}}});
  Bytes raw;
  ASSERT_TRUE(messages::serialize_message(cert, raw).ok());
  expect_error(client_->deliver(raw), ErrorCode::unsolicited_extension,
               AlertDescription::unsupported_extension);
}

TEST_F(Server13ClientAuthTest, SchemeRefusalsAreIllegalParameter) {
  const Tls13Certs* extra = tls13_certs();
  ASSERT_NE(extra, nullptr);
  struct Case {
    const char* why;
    const CertifiedKey* ck;
    SignatureScheme scheme;
  };
  const Case cases[] = {
      // RFC 8446 §4.4.3: "RSA signatures MUST use an RSASSA-PSS algorithm".
      {"rsa_pkcs1 in TLS 1.3", &certs_->rsa, SignatureScheme::rsa_pkcs1_sha256},
      // Not in our CertificateRequest (configured out below).
      {"not offered", &extra->ed25519, SignatureScheme::ed25519},
      // ECDSA curve bound to the scheme in TLS 1.3.
      {"curve mismatch", &certs_->ecdsa, SignatureScheme::ecdsa_secp384r1_sha384},
      {"scheme for another key type", &certs_->rsa, SignatureScheme::ecdsa_secp256r1_sha256},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.why);
    config_ = auth_config(certs_, ClientAuth::require, verifier_);
    config_->signature_schemes = {
        SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
        SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pkcs1_sha256};
    restart();
    ASSERT_TRUE(client_->deliver_in_transcript(certificate_raw(*c.ck)).ok());
    // Sign with the right key type where we can, so only the scheme is wrong.
    Bytes cv;
    if (c.scheme == SignatureScheme::ecdsa_secp256r1_sha256) {
      cv = certificate_verify_raw(certs_->ecdsa, c.scheme, client_->transcript_hash());
    } else {
      cv = certificate_verify_raw(*c.ck, c.scheme, client_->transcript_hash());
    }
    expect_error(client_->deliver(cv), ErrorCode::illegal_parameter,
                 AlertDescription::illegal_parameter);
  }
}

TEST_F(Server13ClientAuthTest, BadSignatureIsDecryptError) {
  start(ClientAuth::require);
  ASSERT_TRUE(client_->deliver_in_transcript(certificate_raw(certs_->ecdsa)).ok());
  expect_error(client_->deliver(certificate_verify_raw(certs_->ecdsa,
                                                       SignatureScheme::ecdsa_secp256r1_sha256,
                                                       client_->transcript_hash(), true)),
               ErrorCode::bad_signature, AlertDescription::decrypt_error);
  // A signature by another key over the right content is just as bad.
  start(ClientAuth::require);
  ASSERT_TRUE(client_->deliver_in_transcript(certificate_raw(certs_->rsa)).ok());
  expect_error(
      client_->deliver(certificate_verify_raw(
          certs_->example_rsa, SignatureScheme::rsa_pss_rsae_sha256, client_->transcript_hash())),
      ErrorCode::bad_signature, AlertDescription::decrypt_error);
}

TEST_F(Server13ClientAuthTest, ClientFinishedMustCoverItsCertificate) {
  // A Finished over the transcript without the client's Certificate/CertificateVerify fails.
  start(ClientAuth::request);
  ASSERT_TRUE(client_->deliver(certificate_raw(CertifiedKey{})).ok());
  expect_error(client_->finished(), ErrorCode::bad_finished, AlertDescription::decrypt_error);
}

const HandshakeType kAllTypes[] = {
    HandshakeType::hello_request,
    HandshakeType::client_hello,
    HandshakeType::server_hello,
    HandshakeType::new_session_ticket,
    HandshakeType::end_of_early_data,
    HandshakeType::encrypted_extensions,
    HandshakeType::certificate,
    HandshakeType::server_key_exchange,
    HandshakeType::certificate_request,
    HandshakeType::server_hello_done,
    HandshakeType::certificate_verify,
    HandshakeType::client_key_exchange,
    HandshakeType::finished,
    HandshakeType::certificate_status,
    HandshakeType::key_update,
    HandshakeType::message_hash,
    static_cast<HandshakeType>(99),
};

TEST_F(Server13ClientAuthTest, StateAcceptanceTable) {
  struct Row {
    std::string_view name;
    HandshakeType accepts;
  };
  const Row rows[] = {
      {"server13::ExpectClientCertificate", HandshakeType::certificate},
      {"server13::ExpectClientCertificateVerify", HandshakeType::certificate_verify},
  };
  for (const Row& row : rows) {
    for (HandshakeType type : kAllTypes) {
      if (type == row.accepts) {
        continue;
      }
      SCOPED_TRACE(::testing::Message() << row.name << " gets type " << static_cast<int>(type));
      start(ClientAuth::require);
      if (row.accepts == HandshakeType::certificate_verify) {
        ASSERT_TRUE(client_->deliver_in_transcript(certificate_raw(certs_->ecdsa)).ok());
      }
      ASSERT_EQ(driver_->state_name(), row.name);
      Bytes body(4, 0);
      auto raw = handshake_raw(type, body);
      expect_error(driver_->on_handshake(*ctx_, view(raw)), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
    }
  }
}

TEST_F(Server13ClientAuthTest, TicketsRecordTheClientCertificate) {
  start(ClientAuth::require);
  ASSERT_TRUE(authenticate(certs_->ecdsa, SignatureScheme::ecdsa_secp256r1_sha256).ok());
  ASSERT_TRUE(client_->finished().ok());
  auto tickets = client_->tickets();
  ASSERT_FALSE(tickets.empty());
  auto state = server13::open_ticket(*config_, tickets[0].ticket);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->client_leaf, certs_->ecdsa.chain.front());

  // Resumption: no CertificateRequest (RFC 8446 §4.3.2), the peer is the ticket's client.
  Hello13Options opts;
  opts.psk_modes = true;
  opts.psk_ticket = tickets[0].ticket;
  opts.psk_secret = tickets[0].psk;
  restart(opts);
  EXPECT_FALSE(client_->saw_certificate);
  EXPECT_FALSE(certificate_request().has_value());
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(driver_->is_connected());
  EXPECT_TRUE(ctx_->info().resumed);
  ASSERT_EQ(ctx_->info().peer_chain.size(), 1u);
  EXPECT_EQ(ctx_->info().peer_chain[0], certs_->ecdsa.chain.front());
  EXPECT_TRUE(ctx_->info().peer_verified);
  // ... and the tickets of the resumed connection remember it too.
  auto again = client_->tickets();
  ASSERT_FALSE(again.empty());
  auto state2 = server13::open_ticket(*config_, again[0].ticket);
  ASSERT_TRUE(state2.has_value());
  EXPECT_EQ(state2->client_leaf, certs_->ecdsa.chain.front());
}

TEST_F(Server13ClientAuthTest, RequireRefusesATicketWithoutClientAuthentication) {
  // A ticket issued while only requesting, to a client that sent no certificate.
  start(ClientAuth::request);
  ASSERT_TRUE(client_->deliver_in_transcript(certificate_raw(CertifiedKey{})).ok());
  ASSERT_TRUE(client_->finished().ok());
  auto tickets = client_->tickets();
  ASSERT_FALSE(tickets.empty());
  auto state = server13::open_ticket(*config_, tickets[0].ticket);
  ASSERT_TRUE(state.has_value());
  EXPECT_TRUE(state->client_leaf.empty());

  Hello13Options opts;
  opts.psk_modes = true;
  opts.psk_ticket = tickets[0].ticket;
  opts.psk_secret = tickets[0].psk;
  // The same server resumes it while client_auth is request...
  restart(opts);
  EXPECT_TRUE(messages::find_extension(client_->server_hello->extensions,
                                       ExtensionType::pre_shared_key) != nullptr);
  // ... but once it requires client certificates, a full handshake with a CertificateRequest.
  config_->client_auth = ClientAuth::require;
  restart(opts);
  EXPECT_TRUE(messages::find_extension(client_->server_hello->extensions,
                                       ExtensionType::pre_shared_key) == nullptr);
  EXPECT_TRUE(client_->saw_certificate);
  EXPECT_TRUE(certificate_request().has_value());
  EXPECT_FALSE(ctx_->info().resumed);
}

// ---- our client and server together (hs::Connection both sides, in memory) ----

std::shared_ptr<ClientConfig> client_with(const CertifiedKey* ck) {
  auto cc = client13_config();
  if (ck != nullptr) {
    cc->client_certificate = *ck;
  }
  return cc;
}

TEST(Server13ClientAuthLoopback, RequestAndRequireWithOurClient) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  for (ClientAuth mode : {ClientAuth::request, ClientAuth::require}) {
    for (const CertifiedKey* ck : {&certs->rsa, &certs->ecdsa, &certs->ecdsa384}) {
      auto verifier = std::make_shared<StubVerifier>();
      auto p = connect13(client_with(ck), auth_config(certs, mode, verifier), nullptr);
      ASSERT_FALSE(p.client_error.has_value()) << p.client_error->message();
      ASSERT_FALSE(p.server_error.has_value()) << p.server_error->message();
      ASSERT_TRUE(p.server->is_connected());
      ASSERT_TRUE(p.client->is_connected());
      EXPECT_EQ(p.server->info().peer_chain, ck->chain);
      EXPECT_TRUE(p.server->info().peer_verified);
      EXPECT_EQ(verifier->calls, 1);
      // Each side's own_signature_scheme is the other's signature_scheme (the peer's).
      ASSERT_TRUE(p.client->info().own_signature_scheme.has_value());
      EXPECT_EQ(p.server->info().signature_scheme, p.client->info().own_signature_scheme);
      ASSERT_TRUE(p.server->info().own_signature_scheme.has_value());
      EXPECT_EQ(p.client->info().signature_scheme, p.server->info().own_signature_scheme);
      exchange_data(p);
    }
  }
}

TEST(Server13ClientAuthLoopback, NoCertificateWithRequestAndRequire) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto verifier = std::make_shared<StubVerifier>();
  auto p =
      connect13(client_with(nullptr), auth_config(certs, ClientAuth::request, verifier), nullptr);
  ASSERT_FALSE(p.server_error.has_value()) << p.server_error->message();
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_TRUE(p.server->info().peer_chain.empty());
  EXPECT_EQ(verifier->calls, 0);

  auto q =
      connect13(client_with(nullptr), auth_config(certs, ClientAuth::require, verifier), nullptr);
  ASSERT_TRUE(q.server_error.has_value());
  EXPECT_EQ(q.server_error->alert(), AlertDescription::certificate_required);
  ASSERT_TRUE(q.client_error.has_value());
  EXPECT_EQ(q.client_error->received_alert(), AlertDescription::certificate_required)
      << q.client_error->message();
  EXPECT_FALSE(q.server->is_connected());
}

TEST(Server13ClientAuthLoopback, ClientSendsNoCertificateWhenNoRequestedSchemeFitsItsKey) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto verifier = std::make_shared<StubVerifier>();
  auto sc = auth_config(certs, ClientAuth::request, verifier);
  // We only verify RSA-PSS: the ECDSA client has nothing to sign with and sends no certificate.
  sc->signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256,
                           SignatureScheme::ecdsa_secp256r1_sha256};
  sc->certificates = {certs->rsa};
  auto cc = client_with(&certs->ecdsa384);
  auto p = connect13(cc, sc, nullptr);
  ASSERT_FALSE(p.server_error.has_value()) << p.server_error->message();
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_TRUE(p.server->info().peer_chain.empty());
  EXPECT_EQ(verifier->calls, 0);
}

TEST(Server13ClientAuthLoopback, ResumedConnectionReportsTheClientCertificate) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto verifier = std::make_shared<StubVerifier>();
  auto sc = auth_config(certs, ClientAuth::require, verifier);
  auto cc = client_with(&certs->ecdsa);
  cc->sessions = std::make_shared<InMemorySessionStore>();
  auto p = connect13(cc, sc, nullptr);
  ASSERT_TRUE(p.server->is_connected());
  exchange_data(p);  // the client reads the NewSessionTickets
  auto q = connect13(cc, sc, nullptr);
  ASSERT_FALSE(q.server_error.has_value()) << q.server_error->message();
  ASSERT_TRUE(q.server->is_connected());
  EXPECT_TRUE(q.server->info().resumed);
  ASSERT_EQ(q.server->info().peer_chain.size(), 1u);
  EXPECT_EQ(q.server->info().peer_chain[0], certs->ecdsa.chain.front());
  EXPECT_TRUE(q.server->info().peer_verified);
  EXPECT_EQ(verifier->calls, 1);  // not asked again on resumption
}

}  // namespace
}  // namespace hs::test

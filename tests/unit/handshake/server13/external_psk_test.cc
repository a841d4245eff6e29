// External PSKs on the TLS 1.3 server (RFC 8446 §2.2, §4.2.9, §4.2.11, §7.1): a scripted client
// offers an identity of ServerConfig::external_psks, and the server answers without a
// certificate; the identity it selects, the suite of the PSK's hash, psk_dhe_ke and psk_ke
// (allow_psk_without_dhe), the "ext binder" label, a HelloRetryRequest, and every case where
// the PSK is passed over or refused.
#include <gtest/gtest.h>

#include <string>

#include "handshake/common/suites.h"
#include "unit/handshake/server13/server13_harness.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;

const Bytes kIdentity = {'c', 'l', 'i', 'e', 'n', 't', '-', '1'};
const Bytes kKey = Bytes(32, 0x42);

std::shared_ptr<ExternalPsk> make_psk(const Bytes& identity, const Bytes& key,
                                      PskHash hash = PskHash::sha256) {
  auto psk = std::make_shared<ExternalPsk>();
  psk->identity = identity;
  psk->key = SecretBytes(key);
  psk->hash = hash;
  return psk;
}

class ExternalPskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = test_certs();
    ASSERT_NE(certs_, nullptr);
    config_ = make_config({certs_->ecdsa, certs_->rsa});
    config_->external_psks.push_back(make_psk(kIdentity, kKey));
  }

  Result<void> hello(const Hello13Options& opts) {
    ctx_ = std::make_unique<FakeContext>();
    driver_ = detail::make_server_driver(config_);
    HS_TRY(driver_->start(*ctx_));
    client_ = std::make_unique<ScriptedClient13>(*driver_, *ctx_);
    return client_->hello(opts);
  }

  // psk_hello offers kIdentity with kKey (or `key`) as an external PSK.
  static Hello13Options psk_hello(Bytes key = kKey) {
    Hello13Options opts;
    opts.psk_ticket = kIdentity;
    opts.psk_secret = std::move(key);
    opts.psk_external = true;
    return opts;
  }

  std::optional<uint16_t> selected_identity() const {
    const auto* e =
        messages::find_extension(client_->server_hello->extensions, ExtensionType::pre_shared_key);
    if (e == nullptr) {
      return std::nullopt;
    }
    return messages::parse_pre_shared_key_server(e->data).value();
  }

  const TestCerts* certs_ = nullptr;
  std::shared_ptr<ServerConfig> config_;
  std::unique_ptr<FakeContext> ctx_;
  std::unique_ptr<detail::HandshakeDriver> driver_;
  std::unique_ptr<ScriptedClient13> client_;
};

TEST_F(ExternalPskTest, AuthenticatesTheHandshakeWithoutACertificate) {
  auto r = hello(psk_hello());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(selected_identity(), 0);
  EXPECT_FALSE(client_->saw_certificate);  // RFC 8446 §2.2: the PSK authenticates the server
  EXPECT_NE(messages::find_extension(client_->server_hello->extensions, ExtensionType::key_share),
            nullptr);  // psk_dhe_ke
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(driver_->is_connected());
  const SessionInfo& info = ctx_->info();
  EXPECT_EQ(info.psk_identity, kIdentity);
  EXPECT_FALSE(info.resumed);  // not a resumption
  EXPECT_TRUE(info.group.has_value());
  EXPECT_FALSE(info.own_signature_scheme.has_value());
}

// RFC 8446 §4.2.11: selected_identity is "a (0-based) index into the identities in the
// client's "OfferedPsks.identities" list"; identities we do not know come first here.
TEST_F(ExternalPskTest, SelectsTheIdentityThatNamesOurPsk) {
  Hello13Options opts = psk_hello();
  opts.psk_decoys = {Bytes{'a'}, Bytes{'b', 'c'}};
  auto r = hello(opts);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(selected_identity(), 2);
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_EQ(ctx_->info().psk_identity, kIdentity);
}

// RFC 8446 §4.2.11: the server "MUST ensure that it selects a compatible PSK (if any) and
// cipher suite": a SHA-384 PSK takes TLS_AES_256_GCM_SHA384 although we prefer AES-128.
TEST_F(ExternalPskTest, ThePsksHashPicksTheSuite) {
  config_->external_psks = {make_psk(kIdentity, kKey, PskHash::sha384)};
  Hello13Options opts = psk_hello();
  opts.psk_hash = crypto::HashAlg::sha384;
  auto r = hello(opts);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(client_->suite, CipherSuite::TLS_AES_256_GCM_SHA384);
  EXPECT_EQ(selected_identity(), 0);
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(driver_->is_connected());
}

// Without a suite of the PSK's hash the PSK cannot be used: a certificate handshake instead.
TEST_F(ExternalPskTest, NoSuiteOfItsHashMeansACertificateHandshake) {
  config_->external_psks = {make_psk(kIdentity, kKey, PskHash::sha384)};
  Hello13Options opts = psk_hello();
  opts.psk_hash = crypto::HashAlg::sha384;
  opts.suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  auto r = hello(opts);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(selected_identity().has_value());
  EXPECT_TRUE(client_->saw_certificate);
  EXPECT_TRUE(ctx_->info().psk_identity.empty());
}

// RFC 8446 §4.2.11: "If this value is not present or does not validate, the server MUST abort
// the handshake"; §7.1: "ext binder" and "res binder" differ so that "one type of PSK" cannot
// be substituted "for the other": a binder made with the resumption label fails as a wrong
// key does.
TEST_F(ExternalPskTest, BinderMustVerifyUnderTheExternalLabel) {
  for (int variant = 0; variant < 3; ++variant) {
    SCOPED_TRACE(variant);
    Hello13Options opts = psk_hello(variant == 1 ? Bytes(32, 0x43) : kKey);
    opts.psk_external = variant != 2;
    opts.corrupt_binder = variant == 0;
    auto r = hello(opts);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert(), AlertDescription::decrypt_error) << r.error().message();
  }
}

// RFC 8446 §4.2.9 psk_ke: "PSK-only key establishment. In this mode, the server MUST NOT supply
// a "key_share" value." Only with allow_psk_without_dhe; without it such a hello (no
// supported_groups, no key_share) leaves nothing to agree on.
TEST_F(ExternalPskTest, PskKeOnlyWhenAllowed) {
  Hello13Options opts = psk_hello();
  opts.psk_mode_list = {messages::PskKeyExchangeMode::psk_ke};
  opts.groups.reset();
  opts.key_share = false;
  auto refused = hello(opts);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().alert(), AlertDescription::handshake_failure)
      << refused.error().message();

  config_->allow_psk_without_dhe = true;
  auto r = hello(opts);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(messages::find_extension(client_->server_hello->extensions, ExtensionType::key_share),
            nullptr);
  EXPECT_EQ(selected_identity(), 0);
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(driver_->is_connected());
  EXPECT_FALSE(ctx_->info().group.has_value());
}

// Both modes offered: psk_dhe_ke wins even when psk_ke is allowed (forward secrecy).
TEST_F(ExternalPskTest, PskDheKePreferredOverPskKe) {
  config_->allow_psk_without_dhe = true;
  Hello13Options opts = psk_hello();
  opts.psk_mode_list = {messages::PskKeyExchangeMode::psk_ke,
                        messages::PskKeyExchangeMode::psk_dhe_ke};
  auto r = hello(opts);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_NE(messages::find_extension(client_->server_hello->extensions, ExtensionType::key_share),
            nullptr);
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(ctx_->info().group.has_value());
}

// A HelloRetryRequest keeps the PSK: ClientHello2's binder covers message_hash(ClientHello1)
// and the HelloRetryRequest (RFC 8446 §4.2.11.2).
TEST_F(ExternalPskTest, SurvivesAHelloRetryRequest) {
  Hello13Options opts = psk_hello();
  opts.share_groups = {};
  auto r = hello(opts);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(client_->hrr_group.has_value());
  opts.share_groups = {*client_->hrr_group};
  opts.cookie = client_->hrr_cookie;
  auto r2 = client_->retry(opts);
  ASSERT_TRUE(r2.ok()) << r2.error().message();
  EXPECT_EQ(selected_identity(), 0);
  EXPECT_FALSE(client_->saw_certificate);
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(driver_->is_connected());
}

// 0-RTT rides on tickets only: early data offered with an external PSK is declined.
TEST_F(ExternalPskTest, EarlyDataIsDeclined) {
  config_->max_early_data_size = 16384;
  Hello13Options opts = psk_hello();
  opts.early_data = true;
  auto r = hello(opts);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(client_->encrypted_extensions.has_value());
  EXPECT_EQ(messages::find_extension(client_->encrypted_extensions->extensions,
                                     ExtensionType::early_data),
            nullptr);
  EXPECT_EQ(ctx_->info().early_data, EarlyDataStatus::rejected);
}

TEST(ExternalPskConfig, PskOnlyServersAreTls13OnlyAndPsksAreWellFormed) {
  auto psk_only = std::make_shared<ServerConfig>();
  psk_only->external_psks.push_back(make_psk(kIdentity, kKey));
  psk_only->min_version = ProtocolVersion::tls1_3;
  EXPECT_TRUE(Connection::server(psk_only).ok());

  psk_only->min_version = ProtocolVersion::tls1_2;
  auto mixed = Connection::server(psk_only);
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().code(), ErrorCode::invalid_config);

  for (auto bad :
       {make_psk({}, kKey), make_psk(kIdentity, {}), make_psk(Bytes(70000, 'x'), kKey)}) {
    auto config = std::make_shared<ServerConfig>();
    config->min_version = ProtocolVersion::tls1_3;
    config->external_psks.push_back(bad);
    auto c = Connection::server(config);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code(), ErrorCode::invalid_config);
  }
}

// ---- our client and our server together (hs::Connection both sides, in memory) ----

struct PskPeers {
  std::shared_ptr<ClientConfig> client = client13_config();
  std::shared_ptr<ServerConfig> server;
  // A verifier that refuses every chain: a handshake that still succeeds never consulted it.
  std::shared_ptr<StubVerifier> verifier = std::make_shared<StubVerifier>();
};

PskPeers psk_peers(PskHash hash = PskHash::sha256) {
  const TestCerts* certs = test_certs();
  EXPECT_NE(certs, nullptr);
  PskPeers p;
  p.client->dangerous_skip_verification = false;
  p.verifier->refusal = Error(ErrorCode::bad_certificate, "certificate", "refused by the test");
  p.client->verifier = p.verifier;
  p.client->external_psk = make_psk(kIdentity, kKey, hash);
  p.server = make_config({certs->ecdsa, certs->rsa});
  p.server->external_psks.push_back(make_psk(kIdentity, kKey, hash));
  return p;
}

TEST(ExternalPskLoopback, BothSidesAuthenticateWithThePsk) {
  for (PskHash hash : {PskHash::sha256, PskHash::sha384}) {
    SCOPED_TRACE(static_cast<int>(hash));
    PskPeers peers = psk_peers(hash);
    Pair13 p = connect13(peers.client, peers.server, nullptr);
    ASSERT_FALSE(p.client_error.has_value()) << p.client_error->message();
    ASSERT_FALSE(p.server_error.has_value()) << p.server_error->message();
    EXPECT_EQ(p.client->info().psk_identity, kIdentity);
    EXPECT_EQ(p.server->info().psk_identity, kIdentity);
    EXPECT_FALSE(p.client->info().resumed);
    EXPECT_TRUE(p.client->info().peer_chain.empty());  // no certificate was sent
    EXPECT_EQ(peers.verifier->calls, 0);
    EXPECT_EQ(crypto::hash_len(detail::suite_info(*p.client->info().cipher_suite)->hash),
              hash == PskHash::sha384 ? 48u : 32u);
    exchange_data(p);
  }
}

// A server without the PSK answers with its certificate, which the client verifies as usual
// (here: refuses).
TEST(ExternalPskLoopback, UnknownPskFallsBackToTheCertificate) {
  PskPeers peers = psk_peers();
  peers.server->external_psks.clear();
  Pair13 p = connect13(peers.client, peers.server, nullptr);
  ASSERT_TRUE(p.client_error.has_value());
  EXPECT_EQ(p.client_error->alert(), AlertDescription::bad_certificate);
  EXPECT_EQ(peers.verifier->calls, 1);
}

// The same identity with another key: the binder does not verify (RFC 8446 §4.2.11).
TEST(ExternalPskLoopback, WrongKeyIsDecryptError) {
  PskPeers peers = psk_peers();
  peers.client->external_psk = make_psk(kIdentity, Bytes(32, 0x24));
  Pair13 p = connect13(peers.client, peers.server, nullptr);
  ASSERT_TRUE(p.server_error.has_value());
  EXPECT_EQ(p.server_error->alert(), AlertDescription::decrypt_error);
  ASSERT_TRUE(p.client_error.has_value());
  EXPECT_EQ(p.client_error->received_alert(), AlertDescription::decrypt_error);
}

TEST(ExternalPskLoopback, ClientConfigNeedsTls13AndASuiteOfItsHash) {
  auto config = client13_config({CipherSuite::TLS_AES_128_GCM_SHA256});
  config->external_psk = make_psk(kIdentity, kKey, PskHash::sha384);
  auto c = Connection::client(config, "localhost");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::invalid_config);
  config->external_psk = make_psk({}, kKey);
  EXPECT_EQ(Connection::client(config, "localhost").error().code(), ErrorCode::invalid_config);
}

}  // namespace
}  // namespace hs::test

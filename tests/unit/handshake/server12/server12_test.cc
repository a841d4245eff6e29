// The TLS 1.2 server state machine driven message by message through a recording
// HandshakeContext: negotiation choices, the full flight and key switches, and every rejection
// with the alert it maps to.
#include "handshake/server12/server12.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "unit/handshake/server12/server12_harness.h"

namespace hs::test {
namespace {

using messages::find_extension;

constexpr uint16_t kEcdsaAes128 = 0xC02B;
constexpr uint16_t kEcdsaAes256 = 0xC02C;
constexpr uint16_t kRsaAes128 = 0xC02F;
constexpr uint16_t kRsaAes256 = 0xC030;
constexpr uint16_t kRsaChacha = 0xCCA8;
constexpr uint16_t kEcdsaChacha = 0xCCA9;

class Server12Test : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = test_certs();
    ASSERT_NE(certs_, nullptr);
  }

  // start builds a driver for `config` and runs start().
  void start(std::shared_ptr<ServerConfig> config) {
    config_ = std::move(config);
    ctx_ = std::make_unique<FakeContext>();
    // The TLS 1.2 state machine on its own (make_server_driver puts the version-picking front
    // of handshake/server/ before it). tls13_capable_ builds it as the front does for a
    // TLS 1.3-capable configuration (sentinel rules).
    driver_ = std::make_unique<server12::Server12Driver>(
        config_, tls13_capable_ && config_->max_version == ProtocolVersion::tls1_3);
    ASSERT_TRUE(driver_->start(*ctx_).ok());
    client_ = std::make_unique<ScriptedClient>(*driver_, *ctx_);
  }

  // both_certs is RSA then ECDSA (the order matters only for SNI fallback).
  std::shared_ptr<ServerConfig> both_certs() { return make_config({certs_->rsa, certs_->ecdsa}); }

  // handshake runs a whole handshake and returns the chosen suite.
  CipherSuite handshake(std::shared_ptr<ServerConfig> config, const HelloOptions& opts) {
    start(std::move(config));
    auto r = client_->run(opts);
    EXPECT_TRUE(r.ok()) << r.error().message();
    EXPECT_TRUE(driver_->is_connected());
    return ctx_->info().cipher_suite.value_or(CipherSuite{});
  }

  // hello_error sends one ClientHello and returns the server's error.
  Error hello_error(std::shared_ptr<ServerConfig> config, const HelloOptions& opts) {
    start(std::move(config));
    auto raw = client_hello(opts);
    auto r = driver_->on_handshake(*ctx_, view(raw));
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(ctx_->sent.empty()) << "nothing may be sent before a ClientHello is accepted";
    if (r.ok()) {
      return Error(ErrorCode::internal_error, "test");
    }
    return std::move(r).error();
  }

  const TestCerts* certs_ = nullptr;
  bool tls13_capable_ = false;
  std::shared_ptr<ServerConfig> config_;
  std::unique_ptr<FakeContext> ctx_;
  std::unique_ptr<detail::HandshakeDriver> driver_;
  std::unique_ptr<ScriptedClient> client_;
};

// ---- a whole handshake ----

TEST_F(Server12Test, FullHandshakeFillsSessionAndSwitchesKeysInOrder) {
  HelloOptions opts;
  EXPECT_EQ(handshake(both_certs(), opts), CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
  const SessionInfo& info = ctx_->info();
  EXPECT_EQ(info.version, ProtocolVersion::tls1_2);
  EXPECT_EQ(info.group, NamedGroup::x25519);
  EXPECT_TRUE(info.extended_master_secret);
  EXPECT_EQ(info.server_name, "localhost");
  EXPECT_EQ(info.session_id.size(), 32u);
  EXPECT_EQ(info.alpn, "");
  EXPECT_EQ(ctx_->version, ProtocolVersion::tls1_2);

  const std::vector<std::string> states = {
      "server12::ExpectClientHello", "server12::ExpectClientKeyExchange",
      "server12::ExpectChangeCipherSpec", "server12::ExpectFinished", "server12::Connected"};
  EXPECT_EQ(ctx_->states, states);
  EXPECT_EQ(driver_->state_name(), "server12::Connected");

  const std::vector<std::string> log = {
      "hs:server_hello",      "hs:certificate", "hs:server_key_exchange",
      "hs:server_hello_done", "read_keys",      "ccs",
      "write_keys",           "hs:finished"};
  EXPECT_EQ(ctx_->log, log);

  ASSERT_EQ(ctx_->key_logs.size(), 1u);
  EXPECT_EQ(ctx_->key_logs[0].first, "CLIENT_RANDOM");
  EXPECT_EQ(ctx_->key_logs[0].second, declassify(client_->master_secret().expose()));

  const auto& sh = client_->flight()->hello;
  EXPECT_EQ(sh.legacy_version, ProtocolVersion::tls1_2);
  EXPECT_EQ(sh.legacy_session_id.size(), 32u);
  EXPECT_EQ(sh.compression_method, 0);
  EXPECT_NE(find_extension(sh.extensions, ExtensionType::extended_master_secret), nullptr);
  const auto* reneg = find_extension(sh.extensions, ExtensionType::renegotiation_info);
  ASSERT_NE(reneg, nullptr);
  EXPECT_EQ(reneg->data, std::vector<uint8_t>{0x00});  // empty renegotiated_connection
  const auto* pf = find_extension(sh.extensions, ExtensionType::ec_point_formats);
  ASSERT_NE(pf, nullptr);
  EXPECT_EQ(pf->data, (std::vector<uint8_t>{0x01, 0x00}));
  EXPECT_EQ(find_extension(sh.extensions, ExtensionType::session_ticket), nullptr);
  EXPECT_EQ(find_extension(sh.extensions, ExtensionType::application_layer_protocol_negotiation),
            nullptr);
  // The certificate sent is the ECDSA chain.
  EXPECT_EQ(client_->flight()->certificate.chain, certs_->ecdsa.chain);
  EXPECT_EQ(client_->flight()->ske.scheme, SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_FALSE(ctx_->notes.empty());
}

TEST_F(Server12Test, EverySuiteGroupAndCertificateCompletes) {
  const std::pair<uint16_t, bool> suites[] = {{kEcdsaAes128, true}, {kEcdsaAes256, true},
                                              {kEcdsaChacha, true}, {kRsaAes128, false},
                                              {kRsaAes256, false},  {kRsaChacha, false}};
  for (auto [suite, ecdsa] : suites) {
    for (NamedGroup group : {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1,
                             NamedGroup::x448, NamedGroup::secp521r1}) {
      SCOPED_TRACE(::testing::Message()
                   << std::hex << suite << " group " << static_cast<int>(group));
      HelloOptions opts;
      opts.suites = {suite};
      opts.groups = std::vector<NamedGroup>{group};
      EXPECT_EQ(handshake(both_certs(), opts), static_cast<CipherSuite>(suite));
      EXPECT_EQ(ctx_->info().group, group);
      EXPECT_EQ(client_->flight()->certificate.chain,
                ecdsa ? certs_->ecdsa.chain : certs_->rsa.chain);
    }
  }
}

// RFC 7627 §5.2 lets a server "interoperate with legacy clients"; ours does by default, as
// OpenSSL, rustls and Go do (testssl.sh's TLS 1.2 probe and OpenSSL 1.0.2 have no extension).
TEST_F(Server12Test, LegacyMasterSecretByDefault) {
  auto config = both_certs();
  ASSERT_FALSE(config->require_extended_master_secret);
  HelloOptions opts;
  opts.ems = false;
  // The client asks for a ticket (RFC 5077 §3.2: an empty session_ticket), as Go 1.19 does.
  opts.extra.push_back({ExtensionType::session_ticket, {}});
  handshake(config, opts);
  EXPECT_FALSE(ctx_->info().extended_master_secret);
  EXPECT_EQ(
      find_extension(client_->flight()->hello.extensions, ExtensionType::extended_master_secret),
      nullptr);
  // No ticket for a session we would refuse to resume (RFC 7627 §5.3: "If neither the original
  // session nor the new ClientHello uses the extension, the server SHOULD abort the
  // handshake"): a client holding one would fail its next connection.
  EXPECT_EQ(find_extension(client_->flight()->hello.extensions, ExtensionType::session_ticket),
            nullptr);
}

// ---- suite selection ----

TEST_F(Server12Test, ServerPreferenceByDefault) {
  HelloOptions opts;
  opts.suites = {kRsaAes256, kRsaAes128, kEcdsaAes256, kEcdsaAes128};
  EXPECT_EQ(handshake(both_certs(), opts), CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);

  auto config = both_certs();
  config->cipher_suites = {CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                           CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  EXPECT_EQ(handshake(config, HelloOptions{}), CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384);
}

TEST_F(Server12Test, ClientPreferenceWhenConfigured) {
  auto config = both_certs();
  config->prefer_client_order = true;
  HelloOptions opts;
  opts.suites = {0xC013 /* CBC, not ours */, kRsaAes256, kEcdsaAes128};
  EXPECT_EQ(handshake(config, opts), CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384);
  EXPECT_EQ(client_->flight()->certificate.chain, certs_->rsa.chain);
}

TEST_F(Server12Test, ChaChaFirstInClientListWinsTheEqualPreferenceGroup) {
  HelloOptions opts;
  opts.suites = {kEcdsaChacha, kRsaChacha, kEcdsaAes128, kRsaAes128};
  EXPECT_EQ(handshake(both_certs(), opts),
            CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);

  // ChaCha listed, but not first: server preference (AES-GCM) stands.
  opts.suites = {kEcdsaAes128, kEcdsaChacha, kRsaChacha, kRsaAes128};
  EXPECT_EQ(handshake(both_certs(), opts), CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);

  // ChaCha first for RSA only: it ties with our best RSA AES-GCM suite, but our ECDSA
  // preference still ranks above both.
  opts.suites = {kRsaChacha, kRsaAes128, kEcdsaAes128};
  EXPECT_EQ(handshake(both_certs(), opts), CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
  opts.suites = {kRsaChacha, kRsaAes128};
  EXPECT_EQ(handshake(both_certs(), opts),
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256);

  // A server that does not list ChaCha20 never picks it.
  auto config = both_certs();
  config->cipher_suites = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  opts.suites = {kEcdsaChacha, kEcdsaAes128};
  EXPECT_EQ(handshake(config, opts), CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
}

TEST_F(Server12Test, SuitesNeedACertificateOfTheirAuthentication) {
  HelloOptions opts;  // offers ECDSA suites first
  EXPECT_EQ(handshake(make_config({certs_->rsa}), opts),
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
  opts.suites = {kEcdsaAes128, kEcdsaAes256};
  Error e = hello_error(make_config({certs_->rsa}), opts);
  EXPECT_EQ(e.code(), ErrorCode::no_common_cipher_suite);
  EXPECT_EQ(e.alert(), AlertDescription::handshake_failure);
}

TEST_F(Server12Test, GreaseAndUnknownValuesAreIgnored) {
  HelloOptions opts;
  opts.suites = {0x0A0A, 0x1301, kEcdsaAes128};
  opts.groups = std::vector<NamedGroup>{static_cast<NamedGroup>(0x1A1A), NamedGroup::secp256r1};
  opts.schemes = std::vector<SignatureScheme>{static_cast<SignatureScheme>(0x2A2A),
                                              SignatureScheme::ecdsa_secp256r1_sha256};
  opts.extra = {messages::Extension{static_cast<ExtensionType>(0x3A3A), {}},
                messages::Extension{static_cast<ExtensionType>(0xFE01), {1, 2, 3}}};
  EXPECT_EQ(handshake(both_certs(), opts), CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
  EXPECT_EQ(ctx_->info().group, NamedGroup::secp256r1);
  for (const auto& ext : client_->flight()->hello.extensions) {
    EXPECT_FALSE(is_grease(static_cast<uint16_t>(ext.type)));
    EXPECT_NE(static_cast<uint16_t>(ext.type), 0xFE01);
  }
}

// ---- group, scheme and certificate selection ----

TEST_F(Server12Test, GroupIsOurFirstThatTheClientSupports) {
  HelloOptions opts;
  opts.groups = std::vector<NamedGroup>{NamedGroup::secp384r1, NamedGroup::secp256r1};
  handshake(both_certs(), opts);
  EXPECT_EQ(ctx_->info().group, NamedGroup::secp256r1);  // our order: x25519, p256, p384
  EXPECT_EQ(client_->flight()->ske.group, NamedGroup::secp256r1);

  auto config = both_certs();
  config->groups = {NamedGroup::secp384r1, NamedGroup::x25519};
  opts.groups = std::vector<NamedGroup>{NamedGroup::x25519, NamedGroup::secp384r1};
  handshake(config, opts);
  EXPECT_EQ(ctx_->info().group, NamedGroup::secp384r1);
}

TEST_F(Server12Test, NoSupportedGroupsMeansSecp256r1) {
  HelloOptions opts;
  opts.groups.reset();
  handshake(both_certs(), opts);
  EXPECT_EQ(ctx_->info().group, NamedGroup::secp256r1);

  auto config = both_certs();
  config->groups = {NamedGroup::x25519};
  Error e = hello_error(config, opts);
  EXPECT_EQ(e.code(), ErrorCode::no_common_group);
  EXPECT_EQ(e.alert(), AlertDescription::handshake_failure);
}

TEST_F(Server12Test, NoSharedGroupIsHandshakeFailure) {
  HelloOptions opts;
  // X25519MLKEM768 is TLS 1.3 only; 0x0100 is ffdhe2048 (RFC 7919), for DHE suites we lack.
  opts.groups =
      std::vector<NamedGroup>{NamedGroup::X25519MLKEM768, static_cast<NamedGroup>(0x0100)};
  Error e = hello_error(both_certs(), opts);
  EXPECT_EQ(e.code(), ErrorCode::no_common_group);
  EXPECT_EQ(e.alert(), AlertDescription::handshake_failure);
}

TEST_F(Server12Test, SignatureSchemeFitsTheChosenKey) {
  HelloOptions opts;
  opts.suites = {kRsaAes128};
  handshake(both_certs(), opts);
  EXPECT_EQ(client_->flight()->ske.scheme, SignatureScheme::rsa_pss_rsae_sha256);

  opts.schemes = std::vector<SignatureScheme>{SignatureScheme::rsa_pkcs1_sha384,
                                              SignatureScheme::rsa_pkcs1_sha256};
  handshake(both_certs(), opts);
  EXPECT_EQ(client_->flight()->ske.scheme, SignatureScheme::rsa_pkcs1_sha256);  // our order

  // P-384 signs with ecdsa_secp384r1_sha384 when offered; TLS 1.2 does not bind the hash to
  // the curve (RFC 8446 §4.2.3), so (sha256, ecdsa) alone is signed with SHA-256.
  HelloOptions ec;
  ec.suites = {kEcdsaAes256};
  handshake(make_config({certs_->ecdsa384}), ec);
  EXPECT_EQ(client_->flight()->ske.scheme, SignatureScheme::ecdsa_secp384r1_sha384);
  ec.schemes = std::vector<SignatureScheme>{SignatureScheme::ecdsa_secp256r1_sha256};
  handshake(make_config({certs_->ecdsa384}), ec);
  EXPECT_EQ(client_->flight()->ske.scheme, SignatureScheme::ecdsa_secp256r1_sha256);
  // Nothing the key can sign: handshake_failure.
  ec.schemes = std::vector<SignatureScheme>{SignatureScheme::rsa_pss_rsae_sha256};
  Error e = hello_error(make_config({certs_->ecdsa384}), ec);
  EXPECT_EQ(e.code(), ErrorCode::no_common_signature_scheme);
  EXPECT_EQ(e.alert(), AlertDescription::handshake_failure);
}

TEST_F(Server12Test, CertificateFollowsTheClientsSignatureSchemes) {
  // Both suites offered, but the client can only verify RSA signatures.
  HelloOptions opts;
  opts.schemes = std::vector<SignatureScheme>{SignatureScheme::rsa_pss_rsae_sha256};
  EXPECT_EQ(handshake(both_certs(), opts), CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
  EXPECT_EQ(client_->flight()->certificate.chain, certs_->rsa.chain);
}

TEST_F(Server12Test, EcdsaCertificateNeedsItsCurveInTheClientsGroups) {
  // RFC 8422 §5.1: a client listing only x25519 may refuse our P-256 certificate (OpenSSL and
  // curl do), so the RSA one serves it although ECDSA suites come first in our order.
  HelloOptions opts;
  opts.groups = std::vector<NamedGroup>{NamedGroup::x25519};
  EXPECT_EQ(handshake(both_certs(), opts), CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
  EXPECT_EQ(client_->flight()->certificate.chain, certs_->rsa.chain);

  // With P-256 listed, the ECDSA certificate is back in play.
  opts.groups = std::vector<NamedGroup>{NamedGroup::x25519, NamedGroup::secp256r1};
  EXPECT_EQ(handshake(both_certs(), opts), CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
}

TEST_F(Server12Test, MissingSignatureAlgorithmsMeansSha1WhichWeRefuse) {
  HelloOptions opts;
  opts.schemes.reset();
  Error e = hello_error(both_certs(), opts);
  EXPECT_EQ(e.code(), ErrorCode::no_common_signature_scheme);
  EXPECT_EQ(e.alert(), AlertDescription::handshake_failure);
}

TEST_F(Server12Test, SniPicksTheCertificateNamingIt) {
  auto config = make_config({certs_->rsa, certs_->example_ecdsa, certs_->example_rsa});
  HelloOptions opts;
  opts.sni = "www.example.com";
  EXPECT_EQ(handshake(config, opts), CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
  EXPECT_EQ(client_->flight()->certificate.chain, certs_->example_ecdsa.chain);
  EXPECT_EQ(ctx_->info().server_name, "www.example.com");
  const auto* sni = find_extension(client_->flight()->hello.extensions, ExtensionType::server_name);
  ASSERT_NE(sni, nullptr);
  EXPECT_TRUE(sni->data.empty());

  // Among the certificates naming the host, the suite decides the key type.
  opts.suites = {kRsaAes128};
  handshake(config, opts);
  EXPECT_EQ(client_->flight()->certificate.chain, certs_->example_rsa.chain);

  opts = HelloOptions{};
  opts.sni = "localhost";
  handshake(config, opts);
  EXPECT_EQ(client_->flight()->certificate.chain, certs_->rsa.chain);

  // No certificate names the host: fall back to the first usable one, without an SNI ack.
  opts.sni = "unknown.test";
  opts.suites = {kRsaAes128, kEcdsaAes128};
  opts.schemes = std::vector<SignatureScheme>{SignatureScheme::rsa_pss_rsae_sha256,
                                              SignatureScheme::ecdsa_secp256r1_sha256};
  config->cipher_suites = {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                           CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  handshake(config, opts);
  EXPECT_EQ(client_->flight()->certificate.chain, certs_->rsa.chain);
  EXPECT_EQ(find_extension(client_->flight()->hello.extensions, ExtensionType::server_name),
            nullptr);
  EXPECT_EQ(ctx_->info().server_name, "unknown.test");
}

// ---- ALPN ----

TEST_F(Server12Test, AlpnPicksOurFirstThatTheClientOffers) {
  auto config = both_certs();
  config->alpn = {"h2", "http/1.1"};
  HelloOptions opts;
  opts.alpn = std::vector<std::string>{"http/1.1", "h2"};
  handshake(config, opts);
  EXPECT_EQ(ctx_->info().alpn, "h2");
  const auto* ext = find_extension(client_->flight()->hello.extensions,
                                   ExtensionType::application_layer_protocol_negotiation);
  ASSERT_NE(ext, nullptr);
  auto chosen = messages::parse_alpn_server(ext->data);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(chosen.value(), "h2");
}

TEST_F(Server12Test, AlpnWithoutOverlapIsNoApplicationProtocol) {
  auto config = both_certs();
  config->alpn = {"h2"};
  HelloOptions opts;
  opts.alpn = std::vector<std::string>{"http/1.1", "spdy/3"};
  Error e = hello_error(config, opts);
  EXPECT_EQ(e.code(), ErrorCode::no_application_protocol);
  EXPECT_EQ(e.alert(), AlertDescription::no_application_protocol);
}

TEST_F(Server12Test, AlpnIgnoredWithoutServerProtocols) {
  HelloOptions opts;
  opts.alpn = std::vector<std::string>{"http/1.1"};
  handshake(both_certs(), opts);
  EXPECT_EQ(ctx_->info().alpn, "");
  EXPECT_EQ(find_extension(client_->flight()->hello.extensions,
                           ExtensionType::application_layer_protocol_negotiation),
            nullptr);
}

// ---- versions and the downgrade sentinel ----

TEST_F(Server12Test, DowngradeSentinelWheneverWeAreATls13Server) {
  constexpr uint8_t kSentinel[] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01};
  auto ends_with_sentinel = [&] {
    const auto& r = client_->flight()->hello.random;
    return std::equal(std::begin(kSentinel), std::end(kSentinel), r.end() - 8);
  };
  HelloOptions opts;
  opts.versions = std::vector<ProtocolVersion>{ProtocolVersion::tls1_3, ProtocolVersion::tls1_2};
  // Not a TLS 1.3 server: no sentinel, or 1.3 clients would abort.
  handshake(both_certs(), opts);
  EXPECT_FALSE(ends_with_sentinel());

  // RFC 8446 §4.1.3: "TLS 1.3 servers which negotiate TLS 1.2 or below in response to a
  // ClientHello MUST set the last 8 bytes of their Random value specially", whatever the
  // client offered (the front in handshake/server/ only hands TLS 1.2 clients to this driver).
  tls13_capable_ = true;
  handshake(both_certs(), opts);
  EXPECT_TRUE(ends_with_sentinel());
  // supported_versions is never echoed by a TLS 1.2 ServerHello.
  EXPECT_EQ(find_extension(client_->flight()->hello.extensions, ExtensionType::supported_versions),
            nullptr);

  opts.versions = std::vector<ProtocolVersion>{ProtocolVersion::tls1_2};
  handshake(both_certs(), opts);
  EXPECT_TRUE(ends_with_sentinel());
  opts.versions.reset();
  handshake(both_certs(), opts);
  EXPECT_TRUE(ends_with_sentinel());

  // A TLS 1.2-only configuration is not a TLS 1.3 server.
  auto config = both_certs();
  config->max_version = ProtocolVersion::tls1_2;
  handshake(config, opts);
  EXPECT_FALSE(ends_with_sentinel());
}

TEST_F(Server12Test, VersionRejections) {
  HelloOptions opts;
  opts.legacy_version = static_cast<ProtocolVersion>(0x0302);
  Error e = hello_error(both_certs(), opts);
  EXPECT_EQ(e.code(), ErrorCode::protocol_version);
  EXPECT_EQ(e.alert(), AlertDescription::protocol_version);

  opts = HelloOptions{};
  opts.versions = std::vector<ProtocolVersion>{ProtocolVersion::tls1_3};
  e = hello_error(both_certs(), opts);
  EXPECT_EQ(e.alert(), AlertDescription::protocol_version);

  auto config = both_certs();
  config->min_version = ProtocolVersion::tls1_3;
  e = hello_error(config, HelloOptions{});
  EXPECT_EQ(e.alert(), AlertDescription::protocol_version);

  // A future version without supported_versions negotiates TLS 1.2 (RFC 5246 §E.1).
  opts = HelloOptions{};
  opts.legacy_version = static_cast<ProtocolVersion>(0x0304);
  handshake(both_certs(), opts);
  EXPECT_EQ(ctx_->info().version, ProtocolVersion::tls1_2);
}

// ---- ClientHello rejections ----

TEST_F(Server12Test, NoSharedSuiteIsHandshakeFailure) {
  HelloOptions opts;
  opts.suites = {0x1301, 0x1302, 0xC013, 0x009C};  // TLS 1.3, CBC, RSA key exchange
  Error e = hello_error(both_certs(), opts);
  EXPECT_EQ(e.code(), ErrorCode::no_common_cipher_suite);
  EXPECT_EQ(e.alert(), AlertDescription::handshake_failure);
}

TEST_F(Server12Test, MalformedClientHelloIsDecodeError) {
  start(both_certs());
  auto raw = client_hello(HelloOptions{});
  // Truncate the body by one byte while keeping the header consistent.
  std::vector<uint8_t> body(raw.begin() + 4, raw.end() - 1);
  auto bad = handshake_raw(HandshakeType::client_hello, body);
  auto r = driver_->on_handshake(*ctx_, view(bad));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error);

  start(both_certs());
  auto trailing = std::vector<uint8_t>(raw.begin() + 4, raw.end());
  trailing.push_back(0);
  auto bad2 = handshake_raw(HandshakeType::client_hello, trailing);
  r = driver_->on_handshake(*ctx_, view(bad2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error);

  // A malformed extension body we decode.
  HelloOptions opts;
  opts.groups.reset();
  opts.extra = {messages::Extension{ExtensionType::supported_groups, {0x00, 0x03, 0x00}}};
  Error e = hello_error(both_certs(), opts);
  EXPECT_EQ(e.alert(), AlertDescription::decode_error);
}

TEST_F(Server12Test, DuplicateExtensionIsIllegalParameter) {
  HelloOptions opts;
  opts.extra = {messages::Extension{ExtensionType::extended_master_secret, {}}};
  Error e = hello_error(both_certs(), opts);
  EXPECT_EQ(e.code(), ErrorCode::duplicate_extension);
  EXPECT_EQ(e.alert(), AlertDescription::illegal_parameter);
}

TEST_F(Server12Test, MissingEmsIsHandshakeFailureWhenRequired) {
  auto config = both_certs();
  config->require_extended_master_secret = true;
  HelloOptions opts;
  opts.ems = false;
  Error e = hello_error(config, opts);
  EXPECT_EQ(e.code(), ErrorCode::extended_master_secret_required);
  EXPECT_EQ(e.alert(), AlertDescription::handshake_failure);
}

TEST_F(Server12Test, NonEmptyRenegotiationInfoIsHandshakeFailure) {
  HelloOptions opts;
  opts.renegotiation_info = std::vector<uint8_t>(12, 0xAB);
  Error e = hello_error(both_certs(), opts);
  EXPECT_EQ(e.code(), ErrorCode::insecure_renegotiation);
  EXPECT_EQ(e.alert(), AlertDescription::handshake_failure);
}

TEST_F(Server12Test, RenegotiationSignalling) {
  // SCSV alone: we answer with an empty renegotiation_info (RFC 5746 §3.6).
  HelloOptions opts;
  opts.renegotiation_info.reset();
  opts.scsv = true;
  handshake(both_certs(), opts);
  EXPECT_NE(find_extension(client_->flight()->hello.extensions, ExtensionType::renegotiation_info),
            nullptr);
  // Neither: nothing unsolicited.
  opts.scsv = false;
  opts.ec_point_formats = false;
  handshake(both_certs(), opts);
  EXPECT_EQ(find_extension(client_->flight()->hello.extensions, ExtensionType::renegotiation_info),
            nullptr);
  EXPECT_EQ(find_extension(client_->flight()->hello.extensions, ExtensionType::ec_point_formats),
            nullptr);
}

TEST_F(Server12Test, CompressionWithoutNullIsIllegalParameter) {
  HelloOptions opts;
  opts.compression = {1};
  Error e = hello_error(both_certs(), opts);
  EXPECT_EQ(e.code(), ErrorCode::illegal_parameter);
  EXPECT_EQ(e.alert(), AlertDescription::illegal_parameter);
  opts.compression = {1, 0};
  handshake(both_certs(), opts);
}

TEST_F(Server12Test, PointFormatsWithoutUncompressedIsIllegalParameter) {
  HelloOptions opts;
  opts.ec_point_formats = false;
  opts.extra = {messages::Extension{ExtensionType::ec_point_formats, {0x01, 0x01}}};
  Error e = hello_error(both_certs(), opts);
  EXPECT_EQ(e.alert(), AlertDescription::illegal_parameter);
}

// ---- later rejections ----

TEST_F(Server12Test, InvalidClientPointIsIllegalParameter) {
  HelloOptions opts;
  opts.groups = std::vector<NamedGroup>{NamedGroup::secp256r1};
  start(both_certs());
  ASSERT_TRUE(client_->hello(opts).ok());
  std::vector<uint8_t> off_curve(65, 0x01);
  off_curve[0] = 0x04;
  auto r = client_->key_exchange(off_curve);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::illegal_parameter);
}

TEST_F(Server12Test, BadClientFinishedIsDecryptError) {
  start(both_certs());
  ASSERT_TRUE(client_->hello(HelloOptions{}).ok());
  ASSERT_TRUE(client_->key_exchange().ok());
  ASSERT_TRUE(client_->change_cipher_spec().ok());
  auto r = client_->finished(/*corrupt=*/true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_finished);
  EXPECT_EQ(r.error().alert(), AlertDescription::decrypt_error);
  EXPECT_FALSE(driver_->is_connected());
  EXPECT_TRUE(ctx_->sent.empty());  // no CCS/Finished of ours
  EXPECT_EQ(std::count(ctx_->log.begin(), ctx_->log.end(), "ccs"), 0);
}

TEST_F(Server12Test, WrongLengthFinishedIsDecodeError) {
  start(both_certs());
  ASSERT_TRUE(client_->hello(HelloOptions{}).ok());
  ASSERT_TRUE(client_->key_exchange().ok());
  ASSERT_TRUE(client_->change_cipher_spec().ok());
  std::vector<uint8_t> body(13, 0);
  auto raw = handshake_raw(HandshakeType::finished, body);
  auto r = driver_->on_handshake(*ctx_, view(raw));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error);
}

TEST_F(Server12Test, CcsBeforeClientKeyExchangeIsUnexpectedMessage) {
  start(both_certs());
  ASSERT_TRUE(client_->hello(HelloOptions{}).ok());
  auto r = driver_->on_change_cipher_spec(*ctx_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message);
}

// RFC 5246 §7.2.2: no_renegotiation "is always a warning"; the connection goes on.
TEST_F(Server12Test, RenegotiationAttemptGetsANoRenegotiationWarning) {
  handshake(both_certs(), HelloOptions{});
  auto raw = client_hello(HelloOptions{});
  auto r = driver_->on_handshake(*ctx_, view(raw));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(ctx_->alerts.size(), 1u);
  EXPECT_EQ(ctx_->alerts[0].first, AlertLevel::warning);
  EXPECT_EQ(ctx_->alerts[0].second, AlertDescription::no_renegotiation);
  EXPECT_EQ(driver_->state_name(), "server12::Connected");
  EXPECT_TRUE(driver_->is_connected());
}

// ---- which state accepts what ----

enum class Stage { client_hello, client_key_exchange, change_cipher_spec, finished, connected };

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

TEST_F(Server12Test, StateAcceptanceTable) {
  struct Row {
    Stage stage;
    std::string_view name;
    std::optional<HandshakeType> accepts;  // the one message type the state takes
    bool accepts_ccs;
  };
  const Row rows[] = {
      {Stage::client_hello, "server12::ExpectClientHello", HandshakeType::client_hello, false},
      {Stage::client_key_exchange, "server12::ExpectClientKeyExchange",
       HandshakeType::client_key_exchange, false},
      {Stage::change_cipher_spec, "server12::ExpectChangeCipherSpec", std::nullopt, true},
      {Stage::finished, "server12::ExpectFinished", HandshakeType::finished, false},
      {Stage::connected, "server12::Connected", std::nullopt, false},
  };
  auto reach = [&](Stage stage) {
    start(both_certs());
    if (stage == Stage::client_hello) {
      return;
    }
    ASSERT_TRUE(client_->hello(HelloOptions{}).ok());
    if (stage == Stage::client_key_exchange) {
      return;
    }
    ASSERT_TRUE(client_->key_exchange().ok());
    if (stage == Stage::change_cipher_spec) {
      return;
    }
    ASSERT_TRUE(client_->change_cipher_spec().ok());
    if (stage == Stage::finished) {
      return;
    }
    ASSERT_TRUE(client_->finished().ok());
  };
  for (const Row& row : rows) {
    for (HandshakeType type : kAllTypes) {
      if (row.accepts == type) {
        continue;
      }
      SCOPED_TRACE(::testing::Message() << row.name << " gets type " << static_cast<int>(type));
      reach(row.stage);
      ASSERT_EQ(driver_->state_name(), row.name);
      // A well-formed-looking body: the type check must come before any parsing.
      std::vector<uint8_t> body(4, 0);
      auto raw = handshake_raw(type, body);
      auto r = driver_->on_handshake(*ctx_, view(raw));
      if (row.stage == Stage::connected && type == HandshakeType::client_hello) {
        // A renegotiation attempt: a warning, not a failure (RFC 5246 §7.2.2).
        ASSERT_TRUE(r.ok());
        ASSERT_FALSE(ctx_->alerts.empty());
        EXPECT_EQ(ctx_->alerts.back().second, AlertDescription::no_renegotiation);
      } else {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
        EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message);
      }
    }
    if (!row.accepts_ccs) {
      SCOPED_TRACE(::testing::Message() << row.name << " gets ChangeCipherSpec");
      reach(row.stage);
      auto r = driver_->on_change_cipher_spec(*ctx_);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message);
    }
  }
}

// OCSP stapling (RFC 6066 §8): asked with status_request and holding a response, the server
// answers with an empty status_request in the ServerHello and a CertificateStatus right after
// the Certificate; not asked, or with nothing to staple, neither.
TEST_F(Server12Test, StaplesTheOcspResponseOnlyWhenAskedAndHeld) {
  const std::vector<uint8_t> response = {0x30, 0x03, 0x0A, 0x01, 0x00};
  ServerCertificate rsa = certs_->rsa;
  rsa.ocsp_response = response;
  HelloOptions asked;
  asked.suites = {kRsaAes128};
  asked.extra = {messages::Extension{ExtensionType::status_request, {1, 0, 0, 0, 0}}};
  EXPECT_EQ(handshake(make_config({rsa}), asked),
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
  ASSERT_TRUE(client_->flight().has_value());
  ASSERT_TRUE(client_->flight()->status.has_value());
  EXPECT_EQ(client_->flight()->status->ocsp_response, response);
  auto ext = find_extension(client_->flight()->hello.extensions, ExtensionType::status_request);
  ASSERT_NE(ext, nullptr);
  EXPECT_TRUE(ext->data.empty());

  HelloOptions not_asked = asked;
  not_asked.extra.clear();
  handshake(make_config({rsa}), not_asked);
  ASSERT_TRUE(client_->flight().has_value());
  EXPECT_FALSE(client_->flight()->status.has_value());
  EXPECT_EQ(find_extension(client_->flight()->hello.extensions, ExtensionType::status_request),
            nullptr);

  handshake(make_config({certs_->rsa}), asked);  // nothing to staple
  ASSERT_TRUE(client_->flight().has_value());
  EXPECT_FALSE(client_->flight()->status.has_value());
  EXPECT_EQ(find_extension(client_->flight()->hello.extensions, ExtensionType::status_request),
            nullptr);
}

TEST_F(Server12Test, MalformedStatusRequestIsDecodeError) {
  HelloOptions opts;
  opts.extra = {messages::Extension{ExtensionType::status_request, {1, 0, 2, 0, 0}}};
  EXPECT_EQ(hello_error(make_config({certs_->rsa}), opts).code(), ErrorCode::decode_error);
}

}  // namespace
}  // namespace hs::test

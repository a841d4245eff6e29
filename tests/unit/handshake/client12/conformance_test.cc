// Client conformance, TLS 1.2: what BoringSSL's BoGo runner (ssl/test/runner) checks of a
// client facing a misbehaving TLS 1.2 server, replayed against the scripted server. Each test
// names the BoGo test it follows and the RFC rule.
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/session.h>

#include <algorithm>

#include "unit/handshake/common/client_harness.h"

namespace hs::testing {
namespace {

const Bytes kSessionId(32, 0x5A);

// resuming_config offers a stored TLS 1.2 session by session ID (AES-128-GCM, with EMS).
std::shared_ptr<ClientConfig> resuming_config() {
  auto config = insecure_config();
  auto store = std::make_shared<InMemorySessionStore>();
  StoredSession s;
  s.version = ProtocolVersion::tls1_2;
  s.suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  s.secret = SecretBytes(48);
  s.session_id = kSessionId;
  s.extended_master_secret = true;
  s.created_ms = session_now_ms();
  store->put("localhost", std::move(s));
  config->sessions = store;
  return config;
}

// echoing_server_hello is the scripted ServerHello echoing our session ID, i.e. resuming.
Bytes echoing_server_hello(ClientHarness& h) {
  messages::ServerHello sh = h.server.server_hello_msg();
  sh.legacy_session_id = kSessionId;
  Bytes raw;
  EXPECT_TRUE(messages::serialize_message(sh, raw).ok());
  return h.server.handshake_record(raw);
}

// Resume-Client-CipherMismatch. RFC 5246 §7.4.1.3, cipher_suite: "For resumed sessions, this
// field is the value from the state of the session being resumed."
TEST(ClientConformance12, ResumptionWithAnotherSuiteIsIllegalParameter) {
  ClientHarness h(resuming_config());
  ASSERT_EQ(h.server.client_hello().legacy_session_id, kSessionId);
  h.server.suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384;  // offered too
  const auto& offered = h.server.client_hello().cipher_suites;
  ASSERT_NE(std::find(offered.begin(), offered.end(), h.server.suite), offered.end());
  h.expect_refusal(echoing_server_hello(h), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

// ExtendedMasterSecret-YesToNo-Client. RFC 7627 §5.3: "If the original session used the
// extension but the new ServerHello does not contain the extension, the client MUST abort the
// handshake."
TEST(ClientConformance12, ResumptionWithoutExtendedMasterSecretIsHandshakeFailure) {
  ClientHarness h(resuming_config());
  h.server.send_ems = false;
  h.expect_refusal(echoing_server_hello(h), ErrorCode::extended_master_secret_required,
                   AlertDescription::handshake_failure);
}

// The same with ClientConfig::require_extended_master_secret off (hs client --allow-no-ems): the
// switch admits full handshakes without EMS, never a resumption of an EMS session without it.
TEST(ClientConformance12, AllowNoEmsStillRefusesResumptionWithoutExtendedMasterSecret) {
  auto config = resuming_config();
  config->require_extended_master_secret = false;
  ClientHarness h(config);
  h.server.send_ems = false;
  h.expect_refusal(echoing_server_hello(h), ErrorCode::extended_master_secret_required,
                   AlertDescription::handshake_failure);
}

// UnsolicitedServerNameAck-TLS-TLS12. RFC 5246 §7.4.1.4: "If a client receives an extension
// type in ServerHello that it did not request in the associated ClientHello, it MUST abort the
// handshake with an unsupported_extension fatal alert." No server_name for an IP literal.
TEST(ClientConformance12, ServerNameAckWithoutServerNameIsUnsupportedExtension) {
  ClientHarness h(insecure_config(), /*ecdsa=*/false, "127.0.0.1");
  ASSERT_EQ(
      messages::find_extension(h.server.client_hello().extensions, ExtensionType::server_name),
      nullptr);
  h.server.extra_extensions.push_back({ExtensionType::server_name, {}});
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()),
                   ErrorCode::unsolicited_extension, AlertDescription::unsupported_extension);
}

// PointFormat-Server-MissingUncompressed. RFC 8422 §5.2: the server's "Supported Point Formats
// Extension, when used, MUST contain the value 0 (uncompressed) as one of the items".
TEST(ClientConformance12, PointFormatsWithoutUncompressedIsIllegalParameter) {
  ClientHarness h;
  h.server.extra_extensions.push_back({ExtensionType::ec_point_formats, {1, 1}});
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

// ALPNClient-EmptyProtocolName-TLS-TLS12. RFC 7301 §3.1: opaque ProtocolName<1..2^8-1>.
TEST(ClientConformance12, EmptyAlpnProtocolNameIsDecodeError) {
  auto config = insecure_config();
  config->alpn = {"h2"};
  ClientHarness h(config);
  h.server.extra_extensions.push_back(
      {ExtensionType::application_layer_protocol_negotiation, {0, 1, 0}});
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()), ErrorCode::decode_error,
                   AlertDescription::decode_error);
}

// ECDSACurveMismatch-Verify-TLS12: a TLS 1.2 scheme is a (hash, signature) pair, the curve
// comes from the certificate (RFC 8422 §5.10: "TLS 1.2 added a SignatureAndHashAlgorithm
// parameter to the DigitallySigned struct, thus allowing agility in choosing the signature
// hash"), so a P-256 key signing with 0x0503 (ECDSA, SHA-384) is accepted.
TEST(ClientConformance12, EcdsaP256KeyWithSha384IsAccepted) {
  ClientHarness h(insecure_config(), /*ecdsa=*/true);
  h.server.scheme = SignatureScheme::ecdsa_secp384r1_sha384;
  h.handshake();
  EXPECT_TRUE(h.client->is_connected());
}

}  // namespace
}  // namespace hs::testing

// The TLS 1.2 client against a scripted in-memory server: the successful path and one test per
// refusal, each asserting the ErrorCode and the exact alert the client sends.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include "unit/handshake/common/client_harness.h"

namespace hs::testing {
namespace {

TEST(Client12, FullHandshakeAndApplicationDataBothWays) {
  ClientHarness h;
  const auto& ch = h.server.client_hello();
  EXPECT_EQ(ch.legacy_version, ProtocolVersion::tls1_2);
  EXPECT_EQ(ch.compression_methods, std::vector<uint8_t>{0});
  EXPECT_TRUE(ch.legacy_session_id.empty());
  for (CipherSuite s : ch.cipher_suites) {
    EXPECT_TRUE(detail::is_tls12_suite(s)) << static_cast<int>(s);  // TLS 1.2 only for now
  }
  EXPECT_NE(messages::find_extension(ch.extensions, ExtensionType::extended_master_secret),
            nullptr);
  EXPECT_NE(messages::find_extension(ch.extensions, ExtensionType::renegotiation_info), nullptr);
  EXPECT_NE(messages::find_extension(ch.extensions, ExtensionType::server_name), nullptr);
  EXPECT_NE(messages::find_extension(ch.extensions, ExtensionType::session_ticket), nullptr);
  EXPECT_EQ(messages::find_extension(ch.extensions, ExtensionType::supported_versions), nullptr);

  h.handshake();
  const SessionInfo& info = h.client->info();
  EXPECT_EQ(info.version, ProtocolVersion::tls1_2);
  EXPECT_EQ(info.cipher_suite, h.server.suite);
  EXPECT_EQ(info.group, NamedGroup::x25519);
  EXPECT_EQ(info.signature_scheme, SignatureScheme::rsa_pss_rsae_sha256);
  EXPECT_TRUE(info.extended_master_secret);
  EXPECT_EQ(info.peer_chain, h.server.chain());
  EXPECT_EQ(info.server_name, "localhost");
  EXPECT_FALSE(info.peer_verified);

  // Server -> client.
  ASSERT_TRUE(h.to_client(h.server.app_data("hello client")).ok());
  std::vector<uint8_t> buf(100);
  size_t n = h.client->read(buf);
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + n), "hello client");
  EXPECT_EQ(h.client->read(buf), 0u);

  // Client -> server.
  const std::string msg = "GET / HTTP/1.1\r\n\r\n";
  ASSERT_TRUE(h.client->write(std::vector<uint8_t>(msg.begin(), msg.end())).ok());
  auto recs = h.from_client();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].type, ContentType::application_data);
  EXPECT_EQ(std::string(recs[0].data.begin(), recs[0].data.end()), msg);

  // Orderly close both ways.
  ASSERT_TRUE(
      h.to_client(h.server.alert(AlertLevel::warning, AlertDescription::close_notify)).ok());
  EXPECT_TRUE(h.client->peer_closed());
  EXPECT_TRUE(h.client->receive_eof().ok());
  h.client->close();
  auto closing = h.from_client();
  ASSERT_EQ(closing.size(), 1u);
  EXPECT_EQ(closing[0].data, (Bytes{1, 0}));
}

TEST(Client12, EcdsaServer) {
  ClientHarness h(insecure_config(), /*ecdsa=*/true);
  h.server.group = NamedGroup::secp256r1;
  h.handshake();
  EXPECT_EQ(h.client->info().signature_scheme, SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_EQ(h.client->info().group, NamedGroup::secp256r1);
}

TEST(Client12, SessionTicketAndAlpn) {
  auto config = insecure_config();
  config->alpn = {"h2", "http/1.1"};
  ClientHarness h(config);
  h.server.send_ticket_ext = true;
  h.server.alpn = "http/1.1";
  h.handshake();
  EXPECT_EQ(h.client->info().alpn, "http/1.1");
}

TEST(Client12, NoSniForIpLiterals) {
  ClientHarness h(insecure_config(), false, "127.0.0.1");
  EXPECT_EQ(
      messages::find_extension(h.server.client_hello().extensions, ExtensionType::server_name),
      nullptr);
  ClientHarness h6(insecure_config(), false, "::1");
  EXPECT_EQ(
      messages::find_extension(h6.server.client_hello().extensions, ExtensionType::server_name),
      nullptr);
}

TEST(Client12, KeyLogLine) {
  struct Sink : KeyLogSink {
    void log(std::string_view label, std::span<const uint8_t> random,
             std::span<const uint8_t> secret) override {
      lines.push_back(format_key_log_line(label, random, secret));
      secret_len = secret.size();
    }
    std::vector<std::string> lines;
    size_t secret_len = 0;
  };
  auto sink = std::make_shared<Sink>();
  auto config = insecure_config();
  config->key_log = sink;
  ClientHarness h(config);
  h.handshake();
  ASSERT_EQ(sink->lines.size(), 1u);
  EXPECT_EQ(sink->lines[0].rfind("CLIENT_RANDOM ", 0), 0u);
  EXPECT_EQ(sink->lines[0].size(), 14u + 64 + 1 + 96);
  EXPECT_EQ(sink->secret_len, 48u);
}

// ---- refusals ----

TEST(Client12, SuiteNotOfferedIsIllegalParameter) {
  auto config = insecure_config();
  config->cipher_suites = {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
  ClientHarness h(config);
  h.server.suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384;
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(Client12, GroupNotOfferedIsIllegalParameter) {
  auto config = insecure_config();
  config->groups = {NamedGroup::x25519};
  ClientHarness h(config);
  h.server.group = NamedGroup::secp384r1;
  h.expect_refusal(h.server.first_flight(), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

// Our supported_groups may list FFDHE groups for TLS 1.3; in TLS 1.2 they would need DHE suites
// (RFC 7919 §3), so a ServerKeyExchange naming one is refused before any key is made for it.
TEST(Client12, FfdheGroupInServerKeyExchangeIsIllegalParameter) {
  auto config = insecure_config();
  config->groups = {NamedGroup::x25519, NamedGroup::ffdhe2048};
  ClientHarness h(config);
  h.server.ske_group = NamedGroup::ffdhe2048;
  auto r = h.to_client(h.server.first_flight());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::illegal_parameter);
  EXPECT_NE(r.error().message().find("did not offer for ECDHE"), std::string::npos)
      << r.error().message();
}

TEST(Client12, Version11IsProtocolVersion) {
  ClientHarness h;
  h.server.version = static_cast<ProtocolVersion>(0x0302);
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()), ErrorCode::protocol_version,
                   AlertDescription::protocol_version);
}

TEST(Client12, Version13InServerHelloIsProtocolVersion) {
  ClientHarness h;
  h.server.version = ProtocolVersion::tls1_3;
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()), ErrorCode::protocol_version,
                   AlertDescription::protocol_version);
}

TEST(Client12, BadServerKeyExchangeSignatureIsDecryptError) {
  ClientHarness h;
  h.server.corrupt_signature = true;
  h.expect_refusal(h.server.first_flight(), ErrorCode::bad_signature,
                   AlertDescription::decrypt_error);
}

TEST(Client12, SchemeNotFittingTheKeyIsIllegalParameter) {
  ClientHarness h;
  h.server.scheme = SignatureScheme::ecdsa_secp256r1_sha256;  // RSA leaf
  Bytes flight = h.server.handshake_record(h.server.server_hello());
  ScriptedServer::append(flight, h.server.handshake_record(h.server.certificate()));
  // An ECDSA-labelled signature from an RSA leaf: built by hand, the scheme check comes first.
  messages::ServerKeyExchangeEcdhe msg;
  msg.group = NamedGroup::x25519;
  msg.public_key = Bytes(32, 9);
  msg.scheme = SignatureScheme::ecdsa_secp256r1_sha256;
  msg.signature = Bytes(64, 1);
  Bytes raw;
  ASSERT_TRUE(messages::serialize_message(msg, raw).ok());
  ScriptedServer::append(flight, h.server.handshake_record(raw));
  h.expect_refusal(flight, ErrorCode::illegal_parameter, AlertDescription::illegal_parameter);
}

TEST(Client12, WrongFinishedIsDecryptError) {
  ClientHarness h;
  ASSERT_TRUE(h.to_client(h.server.first_flight()).ok());
  h.from_client();
  h.server.corrupt_finished = true;
  h.expect_refusal(h.server.final_flight(), ErrorCode::bad_finished,
                   AlertDescription::decrypt_error);
}

TEST(Client12, OversizedRecordIsRecordOverflow) {
  ClientHarness h;
  Bytes big((1 << 14) + 1, 0);
  h.expect_refusal(ScriptedServer::raw_record(22, big), ErrorCode::record_overflow,
                   AlertDescription::record_overflow);
}

TEST(Client12, TruncatedMessageIsDecodeError) {
  ClientHarness h;
  Bytes sh = h.server.server_hello();
  // Shorten the body but keep the header consistent: ServerHello cut after the random.
  Bytes cut = {2, 0, 0, 34};
  cut.insert(cut.end(), sh.begin() + 4, sh.begin() + 4 + 34);
  h.expect_refusal(h.server.record(ContentType::handshake, cut), ErrorCode::decode_error,
                   AlertDescription::decode_error);
}

TEST(Client12, ServerHelloDoneBeforeCertificateIsUnexpectedMessage) {
  ClientHarness h;
  Bytes flight = h.server.handshake_record(h.server.server_hello());
  ScriptedServer::append(flight, h.server.handshake_record(h.server.server_hello_done()));
  h.expect_refusal(flight, ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(Client12, UnsolicitedExtensionIsUnsupportedExtension) {
  ClientHarness h;
  h.server.extra_extensions.push_back({ExtensionType::supported_versions, {0x03, 0x03}});
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()),
                   ErrorCode::unsolicited_extension, AlertDescription::unsupported_extension);
}

TEST(Client12, AlpnNotOfferedIsUnsupportedExtension) {
  ClientHarness h;  // no ALPN offered
  h.server.alpn = "h2";
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()),
                   ErrorCode::unsolicited_extension, AlertDescription::unsupported_extension);
}

TEST(Client12, AlpnProtocolNotOfferedIsIllegalParameter) {
  auto config = insecure_config();
  config->alpn = {"http/1.1"};
  ClientHarness h(config);
  h.server.alpn = "h2";
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(Client12, DuplicateExtensionIsIllegalParameter) {
  ClientHarness h;
  h.server.extra_extensions.push_back({ExtensionType::extended_master_secret, {}});
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()),
                   ErrorCode::duplicate_extension, AlertDescription::illegal_parameter);
}

TEST(Client12, MissingEmsIsHandshakeFailure) {
  ClientHarness h;
  h.server.send_ems = false;
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()),
                   ErrorCode::extended_master_secret_required, AlertDescription::handshake_failure);
}

TEST(Client12, MissingRenegotiationInfoIsHandshakeFailure) {
  ClientHarness h;
  h.server.send_reneg = false;
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()),
                   ErrorCode::insecure_renegotiation, AlertDescription::handshake_failure);
}

TEST(Client12, NonEmptyRenegotiationInfoIsHandshakeFailure) {
  ClientHarness h;
  h.server.send_reneg = false;
  h.server.extra_extensions.push_back({ExtensionType::renegotiation_info, {1, 7}});
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()),
                   ErrorCode::insecure_renegotiation, AlertDescription::handshake_failure);
}

TEST(Client12, ChangeCipherSpecBeforeOurFinishedIsUnexpectedMessage) {
  ClientHarness h;
  Bytes flight = h.server.handshake_record(h.server.server_hello());
  ScriptedServer::append(flight, h.server.record(ContentType::change_cipher_spec, Bytes{1}));
  h.expect_refusal(flight, ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(Client12, ChangeCipherSpecTwiceIsUnexpectedMessage) {
  ClientHarness h;
  ASSERT_TRUE(h.to_client(h.server.first_flight()).ok());
  h.from_client();
  Bytes flight = h.server.ccs();
  // The second CCS travels under the new keys, as a confused server would send it.
  ScriptedServer::append(flight, h.server.record(ContentType::change_cipher_spec, Bytes{1}));
  h.expect_refusal(flight, ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(Client12, BadChangeCipherSpecByteIsDecodeError) {
  ClientHarness h;
  ASSERT_TRUE(h.to_client(h.server.first_flight()).ok());
  h.from_client();
  h.expect_refusal(h.server.record(ContentType::change_cipher_spec, Bytes{2}),
                   ErrorCode::decode_error, AlertDescription::decode_error);
}

TEST(Client12, ApplicationDataBeforeFinishedIsUnexpectedMessage) {
  ClientHarness h;
  ASSERT_TRUE(h.to_client(h.server.first_flight()).ok());
  h.from_client();
  Bytes flight = h.server.ccs();
  ScriptedServer::append(flight, h.server.app_data("too early"));
  h.expect_refusal(flight, ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(Client12, PlaintextApplicationDataBeforeHandshakeIsUnexpectedMessage) {
  ClientHarness h;
  h.expect_refusal(h.server.app_data("hi"), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

TEST(Client12, MissingPromisedTicketIsUnexpectedMessage) {
  ClientHarness h;
  h.server.send_ticket_ext = true;
  ASSERT_TRUE(h.to_client(h.server.first_flight()).ok());
  h.from_client();
  h.expect_refusal(h.server.ccs(), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

TEST(Client12, EofWithoutCloseNotifyIsTruncated) {
  ClientHarness h;
  h.handshake();
  auto r = h.client->receive_eof();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::truncated);
  EXPECT_EQ(r.error().detail(),
            "server closed the connection without close_notify (possible truncation attack)");
  EXPECT_TRUE(h.client->output().empty());  // no alert for a transport EOF
}

TEST(Client12, VerificationWithoutVerifierIsCertificateUnknown) {
  auto config = std::make_shared<ClientConfig>();  // verification on, no verifier
  ClientHarness h(config);
  Bytes flight = h.server.handshake_record(h.server.server_hello());
  ScriptedServer::append(flight, h.server.handshake_record(h.server.certificate()));
  h.expect_refusal(flight, ErrorCode::verification_disabled_refusal,
                   AlertDescription::certificate_unknown);
}

TEST(Client12, VerifierRejectionIsSentAsItsAlert) {
  struct Reject : CertificateVerifier {
    Result<void> verify(std::span<const CertificateDer> chain, std::string_view host) override {
      seen_host = std::string(host);
      seen_len = chain.size();
      return Error(ErrorCode::unknown_ca, "certificate", "SSL certificate problem: self-signed");
    }
    std::string seen_host;
    size_t seen_len = 0;
  };
  auto verifier = std::make_shared<Reject>();
  auto config = std::make_shared<ClientConfig>();
  config->verifier = verifier;
  ClientHarness h(config);
  Bytes flight = h.server.handshake_record(h.server.server_hello());
  ScriptedServer::append(flight, h.server.handshake_record(h.server.certificate()));
  h.expect_refusal(flight, ErrorCode::unknown_ca, AlertDescription::unknown_ca);
  EXPECT_EQ(verifier->seen_host, "localhost");
  EXPECT_EQ(verifier->seen_len, 1u);
}

TEST(Client12, FatalAlertFromServerFailsWithoutReply) {
  ClientHarness h;
  auto r = h.to_client(h.server.alert(AlertLevel::fatal, AlertDescription::handshake_failure));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::peer_alert);
  EXPECT_EQ(r.error().received_alert(), AlertDescription::handshake_failure);
  EXPECT_TRUE(h.client->output().empty());
}

TEST(Client12, WarningAlertOtherThanAllowedIsFatal) {
  ClientHarness h;
  auto r = h.to_client(h.server.alert(AlertLevel::warning, AlertDescription::bad_certificate));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::peer_alert);
}

TEST(Client12, HelloRequestAfterHandshakeGetsNoRenegotiationWarning) {
  ClientHarness h;
  h.handshake();
  Bytes hello_request = {0, 0, 0, 0};
  ASSERT_TRUE(h.to_client(h.server.record(ContentType::handshake, hello_request)).ok());
  auto sent = h.from_client();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].data, (Bytes{1, 100}));
  EXPECT_TRUE(h.client->is_connected());
}

TEST(Client12, HandshakeMessageAfterHandshakeIsUnexpectedMessage) {
  ClientHarness h;
  h.handshake();
  h.expect_refusal(h.server.record(ContentType::handshake, h.server.server_hello_done()),
                   ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(Client12, InterleavedRecordIsUnexpectedMessage) {
  ClientHarness h;
  Bytes sh = h.server.server_hello();
  Bytes first(sh.begin(), sh.begin() + 10);
  Bytes flight = h.server.record(ContentType::handshake, first);
  ScriptedServer::append(flight,
                         h.server.alert(AlertLevel::warning, AlertDescription::user_canceled));
  h.expect_refusal(flight, ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(Client12, FragmentedMessagesAreReassembled) {
  ClientHarness h;
  Bytes flight = h.server.first_flight();
  // Feed the flight one byte at a time.
  for (uint8_t b : flight) {
    ASSERT_TRUE(h.to_client(Bytes{b}).ok());
  }
  h.from_client();
  EXPECT_TRUE(h.server.client_finished_ok());
  ASSERT_TRUE(h.to_client(h.server.final_flight()).ok());
  EXPECT_TRUE(h.client->is_connected());
}

}  // namespace
}  // namespace hs::testing

// The TLS 1.3 client against a scripted in-memory TLS 1.3 server: the ClientHello offering both
// versions, successful handshakes (HelloRetryRequest, CertificateRequest, ECDSA, all suites),
// post-handshake messages, and one test per refusal with the exact alert the client sends.
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/session.h>

#include "unit/handshake/client13/scripted_server13.h"

namespace hs::testing {
namespace {

std::vector<ProtocolVersion> offered_versions(const messages::ClientHello& ch) {
  const auto* sv = messages::find_extension(ch.extensions, ExtensionType::supported_versions);
  if (sv == nullptr) {
    return {};
  }
  auto v = messages::parse_supported_versions_client(sv->data);
  EXPECT_TRUE(v.ok());
  return v.value();
}

std::vector<messages::KeyShareEntry> key_shares(const messages::ClientHello& ch) {
  const auto* ks = messages::find_extension(ch.extensions, ExtensionType::key_share);
  EXPECT_NE(ks, nullptr);
  auto v = messages::parse_key_share_client(ks->data);
  EXPECT_TRUE(v.ok());
  return v.value();
}

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(Client13, ClientHelloOffersTls13AndTls12) {
  Harness13 h;
  const auto& ch = h.server.client_hello();
  // RFC 8446 §4.1.2: legacy_version 0x0303; supported_versions carries the real offer.
  EXPECT_EQ(ch.legacy_version, ProtocolVersion::tls1_2);
  EXPECT_EQ(offered_versions(ch),
            (std::vector<ProtocolVersion>{ProtocolVersion::tls1_3, ProtocolVersion::tls1_2}));
  // Middlebox compatibility: a 32-byte legacy_session_id.
  EXPECT_EQ(ch.legacy_session_id.size(), 32u);
  EXPECT_EQ(ch.compression_methods, std::vector<uint8_t>{0});
  // The three TLS 1.3 suites first, in the configuration's order, then the TLS 1.2 ones.
  ASSERT_GE(ch.cipher_suites.size(), 4u);
  EXPECT_EQ(ch.cipher_suites[0], CipherSuite::TLS_AES_128_GCM_SHA256);
  EXPECT_EQ(ch.cipher_suites[1], CipherSuite::TLS_AES_256_GCM_SHA384);
  EXPECT_EQ(ch.cipher_suites[2], CipherSuite::TLS_CHACHA20_POLY1305_SHA256);
  for (size_t i = 3; i < ch.cipher_suites.size(); ++i) {
    EXPECT_TRUE(detail::is_tls12_suite(ch.cipher_suites[i]));
  }
  // One x25519 share (the first configured group).
  auto shares = key_shares(ch);
  ASSERT_EQ(shares.size(), 1u);
  EXPECT_EQ(shares[0].group, NamedGroup::x25519);
  EXPECT_EQ(shares[0].key_exchange.size(), 32u);
  // signature_algorithms: TLS 1.3-capable schemes first, rsa_pkcs1_* (TLS 1.2 only) last.
  const auto* sa = messages::find_extension(ch.extensions, ExtensionType::signature_algorithms);
  ASSERT_NE(sa, nullptr);
  auto schemes = messages::parse_signature_algorithms(sa->data).value();
  bool seen_pkcs1 = false;
  for (SignatureScheme s : schemes) {
    bool tls13 = crypto::scheme_info(s)->tls13_allowed;
    EXPECT_FALSE(seen_pkcs1 && tls13) << "a TLS 1.3 scheme after rsa_pkcs1";
    seen_pkcs1 = seen_pkcs1 || !tls13;
  }
  EXPECT_TRUE(seen_pkcs1) << "rsa_pkcs1 must stay for TLS 1.2";
  // signature_algorithms already names every scheme we verify in certificates.
  EXPECT_EQ(messages::find_extension(ch.extensions, ExtensionType::signature_algorithms_cert),
            nullptr);
  // The TLS 1.2 extensions are still there; no PSK yet.
  for (ExtensionType t : {ExtensionType::extended_master_secret, ExtensionType::renegotiation_info,
                          ExtensionType::session_ticket, ExtensionType::ec_point_formats,
                          ExtensionType::server_name, ExtensionType::supported_groups}) {
    EXPECT_NE(messages::find_extension(ch.extensions, t), nullptr) << static_cast<int>(t);
  }
  EXPECT_EQ(messages::find_extension(ch.extensions, ExtensionType::psk_key_exchange_modes),
            nullptr);
  EXPECT_EQ(messages::find_extension(ch.extensions, ExtensionType::pre_shared_key), nullptr);
  // Events show TLS 1.3 (the highest version offered) for the ClientHello, as curl prints.
  ASSERT_FALSE(h.observer.messages.empty());
  EXPECT_EQ(h.observer.messages[0].version, 0x0304);
  ASSERT_FALSE(h.observer.records.empty());
  EXPECT_EQ(h.observer.records[0].version, 0x0301);
}

// RFC 8446 §4.2.9: "Servers SHOULD NOT send NewSessionTicket with tickets that are not
// compatible with the advertised modes". A client that can store sessions names psk_dhe_ke in
// its first ClientHello, or servers that follow that (Go's crypto/tls) never send it a ticket;
// with nothing to resume there is no pre_shared_key yet.
TEST(Client13, SessionStoreAsksForTicketsWithPskModes) {
  auto config = tls13_config();
  config->sessions = std::make_shared<InMemorySessionStore>();
  Harness13 h(config);
  const auto& ch = h.server.client_hello();
  const auto* modes =
      messages::find_extension(ch.extensions, ExtensionType::psk_key_exchange_modes);
  ASSERT_NE(modes, nullptr);
  EXPECT_EQ(messages::parse_psk_key_exchange_modes(modes->data).value(),
            std::vector<messages::PskKeyExchangeMode>{messages::PskKeyExchangeMode::psk_dhe_ke});
  EXPECT_EQ(messages::find_extension(ch.extensions, ExtensionType::pre_shared_key), nullptr);
}

TEST(Client13, Tls13OnlyOffersOnlyTls13AndRefusesTls12) {
  auto config = tls13_config();
  config->min_version = ProtocolVersion::tls1_3;
  Harness13 h(config);
  const auto& ch = h.server.client_hello();
  EXPECT_EQ(offered_versions(ch), std::vector<ProtocolVersion>{ProtocolVersion::tls1_3});
  for (CipherSuite s : ch.cipher_suites) {
    EXPECT_TRUE(detail::is_tls13_suite(s));
  }
  EXPECT_EQ(messages::find_extension(ch.extensions, ExtensionType::extended_master_secret),
            nullptr);
  // A TLS 1.2 ServerHello: RFC 8446 Appendix D, protocol_version.
  messages::ServerHello sh;
  sh.cipher_suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  h.expect_refusal(h.server.record(ContentType::handshake, ScriptedServer13::encode(sh)),
                   ErrorCode::protocol_version, AlertDescription::protocol_version);
}

// RFC 8446 §4.2.3: "If no "signature_algorithms_cert" extension is present, then the
// "signature_algorithms" extension also applies to signatures appearing in certificates". A TLS
// 1.3-only offer leaves rsa_pkcs1_* out of signature_algorithms (they "are not defined for use in
// signed TLS handshake messages"), so it names them for certificates in signature_algorithms_cert:
// without it Java's JSSE refused to serve its RSA-issued chain ("No available authentication
// scheme", handshake_failure). A PKCS#1 CertificateVerify is still refused.
TEST(Client13, Tls13OnlyNamesCertificateSchemesInSignatureAlgorithmsCert) {
  auto config = tls13_config();
  config->min_version = ProtocolVersion::tls1_3;
  Harness13 h(config);
  const auto& ch = h.server.client_hello();
  const auto* sa = messages::find_extension(ch.extensions, ExtensionType::signature_algorithms);
  const auto* sac =
      messages::find_extension(ch.extensions, ExtensionType::signature_algorithms_cert);
  ASSERT_NE(sa, nullptr);
  ASSERT_NE(sac, nullptr);
  auto handshake = messages::parse_signature_algorithms(sa->data).value();
  auto certs = messages::parse_signature_algorithms_cert(sac->data).value();
  for (SignatureScheme s : handshake) {
    EXPECT_TRUE(crypto::scheme_info(s)->tls13_allowed) << static_cast<int>(s);
    EXPECT_TRUE(detail::contains<SignatureScheme>(certs, s)) << static_cast<int>(s);
  }
  for (SignatureScheme s : {SignatureScheme::rsa_pkcs1_sha256, SignatureScheme::rsa_pkcs1_sha384,
                            SignatureScheme::rsa_pkcs1_sha512}) {
    EXPECT_FALSE(detail::contains<SignatureScheme>(handshake, s)) << static_cast<int>(s);
    EXPECT_TRUE(detail::contains<SignatureScheme>(certs, s)) << static_cast<int>(s);
  }
  // RFC 8446 §4.4.3: "RSA signatures MUST use an RSASSA-PSS algorithm".
  h.server.scheme = SignatureScheme::rsa_pkcs1_sha256;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  ASSERT_TRUE(h.to_client(h.server.encrypted_extensions()).ok());
  ASSERT_TRUE(h.to_client(h.server.certificate()).ok());
  h.expect_refusal(h.server.certificate_verify(), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(Client13, DualOfferCompletesTls12WhenTheServerChoosesIt) {
  // The TLS 1.2 scripted server ignores supported_versions and key_share and answers TLS 1.2
  // without a downgrade sentinel (as a TLS 1.2-only server does).
  ClientHarness h(tls13_config());
  EXPECT_EQ(offered_versions(h.server.client_hello()),
            (std::vector<ProtocolVersion>{ProtocolVersion::tls1_3, ProtocolVersion::tls1_2}));
  h.handshake();
  EXPECT_EQ(h.client->info().version, ProtocolVersion::tls1_2);
  EXPECT_EQ(h.observer.states.front(), "client::ExpectServerHello");
  EXPECT_EQ(h.observer.states.back(), "client12::Connected");
  // Events: ClientHello and ServerHello under the highest version offered (as curl prints
  // them), TLS 1.2 afterwards.
  ASSERT_GE(h.observer.messages.size(), 3u);
  EXPECT_EQ(h.observer.messages[0].version, 0x0304);
  EXPECT_EQ(h.observer.messages[1].version, 0x0304);
  EXPECT_EQ(h.observer.messages.back().version, 0x0303);
}

TEST(Client13, FullHandshakeDataTicketKeyUpdateAndClose) {
  Harness13 h;
  h.handshake();
  // Our second flight: the dummy ChangeCipherSpec (RFC 8446 Appendix D.4), then Finished.
  const auto& rec = h.server.received();
  ASSERT_GE(rec.size(), 3u);
  EXPECT_EQ(rec[rec.size() - 2].type, ContentType::change_cipher_spec);
  EXPECT_EQ(rec.back().type, ContentType::handshake);
  EXPECT_EQ(rec.back().data[0], static_cast<uint8_t>(HandshakeType::finished));

  const SessionInfo& info = h.client->info();
  EXPECT_EQ(info.version, ProtocolVersion::tls1_3);
  EXPECT_EQ(info.cipher_suite, CipherSuite::TLS_AES_128_GCM_SHA256);
  EXPECT_EQ(info.group, NamedGroup::x25519);
  EXPECT_EQ(info.signature_scheme, SignatureScheme::rsa_pss_rsae_sha256);
  EXPECT_EQ(info.peer_chain, h.server.chain());
  EXPECT_EQ(info.server_name, "localhost");
  // After the ServerHello the events carry TLS 1.3.
  EXPECT_EQ(h.observer.messages.back().version, 0x0304);

  ASSERT_TRUE(h.to_client(h.server.new_session_ticket()).ok());
  ASSERT_TRUE(h.to_client(h.server.app_data("hello client")).ok());
  std::vector<uint8_t> buf(100);
  size_t n = h.client->read(buf);
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + n), "hello client");

  ASSERT_TRUE(h.client->write(bytes_of("GET / HTTP/1.1\r\n\r\n")).ok());
  auto recs = h.from_client();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].type, ContentType::application_data);

  // KeyUpdate(update_requested): the client updates its read key, answers with
  // KeyUpdate(update_not_requested) and updates its write key (RFC 8446 §4.6.3).
  ASSERT_TRUE(h.to_client(h.server.key_update(/*request=*/true)).ok());
  recs = h.from_client();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].type, ContentType::handshake);
  EXPECT_EQ(recs[0].data, (Bytes{24, 0, 0, 1, 0}));
  ASSERT_TRUE(h.to_client(h.server.app_data("after update")).ok());
  n = h.client->read(buf);
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + n), "after update");
  ASSERT_TRUE(h.client->write(bytes_of("under the new key")).ok());
  recs = h.from_client();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(std::string(recs[0].data.begin(), recs[0].data.end()), "under the new key");
  // KeyUpdate(update_not_requested): read key only, nothing sent.
  ASSERT_TRUE(h.to_client(h.server.key_update(/*request=*/false)).ok());
  EXPECT_TRUE(h.client->output().empty());
  ASSERT_TRUE(h.to_client(h.server.app_data("again")).ok());
  n = h.client->read(buf);
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + n), "again");

  ASSERT_TRUE(
      h.to_client(h.server.alert(AlertLevel::warning, AlertDescription::close_notify)).ok());
  EXPECT_TRUE(h.client->peer_closed());
  h.client->close();
  recs = h.from_client();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].data, (Bytes{1, 0}));
}

TEST(Client13, EverySuiteAndEcdsa) {
  for (CipherSuite suite :
       {CipherSuite::TLS_AES_128_GCM_SHA256, CipherSuite::TLS_AES_256_GCM_SHA384,
        CipherSuite::TLS_CHACHA20_POLY1305_SHA256}) {
    for (bool ecdsa : {false, true}) {
      SCOPED_TRACE(std::string(suite_name(suite)) + (ecdsa ? " ECDSA" : " RSA"));
      Harness13 h(tls13_config(), ecdsa);
      h.server.suite = suite;
      h.handshake();
      EXPECT_EQ(h.client->info().cipher_suite, suite);
      ASSERT_TRUE(h.to_client(h.server.app_data("x")).ok());
      EXPECT_EQ(h.client->readable(), 1u);
    }
  }
}

TEST(Client13, HelloRetryRequestToP256WithCookie) {
  Harness13 h;
  Bytes ch1_random(h.server.client_hello().random.begin(), h.server.client_hello().random.end());
  Bytes session_id = h.server.client_hello().legacy_session_id;
  h.server.hrr_cookie = {9, 8, 7};
  ASSERT_TRUE(h.to_client(h.server.hello_retry_request(NamedGroup::secp256r1)).ok());
  auto recs = h.from_client();
  // The dummy ChangeCipherSpec goes before ClientHello2 (RFC 8446 Appendix D.4), only once.
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].type, ContentType::change_cipher_spec);
  ASSERT_EQ(h.server.client_hello_count(), 2u);
  const auto& ch2 = h.server.client_hello();
  EXPECT_EQ(Bytes(ch2.random.begin(), ch2.random.end()), ch1_random);
  EXPECT_EQ(ch2.legacy_session_id, session_id);
  auto shares = key_shares(ch2);
  ASSERT_EQ(shares.size(), 1u);
  EXPECT_EQ(shares[0].group, NamedGroup::secp256r1);
  const auto* cookie = messages::find_extension(ch2.extensions, ExtensionType::cookie);
  ASSERT_NE(cookie, nullptr);
  EXPECT_EQ(messages::parse_cookie(cookie->data).value(), (Bytes{9, 8, 7}));
  h.handshake();
  EXPECT_EQ(h.client->info().group, NamedGroup::secp256r1);
  size_t ccs = 0;
  for (const auto& r : h.server.received()) {
    ccs += r.type == ContentType::change_cipher_spec ? 1 : 0;
  }
  EXPECT_EQ(ccs, 1u);
}

TEST(Client13, CertificateRequestGetsAnEmptyCertificate) {
  Harness13 h;
  h.server.certificate_request = true;
  h.handshake();  // the server's Finished check covers the empty Certificate in the transcript
  bool empty_cert = false;
  for (const auto& r : h.server.received()) {
    if (r.type == ContentType::handshake && r.data[0] == 11) {
      empty_cert = r.data == Bytes{11, 0, 0, 4, 0, 0, 0, 0};
    }
  }
  EXPECT_TRUE(empty_cert);
}

TEST(Client13, StateEventsFollowTheHandshake) {
  Harness13 h;
  h.server.certificate_request = true;
  h.handshake();
  std::vector<std::string> expected = {"client::ExpectServerHello",
                                       "client13::ExpectEncryptedExtensions",
                                       "client13::ExpectCertificateOrRequest",
                                       "client13::ExpectCertificate",
                                       "client13::ExpectCertificateVerify",
                                       "client13::ExpectFinished",
                                       "client13::Connected"};
  EXPECT_EQ(h.observer.states, expected);
}

// ---- refusals ----

TEST(Client13, Tls12ServerHelloWithDowngradeSentinelIsIllegalParameter) {
  Harness13 h;
  messages::ServerHello sh;
  for (size_t i = 0; i < 24; ++i) {
    sh.random[i] = static_cast<uint8_t>(i);
  }
  std::copy(messages::kDowngradeTls12.begin(), messages::kDowngradeTls12.end(),
            sh.random.begin() + 24);
  sh.cipher_suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  sh.extensions.push_back({ExtensionType::renegotiation_info, {0}});
  sh.extensions.push_back({ExtensionType::extended_master_secret, {}});
  // RFC 8446 §4.1.3: "If a match is found, the client MUST abort the handshake with an
  // "illegal_parameter" alert."
  h.expect_refusal(h.server.record(ContentType::handshake, ScriptedServer13::encode(sh)),
                   ErrorCode::downgrade_detected, AlertDescription::illegal_parameter);
}

TEST(Client13, ServerHelloGroupWithoutOurShareIsIllegalParameter) {
  Harness13 h;
  h.server.sh_claims_group = NamedGroup::secp256r1;  // offered in supported_groups, no share
  h.expect_refusal(h.server.server_hello(), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(Client13, SecondHelloRetryRequestIsUnexpectedMessage) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.hello_retry_request(NamedGroup::secp256r1)).ok());
  h.from_client();
  h.expect_refusal(h.server.hello_retry_request(NamedGroup::secp384r1),
                   ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(Client13, HelloRetryRequestForUnofferedGroupIsIllegalParameter) {
  Harness13 h;
  h.expect_refusal(h.server.hello_retry_request(NamedGroup::X25519MLKEM768),
                   ErrorCode::illegal_parameter, AlertDescription::illegal_parameter);
}

TEST(Client13, HelloRetryRequestForTheGroupWeSentIsIllegalParameter) {
  Harness13 h;
  h.expect_refusal(h.server.hello_retry_request(NamedGroup::x25519), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(Client13, ServerHelloSuiteDifferentFromHelloRetryRequestIsIllegalParameter) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.hello_retry_request(NamedGroup::secp256r1)).ok());
  h.from_client();
  h.server.suite = CipherSuite::TLS_CHACHA20_POLY1305_SHA256;
  h.expect_refusal(h.server.server_hello(), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(Client13, SessionIdEchoMismatchIsIllegalParameter) {
  Harness13 h;
  h.server.session_id_echo = Bytes(32, 0x42);
  h.expect_refusal(h.server.server_hello(), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(Client13, Tls12SuiteInTls13ServerHelloIsIllegalParameter) {
  Harness13 h;
  h.server.suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  h.expect_refusal(h.server.server_hello(), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(Client13, OfferedButForbiddenServerHelloExtensionIsIllegalParameter) {
  Harness13 h;
  h.server.sh_extra_extensions.push_back({ExtensionType::extended_master_secret, {}});
  h.expect_refusal(h.server.server_hello(), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(Client13, UnofferedServerHelloExtensionIsUnsupportedExtension) {
  Harness13 h;
  h.server.sh_extra_extensions.push_back({ExtensionType::pre_shared_key, {0, 0}});
  h.expect_refusal(h.server.server_hello(), ErrorCode::unsolicited_extension,
                   AlertDescription::unsupported_extension);
}

TEST(Client13, SupportedVersionsInEncryptedExtensionsIsIllegalParameter) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  h.server.ee_extensions.push_back({ExtensionType::supported_versions, {3, 4}});
  h.expect_refusal(h.server.encrypted_extensions(), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(Client13, KeyShareInEncryptedExtensionsIsIllegalParameter) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  h.server.ee_extensions.push_back({ExtensionType::key_share, {0, 0x1d, 0, 1, 1}});
  h.expect_refusal(h.server.encrypted_extensions(), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(Client13, UnsolicitedEncryptedExtensionIsUnsupportedExtension) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  h.server.ee_extensions.push_back(
      {ExtensionType::application_layer_protocol_negotiation, {0, 3, 2, 'h', '2'}});
  h.expect_refusal(h.server.encrypted_extensions(), ErrorCode::unsolicited_extension,
                   AlertDescription::unsupported_extension);
}

TEST(Client13, AlpnAgreedInEncryptedExtensions) {
  auto config = tls13_config();
  config->alpn = {"h2", "http/1.1"};
  Harness13 h(config);
  h.server.ee_extensions.push_back(
      {ExtensionType::application_layer_protocol_negotiation, {0, 3, 2, 'h', '2'}});
  h.handshake();
  EXPECT_EQ(h.client->info().alpn, "h2");
}

TEST(Client13, EmptyCertificateIsDecodeError) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  ASSERT_TRUE(h.to_client(h.server.encrypted_extensions()).ok());
  h.server.empty_certificate = true;
  h.expect_refusal(h.server.certificate(), ErrorCode::decode_error, AlertDescription::decode_error);
}

TEST(Client13, BadCertificateVerifyIsDecryptError) {
  Harness13 h;
  h.server.corrupt_signature = true;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  ASSERT_TRUE(h.to_client(h.server.encrypted_extensions()).ok());
  ASSERT_TRUE(h.to_client(h.server.certificate()).ok());
  h.expect_refusal(h.server.certificate_verify(), ErrorCode::bad_signature,
                   AlertDescription::decrypt_error);
}

TEST(Client13, Pkcs1CertificateVerifyIsIllegalParameter) {
  Harness13 h;
  // RFC 8446 §4.4.3: "RSA signatures MUST use an RSASSA-PSS algorithm".
  h.server.scheme = SignatureScheme::rsa_pkcs1_sha256;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  ASSERT_TRUE(h.to_client(h.server.encrypted_extensions()).ok());
  ASSERT_TRUE(h.to_client(h.server.certificate()).ok());
  h.expect_refusal(h.server.certificate_verify(), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(Client13, WrongFinishedIsDecryptError) {
  Harness13 h;
  h.server.corrupt_finished = true;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  h.expect_refusal(h.server.flight(), ErrorCode::bad_finished, AlertDescription::decrypt_error);
}

TEST(Client13, ChangeCipherSpecAfterTheHandshakeIsUnexpectedMessage) {
  Harness13 h;
  h.server.send_ccs = false;
  h.handshake();
  h.expect_refusal(ScriptedServer::raw_record(20, Bytes{1}), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

// RFC 8446 §5: a change_cipher_spec record between the first ClientHello and the peer's
// Finished "MUST simply drop it without further processing". Java's JSSE sends HRR, CCS, then
// ServerHello, CCS: we refused the second one (unexpected_message), so every TLS 1.3 connection
// to a JSSE server that asked for another key share failed.
TEST(Client13, ChangeCipherSpecAfterHelloRetryRequestAndServerHelloIsDropped) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.hello_retry_request(NamedGroup::secp256r1)).ok());  // + CCS
  h.from_client();  // CCS, ClientHello2
  Bytes server_hello = h.server.server_hello();
  Bytes extra_ccs = ScriptedServer::raw_record(20, Bytes{1});
  server_hello.insert(server_hello.end(), extra_ccs.begin(), extra_ccs.end());
  ASSERT_TRUE(h.to_client(server_hello).ok());
  ASSERT_TRUE(h.to_client(h.server.flight()).ok());
  EXPECT_TRUE(h.client->is_connected());
  EXPECT_EQ(h.client->info().group, NamedGroup::secp256r1);
}

// Dropped, but not without end: the 17th is unexpected (Go's crypto/tls stops at 16 too).
TEST(Client13, ChangeCipherSpecFloodIsUnexpectedMessage) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());  // with its dummy CCS
  for (int i = 2; i <= 16; ++i) {
    ASSERT_TRUE(h.to_client(ScriptedServer::raw_record(20, Bytes{1})).ok()) << i;
  }
  h.expect_refusal(ScriptedServer::raw_record(20, Bytes{1}), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

TEST(Client13, ProtectedChangeCipherSpecIsUnexpectedMessage) {
  Harness13 h;
  h.server.send_ccs = false;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  h.expect_refusal(h.server.protected_ccs(), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

TEST(Client13, UnencryptedHandshakeMessageAfterServerHelloIsUnexpectedMessage) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  messages::EncryptedExtensions ee;
  h.expect_refusal(ScriptedServer::raw_record(22, ScriptedServer13::encode(ee)),
                   ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(Client13, ServerHelloNotEndingItsRecordIsUnexpectedMessage) {
  Harness13 h;
  h.server.send_ccs = false;
  Bytes sh = h.server.server_hello();
  // Append the first byte of the next handshake message inside the ServerHello's record.
  Bytes payload(sh.begin() + 5, sh.end());
  payload.push_back(8);
  h.expect_refusal(ScriptedServer::raw_record(22, payload), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

TEST(Client13, MessagesOutOfOrderAreUnexpected) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  // Certificate before EncryptedExtensions.
  h.expect_refusal(h.server.certificate(), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

TEST(Client13, KeyUpdateBeforeFinishedIsUnexpectedMessage) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  ASSERT_TRUE(h.to_client(h.server.encrypted_extensions()).ok());
  h.expect_refusal(h.server.record(ContentType::handshake, Bytes{24, 0, 0, 1, 0}),
                   ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(Client13, BadKeyUpdateValueIsIllegalParameter) {
  Harness13 h;
  h.handshake();
  h.expect_refusal(h.server.record(ContentType::handshake, Bytes{24, 0, 0, 1, 7}),
                   ErrorCode::illegal_parameter, AlertDescription::illegal_parameter);
}

TEST(Client13, WarningAlertOtherThanCloseIsFatalUnderTls13) {
  Harness13 h;
  h.handshake();
  auto r = h.to_client(h.server.alert(AlertLevel::warning, AlertDescription::no_renegotiation));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::peer_alert);
  EXPECT_TRUE(h.client->failed());
}

}  // namespace
}  // namespace hs::testing

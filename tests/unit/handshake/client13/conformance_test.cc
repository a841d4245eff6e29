// Client conformance: what BoringSSL's BoGo runner (ssl/test/runner) checks of a client facing
// a misbehaving server, replayed against the scripted TLS 1.3 server. Each test names the BoGo
// test it follows and the RFC rule; behaviours the other client tests already cover are listed
// in README "Conformance checks" instead of being repeated here.
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/session.h>

#include <array>
#include <optional>

#include "unit/handshake/client13/scripted_server13.h"

namespace hs::testing {
namespace {

// hello_retry_request builds a HelloRetryRequest answering the client's first ClientHello with
// exactly `extensions` (the scripted server's own HRR always carries supported_versions).
// server_hello is the record of a ServerHello echoing the client's legacy_session_id, with
// `suite`, `extensions` and (when given) `random`.
Bytes server_hello(Harness13& h, CipherSuite suite, std::vector<messages::Extension> extensions,
                   std::optional<std::array<uint8_t, 32>> random = std::nullopt) {
  messages::ServerHello sh;
  if (random) {
    sh.random = *random;
  }
  sh.legacy_session_id = h.server.client_hello().legacy_session_id;
  sh.cipher_suite = suite;
  sh.extensions = std::move(extensions);
  return h.server.record(ContentType::handshake, ScriptedServer13::encode(sh));
}

Bytes hello_retry_request(Harness13& h, std::vector<messages::Extension> extensions) {
  return server_hello(h, CipherSuite::TLS_AES_128_GCM_SHA256, std::move(extensions),
                      messages::kHelloRetryRequestRandom);
}

messages::Extension supported_versions(uint16_t version) {
  return {ExtensionType::supported_versions,
          {static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version)}};
}

// new_session_ticket frames a NewSessionTicket body written byte by byte (the serializer
// refuses what these tests need to send).
Bytes new_session_ticket(Harness13& h, const Bytes& body) {
  Bytes raw{static_cast<uint8_t>(HandshakeType::new_session_ticket), 0,
            static_cast<uint8_t>(body.size() >> 8), static_cast<uint8_t>(body.size())};
  raw.insert(raw.end(), body.begin(), body.end());
  return h.server.record(ContentType::handshake, raw);
}

// ticket_body: lifetime, age_add 0, nonce {0}, ticket {1,2,3} (or empty), then `extensions`.
Bytes ticket_body(uint32_t lifetime, bool empty_ticket, const Bytes& extensions) {
  Bytes b{static_cast<uint8_t>(lifetime >> 24),
          static_cast<uint8_t>(lifetime >> 16),
          static_cast<uint8_t>(lifetime >> 8),
          static_cast<uint8_t>(lifetime),
          0,
          0,
          0,
          0,
          1,
          0};
  if (empty_ticket) {
    b.insert(b.end(), {0, 0});
  } else {
    b.insert(b.end(), {0, 3, 1, 2, 3});
  }
  b.push_back(static_cast<uint8_t>(extensions.size() >> 8));
  b.push_back(static_cast<uint8_t>(extensions.size()));
  b.insert(b.end(), extensions.begin(), extensions.end());
  return b;
}

// ---- HelloRetryRequest ----

// HelloRetryRequest-Empty-TLS13. RFC 8446 §4.1.4: "Clients MUST abort the handshake with an
// "illegal_parameter" alert if the HelloRetryRequest would not result in any change in the
// ClientHello."
TEST(ClientConformance, HelloRetryRequestAskingForNoChangeIsIllegalParameter) {
  Harness13 h;
  h.expect_refusal(hello_retry_request(h, {supported_versions(0x0304)}),
                   ErrorCode::illegal_parameter, AlertDescription::illegal_parameter);
}

// HelloRetryRequest-EmptyCookie-TLS13. RFC 8446 §4.2.2: opaque cookie<1..2^16-1>.
TEST(ClientConformance, HelloRetryRequestWithEmptyCookieIsDecodeError) {
  Harness13 h;
  h.expect_refusal(
      hello_retry_request(h, {supported_versions(0x0304), {ExtensionType::cookie, {0, 0}}}),
      ErrorCode::decode_error, AlertDescription::decode_error);
}

// HelloRetryRequest-Unknown-TLS13. RFC 8446 §4.2: extension responses the client did not
// request (the cookie excepted) are refused with "unsupported_extension".
TEST(ClientConformance, HelloRetryRequestWithUnknownExtensionIsUnsupportedExtension) {
  Harness13 h;
  h.expect_refusal(hello_retry_request(h, {supported_versions(0x0304),
                                           {ExtensionType::cookie, {0, 1, 7}},
                                           {static_cast<ExtensionType>(0x1234), {}}}),
                   ErrorCode::unsolicited_extension, AlertDescription::unsupported_extension);
}

// HelloRetryRequest-DuplicateCookie-TLS13. RFC 8446 §4.2: "There MUST NOT be more than one
// extension of the same type in a given extension block."
TEST(ClientConformance, HelloRetryRequestWithTwoCookiesIsIllegalParameter) {
  Harness13 h;
  h.expect_refusal(hello_retry_request(h, {supported_versions(0x0304),
                                           {ExtensionType::cookie, {0, 1, 7}},
                                           {ExtensionType::cookie, {0, 1, 8}}}),
                   ErrorCode::duplicate_extension, AlertDescription::illegal_parameter);
}

// HelloRetryRequestCurveMismatch-TLS13. RFC 8446 §4.2.8: the ServerHello's share "MUST be in
// the same group as the KeyShareEntry value offered by the client"; after the HRR the client
// offered only the requested group.
TEST(ClientConformance, ServerHelloGroupOtherThanTheHelloRetryRequestsIsIllegalParameter) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.hello_retry_request(NamedGroup::secp256r1)).ok());
  h.from_client();
  h.server.group = NamedGroup::x25519;  // the group of ClientHello1's share
  h.expect_refusal(h.server.server_hello(), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

// SecondServerHelloNoVersion-TLS13. RFC 8446 §4.1.4: "The value of selected_version in the
// HelloRetryRequest "supported_versions" extension MUST be retained in the ServerHello, and a
// client MUST abort the handshake with an "illegal_parameter" alert if the value changes."
TEST(ClientConformance, ServerHelloAfterHelloRetryRequestWithoutVersionIsIllegalParameter) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.hello_retry_request(NamedGroup::secp256r1)).ok());
  h.from_client();
  h.expect_refusal(server_hello(h, CipherSuite::TLS_AES_128_GCM_SHA256,
                                {{ExtensionType::extended_master_secret, {}},
                                 {ExtensionType::renegotiation_info, {0}}}),
                   ErrorCode::illegal_parameter, AlertDescription::illegal_parameter);
}

// ---- ServerHello ----

// SupportedVersionSelection-TLS12. RFC 8446 §4.2.1: "If the "supported_versions" extension in
// the ServerHello contains a version not offered by the client or contains a version prior to
// TLS 1.3, the client MUST abort the handshake with an "illegal_parameter" alert."
TEST(ClientConformance, SupportedVersionsSelectingTls12IsIllegalParameter) {
  Harness13 h;
  h.expect_refusal(server_hello(h, CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                                {supported_versions(0x0303)}),
                   ErrorCode::illegal_parameter, AlertDescription::illegal_parameter);
}

// MissingKeyShare-Client-TLS13. RFC 8446 §9.2: a ServerHello without PSK must carry key_share;
// we offer psk_dhe_ke only, so it always must.
TEST(ClientConformance, ServerHelloWithoutKeyShareIsMissingExtension) {
  Harness13 h;
  h.expect_refusal(
      server_hello(h, CipherSuite::TLS_AES_128_GCM_SHA256, {supported_versions(0x0304)}),
      ErrorCode::missing_extension, AlertDescription::missing_extension);
}

// Downgrade-TLS12-Client covers the TLS 1.2 sentinel (Client13 tests); RFC 8446 §4.1.3: "TLS
// 1.3 clients receiving a ServerHello indicating TLS 1.2 or below MUST check that the last 8
// bytes are not equal to either of these values", the TLS 1.1 one included.
TEST(ClientConformance, Tls12ServerHelloWithTheTls11SentinelIsIllegalParameter) {
  Harness13 h;
  std::array<uint8_t, 32> random{};
  std::copy(messages::kDowngradeTls11.begin(), messages::kDowngradeTls11.end(),
            random.begin() + 24);
  h.expect_refusal(server_hello(h, CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                                {{ExtensionType::renegotiation_info, {0}},
                                 {ExtensionType::extended_master_secret, {}}},
                                random),
                   ErrorCode::downgrade_detected, AlertDescription::illegal_parameter);
}

// TLS12SessionID-TLS13: a stored TLS 1.2 session's ID goes out as legacy_session_id (RFC 8446
// §4.1.2: "A client which has a cached session ID set by a pre-TLS 1.3 server SHOULD set this
// field to that value"); a TLS 1.3 server echoes it and the handshake is a full one.
TEST(ClientConformance, Tls12SessionIdEchoedByATls13ServerIsAFullHandshake) {
  auto config = tls13_config();
  auto store = std::make_shared<InMemorySessionStore>();
  StoredSession s;
  s.version = ProtocolVersion::tls1_2;
  s.suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  s.secret = SecretBytes(48);
  s.session_id = Bytes(32, 0x5A);
  s.extended_master_secret = true;
  s.created_ms = session_now_ms();
  store->put("localhost", std::move(s));
  config->sessions = store;
  Harness13 h(config);
  ASSERT_EQ(h.server.client_hello().legacy_session_id, Bytes(32, 0x5A));
  h.handshake();
  EXPECT_FALSE(h.client->info().resumed);
  EXPECT_EQ(h.client->info().version, ProtocolVersion::tls1_3);
}

// ---- EncryptedExtensions and Certificate ----

// UnsolicitedServerNameAck-TLS-TLS13. RFC 8446 §4.2: a response to an extension the client did
// not send is "unsupported_extension"; the client sends no server_name for an IP literal.
TEST(ClientConformance, ServerNameAckWithoutServerNameIsUnsupportedExtension) {
  auto config = tls13_config();
  config->send_sni = false;
  Harness13 h(config);
  ASSERT_EQ(
      messages::find_extension(h.server.client_hello().extensions, ExtensionType::server_name),
      nullptr);
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  h.server.ee_extensions.push_back({ExtensionType::server_name, {}});
  h.expect_refusal(h.server.encrypted_extensions(), ErrorCode::unsolicited_extension,
                   AlertDescription::unsupported_extension);
}

// EmptyEncryptedExtensions-TLS13. RFC 8446 §4.3.1: Extension extensions<0..2^16-1>, so a
// body without even the length is malformed.
TEST(ClientConformance, EncryptedExtensionsWithoutBodyIsDecodeError) {
  Harness13 h;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  h.expect_refusal(h.server.handshake(Bytes{8, 0, 0, 0}), ErrorCode::decode_error,
                   AlertDescription::decode_error);
}

// ALPNClient-EmptyProtocolName-TLS-TLS13 and ALPNClient-RejectUnknown-TLS-TLS13. RFC 7301
// §3.1: opaque ProtocolName<1..2^8-1>; the server's choice must be one the client offered
// (RFC 7301 names no alert for the client's check; ours is illegal_parameter).
TEST(ClientConformance, EmptyOrUnofferedAlpnProtocolIsRefused) {
  const std::tuple<Bytes, ErrorCode, AlertDescription> cases[] = {
      {{0, 1, 0}, ErrorCode::decode_error, AlertDescription::decode_error},
      {{0, 4, 3, 'f', 'o', 'o'}, ErrorCode::illegal_parameter, AlertDescription::illegal_parameter},
  };
  for (const auto& [data, code, alert] : cases) {
    auto config = tls13_config();
    config->alpn = {"h2"};
    Harness13 h(config);
    ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
    h.server.ee_extensions.push_back({ExtensionType::application_layer_protocol_negotiation, data});
    h.expect_refusal(h.server.encrypted_extensions(), code, alert);
  }
}

// PointFormat-EncryptedExtensions-TLS13, Ticket-Forbidden-TLS13, EMS-Forbidden-TLS13,
// RenegotiationInfo-Forbidden-TLS13. RFC 8446 §4.2: "If an implementation receives an
// extension which it recognizes and which is not specified for the message in which it
// appears, it MUST abort the handshake with an "illegal_parameter" alert."
TEST(ClientConformance, Tls12ExtensionsInEncryptedExtensionsAreIllegalParameter) {
  const std::pair<ExtensionType, Bytes> cases[] = {
      {ExtensionType::ec_point_formats, {1, 0}},
      {ExtensionType::session_ticket, {}},
      {ExtensionType::extended_master_secret, {}},
      {ExtensionType::renegotiation_info, {0}},
  };
  for (const auto& [type, data] : cases) {
    SCOPED_TRACE(static_cast<int>(type));
    Harness13 h;
    ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
    h.server.ee_extensions.push_back({type, data});
    h.expect_refusal(h.server.encrypted_extensions(), ErrorCode::illegal_parameter,
                     AlertDescription::illegal_parameter);
  }
}

// SendUnsolicitedOCSPOnCertificate-TLS13, SendUnsolicitedSCTOnCertificate-TLS13,
// SendUnknownExtensionOnCertificate-TLS13. RFC 8446 §4.4.2: "Extensions in the Certificate
// message from the server MUST correspond to ones from the ClientHello message."
TEST(ClientConformance, UnrequestedCertificateEntryExtensionIsUnsupportedExtension) {
  for (uint16_t type : {5, 18, 0x1234}) {
    SCOPED_TRACE(type);
    Harness13 h;
    ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
    ASSERT_TRUE(h.to_client(h.server.encrypted_extensions()).ok());
    messages::Certificate13 c;
    for (const auto& der : h.server.chain()) {
      c.entries.push_back({der, {}});
    }
    c.entries.front().extensions.push_back({static_cast<ExtensionType>(type), {}});
    h.expect_refusal(h.server.handshake(ScriptedServer13::encode(c)),
                     ErrorCode::unsolicited_extension, AlertDescription::unsupported_extension);
  }
}

// certificate_with_status is the server's Certificate with `body` as the status_request
// extension of entry `index`.
Bytes certificate_with_status(Harness13& h, size_t index, const Bytes& body) {
  messages::Certificate13 c;
  for (const auto& der : h.server.chain()) {
    c.entries.push_back({der, {}});
  }
  c.entries.at(index).extensions.push_back({ExtensionType::status_request, body});
  return h.server.handshake(ScriptedServer13::encode(c));
}

std::shared_ptr<ClientConfig> ocsp_config(ClientConfig::OcspStapling mode) {
  auto config = tls13_config();
  config->ocsp_stapling = mode;
  return config;
}

// With status_request offered (ClientConfig::ocsp_stapling), RFC 8446 §4.4.2.1: "the body of
// the "status_request" extension from the server MUST be a CertificateStatus structure": a
// malformed one is decode_error, a well-formed one that does not verify is RFC 6066 §8's
// bad_certificate_status_response.
TEST(ClientConformance, StatusRequestEntryWhenAskedMustBeAGoodCertificateStatus) {
  const std::vector<std::pair<Bytes, AlertDescription>> cases = {
      {{}, AlertDescription::decode_error},
      {{2, 0, 0, 1, 0x30}, AlertDescription::decode_error},
      {{1, 0, 0, 9, 0x30}, AlertDescription::decode_error},
      {{1, 0, 0, 2, 0x30, 0x00}, AlertDescription::bad_certificate_status_response},
  };
  for (const auto& [body, alert] : cases) {
    Harness13 h(ocsp_config(ClientConfig::OcspStapling::request));
    ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
    ASSERT_TRUE(h.to_client(h.server.encrypted_extensions()).ok());
    auto r = h.to_client(certificate_with_status(h, 0, body));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert(), alert) << r.error().message();
  }
}

// A leaf entry without status_request: `request` carries on, `require` refuses.
TEST(ClientConformance, NoStatusRequestEntryIsRefusedOnlyWhenRequired) {
  Harness13 requested(ocsp_config(ClientConfig::OcspStapling::request));
  ASSERT_TRUE(requested.to_client(requested.server.server_hello()).ok());
  ASSERT_TRUE(requested.to_client(requested.server.encrypted_extensions()).ok());
  EXPECT_TRUE(requested.to_client(requested.server.certificate()).ok());

  Harness13 required(ocsp_config(ClientConfig::OcspStapling::require));
  ASSERT_TRUE(required.to_client(required.server.server_hello()).ok());
  ASSERT_TRUE(required.to_client(required.server.encrypted_extensions()).ok());
  required.expect_refusal(required.server.certificate(), ErrorCode::bad_certificate_status,
                          AlertDescription::bad_certificate_status_response);
}

// ECDSACurveMismatch-Verify-TLS13. RFC 8446 §4.2.3: in TLS 1.3 "ecdsa_secp384r1_sha384"
// means ECDSA on P-384 with SHA-384; a P-256 key cannot have made it, so the scheme does not
// fit the server's key (§4.4.3) and is refused before any verification.
TEST(ClientConformance, EcdsaP256KeyWithTheP384SchemeIsIllegalParameter) {
  Harness13 h(tls13_config(), /*ecdsa=*/true);
  h.server.scheme = SignatureScheme::ecdsa_secp384r1_sha384;
  ASSERT_TRUE(h.to_client(h.server.server_hello()).ok());
  ASSERT_TRUE(h.to_client(h.server.encrypted_extensions()).ok());
  ASSERT_TRUE(h.to_client(h.server.certificate()).ok());
  h.expect_refusal(h.server.certificate_verify(), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

// ---- NewSessionTicket ----

// RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)."
TEST(ClientConformance, TicketLifetimeOverSevenDaysIsIllegalParameter) {
  Harness13 h;
  h.handshake();
  h.expect_refusal(new_session_ticket(h, ticket_body(604801, false, {})),
                   ErrorCode::illegal_parameter, AlertDescription::illegal_parameter);
}

// RFC 8446 §4.6.1: opaque ticket<1..2^16-1>.
TEST(ClientConformance, EmptyTicketIsDecodeError) {
  Harness13 h;
  h.handshake();
  h.expect_refusal(new_session_ticket(h, ticket_body(7200, true, {})), ErrorCode::decode_error,
                   AlertDescription::decode_error);
}

// TLS13-DuplicateTicketEarlyDataSupport. RFC 8446 §4.2: no two extensions of one type.
TEST(ClientConformance, TicketWithEarlyDataTwiceIsIllegalParameter) {
  Harness13 h;
  h.handshake();
  const Bytes ext{0, 42, 0, 4, 0, 0, 0x40, 0, 0, 42, 0, 4, 0, 0, 0x40, 0};
  h.expect_refusal(new_session_ticket(h, ticket_body(7200, false, ext)),
                   ErrorCode::duplicate_extension, AlertDescription::illegal_parameter);
}

// RFC 8446 §4.6.1: "Clients MUST ignore unrecognized extensions." A lifetime of exactly
// 604800 is allowed.
TEST(ClientConformance, TicketWithUnknownExtensionAndSevenDayLifetimeIsTaken) {
  Harness13 h;
  h.handshake();
  ASSERT_TRUE(
      h.to_client(new_session_ticket(h, ticket_body(604800, false, {0x12, 0x34, 0, 0}))).ok());
  EXPECT_FALSE(h.client->failed());
}

}  // namespace
}  // namespace hs::testing

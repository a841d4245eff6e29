// DetailedTraceRenderer: every field decoded through the message parsers, truthful names,
// flight timings, and no secrets.
#include "trace/detailed_trace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "messages/messages.h"
#include "unit/x509/ocsp_builder.h"

namespace hs::trace {
namespace {

bool contains(const std::vector<std::string>& lines, std::string_view needle) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

std::vector<uint8_t> client_hello_bytes() {
  messages::ClientHello ch;
  ch.random.fill(0xAB);
  ch.legacy_session_id = {1, 2, 3};
  ch.cipher_suites = {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                      static_cast<CipherSuite>(0x0A0A)};
  ch.compression_methods = {0};
  ch.extensions.push_back(messages::make_extension(ExtensionType::server_name, [](auto& out) {
                            return messages::serialize_server_name("example.com", out);
                          }).value());
  ch.extensions.push_back(messages::make_extension(ExtensionType::supported_groups, [](auto& out) {
                            return messages::serialize_supported_groups(
                                {NamedGroup::x25519, NamedGroup::secp256r1}, out);
                          }).value());
  ch.extensions.push_back(messages::make_extension(
                              ExtensionType::application_layer_protocol_negotiation,
                              [](auto& out) { return messages::serialize_alpn({"http/1.1"}, out); })
                              .value());
  ch.extensions.push_back(messages::Extension{ExtensionType::extended_master_secret, {}});
  std::vector<uint8_t> out;
  EXPECT_TRUE(messages::serialize_message(ch, out).ok());
  return out;
}

TEST(DetailedTrace, ClientHelloFieldsDecoded) {
  auto bytes = client_hello_bytes();
  auto lines = describe_message(MessageEvent{Direction::out, 22, 1, 0x0303, bytes, false});
  EXPECT_TRUE(contains(lines, "random: " + std::string(64, 'a').replace(0, 64, [] {
    std::string s;
    for (int i = 0; i < 32; ++i) {
      s += "ab";
    }
    return s;
  }())));
  EXPECT_TRUE(contains(lines, "session_id: 010203"));
  EXPECT_TRUE(contains(lines, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)"));
  EXPECT_TRUE(contains(lines, "GREASE (0x0a0a)"));
  EXPECT_TRUE(contains(lines, "host_name \"example.com\""));
  EXPECT_TRUE(contains(lines, "x25519 (0x001d), secp256r1 (0x0017)"));
  EXPECT_TRUE(contains(lines, "\"http/1.1\""));
  EXPECT_TRUE(contains(lines, "extended_master_secret"));
}

TEST(DetailedTrace, ServerKeyExchangeShowsGroupAndScheme) {
  messages::ServerKeyExchangeEcdhe ske;
  ske.group = NamedGroup::secp384r1;
  ske.public_key = std::vector<uint8_t>(97, 4);
  ske.scheme = SignatureScheme::rsa_pss_rsae_sha256;
  ske.signature = std::vector<uint8_t>(256, 7);
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(messages::serialize_message(ske, bytes).ok());
  auto lines = describe_message(MessageEvent{Direction::in, 22, 12, 0x0303, bytes, false});
  EXPECT_TRUE(contains(lines, "key share group: secp384r1 (0x0018)"));
  EXPECT_TRUE(contains(lines, "signature scheme: rsa_pss_rsae_sha256 (0x0804)"));
  EXPECT_TRUE(contains(lines, "signature: 256 bytes"));
}

TEST(DetailedTrace, TruthfulNamesAndFlights) {
  std::vector<std::string> lines;
  {
    DetailedTraceRenderer r([&](std::string_view l) { lines.emplace_back(l); });
    auto t0 = std::chrono::steady_clock::now();
    auto ch = client_hello_bytes();
    const std::array<uint8_t, 4> done = {14, 0, 0, 0};
    const std::array<uint8_t, 16> fin = {20, 0, 0, 12, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    r.on_event(Event{t0, MessageEvent{Direction::out, 22, 1, 0x0303, ch, false}});
    r.on_event(Event{t0 + std::chrono::milliseconds(2),
                     MessageEvent{Direction::in, 22, 14, 0x0303, done, false}});
    r.on_event(
        Event{t0 + std::chrono::milliseconds(3), KeyChangeEvent{Direction::out, "master secret"}});
    r.on_event(Event{t0 + std::chrono::milliseconds(4),
                     MessageEvent{Direction::out, 22, 20, 0x0303, fin, true}});
    r.finish();
  }
  EXPECT_TRUE(contains(lines, "Server hello done (14)"));
  EXPECT_TRUE(contains(lines, "flight 1 OUT: 1 message(s)"));
  EXPECT_TRUE(contains(lines, "flight 2 IN: 1 message(s), 4 bytes"));
  EXPECT_TRUE(contains(lines, "flight 3 OUT"));
  EXPECT_TRUE(contains(lines, "write keys now from master secret"));
  // Finished shows a length, never the verify_data bytes.
  EXPECT_TRUE(contains(lines, "verify_data: 12 bytes"));
  EXPECT_FALSE(contains(lines, "090909"));
}

// A TLS 1.3 CertificateRequest (RFC 8446 §4.3.2) is decoded as one, and a TLS 1.2 one (RFC 5246
// §7.4.4) as one: the event's version says which.
TEST(DetailedTrace, CertificateRequestOfEachVersionDecoded) {
  messages::CertificateRequest13 cr13;
  cr13.extensions.push_back(
      messages::make_extension(ExtensionType::signature_algorithms, [](auto& out) {
        return messages::serialize_signature_algorithms(
            {SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::rsa_pss_rsae_sha256}, out);
      }).value());
  std::vector<uint8_t> bytes13;
  ASSERT_TRUE(messages::serialize_message(cr13, bytes13).ok());
  auto lines = describe_message(MessageEvent{Direction::in, 22, 13, 0x0304, bytes13, true});
  EXPECT_FALSE(contains(lines, "malformed"));
  EXPECT_TRUE(contains(lines, "certificate_request_context: (empty)"));
  EXPECT_TRUE(contains(lines, "ecdsa_secp256r1_sha256 (0x0403), rsa_pss_rsae_sha256 (0x0804)"));

  messages::CertificateRequest12 cr12;
  cr12.certificate_types = {64, 1};
  cr12.signature_algorithms = {SignatureScheme::ecdsa_secp256r1_sha256};
  std::vector<uint8_t> bytes12;
  ASSERT_TRUE(messages::serialize_message(cr12, bytes12).ok());
  lines = describe_message(MessageEvent{Direction::in, 22, 13, 0x0303, bytes12, false});
  EXPECT_FALSE(contains(lines, "malformed"));
  EXPECT_TRUE(contains(lines, "certificate_types: 4001"));
  EXPECT_TRUE(contains(lines, "signature_algorithms: ecdsa_secp256r1_sha256 (0x0403)"));
}

TEST(DetailedTrace, MalformedBodiesAreReportedNotTrusted) {
  const std::array<uint8_t, 6> truncated = {2, 0, 0, 2, 3, 3};
  auto lines = describe_message(MessageEvent{Direction::in, 22, 2, 0x0303, truncated, false});
  EXPECT_TRUE(contains(lines, "malformed"));
}

// A TLS 1.2 CertificateStatus and a TLS 1.3 leaf entry's status_request: the stapled OCSP
// response is summarised (what it states, not whether it verifies).
TEST(DetailedTrace, StapledOcspResponseIsSummarised) {
  namespace t = x509::testing;
  const std::vector<uint8_t> ocsp = t::response({t::single(t::kGood)});
  std::vector<uint8_t> status;
  ASSERT_TRUE(messages::serialize_message(messages::CertificateStatus{ocsp}, status).ok());
  auto lines = describe_message(MessageEvent{Direction::in, 22, 22, 0x0303, status, false});
  EXPECT_TRUE(contains(lines, "OCSP response: " + std::to_string(ocsp.size()) +
                                  " bytes, good, next update Dec  6 00:00:00 2026 GMT"));

  messages::Certificate13 cert;
  cert.entries.push_back(messages::CertificateEntry{
      {0x30, 0x00}, {messages::make_extension(ExtensionType::status_request, [&](auto& out) {
                       return messages::serialize(messages::CertificateStatus{ocsp}, out);
                     }).value()}});
  std::vector<uint8_t> bytes13;
  ASSERT_TRUE(messages::serialize_message(cert, bytes13).ok());
  auto lines13 = describe_message(MessageEvent{Direction::in, 22, 11, 0x0304, bytes13, true});
  EXPECT_TRUE(contains(lines13, "OCSP response: good, next update Dec  6 00:00:00 2026 GMT"));
  // Garbled inside: the reason, not a crash.
  std::vector<uint8_t> junk;
  ASSERT_TRUE(messages::serialize_message(messages::CertificateStatus{{0x30, 0x00}}, junk).ok());
  EXPECT_TRUE(contains(describe_message(MessageEvent{Direction::in, 22, 22, 0x0303, junk, false}),
                       "not an OCSPResponse"));
}

}  // namespace
}  // namespace hs::trace

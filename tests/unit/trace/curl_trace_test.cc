// CurlTraceRenderer: the lines must be the ones curl 7.88 prints with OpenSSL 3 (the formats in
// curl's lib/vtls/openssl.c ossl_trace/ssl_msg_type/tls_rt_type and OpenSSL's
// SSL_alert_desc_string_long and ASN1_TIME_print).
#include "trace/curl_trace.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <string>
#include <vector>

namespace hs::trace {
namespace {

MessageEvent handshake(Direction d, uint16_t version, std::span<const uint8_t> bytes) {
  return MessageEvent{d, 22, bytes.empty() ? uint8_t{0} : bytes[0], version, bytes, false};
}

TEST(CurlTrace, HandshakeLinesUseCurlNames) {
  const std::array<uint8_t, 4> client_hello = {1, 0, 0, 0};
  const std::array<uint8_t, 4> done = {14, 0, 0, 0};
  const std::array<uint8_t, 4> cke = {16, 0, 0, 0};
  EXPECT_EQ(curl_message_line(handshake(Direction::out, 0x0303, client_hello)),
            "* TLSv1.2 (OUT), TLS handshake, Client hello (1):");
  // curl calls ServerHelloDone "Server finished".
  EXPECT_EQ(curl_message_line(handshake(Direction::in, 0x0303, done)),
            "* TLSv1.2 (IN), TLS handshake, Server finished (14):");
  EXPECT_EQ(curl_message_line(handshake(Direction::out, 0x0304, cke)),
            "* TLSv1.3 (OUT), TLS handshake, Client key exchange (16):");
}

TEST(CurlTrace, ChangeCipherSpecOnlyWhenSent) {
  const std::array<uint8_t, 1> ccs = {1};
  EXPECT_EQ(curl_message_line(MessageEvent{Direction::out, 20, 0, 0x0303, ccs, false}),
            "* TLSv1.2 (OUT), TLS change cipher, Change cipher spec (1):");
  EXPECT_EQ(curl_message_line(MessageEvent{Direction::in, 20, 0, 0x0303, ccs, false}),
            std::nullopt);
}

TEST(CurlTrace, AlertsNumberLevelTimes256PlusDescription) {
  const std::array<uint8_t, 2> close_notify = {1, 0};
  const std::array<uint8_t, 2> unknown_ca = {2, 48};
  EXPECT_EQ(curl_message_line(MessageEvent{Direction::out, 21, 0, 0x0303, close_notify, true}),
            "* TLSv1.2 (OUT), TLS alert, close notify (256):");
  EXPECT_EQ(curl_message_line(MessageEvent{Direction::out, 21, 0, 0x0303, unknown_ca, false}),
            "* TLSv1.2 (OUT), TLS alert, unknown CA (560):");
  EXPECT_EQ(openssl_alert_long_name(10), "unexpected_message");
  EXPECT_EQ(openssl_alert_long_name(40), "handshake failure");
  EXPECT_EQ(openssl_alert_long_name(120), "no application protocol");
  EXPECT_EQ(openssl_alert_long_name(200), "unknown");
}

TEST(CurlTrace, ApplicationDataAndVersionZeroAreSilent) {
  const std::array<uint8_t, 3> data = {'a', 'b', 'c'};
  EXPECT_EQ(curl_message_line(MessageEvent{Direction::in, 23, 0, 0x0303, data, true}),
            std::nullopt);
  const std::array<uint8_t, 4> client_hello = {1, 0, 0, 0};
  EXPECT_EQ(curl_message_line(handshake(Direction::out, 0, client_hello)), std::nullopt);
}

TEST(CurlTrace, VersionNames) {
  EXPECT_EQ(curl_version_name(0x0300), "SSLv3");
  EXPECT_EQ(curl_version_name(0x0301), "TLSv1.0");
  EXPECT_EQ(curl_version_name(0x0303), "TLSv1.2");
  EXPECT_EQ(curl_version_name(0x0304), "TLSv1.3");
  EXPECT_EQ(curl_version_name(0x7f1c), "(7f1c)");
  EXPECT_EQ(curl_version_name(0), "");
}

TEST(CurlTrace, RecordHeadersOnlyWhenAsked) {
  std::vector<std::string> lines;
  CurlTraceRenderer quiet([&](std::string_view l) { lines.emplace_back(l); });
  quiet.on_event(
      Event{std::chrono::steady_clock::now(), RecordEvent{Direction::out, 22, 0x0301, 215}});
  EXPECT_TRUE(lines.empty());
  CurlTraceRenderer old([&](std::string_view l) { lines.emplace_back(l); },
                        CurlTraceOptions{.record_headers = true});
  old.on_event(
      Event{std::chrono::steady_clock::now(), RecordEvent{Direction::out, 22, 0x0301, 215}});
  // OpenSSL 1.1.1 + curl: the record's content type looked up as a handshake type.
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "* TLSv1.0 (OUT), TLS header, Certificate Status (22):");
}

TEST(CurlTrace, CaLinesFollowTheClientHello) {
  std::vector<std::string> lines;
  CurlTraceRenderer r([&](std::string_view l) { lines.emplace_back(l); });
  r.set_after_client_hello({"*  CAfile: ca.pem", "*  CApath: /etc/ssl/certs"});
  const std::array<uint8_t, 4> client_hello = {1, 0, 0, 0};
  const std::array<uint8_t, 4> server_hello = {2, 0, 0, 0};
  auto now = std::chrono::steady_clock::now();
  r.on_event(Event{now, handshake(Direction::out, 0x0303, client_hello)});
  r.on_event(Event{now, handshake(Direction::in, 0x0303, server_hello)});
  r.on_event(
      Event{now, AlertEvent{Direction::in, AlertLevel::fatal, AlertDescription::unknown_ca}});
  r.on_event(Event{now, NoteEvent{"not shown"}});
  const std::vector<std::string> want = {
      "* TLSv1.2 (OUT), TLS handshake, Client hello (1):",
      "*  CAfile: ca.pem",
      "*  CApath: /etc/ssl/certs",
      "* TLSv1.2 (IN), TLS handshake, Server hello (2):",
  };
  EXPECT_EQ(lines, want);
}

TEST(CurlTrace, SessionLines) {
  SessionInfo info;
  info.version = ProtocolVersion::tls1_2;
  info.cipher_suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  EXPECT_EQ(curl_ssl_connection_line(info),
            "* SSL connection using TLSv1.2 / ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(curl_alpn_offer_line({"h2", "http/1.1"}), "* ALPN: offers h2,http/1.1");
  EXPECT_EQ(curl_alpn_result_line("http/1.1"), "* ALPN: server accepted http/1.1");
  EXPECT_EQ(curl_alpn_result_line(""), "* ALPN: server did not agree on a protocol. Uses default.");
}

TEST(CurlTrace, Asn1TimeLikeOpenSsl) {
  EXPECT_EQ(curl_asn1_time(0), "Jan  1 00:00:00 1970 GMT");
  // 2026-11-27 23:20:52 UTC.
  EXPECT_EQ(curl_asn1_time(1795821652), "Nov 27 23:20:52 2026 GMT");
}

TEST(CurlTrace, ServerCertificateBlock) {
  CertificateView cert{"CN=localhost", "CN=Test CA", 0, 86400};
  HostCheck host{true, true, false, "localhost", "localhost"};
  const std::vector<std::string> verified = {
      "* Server certificate:",
      "*  subject: CN=localhost",
      "*  start date: Jan  1 00:00:00 1970 GMT",
      "*  expire date: Jan  2 00:00:00 1970 GMT",
      "*  subjectAltName: host \"localhost\" matched cert's \"localhost\"",
      "*  issuer: CN=Test CA",
      "*  SSL certificate verify ok.",
  };
  EXPECT_EQ(curl_server_certificate_lines(cert, host, std::nullopt), verified);
  HostCheck ip{true, true, true, "127.0.0.1", "127.0.0.1"};
  EXPECT_EQ(curl_server_certificate_lines(cert, ip, std::nullopt)[4],
            "*  subjectAltName: host \"127.0.0.1\" matched cert's IP address!");
  auto insecure =
      curl_server_certificate_lines(cert, HostCheck{}, "self-signed, continuing anyway.");
  ASSERT_EQ(insecure.size(), 6u);
  EXPECT_EQ(insecure[5], "*  SSL certificate verify result: self-signed, continuing anyway.");
}

}  // namespace
}  // namespace hs::trace

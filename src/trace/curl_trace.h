// CurlTraceRenderer: renders hs::Event as the `* ...` lines curl 7.88 (built on OpenSSL 3) prints
// with -v, word for word, so that `hs client -v` and `curl -v` can be compared line by line.
//
// What curl prints comes from OpenSSL's msg_callback (lib/vtls/openssl.c, ossl_trace):
//   "<version> (<IN|OUT>), <record type name>, <message name> (<message number>):"
// for each handshake message, change_cipher_spec and alert. OpenSSL 3 reports record headers
// (SSL3_RT_HEADER) with version 0, which curl skips, so no "TLS header" lines appear with the
// installed curl; OpenSSL 1.1.1 reported them with the record version, and curl printed
// "TLS header, Certificate Status (22):" (the record's content type looked up as a handshake
// type). `CurlTraceOptions::record_headers` reproduces that older output. TLS 1.2 application
// data is not reported by OpenSSL at all, nor is a received ChangeCipherSpec; TLS 1.3 inner
// content types are skipped by curl.
//
// The remaining curl lines (connection, CAfile, "SSL connection using", ALPN, the server
// certificate block) do not come from events; the curl_* functions below format them.
#pragma once

#include <hs/connection.h>
#include <hs/events.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hs::trace {

// LineSink receives one complete line, without the trailing newline.
using LineSink = std::function<void(std::string_view line)>;

struct CurlTraceOptions {
  // record_headers prints the OpenSSL 1.1.1-era "TLS header" lines for each record header.
  bool record_headers = false;
};

class CurlTraceRenderer : public Observer {
 public:
  explicit CurlTraceRenderer(LineSink sink, CurlTraceOptions options = {});

  // set_after_client_hello queues lines printed right after the ClientHello line (curl prints
  // "*  CAfile: ..." / "*  CApath: ..." there, when it loads the trust store).
  void set_after_client_hello(std::vector<std::string> lines);

  // track_session_cache prints, as curl 7.88 does with its session cache on, "* old SSL session
  // ID is stale, removing" after each TLS 1.3 NewSessionTicket that replaces a cached session:
  // every ticket but the first, or every one when `cached` (a session was cached before this
  // connection).
  void track_session_cache(bool cached);

  void on_event(const Event& event) override;

 private:
  LineSink sink_;
  CurlTraceOptions options_;
  std::vector<std::string> after_client_hello_;
  bool track_sessions_ = false;
  bool session_cached_ = false;
};

// curl_version_name is curl's spelling of a record/protocol version ("TLSv1.2", "SSLv3"),
// "(3ff)" for unknown values, or "" for 0 (curl skips those).
std::string curl_version_name(uint16_t version);
// curl_message_name is OpenSSL's SSL3 message-type name as curl prints it ("Client hello",
// "Server finished" for ServerHelloDone, "Unknown" otherwise).
std::string_view curl_message_name(uint8_t handshake_type);
// curl_record_type_name is curl's tls_rt_type(): "TLS handshake", "TLS alert", ...
std::string_view curl_record_type_name(uint8_t content_type);
// openssl_alert_long_name is OpenSSL's SSL_alert_desc_string_long ("close notify",
// "unknown CA", "unexpected_message"); "unknown" for others.
std::string_view openssl_alert_long_name(uint8_t description);

// curl_message_line renders the line for one MessageEvent, or nullopt when curl prints none.
std::optional<std::string> curl_message_line(const MessageEvent& m);
// curl_record_header_line renders an OpenSSL 1.1.1-style "TLS header" line.
std::optional<std::string> curl_record_header_line(const RecordEvent& r);

// "* SSL connection using TLSv1.2 / ECDHE-RSA-AES128-GCM-SHA256"
std::string curl_ssl_connection_line(const SessionInfo& info);
// "* ALPN: offers h2,http/1.1"
std::string curl_alpn_offer_line(const std::vector<std::string>& protocols);
// "* ALPN: server accepted http/1.1" or "* ALPN: server did not agree on a protocol. Uses
// default."
std::string curl_alpn_result_line(std::string_view agreed);

// CertificateView is what curl's "Server certificate:" block shows, already rendered as text.
struct CertificateView {
  std::string subject;  // "CN=localhost" (OpenSSL one-line form, "; " separated)
  std::string issuer;
  int64_t not_before = 0;  // Unix seconds
  int64_t not_after = 0;
};

// curl_asn1_time renders Unix seconds as OpenSSL's ASN1_TIME_print: "Nov  7 23:20:52 2026 GMT".
std::string curl_asn1_time(int64_t unix_seconds);

// HostCheck is the result of the server name check as curl reports it.
struct HostCheck {
  bool performed = false;  // curl only checks (and prints) with verification on
  bool matched = false;
  bool by_ip = false;
  std::string host;       // what we connected to
  std::string presented;  // the SAN entry that matched
};

// curl_server_certificate_lines renders the block
//   * Server certificate:
//   *  subject: ...
//   *  start date: ...
//   *  expire date: ...
//   *  subjectAltName: host "localhost" matched cert's "localhost"   (verification on)
//   *  issuer: ...
//   *  SSL certificate verify ok.            | verify result line
// `verify_result` is nullopt for "verify ok", else the text after "verify result: "
// (the -k case: "..., continuing anyway.").
std::vector<std::string> curl_server_certificate_lines(
    const CertificateView& cert, const HostCheck& host,
    const std::optional<std::string>& verify_result);

}  // namespace hs::trace

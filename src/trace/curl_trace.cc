// CurlTraceRenderer and curl's line formats (see curl_trace.h for where each comes from).
#include "trace/curl_trace.h"

#include <hs/wire.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <utility>
#include <variant>

#include "codec/wire.h"

namespace hs::trace {

namespace {

std::string_view dir_word(Direction d) { return d == Direction::out ? "OUT" : "IN"; }

std::string tls_line(uint16_t version, Direction d, std::string_view record_type,
                     std::string_view message, int number) {
  std::string line = "* ";
  line += curl_version_name(version);
  line += " (";
  line += dir_word(d);
  line += "), ";
  line += record_type;
  line += ", ";
  line += message;
  line += " (";
  line += std::to_string(number);
  line += "):";
  return line;
}

}  // namespace

std::string curl_version_name(uint16_t version) {
  switch (version) {
    case 0:
      return "";
    case 0x0300:
      return "SSLv3";
    case 0x0301:
      return "TLSv1.0";
    case 0x0302:
      return "TLSv1.1";
    case 0x0303:
      return "TLSv1.2";
    case 0x0304:
      return "TLSv1.3";
    default: {
      std::array<char, 16> buf{};
      std::snprintf(buf.data(), buf.size(), "(%x)", static_cast<unsigned>(version));
      return std::string(buf.data());
    }
  }
}

std::string_view curl_message_name(uint8_t handshake_type) {
  // curl's ssl_msg_type() for SSL3_VERSION_MAJOR, with OpenSSL 3's SSL3_MT_* values.
  switch (handshake_type) {
    case 0:
      return "Hello request";
    case 1:
      return "Client hello";
    case 2:
      return "Server hello";
    case 4:
      return "Newsession Ticket";
    case 5:
      return "End of early data";
    case 8:
      return "Encrypted Extensions";
    case 11:
      return "Certificate";
    case 12:
      return "Server key exchange";
    case 13:
      return "Request CERT";
    case 14:
      return "Server finished";
    case 15:
      return "CERT verify";
    case 16:
      return "Client key exchange";
    case 20:
      return "Finished";
    case 22:
      return "Certificate Status";
    case 23:
      return "Supplemental data";
    case 24:
      return "Key update";
    case 67:
      return "Next protocol";
    case 254:
      return "Message hash";
    default:
      return "Unknown";
  }
}

std::string_view curl_record_type_name(uint8_t content_type) {
  switch (content_type) {
    case 20:
      return "TLS change cipher";
    case 21:
      return "TLS alert";
    case 22:
      return "TLS handshake";
    case 23:
      return "TLS app data";
    default:
      return "TLS Unknown";
  }
}

std::string_view openssl_alert_long_name(uint8_t description) {
  switch (description) {
    case 0:
      return "close notify";
    case 10:
      return "unexpected_message";
    case 20:
      return "bad record mac";
    case 21:
      return "decryption failed";
    case 22:
      return "record overflow";
    case 30:
      return "decompression failure";
    case 40:
      return "handshake failure";
    case 41:
      return "no certificate";
    case 42:
      return "bad certificate";
    case 43:
      return "unsupported certificate";
    case 44:
      return "certificate revoked";
    case 45:
      return "certificate expired";
    case 46:
      return "certificate unknown";
    case 47:
      return "illegal parameter";
    case 48:
      return "unknown CA";
    case 49:
      return "access denied";
    case 50:
      return "decode error";
    case 51:
      return "decrypt error";
    case 60:
      return "export restriction";
    case 70:
      return "protocol version";
    case 71:
      return "insufficient security";
    case 80:
      return "internal error";
    case 90:
      return "user canceled";
    case 100:
      return "no renegotiation";
    case 110:
      return "unsupported extension";
    case 111:
      return "certificate unobtainable";
    case 112:
      return "unrecognized name";
    case 113:
      return "bad certificate status response";
    case 114:
      return "bad certificate hash value";
    case 115:
      return "unknown PSK identity";
    case 120:
      return "no application protocol";
    default:
      return "unknown";
  }
}

std::optional<std::string> curl_message_line(const MessageEvent& m) {
  if (m.version == 0) {
    return std::nullopt;
  }
  switch (m.content_type) {
    case static_cast<uint8_t>(ContentType::handshake): {
      uint8_t type = m.bytes.empty() ? m.handshake_type : m.bytes.front();
      return tls_line(m.version, m.direction, curl_record_type_name(m.content_type),
                      curl_message_name(type), type);
    }
    case static_cast<uint8_t>(ContentType::change_cipher_spec): {
      // OpenSSL 3 reads an incoming ChangeCipherSpec in tls_get_message_header without calling
      // msg_callback, so curl only ever shows the one it sends.
      if (m.direction == Direction::in) {
        return std::nullopt;
      }
      int type = m.bytes.empty() ? 1 : m.bytes.front();
      return tls_line(m.version, m.direction, curl_record_type_name(m.content_type),
                      "Change cipher spec", type);
    }
    case static_cast<uint8_t>(ContentType::alert): {
      if (m.bytes.size() < 2) {
        return std::nullopt;
      }
      // curl: msg_type = (buf[0] << 8) + buf[1], i.e. level * 256 + description.
      int number = (m.bytes[0] << 8) + m.bytes[1];
      return tls_line(m.version, m.direction, curl_record_type_name(m.content_type),
                      openssl_alert_long_name(m.bytes[1]), number);
    }
    default:
      // OpenSSL 3 does not report TLS 1.2 application data to msg_callback.
      return std::nullopt;
  }
}

std::optional<std::string> curl_record_header_line(const RecordEvent& r) {
  if (r.version == 0) {
    return std::nullopt;
  }
  return tls_line(r.version, r.direction, "TLS header", curl_message_name(r.content_type),
                  r.content_type);
}

CurlTraceRenderer::CurlTraceRenderer(LineSink sink, CurlTraceOptions options)
    : sink_(std::move(sink)), options_(options) {}

void CurlTraceRenderer::set_after_client_hello(std::vector<std::string> lines) {
  after_client_hello_ = std::move(lines);
}

void CurlTraceRenderer::track_session_cache(bool cached) {
  track_sessions_ = true;
  session_cached_ = cached;
}

void CurlTraceRenderer::on_event(const Event& event) {
  if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
    auto line = curl_message_line(*m);
    if (line) {
      sink_(*line);
    }
    if (track_sessions_ && m->direction == Direction::in &&
        m->content_type == static_cast<uint8_t>(ContentType::handshake) &&
        m->handshake_type == static_cast<uint8_t>(HandshakeType::new_session_ticket) &&
        m->version == static_cast<uint16_t>(ProtocolVersion::tls1_3)) {
      if (session_cached_) {
        sink_("* old SSL session ID is stale, removing");
      }
      session_cached_ = true;
    }
    bool client_hello = m->direction == Direction::out &&
                        m->content_type == static_cast<uint8_t>(ContentType::handshake) &&
                        !m->bytes.empty() &&
                        m->bytes.front() == static_cast<uint8_t>(HandshakeType::client_hello);
    if (client_hello) {
      for (const std::string& l : after_client_hello_) {
        sink_(l);
      }
      after_client_hello_.clear();
    }
  } else if (const auto* r = std::get_if<RecordEvent>(&event.body)) {
    if (options_.record_headers) {
      auto line = curl_record_header_line(*r);
      if (line) {
        sink_(*line);
      }
    }
  }
  // AlertEvent is not rendered: every alert also arrives as a MessageEvent carrying its bytes,
  // which is what curl prints from.
}

std::string curl_ssl_connection_line(const SessionInfo& info) {
  std::string line = "* SSL connection using ";
  line += info.version ? curl_version_name(static_cast<uint16_t>(*info.version)) : "unknown";
  line += " / ";
  if (info.cipher_suite) {
    std::string_view name = suite_openssl_name(*info.cipher_suite);
    line += name.empty() ? "(NONE)" : std::string(name);
  } else {
    line += "(NONE)";
  }
  return line;
}

std::string curl_alpn_offer_line(const std::vector<std::string>& protocols) {
  std::string line = "* ALPN: offers ";
  for (size_t i = 0; i < protocols.size(); ++i) {
    if (i > 0) {
      line += ",";
    }
    line += protocols[i];
  }
  return line;
}

std::string curl_alpn_result_line(std::string_view agreed) {
  if (agreed.empty()) {
    return "* ALPN: server did not agree on a protocol. Uses default.";
  }
  return "* ALPN: server accepted " + std::string(agreed);
}

std::string curl_asn1_time(int64_t unix_seconds) {
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr || tm.tm_mon < 0 || tm.tm_mon > 11) {
    return "Bad time value";
  }
  std::array<char, 64> buf{};
  // OpenSSL's ASN1_TIME_print: "%s %2d %02d:%02d:%02d %d GMT".
  std::snprintf(buf.data(), buf.size(), "%s %2d %02d:%02d:%02d %d GMT",
                kMonths[static_cast<size_t>(tm.tm_mon)], tm.tm_mday, tm.tm_hour, tm.tm_min,
                tm.tm_sec, tm.tm_year + 1900);
  return std::string(buf.data());
}

std::vector<std::string> curl_server_certificate_lines(
    const CertificateView& cert, const HostCheck& host,
    const std::optional<std::string>& verify_result) {
  std::vector<std::string> lines;
  lines.push_back("* Server certificate:");
  lines.push_back("*  subject: " + cert.subject);
  lines.push_back("*  start date: " + curl_asn1_time(cert.not_before));
  lines.push_back("*  expire date: " + curl_asn1_time(cert.not_after));
  if (host.performed && host.matched) {
    if (host.by_ip) {
      lines.push_back("*  subjectAltName: host \"" + host.host + "\" matched cert's IP address!");
    } else {
      lines.push_back("*  subjectAltName: host \"" + host.host + "\" matched cert's \"" +
                      host.presented + "\"");
    }
  }
  lines.push_back("*  issuer: " + cert.issuer);
  if (verify_result) {
    lines.push_back("*  SSL certificate verify result: " + *verify_result);
  } else {
    lines.push_back("*  SSL certificate verify ok.");
  }
  return lines;
}

}  // namespace hs::trace

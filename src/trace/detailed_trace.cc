// DetailedTraceRenderer: every field of every message, decoded with the src/messages parsers.
#include "trace/detailed_trace.h"

#include <hs/alert.h>
#include <hs/wire.h>

#include <array>
#include <cstdio>
#include <utility>
#include <variant>

#include "codec/wire.h"
#include "messages/messages.h"
#include "x509/ocsp.h"

namespace hs::trace {

namespace {

std::string hex16(uint16_t v) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "0x%04x", static_cast<unsigned>(v));
  return std::string(buf.data());
}

std::string dir_arrow(Direction d) { return d == Direction::out ? "OUT" : "IN"; }

template <typename T, typename F>
std::string join(const std::vector<T>& items, F&& f) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += ", ";
    }
    out += f(items[i]);
  }
  return out;
}

std::string ms(std::chrono::steady_clock::duration d) {
  double v = std::chrono::duration<double, std::milli>(d).count();
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.3f ms", v);
  return std::string(buf.data());
}

// describe_extension renders one extension, decoded where we know its grammar. `from_client`
// picks the ClientHello form of extensions whose bodies differ by sender.
std::vector<std::string> describe_extension(const messages::Extension& e, bool from_client) {
  using messages::Extension;
  std::vector<std::string> out;
  uint16_t type = static_cast<uint16_t>(e.type);
  std::string head =
      "extension " + extension_label(type) + ", " + std::to_string(e.data.size()) + " bytes";
  auto decoded = [&](const std::string& text) { out.push_back(head + ": " + text); };
  auto failed = [&](const Error& err) {
    out.push_back(head + ": malformed (" + err.message() + ")");
  };
  switch (e.type) {
    case ExtensionType::server_name: {
      if (!from_client) {
        auto r = messages::parse_server_name_ack(e.data);
        r.ok() ? decoded("acknowledged") : failed(r.error());
      } else {
        auto r = messages::parse_server_name(e.data);
        r.ok() ? decoded("host_name \"" + *r + "\"") : failed(r.error());
      }
      return out;
    }
    case ExtensionType::supported_groups: {
      auto r = messages::parse_supported_groups(e.data);
      r.ok() ? decoded(join(*r, [](NamedGroup g) { return group_label(static_cast<uint16_t>(g)); }))
             : failed(r.error());
      return out;
    }
    case ExtensionType::ec_point_formats: {
      auto r = messages::parse_ec_point_formats(e.data);
      r.ok() ? decoded(join(*r,
                            [](uint8_t f) {
                              return f == 0 ? std::string("uncompressed (0)")
                                            : "format " + std::to_string(f);
                            }))
             : failed(r.error());
      return out;
    }
    case ExtensionType::signature_algorithms:
    case ExtensionType::signature_algorithms_cert: {
      auto r = messages::parse_signature_algorithms(e.data);
      r.ok() ? decoded(join(
                   *r, [](SignatureScheme s) { return scheme_label(static_cast<uint16_t>(s)); }))
             : failed(r.error());
      return out;
    }
    case ExtensionType::application_layer_protocol_negotiation: {
      if (from_client) {
        auto r = messages::parse_alpn(e.data);
        r.ok() ? decoded(join(*r, [](const std::string& p) { return "\"" + p + "\""; }))
               : failed(r.error());
      } else {
        auto r = messages::parse_alpn_server(e.data);
        r.ok() ? decoded("selected \"" + *r + "\"") : failed(r.error());
      }
      return out;
    }
    case ExtensionType::supported_versions: {
      if (from_client) {
        auto r = messages::parse_supported_versions_client(e.data);
        r.ok() ? decoded(join(
                     *r, [](ProtocolVersion v) { return version_label(static_cast<uint16_t>(v)); }))
               : failed(r.error());
      } else {
        auto r = messages::parse_supported_versions_server(e.data);
        r.ok() ? decoded("selected " + version_label(static_cast<uint16_t>(*r)))
               : failed(r.error());
      }
      return out;
    }
    case ExtensionType::key_share: {
      if (from_client) {
        auto r = messages::parse_key_share_client(e.data);
        if (!r.ok()) {
          failed(r.error());
          return out;
        }
        decoded(std::to_string(r->size()) + " share(s)");
        for (const auto& s : *r) {
          out.push_back("  share " + group_label(static_cast<uint16_t>(s.group)) + ", " +
                        std::to_string(s.key_exchange.size()) + " bytes: " + hex(s.key_exchange));
        }
      } else if (e.data.size() == 2) {
        auto r = messages::parse_key_share_hrr(e.data);
        r.ok() ? decoded("HelloRetryRequest selected " + group_label(static_cast<uint16_t>(*r)))
               : failed(r.error());
      } else {
        auto r = messages::parse_key_share_server(e.data);
        r.ok() ? decoded("share " + group_label(static_cast<uint16_t>(r->group)) + ", " +
                         std::to_string(r->key_exchange.size()) + " bytes: " + hex(r->key_exchange))
               : failed(r.error());
      }
      return out;
    }
    case ExtensionType::renegotiation_info: {
      auto r = messages::parse_renegotiation_info(e.data);
      r.ok() ? decoded(r->empty() ? "initial handshake (empty renegotiated_connection)"
                                  : "renegotiated_connection " + hex(*r))
             : failed(r.error());
      return out;
    }
    case ExtensionType::extended_master_secret:
    case ExtensionType::encrypt_then_mac:
    case ExtensionType::post_handshake_auth: {
      auto r = messages::parse_empty_extension(e.data);
      r.ok() ? decoded("(empty)") : failed(r.error());
      return out;
    }
    case ExtensionType::session_ticket:
      decoded(e.data.empty() ? "(empty: ticket requested)" : "ticket " + hex(e.data));
      return out;
    case ExtensionType::psk_key_exchange_modes: {
      auto r = messages::parse_psk_key_exchange_modes(e.data);
      r.ok() ? decoded(join(*r,
                            [](messages::PskKeyExchangeMode m) {
                              return m == messages::PskKeyExchangeMode::psk_ke
                                         ? std::string("psk_ke")
                                         : std::string("psk_dhe_ke");
                            }))
             : failed(r.error());
      return out;
    }
    case ExtensionType::record_size_limit: {
      auto r = messages::parse_record_size_limit(e.data);
      r.ok() ? decoded(std::to_string(*r)) : failed(r.error());
      return out;
    }
    case ExtensionType::cookie: {
      auto r = messages::parse_cookie(e.data);
      r.ok() ? decoded(hex(*r)) : failed(r.error());
      return out;
    }
    case ExtensionType::max_fragment_length:
    case ExtensionType::status_request:
    case ExtensionType::use_srtp:
    case ExtensionType::heartbeat:
    case ExtensionType::signed_certificate_timestamp:
    case ExtensionType::padding:
    case ExtensionType::pre_shared_key:
    case ExtensionType::early_data:
    case ExtensionType::certificate_authorities:
    case ExtensionType::oid_filters:
      break;
  }
  decoded(e.data.empty() ? "(empty)" : hex(e.data));
  return out;
}

void append_extensions(std::vector<std::string>& out, const std::vector<messages::Extension>& exts,
                       bool from_client) {
  out.push_back("extensions: " + std::to_string(exts.size()));
  for (const auto& e : exts) {
    for (std::string& l : describe_extension(e, from_client)) {
      out.push_back("  " + std::move(l));
    }
  }
}

void describe_handshake(std::vector<std::string>& out, const MessageEvent& m) {
  codec::Reader in(m.bytes);
  auto msg = messages::parse_handshake_header(in);
  if (!msg.ok()) {
    out.push_back("malformed handshake header: " + msg.error().message());
    return;
  }
  auto body = msg->body;
  auto bad = [&](const Error& e) { out.push_back("malformed: " + e.message()); };
  switch (msg->type) {
    case HandshakeType::client_hello: {
      auto r = messages::parse_client_hello(body);
      if (!r.ok()) {
        return bad(r.error());
      }
      out.push_back("legacy_version: " + version_label(static_cast<uint16_t>(r->legacy_version)));
      out.push_back("random: " + hex(r->random));
      out.push_back("session_id: " + (r->legacy_session_id.empty() ? std::string("(empty)")
                                                                   : hex(r->legacy_session_id)));
      out.push_back("cipher_suites offered: " + std::to_string(r->cipher_suites.size()));
      for (CipherSuite s : r->cipher_suites) {
        out.push_back("  " + suite_label(static_cast<uint16_t>(s)));
      }
      out.push_back("compression_methods: " + hex(r->compression_methods));
      append_extensions(out, r->extensions, true);
      return;
    }
    case HandshakeType::server_hello: {
      auto r = messages::parse_server_hello(body);
      if (!r.ok()) {
        return bad(r.error());
      }
      if (messages::is_hello_retry_request(*r)) {
        out.push_back("HelloRetryRequest (special random)");
      }
      out.push_back("legacy_version: " + version_label(static_cast<uint16_t>(r->legacy_version)));
      out.push_back("random: " + hex(r->random));
      switch (messages::downgrade_sentinel(r->random)) {
        case messages::DowngradeSentinel::tls12:
          out.push_back("  random ends with the TLS 1.2 downgrade sentinel (DOWNGRD\\x01)");
          break;
        case messages::DowngradeSentinel::tls11:
          out.push_back("  random ends with the TLS 1.1 downgrade sentinel (DOWNGRD\\x00)");
          break;
        case messages::DowngradeSentinel::none:
          break;
      }
      out.push_back("session_id: " + (r->legacy_session_id.empty() ? std::string("(empty)")
                                                                   : hex(r->legacy_session_id)));
      out.push_back("cipher_suite chosen: " + suite_label(static_cast<uint16_t>(r->cipher_suite)));
      out.push_back("compression_method: " + std::to_string(r->compression_method));
      append_extensions(out, r->extensions, false);
      return;
    }
    case HandshakeType::certificate: {
      auto r = messages::parse_certificate12(body);
      if (r.ok()) {
        out.push_back("certificates: " + std::to_string(r->chain.size()));
        for (size_t i = 0; i < r->chain.size(); ++i) {
          out.push_back("  [" + std::to_string(i) + "] " + std::to_string(r->chain[i].size()) +
                        " bytes DER");
        }
        return;
      }
      auto r13 = messages::parse_certificate13(body);
      if (!r13.ok()) {
        return bad(r.error());
      }
      out.push_back("certificate_request_context: " + hex(r13->request_context));
      out.push_back("certificates: " + std::to_string(r13->entries.size()));
      for (size_t i = 0; i < r13->entries.size(); ++i) {
        out.push_back("  [" + std::to_string(i) + "] " +
                      std::to_string(r13->entries[i].cert_data.size()) + " bytes DER, " +
                      std::to_string(r13->entries[i].extensions.size()) + " extension(s)");
        // A stapled OCSP response (RFC 8446 §4.4.2.1).
        const messages::Extension* ocsp =
            messages::find_extension(r13->entries[i].extensions, ExtensionType::status_request);
        if (ocsp != nullptr) {
          auto status = messages::parse_certificate_status(ocsp->data);
          out.push_back("      OCSP response: " + (status.ok()
                                                       ? x509::ocsp_summary(status->ocsp_response)
                                                       : status.error().message()));
        }
      }
      return;
    }
    case HandshakeType::server_key_exchange: {
      auto r = messages::parse_server_key_exchange_ecdhe(body);
      if (!r.ok()) {
        return bad(r.error());
      }
      out.push_back("curve_type: " + std::string(r->curve_type == 3
                                                     ? "named_curve (3)"
                                                     : std::to_string(r->curve_type)));
      out.push_back("key share group: " + group_label(static_cast<uint16_t>(r->group)));
      out.push_back("public key: " + std::to_string(r->public_key.size()) +
                    " bytes: " + hex(r->public_key));
      out.push_back("signature scheme: " + scheme_label(static_cast<uint16_t>(r->scheme)));
      out.push_back("signature: " + std::to_string(r->signature.size()) + " bytes");
      return;
    }
    case HandshakeType::server_hello_done:
      out.push_back(body.empty() ? "(empty body)"
                                 : "unexpected body of " + std::to_string(body.size()) + " bytes");
      return;
    case HandshakeType::client_key_exchange: {
      auto r = messages::parse_client_key_exchange_ecdhe(body);
      if (!r.ok()) {
        return bad(r.error());
      }
      out.push_back("public key: " + std::to_string(r->public_key.size()) +
                    " bytes: " + hex(r->public_key));
      return;
    }
    case HandshakeType::finished:
      out.push_back("verify_data: " + std::to_string(body.size()) + " bytes");
      return;
    case HandshakeType::new_session_ticket: {
      auto r = messages::parse_new_session_ticket12(body);
      if (r.ok()) {
        out.push_back("ticket_lifetime_hint: " + std::to_string(r->lifetime_hint) + " s");
        out.push_back("ticket: " + std::to_string(r->ticket.size()) + " bytes");
        return;
      }
      auto r13 = messages::parse_new_session_ticket13(body);
      if (!r13.ok()) {
        return bad(r.error());
      }
      out.push_back("ticket_lifetime: " + std::to_string(r13->lifetime) + " s");
      out.push_back("ticket: " + std::to_string(r13->ticket.size()) + " bytes");
      append_extensions(out, r13->extensions, false);
      return;
    }
    case HandshakeType::encrypted_extensions: {
      auto r = messages::parse_encrypted_extensions(body);
      if (!r.ok()) {
        return bad(r.error());
      }
      append_extensions(out, r->extensions, false);
      return;
    }
    case HandshakeType::certificate_request: {
      // RFC 8446 §4.3.2: TLS 1.3's CertificateRequest is a context and extensions, not
      // TLS 1.2's certificate_types and lists (RFC 5246 §7.4.4); read as the latter, every
      // TLS 1.3 request showed as malformed.
      if (m.version == static_cast<uint16_t>(ProtocolVersion::tls1_3)) {
        auto r13 = messages::parse_certificate_request13(body);
        if (!r13.ok()) {
          return bad(r13.error());
        }
        out.push_back("certificate_request_context: " +
                      (r13->context.empty() ? std::string("(empty)") : hex(r13->context)));
        append_extensions(out, r13->extensions, false);
        return;
      }
      auto r = messages::parse_certificate_request12(body);
      if (!r.ok()) {
        return bad(r.error());
      }
      out.push_back("certificate_types: " + hex(r->certificate_types));
      out.push_back("signature_algorithms: " + join(r->signature_algorithms, [](SignatureScheme s) {
                      return scheme_label(static_cast<uint16_t>(s));
                    }));
      out.push_back("certificate_authorities: " +
                    std::to_string(r->certificate_authorities.size()));
      return;
    }
    case HandshakeType::certificate_verify: {
      auto r = messages::parse_certificate_verify(body);
      if (!r.ok()) {
        return bad(r.error());
      }
      out.push_back("signature: " + std::to_string(r->signature.size()) + " bytes");
      return;
    }
    case HandshakeType::certificate_status: {
      // RFC 6066 §8: the stapled OCSP response (what it says, not whether it verifies).
      auto r = messages::parse_certificate_status(body);
      if (!r.ok()) {
        return bad(r.error());
      }
      out.push_back("OCSP response: " + std::to_string(r->ocsp_response.size()) + " bytes, " +
                    x509::ocsp_summary(r->ocsp_response));
      return;
    }
    case HandshakeType::hello_request:
    case HandshakeType::end_of_early_data:
    case HandshakeType::key_update:
    case HandshakeType::message_hash:
      break;
  }
  out.push_back("body: " + hex(body));
}

}  // namespace

std::vector<std::string> describe_message(const MessageEvent& m) {
  std::vector<std::string> out;
  switch (m.content_type) {
    case static_cast<uint8_t>(ContentType::handshake):
      describe_handshake(out, m);
      break;
    case static_cast<uint8_t>(ContentType::alert): {
      auto r = messages::parse_alert(m.bytes);
      if (r.ok()) {
        out.push_back(std::string(r->level == AlertLevel::fatal ? "fatal" : "warning") + " " +
                      std::string(alert_name(r->description)) + " (" +
                      std::to_string(static_cast<int>(r->description)) + ")");
      } else {
        out.push_back("malformed alert: " + hex(m.bytes));
      }
      break;
    }
    case static_cast<uint8_t>(ContentType::change_cipher_spec):
      out.push_back("value: " + hex(m.bytes));
      break;
    default:
      break;
  }
  return out;
}

DetailedTraceRenderer::DetailedTraceRenderer(LineSink sink) : sink_(std::move(sink)) {}

DetailedTraceRenderer::~DetailedTraceRenderer() { finish(); }

void DetailedTraceRenderer::line(std::string text) { sink_("* " + text); }

void DetailedTraceRenderer::close_flight(std::chrono::steady_clock::time_point now) {
  (void)now;
  if (!flight_dir_) {
    return;
  }
  line("flight " + std::to_string(flight_number_) + " " + dir_arrow(*flight_dir_) + ": " +
       std::to_string(flight_messages_) + " message(s), " + std::to_string(flight_bytes_) +
       " bytes, from +" + ms(flight_start_ - *start_) + " to +" + ms(flight_last_ - *start_) +
       " (" + ms(flight_last_ - flight_start_) + ")");
  flight_dir_.reset();
}

void DetailedTraceRenderer::finish() {
  if (start_) {
    close_flight(flight_last_);
  }
}

void DetailedTraceRenderer::on_event(const Event& event) {
  if (!start_) {
    start_ = event.time;
  }
  std::string at = "[+" + ms(event.time - *start_) + "] ";
  if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
    if (m->content_type == static_cast<uint8_t>(ContentType::application_data)) {
      line(at + curl_version_name(m->version) + " (" + dir_arrow(m->direction) +
           "), application data, " + std::to_string(m->bytes.size()) + " bytes");
      return;
    }
    if (!flight_dir_ || *flight_dir_ != m->direction) {
      close_flight(event.time);
      flight_dir_ = m->direction;
      flight_start_ = event.time;
      flight_messages_ = 0;
      flight_bytes_ = 0;
      ++flight_number_;
    }
    flight_last_ = event.time;
    ++flight_messages_;
    flight_bytes_ += m->bytes.size();
    std::string what;
    if (m->content_type == static_cast<uint8_t>(ContentType::handshake)) {
      uint8_t t = m->bytes.empty() ? m->handshake_type : m->bytes.front();
      what = "handshake, " + message_label(t);
    } else if (m->content_type == static_cast<uint8_t>(ContentType::change_cipher_spec)) {
      what = "change_cipher_spec";
    } else if (m->content_type == static_cast<uint8_t>(ContentType::alert)) {
      what = "alert";
    } else {
      what = "content type " + std::to_string(m->content_type);
    }
    line(at + curl_version_name(m->version) + " (" + dir_arrow(m->direction) + "), " + what + ", " +
         std::to_string(m->bytes.size()) + " bytes" + (m->encrypted ? ", encrypted" : ""));
    for (const std::string& l : describe_message(*m)) {
      line("   " + l);
    }
  } else if (const auto* r = std::get_if<RecordEvent>(&event.body)) {
    line(at + "record " + dir_arrow(r->direction) + ": type " +
         std::string(content_type_name(static_cast<ContentType>(r->content_type))) + " (" +
         std::to_string(r->content_type) + "), version " + hex16(r->version) + ", length " +
         std::to_string(r->length));
  } else if (const auto* s = std::get_if<StateEvent>(&event.body)) {
    line(at + "state " + std::string(s->state));
  } else if (const auto* k = std::get_if<KeyChangeEvent>(&event.body)) {
    line(at + (k->direction == Direction::out ? "write" : "read") + " keys now from " +
         std::string(k->secret));
  } else if (const auto* a = std::get_if<AlertEvent>(&event.body)) {
    line(at + "alert " + dir_arrow(a->direction) + ": " +
         (a->level == AlertLevel::fatal ? "fatal " : "warning ") +
         std::string(alert_name(a->description)) + " (" +
         std::to_string(static_cast<int>(a->description)) + ")");
  } else if (const auto* n = std::get_if<NoteEvent>(&event.body)) {
    line(at + "note: " + n->text);
  }
}

}  // namespace hs::trace

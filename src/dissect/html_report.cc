#include "dissect/html_report.h"

#include <chrono>
#include <string_view>
#include <utility>

#include "dissect/ladder_report.h"

namespace hs::dissect {

namespace {

// The key-log labels the page's key schedule can show (NSS key log format).
constexpr std::string_view kLabels[] = {"CLIENT_RANDOM",
                                        "CLIENT_EARLY_TRAFFIC_SECRET",
                                        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                                        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                        "CLIENT_TRAFFIC_SECRET_0",
                                        "SERVER_TRAFFIC_SECRET_0",
                                        "EXPORTER_SECRET"};

std::chrono::steady_clock::time_point time_point(double seconds) {
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(seconds)));
}

}  // namespace

trace::HtmlConnection html_connection_from_report(const ConnectionReport& r,
                                                  const KeyLogFile* keylog,
                                                  const std::string& keylog_name) {
  trace::HtmlConnection c;
  c.heading = "Connection " + std::to_string(r.index) + ": client " + to_string(r.client) +
              " -> server " + to_string(r.server);
  c.ladder = ladder_from_report(r);
  c.we_are_client = true;  // Direction::out is client to server
  for (const WireItem& w : r.wire) {
    trace::HtmlItem it;
    it.kind = w.kind == WireItem::Kind::record ? trace::HtmlItem::Kind::record
                                               : trace::HtmlItem::Kind::message;
    it.time = time_point(w.time);
    it.direction = w.from == Direction::client_to_server ? hs::Direction::out : hs::Direction::in;
    it.content_type = w.content_type;
    it.version = w.version;
    it.length = static_cast<uint16_t>(w.bytes.size());
    it.encrypted = w.encrypted;
    it.opaque = w.kind == WireItem::Kind::record && w.encrypted && !w.opened;
    it.bytes = w.bytes;
    it.size = w.bytes.size();
    c.items.push_back(std::move(it));
  }
  c.notes = r.notes;
  if (r.wire_dropped > 0) {
    c.notes.push_back(std::to_string(r.wire_dropped) + " records after the first " +
                      std::to_string(kMaxWireBytes >> 10) +
                      " KiB of this connection are not shown byte by byte (the ladder counts "
                      "them).");
  }
  if (keylog == nullptr) {
    c.no_key_log_text =
        "No key log was given (hs dissect --keylog FILE), so no secret's bytes are shown and "
        "the protected records stay ciphertext.";
    return c;
  }
  c.keys_shown = true;
  c.key_log_source = "the key log " + keylog_name;
  if (r.client_random.size() == 32) {
    c.key_log_lines = keylog->dangerous_lines_for(r.client_random);
    for (std::string_view label : kLabels) {
      if (const SecretBytes* s = keylog->find(label, r.client_random)) {
        c.keys.push_back({std::string(label), r.client_random, s->clone()});
      }
    }
  }
  return c;
}

trace::HtmlPage html_page_from_reports(std::string title,
                                       const std::vector<ConnectionReport>& reports,
                                       const KeyLogFile* keylog, const std::string& keylog_name,
                                       std::vector<std::string> capture_notes) {
  trace::HtmlPage page;
  page.title = std::move(title);
  page.intro =
      "Every byte of every TLS record in this capture, both directions, one section per "
      "connection; protected records are decrypted where the key log has the connection's "
      "secrets. Hover a field for its name, value and meaning.";
  page.notes = std::move(capture_notes);
  std::string no_tls;
  for (const ConnectionReport& r : reports) {
    if (!r.tls) {
      no_tls += (no_tls.empty() ? "" : ", ") + std::to_string(r.index) + " (" +
                to_string(r.client) + " -> " + to_string(r.server) + ")";
      continue;
    }
    page.connections.push_back(html_connection_from_report(r, keylog, keylog_name));
  }
  if (page.connections.empty()) {
    page.notes.push_back("The capture holds no TLS connection.");
  }
  if (!no_tls.empty()) {
    page.closing_notes.push_back("TCP connections without TLS: " + no_tls + ".");
  }
  return page;
}

}  // namespace hs::dissect

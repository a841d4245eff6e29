#include "dissect/ladder_report.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hs::dissect {

namespace {

constexpr uint8_t kFinished = 20;

std::string field(const FlowItem& item, std::string_view name) {
  for (const auto& [k, v] : item.fields) {
    if (k == name) {
      return v;
    }
  }
  return "";
}

// version_text: the dissector's "TLSv1.3" as the ladder's "TLS 1.3".
std::string version_text(const std::string& v) {
  if (v == "TLSv1.3") {
    return "TLS 1.3";
  }
  if (v == "TLSv1.2") {
    return "TLS 1.2";
  }
  return v;
}

}  // namespace

trace::Ladder ladder_from_report(const ConnectionReport& r) {
  trace::LadderSummary summary;
  summary.version = version_text(r.version);
  summary.cipher_suite = r.cipher_suite;
  summary.group = r.group;
  summary.resumed = r.resumed;
  summary.hello_retry = r.hello_retry;
  bool tls13 = summary.version == "TLS 1.3";
  bool client_finished = false;
  bool opaque = false;  // a protected record stayed closed
  // TLS 1.3 hides the content type: without keys, the client's first protected record is its
  // Finished (or Certificate); records after it, from either side, are most likely data or
  // post-handshake messages, so they do not count as a flight the client waits on.
  bool client_protected = false;
  std::vector<trace::LadderMessage> messages;
  for (const FlowItem& item : r.items) {
    trace::LadderMessage m;
    m.from = item.from == Direction::client_to_server ? trace::LadderSide::client
                                                      : trace::LadderSide::server;
    m.size = item.length;
    m.time = item.time;
    m.encrypted = item.encrypted;
    switch (item.kind) {
      case FlowItem::Kind::handshake:
        m.kind = trace::LadderKind::handshake;
        m.handshake_type = item.handshake_type;
        m.size = item.length + 4;
        m.hello_retry = item.name == "Hello Retry Request";
        if (m.from == trace::LadderSide::client && item.handshake_type == kFinished) {
          client_finished = true;
        }
        if (std::string sni = field(item, "server_name"); !sni.empty()) {
          summary.sni = sni;
        }
        if (std::string alpn = field(item, "alpn");
            !alpn.empty() && m.from == trace::LadderSide::server) {
          summary.alpn = alpn;
        }
        break;
      case FlowItem::Kind::change_cipher_spec:
        m.kind = trace::LadderKind::change_cipher_spec;
        break;
      case FlowItem::Kind::alert: {
        m.kind = trace::LadderKind::alert;
        std::string description = field(item, "description");
        if (!description.empty()) {
          m.alert = description + " (" + field(item, "level") + ")";
        }
        m.fatal = field(item, "level") == "fatal";
        break;
      }
      case FlowItem::Kind::application_data:
        m.kind = trace::LadderKind::application_data;
        m.early_data = tls13 && m.from == trace::LadderSide::client && !client_finished;
        break;
      case FlowItem::Kind::encrypted:
        opaque = true;
        m.kind = item.name == "Encrypted Application Data" ? trace::LadderKind::application_data
                 : item.name == "Encrypted Alert"          ? trace::LadderKind::alert
                                                           : trace::LadderKind::encrypted;
        m.label = item.name;
        if (tls13 && m.kind == trace::LadderKind::encrypted) {
          if (client_protected) {
            m.kind = trace::LadderKind::application_data;
            m.label = "Encrypted Record (likely data)";
          } else if (m.from == trace::LadderSide::client) {
            client_protected = true;
          }
        }
        break;
    }
    messages.push_back(std::move(m));
  }
  trace::Ladder ladder = trace::build_ladder(std::move(messages), std::move(summary));
  ladder.title = "Connection " + std::to_string(r.index) + ": " + ladder.title;
  ladder.client_label = to_string(r.client);
  ladder.server_label = to_string(r.server);
  ladder.viewpoint = "capture";
  if (opaque) {
    ladder.notes.push_back(
        "Some protected records could not be opened (no key log, or no matching secret): they "
        "are drawn by size, and round trips are counted from what could be seen.");
  }
  for (const std::string& n : r.notes) {
    ladder.notes.push_back(n);
  }
  return ladder;
}

}  // namespace hs::dissect

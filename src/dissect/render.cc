#include "dissect/render.h"

#include <cstdio>

#include "common/json.h"
#include "trace/detailed_trace.h"

namespace hs::dissect {

namespace {

std::string full_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  return out;
}

std::string_view kind_name(FlowItem::Kind k) {
  switch (k) {
    case FlowItem::Kind::handshake:
      return "handshake";
    case FlowItem::Kind::change_cipher_spec:
      return "change_cipher_spec";
    case FlowItem::Kind::alert:
      return "alert";
    case FlowItem::Kind::application_data:
      return "application_data";
    case FlowItem::Kind::encrypted:
      return "encrypted";
  }
  return "unknown";
}

constexpr size_t kServerColumn = 44;

}  // namespace

std::string text_preview(std::span<const uint8_t> bytes, size_t max) {
  std::string out;
  size_t n = std::min(bytes.size(), max);
  for (size_t i = 0; i < n; ++i) {
    uint8_t b = bytes[i];
    if (b == '\r') {
      out += "\\r";
    } else if (b == '\n') {
      out += "\\n";
    } else if (b >= 0x20 && b < 0x7F) {
      out += static_cast<char>(b);
    } else {
      out += '.';
    }
  }
  if (bytes.size() > max) {
    out += "...";
  }
  return out;
}

std::string render_text(const ConnectionReport& r) {
  std::string out = "Connection " + std::to_string(r.index) + ": " + to_string(r.client) + " -> " +
                    to_string(r.server);
  if (!r.version.empty()) {
    out += "  " + r.version;
  }
  if (!r.cipher_suite.empty()) {
    out += " " + r.cipher_suite;
  }
  if (!r.group.empty()) {
    out += " " + r.group;
  }
  if (r.resumed) {
    out += " (resumed)";
  }
  if (r.hello_retry) {
    out += " (HelloRetryRequest)";
  }
  if (!r.early_data.empty()) {
    out += " (0-RTT " + r.early_data + ")";
  }
  out += "\n";
  if (!r.tls) {
    out += "  (no TLS records)\n";
  }
  for (const FlowItem& item : r.items) {
    std::string label = item.name;
    if (item.kind == FlowItem::Kind::application_data || item.kind == FlowItem::Kind::encrypted) {
      label += " (" + std::to_string(item.length) + " bytes)";
    }
    if (item.encrypted && item.kind != FlowItem::Kind::encrypted) {
      label += " [decrypted]";
    }
    std::string indent;
    if (item.from == Direction::client_to_server) {
      out += "  " + label + " ->\n";
      indent = "      ";
    } else {
      out += "  " + std::string(kServerColumn, ' ') + "<- " + label + "\n";
      indent = std::string(kServerColumn + 8, ' ');
    }
    for (const auto& [name, value] : item.fields) {
      out += indent + name + ": " + value + "\n";
    }
  }
  if (!r.early_data_plaintext.empty()) {
    out += "  Early data: client sent " + std::to_string(r.early_data_plaintext.size()) +
           " bytes as 0-RTT data\n    client: " + text_preview(r.early_data_plaintext) + "\n";
  }
  if (!r.client_data.empty() || !r.server_data.empty()) {
    out += "  Application data: client sent " + std::to_string(r.client_data.size()) +
           " bytes, server sent " + std::to_string(r.server_data.size()) + " bytes\n";
    if (!r.client_data.empty()) {
      out += "    client: " + text_preview(r.client_data) + "\n";
    }
    if (!r.server_data.empty()) {
      out += "    server: " + text_preview(r.server_data) + "\n";
    }
  }
  for (const std::string& n : r.notes) {
    out += "  ! " + n + "\n";
  }
  return out;
}

std::string render_json(const ConnectionReport& r) {
  std::string out = "{\"connection\":" + std::to_string(r.index);
  out += ",\"client\":" + json_string(to_string(r.client));
  out += ",\"server\":" + json_string(to_string(r.server));
  out += ",\"version\":" + json_string(r.version);
  out += ",\"cipher_suite\":" + json_string(r.cipher_suite);
  out += ",\"group\":" + json_string(r.group);
  out += std::string(",\"tls\":") + (r.tls ? "true" : "false");
  out += std::string(",\"resumed\":") + (r.resumed ? "true" : "false");
  out += std::string(",\"hello_retry\":") + (r.hello_retry ? "true" : "false");
  out += std::string(",\"decrypted\":") + (r.decrypted ? "true" : "false");
  out += ",\"early_data\":" + json_string(r.early_data);
  out += ",\"messages\":[";
  for (size_t i = 0; i < r.items.size(); ++i) {
    const FlowItem& item = r.items[i];
    if (i > 0) {
      out += ",";
    }
    char time[32];
    std::snprintf(time, sizeof time, "%.6f", item.time);
    out +=
        "{\"from\":" + json_string(item.from == Direction::client_to_server ? "client" : "server");
    out += ",\"kind\":" + json_string(kind_name(item.kind));
    if (item.kind == FlowItem::Kind::handshake) {
      out += ",\"type\":" + std::to_string(item.handshake_type);
    }
    out += ",\"name\":" + json_string(item.name);
    out += ",\"length\":" + std::to_string(item.length);
    out += std::string(",\"encrypted\":") + (item.encrypted ? "true" : "false");
    out += std::string(",\"time\":") + time;
    out += ",\"fields\":{";
    for (size_t j = 0; j < item.fields.size(); ++j) {
      if (j > 0) {
        out += ",";
      }
      out += json_string(item.fields[j].first) + ":" + json_string(item.fields[j].second);
    }
    out += "}}";
  }
  out += "],\"application_data\":{\"client\":" + json_string(full_hex(r.client_data)) +
         ",\"server\":" + json_string(full_hex(r.server_data)) +
         ",\"early\":" + json_string(full_hex(r.early_data_plaintext)) + "}";
  out += ",\"notes\":[";
  for (size_t i = 0; i < r.notes.size(); ++i) {
    out += (i > 0 ? "," : "") + json_string(r.notes[i]);
  }
  out += "]}";
  return out;
}

}  // namespace hs::dissect

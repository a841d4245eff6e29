#include "trace/json_trace.h"

#include <cstdio>
#include <string_view>
#include <type_traits>
#include <variant>

#include "codec/wire.h"
#include "common/json.h"

namespace hs::trace {

namespace {

std::string_view direction_name(Direction d) { return d == Direction::in ? "in" : "out"; }

std::string content_type_text(uint8_t t) {
  std::string_view name = content_type_name(static_cast<ContentType>(t));
  return name.empty() ? std::to_string(t) : std::string(name);
}

std::string version_hex(uint16_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

}  // namespace

void JsonTraceRenderer::on_event(const Event& event) {
  if (!start_) {
    start_ = event.time;
  }
  char t[32];
  std::snprintf(t, sizeof t, "%.6f", std::chrono::duration<double>(event.time - *start_).count());
  std::string line = std::string("{\"t\":") + t;
  if (connection_) {
    line += ",\"connection\":" + std::to_string(*connection_);
  }
  std::visit(
      [&line](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, RecordEvent>) {
          line += ",\"event\":\"record\",\"direction\":\"" +
                  std::string(direction_name(e.direction)) +
                  "\",\"content_type\":" + json_string(content_type_text(e.content_type)) +
                  ",\"version\":\"" + version_hex(e.version) +
                  "\",\"length\":" + std::to_string(e.length);
        } else if constexpr (std::is_same_v<T, MessageEvent>) {
          line += ",\"event\":\"message\",\"direction\":\"" +
                  std::string(direction_name(e.direction)) +
                  "\",\"content_type\":" + json_string(content_type_text(e.content_type));
          if (e.content_type == static_cast<uint8_t>(ContentType::handshake)) {
            std::string_view name =
                handshake_type_name(static_cast<HandshakeType>(e.handshake_type));
            line += ",\"handshake_type\":" + std::to_string(e.handshake_type) +
                    ",\"name\":" + json_string(name.empty() ? "unknown" : name);
          }
          line += ",\"length\":" + std::to_string(e.bytes.size()) + ",\"version\":\"" +
                  version_hex(e.version) + "\",\"encrypted\":" + (e.encrypted ? "true" : "false");
        } else if constexpr (std::is_same_v<T, StateEvent>) {
          line += ",\"event\":\"state\",\"state\":" + json_string(e.state);
        } else if constexpr (std::is_same_v<T, KeyChangeEvent>) {
          line += ",\"event\":\"key_change\",\"direction\":\"" +
                  std::string(direction_name(e.direction)) +
                  "\",\"secret\":" + json_string(e.secret);
        } else if constexpr (std::is_same_v<T, AlertEvent>) {
          line += ",\"event\":\"alert\",\"direction\":\"" +
                  std::string(direction_name(e.direction)) + "\",\"level\":\"" +
                  (e.level == AlertLevel::warning ? "warning" : "fatal") +
                  "\",\"description\":" + json_string(alert_name(e.description));
        } else if constexpr (std::is_same_v<T, NoteEvent>) {
          line += ",\"event\":\"note\",\"text\":" + json_string(e.text);
        }
      },
      event.body);
  line += "}";
  sink_(line);
}

void TeeObserver::on_event(const Event& event) {
  for (Observer* o : observers_) {
    if (o != nullptr) {
      o->on_event(event);
    }
  }
}

}  // namespace hs::trace

// JSON text for the tools' machine-readable output (hs verify --json, hs dissect --json,
// hs client --trace-json): one quoting routine, so every writer escapes alike.
#pragma once

#include <string>
#include <string_view>

namespace hs {

// json_string returns `s` as a JSON string literal, quotes included (RFC 8259 §7: '"', '\\' and
// the control characters U+0000..U+001F escaped). Bytes >= 0x80 pass through unchanged: callers
// hand it UTF-8 text.
std::string json_string(std::string_view s);

}  // namespace hs

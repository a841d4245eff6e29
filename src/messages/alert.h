// The alert record body (RFC 8446 §6, RFC 5246 §7.2):
//   struct { AlertLevel level; AlertDescription description; } Alert;
#pragma once

#include <hs/alert.h>
#include <hs/result.h>

#include <cstdint>
#include <span>
#include <vector>

namespace hs::messages {

struct AlertMessage {
  AlertLevel level = AlertLevel::fatal;
  AlertDescription description = AlertDescription::close_notify;
  bool operator==(const AlertMessage&) const = default;
};

// parse_alert parses one alert; anything but exactly 2 bytes -> decode_error. Unknown levels and
// descriptions pass through as numeric values (RFC 8446 §6: unknown alert types are treated as
// fatal by the caller).
Result<AlertMessage> parse_alert(std::span<const uint8_t> body);

// serialize appends the 2 bytes; it always succeeds.
Result<void> serialize(const AlertMessage& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

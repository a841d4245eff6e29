// Alert levels and descriptions: RFC 8446 §6 and RFC 5246 §7.2.
#pragma once

#include <hs/export.h>

#include <cstdint>
#include <string_view>

namespace hs {

// AlertDescription is the one enum of alert codes (RFC 8446 §6, plus no_renegotiation from
// RFC 5246 §7.2.2, which TLS 1.2 peers still send).
enum class AlertDescription : uint8_t {
  close_notify = 0,
  unexpected_message = 10,
  bad_record_mac = 20,
  record_overflow = 22,
  handshake_failure = 40,
  bad_certificate = 42,
  unsupported_certificate = 43,
  certificate_revoked = 44,
  certificate_expired = 45,
  certificate_unknown = 46,
  illegal_parameter = 47,
  unknown_ca = 48,
  access_denied = 49,
  decode_error = 50,
  decrypt_error = 51,
  protocol_version = 70,
  insufficient_security = 71,
  internal_error = 80,
  inappropriate_fallback = 86,
  user_canceled = 90,
  no_renegotiation = 100,
  missing_extension = 109,
  unsupported_extension = 110,
  unrecognized_name = 112,
  bad_certificate_status_response = 113,
  unknown_psk_identity = 115,
  certificate_required = 116,
  no_application_protocol = 120,
};

enum class AlertLevel : uint8_t { warning = 1, fatal = 2 };

// alert_name returns the RFC spelling of `d` ("handshake_failure"), or "unknown_alert".
HS_API std::string_view alert_name(AlertDescription d);

}  // namespace hs

#include <hs/error.h>

#include <string>

namespace hs {

std::optional<AlertDescription> alert_for(ErrorCode code) {
  using A = AlertDescription;
  switch (code) {
    case ErrorCode::decode_error:
      return A::decode_error;
    case ErrorCode::record_overflow:
      return A::record_overflow;
    case ErrorCode::bad_record_mac:
      return A::bad_record_mac;
    case ErrorCode::unexpected_message:
      return A::unexpected_message;
    case ErrorCode::illegal_parameter:
    case ErrorCode::duplicate_extension:  // RFC 8446 §4.2: "MUST abort ... illegal_parameter"
    case ErrorCode::downgrade_detected:   // RFC 8446 §4.1.3: illegal_parameter
      return A::illegal_parameter;
    case ErrorCode::unsolicited_extension:
      return A::unsupported_extension;
    case ErrorCode::missing_extension:
      return A::missing_extension;
    case ErrorCode::protocol_version:
      return A::protocol_version;
    case ErrorCode::no_common_cipher_suite:
    case ErrorCode::no_common_group:
    case ErrorCode::no_common_signature_scheme:
    case ErrorCode::extended_master_secret_required:  // RFC 7627 §5.2: handshake_failure
    case ErrorCode::insecure_renegotiation:           // RFC 5746 §3.4: handshake_failure
    case ErrorCode::no_client_certificate:            // RFC 5246 §7.4.6: handshake_failure
      return A::handshake_failure;
    case ErrorCode::no_application_protocol:
      return A::no_application_protocol;
    case ErrorCode::renegotiation_refused:
      return A::no_renegotiation;
    case ErrorCode::inappropriate_fallback:  // RFC 7507 §3
      return A::inappropriate_fallback;
    case ErrorCode::bad_finished:
    case ErrorCode::bad_signature:
      return A::decrypt_error;
    case ErrorCode::bad_certificate:
      return A::bad_certificate;
    case ErrorCode::unsupported_certificate:
      return A::unsupported_certificate;
    case ErrorCode::certificate_expired:
      return A::certificate_expired;
    case ErrorCode::certificate_unknown:
    case ErrorCode::verification_disabled_refusal:
      return A::certificate_unknown;
    case ErrorCode::unknown_ca:
      return A::unknown_ca;
    case ErrorCode::certificate_required:
      return A::certificate_required;
    case ErrorCode::certificate_revoked:
      return A::certificate_revoked;
    case ErrorCode::bad_certificate_status:
      return A::bad_certificate_status_response;
    case ErrorCode::internal_error:
      return A::internal_error;
    case ErrorCode::peer_alert:
    case ErrorCode::peer_closed:
    case ErrorCode::truncated:
    case ErrorCode::invalid_config:
    case ErrorCode::io_error:
    case ErrorCode::timeout:
      return std::nullopt;
  }
  return A::internal_error;
}

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
#define HS_NAME(x)   \
  case ErrorCode::x: \
    return #x;
    HS_NAME(decode_error)
    HS_NAME(record_overflow)
    HS_NAME(bad_record_mac)
    HS_NAME(unexpected_message)
    HS_NAME(illegal_parameter)
    HS_NAME(duplicate_extension)
    HS_NAME(unsolicited_extension)
    HS_NAME(missing_extension)
    HS_NAME(protocol_version)
    HS_NAME(no_common_cipher_suite)
    HS_NAME(no_common_group)
    HS_NAME(no_common_signature_scheme)
    HS_NAME(no_application_protocol)
    HS_NAME(downgrade_detected)
    HS_NAME(extended_master_secret_required)
    HS_NAME(renegotiation_refused)
    HS_NAME(insecure_renegotiation)
    HS_NAME(inappropriate_fallback)
    HS_NAME(bad_finished)
    HS_NAME(bad_signature)
    HS_NAME(bad_certificate)
    HS_NAME(unsupported_certificate)
    HS_NAME(certificate_expired)
    HS_NAME(certificate_unknown)
    HS_NAME(unknown_ca)
    HS_NAME(no_client_certificate)
    HS_NAME(certificate_required)
    HS_NAME(verification_disabled_refusal)
    HS_NAME(certificate_revoked)
    HS_NAME(bad_certificate_status)
    HS_NAME(peer_alert)
    HS_NAME(peer_closed)
    HS_NAME(truncated)
    HS_NAME(internal_error)
    HS_NAME(invalid_config)
    HS_NAME(io_error)
    HS_NAME(timeout)
#undef HS_NAME
  }
  return "unknown_error";
}

Error Error::from_peer_alert(AlertDescription d) {
  Error e(ErrorCode::peer_alert, "alert received");
  e.received_ = d;
  e.detail_ = std::string("peer sent fatal alert ") + std::string(alert_name(d));
  return e;
}

std::optional<AlertDescription> Error::alert() const { return alert_for(code_); }

std::string Error::message() const {
  std::string out = context_;
  if (!detail_.empty()) {
    out += ": ";
    out += detail_;
  }
  if (auto a = alert()) {
    out += " (";
    out += alert_name(*a);
    out += ")";
  }
  return out;
}

}  // namespace hs

// Error: what failed in a TLS operation, the alert it maps to, and a human-readable reason.
#pragma once

#include <hs/alert.h>
#include <hs/export.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hs {

// ErrorCode names one specific failure. Each code maps to exactly one alert through a `switch`
// with no `default` (error.cc), so a new code cannot be added without choosing its alert.
// Codes are at least as specific as alerts: a truncated field is `decode_error`, a well-formed
// but forbidden value is `illegal_parameter`, a failure on our side is `internal_error`.
enum class ErrorCode : uint16_t {
  // Malformed input from the peer.
  decode_error,           // truncated, over-long, bad length prefix, trailing bytes
  record_overflow,        // record larger than the limits of RFC 8446 §5.1/§5.2
  bad_record_mac,         // AEAD open failed
  unexpected_message,     // message or record type not allowed in this state
  illegal_parameter,      // well-formed but forbidden value
  duplicate_extension,    // same extension twice in one message
  unsolicited_extension,  // extension in a response we did not offer
  missing_extension,      // a required extension is absent
  // Negotiation.
  protocol_version,        // no common version, or a version we did not offer
  no_common_cipher_suite,  // nothing to agree on
  no_common_group,
  no_common_signature_scheme,
  no_application_protocol,          // ALPN: no overlap
  downgrade_detected,               // RFC 8446 §4.1.3 sentinel seen
  extended_master_secret_required,  // RFC 7627: peer did not negotiate EMS
  renegotiation_refused,            // a renegotiation attempt
  insecure_renegotiation,           // RFC 5746 renegotiation_info check failed
  inappropriate_fallback,           // RFC 7507 TLS_FALLBACK_SCSV below our highest version
  // Authentication.
  bad_finished,             // Finished verify_data mismatch
  bad_signature,            // ServerKeyExchange / CertificateVerify signature invalid
  bad_certificate,          // certificate malformed or unusable
  unsupported_certificate,  // key type or algorithm we cannot use
  certificate_expired,
  certificate_unknown,            // validation failed for another reason
  unknown_ca,                     // no path to a trust anchor
  certificate_required,           // the peer sent no certificate where one is required
  verification_disabled_refusal,  // chain validation unavailable and -k not given
  // OCSP stapling (ClientConfig::ocsp_stapling): the stapled response says the certificate is
  // revoked (alert certificate_revoked), or it is missing, unverifiable, stale, for another
  // certificate or says "unknown" (RFC 6066 §8: bad_certificate_status_response).
  certificate_revoked,
  bad_certificate_status,
  // no_client_certificate: a TLS 1.2 client sent an empty Certificate to a server that requires
  // one (RFC 5246 §7.4.6: handshake_failure; TLS 1.2 has no certificate_required alert).
  no_client_certificate,
  // Alerts and closure.
  peer_alert,   // the peer sent a fatal alert (see Error::peer_alert)
  peer_closed,  // close_notify received (not an error for reads: EOF)
  truncated,    // transport EOF without close_notify (truncation attack)
  // Ours.
  internal_error,  // a failure on our side: crypto provider, bad state
  invalid_config,  // configuration rejected before any byte was sent
  io_error,        // socket or file failure (tools and io/ only)
  timeout,
};

// Error is a failure with its code, the alert we send for it, a static context naming the
// message or field ("server_hello", "ServerKeyExchange signature") and an optional detail
// string for a human (never secret bytes).
class HS_API Error {
 public:
  Error(ErrorCode code, const char* context) : code_(code), context_(context) {}
  Error(ErrorCode code, const char* context, std::string detail)
      : code_(code), context_(context), detail_(std::move(detail)) {}

  // peer_alert_error builds the error for a fatal alert received from the peer.
  static Error from_peer_alert(AlertDescription d);

  ErrorCode code() const { return code_; }
  const char* context() const { return context_; }
  const std::string& detail() const { return detail_; }
  // alert returns the alert to send for this error, or nothing when none should be sent
  // (the peer closed, the peer's own alert, a local I/O failure).
  std::optional<AlertDescription> alert() const;
  // received_alert is the peer's alert for `peer_alert` errors.
  std::optional<AlertDescription> received_alert() const { return received_; }
  // note is an optional second line for a human, kept out of detail() so that detail() can
  // match another tool's wording exactly (certificate checks put the failing certificate here:
  // "depth 1: C=US; O=Example; CN=Example CA"). Empty when there is none.
  const std::string& note() const { return note_; }
  Error& set_note(std::string note) {
    note_ = std::move(note);
    return *this;
  }
  // message renders "context: detail (alert)" for humans.
  std::string message() const;

 private:
  ErrorCode code_;
  const char* context_;
  std::string detail_;
  std::string note_;
  std::optional<AlertDescription> received_;
};

// alert_for returns the alert sent for `code` (nullopt where no alert is sent).
HS_API std::optional<AlertDescription> alert_for(ErrorCode code);
// error_code_name returns the enumerator's spelling.
HS_API std::string_view error_code_name(ErrorCode code);

}  // namespace hs

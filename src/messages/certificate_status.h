// OCSP stapling (RFC 6066 §8): the ClientHello's status_request extension, and the
// CertificateStatus the server answers it with: a handshake message of its own after Certificate
// in TLS 1.2, the body of the leaf CertificateEntry's status_request extension in TLS 1.3
// (RFC 8446 §4.4.2.1).
//
//   enum { ocsp(1), (255) } CertificateStatusType;
//   struct {
//       CertificateStatusType status_type;
//       select (status_type) { case ocsp: OCSPStatusRequest; } request;
//   } CertificateStatusRequest;
//   struct {
//       ResponderID responder_id_list<0..2^16-1>;
//       Extensions  request_extensions;
//   } OCSPStatusRequest;
//   opaque ResponderID<1..2^16-1>;
//   opaque Extensions<0..2^16-1>;
//
//   struct {
//       CertificateStatusType status_type;
//       select (status_type) { case ocsp: OCSPResponse response; };
//   } CertificateStatus;
//   opaque OCSPResponse<1..2^24-1>;
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"

namespace hs::messages {

inline constexpr uint8_t kCertificateStatusOcsp = 1;

// parse_status_request reads a ClientHello's status_request: true when it asks for OCSP, false
// for any other status type (RFC 6066 defines none; its body is not ours to read, so the request
// is ignored, as OpenSSL does). The OCSP request's responder list and extensions are checked for
// shape and not kept: a server staples the one response it holds. Malformed: decode_error.
Result<bool> parse_status_request(std::span<const uint8_t> data);

// serialize_status_request_ocsp appends an OCSP status_request with no responder IDs and no
// request extensions, what browsers and curl send.
Result<void> serialize_status_request_ocsp(std::vector<uint8_t>& out);

struct CertificateStatus {
  static constexpr HandshakeType kType = HandshakeType::certificate_status;
  std::vector<uint8_t> ocsp_response;  // a DER OCSPResponse (RFC 6960 §4.2.1), 1..2^24-1 bytes
  bool operator==(const CertificateStatus&) const = default;
};

// parse_certificate_status reads a CertificateStatus (a TLS 1.2 message body, or a TLS 1.3
// status_request entry extension). A status type other than ocsp, an empty or truncated
// response, or trailing bytes: decode_error.
Result<CertificateStatus> parse_certificate_status(std::span<const uint8_t> body);

// serialize fails (internal_error) for an empty or over-long response.
Result<void> serialize(const CertificateStatus& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

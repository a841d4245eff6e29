#include "messages/certificate_status.h"

#include "codec/reader.h"
#include "messages/common.h"

namespace hs::messages {

Result<bool> parse_status_request(std::span<const uint8_t> data) {
  codec::Reader in(data);
  uint8_t type = 0;
  if (!in.read_u8(type)) {
    return detail::malformed("status_request");
  }
  if (type != kCertificateStatusOcsp) {
    return false;
  }
  codec::Reader responders;
  std::span<const uint8_t> extensions;
  if (!in.read_prefixed(codec::Len::u16, 0, 0xFFFF, responders) ||
      !in.read_prefixed_bytes(codec::Len::u16, 0, 0xFFFF, extensions) || !in.expect_end()) {
    return detail::malformed("status_request");
  }
  while (!responders.empty()) {
    std::span<const uint8_t> id;
    if (!responders.read_prefixed_bytes(codec::Len::u16, 1, 0xFFFF, id)) {
      return detail::malformed("status_request");
    }
  }
  return true;
}

Result<void> serialize_status_request_ocsp(std::vector<uint8_t>& out) {
  codec::Writer w(out);
  w.write_u8(kCertificateStatusOcsp);
  w.write_u16(0);  // responder_id_list
  w.write_u16(0);  // request_extensions
  return detail::finish(w, "status_request");
}

Result<CertificateStatus> parse_certificate_status(std::span<const uint8_t> body) {
  codec::Reader in(body);
  uint8_t type = 0;
  std::span<const uint8_t> response;
  if (!in.read_u8(type) || type != kCertificateStatusOcsp ||
      !in.read_prefixed_bytes(codec::Len::u24, 1, 0xFFFFFF, response) || !in.expect_end()) {
    return detail::malformed("certificate_status");
  }
  return CertificateStatus{std::vector<uint8_t>(response.begin(), response.end())};
}

Result<void> serialize(const CertificateStatus& msg, std::vector<uint8_t>& body_out) {
  if (msg.ocsp_response.empty()) {
    return detail::unencodable("certificate_status");
  }
  codec::Writer w(body_out);
  w.write_u8(kCertificateStatusOcsp);
  w.write_prefixed_bytes(codec::Len::u24, msg.ocsp_response);
  return detail::finish(w, "certificate_status");
}

}  // namespace hs::messages

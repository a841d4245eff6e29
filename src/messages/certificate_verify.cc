#include "messages/certificate_verify.h"

#include "messages/common.h"

namespace hs::messages {

Result<CertificateVerify> parse_certificate_verify(std::span<const uint8_t> body) {
  codec::Reader in(body);
  CertificateVerify msg;
  std::span<const uint8_t> signature;
  if (!in.read_enum16(msg.scheme) ||
      !in.read_prefixed_bytes(codec::Len::u16, 0, 0xFFFF, signature) || !in.expect_end()) {
    return detail::malformed("certificate_verify");
  }
  msg.signature.assign(signature.begin(), signature.end());
  return msg;
}

Result<void> serialize(const CertificateVerify& msg, std::vector<uint8_t>& body_out) {
  codec::Writer w(body_out);
  w.write_enum16(msg.scheme);
  w.write_prefixed_bytes(codec::Len::u16, msg.signature);
  return detail::finish(w, "certificate_verify");
}

}  // namespace hs::messages

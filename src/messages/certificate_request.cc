#include "messages/certificate_request.h"

#include "messages/common.h"

namespace hs::messages {

namespace {
constexpr const char* kContext = "certificate_request";
}

Result<CertificateRequest12> parse_certificate_request12(std::span<const uint8_t> body) {
  codec::Reader in(body);
  std::span<const uint8_t> types;
  codec::Reader schemes;
  codec::Reader cas;
  if (!in.read_prefixed_bytes(codec::Len::u8, 1, 0xFF, types) ||
      !in.read_prefixed(codec::Len::u16, 2, 0xFFFE, schemes) || schemes.remaining() % 2 != 0 ||
      !in.read_prefixed(codec::Len::u16, 0, 0xFFFF, cas) || !in.expect_end()) {
    return detail::malformed(kContext);
  }
  CertificateRequest12 msg;
  msg.certificate_types.assign(types.begin(), types.end());
  while (!schemes.empty()) {
    SignatureScheme s;
    if (!schemes.read_enum16(s)) {
      return detail::malformed(kContext);
    }
    msg.signature_algorithms.push_back(s);
  }
  while (!cas.empty()) {
    std::span<const uint8_t> dn;
    if (!cas.read_prefixed_bytes(codec::Len::u16, 1, 0xFFFF, dn)) {
      return detail::malformed(kContext);
    }
    msg.certificate_authorities.emplace_back(dn.begin(), dn.end());
  }
  return msg;
}

Result<void> serialize(const CertificateRequest12& msg, std::vector<uint8_t>& body_out) {
  if (msg.certificate_types.empty() || msg.signature_algorithms.empty()) {
    return detail::unencodable(kContext);
  }
  codec::Writer w(body_out);
  w.write_prefixed_bytes(codec::Len::u8, msg.certificate_types);
  {
    auto list = w.open_prefixed(codec::Len::u16, 0xFFFE);
    for (SignatureScheme s : msg.signature_algorithms) {
      list.write_enum16(s);
    }
  }
  {
    auto list = w.open_prefixed(codec::Len::u16);
    for (const auto& dn : msg.certificate_authorities) {
      if (dn.empty()) {
        return detail::unencodable(kContext);
      }
      list.write_prefixed_bytes(codec::Len::u16, dn);
    }
  }
  return detail::finish(w, kContext);
}

Result<CertificateRequest13> parse_certificate_request13(std::span<const uint8_t> body) {
  codec::Reader in(body);
  std::span<const uint8_t> context;
  if (!in.read_prefixed_bytes(codec::Len::u8, 0, 0xFF, context)) {
    return detail::malformed(kContext);
  }
  CertificateRequest13 msg;
  msg.context.assign(context.begin(), context.end());
  // Extension extensions<2..2^16-1>: every entry is at least 4 bytes, so a block of 2 or more
  // bytes consumed exactly by its entries is one with at least one extension.
  msg.extensions = HS_TRY(parse_extensions(in));
  if (msg.extensions.empty() || !in.expect_end()) {
    return detail::malformed(kContext);
  }
  return msg;
}

Result<void> serialize(const CertificateRequest13& msg, std::vector<uint8_t>& body_out) {
  if (msg.extensions.empty()) {
    return detail::unencodable(kContext);
  }
  codec::Writer w(body_out);
  w.write_prefixed_bytes(codec::Len::u8, msg.context);
  write_extensions(msg.extensions, w);
  return detail::finish(w, kContext);
}

}  // namespace hs::messages

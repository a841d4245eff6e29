#include "messages/certificate.h"

#include <string>

#include "messages/common.h"

namespace hs::messages {

namespace {

Error too_many_certificates(size_t max_certificates) {
  return Error(ErrorCode::bad_certificate, "certificate",
               "more than " + std::to_string(max_certificates) + " certificates");
}

}  // namespace

Result<Certificate12> parse_certificate12(std::span<const uint8_t> body, size_t max_certificates) {
  constexpr const char* kContext = "certificate";
  codec::Reader in(body);
  codec::Reader list;
  if (!in.read_prefixed(codec::Len::u24, 0, 0xFFFFFF, list) || !in.expect_end()) {
    return detail::malformed(kContext);
  }
  Certificate12 msg;
  while (!list.empty()) {
    if (msg.chain.size() == max_certificates) {
      return too_many_certificates(max_certificates);
    }
    std::span<const uint8_t> cert;
    if (!list.read_prefixed_bytes(codec::Len::u24, 1, 0xFFFFFF, cert)) {
      return detail::malformed(kContext);
    }
    msg.chain.emplace_back(cert.begin(), cert.end());
  }
  return msg;
}

Result<void> serialize(const Certificate12& msg, std::vector<uint8_t>& body_out) {
  constexpr const char* kContext = "certificate";
  codec::Writer w(body_out);
  {
    auto list = w.open_prefixed(codec::Len::u24);
    for (const auto& cert : msg.chain) {
      if (cert.empty()) {
        return detail::unencodable(kContext);
      }
      list.write_prefixed_bytes(codec::Len::u24, cert);
    }
  }
  return detail::finish(w, kContext);
}

Result<Certificate13> parse_certificate13(std::span<const uint8_t> body, size_t max_certificates) {
  constexpr const char* kContext = "certificate";
  codec::Reader in(body);
  std::span<const uint8_t> context;
  codec::Reader list;
  if (!in.read_prefixed_bytes(codec::Len::u8, 0, 0xFF, context) ||
      !in.read_prefixed(codec::Len::u24, 0, 0xFFFFFF, list) || !in.expect_end()) {
    return detail::malformed(kContext);
  }
  Certificate13 msg;
  msg.request_context.assign(context.begin(), context.end());
  while (!list.empty()) {
    if (msg.entries.size() == max_certificates) {
      return too_many_certificates(max_certificates);
    }
    CertificateEntry entry;
    std::span<const uint8_t> cert;
    if (!list.read_prefixed_bytes(codec::Len::u24, 1, 0xFFFFFF, cert)) {
      return detail::malformed(kContext);
    }
    entry.cert_data.assign(cert.begin(), cert.end());
    entry.extensions = HS_TRY(parse_extensions(list));
    msg.entries.push_back(std::move(entry));
  }
  return msg;
}

Result<void> serialize(const Certificate13& msg, std::vector<uint8_t>& body_out) {
  constexpr const char* kContext = "certificate";
  codec::Writer w(body_out);
  {
    auto ctx = w.open_prefixed(codec::Len::u8);
    ctx.write_bytes(msg.request_context);
  }
  {
    auto list = w.open_prefixed(codec::Len::u24);
    for (const auto& entry : msg.entries) {
      if (entry.cert_data.empty()) {
        return detail::unencodable(kContext);
      }
      list.write_prefixed_bytes(codec::Len::u24, entry.cert_data);
      write_extensions(entry.extensions, list);
    }
  }
  return detail::finish(w, kContext);
}

}  // namespace hs::messages

// Certificate (RFC 5246 §7.4.2 and RFC 8446 §4.4.2).
//
//   TLS 1.2:  opaque ASN.1Cert<1..2^24-1>;
//             struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
//   TLS 1.3:  struct { opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>; }
//                 CertificateEntry;
//             struct { opaque certificate_request_context<0..2^8-1>;
//                      CertificateEntry certificate_list<0..2^24-1>; } Certificate;
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"
#include "messages/extensions.h"

namespace hs::messages {

// Certificate12 is the TLS 1.2 form: DER certificates, end-entity first. An empty chain is
// well-formed (a client with no certificate).
struct Certificate12 {
  static constexpr HandshakeType kType = HandshakeType::certificate;
  std::vector<std::vector<uint8_t>> chain;
  bool operator==(const Certificate12&) const = default;
};

struct CertificateEntry {
  std::vector<uint8_t> cert_data;  // DER (X.509 type), 1..2^24-1 bytes
  std::vector<Extension> extensions;
  bool operator==(const CertificateEntry&) const = default;
};

// Certificate13 is the TLS 1.3 form.
struct Certificate13 {
  static constexpr HandshakeType kType = HandshakeType::certificate;
  std::vector<uint8_t> request_context;  // 0..255 bytes
  std::vector<CertificateEntry> entries;
  bool operator==(const Certificate13&) const = default;
};

// kMaxCertificates is the default bound on the certificates of one message (Limits).
inline constexpr size_t kMaxCertificates = 16;

// parse_certificate12 / parse_certificate13 parse the body; malformed -> decode_error; a
// duplicate extension in one CertificateEntry -> duplicate_extension; more than
// `max_certificates` certificates -> bad_certificate (Limits::max_certificates says why), as
// soon as the one over the bound starts, so the rest is neither copied nor parsed.
Result<Certificate12> parse_certificate12(std::span<const uint8_t> body,
                                          size_t max_certificates = kMaxCertificates);
Result<Certificate13> parse_certificate13(std::span<const uint8_t> body,
                                          size_t max_certificates = kMaxCertificates);

Result<void> serialize(const Certificate12& msg, std::vector<uint8_t>& body_out);
Result<void> serialize(const Certificate13& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

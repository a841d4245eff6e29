// CertificateVerify (RFC 8446 §4.4.3; the TLS 1.2 form of RFC 5246 §7.4.8 is the same
// digitally-signed encoding).
//
//   struct { SignatureScheme algorithm; opaque signature<0..2^16-1>; } CertificateVerify;
#pragma once

#include <hs/result.h>
#include <hs/wire.h>

#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"

namespace hs::messages {

struct CertificateVerify {
  static constexpr HandshakeType kType = HandshakeType::certificate_verify;
  SignatureScheme scheme{};
  std::vector<uint8_t> signature;
  bool operator==(const CertificateVerify&) const = default;
};

// parse_certificate_verify: malformed -> decode_error; the scheme passes through unchecked.
Result<CertificateVerify> parse_certificate_verify(std::span<const uint8_t> body);

Result<void> serialize(const CertificateVerify& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

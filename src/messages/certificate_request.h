// CertificateRequest (RFC 5246 §7.4.4 and RFC 8446 §4.3.2).
//
//   TLS 1.2: struct {
//       ClientCertificateType certificate_types<1..2^8-1>;
//       SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
//       DistinguishedName certificate_authorities<0..2^16-1>;
//   } CertificateRequest;              opaque DistinguishedName<1..2^16-1>;
//   TLS 1.3: struct {
//       opaque certificate_request_context<0..2^8-1>;
//       Extension extensions<2..2^16-1>;
//   } CertificateRequest;
#pragma once

#include <hs/result.h>
#include <hs/wire.h>

#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"
#include "messages/extensions.h"

namespace hs::messages {

// ClientCertificateType values we use (RFC 5246 §7.4.4, RFC 8422 §5.5).
inline constexpr uint8_t kClientCertTypeRsaSign = 1;
inline constexpr uint8_t kClientCertTypeEcdsaSign = 64;

struct CertificateRequest12 {
  static constexpr HandshakeType kType = HandshakeType::certificate_request;
  std::vector<uint8_t> certificate_types;                     // 1..255 bytes
  std::vector<SignatureScheme> signature_algorithms;          // 1..32767 entries
  std::vector<std::vector<uint8_t>> certificate_authorities;  // DER DistinguishedNames, each 1..
  bool operator==(const CertificateRequest12&) const = default;
};

struct CertificateRequest13 {
  static constexpr HandshakeType kType = HandshakeType::certificate_request;
  std::vector<uint8_t> context;       // 0..255 bytes
  std::vector<Extension> extensions;  // must include signature_algorithms (checked by logic)
  bool operator==(const CertificateRequest13&) const = default;
};

// Malformed -> decode_error; duplicate extension -> duplicate_extension.
Result<CertificateRequest12> parse_certificate_request12(std::span<const uint8_t> body);
Result<CertificateRequest13> parse_certificate_request13(std::span<const uint8_t> body);

Result<void> serialize(const CertificateRequest12& msg, std::vector<uint8_t>& body_out);
Result<void> serialize(const CertificateRequest13& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

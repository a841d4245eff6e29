// EncryptedExtensions (RFC 8446 §4.3.1): `struct { Extension extensions<0..2^16-1>; }`
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"
#include "messages/extensions.h"

namespace hs::messages {

struct EncryptedExtensions {
  static constexpr HandshakeType kType = HandshakeType::encrypted_extensions;
  std::vector<Extension> extensions;
  bool operator==(const EncryptedExtensions&) const = default;
};

// Malformed -> decode_error; duplicate extension -> duplicate_extension.
Result<EncryptedExtensions> parse_encrypted_extensions(std::span<const uint8_t> body);

Result<void> serialize(const EncryptedExtensions& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

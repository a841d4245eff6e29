// ChangeCipherSpec record body (RFC 5246 §7.1): `struct { enum { change_cipher_spec(1), (255) }
// type; } ChangeCipherSpec;`
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <span>
#include <vector>

namespace hs::messages {

inline constexpr uint8_t kChangeCipherSpecValue = 0x01;

struct ChangeCipherSpec {
  bool operator==(const ChangeCipherSpec&) const = default;
};

// parse_change_cipher_spec accepts exactly {0x01}; anything else -> decode_error. In TLS 1.3 the
// caller decides and reports unexpected_message instead (RFC 8446 §5: "An implementation which
// receives any other change_cipher_spec value or which receives a protected change_cipher_spec
// record MUST abort the handshake with an "unexpected_message" alert.").
Result<ChangeCipherSpec> parse_change_cipher_spec(std::span<const uint8_t> body);

// serialize appends the single byte 0x01; it always succeeds.
Result<void> serialize(const ChangeCipherSpec& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

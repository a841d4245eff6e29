// NewSessionTicket (RFC 5077 §3.3 for TLS 1.2, RFC 8446 §4.6.1 for TLS 1.3).
//
//   TLS 1.2: struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; } NewSessionTicket;
//   TLS 1.3: struct {
//       uint32 ticket_lifetime; uint32 ticket_age_add;
//       opaque ticket_nonce<0..255>; opaque ticket<1..2^16-1>;
//       Extension extensions<0..2^16-2>;
//   } NewSessionTicket;
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"
#include "messages/extensions.h"

namespace hs::messages {

struct NewSessionTicket12 {
  static constexpr HandshakeType kType = HandshakeType::new_session_ticket;
  uint32_t lifetime_hint = 0;
  std::vector<uint8_t> ticket;
  bool operator==(const NewSessionTicket12&) const = default;
};

struct NewSessionTicket13 {
  static constexpr HandshakeType kType = HandshakeType::new_session_ticket;
  uint32_t lifetime = 0;  // seconds; "MUST NOT use any value greater than 604800" (logic)
  uint32_t age_add = 0;
  std::vector<uint8_t> nonce;   // 0..255 bytes
  std::vector<uint8_t> ticket;  // 1..2^16-1 bytes
  std::vector<Extension> extensions;
  bool operator==(const NewSessionTicket13&) const = default;
};

// Malformed -> decode_error; duplicate extension -> duplicate_extension.
Result<NewSessionTicket12> parse_new_session_ticket12(std::span<const uint8_t> body);
Result<NewSessionTicket13> parse_new_session_ticket13(std::span<const uint8_t> body);

Result<void> serialize(const NewSessionTicket12& msg, std::vector<uint8_t>& body_out);
Result<void> serialize(const NewSessionTicket13& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

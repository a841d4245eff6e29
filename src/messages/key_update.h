// KeyUpdate (RFC 8446 §4.6.3).
//
//   enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
//   struct { KeyUpdateRequest request_update; } KeyUpdate;
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"

namespace hs::messages {

enum class KeyUpdateRequest : uint8_t { update_not_requested = 0, update_requested = 1 };

struct KeyUpdate {
  static constexpr HandshakeType kType = HandshakeType::key_update;
  KeyUpdateRequest request_update = KeyUpdateRequest::update_not_requested;
  bool operator==(const KeyUpdate&) const = default;
};

// parse_key_update: a body other than one byte -> decode_error; a value other than 0 or 1 ->
// illegal_parameter (RFC 8446 §4.6.3: "If an implementation receives any other value, it MUST
// terminate the connection with an "illegal_parameter" alert.").
Result<KeyUpdate> parse_key_update(std::span<const uint8_t> body);

// serialize fails (internal_error) for a request_update other than 0 or 1.
Result<void> serialize(const KeyUpdate& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

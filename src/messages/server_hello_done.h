// ServerHelloDone (RFC 5246 §7.4.5): `struct { } ServerHelloDone;`
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"

namespace hs::messages {

struct ServerHelloDone {
  static constexpr HandshakeType kType = HandshakeType::server_hello_done;
  bool operator==(const ServerHelloDone&) const = default;
};

// parse_server_hello_done accepts only an empty body; anything else -> decode_error.
Result<ServerHelloDone> parse_server_hello_done(std::span<const uint8_t> body);

// serialize appends nothing (the body is empty); it always succeeds.
Result<void> serialize(const ServerHelloDone& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

// Finished (RFC 5246 §7.4.9, RFC 8446 §4.4.4).
//
//   TLS 1.2: opaque verify_data[verify_data_length];   (12 for every suite we implement)
//   TLS 1.3: opaque verify_data[Hash.length];
#pragma once

#include <hs/result.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"

namespace hs::messages {

inline constexpr size_t kVerifyDataLength12 = 12;

// Finished carries public bytes: verify_data has been declassified by whoever built it.
struct Finished {
  static constexpr HandshakeType kType = HandshakeType::finished;
  std::vector<uint8_t> verify_data;
  bool operator==(const Finished&) const = default;
};

// parse_finished parses a body that must be exactly `expected_len` bytes (kVerifyDataLength12
// for TLS 1.2, the hash length for TLS 1.3); any other length -> decode_error. Comparing the
// value is the caller's job (constant time, decrypt_error on mismatch).
Result<Finished> parse_finished(std::span<const uint8_t> body, size_t expected_len);

// serialize appends verify_data; an empty verify_data fails (internal_error).
Result<void> serialize(const Finished& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

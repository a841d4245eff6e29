// EndOfEarlyData (RFC 8446 §4.5): `struct {} EndOfEarlyData;`
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"

namespace hs::messages {

struct EndOfEarlyData {
  static constexpr HandshakeType kType = HandshakeType::end_of_early_data;
  bool operator==(const EndOfEarlyData&) const = default;
};

// parse_end_of_early_data accepts only an empty body; anything else -> decode_error.
Result<EndOfEarlyData> parse_end_of_early_data(std::span<const uint8_t> body);

// serialize appends nothing; it always succeeds.
Result<void> serialize(const EndOfEarlyData& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

// Hex text to bytes and back, for the text forms of keys and secrets: key log files (NSS
// format), `--psk`, ticket key files and exported keying material. One decoder, so every reader
// accepts and refuses alike.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hs {

// hex_digit returns the value of one hex digit ('0'-'9', 'a'-'f', 'A'-'F'), or nullopt.
std::optional<uint8_t> hex_digit(char c);

// decode_hex fills `out` from `hex`, which must be exactly 2 * out.size() hex digits (no
// prefix, no separators). Returns false otherwise; `out` may then hold part of the bytes, so a
// caller decoding a secret wipes it either way.
bool decode_hex(std::string_view hex, std::span<uint8_t> out);

// append_hex appends `bytes` to `out` as lowercase hex digits, two per byte.
void append_hex(std::string& out, std::span<const uint8_t> bytes);

}  // namespace hs

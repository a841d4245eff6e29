#include "common/hex.h"

namespace hs {

std::optional<uint8_t> hex_digit(char c) {
  if (c >= '0' && c <= '9') {
    return static_cast<uint8_t>(c - '0');
  }
  if (c >= 'a' && c <= 'f') {
    return static_cast<uint8_t>(c - 'a' + 10);
  }
  if (c >= 'A' && c <= 'F') {
    return static_cast<uint8_t>(c - 'A' + 10);
  }
  return std::nullopt;
}

bool decode_hex(std::string_view hex, std::span<uint8_t> out) {
  if (hex.size() != 2 * out.size()) {
    return false;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    auto hi = hex_digit(hex[2 * i]);
    auto lo = hex_digit(hex[2 * i + 1]);
    if (!hi || !lo) {
      return false;
    }
    out[i] = static_cast<uint8_t>((*hi << 4) | *lo);
  }
  return true;
}

void append_hex(std::string& out, std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + 2 * bytes.size());
  for (uint8_t b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0F]);
  }
}

}  // namespace hs

// Helpers shared by the crypto and keyschedule unit tests.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hs::testing {

// hex decodes hexadecimal, ignoring spaces, colons and newlines (so RFC dumps paste as is).
inline std::vector<uint8_t> hex(std::string_view s) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  };
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : s) {
    const int v = nibble(c);
    if (v < 0) {
      if (c == ' ' || c == ':' || c == '\n') {
        continue;
      }
      throw std::invalid_argument("bad hex");
    }
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  if (hi >= 0) {
    throw std::invalid_argument("odd hex length");
  }
  return out;
}

inline std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

template <typename Span>
std::vector<uint8_t> vec(const Span& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// read_vector reads tests/vectors/<relative> as bytes (throws when missing).
inline std::vector<uint8_t> read_vector(const std::string& relative) {
  std::ifstream in(std::string(HS_SOURCE_DIR) + "/tests/vectors/" + relative, std::ios::binary);
  if (!in) {
    throw std::runtime_error("missing test vector " + relative);
  }
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace hs::testing

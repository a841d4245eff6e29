// Shared by the messages fuzz targets: parse, and if the input parses, serialize and re-parse;
// the second parse must succeed and equal the first. Any mismatch aborts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

namespace hs::messages::fuzz {

// check_round_trip runs `parse` on `input`; on success serializes the value with `serialize`
// (which must succeed: a parsed value is always encodable) and re-parses it.
template <typename Parse, typename Serialize>
void check_round_trip(std::span<const uint8_t> input, Parse parse, Serialize serialize) {
  auto first = parse(input);
  if (!first.ok()) {
    return;
  }
  std::vector<uint8_t> out;
  if (!serialize(first.value(), out).ok()) {
    std::abort();
  }
  auto second = parse(std::span<const uint8_t>(out));
  if (!second.ok() || !(second.value() == first.value())) {
    std::abort();
  }
}

// check_message is check_round_trip for a message struct with a serialize() overload.
template <typename Parse>
void check_message(std::span<const uint8_t> input, Parse parse) {
  check_round_trip(input, parse,
                   [](const auto& msg, std::vector<uint8_t>& out) { return serialize(msg, out); });
}

}  // namespace hs::messages::fuzz

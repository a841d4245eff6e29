// Fuzz target: parse_change_cipher_spec, then serialize and re-parse.
#include <cstddef>
#include <cstdint>
#include <span>

#include "messages/change_cipher_spec.h"
#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hs::messages::fuzz::check_message(
      std::span<const uint8_t>(data, size),
      [](std::span<const uint8_t> b) { return hs::messages::parse_change_cipher_spec(b); });
  return 0;
}

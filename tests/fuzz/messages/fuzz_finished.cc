// Fuzz target: parse_finished. Byte 0 is the expected verify_data length (0 means 12, the TLS 1.2
// length); the rest is the body. Parses, serializes and re-parses.
#include <cstddef>
#include <cstdint>
#include <span>

#include "messages/finished.h"
#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  if (input.empty()) {
    return 0;
  }
  const size_t expected = input[0] == 0 ? hs::messages::kVerifyDataLength12 : input[0];
  hs::messages::fuzz::check_message(input.subspan(1), [expected](std::span<const uint8_t> b) {
    return hs::messages::parse_finished(b, expected);
  });
  return 0;
}

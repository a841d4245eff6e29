// Fuzz target: parse_certificate_request13, then serialize and re-parse.
#include <cstddef>
#include <cstdint>
#include <span>

#include "messages/certificate_request.h"
#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hs::messages::fuzz::check_message(
      std::span<const uint8_t>(data, size),
      [](std::span<const uint8_t> b) { return hs::messages::parse_certificate_request13(b); });
  return 0;
}

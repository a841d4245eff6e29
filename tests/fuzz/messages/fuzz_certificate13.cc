// Fuzz target: parse_certificate13 (TLS 1.3 Certificate), then serialize and re-parse.
#include <cstddef>
#include <cstdint>
#include <span>

#include "messages/certificate.h"
#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hs::messages::fuzz::check_message(
      std::span<const uint8_t>(data, size),
      [](std::span<const uint8_t> b) { return hs::messages::parse_certificate13(b); });
  return 0;
}

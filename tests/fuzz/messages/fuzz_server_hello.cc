// Fuzz target: parse_server_hello (ServerHello and HelloRetryRequest), then serialize and re-parse.
#include <cstddef>
#include <cstdint>
#include <span>

#include "messages/server_hello.h"
#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hs::messages::fuzz::check_message(
      std::span<const uint8_t>(data, size),
      [](std::span<const uint8_t> b) { return hs::messages::parse_server_hello(b); });
  return 0;
}

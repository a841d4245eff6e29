// Fuzz target: parse_handshake_header over a stream of messages; each message's raw bytes must
// be its header plus body, write_handshake must reproduce raw, and handshake_message_size must
// agree.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "messages/handshake.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hs::codec::Reader in(std::span<const uint8_t>(data, size));
  while (!in.empty()) {
    const auto rest = in.peek_rest();
    const auto expected_size = hs::messages::handshake_message_size(rest);
    auto msg = hs::messages::parse_handshake_header(in);
    if (!msg.ok()) {
      if (in.remaining() != rest.size()) {
        std::abort();  // a failure consumes nothing
      }
      if (expected_size.has_value() && *expected_size <= rest.size()) {
        std::abort();
      }
      return 0;
    }
    if (!expected_size.has_value() || *expected_size != msg->raw.size()) {
      std::abort();
    }
    if (msg->raw.size() != hs::kHandshakeHeaderLen + msg->body.size()) {
      std::abort();
    }
    std::vector<uint8_t> again;
    hs::messages::write_handshake(msg->type, msg->body, again);
    if (!std::equal(again.begin(), again.end(), msg->raw.begin(), msg->raw.end())) {
      std::abort();
    }
  }
  return 0;
}

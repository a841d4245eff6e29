// Fuzz target: HandshakeReassembler. Byte 0 sets the fragment (record) size, byte 1 the
// maximum message size; the rest is the handshake stream, added fragment by fragment with the
// messages drained after each add, as the state machines do.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "record/handshake_reassembler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) {
    return 0;
  }
  const std::span<const uint8_t> input(data, size);
  const size_t chunk = static_cast<size_t>(input[0]) * 64 + 1;
  const size_t max_message = static_cast<size_t>(input[1]) * 256;
  auto stream = input.subspan(2);

  hs::record::HandshakeReassembler reassembler(max_message);
  size_t delivered = 0;
  while (!stream.empty()) {
    const size_t n = stream.size() < chunk ? stream.size() : chunk;
    if (!reassembler.add(stream.first(n)).ok()) {
      return 0;
    }
    stream = stream.subspan(n);
    for (;;) {
      auto msg = reassembler.next();
      if (!msg.ok()) {
        return 0;
      }
      if (!msg->has_value()) {
        break;
      }
      const auto& m = **msg;
      if (m.body.size() > max_message) {
        std::abort();
      }
      if (m.raw.size() != hs::kHandshakeHeaderLen + m.body.size()) {
        std::abort();
      }
      if (m.raw[0] != static_cast<uint8_t>(m.type)) {
        std::abort();
      }
      delivered += m.raw.size();
    }
  }
  (void)delivered;
  return 0;
}

#include "messages/handshake.h"

#include <cassert>

#include "codec/writer.h"
#include "messages/common.h"

namespace hs::messages {

Result<HandshakeMessage> parse_handshake_header(codec::Reader& in) {
  // Work on a copy so a failure leaves `in` untouched.
  codec::Reader probe = in;
  const auto start = probe.peek_rest();
  HandshakeType type;
  uint32_t length;
  std::span<const uint8_t> body;
  if (!probe.read_enum8(type) || !probe.read_u24(length) || !probe.read_bytes(length, body)) {
    return detail::malformed("handshake header");
  }
  HandshakeMessage msg{type, body, start.first(kHandshakeHeaderLen + body.size())};
  in = probe;
  return msg;
}

std::optional<size_t> handshake_message_size(std::span<const uint8_t> buffered) {
  codec::Reader r(buffered);
  uint8_t type;
  uint32_t length;
  if (!r.read_u8(type) || !r.read_u24(length)) {
    return std::nullopt;
  }
  return kHandshakeHeaderLen + size_t{length};
}

void write_handshake(HandshakeType type, std::span<const uint8_t> body, std::vector<uint8_t>& out) {
  assert(body.size() <= 0xFFFFFF);
  codec::Writer w(out);
  w.write_enum8(type);
  w.write_prefixed_bytes(codec::Len::u24, body);
}

}  // namespace hs::messages

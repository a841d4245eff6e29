// Handshake message framing: the 4-byte header of RFC 8446 §4 / RFC 5246 §7.4.
//
//   struct {
//       HandshakeType msg_type;    /* handshake type */
//       uint24 length;             /* remaining bytes in message */
//       select (Handshake.msg_type) { ... } body;
//   } Handshake;
//
// Conventions for every message in src/messages/:
//   - `Result<X> parse_x(std::span<const uint8_t> body)` parses the body only (no header). Any
//     malformed input (truncated, over-long, bad length prefix, trailing bytes, vectors below the
//     RFC minimum) is Error(ErrorCode::decode_error, "<message>"); illegal_parameter is used only
//     where the RFC names it. Parsed structs own their bytes (nothing borrowed from the input).
//   - `Result<void> serialize(const X&, std::vector<uint8_t>& body_out)` APPENDS the body only
//     (no header). It fails with internal_error when a field does not fit its RFC vector bounds;
//     on failure body_out holds partial output and must be discarded.
//   - Each message struct has `static constexpr HandshakeType kType`, so
//     serialize_message(msg, out) can write header + body in one call.
#pragma once

#include <hs/result.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "codec/reader.h"
#include "codec/wire.h"

namespace hs::messages {

// HandshakeMessage is one complete handshake message. Both spans borrow from the buffer the
// Reader was built over; the caller keeps it alive. `raw` is the 4-byte header plus the body:
// exactly the bytes the transcript hash covers.
struct HandshakeMessage {
  HandshakeType type;
  std::span<const uint8_t> body;
  std::span<const uint8_t> raw;
};

// parse_handshake_header reads one complete handshake message (header and body) from `in`.
// Fails with decode_error when fewer than 4 + length bytes remain; on failure `in` is unchanged.
// Unknown message types pass through (rejection is the state machine's job).
Result<HandshakeMessage> parse_handshake_header(codec::Reader& in);

// handshake_message_size tells a reassembler how many bytes the message starting at `buffered`
// occupies in total (4 + length), or nullopt while fewer than 4 bytes are buffered.
std::optional<size_t> handshake_message_size(std::span<const uint8_t> buffered);

// write_handshake appends the header (type, uint24 length) and `body` to `out`. The body must be
// shorter than 2^24 bytes (every body we build is); a longer body is a programming error and is
// asserted in debug builds.
void write_handshake(HandshakeType type, std::span<const uint8_t> body, std::vector<uint8_t>& out);

// serialize_message appends header + body of `msg` (any message struct with `kType` and a
// `serialize(const M&, std::vector<uint8_t>&)` overload) to `out`. On failure `out` is unchanged.
template <typename M>
Result<void> serialize_message(const M& msg, std::vector<uint8_t>& out) {
  std::vector<uint8_t> body;
  auto r = serialize(msg, body);
  if (!r.ok()) {
    return std::move(r).error();
  }
  write_handshake(M::kType, body, out);
  return ok_result();
}

}  // namespace hs::messages

// HandshakeReassembler: joins handshake record fragments into whole handshake messages.
#pragma once

#include <hs/result.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "codec/wire.h"

namespace hs::record {

// RawHandshake is one complete handshake message (RFC 8446 §4 / RFC 5246 §7.4):
// `type`, the `body` after the 4-byte header, and `raw` = header + body, the bytes that go into
// the transcript hash. Both spans point into the reassembler's buffer and stay valid until the
// next add() or reset(). The type is passed through unchecked (unknown types are rejected by
// the state machines, not here).
struct RawHandshake {
  HandshakeType type;
  std::span<const uint8_t> body;
  std::span<const uint8_t> raw;
};

// HandshakeReassembler takes the fragments of handshake records in order and yields complete
// messages, whether one message spans many records or one record holds many messages.
//
// Bounded: a message whose header announces a body longer than max_message_size() (default
// 64 KiB; Certificate, CertificateRequest and ClientHello get max_certificate_message_size())
// fails with
// Error(ErrorCode::decode_error, "handshake message too large") as soon as its header is buffered.
// The RFCs name no alert for this; decode_error says the message cannot be processed. Callers drain
// next() after each add(), so the buffer stays within one maximum message plus one record. Errors
// are sticky.
//
// Key changes: RFC 8446 §5.1 "Handshake messages MUST NOT span key changes. Implementations
// MUST verify that all messages immediately preceding a key change align with a record
// boundary; if not, then they MUST terminate the connection with an "unexpected_message"
// alert." The state machine enforces that by checking empty() before it changes keys.
class HandshakeReassembler {
 public:
  static constexpr size_t kDefaultMaxMessageSize = 64 * 1024;

  explicit HandshakeReassembler(size_t max_message_size = kDefaultMaxMessageSize)
      : max_message_size_(max_message_size) {}

  // add appends the fragment of one handshake record. Invalidates spans from earlier next()
  // calls. Fails (decode_error) when the first buffered message is over the size limit.
  Result<void> add(std::span<const uint8_t> fragment);
  // next returns the next complete message, or nullopt when more fragments are needed.
  Result<std::optional<RawHandshake>> next();

  // empty is true when no bytes are buffered: no partial message and no complete message that
  // next() has not returned yet.
  bool empty() const { return start_ == buf_.size(); }
  // reset drops everything buffered and clears a sticky error.
  void reset();
  // release_memory frees the buffer's capacity when empty() (an established connection keeps
  // nothing for the rare post-handshake message); invalidates spans from next().
  void release_memory() {
    if (empty()) {
      std::vector<uint8_t>().swap(buf_);
      start_ = 0;
    }
  }

  size_t max_message_size() const { return max_message_size_; }
  void set_max_message_size(size_t n) { max_message_size_ = n; }
  size_t max_certificate_message_size() const {
    return std::max(max_message_size_, max_certificate_message_size_);
  }
  // set_limits sets the bound of every message but Certificate, CertificateRequest and
  // ClientHello (`general`) and theirs (`certificate`).
  void set_limits(size_t general, size_t certificate) {
    max_message_size_ = general;
    max_certificate_message_size_ = certificate;
  }

 private:
  Result<void> check_head() const;

  std::vector<uint8_t> buf_;
  size_t start_ = 0;  // first byte not yet returned by next()
  size_t max_message_size_;
  size_t max_certificate_message_size_ = 0;  // 0: same as max_message_size_
  std::optional<Error> failed_;
};

}  // namespace hs::record

#include "record/handshake_reassembler.h"

#include <algorithm>

#include "codec/reader.h"

namespace hs::record {

Result<void> HandshakeReassembler::add(std::span<const uint8_t> fragment) {
  if (failed_) {
    return *failed_;
  }
  // Drop the messages next() already returned; keep the capacity.
  if (start_ == buf_.size()) {
    buf_.clear();
  } else if (start_ > 0) {
    std::shift_left(buf_.begin(), buf_.end(), static_cast<std::ptrdiff_t>(start_));
    buf_.resize(buf_.size() - start_);
  }
  start_ = 0;
  buf_.insert(buf_.end(), fragment.begin(), fragment.end());
  auto head = check_head();
  if (!head.ok()) {
    failed_ = head.error();
    return std::move(head).error();
  }
  return ok_result();
}

// check_head fails when the first buffered message announces a body over the limit; fine
// when its header is not complete yet.
Result<void> HandshakeReassembler::check_head() const {
  codec::Reader r(std::span<const uint8_t>(buf_).subspan(start_));
  uint8_t type = 0;
  uint32_t length = 0;
  if (!r.read_u8(type) || !r.read_u24(length)) {
    return ok_result();
  }
  // ClientHello joins the large bound: 2^16 - 2 bytes of cipher suites and 2^16 - 1 of
  // extensions are legal (tlsfuzzer's test-tls13-large-number-of-extensions.py sends 4096
  // empty extensions, or 1024 of up to 64 bytes, in one ClientHello; OpenSSL takes up to
  // 131396 bytes).
  const bool large = type == static_cast<uint8_t>(HandshakeType::certificate) ||
                     type == static_cast<uint8_t>(HandshakeType::certificate_request) ||
                     type == static_cast<uint8_t>(HandshakeType::client_hello);
  if (length > (large ? max_certificate_message_size() : max_message_size_)) {
    return Error(ErrorCode::decode_error, "handshake message too large");
  }
  return ok_result();
}

Result<std::optional<RawHandshake>> HandshakeReassembler::next() {
  if (failed_) {
    return *failed_;
  }
  if (auto head = check_head(); !head.ok()) {
    failed_ = head.error();
    return std::move(head).error();
  }
  // RFC 8446 §4: struct { HandshakeType msg_type; uint24 length; select (...) body; }
  const auto rest = std::span<const uint8_t>(buf_).subspan(start_);
  codec::Reader r(rest);
  HandshakeType type = HandshakeType::hello_request;
  uint32_t length = 0;
  std::span<const uint8_t> body;
  if (!r.read_enum8(type) || !r.read_u24(length) || !r.read_bytes(length, body)) {
    return std::optional<RawHandshake>();
  }
  const size_t total = kHandshakeHeaderLen + length;
  start_ += total;
  return std::optional<RawHandshake>(RawHandshake{type, body, rest.first(total)});
}

void HandshakeReassembler::reset() {
  buf_.clear();
  start_ = 0;
  failed_.reset();
}

}  // namespace hs::record

#include "codec/reader.h"

namespace hs::codec {

namespace {
bool read_be(std::span<const uint8_t> data, size_t& pos, size_t width, uint64_t& out) {
  if (data.size() - pos < width) {
    return false;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    v = (v << 8) | data[pos + i];
  }
  pos += width;
  out = v;
  return true;
}
}  // namespace

bool Reader::read_u8(uint8_t& out) {
  uint64_t v;
  if (!read_be(data_, pos_, 1, v)) {
    return false;
  }
  out = static_cast<uint8_t>(v);
  return true;
}

bool Reader::read_u16(uint16_t& out) {
  uint64_t v;
  if (!read_be(data_, pos_, 2, v)) {
    return false;
  }
  out = static_cast<uint16_t>(v);
  return true;
}

bool Reader::read_u24(uint32_t& out) {
  uint64_t v;
  if (!read_be(data_, pos_, 3, v)) {
    return false;
  }
  out = static_cast<uint32_t>(v);
  return true;
}

bool Reader::read_u32(uint32_t& out) {
  uint64_t v;
  if (!read_be(data_, pos_, 4, v)) {
    return false;
  }
  out = static_cast<uint32_t>(v);
  return true;
}

bool Reader::read_u64(uint64_t& out) { return read_be(data_, pos_, 8, out); }

bool Reader::read_bytes(size_t n, std::span<const uint8_t>& out) {
  if (remaining() < n) {
    return false;
  }
  out = data_.subspan(pos_, n);
  pos_ += n;
  return true;
}

bool Reader::read_prefixed(Len len, size_t min, size_t max, Reader& body) {
  size_t saved = pos_;
  uint64_t n;
  if (!read_be(data_, pos_, static_cast<size_t>(len), n)) {
    return false;
  }
  if (n < min || n > max || n > remaining()) {
    pos_ = saved;
    return false;
  }
  body = Reader(data_.subspan(pos_, static_cast<size_t>(n)));
  pos_ += static_cast<size_t>(n);
  return true;
}

bool Reader::read_prefixed_bytes(Len len, size_t min, size_t max, std::span<const uint8_t>& out) {
  Reader body;
  if (!read_prefixed(len, min, max, body)) {
    return false;
  }
  out = body.take_rest();
  return true;
}

bool Reader::skip(size_t n) {
  if (remaining() < n) {
    return false;
  }
  pos_ += n;
  return true;
}

std::span<const uint8_t> Reader::take_rest() {
  auto rest = data_.subspan(pos_);
  pos_ = data_.size();
  return rest;
}

}  // namespace hs::codec

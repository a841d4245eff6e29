#include "codec/writer.h"

namespace hs::codec {

namespace {
size_t prefix_limit(Len len) {
  switch (len) {
    case Len::u8:
      return 0xFF;
    case Len::u16:
      return 0xFFFF;
    case Len::u24:
      return 0xFFFFFF;
  }
  return 0;
}

void append_be(std::vector<uint8_t>& buf, uint64_t v, size_t width) {
  for (size_t i = width; i > 0; --i) {
    buf.push_back(static_cast<uint8_t>(v >> (8 * (i - 1))));
  }
}
}  // namespace

void put_be(std::span<uint8_t> out, uint64_t v) {
  for (size_t i = out.size(); i > 0; --i) {
    out[i - 1] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

Writer::Writer(std::vector<uint8_t>* buf, bool* failed, Len len, size_t max)
    : buf_(buf), failed_(failed), is_child_(true), len_(len), max_(max), start_(buf->size()) {
  append_be(*buf_, 0, static_cast<size_t>(len_));
}

Writer::~Writer() {
  if (!is_child_) {
    return;
  }
  size_t width = static_cast<size_t>(len_);
  size_t body = buf_->size() - start_ - width;
  size_t limit = prefix_limit(len_);
  if (max_ != 0 && max_ < limit) {
    limit = max_;
  }
  if (body > limit) {
    *failed_ = true;
    return;
  }
  for (size_t i = 0; i < width; ++i) {
    (*buf_)[start_ + i] = static_cast<uint8_t>(body >> (8 * (width - 1 - i)));
  }
}

void Writer::write_u8(uint8_t v) { buf_->push_back(v); }
void Writer::write_u16(uint16_t v) { append_be(*buf_, v, 2); }
void Writer::write_u24(uint32_t v) {
  if (v > 0xFFFFFF) {
    *failed_ = true;
    return;
  }
  append_be(*buf_, v, 3);
}
void Writer::write_u32(uint32_t v) { append_be(*buf_, v, 4); }
void Writer::write_u64(uint64_t v) { append_be(*buf_, v, 8); }

void Writer::write_bytes(std::span<const uint8_t> bytes) {
  buf_->insert(buf_->end(), bytes.begin(), bytes.end());
}

void Writer::write_prefixed_bytes(Len len, std::span<const uint8_t> bytes) {
  auto body = open_prefixed(len);
  body.write_bytes(bytes);
}

Writer Writer::open_prefixed(Len len, size_t max) { return Writer(buf_, failed_, len, max); }

}  // namespace hs::codec

// codec::Writer: appends TLS wire encodings to a byte vector, with scoped length prefixes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "codec/reader.h"

namespace hs::codec {

// Writer appends to a caller-owned vector. open_prefixed() returns a child Writer that writes a
// placeholder length and fills it in when the child is destroyed; a body longer than its
// prefix can express (or than the `max` given) marks the whole writer failed instead of
// truncating. Writers are neither copyable nor movable (children refer to their root);
// `auto child = w.open_prefixed(...)` works through guaranteed copy elision. While a child is
// open, write only through the child.
class Writer {
 public:
  static constexpr size_t kRoom = 256;
  // A root Writer makes room for a typical message (kRoom bytes) at once: growing an empty vector
  // byte by byte reallocated it about eight times per message. Room is added geometrically, so
  // root Writers opened again and again on one growing buffer stay linear.
  explicit Writer(std::vector<uint8_t>& out) : buf_(&out), failed_(&failed_storage_) {
    if (out.capacity() - out.size() < kRoom) {
      out.reserve(std::max(out.size() + kRoom, 2 * out.capacity()));
    }
  }
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  Writer(Writer&&) = delete;
  Writer& operator=(Writer&&) = delete;

  void write_u8(uint8_t v);
  void write_u16(uint16_t v);
  void write_u24(uint32_t v);  // fails the writer when v >= 2^24
  void write_u32(uint32_t v);
  void write_u64(uint64_t v);
  template <typename E>
  void write_enum16(E v) {
    write_u16(static_cast<uint16_t>(v));
  }
  template <typename E>
  void write_enum8(E v) {
    write_u8(static_cast<uint8_t>(v));
  }
  void write_bytes(std::span<const uint8_t> bytes);
  // write_prefixed_bytes writes `bytes` as one vector with a `len`-wide prefix.
  void write_prefixed_bytes(Len len, std::span<const uint8_t> bytes);

  // open_prefixed starts a length-prefixed body; `max` is the RFC's upper bound (0: the
  // prefix's own limit).
  Writer open_prefixed(Len len, size_t max = 0);

  // ok is false once any write failed; check it before using the output.
  [[nodiscard]] bool ok() const { return !*failed_; }
  // size is the number of bytes in the underlying buffer.
  size_t size() const { return buf_->size(); }

 private:
  Writer(std::vector<uint8_t>* buf, bool* failed, Len len, size_t max);

  std::vector<uint8_t>* buf_;
  bool failed_storage_ = false;
  bool* failed_;
  bool is_child_ = false;
  Len len_ = Len::u8;
  size_t max_ = 0;
  size_t start_ = 0;  // offset of the placeholder prefix, for children
};

// put_be writes `v` big-endian into all of `out` (1 to 8 bytes): for fixed-size fields in room
// reserved beforehand (a record header sealed in place), where a Writer cannot append.
void put_be(std::span<uint8_t> out, uint64_t v);

}  // namespace hs::codec

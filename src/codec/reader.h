// codec::Reader: the one bounds-checked cursor over peer bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hs::codec {

// Len is the width of a TLS vector's length prefix (RFC 8446 §3.4).
enum class Len : uint8_t { u8 = 1, u16 = 2, u24 = 3 };

// Reader is a cursor over a borrowed span; it never reads past it. Every read is
// [[nodiscard]] bool and a failed read consumes nothing. The caller owns the bytes and keeps
// them alive while the reader (and any span it handed out) is used.
class Reader {
 public:
  Reader() = default;
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  [[nodiscard]] bool read_u8(uint8_t& out);
  [[nodiscard]] bool read_u16(uint16_t& out);
  [[nodiscard]] bool read_u24(uint32_t& out);
  [[nodiscard]] bool read_u32(uint32_t& out);
  [[nodiscard]] bool read_u64(uint64_t& out);
  // read_u16_as reads a uint16 into an enum class with a uint16_t underlying type.
  template <typename E>
  [[nodiscard]] bool read_enum16(E& out) {
    uint16_t v;
    if (!read_u16(v)) {
      return false;
    }
    out = static_cast<E>(v);
    return true;
  }
  template <typename E>
  [[nodiscard]] bool read_enum8(E& out) {
    uint8_t v;
    if (!read_u8(v)) {
      return false;
    }
    out = static_cast<E>(v);
    return true;
  }
  // read_bytes hands out the next `n` bytes.
  [[nodiscard]] bool read_bytes(size_t n, std::span<const uint8_t>& out);
  // read_prefixed reads a `len`-wide length, checks min <= length <= max and that the body is
  // present, and hands back a child reader over exactly the body.
  [[nodiscard]] bool read_prefixed(Len len, size_t min, size_t max, Reader& body);
  // read_prefixed_bytes is read_prefixed that hands out the body as a span.
  [[nodiscard]] bool read_prefixed_bytes(Len len, size_t min, size_t max,
                                         std::span<const uint8_t>& out);
  [[nodiscard]] bool skip(size_t n);

  // take_rest consumes and returns everything left.
  std::span<const uint8_t> take_rest();
  std::span<const uint8_t> peek_rest() const { return data_.subspan(pos_); }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  // expect_end is true when every byte was consumed (no trailing data).
  [[nodiscard]] bool expect_end() const { return empty(); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace hs::codec

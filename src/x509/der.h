// x509::DerReader: a strict DER (X.690 §10) reader over codec::Reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/reader.h"

namespace hs::x509 {

// copy_octets keeps octets a DerReader handed out: its spans borrow the reader's input, parsed
// structures own their bytes.
inline std::vector<uint8_t> copy_octets(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

// Tag values (single identifier octet: class | constructed | number) used by X.509.
namespace tag {
inline constexpr uint8_t kBoolean = 0x01;
inline constexpr uint8_t kInteger = 0x02;
inline constexpr uint8_t kBitString = 0x03;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kNull = 0x05;
inline constexpr uint8_t kOid = 0x06;
inline constexpr uint8_t kEnumerated = 0x0A;
inline constexpr uint8_t kUtf8String = 0x0C;
inline constexpr uint8_t kNumericString = 0x12;
inline constexpr uint8_t kPrintableString = 0x13;
inline constexpr uint8_t kT61String = 0x14;
inline constexpr uint8_t kIa5String = 0x16;
inline constexpr uint8_t kUtcTime = 0x17;
inline constexpr uint8_t kGeneralizedTime = 0x18;
inline constexpr uint8_t kVisibleString = 0x1A;
inline constexpr uint8_t kUniversalString = 0x1C;
inline constexpr uint8_t kBmpString = 0x1E;
inline constexpr uint8_t kSequence = 0x30;
inline constexpr uint8_t kSet = 0x31;
// context_primitive(n) is [n] IMPLICIT over a primitive type; context_constructed(n) is [n]
// EXPLICIT or IMPLICIT over a constructed type.
constexpr uint8_t context_primitive(uint8_t n) { return static_cast<uint8_t>(0x80 | n); }
constexpr uint8_t context_constructed(uint8_t n) { return static_cast<uint8_t>(0xA0 | n); }
}  // namespace tag

// Tlv is one DER element: its tag, its contents octets, and the whole encoding (identifier,
// length and contents) as it appeared. Both spans borrow the reader's input.
struct Tlv {
  uint8_t tag = 0;
  std::span<const uint8_t> value;
  std::span<const uint8_t> raw;
};

// DerReader walks a sequence of DER elements. Every read is [[nodiscard]] bool: false means the
// input is malformed, not the expected type, or not DER; a failed read consumes nothing. The
// reader borrows its input; spans it hands out live as long as that input.
//
// Accepted encodings (X.690 §10.1, §8.1.2, §8.1.3): single-octet identifiers only (the
// high-tag-number form, tag number 31, is refused, as is the end-of-contents tag 0); definite
// lengths only, in the shortest form (indefinite 0x80, long forms for lengths below 128 and
// long forms with a leading zero octet are refused); lengths never exceed the input.
class DerReader {
 public:
  DerReader() = default;
  explicit DerReader(std::span<const uint8_t> der) : in_(der) {}

  // read_any reads the next element whatever its tag.
  [[nodiscard]] bool read_any(Tlv& out);
  // read reads the next element, which must carry `expected_tag`.
  [[nodiscard]] bool read(uint8_t expected_tag, Tlv& out);
  // read_constructed reads an element with `expected_tag` and hands back a reader over its
  // contents (for SEQUENCE, SET and EXPLICIT tags).
  [[nodiscard]] bool read_constructed(uint8_t expected_tag, DerReader& body);
  // peek_tag reports the tag of the next element without consuming it (false at the end).
  [[nodiscard]] bool peek_tag(uint8_t& out) const;
  // read_optional reads the next element if it carries `tag` and sets `out`; otherwise it
  // leaves `out` empty. False only when the next element is malformed.
  [[nodiscard]] bool read_optional(uint8_t tag, std::optional<Tlv>& out);

  // read_integer reads an INTEGER (tag `expected_tag`, default universal 2) in minimal
  // two's complement (X.690 §8.3.2) and hands out its contents octets.
  [[nodiscard]] bool read_integer(std::span<const uint8_t>& out,
                                  uint8_t expected_tag = tag::kInteger);
  // read_small_uint reads a non-negative INTEGER that fits in `max`.
  [[nodiscard]] bool read_small_uint(uint64_t max, uint64_t& out,
                                     uint8_t expected_tag = tag::kInteger);
  // read_oid reads an OBJECT IDENTIFIER whose subidentifiers are minimally encoded
  // (X.690 §8.19.2) and hands out its contents octets.
  [[nodiscard]] bool read_oid(std::span<const uint8_t>& out);
  // read_bool reads a BOOLEAN; DER allows only 0x00 and 0xFF (X.690 §11.1).
  [[nodiscard]] bool read_bool(bool& out);
  // read_null reads a NULL (empty contents).
  [[nodiscard]] bool read_null();
  // read_bit_string reads a BIT STRING: the octets and the number of unused bits in the last
  // one (0..7, 0 when empty), whose values must be zero (X.690 §11.2.1).
  [[nodiscard]] bool read_bit_string(std::span<const uint8_t>& bytes, uint8_t& unused_bits,
                                     uint8_t expected_tag = tag::kBitString);
  // read_bit_string_octets reads a BIT STRING that must be whole octets (keys, signatures).
  [[nodiscard]] bool read_bit_string_octets(std::span<const uint8_t>& bytes);
  // read_time reads a UTCTime or GeneralizedTime in the forms RFC 5280 §4.1.2.5 fixes and
  // returns seconds since 1970-01-01T00:00:00Z.
  [[nodiscard]] bool read_time(int64_t& out);

  // expect_end is true when every element was consumed (no trailing data).
  [[nodiscard]] bool expect_end() const { return in_.expect_end(); }
  bool empty() const { return in_.empty(); }

 private:
  codec::Reader in_;
};

// parse_time_value decodes the contents of a UTCTime (`tag` 0x17: YYMMDDHHMMSSZ, YY >= 50 is
// 19YY, else 20YY) or GeneralizedTime (0x18: YYYYMMDDHHMMSSZ) into Unix seconds; nullopt for
// anything else (fractions, offsets, missing seconds, impossible dates).
std::optional<int64_t> parse_time_value(uint8_t time_tag, std::span<const uint8_t> value);

// format_time renders Unix seconds as OpenSSL's ASN1_TIME_print and curl do:
// "Nov  7 23:15:03 2026 GMT" (day padded to two columns with a space).
std::string format_time(int64_t unix_seconds);

// oid_to_string renders OID contents octets in dotted form ("1.2.840.113549"); "" if malformed.
std::string oid_to_string(std::span<const uint8_t> oid);

}  // namespace hs::x509

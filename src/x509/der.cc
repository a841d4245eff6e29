#include "x509/der.h"

#include <array>
#include <cstdio>

namespace hs::x509 {

namespace {

// Sizes above 2^32 cannot occur in anything we parse; refusing longer length fields keeps the
// arithmetic in range.
constexpr size_t kMaxLengthOctets = 4;

// read_header reads an identifier and a length from `in` (a scratch copy) and checks that the
// contents are present.
bool read_element(codec::Reader& in, Tlv& out) {
  codec::Reader start = in;
  uint8_t id;
  if (!in.read_u8(id)) {
    return false;
  }
  // X.690 §8.1.2.4: tag number 31 announces the high-tag-number form, which X.509 never needs.
  // Tag 0 is end-of-contents, which only appears with indefinite lengths (not DER).
  if ((id & 0x1F) == 0x1F || id == 0x00) {
    return false;
  }
  uint8_t first;
  if (!in.read_u8(first)) {
    return false;
  }
  size_t len = 0;
  if (first < 0x80) {
    len = first;
  } else {
    // X.690 §10.1: "The definite form of length encoding shall be used, encoded in the minimum
    // number of octets." 0x80 is the indefinite form; 0xFF is reserved (§8.1.3.5 c).
    size_t n = first & 0x7F;
    if (n == 0 || n > kMaxLengthOctets) {
      return false;
    }
    for (size_t i = 0; i < n; ++i) {
      uint8_t b;
      if (!in.read_u8(b)) {
        return false;
      }
      if (i == 0 && b == 0) {
        return false;  // a leading zero octet: not the minimum number of octets
      }
      len = (len << 8) | b;
    }
    if (len < 0x80) {
      return false;  // fits the short form
    }
  }
  if (!in.read_bytes(len, out.value)) {
    return false;
  }
  out.tag = id;
  return start.read_bytes(start.remaining() - in.remaining(), out.raw);
}

bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

bool digits(std::span<const uint8_t> s, size_t pos, size_t n, int& out) {
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = s[pos + i];
    if (!is_digit(c)) {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int64_t y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && is_leap(y)) {
    return 29;
  }
  return kDays[static_cast<size_t>(m - 1)];
}

// days_from_civil counts days since 1970-01-01 in the proleptic Gregorian calendar
// (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

}  // namespace

bool DerReader::read_any(Tlv& out) {
  codec::Reader scratch = in_;
  Tlv tlv;
  if (!read_element(scratch, tlv)) {
    return false;
  }
  in_ = scratch;
  out = tlv;
  return true;
}

bool DerReader::read(uint8_t expected_tag, Tlv& out) {
  uint8_t t;
  if (!peek_tag(t) || t != expected_tag) {
    return false;
  }
  return read_any(out);
}

bool DerReader::read_constructed(uint8_t expected_tag, DerReader& body) {
  Tlv tlv;
  if ((expected_tag & 0x20) == 0 || !read(expected_tag, tlv)) {
    return false;
  }
  body = DerReader(tlv.value);
  return true;
}

bool DerReader::peek_tag(uint8_t& out) const {
  codec::Reader scratch = in_;
  return scratch.read_u8(out);
}

bool DerReader::read_optional(uint8_t expected_tag, std::optional<Tlv>& out) {
  out.reset();
  uint8_t t;
  if (!peek_tag(t) || t != expected_tag) {
    return true;
  }
  Tlv tlv;
  if (!read_any(tlv)) {
    return false;
  }
  out = tlv;
  return true;
}

bool DerReader::read_integer(std::span<const uint8_t>& out, uint8_t expected_tag) {
  DerReader scratch = *this;
  Tlv tlv;
  if (!scratch.read(expected_tag, tlv) || tlv.value.empty()) {
    return false;
  }
  // X.690 §8.3.2: the first nine bits of a multi-octet integer are not all ones or all zeros.
  if (tlv.value.size() > 1) {
    uint8_t b0 = tlv.value[0];
    uint8_t b1 = tlv.value[1];
    if ((b0 == 0x00 && b1 < 0x80) || (b0 == 0xFF && b1 >= 0x80)) {
      return false;
    }
  }
  *this = scratch;
  out = tlv.value;
  return true;
}

bool DerReader::read_small_uint(uint64_t max, uint64_t& out, uint8_t expected_tag) {
  DerReader scratch = *this;
  std::span<const uint8_t> v;
  // Non-negative and at most 64 value bits (a ninth octet only as the 0x00 sign octet).
  if (!scratch.read_integer(v, expected_tag) || v[0] >= 0x80 || v.size() > 9 ||
      (v.size() == 9 && v[0] != 0)) {
    return false;
  }
  uint64_t n = 0;
  for (uint8_t b : v) {
    n = (n << 8) | b;
  }
  if (n > max) {
    return false;
  }
  *this = scratch;
  out = n;
  return true;
}

bool DerReader::read_oid(std::span<const uint8_t>& out) {
  DerReader scratch = *this;
  Tlv tlv;
  if (!scratch.read(tag::kOid, tlv) || tlv.value.empty()) {
    return false;
  }
  // X.690 §8.19.2: each subidentifier "shall be encoded in the fewest possible octets, that is,
  // the leading octet of the subidentifier shall not have the value 0x80"; the last octet of
  // each has bit 8 clear.
  bool at_start = true;
  for (uint8_t b : tlv.value) {
    if (at_start && b == 0x80) {
      return false;
    }
    at_start = (b & 0x80) == 0;
  }
  if (!at_start) {
    return false;
  }
  *this = scratch;
  out = tlv.value;
  return true;
}

bool DerReader::read_bool(bool& out) {
  DerReader scratch = *this;
  Tlv tlv;
  if (!scratch.read(tag::kBoolean, tlv) || tlv.value.size() != 1) {
    return false;
  }
  // X.690 §11.1: "If the encoding represents the boolean value TRUE, its single contents octet
  // shall have all eight bits set to one."
  if (tlv.value[0] != 0x00 && tlv.value[0] != 0xFF) {
    return false;
  }
  *this = scratch;
  out = tlv.value[0] == 0xFF;
  return true;
}

bool DerReader::read_null() {
  DerReader scratch = *this;
  Tlv tlv;
  if (!scratch.read(tag::kNull, tlv) || !tlv.value.empty()) {
    return false;
  }
  *this = scratch;
  return true;
}

bool DerReader::read_bit_string(std::span<const uint8_t>& bytes, uint8_t& unused_bits,
                                uint8_t expected_tag) {
  DerReader scratch = *this;
  Tlv tlv;
  if (!scratch.read(expected_tag, tlv)) {
    return false;
  }
  codec::Reader body(tlv.value);
  uint8_t unused;
  if (!body.read_u8(unused) || unused > 7) {
    return false;
  }
  std::span<const uint8_t> octets = body.take_rest();
  if (octets.empty() && unused != 0) {
    return false;  // X.690 §8.6.2.3: an empty bit string has no unused bits
  }
  // X.690 §11.2.1: "Each unused bit in the final octet of the encoding of a bit string value
  // shall be set to zero."
  if (unused != 0 && (octets.back() & ((1u << unused) - 1)) != 0) {
    return false;
  }
  *this = scratch;
  bytes = octets;
  unused_bits = unused;
  return true;
}

bool DerReader::read_bit_string_octets(std::span<const uint8_t>& bytes) {
  DerReader scratch = *this;
  uint8_t unused;
  if (!scratch.read_bit_string(bytes, unused) || unused != 0) {
    return false;
  }
  *this = scratch;
  return true;
}

bool DerReader::read_time(int64_t& out) {
  DerReader scratch = *this;
  Tlv tlv;
  if (!scratch.read_any(tlv)) {
    return false;
  }
  std::optional<int64_t> t = parse_time_value(tlv.tag, tlv.value);
  if (!t) {
    return false;
  }
  *this = scratch;
  out = *t;
  return true;
}

std::optional<int64_t> parse_time_value(uint8_t time_tag, std::span<const uint8_t> value) {
  int year;
  size_t pos;
  if (time_tag == tag::kUtcTime) {
    // RFC 5280 §4.1.2.5.1: "UTCTime values MUST be expressed in Greenwich Mean Time (Zulu) and
    // MUST include seconds (i.e., times are YYMMDDHHMMSSZ)" ... "Where YY is greater than or
    // equal to 50, the year SHALL be interpreted as 19YY; and Where YY is less than 50, the year
    // SHALL be interpreted as 20YY."
    if (value.size() != 13 || !digits(value, 0, 2, year)) {
      return std::nullopt;
    }
    year += year >= 50 ? 1900 : 2000;
    pos = 2;
  } else if (time_tag == tag::kGeneralizedTime) {
    // RFC 5280 §4.1.2.5.2: "GeneralizedTime values MUST be expressed in Greenwich Mean Time
    // (Zulu) and MUST include seconds (i.e., times are YYYYMMDDHHMMSSZ), even where the number
    // of seconds is zero. GeneralizedTime values MUST NOT include fractional seconds."
    if (value.size() != 15 || !digits(value, 0, 4, year)) {
      return std::nullopt;
    }
    pos = 4;
  } else {
    return std::nullopt;
  }
  int month, day, hour, minute, second;
  if (!digits(value, pos, 2, month) || !digits(value, pos + 2, 2, day) ||
      !digits(value, pos + 4, 2, hour) || !digits(value, pos + 6, 2, minute) ||
      !digits(value, pos + 8, 2, second) || value[pos + 10] != 'Z') {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }
  return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

std::string format_time(int64_t unix_seconds) {
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t days = unix_seconds / 86400;
  int64_t secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    days -= 1;
  }
  int64_t y;
  int m, d;
  civil_from_days(days, y, m, d);
  std::array<char, 64> buf{};
  int n = std::snprintf(buf.data(), buf.size(), "%s %2d %02d:%02d:%02d %lld GMT",
                        kMonths[static_cast<size_t>(m - 1)], d, static_cast<int>(secs / 3600),
                        static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60),
                        static_cast<long long>(y));
  if (n < 0) {
    return {};
  }
  return std::string(buf.data());
}

std::string oid_to_string(std::span<const uint8_t> oid) {
  std::string out;
  uint64_t v = 0;
  bool first = true;
  bool pending = false;
  for (uint8_t b : oid) {
    if (v > (UINT64_MAX >> 7)) {
      return {};
    }
    v = (v << 7) | (b & 0x7F);
    pending = true;
    if (b & 0x80) {
      continue;
    }
    if (first) {
      // X.690 §8.19.4: the first subidentifier is 40 * arc1 + arc2, arc1 in 0..2.
      uint64_t arc1 = v < 40 ? 0 : (v < 80 ? 1 : 2);
      // Appended piece by piece: gcc 12 at -O3 reports a false -Wrestrict on "." + string.
      out += std::to_string(arc1);
      out += '.';
      out += std::to_string(v - arc1 * 40);
      first = false;
    } else {
      out += '.';
      out += std::to_string(v);
    }
    v = 0;
    pending = false;
  }
  if (pending || first) {
    return {};
  }
  return out;
}

}  // namespace hs::x509

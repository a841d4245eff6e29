#include "x509/der.h"

#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <vector>

namespace hs::x509 {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes with_body(Bytes header, size_t n, uint8_t fill = 0xAB) {
  header.insert(header.end(), n, fill);
  return header;
}

TEST(DerReader, ReadsATlvWithValueAndRaw) {
  const Bytes der = {0x02, 0x01, 0x05, 0x05, 0x00};
  DerReader r(der);
  Tlv tlv;
  ASSERT_TRUE(r.read_any(tlv));
  EXPECT_EQ(tlv.tag, 0x02);
  EXPECT_EQ(Bytes(tlv.value.begin(), tlv.value.end()), Bytes({0x05}));
  EXPECT_EQ(Bytes(tlv.raw.begin(), tlv.raw.end()), Bytes({0x02, 0x01, 0x05}));
  uint8_t t;
  ASSERT_TRUE(r.peek_tag(t));
  EXPECT_EQ(t, tag::kNull);
  EXPECT_FALSE(r.expect_end());
  EXPECT_FALSE(r.read(tag::kInteger, tlv));  // wrong tag, nothing consumed
  EXPECT_TRUE(r.read_null());
  EXPECT_TRUE(r.expect_end());
  EXPECT_FALSE(r.peek_tag(t));
}

TEST(DerReader, AcceptsLongFormOnlyWhenNeeded) {
  Bytes ok = with_body({0x04, 0x81, 0x80}, 128);
  DerReader r(ok);
  Tlv tlv;
  ASSERT_TRUE(r.read(tag::kOctetString, tlv));
  EXPECT_EQ(tlv.value.size(), 128u);
  EXPECT_EQ(tlv.raw.size(), 131u);

  Bytes two = with_body({0x04, 0x82, 0x01, 0x00}, 256);
  DerReader r2(two);
  ASSERT_TRUE(r2.read_any(tlv));
  EXPECT_EQ(tlv.value.size(), 256u);
}

TEST(DerReader, RejectsNonMinimalAndIndefiniteLengths) {
  const std::vector<Bytes> bad = {
      with_body({0x04, 0x81, 0x05}, 5),            // long form for a short length
      with_body({0x04, 0x82, 0x00, 0x80}, 128),    // leading zero length octet
      {0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00},  // indefinite length
      {0x04, 0xFF},                                // reserved length octet
      {0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00},  // five length octets
      {0x04, 0x05, 0x01, 0x02},                    // longer than the input
      {0x04, 0x81},                                // truncated length
      {0x04},                                      // no length
      {0x1F, 0x20, 0x00},                          // high-tag-number form
      {0xBF, 0x81, 0x00, 0x00},                    // high-tag-number form, context class
      {0x00, 0x00},                                // end-of-contents
  };
  for (const Bytes& b : bad) {
    DerReader r(b);
    Tlv tlv;
    EXPECT_FALSE(r.read_any(tlv)) << testing::PrintToString(b);
    EXPECT_EQ(r.empty(), b.empty());  // nothing consumed
  }
}

TEST(DerReader, ExpectEndSeesTrailingBytes) {
  const Bytes der = {0x05, 0x00, 0x00};
  DerReader r(der);
  ASSERT_TRUE(r.read_null());
  EXPECT_FALSE(r.expect_end());
}

TEST(DerReader, ConstructedChildCannotSeePastItsElement) {
  const Bytes der = {0x30, 0x03, 0x02, 0x01, 0x07, 0x02, 0x01, 0x08};
  DerReader r(der);
  DerReader seq;
  ASSERT_TRUE(r.read_constructed(tag::kSequence, seq));
  std::span<const uint8_t> v;
  ASSERT_TRUE(seq.read_integer(v));
  EXPECT_EQ(v[0], 7);
  EXPECT_TRUE(seq.expect_end());
  EXPECT_FALSE(seq.read_integer(v));
  ASSERT_TRUE(r.read_integer(v));
  EXPECT_EQ(v[0], 8);
}

TEST(DerReader, ReadOptional) {
  const Bytes der = {0x80, 0x01, 0xAA, 0x05, 0x00};
  DerReader r(der);
  std::optional<Tlv> opt;
  ASSERT_TRUE(r.read_optional(tag::context_primitive(1), opt));
  EXPECT_FALSE(opt.has_value());
  ASSERT_TRUE(r.read_optional(tag::context_primitive(0), opt));
  ASSERT_TRUE(opt.has_value());
  EXPECT_EQ(opt->value[0], 0xAA);
  const Bytes broken = {0x80, 0x05, 0xAA};
  DerReader r2(broken);
  EXPECT_FALSE(r2.read_optional(tag::context_primitive(0), opt));
}

TEST(DerReader, IntegersMustBeMinimal) {
  struct Case {
    Bytes der;
    bool ok;
  };
  const std::vector<Case> cases = {
      {{0x02, 0x01, 0x00}, true},
      {{0x02, 0x01, 0xFF}, true},
      {{0x02, 0x02, 0x00, 0x80}, true},
      {{0x02, 0x02, 0xFF, 0x7F}, true},
      {{0x02, 0x02, 0x00, 0x7F}, false},
      {{0x02, 0x02, 0xFF, 0x80}, false},
      {{0x02, 0x00}, false},
  };
  for (const Case& c : cases) {
    DerReader r(c.der);
    std::span<const uint8_t> v;
    EXPECT_EQ(r.read_integer(v), c.ok) << testing::PrintToString(c.der);
  }
}

TEST(DerReader, SmallUnsignedIntegers) {
  uint64_t v;
  const Bytes five = {0x02, 0x01, 0x05};
  DerReader r1(five);
  EXPECT_FALSE(r1.read_small_uint(4, v));
  EXPECT_TRUE(r1.read_small_uint(5, v));
  EXPECT_EQ(v, 5u);
  const Bytes negative = {0x02, 0x01, 0x80};
  DerReader r2(negative);
  EXPECT_FALSE(r2.read_small_uint(UINT64_MAX, v));
  const Bytes max64 = {0x02, 0x09, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  DerReader r3(max64);
  EXPECT_TRUE(r3.read_small_uint(UINT64_MAX, v));
  EXPECT_EQ(v, UINT64_MAX);
  const Bytes too_big = {0x02, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  DerReader r4(too_big);
  EXPECT_FALSE(r4.read_small_uint(UINT64_MAX, v));
}

TEST(DerReader, BooleansAreZeroOrAllOnes) {
  bool b;
  const Bytes t = {0x01, 0x01, 0xFF};
  const Bytes f = {0x01, 0x01, 0x00};
  DerReader rt(t), rf(f);
  ASSERT_TRUE(rt.read_bool(b));
  EXPECT_TRUE(b);
  ASSERT_TRUE(rf.read_bool(b));
  EXPECT_FALSE(b);
  for (const Bytes& bad : std::vector<Bytes>{
           {0x01, 0x01, 0x01}, {0x01, 0x01, 0x7F}, {0x01, 0x02, 0xFF, 0xFF}, {0x01, 0x00}}) {
    DerReader r(bad);
    EXPECT_FALSE(r.read_bool(b));
  }
}

TEST(DerReader, BitStrings) {
  std::span<const uint8_t> bits;
  uint8_t unused;
  const Bytes empty = {0x03, 0x01, 0x00};
  DerReader r1(empty);
  ASSERT_TRUE(r1.read_bit_string(bits, unused));
  EXPECT_TRUE(bits.empty());
  const Bytes seven = {0x03, 0x02, 0x07, 0x80};
  DerReader r2(seven);
  ASSERT_TRUE(r2.read_bit_string(bits, unused));
  EXPECT_EQ(unused, 7);
  DerReader r2b(seven);
  EXPECT_FALSE(r2b.read_bit_string_octets(bits));  // keys and signatures are whole octets
  for (const Bytes& bad : std::vector<Bytes>{{0x03, 0x01, 0x01},        // unused bits, no octets
                                             {0x03, 0x02, 0x07, 0x81},  // unused bit set
                                             {0x03, 0x02, 0x08, 0x00},  // unused > 7
                                             {0x03, 0x00},              // no unused octet
                                             {0x23, 0x03, 0x03, 0x01, 0x00}}) {  // constructed
    DerReader r(bad);
    EXPECT_FALSE(r.read_bit_string(bits, unused)) << testing::PrintToString(bad);
  }
  const Bytes whole = {0x03, 0x03, 0x00, 0xDE, 0xAD};
  DerReader r3(whole);
  ASSERT_TRUE(r3.read_bit_string_octets(bits));
  EXPECT_EQ(Bytes(bits.begin(), bits.end()), Bytes({0xDE, 0xAD}));
}

TEST(DerReader, ObjectIdentifiers) {
  std::span<const uint8_t> oid;
  // 1.2.840.113549.1.1.11 (sha256WithRSAEncryption, RFC 4055 §5).
  const Bytes sha256_rsa = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B};
  DerReader r(sha256_rsa);
  ASSERT_TRUE(r.read_oid(oid));
  EXPECT_EQ(oid_to_string(oid), "1.2.840.113549.1.1.11");
  const Bytes ext = {0x55, 0x1D, 0x13};
  EXPECT_EQ(oid_to_string(ext), "2.5.29.19");
  const Bytes joint = {0x88, 0x37};  // 2.999 (X.690 §8.19.5 example)
  EXPECT_EQ(oid_to_string(joint), "2.999");
  for (const Bytes& bad : std::vector<Bytes>{{0x06, 0x00},
                                             {0x06, 0x02, 0x80, 0x01},  // non-minimal arc
                                             {0x06, 0x02, 0x55, 0x81},  // unterminated arc
                                             {0x26, 0x01, 0x55}}) {     // constructed
    DerReader rb(bad);
    EXPECT_FALSE(rb.read_oid(oid)) << testing::PrintToString(bad);
  }
}

int64_t timegm_of(int y, int mo, int d, int h, int mi, int s) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm));
}

std::optional<int64_t> parse(uint8_t t, const std::string& s) {
  return parse_time_value(t, std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

TEST(DerTime, UtcTimeWindowIs1950To2049) {
  // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, YY < 50 is 20YY.
  EXPECT_EQ(parse(tag::kUtcTime, "491231235959Z"), timegm_of(2049, 12, 31, 23, 59, 59));
  EXPECT_EQ(parse(tag::kUtcTime, "500101000000Z"), timegm_of(1950, 1, 1, 0, 0, 0));
  EXPECT_EQ(parse(tag::kUtcTime, "700101000000Z"), 0);
  EXPECT_EQ(parse(tag::kUtcTime, "000229120000Z"), timegm_of(2000, 2, 29, 12, 0, 0));
  EXPECT_EQ(parse(tag::kGeneralizedTime, "20500101000000Z"), timegm_of(2050, 1, 1, 0, 0, 0));
  EXPECT_EQ(parse(tag::kGeneralizedTime, "19491231235959Z"), timegm_of(1949, 12, 31, 23, 59, 59));
  EXPECT_EQ(parse(tag::kGeneralizedTime, "99991231235959Z"), timegm_of(9999, 12, 31, 23, 59, 59));
}

TEST(DerTime, RejectsFormsRfc5280Forbids) {
  const std::vector<std::pair<uint8_t, std::string>> bad = {
      {tag::kUtcTime, "4912312359Z"},                // no seconds
      {tag::kUtcTime, "491231235959"},               // no Z
      {tag::kUtcTime, "491231235959+0000"},          // offset
      {tag::kUtcTime, "20491231235959Z"},            // GeneralizedTime shape
      {tag::kGeneralizedTime, "20500101000000.5Z"},  // fractional seconds
      {tag::kGeneralizedTime, "205001010000Z"},      // no seconds
      {tag::kGeneralizedTime, "500101000000Z"},      // UTCTime shape
      {tag::kUtcTime, "491331235959Z"},              // month 13
      {tag::kUtcTime, "490001235959Z"},              // month 0
      {tag::kUtcTime, "490100235959Z"},              // day 0
      {tag::kUtcTime, "490431235959Z"},              // April 31
      {tag::kUtcTime, "490229000000Z"},              // 2049 is not a leap year
      {tag::kGeneralizedTime, "19000229000000Z"},    // 1900 is not a leap year
      {tag::kUtcTime, "491231245959Z"},              // hour 24
      {tag::kUtcTime, "491231236059Z"},              // minute 60
      {tag::kUtcTime, "491231235960Z"},              // second 60
      {tag::kUtcTime, "4912312359 9Z"},              // non-digit
      {tag::kUtcTime, "-91231235959Z"},              // sign
      {tag::kOctetString, "491231235959Z"},          // not a time
  };
  for (const auto& [t, s] : bad) {
    EXPECT_FALSE(parse(t, s).has_value()) << s;
  }
}

TEST(DerTime, ReadTimeConsumesTheElement) {
  const std::string s = "500101000000Z";
  Bytes der = {tag::kUtcTime, static_cast<uint8_t>(s.size())};
  der.insert(der.end(), s.begin(), s.end());
  DerReader r(der);
  int64_t t;
  ASSERT_TRUE(r.read_time(t));
  EXPECT_EQ(t, -631152000);
  EXPECT_TRUE(r.expect_end());
}

TEST(DerTime, FormatsLikeOpenSsl) {
  EXPECT_EQ(format_time(0), "Jan  1 00:00:00 1970 GMT");
  EXPECT_EQ(format_time(timegm_of(2026, 11, 27, 23, 15, 3)), "Nov 27 23:15:03 2026 GMT");
  EXPECT_EQ(format_time(timegm_of(2049, 12, 31, 23, 59, 59)), "Dec 31 23:59:59 2049 GMT");
  EXPECT_EQ(format_time(timegm_of(1950, 2, 5, 1, 2, 3)), "Feb  5 01:02:03 1950 GMT");
}

}  // namespace
}  // namespace hs::x509

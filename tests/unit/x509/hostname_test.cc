#include "x509/hostname.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/x509/test_util.h"

namespace hs::x509 {
namespace {

Certificate with_sans(const std::vector<std::string>& dns, const std::vector<Bytes>& ips) {
  Certificate c;
  for (const std::string& d : dns) {
    c.subject_alt_names.push_back({GeneralName::Type::dns_name, Bytes(d.begin(), d.end())});
  }
  for (const Bytes& ip : ips) {
    c.subject_alt_names.push_back({GeneralName::Type::ip_address, ip});
  }
  c.has_subject_alt_name = !c.subject_alt_names.empty();
  return c;
}

struct DnsCase {
  const char* presented;
  const char* host;
  bool match;
};

TEST(Hostname, DnsNameRules) {
  const std::vector<DnsCase> cases = {
      // Exact, case-insensitive (ASCII).
      {"example.com", "example.com", true},
      {"Example.COM", "eXample.com", true},
      {"example.com", "www.example.com", false},
      {"www.example.com", "example.com", false},
      {"example.com", "example.co", false},
      // A trailing dot on either side is ignored.
      {"example.com", "example.com.", true},
      {"example.com.", "example.com", true},
      {"example.com", "example.com..", false},
      // Wildcard: the whole leftmost label, one label.
      {"*.example.com", "a.example.com", true},
      {"*.example.com", "A.EXAMPLE.com", true},
      {"*.example.com", "a.example.com.", true},
      {"*.example.com", "a.b.example.com", false},
      {"*.example.com", "example.com", false},
      {"*.example.com", ".example.com", false},
      {"*.example.com", "a.example.org", false},
      // Never "*.com" or a bare "*".
      {"*.com", "example.com", false},
      {"*", "localhost", false},
      {"*.", "com", false},
      // No partial wildcards, no wildcard below the leftmost label, only one.
      {"f*.example.com", "foo.example.com", false},
      {"*o.example.com", "foo.example.com", false},
      {"f*o.example.com", "foo.example.com", false},
      {"a.*.example.com", "a.b.example.com", false},
      {"*.*.example.com", "a.b.example.com", false},
      {"**.example.com", "a.example.com", false},
      // The host never carries a wildcard of its own.
      {"*.example.com", "*.example.com", false},
      {"example.com", "*", false},
      // Empty labels and empty names.
      {"", "", false},
      {"a..example.com", "a..example.com", false},
      {"example.com", "", false},
      // Not a byte-for-byte mismatch helper: lowercase only ASCII.
      {"\xC3\x89xample.com", "\xC3\xA9xample.com", false},
  };
  for (const DnsCase& c : cases) {
    EXPECT_EQ(match_dns_name(c.presented, c.host), c.match)
        << "presented=" << c.presented << " host=" << c.host;
    EXPECT_EQ(matches_host(with_sans({c.presented}, {}), c.host), c.match)
        << "presented=" << c.presented << " host=" << c.host;
  }
}

TEST(Hostname, IpLiteralsMatchOnlyIpAddresses) {
  const Certificate c =
      with_sans({"127.0.0.1", "::1", "localhost"},
                {{10, 0, 0, 1}, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}});
  EXPECT_TRUE(matches_host(c, "10.0.0.1"));
  EXPECT_TRUE(matches_host(c, "2001:db8::1"));
  EXPECT_TRUE(matches_host(c, "2001:DB8:0:0:0:0:0:1"));
  EXPECT_TRUE(matches_host(c, "[2001:db8::1]"));
  EXPECT_TRUE(matches_host(c, "localhost"));
  // An IP literal is never compared with a dNSName, even one spelling the same address.
  EXPECT_FALSE(matches_host(c, "127.0.0.1"));
  EXPECT_FALSE(matches_host(c, "::1"));
  EXPECT_FALSE(matches_host(c, "10.0.0.2"));
  // An IPv4 address does not match its IPv4-mapped IPv6 form or vice versa.
  EXPECT_FALSE(matches_host(c, "::ffff:10.0.0.1"));
  // iPAddress entries never match DNS hosts.
  EXPECT_FALSE(matches_host(with_sans({}, {{10, 0, 0, 1}}), "ten.example"));

  HostMatch m = match_host(c, "2001:db8::1");
  EXPECT_TRUE(m.by_ip);
  EXPECT_EQ(m.presented, "2001:db8::1");
  HostMatch d = match_host(with_sans({"*.Example.com"}, {}), "a.example.com");
  EXPECT_TRUE(d.matched);
  EXPECT_FALSE(d.by_ip);
  EXPECT_EQ(d.presented, "*.Example.com");
}

TEST(Hostname, NoSubjectAltNameMatchesNothing) {
  Certificate c;  // a CN alone is never consulted
  NameAttribute cn;
  cn.oid = Bytes(std::begin(oid::kCommonName), std::end(oid::kCommonName));
  cn.string_tag = 0x0C;
  cn.value = Bytes{'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't'};
  c.subject.attributes.push_back(cn);
  EXPECT_FALSE(matches_host(c, "localhost"));
}

TEST(Hostname, ParsesIpLiteralsLikeInetPton) {
  const std::vector<std::string> v4 = {"0.0.0.0", "127.0.0.1", "255.255.255.255", "1.2.3.4"};
  for (const std::string& s : v4) {
    std::array<uint8_t, 4> expect{};
    ASSERT_EQ(inet_pton(AF_INET, s.c_str(), expect.data()), 1);
    auto got = parse_ip_literal(s);
    ASSERT_TRUE(got.has_value()) << s;
    EXPECT_EQ(*got, Bytes(expect.begin(), expect.end())) << s;
  }
  const std::vector<std::string> v6 = {"::",
                                       "::1",
                                       "1::",
                                       "2001:db8::1",
                                       "fe80::1:2:3:4",
                                       "1:2:3:4:5:6:7:8",
                                       "::ffff:1.2.3.4",
                                       "1:2:3:4:5:6:1.2.3.4",
                                       "ABCD:ef01::"};
  for (const std::string& s : v6) {
    std::array<uint8_t, 16> expect{};
    ASSERT_EQ(inet_pton(AF_INET6, s.c_str(), expect.data()), 1) << s;
    auto got = parse_ip_literal(s);
    ASSERT_TRUE(got.has_value()) << s;
    EXPECT_EQ(*got, Bytes(expect.begin(), expect.end())) << s;
    std::array<char, INET6_ADDRSTRLEN> text{};
    ASSERT_NE(inet_ntop(AF_INET6, expect.data(), text.data(), text.size()), nullptr);
    EXPECT_EQ(format_ip(*got), std::string(text.data())) << s;
  }
  for (const char* s : {"1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.", "a.b.c.d",
                        "1:2:3:4:5:6:7:8:9", "1::2::3", ":1", "1:", "12345::", "::g",
                        "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "[::1", "example.com", ""}) {
    EXPECT_FALSE(parse_ip_literal(s).has_value()) << s;
  }
}

TEST(Hostname, OpensslCertificateEndToEnd) {
  if (!testing::have_openssl()) {
    FAIL() << "openssl CLI not available (scripts/setup.sh installs it)";
  }
  testing::TempDir dir;
  auto g = testing::make_cert(dir, "h", "ec -pkeyopt ec_paramgen_curve:P-256", "/CN=cn.example",
                              "-days 1 -addext "
                              "'subjectAltName=DNS:*.wild.example,DNS:exact.example,IP:192.0.2.7'");
  auto c = parse_certificate(g.der);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_TRUE(matches_host(*c, "a.wild.example"));
  EXPECT_TRUE(matches_host(*c, "EXACT.example."));
  EXPECT_TRUE(matches_host(*c, "192.0.2.7"));
  EXPECT_FALSE(matches_host(*c, "cn.example"));
  EXPECT_FALSE(matches_host(*c, "wild.example"));
  EXPECT_FALSE(matches_host(*c, "a.b.wild.example"));
  EXPECT_EQ(describe_subject_alt_names(*c),
            "DNS:*.wild.example, DNS:exact.example, IP Address:192.0.2.7");
}

}  // namespace
}  // namespace hs::x509

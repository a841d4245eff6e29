// Name-constraint subtree matching (RFC 5280 §4.2.1.10) and the trust store's loading rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "unit/x509/test_util.h"
#include "x509/name_constraints.h"
#include "x509/trust_store.h"
#include "x509/verify_error.h"

namespace hs::x509 {
namespace {

TEST(ValidateNameConstraints, DnsSubtrees) {
  // "Any DNS name that can be constructed by simply adding zero or more labels to the left-hand
  // side of the name satisfies the name constraint."
  EXPECT_TRUE(dns_name_within("example.com", "example.com"));
  EXPECT_TRUE(dns_name_within("www.example.com", "example.com"));
  EXPECT_TRUE(dns_name_within("a.b.EXAMPLE.com", "example.COM"));
  EXPECT_TRUE(dns_name_within("www.example.com.", "example.com"));
  EXPECT_TRUE(dns_name_within("*.example.com", "example.com"));
  EXPECT_FALSE(dns_name_within("badexample.com", "example.com"));
  EXPECT_FALSE(dns_name_within("example.com.evil", "example.com"));
  EXPECT_FALSE(dns_name_within("com", "example.com"));
  // A leading dot means strictly below.
  EXPECT_TRUE(dns_name_within("www.example.com", ".example.com"));
  EXPECT_FALSE(dns_name_within("example.com", ".example.com"));
  // An empty base is the whole tree.
  EXPECT_TRUE(dns_name_within("anything.test", ""));
}

TEST(ValidateNameConstraints, WildcardReachesOneLabelDown) {
  EXPECT_TRUE(dns_wildcard_reaches("*.example.com", "bar.example.com"));
  EXPECT_TRUE(dns_wildcard_reaches("*.EXAMPLE.com.", "bar.example.COM"));
  EXPECT_FALSE(dns_wildcard_reaches("*.example.com", "a.bar.example.com"));
  EXPECT_FALSE(dns_wildcard_reaches("*.example.com", ".bar.example.com"));
  EXPECT_FALSE(dns_wildcard_reaches("*.example.com", "example.com"));  // dns_name_within's case
  EXPECT_FALSE(dns_wildcard_reaches("www.example.com", "bar.example.com"));
  EXPECT_FALSE(dns_wildcard_reaches("*.example.com", "bar.example.org"));
}

TEST(ValidateNameConstraints, IpSubtrees) {
  const uint8_t net10[] = {10, 0, 0, 0, 255, 0, 0, 0};
  const uint8_t in[] = {10, 1, 2, 3};
  const uint8_t out[] = {11, 1, 2, 3};
  EXPECT_TRUE(ip_within(in, net10));
  EXPECT_FALSE(ip_within(out, net10));
  Bytes v6(16, 0);
  v6[0] = 10;
  EXPECT_FALSE(ip_within(v6, net10));  // families never match
  const uint8_t host[] = {192, 168, 1, 1, 255, 255, 255, 255};
  const uint8_t same[] = {192, 168, 1, 1};
  const uint8_t next[] = {192, 168, 1, 2};
  EXPECT_TRUE(ip_within(same, host));
  EXPECT_FALSE(ip_within(next, host));
}

TEST(ValidateNameConstraints, MailboxSubtrees) {
  EXPECT_EQ(email_within("root@example.com", "root@example.com"), true);
  EXPECT_EQ(email_within("root@EXAMPLE.com", "root@example.com"), true);
  EXPECT_EQ(email_within("Root@example.com", "root@example.com"), false);
  EXPECT_EQ(email_within("root@example.com", "example.com"), true);
  EXPECT_EQ(email_within("root@www.example.com", "example.com"), false);
  EXPECT_EQ(email_within("root@www.example.com", ".example.com"), true);
  EXPECT_EQ(email_within("root@example.com", ".example.com"), false);
  EXPECT_EQ(email_within("a@b@example.com", "example.com"), true);  // the last "@" splits
  EXPECT_EQ(email_within("example.com", "example.com"), std::nullopt);
  EXPECT_EQ(email_within("@example.com", "example.com"), std::nullopt);
  EXPECT_EQ(email_within("root@", "example.com"), std::nullopt);
}

TEST(ValidateNameConstraints, UriHosts) {
  EXPECT_EQ(uri_host("https://example.com/a"), "example.com");
  EXPECT_EQ(uri_host("https://user:pw@example.com:443/a?b#c"), "example.com");
  EXPECT_EQ(uri_host("ldap://example.com?x"), "example.com");
  EXPECT_EQ(uri_host("https://example.com"), "example.com");
  EXPECT_EQ(uri_host("urn:isbn:123"), std::nullopt);
  EXPECT_EQ(uri_host("https:///path"), std::nullopt);
  EXPECT_EQ(uri_host("https://10.0.0.1/"), std::nullopt);
  EXPECT_EQ(uri_host("https://[::1]:8443/"), std::nullopt);
  EXPECT_EQ(uri_host("//example.com/"), std::nullopt);  // no scheme
  EXPECT_TRUE(uri_host_within("example.com", "example.com"));
  EXPECT_FALSE(uri_host_within("www.example.com", "example.com"));
  EXPECT_TRUE(uri_host_within("www.example.com", ".example.com"));
  EXPECT_FALSE(uri_host_within("example.com", ".example.com"));
}

TEST(ValidateNameConstraints, PermittedThenExcludedPerName) {
  Certificate cert;
  cert.subject_alt_names = {{GeneralName::Type::dns_name, Bytes{'a', '.', 'o', 'k'}},
                            {GeneralName::Type::ip_address, Bytes{10, 0, 0, 1}}};
  NameConstraints nc;
  nc.permitted = {{GeneralName::Type::dns_name, Bytes{'o', 'k'}}};
  // No iPAddress subtree permitted: addresses are unconstrained.
  EXPECT_EQ(check_name_constraints(nc, cert), VerifyStatus::ok);
  nc.permitted.push_back({GeneralName::Type::ip_address, Bytes{192, 168, 0, 0, 255, 255, 0, 0}});
  EXPECT_EQ(check_name_constraints(nc, cert), VerifyStatus::permitted_subtree_violation);
  nc.permitted.pop_back();
  nc.excluded = {{GeneralName::Type::ip_address, Bytes{10, 0, 0, 0, 255, 0, 0, 0}}};
  EXPECT_EQ(check_name_constraints(nc, cert), VerifyStatus::excluded_subtree_violation);
}

TEST(ValidateTrustStore, IndexesAndDeduplicates) {
  if (!testing::have_openssl()) {
    FAIL() << "openssl CLI not available (scripts/setup.sh installs it)";
  }
  testing::TempDir dir;
  auto a = testing::make_cert(dir, "a", "ec -pkeyopt ec_paramgen_curve:P-256", "/CN=Store A",
                              "-days 30");
  auto b = testing::make_cert(dir, "b", "ec -pkeyopt ec_paramgen_curve:P-256", "/CN=Store B",
                              "-days 30");
  std::string a_pem = testing::read_file(a.cert_path);
  std::string b_pem = testing::read_file(b.cert_path);

  TrustStore store;
  auto stats = store.add_pem(a_pem + b_pem + a_pem);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->added, 2u);
  EXPECT_EQ(stats->duplicates, 1u);
  auto ca = parse_certificate(a.der);
  ASSERT_TRUE(ca.ok());
  ASSERT_EQ(store.find_by_subject(ca->subject.raw).size(), 1u);
  ASSERT_TRUE(ca->subject_key_id.has_value());
  EXPECT_EQ(store.find_by_key_id(*ca->subject_key_id).size(), 1u);
  EXPECT_EQ(store.find_anchor(*ca), store.find_by_subject(ca->subject.raw).front());
  EXPECT_TRUE(store.contains_der(a.der));

  // A directory: *.pem, *.crt and hashed names are read; broken files are counted, other names
  // ignored.
  testing::TempDir capath;
  std::ofstream(capath.file("a.pem")) << a_pem;
  std::ofstream(capath.file("0badc0de.0")) << b_pem;
  std::ofstream(capath.file("b.crt")) << b_pem;         // duplicate of the hashed one
  std::ofstream(capath.file("notes.txt")) << a_pem;     // ignored name
  std::ofstream(capath.file("junk.pem")) << "hello\n";  // no certificate
  std::ofstream(capath.file("bad.crt")) << "-----BEGIN CERTIFICATE-----\n";  // broken PEM
  TrustStore from_dir;
  auto d = from_dir.load_directory(capath.file(""));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->added, 2u);
  EXPECT_EQ(d->duplicates, 1u);
  EXPECT_EQ(d->skipped, 2u);

  TrustStore missing;
  EXPECT_FALSE(missing.load_file(capath.file("absent.pem")).ok());
  EXPECT_FALSE(missing.load_file(capath.file("junk.pem")).ok());
  EXPECT_FALSE(missing.load_directory(capath.file("absent")).ok());
}

TEST(ValidateTrustStore, SystemBundleLoads) {
  if (!std::filesystem::exists(kSystemCaFile)) {
    FAIL() << kSystemCaFile << " not installed (scripts/setup.sh installs ca-certificates)";
  }
  TrustStore store;
  auto stats = store.load_file(kSystemCaFile);
  ASSERT_TRUE(stats.ok()) << stats.error().message();
  EXPECT_GT(stats->added, 50u);
}

}  // namespace
}  // namespace hs::x509

// Path validation against the cases of x509-limbo (C2SP/x509-limbo, limbo/testcases/): each test
// re-makes one case's certificates in memory (cert_builder.h, the same extensions as limbo's
// builder) and checks our verdict, the reason (curl's text) and the certificate blamed, for the
// profile we implement: a TLS client validating a server ("server" validation, serverAuth,
// peer name example.com unless the case names another), at a fixed time.
//
// Test names are the limbo case ids (namespace::case). Where limbo's expectation and ours
// differ by design, the test says so and asserts what we do; README "X.509 conformance
// (x509-limbo)" lists those differences.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "unit/x509/cert_builder.h"
#include "x509/trust_store.h"
#include "x509/verifier.h"

namespace hs::x509 {
namespace {

using namespace hs::x509::testing;  // NOLINT(google-build-using-namespace)

constexpr int64_t k2024 = 1704067200;  // 2024-01-01T00:00:00Z, inside limbo's default validity

// Outcome is what verification said: `error` is empty when the chain and the name were accepted.
struct Outcome {
  bool accepted = false;
  std::string message;  // curl's text (Error::detail), or the parse error
  std::string note;     // "depth N: <subject>"
  ErrorCode code = ErrorCode::internal_error;
};

struct Case {
  Der leaf;
  std::vector<Der> intermediates;
  std::vector<Der> roots;
  std::string host = "example.com";
  Purpose purpose = Purpose::server_auth;
  int64_t at = k2024;
};

Outcome run(const Case& c) {
  auto store = std::make_shared<TrustStore>();
  for (const Der& r : c.roots) {
    // A root that does not parse is not a trust anchor (as OpenSSL skips it in a CA file).
    (void)store->add_der(r);
  }
  ValidationOptions options;
  options.purpose = c.purpose;
  options.at_time = c.at;
  DefaultVerifier verifier(store, options);
  std::vector<CertificateDer> chain{c.leaf};
  chain.insert(chain.end(), c.intermediates.begin(), c.intermediates.end());
  auto r = verifier.verify(chain, c.host);
  Outcome o;
  o.accepted = r.ok();
  if (!r.ok()) {
    o.message = r.error().detail();
    o.note = r.error().note();
    o.code = r.error().code();
  }
  return o;
}

#define EXPECT_ACCEPTED(c)                                            \
  do {                                                                \
    Outcome o_ = run(c);                                              \
    EXPECT_TRUE(o_.accepted) << o_.message << " (" << o_.note << ")"; \
  } while (0)

// EXPECT_REFUSED checks the curl text and the depth of the certificate blamed ("depth N").
#define EXPECT_REFUSED(c, text, depth)                                                \
  do {                                                                                \
    Outcome o_ = run(c);                                                              \
    EXPECT_FALSE(o_.accepted);                                                        \
    EXPECT_EQ(o_.message, text);                                                      \
    EXPECT_EQ(o_.note.rfind(std::string("depth ") + #depth + ":", 0), 0u) << o_.note; \
  } while (0)

constexpr const char* kPermitted = "SSL certificate problem: permitted subtree violation";
constexpr const char* kExcluded = "SSL certificate problem: excluded subtree violation";
constexpr const char* kInvalidCa = "SSL certificate problem: invalid CA certificate";
constexpr const char* kPurpose = "SSL certificate problem: unsuitable certificate purpose";
constexpr const char* kPathLen = "SSL certificate problem: path length constraint exceeded";
constexpr const char* kCritical = "SSL certificate problem: unhandled critical extension";
constexpr const char* kNoIssuer = "SSL certificate problem: unable to get local issuer certificate";
constexpr const char* kExpired = "SSL certificate problem: certificate has expired";
constexpr const char* kNotYet = "SSL certificate problem: certificate is not yet valid";

std::string no_match(const std::string& host) {
  return "SSL: no alternative certificate subject name matches target host name '" + host + "'";
}

Der v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return {a, b, c, d}; }
Der v6_loopback() {
  Der a(16, 0);
  a[15] = 1;
  return a;
}
Der v6_host_mask() { return Der(16, 0xFF); }
Der concat(const Der& a, const Der& b) { return cat({a, b}); }

// key returns the Ed25519 key of `seed`, made once per process (the tests only read keys).
const TestKey& key(uint8_t seed) {
  static std::map<uint8_t, TestKey> keys;
  auto it = keys.find(seed);
  if (it == keys.end()) {
    it = keys.emplace(seed, make_key(seed)).first;
  }
  return it->second;
}

class Limbo : public ::testing::Test {
 protected:
  const TestKey& root_key = key(1);
  const TestKey& int_key = key(2);
  const TestKey& int2_key = key(3);
  const TestKey& int3_key = key(4);
  const TestKey& leaf_key = key(5);
  const TestKey& other_key = key(6);

  Issued root(CertSpec s) { return issue(s, root_key, root_key); }
  Issued root() { return root(root_spec(root_key)); }
  // Root with name constraints (critical), limbo's root_ca(name_constraints=...).
  Issued nc_root(const Der& nc) {
    CertSpec s = root_spec(root_key);
    s.extensions.push_back(nc);
    return root(s);
  }
  Issued leaf(const Issued& parent, const Der& san) {
    return issue(leaf_spec(parent, leaf_key, san), leaf_key, *parent.key);
  }
  Issued leaf(const Issued& parent) {
    return issue(leaf_spec(parent, leaf_key), leaf_key, *parent.key);
  }
  Issued ica(const Issued& parent, const TestKey& key, std::optional<uint64_t> path_len,
             const std::string& name) {
    return issue(intermediate_spec(parent, key, path_len, cn(name)), key, *parent.key);
  }
  // mutually_signed: CA `a` (int_key) signed by CA `b` (int2_key) and `b` by `a`, a leaf under
  // `a`, both sent as intermediates; the trusted root is neither's issuer.
  Case mutually_signed(const std::string& a, const std::string& b) {
    CertSpec sa = intermediate_spec(Issued{{}, cn(b), &int2_key}, int_key, std::nullopt, cn(a));
    CertSpec sb = intermediate_spec(Issued{{}, cn(a), &int_key}, int2_key, std::nullopt, cn(b));
    Issued ia = issue(sa, int_key, int2_key);
    Issued ib = issue(sb, int2_key, int_key);
    Case c = direct(root(), leaf(ia));
    c.intermediates = {ia.der, ib.der};
    return c;
  }
  Case direct(const Issued& r, const Issued& l, const std::string& host = "example.com") {
    Case c;
    c.leaf = l.der;
    c.roots = {r.der};
    c.host = host;
    return c;
  }
};

// ---- rfc5280::nc (name constraints) ----

TEST_F(Limbo, NcPermittedDnsMismatch) {
  Issued r = nc_root(name_constraints({dns("example.com")}, {}));
  EXPECT_REFUSED(direct(r, leaf(r, subject_alt_name({dns("not-example.com")}))), kPermitted, 0);
}

TEST_F(Limbo, NcExcludedDnsMatchInIntermediate) {
  Issued r = root();
  CertSpec s = intermediate_spec(r, int_key, std::nullopt, cn("ica"));
  s.extensions.push_back(name_constraints({}, {dns("example.com")}));
  Issued i = issue(s, int_key, root_key);
  Case c = direct(r, leaf(i));
  c.intermediates = {i.der};
  EXPECT_REFUSED(c, kExcluded, 0);
}

TEST_F(Limbo, NcPermittedDnsMatch) {
  Issued r = nc_root(name_constraints({dns("example.com")}, {}));
  EXPECT_ACCEPTED(direct(r, leaf(r)));
  // permitted-dns-match-more: labels added on the left satisfy the constraint.
  EXPECT_ACCEPTED(
      direct(r, leaf(r, subject_alt_name({dns("foo.bar.example.com")})), "foo.bar.example.com"));
}

TEST_F(Limbo, NcExcludedDnsMatchSecondSan) {
  Issued r = nc_root(name_constraints({}, {dns("not-allowed.example.com")}));
  EXPECT_REFUSED(
      direct(r, leaf(r, subject_alt_name({dns("example.com"), dns("not-allowed.example.com")}))),
      kExcluded, 0);
}

TEST_F(Limbo, NcIpAddresses) {
  const Der net = concat(v4(192, 0, 2, 0), v4(255, 255, 255, 0));
  Issued permit = nc_root(name_constraints({ip(net)}, {}));
  EXPECT_REFUSED(
      direct(permit, leaf(permit, subject_alt_name({ip(v4(192, 0, 3, 1))})), "192.0.3.1"),
      kPermitted, 0);
  EXPECT_ACCEPTED(
      direct(permit, leaf(permit, subject_alt_name({ip(v4(192, 0, 2, 1))})), "192.0.2.1"));
  Issued exclude = nc_root(name_constraints({}, {ip(net)}));
  EXPECT_REFUSED(
      direct(exclude, leaf(exclude, subject_alt_name({ip(v4(192, 0, 2, 1))})), "192.0.2.1"),
      kExcluded, 0);
  const Der loop6 = concat(v6_loopback(), v6_host_mask());
  Issued permit6 = nc_root(name_constraints({ip(loop6)}, {}));
  EXPECT_ACCEPTED(direct(permit6, leaf(permit6, subject_alt_name({ip(v6_loopback())})), "::1"));
  Issued exclude6 = nc_root(name_constraints({}, {ip(loop6)}));
  EXPECT_REFUSED(direct(exclude6, leaf(exclude6, subject_alt_name({ip(v6_loopback())})), "::1"),
                 kExcluded, 0);
}

TEST_F(Limbo, NcDifferentConstraintTypeDoesNotApply) {
  const Der net = ip(concat(v4(192, 0, 2, 0), v4(255, 255, 255, 0)));
  Issued permit = nc_root(name_constraints({net}, {}));
  EXPECT_ACCEPTED(direct(permit, leaf(permit)));
  Issued exclude = nc_root(name_constraints({}, {net}));
  EXPECT_ACCEPTED(direct(exclude, leaf(exclude)));
}

TEST_F(Limbo, NcExcludedWinsOverPermitted) {
  Issued r = nc_root(name_constraints({dns("example.com")}, {dns("example.com")}));
  EXPECT_REFUSED(direct(r, leaf(r)), kExcluded, 0);
}

TEST_F(Limbo, NcPermittedSelfIssuedIntermediateIsExempt) {
  // root "CN=not-example.com" with SAN not-example.com and permitted example.com; the
  // intermediate is self-issued (same name), so the constraint does not apply to it.
  CertSpec rs = root_spec(root_key, cn("not-example.com"));
  rs.extensions[2] = subject_alt_name({dns("not-example.com")});
  rs.extensions.push_back(name_constraints({dns("example.com")}, {}));
  Issued r = root(rs);
  CertSpec is = intermediate_spec(r, int_key, std::nullopt, cn("not-example.com"));
  is.extensions[2] = subject_alt_name({dns("not-example.com")});
  Issued i = issue(is, int_key, root_key);
  Case c = direct(r, leaf(i));
  c.intermediates = {i.der};
  EXPECT_ACCEPTED(c);
}

TEST_F(Limbo, NcExcludedSelfIssuedLeafIsChecked) {
  // A self-issued leaf is still the final certificate: the constraint applies.
  Issued r = nc_root(name_constraints({dns("example.com")}, {}));
  CertSpec is = intermediate_spec(r, int_key, std::nullopt, cn("not-example.com"));
  is.extensions[2] = subject_alt_name({dns("not-example.com")});
  Issued i = issue(is, int_key, root_key);
  CertSpec ls = leaf_spec(i, leaf_key, subject_alt_name({dns("not-example.com")}));
  ls.issuer = cn("not-example.com");
  ls.subject = cn("not-example.com");
  Case c = direct(r, issue(ls, leaf_key, int_key), "not-example.com");
  c.intermediates = {i.der};
  // The intermediate itself carries not-example.com and is not self-issued: it is refused first.
  EXPECT_REFUSED(c, kPermitted, 1);
  // With an intermediate inside the constraint, the self-issued leaf is the one refused.
  is.extensions[2] = subject_alt_name({dns("example.com")});
  i = issue(is, int_key, root_key);
  c.intermediates = {i.der};
  c.leaf = issue(ls, leaf_key, int_key).der;
  EXPECT_REFUSED(c, kPermitted, 0);
}

TEST_F(Limbo, NcIntermediateSanRejectedByIntermediateNc) {
  Issued r = root();
  CertSpec s1 = intermediate_spec(r, int_key, std::nullopt, cn("ica1"));
  s1.extensions.push_back(
      name_constraints({dns("permitted.example.com")}, {dns("forbidden.example.com")}));
  Issued i1 = issue(s1, int_key, root_key);
  CertSpec s2 = intermediate_spec(i1, int2_key, std::nullopt, cn("ica2"));
  s2.extensions[2] = subject_alt_name({dns("forbidden.example.com")});
  Issued i2 = issue(s2, int2_key, int_key);
  Case c = direct(r, leaf(i2, subject_alt_name({dns("permitted.example.com")})),
                  "permitted.example.com");
  c.intermediates = {i1.der, i2.der};
  // forbidden.example.com is outside the permitted subtree before it is in the excluded one.
  EXPECT_REFUSED(c, kPermitted, 1);
}

TEST_F(Limbo, NcMalformedSubtrees) {
  // invalid-dnsname-wildcard: "*.example.com" is no DNS subtree; nothing lies in it.
  Issued wild = nc_root(name_constraints({dns("*.example.com")}, {}));
  EXPECT_REFUSED(
      direct(wild, leaf(wild, subject_alt_name({dns("foo.example.com")})), "foo.example.com"),
      kPermitted, 0);
  // invalid-ipv4-address: an address without a mask is no subtree.
  Issued bare = nc_root(name_constraints({ip(v4(127, 0, 0, 1))}, {}));
  Outcome o = run(direct(bare, leaf(bare, subject_alt_name({ip(v4(127, 0, 0, 1))})), "127.0.0.1"));
  EXPECT_FALSE(o.accepted);
}

TEST_F(Limbo, NcLeadingPeriodIsHonouredByDesign) {
  // invalid-dnsname-leading-period: limbo expects FAILURE (RFC 5280 gives the leading period to
  // URI constraints only). We read ".example.com" as "strictly below example.com", as OpenSSL,
  // Go and the browsers do, so a subdomain is accepted and the apex refused.
  Issued r = nc_root(name_constraints({dns(".example.com")}, {}));
  EXPECT_ACCEPTED(
      direct(r, leaf(r, subject_alt_name({dns("foo.example.com")})), "foo.example.com"));
  EXPECT_REFUSED(direct(r, leaf(r)), kPermitted, 0);
}

TEST_F(Limbo, NcNotAllowedInEndEntity) {
  // not-allowed-in-ee-critical / -noncritical: RFC 5280 §4.2.1.10 "The name constraints
  // extension, which MUST be used only in a CA certificate".
  for (bool critical : {true, false}) {
    Issued r = root();
    CertSpec s = leaf_spec(r, leaf_key);
    s.extensions.push_back(name_constraints({dns("example.com")}, {}, critical));
    EXPECT_REFUSED(direct(r, issue(s, leaf_key, root_key)),
                   "SSL certificate problem: invalid or inconsistent certificate extension", 0);
  }
}

TEST_F(Limbo, NcDirectoryName) {
  // rfc5280::nc::permitted-dn-* / excluded-dn-*: directoryName constraints apply to the subject
  // and to directoryName SAN entries (RFC 5280 §4.2.1.10). These leaves carry no DNS name, so
  // the peer name is not checked (limbo's harnesses check the chain alone here).
  auto dn_leaf = [&](const Issued& r, const std::string& subject, const std::string& san) {
    CertSpec s = leaf_spec(r, leaf_key, subject_alt_name({dir_name(cn(san))}));
    s.subject = cn(subject);
    Case c = direct(r, issue(s, leaf_key, root_key), "");
    return c;
  };
  Issued permit = nc_root(name_constraints({dir_name(cn("foo"))}, {}));
  EXPECT_REFUSED(dn_leaf(permit, "not-foo", "not-foo"), kPermitted, 0);
  EXPECT_ACCEPTED(dn_leaf(permit, "foo", "foo"));
  EXPECT_REFUSED(dn_leaf(permit, "not-foo", "foo"), kPermitted, 0);  // subject outside
  EXPECT_ACCEPTED(dn_leaf(permit, "FOO ", "foo"));                   // RFC 4518: case and spaces
  Issued exclude = nc_root(name_constraints({}, {dir_name(cn("foo"))}));
  EXPECT_REFUSED(dn_leaf(exclude, "foo", "foo"), kExcluded, 0);
  EXPECT_REFUSED(dn_leaf(exclude, "foo", "not-foo"), kExcluded, 0);  // subject inside
  EXPECT_ACCEPTED(dn_leaf(exclude, "not-foo", "not-foo"));
  // A subtree is a prefix of RDNs: OU=hs permits "OU=hs, CN=leaf" but not "CN=leaf, OU=hs".
  Issued ou = nc_root(name_constraints({dir_name(name({{kOidOu, "hs"}}))}, {}));
  CertSpec s = leaf_spec(ou, leaf_key);
  s.subject = name({{kOidOu, "hs"}, {kOidCn, "leaf"}});
  EXPECT_ACCEPTED(direct(ou, issue(s, leaf_key, root_key)));
  s.subject = name({{kOidCn, "leaf"}, {kOidOu, "hs"}});
  EXPECT_REFUSED(direct(ou, issue(s, leaf_key, root_key)), kPermitted, 0);
}

TEST_F(Limbo, NcRfc822Names) {
  // rfc822Name constraints (RFC 5280 §4.2.1.10): a mailbox, a host, or (leading period) every
  // host of a domain. They were not processed before, so a leaf's mail address passed any
  // constraint; §4.2.1.10 says "the application MUST either process the constraint or reject
  // the certificate".
  auto mail_leaf = [&](const Issued& r, const std::string& address) {
    return direct(r, leaf(r, subject_alt_name({dns("example.com"), email(address)})));
  };
  Issued host = nc_root(name_constraints({email("example.com")}, {}));
  EXPECT_ACCEPTED(mail_leaf(host, "ops@example.com"));
  EXPECT_ACCEPTED(mail_leaf(host, "ops@EXAMPLE.com"));
  EXPECT_REFUSED(mail_leaf(host, "ops@mail.example.com"), kPermitted, 0);  // a host, not a domain
  EXPECT_REFUSED(mail_leaf(host, "ops@example.org"), kPermitted, 0);
  Issued domain = nc_root(name_constraints({email(".example.com")}, {}));
  EXPECT_ACCEPTED(mail_leaf(domain, "ops@mail.example.com"));
  EXPECT_REFUSED(mail_leaf(domain, "ops@example.com"), kPermitted, 0);  // "but not ... the host"
  Issued mailbox = nc_root(name_constraints({}, {email("root@example.com")}));
  EXPECT_REFUSED(mail_leaf(mailbox, "root@Example.COM"), kExcluded, 0);
  EXPECT_ACCEPTED(mail_leaf(mailbox, "Root@example.com"));  // local parts compare exactly
  EXPECT_REFUSED(mail_leaf(host, "no-at-sign"),
                 "SSL certificate problem: unsupported or invalid name syntax", 0);
  // The DNS constraint alone leaves mail addresses free, and the reverse.
  Issued dns_only = nc_root(name_constraints({dns("example.com")}, {}));
  EXPECT_ACCEPTED(mail_leaf(dns_only, "ops@example.org"));
  // Without a subjectAltName the subject's emailAddress attributes are the rfc822Names ("the
  // rfc822Name constraint MUST be applied to the attribute of type emailAddress in the subject
  // distinguished name").
  auto dn_mail_leaf = [&](const Issued& r, const std::string& address) {
    CertSpec s = leaf_spec(r, leaf_key);
    s.extensions.pop_back();  // leaf_spec's subjectAltName
    s.subject = name({{kOidCn, "leaf"}, {kOidEmailAddress, address}});
    return direct(r, issue(s, leaf_key, root_key), "");
  };
  EXPECT_ACCEPTED(dn_mail_leaf(host, "ops@example.com"));
  EXPECT_REFUSED(dn_mail_leaf(host, "ops@example.org"), kPermitted, 0);
}

TEST_F(Limbo, NcUriNames) {
  // "For URIs, the constraint applies to the host part of the name ... When the constraint
  // begins with a period, it MAY be expanded with one or more labels ... When the constraint
  // does not begin with a period, it specifies a host." (RFC 5280 §4.2.1.10)
  auto uri_leaf = [&](const Issued& r, const std::string& u) {
    return direct(r, leaf(r, subject_alt_name({dns("example.com"), uri(u)})));
  };
  Issued host = nc_root(name_constraints({uri("example.com")}, {}));
  EXPECT_ACCEPTED(uri_leaf(host, "https://example.com/path"));
  EXPECT_ACCEPTED(uri_leaf(host, "https://user@EXAMPLE.com:8443/?q#f"));
  EXPECT_REFUSED(uri_leaf(host, "https://www.example.com/"), kPermitted, 0);
  Issued domain = nc_root(name_constraints({}, {uri(".example.com")}));
  EXPECT_REFUSED(uri_leaf(domain, "https://www.example.com/"), kExcluded, 0);
  EXPECT_ACCEPTED(uri_leaf(domain, "https://example.com/"));
  // A URI without a host part, or with an address literal, cannot be held to a domain name.
  const char* syntax = "SSL certificate problem: unsupported or invalid name syntax";
  EXPECT_REFUSED(uri_leaf(host, "urn:example:com"), syntax, 0);
  EXPECT_REFUSED(uri_leaf(host, "https://192.0.2.1/"), syntax, 0);
  EXPECT_REFUSED(uri_leaf(host, "https://[2001:db8::1]/"), syntax, 0);
}

TEST_F(Limbo, NcOnUnprocessedNameFormRefusesSuchNames) {
  // RFC 5280 §4.2.1.10: "If a name constraints extension that is marked as critical imposes
  // constraints on a particular name form, and an instance of that name form appears in the
  // subject field or subjectAltName extension of a subsequent certificate, then the application
  // MUST either process the constraint or reject the certificate." otherName is not processed.
  const Der upn = {0x2B, 0x06, 0x01, 0x04, 0x01,
                   0x82, 0x37, 0x14, 0x02, 0x03};  // 1.3.6.1.4.1.311.20.2.3
  Issued r = nc_root(name_constraints({other_name(upn, "@example.com")}, {}));
  EXPECT_REFUSED(
      direct(r, leaf(r, subject_alt_name({dns("example.com"), other_name(upn, "a@example.com")}))),
      "SSL certificate problem: unsupported name constraint type", 0);
  // A leaf without such a name is not concerned.
  EXPECT_ACCEPTED(direct(r, leaf(r)));
}

TEST_F(Limbo, NcWildcardSanAgainstConstraints) {
  // cve::cve-2025-61727: an intermediate permits example.com and excludes bar.example.com; the
  // leaf's SAN is *.example.com, which would serve bar.example.com. Refused.
  Issued r = root();
  CertSpec s = intermediate_spec(r, int_key, std::nullopt, cn("ica"));
  s.extensions.erase(s.extensions.begin() + 2);  // no SAN on the intermediate
  s.extensions.push_back(name_constraints({dns("example.com")}, {dns("bar.example.com")}));
  Issued i = issue(s, int_key, root_key);
  Case c = direct(r, leaf(i, subject_alt_name({dns("*.example.com")})), "bar.example.com");
  c.intermediates = {i.der};
  EXPECT_REFUSED(c, kExcluded, 0);
  c.host = "foo.example.com";  // the certificate is refused whatever the peer name
  EXPECT_REFUSED(c, kExcluded, 0);
  // Excluding a deeper name (a.bar.example.com) or what lies strictly below bar.example.com
  // cannot be reached by *.example.com.
  for (const char* excluded : {"a.bar.example.com", ".bar.example.com"}) {
    CertSpec t = intermediate_spec(r, int_key, std::nullopt, cn("ica"));
    t.extensions.erase(t.extensions.begin() + 2);
    t.extensions.push_back(name_constraints({dns("example.com")}, {dns(excluded)}));
    Issued j = issue(t, int_key, root_key);
    Case d = direct(r, leaf(j, subject_alt_name({dns("*.example.com")})), "foo.example.com");
    d.intermediates = {j.der};
    EXPECT_ACCEPTED(d);
  }
  // cve::cve-2025-61727-nc-permits-variant: permitted foo.example.com does not contain
  // *.example.com.
  CertSpec p = intermediate_spec(r, int_key, std::nullopt, cn("ica"));
  p.extensions.erase(p.extensions.begin() + 2);
  p.extensions.push_back(name_constraints({dns("foo.example.com")}, {}));
  Issued k = issue(p, int_key, root_key);
  Case e = direct(r, leaf(k, subject_alt_name({dns("*.example.com")})), "foo.example.com");
  e.intermediates = {k.der};
  EXPECT_REFUSED(e, kPermitted, 0);
}

// ---- pathlen, ee_pathlen ----

TEST_F(Limbo, PathLenEndEntityBelowAnyPathLen) {
  for (uint64_t n : {0u, 1u, 2u}) {
    Issued r = root();
    Issued i = ica(r, int_key, n, "ica");
    Case c = direct(r, leaf(i));
    c.intermediates = {i.der};
    EXPECT_ACCEPTED(c);
  }
}

TEST_F(Limbo, PathLenIntermediateViolatesZero) {
  Issued r = root();
  Issued i1 = ica(r, int_key, 0, "ica1");
  Issued i2 = ica(i1, int2_key, 0, "ica2");
  Case c = direct(r, leaf(i2));
  c.intermediates = {i1.der, i2.der};
  EXPECT_REFUSED(c, kPathLen, 2);
}

TEST_F(Limbo, PathLenMayIncrease) {
  Issued r = root();
  Issued i1 = ica(r, int_key, 1, "ica1");
  Issued i2 = ica(i1, int2_key, 2, "ica2");
  Case c = direct(r, leaf(i2));
  c.intermediates = {i1.der, i2.der};
  EXPECT_ACCEPTED(c);
}

TEST_F(Limbo, PathLenTooLong) {
  Issued r = root();
  Issued i1 = ica(r, int_key, 1, "ica1");
  Issued i2 = ica(i1, int2_key, 0, "ica2");
  Issued i3 = ica(i2, int3_key, 0, "ica3");
  Case c = direct(r, leaf(i3));
  c.intermediates = {i1.der, i2.der, i3.der};
  EXPECT_REFUSED(c, kPathLen, 2);
}

TEST_F(Limbo, PathLenSelfIssuedNotCounted) {
  // root -> ICA' (pathlen 1) -> ICA' (self-issued, pathlen 1) -> ICA'' (pathlen 0) -> EE
  Issued r = root();
  Issued i1 = ica(r, int_key, 1, "ica-prime");
  Issued i2 = ica(i1, int2_key, 1, "ica-prime");
  Issued i3 = ica(i2, int3_key, 0, "ica-second");
  Case c = direct(r, leaf(i3));
  c.intermediates = {i1.der, i2.der, i3.der};
  EXPECT_ACCEPTED(c);
}

TEST_F(Limbo, PathLenInLeafIsIgnoredButCaLeafNeedsTlsKeyUsage) {
  // validation-ignores-pathlen-in-leaf: the peer is itself an intermediate (pathlen 0) under an
  // intermediate with pathlen 0. The path length is right (RFC 5280 §4.2.1.9: the last
  // certificate is not counted), but its keyUsage is keyCertSign alone, and a TLS server key must
  // allow digitalSignature (or key agreement / encipherment): we refuse it for its purpose, as
  // OpenSSL's check_purpose_ssl_server does. limbo expects SUCCESS (no key usage asked).
  Issued r = root();
  Issued i1 = ica(r, int_key, 0, "ica1");
  Issued i2 = ica(i1, int2_key, 0, "ica2");
  Case c = direct(r, i2);
  c.intermediates = {i1.der};
  EXPECT_REFUSED(c, kPurpose, 0);
  // With digitalSignature as well, the same chain is accepted: pathlen is not what refused it.
  CertSpec s = intermediate_spec(i1, int2_key, 0, cn("ica2"));
  s.extensions[1] = key_usage({kDigitalSignature, kKeyCertSign});
  c.leaf = issue(s, int2_key, int_key).der;
  EXPECT_ACCEPTED(c);
}

TEST_F(Limbo, PathLenOnEndEntityIsInvalid) {
  // RFC 5280 §4.2.1.9: "CAs MUST NOT include the pathLenConstraint field unless the cA boolean
  // is asserted".
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key);
  s.extensions.push_back(basic_constraints(false, 0, false));
  EXPECT_REFUSED(direct(r, issue(s, leaf_key, root_key)),
                 "SSL certificate problem: invalid or inconsistent certificate extension", 0);
}

// ---- rfc5280 (basicConstraints, keyUsage, extensions) ----

TEST_F(Limbo, IntermediateWithoutCaBit) {
  Issued r = root();
  CertSpec s = intermediate_spec(r, int_key, std::nullopt, cn("ica"));
  s.extensions[0] = basic_constraints(false, std::nullopt);
  Issued i = issue(s, int_key, root_key);
  Case c = direct(r, leaf(i));
  c.intermediates = {i.der};
  EXPECT_REFUSED(c, kInvalidCa, 1);
  // intermediate-ca-missing-basic-constraints
  s.extensions.erase(s.extensions.begin());
  i = issue(s, int_key, root_key);
  c = direct(r, leaf(i));
  c.intermediates = {i.der};
  EXPECT_REFUSED(c, kInvalidCa, 1);
}

TEST_F(Limbo, RootMissingBasicConstraints) {
  CertSpec s = root_spec(root_key);
  s.extensions.erase(s.extensions.begin());
  Issued r = root(s);
  EXPECT_REFUSED(direct(r, leaf(r)), kInvalidCa, 1);
}

TEST_F(Limbo, RootNonCriticalBasicConstraintsAcceptedByDesign) {
  // root-non-critical-basic-constraints: limbo expects FAILURE. "MUST mark the extension as
  // critical" binds the issuing CA; OpenSSL (without X509_STRICT), Go and the browsers accept
  // such roots, and trust stores hold some. We accept.
  CertSpec s = root_spec(root_key);
  s.extensions[0] = basic_constraints(true, std::nullopt, false);
  Issued r = root(s);
  EXPECT_ACCEPTED(direct(r, leaf(r)));
}

TEST_F(Limbo, CaKeyUsageWithoutKeyCertSign) {
  // root-inconsistent-ca-extensions (keyUsage present, keyCertSign not asserted)
  CertSpec s = root_spec(root_key);
  s.extensions[1] = key_usage({kCrlSign});
  Issued r = root(s);
  EXPECT_REFUSED(direct(r, leaf(r)), kInvalidCa, 1);
  // ica-ku-keycertsign (pathlen 0, keyUsage without keyCertSign)
  Issued good = root();
  CertSpec is = intermediate_spec(good, int_key, 0, cn("ica"));
  is.extensions[1] = key_usage({kDigitalSignature});
  Issued i = issue(is, int_key, root_key);
  Case c = direct(good, leaf(i));
  c.intermediates = {i.der};
  EXPECT_REFUSED(c, kInvalidCa, 1);
  // An empty keyUsage (limbo's all-false KeyUsage) is malformed: RFC 5280 §4.2.1.3 "at least
  // one of the bits MUST be set to 1".
  is.extensions[1] = key_usage({});
  c.leaf = leaf(issue(is, int_key, root_key)).der;
  c.intermediates = {issue(is, int_key, root_key).der};
  Outcome o = run(c);
  EXPECT_FALSE(o.accepted);
  EXPECT_EQ(o.code, ErrorCode::bad_certificate) << o.message;
}

TEST_F(Limbo, LeafKeyCertSignWithoutCa) {
  // leaf-ku-keycertsign: RFC 5280 §4.2.1.9 "If the cA boolean is not asserted, then the
  // keyCertSign bit in the key usage extension MUST NOT be asserted."
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key);
  s.extensions[2] = key_usage({kDigitalSignature, kKeyCertSign});
  s.extensions.push_back(basic_constraints(false, std::nullopt));
  EXPECT_REFUSED(direct(r, issue(s, leaf_key, root_key)),
                 "SSL certificate problem: invalid or inconsistent certificate extension", 0);
  // Without basicConstraints at all the leaf is no CA either (§4.2.1.9: "If the basic
  // constraints extension is not present ... the certified public key MUST NOT be used to
  // verify certificate signatures").
  s.extensions.pop_back();
  EXPECT_REFUSED(direct(r, issue(s, leaf_key, root_key)),
                 "SSL certificate problem: invalid or inconsistent certificate extension", 0);
}

TEST_F(Limbo, UnknownCriticalExtension) {
  const Der unknown = extension(kOidUnknown, true, {});
  {
    Issued r = root();
    CertSpec s = leaf_spec(r, leaf_key);
    s.extensions.push_back(unknown);
    EXPECT_REFUSED(direct(r, issue(s, leaf_key, root_key)), kCritical, 0);
  }
  {
    CertSpec s = root_spec(root_key);
    s.extensions.push_back(unknown);
    Issued r = root(s);
    EXPECT_REFUSED(direct(r, leaf(r)), kCritical, 1);
  }
  {
    Issued r = root();
    CertSpec s = intermediate_spec(r, int_key, 0, cn("ica"));
    s.extensions.push_back(unknown);
    Issued i = issue(s, int_key, root_key);
    Case c = direct(r, leaf(i));
    c.intermediates = {i.der};
    EXPECT_REFUSED(c, kCritical, 1);
  }
  // rfc5280::ee-critical-aia-invalid: authorityInfoAccess (which we do not process) critical.
  {
    Issued r = root();
    CertSpec s = leaf_spec(r, leaf_key);
    const Der aia = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01};  // 1.3.6.1.5.5.7.1.1
    s.extensions.push_back(
        extension(aia, true,
                  seq({seq({testing::oid(Der{0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02}),
                            dns("example.com")})})));
    EXPECT_REFUSED(direct(r, issue(s, leaf_key, root_key)), kCritical, 0);
  }
  // The same extension non-critical is ignored.
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key);
  s.extensions.push_back(extension(kOidUnknown, false, {}));
  EXPECT_ACCEPTED(direct(r, issue(s, leaf_key, root_key)));
}

TEST_F(Limbo, DuplicateExtensions) {
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key);
  s.extensions.push_back(subject_alt_name({dns("example.com")}));
  Outcome o = run(direct(r, issue(s, leaf_key, root_key)));
  EXPECT_FALSE(o.accepted);
  EXPECT_EQ(o.code, ErrorCode::bad_certificate);
  EXPECT_NE(o.message.find("duplicate extension 2.5.29.17"), std::string::npos) << o.message;
}

TEST_F(Limbo, OptionalEndEntityExtensions) {
  // no-keyusage, no-basicconstraints (the default leaf has none), ee-without-eku (rfc5280).
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key);
  s.extensions.erase(s.extensions.begin() + 2, s.extensions.begin() + 4);  // keyUsage, EKU
  EXPECT_ACCEPTED(direct(r, issue(s, leaf_key, root_key)));
}

TEST_F(Limbo, CaEmptySubject) {
  // ca-empty-subject: RFC 5280 §4.1.2.6 "If the subject is a CA ... then the subject field MUST
  // be populated with a non-empty distinguished name".
  CertSpec s = root_spec(root_key, name({}));
  s.issuer = cn("x509-limbo-root");
  Issued r = root(s);
  EXPECT_REFUSED(direct(r, leaf(r)), kInvalidCa, 1);
}

TEST_F(Limbo, EndEntityEmptyIssuer) {
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key);
  s.issuer = name({});
  EXPECT_REFUSED(direct(r, issue(s, leaf_key, root_key)), kNoIssuer, 0);
}

TEST_F(Limbo, ChainUntrustedRoot) {
  Issued r = root();
  Issued i = ica(r, int_key, 0, "ica");
  Issued unrelated =
      issue(root_spec(other_key, cn("x509-limbo-unrelated-root")), other_key, other_key);
  Case c = direct(unrelated, leaf(i));
  c.intermediates = {r.der, i.der};
  EXPECT_REFUSED(c, "SSL certificate problem: self-signed certificate in certificate chain", 2);
}

TEST_F(Limbo, SanMalformedOrNotCriticalWithEmptySubject) {
  // rfc5280::san::malformed: the extension holds "example.com" as bare bytes.
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key);
  s.extensions.back() = extension(kOidSan, false, text("example.com"));
  Outcome o = run(direct(r, issue(s, leaf_key, root_key)));
  EXPECT_FALSE(o.accepted);
  EXPECT_EQ(o.message, "malformed extension 2.5.29.17");
  // rfc5280::san::noncritical-with-empty-subject: RFC 5280 §4.2.1.6 "If the subject field
  // contains an empty sequence, then the issuing CA MUST include a subjectAltName extension that
  // is marked as critical."
  CertSpec e = leaf_spec(r, leaf_key);
  e.subject = name({});
  EXPECT_REFUSED(direct(r, issue(e, leaf_key, root_key)),
                 "SSL certificate problem: invalid or inconsistent certificate extension", 0);
  e.extensions.back() = subject_alt_name({dns("example.com")}, true);
  EXPECT_ACCEPTED(direct(r, issue(e, leaf_key, root_key)));
}

TEST_F(Limbo, NameConstraintsWithoutSubtrees) {
  // webpki::nc::intermediate-permitted-excluded-subtrees-both-null / -both-empty-sequences:
  // RFC 5280 §4.2.1.10 "Conforming CAs MUST NOT issue certificates where name constraints is an
  // empty sequence", and GeneralSubtrees is SIZE (1..MAX). The intermediate does not parse.
  Issued r = root();
  for (const Der& nc :
       {extension(kOidNameConstraints, true, seq({})),
        extension(kOidNameConstraints, true, seq({tlv(0xA0, {}), tlv(0xA1, {})}))}) {
    CertSpec s = intermediate_spec(r, int_key, std::nullopt, cn("ica"));
    s.extensions.push_back(nc);
    Issued i = issue(s, int_key, root_key);
    Case c = direct(r, leaf(i));
    c.intermediates = {i.der};
    Outcome o = run(c);
    EXPECT_FALSE(o.accepted);
    EXPECT_EQ(o.message, "malformed extension 2.5.29.30");
  }
}

TEST_F(Limbo, KeyIdentifierRulesNotEnforcedByDesign) {
  // rfc5280::aki::critical-aki, leaf-missing-aki, intermediate-missing-aki, rfc5280::ski::
  // critical-ski, root-missing-ski, intermediate-missing-ski and webpki::aki::*: limbo expects
  // FAILURE; these are RFC 5280 rules for issuing CAs ("Conforming CAs MUST ..."), key
  // identifiers only help us pick an issuer, and OpenSSL (without X509_STRICT) and Go accept
  // the same chains. We accept them.
  Issued r = root();
  CertSpec no_aki = leaf_spec(r, leaf_key);
  no_aki.extensions.erase(no_aki.extensions.begin() + 1);
  EXPECT_ACCEPTED(direct(r, issue(no_aki, leaf_key, root_key)));
  CertSpec crit = root_spec(root_key);
  crit.extensions[3] = extension(kOidSki, true, tlv(0x04, root_key.key_id));
  crit.extensions.push_back(extension(kOidAki, true, seq({tlv(0x80, root_key.key_id)})));
  Issued rc = root(crit);
  EXPECT_ACCEPTED(direct(rc, leaf(rc)));
  CertSpec no_ski = root_spec(root_key);
  no_ski.extensions.pop_back();
  Issued rn = root(no_ski);
  EXPECT_ACCEPTED(direct(rn, leaf(rn)));
  CertSpec ica_spec = intermediate_spec(r, int_key, std::nullopt, cn("ica"));
  ica_spec.extensions.erase(ica_spec.extensions.begin() + 3, ica_spec.extensions.end());
  Issued i = issue(ica_spec, int_key, root_key);  // neither AKI nor SKI
  CertSpec under = leaf_spec(i, leaf_key);
  under.extensions.erase(under.extensions.begin() + 1);
  Case c = direct(r, issue(under, leaf_key, int_key));
  c.intermediates = {i.der};
  EXPECT_ACCEPTED(c);
}

TEST_F(Limbo, SerialNumbersAcceptedByDesign) {
  // rfc5280::serial::serial-number-zero, -too-long (22 octets), -negative (pedantic in limbo):
  // RFC 5280 §4.1.2.2 binds CAs ("MUST be a positive integer", "MUST NOT use serialNumber values
  // longer than 20 octets") and asks users to "gracefully handle" non-positive ones. Accepted.
  Issued r = root();
  for (const Der& serial : {Der{0x00}, Der(22, 0x5A), Der{0xFF, 0x01}}) {
    CertSpec s = leaf_spec(r, leaf_key);
    s.serial_contents = serial;
    EXPECT_ACCEPTED(direct(r, issue(s, leaf_key, root_key)));
  }
}

TEST_F(Limbo, CommonNameNotCheckedAgainstSanByDesign) {
  // webpki::cn::cabf-cn-not-in-san, -case-mismatch, ...: the CA/B rule that the CN copy a SAN
  // entry binds CAs; we never read the CN, so it cannot mislead us. Accepted.
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key, subject_alt_name({dns("valid.example.com")}));
  s.subject = cn("notinsan.example.com");
  EXPECT_ACCEPTED(direct(r, issue(s, leaf_key, root_key), "valid.example.com"));
}

TEST_F(Limbo, NonCriticalNameConstraintsAreApplied) {
  // rfc5280::nc::permitted-dns-match-noncritical expects FAILURE (RFC 5280 wants the extension
  // critical); webpki::nc::permitted-dns-match-noncritical expects SUCCESS (CA/B allows it). We
  // take the webpki side and apply the constraint whatever its criticality.
  Issued r = nc_root(name_constraints({dns("example.com")}, {}, false));
  EXPECT_ACCEPTED(direct(r, leaf(r)));
  EXPECT_REFUSED(direct(r, leaf(r, subject_alt_name({dns("example.org")})), "example.org"),
                 kPermitted, 0);
}

// ---- rfc5280::eku, webpki::eku ----

TEST_F(Limbo, EkuEndEntity) {
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key);
  s.extensions[3] = ext_key_usage({kOidClientAuth});  // ee-wrong-eku, webpki ee-clientauth-only
  EXPECT_REFUSED(direct(r, issue(s, leaf_key, root_key)), kPurpose, 0);
  s.extensions[3] = ext_key_usage({kOidServerAuth, kOidClientAuth});  // serverauth-with-additional
  EXPECT_ACCEPTED(direct(r, issue(s, leaf_key, root_key)));
  // Pedantic webpki cases we accept by design (README): anyExtendedKeyUsage next to serverAuth,
  // a critical EKU, codeSigning next to serverAuth; anyExtendedKeyUsage alone also serves.
  for (const Der& e :
       {ext_key_usage({kOidServerAuth, kOidAnyEku}), ext_key_usage({kOidServerAuth}, true),
        ext_key_usage({kOidServerAuth, kOidCodeSigning}), ext_key_usage({kOidAnyEku})}) {
    s.extensions[3] = e;
    EXPECT_ACCEPTED(direct(r, issue(s, leaf_key, root_key)));
  }
}

TEST_F(Limbo, EkuIntermediateConstrainsLeaf) {
  Issued r = root();
  CertSpec is = intermediate_spec(r, int_key, std::nullopt, cn("ica"));
  is.extensions.push_back(ext_key_usage({kOidClientAuth}));
  Issued i = issue(is, int_key, root_key);
  Case c = direct(r, leaf(i));
  c.intermediates = {i.der};
  EXPECT_REFUSED(c, kPurpose, 1);
  // Client validation of a clientAuth leaf under it is fine.
  CertSpec ls = leaf_spec(i, leaf_key);
  ls.extensions[3] = ext_key_usage({kOidClientAuth});
  c.leaf = issue(ls, leaf_key, int_key).der;
  c.purpose = Purpose::client_auth;
  c.host.clear();
  EXPECT_ACCEPTED(c);
}

TEST_F(Limbo, EkuOnRootIgnoredByDesign) {
  // webpki::eku::root-has-eku (pedantic): trust anchors are not constrained by their own EKU.
  CertSpec s = root_spec(root_key);
  s.extensions.push_back(ext_key_usage({kOidClientAuth}));
  Issued r = root(s);
  EXPECT_ACCEPTED(direct(r, leaf(r)));
}

// ---- webpki::san, rfc5280::san: the peer name ----

TEST_F(Limbo, SanDnsMatching) {
  Issued r = root();
  EXPECT_ACCEPTED(direct(r, leaf(r)));
  EXPECT_REFUSED(direct(r, leaf(r), "example2.com"), no_match("example2.com"), 0);
  EXPECT_REFUSED(direct(r, leaf(r), "abc.example.com"), no_match("abc.example.com"), 0);
  Issued abc = leaf(r, subject_alt_name({dns("abc.example.com")}));
  EXPECT_REFUSED(direct(r, abc, "def.example.com"), no_match("def.example.com"), 0);
  EXPECT_REFUSED(direct(r, abc, "example.com"), no_match("example.com"), 0);
  EXPECT_ACCEPTED(direct(r, leaf(r), "EXAMPLE.com."));
}

TEST_F(Limbo, SanWildcards) {
  Issued r = root();
  Issued wild = leaf(r, subject_alt_name({dns("*.example.com")}));
  EXPECT_ACCEPTED(direct(r, wild, "foo.example.com"));
  EXPECT_REFUSED(direct(r, wild, "foo.bar.example.com"), no_match("foo.bar.example.com"), 0);
  EXPECT_REFUSED(direct(r, wild, "example.com"), no_match("example.com"), 0);
  EXPECT_REFUSED(direct(r, leaf(r, subject_alt_name({dns("*.com")})), "example.com"),
                 no_match("example.com"), 0);
  EXPECT_REFUSED(direct(r, leaf(r, subject_alt_name({dns("ba*.example.com")})), "baz.example.com"),
                 no_match("baz.example.com"), 0);
  EXPECT_REFUSED(
      direct(r, leaf(r, subject_alt_name({dns("foo.*.example.com")})), "foo.bar.example.com"),
      no_match("foo.bar.example.com"), 0);
  EXPECT_REFUSED(direct(r, leaf(r, subject_alt_name({dns("xn--*-1b3c148a.example.com")})),
                        "xn--bliss-1b3c148a.example.com"),
                 no_match("xn--bliss-1b3c148a.example.com"), 0);
  // unicode-emoji-san: a dNSName that is not ASCII (IA5String) never matches an A-label.
  Outcome o = run(direct(r, leaf(r, subject_alt_name({dns("\xF0\x9F\x98\x9C.example.com")})),
                         "xn--628h.example.com"));
  EXPECT_FALSE(o.accepted);
}

TEST_F(Limbo, SanIpAddresses) {
  Issued r = root();
  Issued lo = leaf(r, subject_alt_name({ip(v4(127, 0, 0, 1))}));
  EXPECT_ACCEPTED(direct(r, lo, "127.0.0.1"));
  EXPECT_REFUSED(direct(r, lo, "127.0.0.2"), no_match("127.0.0.2"), 0);
  // An address written as a dNSName never matches an IP reference identity.
  EXPECT_REFUSED(direct(r, leaf(r, subject_alt_name({dns("127.0.0.1")})), "127.0.0.1"),
                 no_match("127.0.0.1"), 0);
  // Nor does an iPAddress entry match a DNS name.
  EXPECT_REFUSED(direct(r, lo, "example.com"), no_match("example.com"), 0);
}

TEST_F(Limbo, SubjectCommonNameIsNeverUsed) {
  // webpki::san::no-san: CN=example.com without a SAN is refused; with a SAN the CN is ignored.
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key);
  s.extensions.pop_back();
  EXPECT_REFUSED(direct(r, issue(s, leaf_key, root_key)), no_match("example.com"), 0);
  CertSpec t = leaf_spec(r, leaf_key, subject_alt_name({dns("other.example.com")}));
  t.subject = cn("example.com");
  EXPECT_REFUSED(direct(r, issue(t, leaf_key, root_key)), no_match("example.com"), 0);
}

TEST_F(Limbo, EmptySanIsMalformed) {
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key);
  s.extensions.back() = extension(kOidSan, false, seq({}));
  Outcome o = run(direct(r, issue(s, leaf_key, root_key)));
  EXPECT_FALSE(o.accepted);
  EXPECT_EQ(o.code, ErrorCode::bad_certificate) << o.message;
}

TEST_F(Limbo, SanCriticalWithSubjectAcceptedByDesign) {
  // webpki::san::san-critical-with-nonempty-subject: a CA/B issuance rule; RFC 5280 allows it.
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key, subject_alt_name({dns("example.com")}, true));
  s.subject = cn("something-else");
  EXPECT_ACCEPTED(direct(r, issue(s, leaf_key, root_key)));
}

// ---- rfc5280::validity ----

TEST_F(Limbo, ValidityBoundsAreInclusive) {
  const int64_t nb = 1709251200;  // 2024-03-01T00:00:00Z
  const int64_t na = 1711929600;  // 2024-04-01T00:00:00Z
  auto chain = [&](const std::string& from, const std::string& to) {
    CertSpec rs = root_spec(root_key);
    rs.not_before = from;
    rs.not_after = to;
    Issued r = root(rs);
    CertSpec is = intermediate_spec(r, int_key, std::nullopt, cn("ica"));
    is.not_before = from;
    is.not_after = to;
    Issued i = issue(is, int_key, root_key);
    CertSpec ls = leaf_spec(i, leaf_key);
    ls.not_before = from;
    ls.not_after = to;
    Case c = direct(r, issue(ls, leaf_key, int_key));
    c.intermediates = {i.der};
    return c;
  };
  Case c = chain("240301000000Z", "240401000000Z");
  c.at = nb;  // notbefore-exact
  EXPECT_ACCEPTED(c);
  c.at = na;  // notafter-exact
  EXPECT_ACCEPTED(c);
  c.at = na + 1;
  EXPECT_REFUSED(c, kExpired, 2);  // anchor first, as OpenSSL's internal_verify
  Case late = chain("240301000001Z", "240401000000Z");
  late.at = nb;  // notbefore-fractional, floored to the second
  EXPECT_REFUSED(late, kNotYet, 2);
}

TEST_F(Limbo, ExpiredRootIntermediateLeaf) {
  const int64_t at = 1640995200;  // 2022-01-01
  for (int which = 0; which < 3; ++which) {
    CertSpec rs = root_spec(root_key);
    rs.not_before = "160101000000Z";
    rs.not_after = which == 0 ? "200101000000Z" : "260101000000Z";
    Issued r = root(rs);
    CertSpec is = intermediate_spec(r, int_key, std::nullopt, cn("ica"));
    is.not_before = "160101000000Z";
    is.not_after = which == 1 ? "200101000000Z" : "260101000000Z";
    Issued i = issue(is, int_key, root_key);
    CertSpec ls = leaf_spec(i, leaf_key);
    ls.not_before = "180101000000Z";
    ls.not_after = which == 2 ? "210101000000Z" : "230101000000Z";
    Case c = direct(r, issue(ls, leaf_key, int_key));
    c.intermediates = {i.der};
    c.at = at;
    Outcome o = run(c);
    EXPECT_FALSE(o.accepted);
    EXPECT_EQ(o.message, kExpired);
    EXPECT_EQ(o.note.rfind("depth " + std::to_string(2 - which) + ":", 0), 0u) << o.note;
  }
}

TEST_F(Limbo, ValidityTimeEncodings) {
  // RFC 5280 §4.1.2.5: through 2049 UTCTime, from 2050 GeneralizedTime. A GeneralizedTime
  // notAfter past 2049 is read as such (limbo's default leaf runs to 2970).
  Issued r = root();
  CertSpec s = leaf_spec(r, leaf_key);
  s.not_after = "29700101000000Z";
  Case c = direct(r, issue(s, leaf_key, root_key));
  EXPECT_ACCEPTED(c);
  // UTCTime "49" is 2049, "50" is 1950 (§4.1.2.5.1): a leaf "valid until 50" has expired.
  s.not_after = "500101000000Z";
  c = direct(r, issue(s, leaf_key, root_key));
  Outcome o = run(c);
  EXPECT_FALSE(o.accepted);
}

// ---- chain building, pathological ----

TEST_F(Limbo, ExpiredCrossSignIsPassedOver) {
  // The intermediate exists twice with the same name and key: cross-signed by an old root (the
  // cross-sign expired) and by the current root. Both are sent, the expired one first.
  Issued r = root();
  CertSpec old_spec = root_spec(other_key, cn("old-root"));
  Issued old_root = issue(old_spec, other_key, other_key);
  CertSpec cross = intermediate_spec(old_root, int_key, std::nullopt, cn("ica"));
  cross.not_before = "100101000000Z";
  cross.not_after = "200101000000Z";
  Issued expired_cross = issue(cross, int_key, other_key);
  Issued current = ica(r, int_key, std::nullopt, "ica");
  Case c = direct(r, leaf(current));
  c.roots = {old_root.der, r.der};
  c.intermediates = {expired_cross.der, current.der};
  EXPECT_ACCEPTED(c);
  // Only the expired cross-sign: refused for its validity, on the path that reached an anchor.
  c.intermediates = {expired_cross.der};
  EXPECT_REFUSED(c, kExpired, 1);
}

TEST_F(Limbo, ChainOfPainExpiredIntermediate) {
  // pathological::multiple-chains-expired-intermediate: root 2 -> intermediate (expired; the
  // root's name and key) -> root -> EE, both roots trusted. The leaf validates on the root.
  Issued r = root();
  Issued r2 = issue(root_spec(other_key, cn("x509-limbo-root-2")), other_key, other_key);
  CertSpec x = intermediate_spec(r2, root_key, 1, cn("x509-limbo-root"));
  x.not_after = "881125000000Z";
  Issued expired = issue(x, root_key, other_key);
  Case c = direct(r, leaf(r));
  c.roots = {r.der, r2.der};
  c.intermediates = {expired.der};
  EXPECT_ACCEPTED(c);
}

TEST_F(Limbo, IntermediateCycleSameLogicalCa) {
  // pathological::intermediate-cycle-same-logical-ca: two self-issued certificates of one name
  // with different keys sign each other; neither reaches the root.
  EXPECT_REFUSED(mutually_signed("same", "same"), kNoIssuer, 2);
}

TEST_F(Limbo, Cve20240567CrossSignedTriangle) {
  // cve::cve-2024-0567 (GnuTLS): leaf -> A1 -> A, where A, B and C cross-sign each other (six
  // cross-certificates, plus B1 and C1) and A is also a trusted self-signed root. The leaf has an
  // empty subject and a critical SAN.
  const TestKey& a = root_key;
  const TestKey& b = int_key;
  const TestKey& cc = int2_key;
  auto ca = [&](const std::string& subject, const TestKey& k, const std::string& issuer,
                const TestKey& ik) {
    return issue(intermediate_spec(Issued{{}, cn(issuer), &ik}, k, std::nullopt, cn(subject)), k,
                 ik);
  };
  Issued root_a = root(root_spec(a, cn("Root A")));
  Issued a1 = ca("Intermediate A1", int3_key, "Root A", a);
  std::vector<Der> others = {ca("Root A", a, "Root B", b).der,
                             ca("Root A", a, "Root C", cc).der,
                             ca("Intermediate B1", key(7), "Root B", b).der,
                             ca("Root B", b, "Root A", a).der,
                             ca("Root B", b, "Root C", cc).der,
                             ca("Intermediate C1", key(8), "Root C", cc).der,
                             ca("Root C", cc, "Root A", a).der,
                             ca("Root C", cc, "Root B", b).der};
  CertSpec ls = leaf_spec(a1, leaf_key, subject_alt_name({dns("cve-2024-0567.example.com")}, true));
  ls.subject = name({});
  Case c = direct(root_a, issue(ls, leaf_key, int3_key), "cve-2024-0567.example.com");
  c.intermediates = {a1.der};
  c.intermediates.insert(c.intermediates.end(), others.begin(), others.end());
  EXPECT_ACCEPTED(c);
  // Without A trusted (only an unrelated root), the graph is explored within the bounds and
  // refused.
  Issued unrelated = issue(root_spec(other_key, cn("unrelated")), other_key, other_key);
  c.roots = {unrelated.der};
  Outcome o = run(c);
  EXPECT_FALSE(o.accepted);
  EXPECT_EQ(o.message, kNoIssuer);
}

TEST_F(Limbo, IntermediateCycleIsBounded) {
  // Two CAs that certify each other and no trust anchor: the search ends (a certificate never
  // appears twice in a path).
  Outcome o = run(mutually_signed("ca-a", "ca-b"));
  EXPECT_FALSE(o.accepted);
  EXPECT_EQ(o.message, kNoIssuer);
}

TEST_F(Limbo, DeepChainIsBounded) {
  // Twelve intermediates: past our depth bound (10 certificates below the anchor).
  Issued r = root();
  std::vector<const TestKey*> keys;
  for (uint8_t k = 0; k < 12; ++k) {
    keys.push_back(&key(static_cast<uint8_t>(0x40 + k)));
  }
  std::vector<Issued> chain{r};
  for (size_t k = 0; k < keys.size(); ++k) {
    chain.push_back(ica(chain.back(), *keys[k], std::nullopt, "ica" + std::to_string(k)));
  }
  Case c = direct(r, leaf(chain.back()));
  for (size_t k = 1; k < chain.size(); ++k) {
    c.intermediates.push_back(chain[k].der);
  }
  EXPECT_REFUSED(c, "SSL certificate problem: certificate chain too long", 10);
  // Eight are fine.
  c.intermediates.resize(8);
  c.leaf = leaf(chain[8]).der;
  EXPECT_ACCEPTED(c);
}

TEST_F(Limbo, ManyCandidatesWithOneRightKey) {
  // Twenty intermediates share the name "ica"; only the last one holds the key that signed the
  // leaf and the leaf names no AKI, so every candidate's signature is tried in turn.
  Issued r = root();
  std::vector<const TestKey*> keys;
  for (uint8_t k = 0; k < 20; ++k) {
    keys.push_back(&key(static_cast<uint8_t>(0x60 + k)));
  }
  Case c;
  c.roots = {r.der};
  for (const TestKey* k : keys) {
    c.intermediates.push_back(ica(r, *k, std::nullopt, "ica").der);
  }
  Issued right{{}, cn("ica"), keys.back()};
  CertSpec ls = leaf_spec(right, leaf_key);
  ls.extensions.erase(ls.extensions.begin() + 1);  // no AKI to pick the issuer by
  c.leaf = issue(ls, leaf_key, *keys.back()).der;
  EXPECT_ACCEPTED(c);
}

TEST_F(Limbo, Version1Certificates) {
  // A v1 intermediate is no CA (no basicConstraints); a v1 self-signed trust anchor is (as
  // OpenSSL and RFC 5280 §6.1 allow: trust anchor information is out of band).
  Issued r = root();
  CertSpec v1 = intermediate_spec(r, int_key, std::nullopt, cn("v1-ica"));
  v1.version = 1;
  v1.extensions.clear();
  Issued i = issue(v1, int_key, root_key);
  CertSpec ls = leaf_spec(i, leaf_key);
  ls.extensions.erase(ls.extensions.begin() + 1);  // the v1 CA has no SKI to name
  Case c = direct(r, issue(ls, leaf_key, int_key));
  c.intermediates = {i.der};
  EXPECT_REFUSED(c, kInvalidCa, 1);
  CertSpec v1root = root_spec(root_key, cn("v1-root"));
  v1root.version = 1;
  v1root.extensions.clear();
  Issued vr = root(v1root);
  CertSpec l2 = leaf_spec(vr, leaf_key);
  l2.extensions.erase(l2.extensions.begin() + 1);
  EXPECT_ACCEPTED(direct(vr, issue(l2, leaf_key, root_key)));
}

TEST_F(Limbo, SelfSignedLeaf) {
  CertSpec s = leaf_spec(Issued{{}, cn("example.com"), &leaf_key}, leaf_key);
  Issued self = issue(s, leaf_key, leaf_key);
  Issued r = root();
  EXPECT_REFUSED(direct(r, self), "SSL certificate problem: self-signed certificate", 0);
  // Trusted directly (curl --cacert with the server's own certificate).
  EXPECT_ACCEPTED(direct(self, self));
}

}  // namespace
}  // namespace hs::x509

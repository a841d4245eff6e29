#include "x509/certificate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "unit/x509/test_util.h"
#include "x509/der.h"
#include "x509/hostname.h"

namespace hs::x509 {
namespace {

using testing::GeneratedCert;
using testing::make_cert;
using testing::run;
using testing::TempDir;
using testing::trim;

// hex_of parses openssl's "AB:CD:..." or "ABCD..." output into bytes.
Bytes hex_of(std::string s) {
  Bytes out;
  std::string digits;
  for (char c : s) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    }
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// after_eq returns what follows the first '=' of openssl's "notBefore=..." lines.
std::string after_eq(const std::string& line) { return trim(line.substr(line.find('=') + 1)); }

// openssl_field runs `openssl x509 -noout <opts>` on a PEM file.
std::string openssl_field(const GeneratedCert& g, const std::string& opts) {
  auto r = run("openssl x509 -in '" + g.cert_path + "' -noout " + opts);
  EXPECT_EQ(r.status, 0) << opts;
  return r.out;
}

// ext_hex returns the hex line of `openssl x509 -ext <name>` (the line after the header).
Bytes ext_hex(const GeneratedCert& g, const std::string& name) {
  std::string out = openssl_field(g, "-ext " + name);
  size_t nl = out.find('\n');
  return hex_of(out.substr(nl + 1));
}

class CertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_openssl()) {
      FAIL() << "openssl CLI not available (scripts/setup.sh installs it)";
    }
  }
  TempDir dir_;
};

TEST_F(CertificateTest, ParsesEveryFieldOfAnEcdsaCaCertificate) {
  GeneratedCert g = make_cert(
      dir_, "ca", "ec -pkeyopt ec_paramgen_curve:P-256",
      "/C=US/ST=Some State/O=Test Org/OU=Unit, Sub/CN=Test CA/emailAddress=ca@example.com",
      "-days 30 -sha256 "
      "-addext 'subjectAltName=DNS:localhost,DNS:*.example.com,IP:127.0.0.1,IP:::1,"
      "email:ops@example.com,URI:https://example.com/' "
      "-addext 'basicConstraints=critical,CA:TRUE,pathlen:3' "
      "-addext 'keyUsage=critical,digitalSignature,keyCertSign,cRLSign' "
      "-addext 'extendedKeyUsage=serverAuth,clientAuth' "
      "-addext 'nameConstraints=critical,permitted;DNS:example.com,"
      "permitted;IP:10.0.0.0/255.0.0.0,excluded;DNS:bad.example.com' "
      "-addext 'certificatePolicies=2.23.140.1.2.1'");
  auto parsed = parse_certificate(g.der);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  const Certificate& c = *parsed;

  EXPECT_EQ(c.version, 3);
  EXPECT_EQ(c.der, g.der);
  EXPECT_EQ(c.serial, hex_of(after_eq(openssl_field(g, "-serial"))));
  EXPECT_EQ(c.signature_oid, SignatureOid::ecdsa_with_sha256);
  EXPECT_EQ(c.signature_alg, crypto::SignatureAlgorithm::ecdsa_sha256);
  EXPECT_TRUE(c.signature_algorithm.params.empty());
  EXPECT_EQ(c.key_type, crypto::KeyType::ec_p256);
  EXPECT_FALSE(c.signature_value.empty());

  // curl prints names through X509_NAME_print_ex(..., XN_FLAG_SEP_SEMI_SPC), which is what
  // `-nameopt sep_semi_plus_space` selects.
  const std::string expected_name =
      "C=US; ST=Some State; O=Test Org; OU=Unit, Sub; CN=Test CA; emailAddress=ca@example.com";
  EXPECT_EQ(to_string(c.subject), expected_name);
  EXPECT_EQ(to_string(c.issuer), expected_name);
  EXPECT_EQ("subject=" + to_string(c.subject),
            trim(openssl_field(g, "-subject -nameopt sep_semi_plus_space")));
  EXPECT_EQ(c.subject.raw, c.issuer.raw);
  ASSERT_EQ(c.subject.attributes.size(), 6u);
  EXPECT_EQ(c.subject.attributes[4].oid,
            Bytes(std::begin(oid::kCommonName), std::end(oid::kCommonName)));
  EXPECT_EQ(c.subject.attributes[4].string_tag, tag::kUtf8String);
  EXPECT_EQ(std::string(c.subject.attributes[4].value.begin(), c.subject.attributes[4].value.end()),
            "Test CA");
  EXPECT_EQ(c.subject.attributes[0].string_tag, tag::kPrintableString);  // countryName

  // Dates: as openssl prints them, and 30 days apart as asked.
  std::string dates = openssl_field(g, "-dates");
  std::string nb_line = dates.substr(0, dates.find('\n'));
  std::string na_line = dates.substr(dates.find('\n') + 1);
  EXPECT_EQ(format_time(c.not_before), after_eq(nb_line));
  EXPECT_EQ(format_time(c.not_after), after_eq(na_line));
  EXPECT_EQ(c.not_after - c.not_before, 30 * 86400);
  auto epoch = run("date -u -d '" + after_eq(nb_line) + "' +%s");
  EXPECT_EQ(c.not_before, std::stoll(epoch.out));

  // The SubjectPublicKeyInfo is exactly openssl's DER public key.
  std::string spki_path = dir_.file("ca.spki");
  ASSERT_EQ(run("openssl x509 -in '" + g.cert_path +
                "' -noout -pubkey | openssl pkey -pubin -outform DER -out '" + spki_path + "'")
                .status,
            0);
  EXPECT_EQ(c.spki_raw, testing::read_bytes(spki_path));

  // tbs_raw sits inside der right after the outer header.
  ASSERT_LT(c.tbs_raw.size(), c.der.size());
  EXPECT_TRUE(std::search(c.der.begin(), c.der.end(), c.tbs_raw.begin(), c.tbs_raw.end()) ==
              c.der.begin() + 4);

  // Extensions.
  EXPECT_FALSE(c.has_unknown_critical);
  ASSERT_TRUE(c.basic_constraints.has_value());
  EXPECT_TRUE(c.basic_constraints->ca);
  EXPECT_EQ(c.basic_constraints->path_len, 3u);
  ASSERT_TRUE(c.key_usage.has_value());
  EXPECT_TRUE(c.key_usage->has(KeyUsageBit::digital_signature));
  EXPECT_TRUE(c.key_usage->has(KeyUsageBit::key_cert_sign));
  EXPECT_TRUE(c.key_usage->has(KeyUsageBit::crl_sign));
  EXPECT_FALSE(c.key_usage->has(KeyUsageBit::key_encipherment));
  EXPECT_FALSE(c.key_usage->has(KeyUsageBit::decipher_only));
  ASSERT_TRUE(c.ext_key_usage.has_value());
  ASSERT_EQ(c.ext_key_usage->size(), 2u);
  EXPECT_EQ((*c.ext_key_usage)[0], Bytes(std::begin(oid::kServerAuth), std::end(oid::kServerAuth)));
  EXPECT_EQ((*c.ext_key_usage)[1], Bytes(std::begin(oid::kClientAuth), std::end(oid::kClientAuth)));

  EXPECT_TRUE(c.has_subject_alt_name);
  EXPECT_EQ(c.dns_names(), (std::vector<std::string>{"localhost", "*.example.com"}));
  EXPECT_EQ(c.ip_addresses(),
            (std::vector<Bytes>{{127, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}));
  ASSERT_EQ(c.subject_alt_names.size(), 6u);
  EXPECT_EQ(c.subject_alt_names[4].type, GeneralName::Type::rfc822_name);
  EXPECT_EQ(c.subject_alt_names[5].type, GeneralName::Type::uri);
  EXPECT_EQ(describe_subject_alt_names(c),
            "DNS:localhost, DNS:*.example.com, IP Address:127.0.0.1, IP Address:::1, "
            "email:ops@example.com, URI:https://example.com/");

  ASSERT_TRUE(c.subject_key_id.has_value());
  EXPECT_EQ(*c.subject_key_id, ext_hex(g, "subjectKeyIdentifier"));
  ASSERT_TRUE(c.authority_key_id.has_value());
  EXPECT_EQ(*c.authority_key_id, *c.subject_key_id);  // self-signed

  ASSERT_TRUE(c.name_constraints.has_value());
  ASSERT_EQ(c.name_constraints->permitted.size(), 2u);
  EXPECT_EQ(c.name_constraints->permitted[0].type, GeneralName::Type::dns_name);
  EXPECT_EQ(std::string(c.name_constraints->permitted[0].value.begin(),
                        c.name_constraints->permitted[0].value.end()),
            "example.com");
  EXPECT_EQ(c.name_constraints->permitted[1].type, GeneralName::Type::ip_address);
  EXPECT_EQ(c.name_constraints->permitted[1].value, (Bytes{10, 0, 0, 0, 255, 0, 0, 0}));
  ASSERT_EQ(c.name_constraints->excluded.size(), 1u);
  EXPECT_EQ(std::string(c.name_constraints->excluded[0].value.begin(),
                        c.name_constraints->excluded[0].value.end()),
            "bad.example.com");
  ASSERT_TRUE(c.certificate_policies.has_value());

  const Extension* bc = c.find_extension(oid::kBasicConstraints);
  ASSERT_NE(bc, nullptr);
  EXPECT_TRUE(bc->critical);
  EXPECT_TRUE(bc->recognised);
  const Extension* eku = c.find_extension(oid::kExtKeyUsage);
  ASSERT_NE(eku, nullptr);
  EXPECT_FALSE(eku->critical);
  EXPECT_TRUE(c.find_extension(oid::kNameConstraints)->critical);
}

TEST_F(CertificateTest, MapsSignatureAndKeyAlgorithms) {
  struct Case {
    std::string newkey;
    std::string extra;
    SignatureOid sig_oid;
    std::optional<crypto::SignatureAlgorithm> sig;
    crypto::KeyType key;
  };
  using A = crypto::SignatureAlgorithm;
  using K = crypto::KeyType;
  const std::vector<Case> cases = {
      {"rsa:2048", "-sha256", SignatureOid::sha256_with_rsa, A::rsa_pkcs1_sha256, K::rsa},
      {"rsa:2048", "-sha384", SignatureOid::sha384_with_rsa, A::rsa_pkcs1_sha384, K::rsa},
      {"rsa:2048", "-sha512", SignatureOid::sha512_with_rsa, A::rsa_pkcs1_sha512, K::rsa},
      {"rsa:2048", "-sha1", SignatureOid::sha1_with_rsa, std::nullopt, K::rsa},
      {"rsa:2048", "-sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest",
       SignatureOid::rsassa_pss, A::rsa_pss_sha256, K::rsa},
      {"rsa:2048", "-sha384 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest",
       SignatureOid::rsassa_pss, A::rsa_pss_sha384, K::rsa},
      // A PSS salt other than the hash length is not a TLS scheme.
      {"rsa:2048", "-sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:20",
       SignatureOid::rsassa_pss, std::nullopt, K::rsa},
      {"rsa-pss -pkeyopt rsa_keygen_bits:2048", "-sha256 -sigopt rsa_pss_saltlen:digest",
       SignatureOid::rsassa_pss, A::rsa_pss_sha256, K::rsa_pss},
      {"ec -pkeyopt ec_paramgen_curve:P-384", "-sha384", SignatureOid::ecdsa_with_sha384,
       A::ecdsa_sha384, K::ec_p384},
      {"ec -pkeyopt ec_paramgen_curve:P-521", "-sha512", SignatureOid::ecdsa_with_sha512,
       A::ecdsa_sha512, K::ec_p521},
      {"ec -pkeyopt ec_paramgen_curve:P-256", "-sha1", SignatureOid::ecdsa_with_sha1, std::nullopt,
       K::ec_p256},
      {"ed25519", "", SignatureOid::ed25519, A::ed25519, K::ed25519},
      {"ed448", "", SignatureOid::ed448, A::ed448, K::ed448},
  };
  int i = 0;
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.newkey + " " + tc.extra);
    GeneratedCert g =
        make_cert(dir_, "alg" + std::to_string(i++), tc.newkey, "/CN=alg", "-days 1 " + tc.extra);
    auto c = parse_certificate(g.der);
    ASSERT_TRUE(c.ok()) << c.error().message();
    EXPECT_EQ(c->signature_oid, tc.sig_oid);
    EXPECT_EQ(c->signature_alg, tc.sig);
    EXPECT_EQ(c->key_type, tc.key);
    std::string text = openssl_field(g, "-text");
    EXPECT_NE(text.find("Signature Algorithm: " + std::string(signature_oid_name(tc.sig_oid))),
              std::string::npos);
  }
}

TEST_F(CertificateTest, RecordsUnknownCriticalExtensionsWithoutFailing) {
  GeneratedCert g = make_cert(dir_, "unk", "ec -pkeyopt ec_paramgen_curve:P-256", "/CN=unk",
                              "-days 1 -addext '1.2.3.4.5=critical,DER:05:00' "
                              "-addext '1.2.3.4.6=DER:05:00'");
  auto c = parse_certificate(g.der);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_TRUE(c->has_unknown_critical);
  const Bytes crit_oid = {0x2A, 0x03, 0x04, 0x05};
  const Extension* e = c->find_extension(crit_oid);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->critical);
  EXPECT_FALSE(e->recognised);
  EXPECT_EQ(e->value, (Bytes{0x05, 0x00}));
  EXPECT_FALSE(c->has_subject_alt_name);
}

// OCSP must-staple as openssl writes it (tlsfeature=status_request, RFC 7633), and a TLS feature
// extension that is not a SEQUENCE OF INTEGER.
TEST_F(CertificateTest, ReadsTheTlsFeatureExtension) {
  GeneratedCert staple = make_cert(dir_, "staple", "ec -pkeyopt ec_paramgen_curve:P-256",
                                   "/CN=staple", "-days 1 -addext tlsfeature=status_request");
  auto c = parse_certificate(staple.der);
  ASSERT_TRUE(c.ok()) << c.error().message();
  ASSERT_TRUE(c->tls_features.has_value());
  EXPECT_EQ(*c->tls_features, (std::vector<uint16_t>{5}));
  EXPECT_TRUE(c->requires_stapled_ocsp());
  EXPECT_FALSE(c->has_unknown_critical);

  GeneratedCert plain =
      make_cert(dir_, "plain", "ec -pkeyopt ec_paramgen_curve:P-256", "/CN=plain", "-days 1");
  auto p = parse_certificate(plain.der);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_FALSE(p->requires_stapled_ocsp());

  GeneratedCert bad = make_cert(dir_, "badfeature", "ec -pkeyopt ec_paramgen_curve:P-256",
                                "/CN=bad", "-days 1 -addext 1.3.6.1.5.5.7.1.24=DER:02:01:05");
  auto b = parse_certificate(bad.der);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().detail().find("malformed extension 1.3.6.1.5.5.7.1.24"), std::string::npos)
      << b.error().detail();
}

TEST_F(CertificateTest, DatesFrom2050UseGeneralizedTime) {
  // 30000 days from now is past 2050, which RFC 5280 §4.1.2.5 puts in GeneralizedTime.
  GeneratedCert g =
      make_cert(dir_, "long", "ec -pkeyopt ec_paramgen_curve:P-256", "/CN=long", "-days 30000");
  auto c = parse_certificate(g.der);
  ASSERT_TRUE(c.ok()) << c.error().message();
  std::string end = after_eq(openssl_field(g, "-enddate"));
  EXPECT_EQ(format_time(c->not_after), end);
  EXPECT_EQ(c->not_after, std::stoll(run("date -u -d '" + end + "' +%s").out));
  EXPECT_EQ(c->not_after - c->not_before, 30000LL * 86400);
}

TEST_F(CertificateTest, NamesRenderAsCurlPrintsThem) {
  // Multi-valued RDN, UTF-8 beyond Latin-1, an IA5String DC, characters OpenSSL would escape
  // in other modes: curl prints them all unescaped.
  GeneratedCert g = make_cert(dir_, "name", "ec -pkeyopt ec_paramgen_curve:P-256",
                              "/CN=\xC3\x9Cn\xC3\xAF\xE2\x82\xAC"
                              "ode+O=multi/DC=com/L=a\"b,c;d",
                              "-days 1 -utf8 -multivalue-rdn");
  auto c = parse_certificate(g.der);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ("subject=" + to_string(c->subject),
            trim(openssl_field(g, "-subject -nameopt sep_semi_plus_space")));
  EXPECT_EQ(to_string(c->subject), "O=multi + CN=\xDCn\xEF\\U20ACode; DC=com; L=a\"b,c;d");
  EXPECT_EQ(c->subject.attributes[0].rdn, c->subject.attributes[1].rdn);
  EXPECT_NE(c->subject.attributes[1].rdn, c->subject.attributes[2].rdn);
}

TEST_F(CertificateTest, EveryTruncationFailsCleanly) {
  GeneratedCert g = make_cert(dir_, "trunc", "ec -pkeyopt ec_paramgen_curve:P-256", "/CN=t",
                              "-days 1 -addext 'subjectAltName=DNS:a.example'");
  ASSERT_TRUE(parse_certificate(g.der).ok());
  for (size_t n = 0; n < g.der.size(); ++n) {
    auto c = parse_certificate(std::span(g.der).first(n));
    ASSERT_FALSE(c.ok()) << "prefix " << n;
    EXPECT_EQ(c.error().code(), ErrorCode::bad_certificate);
  }
  Bytes trailing = g.der;
  trailing.push_back(0x00);
  auto c = parse_certificate(trailing);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().detail(), "trailing data after the certificate");
}

// --- Surgery on a real certificate. The helpers re-encode DER so single rules can be broken.

Bytes encode(uint8_t t, const Bytes& body) {
  Bytes out = {t};
  size_t n = body.size();
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else if (n < 0x100) {
    out.insert(out.end(), {0x81, static_cast<uint8_t>(n)});
  } else {
    out.insert(out.end(), {0x82, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
  }
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<Tlv> children(std::span<const uint8_t> value) {
  DerReader r(value);
  std::vector<Tlv> out;
  Tlv t;
  while (r.read_any(t)) {
    out.push_back(t);
  }
  EXPECT_TRUE(r.expect_end());
  return out;
}

Bytes concat(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const Bytes& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

Bytes raw(const Tlv& t) { return Bytes(t.raw.begin(), t.raw.end()); }

// Pieces of a parsed certificate that tests rebuild.
struct Pieces {
  std::vector<Bytes> tbs;  // raw TBS elements
  Bytes alg;
  Bytes sig;
  std::vector<Bytes> extensions;  // raw Extension elements
};

Pieces split(const Bytes& der) {
  Pieces p;
  auto top = children(der);
  auto cert = children(top.at(0).value);
  for (const Tlv& t : children(cert.at(0).value)) {
    p.tbs.push_back(raw(t));
    if (t.tag == 0xA3) {
      for (const Tlv& e : children(children(t.value).at(0).value)) {
        p.extensions.push_back(raw(e));
      }
    }
  }
  p.alg = raw(cert.at(1));
  p.sig = raw(cert.at(2));
  return p;
}

Bytes assemble(const Pieces& p, bool rebuild_extensions = true) {
  std::vector<Bytes> tbs = p.tbs;
  if (rebuild_extensions && !p.extensions.empty()) {
    tbs.back() = encode(0xA3, encode(0x30, concat(p.extensions)));
  }
  return encode(0x30, concat({encode(0x30, concat(tbs)), p.alg, p.sig}));
}

class CertificateSurgeryTest : public CertificateTest {
 protected:
  void SetUp() override {
    CertificateTest::SetUp();
    if (IsSkipped()) {
      return;
    }
    GeneratedCert g = make_cert(dir_, "s", "ec -pkeyopt ec_paramgen_curve:P-256", "/CN=s",
                                "-days 1 -addext 'subjectAltName=DNS:s.example'");
    der_ = g.der;
    pieces_ = split(der_);
    ASSERT_EQ(assemble(pieces_), der_);  // the rebuild is exact
  }
  std::string failure(const Bytes& der) {
    auto c = parse_certificate(der);
    EXPECT_FALSE(c.ok());
    if (c.ok()) {
      return "";
    }
    EXPECT_EQ(c.error().code(), ErrorCode::bad_certificate);
    EXPECT_STREQ(c.error().context(), "certificate");
    return c.error().detail();
  }
  Bytes der_;
  Pieces pieces_;
};

TEST_F(CertificateSurgeryTest, RejectsDuplicateExtensions) {
  Pieces p = pieces_;
  p.extensions.push_back(p.extensions.front());
  EXPECT_NE(failure(assemble(p)).find("duplicate extension"), std::string::npos);
}

TEST_F(CertificateSurgeryTest, RejectsExplicitDefaults) {
  // critical BOOLEAN DEFAULT FALSE encoded as FALSE.
  Pieces p = pieces_;
  auto parts = children(p.extensions.front());
  auto fields = children(parts.at(0).value);
  p.extensions.front() =
      encode(0x30, concat({raw(fields.at(0)), {0x01, 0x01, 0x00}, raw(fields.back())}));
  EXPECT_NE(failure(assemble(p)).find("critical FALSE"), std::string::npos);

  // version [0] EXPLICIT Version DEFAULT v1 encoded as v1.
  Pieces v1 = pieces_;
  v1.tbs.at(0) = {0xA0, 0x03, 0x02, 0x01, 0x00};
  v1.extensions.clear();
  v1.tbs.pop_back();
  EXPECT_NE(failure(assemble(v1)).find("v1 encoded explicitly"), std::string::npos);
}

TEST_F(CertificateSurgeryTest, ExtensionsRequireV3) {
  Pieces p = pieces_;
  p.tbs.at(0) = {0xA0, 0x03, 0x02, 0x01, 0x01};  // v2
  EXPECT_EQ(failure(assemble(p)), "extensions in a certificate before v3");
  Pieces v4 = pieces_;
  v4.tbs.at(0) = {0xA0, 0x03, 0x02, 0x01, 0x03};
  EXPECT_EQ(failure(assemble(v4)), "malformed or unknown version");
  // A v1 certificate (version omitted) without extensions parses.
  Pieces v1 = pieces_;
  v1.tbs.erase(v1.tbs.begin());
  v1.tbs.pop_back();
  auto c = parse_certificate(assemble(v1, false));
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->version, 1);
}

TEST_F(CertificateSurgeryTest, SignatureAlgorithmsMustAgree) {
  Pieces p = pieces_;
  // ecdsa-with-SHA384 outside, ecdsa-with-SHA256 inside.
  p.alg = {0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03};
  EXPECT_EQ(failure(assemble(p)),
            "signatureAlgorithm differs from the tbsCertificate signature field");
}

TEST_F(CertificateSurgeryTest, RejectsNonDerLengthsOnARealCertificate) {
  // Indefinite outer length with end-of-contents octets.
  auto top = children(der_);
  Bytes indefinite = {0x30, 0x80};
  indefinite.insert(indefinite.end(), top[0].value.begin(), top[0].value.end());
  indefinite.insert(indefinite.end(), {0x00, 0x00});
  failure(indefinite);
  // The same length in one more octet than needed.
  size_t n = top[0].value.size();
  Bytes longer = {0x30, 0x83, 0x00, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
  longer.insert(longer.end(), top[0].value.begin(), top[0].value.end());
  failure(longer);
}

TEST_F(CertificateSurgeryTest, RejectsMalformedSubjectAltNames) {
  const Bytes san_oid = {0x06, 0x03, 0x55, 0x1D, 0x11};
  auto with_san = [&](const Bytes& names) {
    Pieces p = pieces_;
    p.extensions = {encode(0x30, concat({san_oid, encode(0x04, encode(0x30, names))}))};
    return assemble(p);
  };
  EXPECT_EQ(failure(with_san({})), "malformed extension 2.5.29.17");  // SIZE (1..MAX)
  failure(with_san({0x87, 0x03, 1, 2, 3}));                           // 3-octet IP
  failure(with_san({0x82, 0x02, 'a', 0xC3}));                         // dNSName not IA5
  failure(with_san({0xA2, 0x03, 0x16, 0x01, 'a'}));                   // constructed dNSName
  auto ok = parse_certificate(with_san({0x82, 0x01, 'a', 0x87, 0x04, 10, 0, 0, 1}));
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->dns_names(), std::vector<std::string>{"a"});
  EXPECT_EQ(ok->ip_addresses(), std::vector<Bytes>{Bytes({10, 0, 0, 1})});
}

}  // namespace
}  // namespace hs::x509

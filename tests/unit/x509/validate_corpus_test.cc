// Path validation against a corpus made at test time with the openssl CLI (`openssl ca` for
// exact validity dates), each case checked for our verdict and reason and compared with
// `openssl verify` on the same files.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "unit/x509/test_util.h"
#include "x509/hostname.h"
#include "x509/pem.h"
#include "x509/trust_store.h"
#include "x509/validate.h"
#include "x509/verifier.h"

namespace hs::x509 {
namespace {

using testing::run;
using testing::TempDir;

// kCorpusScript writes every certificate of the corpus into the current directory. EC P-256
// keys keep it to a couple of seconds. `issue NAME CN ISSUER EXT [START END MD KEY]`.
constexpr const char* kCorpusScript = R"SH(
set -e
mkdir -p newcerts; : > index.txt; echo 1000 > serial
cat > ca.cnf <<'CNF'
[ca]
default_ca = dflt
[dflt]
database = index.txt
new_certs_dir = newcerts
serial = serial
default_md = sha256
policy = pol
unique_subject = no
email_in_dn = no
[pol]
commonName = supplied
organizationName = optional
CNF
S=200101000000Z; E=491231235959Z
CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
leaf_ext() { printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=%s' "$1"; }
key() { [ -f "$1.key" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
# issue NAME CN ISSUER|self EXT [START END MD KEYNAME]
issue() {
  local name=$1 cn=$2 issuer=$3 ext=$4 start=${5:-$S} end=${6:-$E} md=${7:-sha256} k=${8:-$1}
  key "$k"
  openssl req -new -key "$k.key" -subj "/O=hs test/CN=$cn" -out "$name.csr"
  printf '[v3]\n%b\n' "$ext" > "$name.ext"
  if [ "$issuer" = self ]; then
    openssl ca -batch -config ca.cnf -selfsign -keyfile "$k.key" -in "$name.csr" -out "$name.pem" \
      -startdate $start -enddate $end -extfile "$name.ext" -extensions v3 -md $md -notext -preserveDN 2>/dev/null
  else
    openssl ca -batch -config ca.cnf -cert "$issuer.pem" -keyfile "$issuer.key" -in "$name.csr" -out "$name.pem" \
      -startdate $start -enddate $end -extfile "$name.ext" -extensions v3 -md $md -notext -preserveDN 2>/dev/null
  fi
  [ "$k" = "$name" ] || cp "$k.key" "$name.key"
}
LEAF_SAN='DNS:www.example.com,DNS:*.wild.example.com,IP:127.0.0.1'
issue root "Test Root" self "$CA_EXT"
issue other_root "Other Root" self "$CA_EXT"
issue int "Test Int" root "$CA_EXT"
issue leaf "www.example.com" int "$(leaf_ext "$LEAF_SAN")"
issue leaf_expired "www.example.com" int "$(leaf_ext "$LEAF_SAN")" 200101000000Z 210101000000Z
issue leaf_future "www.example.com" int "$(leaf_ext "$LEAF_SAN")" 450101000000Z 490101000000Z
issue int_expired "Expired Int" root "$CA_EXT" 200101000000Z 210101000000Z
issue leaf_under_expired "www.example.com" int_expired "$(leaf_ext "$LEAF_SAN")"
issue int_future "Future Int" root "$CA_EXT" 450101000000Z 490101000000Z
issue leaf_under_future "www.example.com" int_future "$(leaf_ext "$LEAF_SAN")"
issue leaf_star_com "star" int "$(leaf_ext 'DNS:*.com')"
issue leaf_partial "partial" int "$(leaf_ext 'DNS:f*.example.com')"
issue self_leaf "www.example.com" self "$(leaf_ext "$LEAF_SAN")"
issue root2 "Untrusted Root" self "$CA_EXT"
issue int2 "Untrusted Int" root2 "$CA_EXT"
issue leaf2 "www.example.com" int2 "$(leaf_ext "$LEAF_SAN")"
issue int_noca "Not A CA" root 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyCertSign,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
issue leaf_noca "www.example.com" int_noca "$(leaf_ext "$LEAF_SAN")"
issue int_pl0 "PathLen Zero" root 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
issue int_sub "Sub Int" int_pl0 "$CA_EXT"
issue leaf_pl "www.example.com" int_sub "$(leaf_ext "$LEAF_SAN")"
issue int_noku "No CertSign" root 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
issue leaf_noku "www.example.com" int_noku "$(leaf_ext "$LEAF_SAN")"
issue leaf_client 'client' int 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:www.example.com\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
issue int_nc_perm "Permitted NC" root "$CA_EXT"'\nnameConstraints=critical,permitted;DNS:allowed.example.com,permitted;IP:10.0.0.0/255.0.0.0'
issue leaf_nc_ok "www.allowed.example.com" int_nc_perm "$(leaf_ext 'DNS:www.allowed.example.com,IP:10.1.2.3')"
issue leaf_nc_perm_bad "www.example.com" int_nc_perm "$(leaf_ext 'DNS:www.example.com')"
issue leaf_nc_perm_ip "ip" int_nc_perm "$(leaf_ext 'DNS:a.allowed.example.com,IP:127.0.0.1')"
issue int_nc_excl "Excluded NC" root "$CA_EXT"'\nnameConstraints=critical,excluded;DNS:bad.example.com'
issue leaf_nc_excl "x.bad.example.com" int_nc_excl "$(leaf_ext 'DNS:x.bad.example.com')"
issue leaf_nc_excl_ok "good.example.com" int_nc_excl "$(leaf_ext 'DNS:good.example.com')"
issue leaf_sha1 "www.example.com" int "$(leaf_ext "$LEAF_SAN")" $S $E sha1
issue leaf_crit "www.example.com" int "$(leaf_ext "$LEAF_SAN")"'\n1.3.6.1.4.1.55555.1=critical,ASN1:UTF8String:hello'
# Cross-signing: X (valid, trusted) and Old (expired, trusted) roots; X also cross-signed by Old.
issue root_x "Root X" self "$CA_EXT"
issue root_old "Root Old" self "$CA_EXT" 200101000000Z 210101000000Z
issue root_x_cross "Root X" root_old "$CA_EXT" $S $E sha256 root_x
issue int_x "Int X" root_x "$CA_EXT"
issue leaf_x "www.example.com" int_x "$(leaf_ext "$LEAF_SAN")"
# Backtracking: one intermediate key/name, certified by the expired Old root and by X.
issue xint_old "Cross Int" root_old "$CA_EXT" $S $E sha256 xint
issue xint_new "Cross Int" root_x "$CA_EXT" $S $E sha256 xint
issue leaf_xint "www.example.com" xint_new "$(leaf_ext "$LEAF_SAN")"
# An issuer loop: A is issued by B, B by A.
issue loop_b0 "Loop B" self "$CA_EXT" $S $E sha256 loop_b
issue loop_a "Loop A" loop_b0 "$CA_EXT"
issue loop_b "Loop B" loop_a "$CA_EXT"
issue leaf_loop "www.example.com" loop_a "$(leaf_ext "$LEAF_SAN")"
# An intermediate whose EKU leaves out serverAuth.
issue int_eku "EKU Int" root "$CA_EXT"'\nextendedKeyUsage=clientAuth'
issue leaf_eku "www.example.com" int_eku "$(leaf_ext "$LEAF_SAN")"
)SH";

struct Case {
  const char* name;
  const char* leaf;
  std::vector<std::string> untrusted;
  std::vector<std::string> anchors;
  std::string host;
  Purpose purpose = Purpose::server_auth;
  std::optional<int64_t> at_time = std::nullopt;
  VerifyStatus expect = VerifyStatus::ok;
  size_t depth = 0;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"valid", "leaf", {"int"}, {"root"}, "www.example.com"},
      {"valid_no_host", "leaf", {"int"}, {"root"}, ""},
      {"extras_and_order_ignored", "leaf", {"other_root", "int_x", "int", "leaf2"}, {"root"}, ""},
      {"leaf_expired",
       "leaf_expired",
       {"int"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::expired,
       0},
      {"leaf_expired_ok_at_time",
       "leaf_expired",
       {"int"},
       {"root"},
       "",
       Purpose::server_auth,
       int64_t{1600000000}},
      {"leaf_not_yet_valid",
       "leaf_future",
       {"int"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::not_yet_valid,
       0},
      {"intermediate_expired",
       "leaf_under_expired",
       {"int_expired"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::expired,
       1},
      {"intermediate_not_yet_valid",
       "leaf_under_future",
       {"int_future"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::not_yet_valid,
       1},
      {"wrong_host",
       "leaf",
       {"int"},
       {"root"},
       "other.example.com",
       Purpose::server_auth,
       {},
       VerifyStatus::hostname_mismatch,
       0},
      {"wildcard_one_label", "leaf", {"int"}, {"root"}, "a.wild.example.com"},
      {"wildcard_two_labels",
       "leaf",
       {"int"},
       {"root"},
       "a.b.wild.example.com",
       Purpose::server_auth,
       {},
       VerifyStatus::hostname_mismatch,
       0},
      {"wildcard_no_label",
       "leaf",
       {"int"},
       {"root"},
       "wild.example.com",
       Purpose::server_auth,
       {},
       VerifyStatus::hostname_mismatch,
       0},
      {"wildcard_star_com",
       "leaf_star_com",
       {"int"},
       {"root"},
       "example.com",
       Purpose::server_auth,
       {},
       VerifyStatus::hostname_mismatch,
       0},
      {"wildcard_partial",
       "leaf_partial",
       {"int"},
       {"root"},
       "foo.example.com",
       Purpose::server_auth,
       {},
       VerifyStatus::hostname_mismatch,
       0},
      {"ip_match", "leaf", {"int"}, {"root"}, "127.0.0.1"},
      {"ip_mismatch",
       "leaf",
       {"int"},
       {"root"},
       "127.0.0.2",
       Purpose::server_auth,
       {},
       VerifyStatus::ip_address_mismatch,
       0},
      {"self_signed_leaf",
       "self_leaf",
       {},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::depth_zero_self_signed,
       0},
      {"self_signed_leaf_trusted", "self_leaf", {}, {"self_leaf"}, "www.example.com"},
      {"untrusted_root",
       "leaf2",
       {"int2", "root2"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::self_signed_in_chain,
       2},
      {"missing_intermediate",
       "leaf",
       {},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::unable_to_get_issuer_cert_locally,
       0},
      {"intermediate_not_ca",
       "leaf_noca",
       {"int_noca"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::invalid_ca,
       1},
      {"path_length_exceeded",
       "leaf_pl",
       {"int_sub", "int_pl0"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::path_length_exceeded,
       2},
      {"no_key_cert_sign",
       "leaf_noku",
       {"int_noku"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::invalid_ca,
       1},
      {"eku_without_server_auth",
       "leaf_client",
       {"int"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::invalid_purpose,
       0},
      {"eku_client_purpose", "leaf_client", {"int"}, {"root"}, "", Purpose::client_auth},
      {"intermediate_eku",
       "leaf_eku",
       {"int_eku"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::invalid_purpose,
       1},
      {"name_constraints_permitted_ok", "leaf_nc_ok", {"int_nc_perm"}, {"root"}, ""},
      {"name_constraints_permitted_dns",
       "leaf_nc_perm_bad",
       {"int_nc_perm"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::permitted_subtree_violation,
       0},
      {"name_constraints_permitted_ip",
       "leaf_nc_perm_ip",
       {"int_nc_perm"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::permitted_subtree_violation,
       0},
      {"name_constraints_excluded",
       "leaf_nc_excl",
       {"int_nc_excl"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::excluded_subtree_violation,
       0},
      {"name_constraints_excluded_ok", "leaf_nc_excl_ok", {"int_nc_excl"}, {"root"}, ""},
      {"sha1_signature",
       "leaf_sha1",
       {"int"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::ca_md_too_weak,
       0},
      {"unknown_critical_extension",
       "leaf_crit",
       {"int"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::unhandled_critical_extension,
       0},
      {"cross_signed_new_root_trusted",
       "leaf_x",
       {"int_x", "root_x_cross"},
       {"root_old", "root_x"},
       "www.example.com"},
      {"cross_signed_only_expired_root",
       "leaf_x",
       {"int_x", "root_x_cross"},
       {"root_old"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::expired,
       3},
      {"cross_signed_backtrack",
       "leaf_xint",
       {"xint_old", "xint_new"},
       {"root_old", "root_x"},
       "www.example.com"},
      {"issuer_loop",
       "leaf_loop",
       {"loop_a", "loop_b"},
       {"root"},
       "",
       Purpose::server_auth,
       {},
       VerifyStatus::unable_to_get_issuer_cert_locally,
       2},
  };
  return all;
}

// Where we differ from `openssl verify` on purpose: the case and what OpenSSL 3.0 says
// ("OK" or its first "error N at D" as "N@D").
const std::map<std::string, std::string>& expected_differences() {
  static const std::map<std::string, std::string> diffs = {
      // RFC 6125 §7.2 / curl's hostcheck: a wildcard must be the whole leftmost label. OpenSSL
      // accepts partial wildcards unless X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS is set.
      {"wildcard_partial", "OK"},
      // Our builder backtracks past a path whose trust anchor has expired and finds the one
      // through the valid root; OpenSSL commits to the first issuer it picks (both are valid
      // now) and reports the expired anchor.
      {"cross_signed_backtrack", "10@2"},
  };
  return diffs;
}

class ValidateCorpusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    std::string script = dir_->file("gen.sh");
    {
      std::ofstream out(script);
      out << kCorpusScript;
    }
    auto r = run("cd '" + dir_->file("") + "' && bash gen.sh");
    generated_ = r.status == 0;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!testing::have_openssl()) {
      FAIL() << "openssl CLI not available (scripts/setup.sh installs it)";
    }
    ASSERT_TRUE(generated_) << "corpus generation failed";
  }

  static std::string path(const std::string& name) { return dir_->file(name + ".pem"); }
  static Certificate load(const std::string& name) {
    auto chain = load_certificate_chain_pem(testing::read_file(path(name)));
    EXPECT_TRUE(chain.ok()) << name;
    auto cert = parse_certificate(chain->front());
    EXPECT_TRUE(cert.ok()) << name;
    return std::move(cert).value();
  }
  static CertificateDer der(const std::string& name) { return load(name).der; }
  // bundle concatenates PEM files into one (openssl verify takes one -CAfile/-untrusted file).
  static std::string bundle(const std::string& tag, const std::vector<std::string>& names) {
    std::string text;
    for (const auto& n : names) {
      text += testing::read_file(path(n));
    }
    std::string file = dir_->file(tag + ".bundle");
    std::ofstream(file) << text;
    return file;
  }
  static std::shared_ptr<TrustStore> store_of(const std::vector<std::string>& names) {
    auto store = std::make_shared<TrustStore>();
    for (const auto& n : names) {
      EXPECT_TRUE(store->add_pem(testing::read_file(path(n))).ok());
    }
    return store;
  }

  // openssl_verdict runs `openssl verify` as curl's OpenSSL would judge (partial chains
  // trusted, security level 2) and returns "OK" or the first error as "N@D".
  static std::string openssl_verdict(const Case& c) {
    std::string cmd = "openssl verify -partial_chain -auth_level 2 -purpose ";
    cmd += c.purpose == Purpose::server_auth ? "sslserver" : "sslclient";
    cmd += " -CAfile '" + bundle(std::string(c.name) + "_ca", c.anchors) + "'";
    if (!c.untrusted.empty()) {
      cmd += " -untrusted '" + bundle(std::string(c.name) + "_untrusted", c.untrusted) + "'";
    }
    if (c.at_time) {
      cmd += " -attime " + std::to_string(*c.at_time);
    }
    if (!c.host.empty()) {
      cmd += (parse_ip_literal(c.host) ? " -verify_ip '" : " -verify_hostname '") + c.host + "'";
    }
    cmd += " '" + path(c.leaf) + "'";
    // openssl verify prints its errors on stderr; run() discards stderr outside the subshell.
    auto r = run("(" + cmd + " 2>&1)");
    std::smatch m;
    static const std::regex kError("error ([0-9]+) at ([0-9]+) depth lookup");
    if (std::regex_search(r.out, m, kError)) {
      return m[1].str() + "@" + m[2].str();
    }
    if (r.out.find(": OK") != std::string::npos) {
      return "OK";
    }
    return "unparsed: " + r.out;
  }

  static TempDir* dir_;
  static bool generated_;
};

TempDir* ValidateCorpusTest::dir_ = nullptr;
bool ValidateCorpusTest::generated_ = false;

TEST_F(ValidateCorpusTest, VerdictsReasonsAndOpensslAgreement) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    auto store = store_of(c.anchors);
    ValidationOptions options;
    options.purpose = c.purpose;
    options.at_time = c.at_time;
    DefaultVerifier verifier(store, options);
    std::vector<CertificateDer> chain{der(c.leaf)};
    for (const auto& u : c.untrusted) {
      chain.push_back(der(u));
    }
    auto outcome = verifier.verify_detailed(chain, c.host);
    ASSERT_TRUE(outcome.ok());
    VerifyStatus got = outcome->failure ? outcome->failure->status : VerifyStatus::ok;
    EXPECT_EQ(verify_status_string(got), verify_status_string(c.expect));
    if (outcome->failure) {
      EXPECT_EQ(outcome->failure->depth, c.depth);
    }
    // The CertificateVerifier face agrees with the detailed one.
    auto plain = verifier.verify(chain, c.host);
    EXPECT_EQ(plain.ok(), c.expect == VerifyStatus::ok);

    std::string ours =
        c.expect == VerifyStatus::ok
            ? "OK"
            : std::to_string(openssl_verify_code(c.expect)) + "@" + std::to_string(c.depth);
    std::string theirs = openssl_verdict(c);
    auto diff = expected_differences().find(c.name);
    if (diff != expected_differences().end()) {
      EXPECT_EQ(theirs, diff->second) << "OpenSSL's verdict changed for a listed difference";
      EXPECT_NE(theirs, ours);
    } else {
      EXPECT_EQ(theirs, ours) << "openssl verify disagrees";
    }
  }
}

TEST_F(ValidateCorpusTest, ValidPathIsReturnedLeafToAnchor) {
  auto store = store_of({"root"});
  Certificate leaf = load("leaf");
  std::vector<Certificate> untrusted{load("int")};
  auto r = validate_chain(leaf, untrusted, *store, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.path.size(), 3u);
  EXPECT_EQ(to_string(r.path[0].subject), "O=hs test; CN=www.example.com");
  EXPECT_EQ(to_string(r.path[1].subject), "O=hs test; CN=Test Int");
  EXPECT_EQ(to_string(r.path[2].subject), "O=hs test; CN=Test Root");
  EXPECT_TRUE(r.anchored);
  EXPECT_EQ(r.signature_checks, 2u);
}

TEST_F(ValidateCorpusTest, CrossSignedPrefersTrustedRootAndBacktracks) {
  // The peer's cross-certificate is ignored when the new root is trusted.
  auto store = store_of({"root_old", "root_x"});
  std::vector<Certificate> untrusted{load("int_x"), load("root_x_cross")};
  auto r = validate_chain(load("leaf_x"), untrusted, *store, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.path.size(), 3u);
  EXPECT_EQ(r.path[2].der, load("root_x").der);

  // Both intermediates are valid now; the first leads to the expired root and is abandoned.
  std::vector<Certificate> cross{load("xint_old"), load("xint_new")};
  r = validate_chain(load("leaf_xint"), cross, *store, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.path.size(), 3u);
  EXPECT_EQ(r.path[1].der, load("xint_new").der);
  EXPECT_EQ(r.paths_tried, 2u);
}

TEST_F(ValidateCorpusTest, BoundsStopTheSearch) {
  auto store = store_of({"root"});
  std::vector<Certificate> untrusted{load("int_sub"), load("int_pl0")};
  ValidationOptions shallow;
  shallow.max_depth = 2;
  auto r = validate_chain(load("leaf_pl"), untrusted, *store, shallow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->status, VerifyStatus::chain_too_long);

  ValidationOptions cheap;
  cheap.max_signature_checks = 1;
  r = validate_chain(load("leaf_pl"), untrusted, *store, cheap);
  ASSERT_FALSE(r.ok());
  EXPECT_LE(r.signature_checks, 1u);
}

TEST_F(ValidateCorpusTest, ErrorsReadLikeCurl) {
  auto store = store_of({"root"});
  DefaultVerifier verifier(store, {});
  std::vector<CertificateDer> expired{der("leaf_expired"), der("int")};
  auto r = verifier.verify(expired, "www.example.com");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::certificate_expired);
  EXPECT_EQ(r.error().detail(), "SSL certificate problem: certificate has expired");
  EXPECT_EQ(r.error().note(), "depth 0: O=hs test; CN=www.example.com");

  std::vector<CertificateDer> good{der("leaf"), der("int")};
  r = verifier.verify(good, "nope.example.com");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::certificate_unknown);
  EXPECT_EQ(r.error().detail(),
            "SSL: no alternative certificate subject name matches target host name "
            "'nope.example.com'");

  std::vector<CertificateDer> lonely{der("leaf")};
  r = verifier.verify(lonely, "www.example.com");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unknown_ca);
  EXPECT_EQ(r.error().detail(), "SSL certificate problem: unable to get local issuer certificate");

  std::vector<CertificateDer> selfsigned{der("self_leaf")};
  r = verifier.verify(selfsigned, "www.example.com");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail(), "SSL certificate problem: self-signed certificate");

  std::vector<CertificateDer> sha1{der("leaf_sha1"), der("int")};
  r = verifier.verify(sha1, "www.example.com");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_certificate);
  EXPECT_EQ(r.error().detail(), "SSL certificate problem: CA signature digest algorithm too weak");

  // Host empty: no name check.
  EXPECT_TRUE(verifier.verify(good, "").ok());
  // Garbage in the chain is a bad_certificate, not a crash.
  std::vector<CertificateDer> junk{CertificateDer{0x30, 0x03, 0x02, 0x01, 0x01}};
  r = verifier.verify(junk, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_certificate);
}

TEST_F(ValidateCorpusTest, MakeDefaultVerifierReadsCaFileAndCaPath) {
  TrustOptions file_only;
  file_only.ca_file = path("root");
  file_only.use_system_default = false;
  auto v = make_default_verifier(file_only);
  ASSERT_TRUE(v.ok());
  std::vector<CertificateDer> good{der("leaf"), der("int")};
  EXPECT_TRUE((*v)->verify(good, "www.example.com").ok());

  TempDir capath;
  std::ofstream(capath.file("root.crt")) << testing::read_file(path("root"));
  std::ofstream(capath.file("README")) << "not a certificate";
  std::ofstream(capath.file("broken.pem")) << "-----BEGIN CERTIFICATE-----\n!!\n";
  TrustOptions dir_only;
  dir_only.ca_path = capath.file("");
  dir_only.use_system_default = false;
  v = make_default_verifier(dir_only);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE((*v)->verify(good, "www.example.com").ok());

  TrustOptions missing;
  missing.ca_file = dir_->file("no-such-file.pem");
  missing.use_system_default = false;
  v = make_default_verifier(missing);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), ErrorCode::invalid_config);

  // The client purpose refuses a serverAuth-only leaf.
  TrustOptions client;
  client.ca_file = path("root");
  client.use_system_default = false;
  client.purpose = CertificatePurpose::client;
  v = make_default_verifier(client);
  ASSERT_TRUE(v.ok());
  auto r = (*v)->verify(good, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail(), "SSL certificate problem: unsuitable certificate purpose");
}

// A CA directory is read only when the CA file does not anchor the chain (OpenSSL's CApath is
// looked up lazily too, and /etc/ssl/certs holds hundreds of files): a certificate put into the
// directory after the verifier was made is still found, and the CA file keeps working alone.
TEST_F(ValidateCorpusTest, CaPathIsReadWhenTheCaFileDoesNotAnchorTheChain) {
  std::vector<CertificateDer> good{der("leaf"), der("int")};
  TempDir capath;
  TrustOptions both;
  both.ca_file = path("other_root");
  both.ca_path = capath.file("");
  both.use_system_default = false;
  auto v = make_default_verifier(both);
  ASSERT_TRUE(v.ok());
  std::ofstream(capath.file("root.crt")) << testing::read_file(path("root"));
  EXPECT_TRUE((*v)->verify(good, "www.example.com").ok());
  // Verified twice: the directory is loaded once and kept.
  EXPECT_TRUE((*v)->verify(good, "www.example.com").ok());

  TempDir empty;
  TrustOptions file_anchors;
  file_anchors.ca_file = path("root");
  file_anchors.ca_path = empty.file("");
  file_anchors.use_system_default = false;
  v = make_default_verifier(file_anchors);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE((*v)->verify(good, "www.example.com").ok());

  // Neither anchors it: the failure is the one a whole store gives.
  TrustOptions neither;
  neither.ca_file = path("other_root");
  neither.ca_path = empty.file("");
  neither.use_system_default = false;
  v = make_default_verifier(neither);
  ASSERT_TRUE(v.ok());
  auto r = (*v)->verify(good, "www.example.com");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail(), "SSL certificate problem: unable to get local issuer certificate");
}

}  // namespace
}  // namespace hs::x509

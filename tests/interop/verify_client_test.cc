// Server certificate verification end to end: `hs client` against openssl s_server presenting an
// expired, wrong-host, self-signed or untrusted certificate fails with curl's exit 60 and curl's
// text (compared with the installed curl against the same server), and succeeds with --cacert /
// --capath naming the right CA; `hs verify` on the same files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

// kPki issues the certificates with `openssl ca`, which takes exact validity dates (the only way
// to make an expired certificate with OpenSSL 3.0 without faking the clock). EC P-256 keeps it
// fast. Every server leaf names localhost and 127.0.0.1 unless said otherwise.
constexpr const char* kPki = R"SH(set -e
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
[pol]
commonName = supplied
organizationName = optional
CNF
CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
leaf_ext() { printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=%s' "$1"; }
issue() {
  local name=$1 cn=$2 issuer=$3 ext=$4 start=${5:-200101000000Z} end=${6:-491231235959Z}
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.key" 2>/dev/null
  openssl req -new -key "$name.key" -subj "/O=hs interop/CN=$cn" -out "$name.csr"
  printf '[v3]\n%b\n' "$ext" > "$name.ext"
  if [ "$issuer" = self ]; then set -- -selfsign -keyfile "$name.key"; else set -- -cert "$issuer.pem" -keyfile "$issuer.key"; fi
  openssl ca -batch -config ca.cnf "$@" -in "$name.csr" -out "$name.pem" -startdate $start \
    -enddate $end -extfile "$name.ext" -extensions v3 -notext -preserveDN 2>/dev/null
}
SAN='DNS:localhost,IP:127.0.0.1'
issue root "Interop Root" self "$CA_EXT"
issue other_root "Other Root" self "$CA_EXT"
issue int "Interop Int" root "$CA_EXT"
issue leaf localhost int "$(leaf_ext "$SAN")"
issue expired localhost int "$(leaf_ext "$SAN")" 200101000000Z 210101000000Z
issue wrong_host other.example int "$(leaf_ext 'DNS:other.example')"
issue self_signed localhost self "$(leaf_ext "$SAN")"
mkdir capath; cp root.pem capath/; openssl rehash capath 2>/dev/null || true
)SH";

// first_line_with returns the first line of `text` containing `needle`, or "".
std::string first_line_with(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  if (at == std::string::npos) {
    return "";
  }
  size_t start = text.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  size_t end = text.find('\n', at);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

class VerifyClientTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    dir_->write_file("pki.sh", kPki);
    CommandResult r =
        run_command({"bash", "-c", "cd '" + dir_->path().string() + "' && bash pki.sh"}, 60s);
    pki_ok_ = r.exit_code == 0;
    pki_output_ = r.output();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
    ASSERT_TRUE(pki_ok_) << pki_output_;
  }

  static std::string file(const std::string& name) { return (*dir_ / name).string(); }

  // start serves `leaf` (with the intermediate unless it is self-signed) on a fresh port.
  void start(const std::string& leaf, bool with_intermediate = true) {
    port_ = free_port();
    std::vector<std::string> args = {"openssl", "s_server",
                                     "-accept", "127.0.0.1:" + std::to_string(port_),
                                     "-cert",   file(leaf + ".pem"),
                                     "-key",    file(leaf + ".key"),
                                     "-www",    "-tls1_2"};
    if (with_intermediate) {
      args.insert(args.end(), {"-cert_chain", file("int.pem")});
    }
    server_.emplace(std::move(args));
    ASSERT_TRUE(server_->wait_for_port(port_, 10s)) << server_->output();
  }

  std::string url() const { return "https://localhost:" + std::to_string(port_) + "/"; }
  std::string resolve() const { return "localhost:" + std::to_string(port_) + ":127.0.0.1"; }

  CommandResult hs(std::vector<std::string> flags) {
    std::vector<std::string> args = {hs_binary().string(), "client", "-s", "-S", "-o", "/dev/null"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"--resolve", resolve(), url()});
    return run_command(std::move(args), 30s);
  }
  CommandResult curl(std::vector<std::string> flags) {
    std::vector<std::string> args = {"curl", "-s", "-S", "-o", "/dev/null", "--tls-max", "1.2"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"--resolve", resolve(), url()});
    return run_command(std::move(args), 30s);
  }

  // expect_like_curl runs hs and curl with `flags` and checks exit 60 and the same message.
  void expect_like_curl(const std::vector<std::string>& flags, const std::string& message) {
    CommandResult h = hs(flags);
    EXPECT_EQ(h.exit_code, 60) << h.output();
    EXPECT_EQ(first_line_with(h.err, "hs: (60)"), "hs: (60) " + message) << h.output();
    ASSERT_TRUE(require_program("curl"));
    CommandResult c = curl(flags);
    EXPECT_EQ(c.exit_code, 60) << c.output();
    EXPECT_EQ(first_line_with(c.err, "curl: (60)"), "curl: (60) " + message) << c.output();
  }

  static TempDir* dir_;
  static bool pki_ok_;
  static std::string pki_output_;
  uint16_t port_ = 0;
  std::optional<Process> server_;
};

TempDir* VerifyClientTest::dir_ = nullptr;
bool VerifyClientTest::pki_ok_ = false;
std::string VerifyClientTest::pki_output_;

TEST_F(VerifyClientTest, SucceedsWithTheRightCa) {
  start("leaf");
  CommandResult r = hs({"-v", "--cacert", file("root.pem")});
  EXPECT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.err, "*  SSL certificate verify ok.")) << r.output();
  // A CA directory (hashed names made by openssl rehash, as curl needs; we also read *.pem).
  r = hs({"--capath", file("capath")});
  EXPECT_EQ(r.exit_code, 0) << r.output();
  ASSERT_TRUE(require_program("curl"));
  CommandResult c = curl({"--cacert", file("root.pem")});
  EXPECT_EQ(c.exit_code, 0) << c.output();
}

TEST_F(VerifyClientTest, ExpiredCertificate) {
  start("expired");
  expect_like_curl({"--cacert", file("root.pem")},
                   "SSL certificate problem: certificate has expired");
  // -k keeps verification off.
  CommandResult k = hs({"-k"});
  EXPECT_EQ(k.exit_code, 0) << k.output();
}

TEST_F(VerifyClientTest, WrongHost) {
  start("wrong_host");
  expect_like_curl({"--cacert", file("root.pem")},
                   "SSL: no alternative certificate subject name matches target host name "
                   "'localhost'");
}

TEST_F(VerifyClientTest, UntrustedCa) {
  start("leaf");
  expect_like_curl({"--cacert", file("other_root.pem")},
                   "SSL certificate problem: unable to get local issuer certificate");
  // The system trust does not know our root either.
  expect_like_curl({}, "SSL certificate problem: unable to get local issuer certificate");
}

TEST_F(VerifyClientTest, SelfSignedServer) {
  start("self_signed", /*with_intermediate=*/false);
  expect_like_curl({"--cacert", file("root.pem")},
                   "SSL certificate problem: self-signed certificate");
  // Trusting the certificate itself (curl --cacert server.pem) works.
  CommandResult r = hs({"--cacert", file("self_signed.pem")});
  EXPECT_EQ(r.exit_code, 0) << r.output();
}

TEST_F(VerifyClientTest, VeryVerboseNamesTheFailingCertificate) {
  start("expired");
  CommandResult r = hs({"-vv", "--cacert", file("root.pem")});
  EXPECT_EQ(r.exit_code, 60) << r.output();
  EXPECT_TRUE(contains(r.err, "* depth 0: O=hs interop; CN=localhost")) << r.output();
}

TEST_F(VerifyClientTest, UnreadableCaFileIsExit77LikeCurl) {
  start("leaf");
  std::string missing = file("no-such-ca.pem");
  CommandResult r = hs({"--cacert", missing});
  EXPECT_EQ(r.exit_code, 77) << r.output();
  EXPECT_TRUE(contains(r.err, "hs: (77) error setting certificate file: " + missing)) << r.output();
  ASSERT_TRUE(require_program("curl"));
  CommandResult c = curl({"--cacert", missing});
  EXPECT_EQ(c.exit_code, 77) << c.output();
  EXPECT_TRUE(contains(c.err, "curl: (77) error setting certificate file: " + missing))
      << c.output();
}

TEST_F(VerifyClientTest, HsVerifyVerdicts) {
  auto verify = [](std::vector<std::string> args) {
    args.insert(args.begin(), {hs_binary().string(), "verify"});
    return run_command(std::move(args), 30s);
  };
  CommandResult ok = verify({"--cafile", file("root.pem"), "--untrusted", file("int.pem"), "--host",
                             "localhost", file("leaf.pem")});
  EXPECT_EQ(ok.exit_code, 0) << ok.output();
  EXPECT_TRUE(contains(ok.out, "OK\n")) << ok.output();
  EXPECT_TRUE(contains(ok.out, "  2: O=hs interop; CN=Interop Root (trust anchor)")) << ok.output();
  // The leaf's key in --pinnedpubkey's form, as the openssl CLI computes it.
  TempDir pin_dir;
  EXPECT_TRUE(contains(
      ok.out, "leaf public key pin: " + public_key_pin(file("leaf.pem"), pin_dir.path()) + "\n"))
      << ok.output();

  CommandResult expired =
      verify({"--cafile", file("root.pem"), "--untrusted", file("int.pem"), file("expired.pem")});
  EXPECT_EQ(expired.exit_code, 1) << expired.output();
  EXPECT_TRUE(contains(expired.out, "FAILED: certificate has expired")) << expired.output();
  EXPECT_TRUE(contains(expired.out, "at depth 0: O=hs interop; CN=localhost")) << expired.output();

  // Back in 2020 the expired leaf was fine.
  CommandResult then = verify({"--cafile", file("root.pem"), "--untrusted", file("int.pem"),
                               "--at-time", "1600000000", file("expired.pem")});
  EXPECT_EQ(then.exit_code, 0) << then.output();

  CommandResult ip = verify({"--cafile", file("root.pem"), "--untrusted", file("int.pem"), "--host",
                             "127.0.0.2", "--json", file("leaf.pem")});
  EXPECT_EQ(ip.exit_code, 1) << ip.output();
  EXPECT_TRUE(contains(ip.out, "\"result\": \"fail\"")) << ip.output();
  EXPECT_TRUE(contains(ip.out, "\"reason\": \"IP address mismatch\"")) << ip.output();
  EXPECT_TRUE(contains(ip.out, "\"check\": \"host\", \"ok\": false")) << ip.output();

  CommandResult client = verify({"--cafile", file("root.pem"), "--untrusted", file("int.pem"),
                                 "--purpose", "client", file("leaf.pem")});
  EXPECT_EQ(client.exit_code, 1) << client.output();
  EXPECT_TRUE(contains(client.out, "FAILED: unsuitable certificate purpose")) << client.output();

  // The same verdicts from openssl verify.
  CommandResult o = run_command({"openssl", "verify", "-CAfile", file("root.pem"), "-untrusted",
                                 file("int.pem"), file("expired.pem")});
  EXPECT_NE(o.exit_code, 0) << o.output();
  EXPECT_TRUE(contains(o.out + o.err, "certificate has expired")) << o.output();
}

// `hs verify --crlfile` against `openssl verify -crl_check_all` (the flags curl sets for
// --crlfile) on the same files: the same verdict, reason and depth in every situation.
TEST_F(VerifyClientTest, HsVerifyCrlVerdictsAreOpenSslVerifys) {
  TempDir dir;
  auto crl = [&](const std::string& issuer, const std::vector<std::string>& revoked,
                 const std::string& name, const std::vector<std::string>& validity = {}) {
    std::vector<std::filesystem::path> certs;
    for (const std::string& r : revoked) {
      certs.emplace_back(file(r + ".pem"));
    }
    const std::filesystem::path out = dir / name;
    if (validity.empty()) {
      make_crl(file(issuer + ".pem"), file(issuer + ".key"), certs, out);
    } else {
      make_crl(file(issuer + ".pem"), file(issuer + ".key"), certs, out, validity);
    }
    return read_file(out);
  };
  const std::string root = crl("root", {}, "root.crl");
  const std::string inter = crl("int", {}, "int.crl");
  const std::string inter_revoking_leaf = crl("int", {"leaf"}, "int-leaf.crl");
  const std::string root_revoking_int = crl("root", {"int"}, "root-int.crl");
  const std::string root_revoking_root = crl("root", {"root"}, "root-root.crl");
  const std::string inter_stale =
      crl("int", {}, "int-stale.crl",
          {"-crl_lastupdate", "20200601000000Z", "-crl_nextupdate", "20200701000000Z"});

  struct Case {
    std::string name;
    std::vector<std::string> crls;
    std::string at_time;  // empty: now
    std::string reason;   // empty: accepted
    int depth = 0;
  };
  const std::vector<Case> cases = {
      {"every certificate has a CRL", {root, inter}, "", "", 0},
      {"no CRL for the intermediate", {inter}, "", "unable to get certificate CRL", 1},
      {"no CRL for the leaf", {root}, "", "unable to get certificate CRL", 0},
      {"leaf revoked", {root, inter_revoking_leaf}, "", "certificate revoked", 0},
      {"intermediate revoked", {root_revoking_int, inter}, "", "certificate revoked", 1},
      {"root revoked by itself", {root_revoking_root, inter}, "", "certificate revoked", 2},
      {"leaf's CRL expired", {root, inter_stale}, "", "CRL has expired", 0},
      {"CRLs not yet issued", {root, inter}, "1600000000", "CRL is not yet valid", 0},
  };
  static const std::regex kOpenSslError("error ([0-9]+) at ([0-9]+) depth lookup: ([^\n]+)");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::filesystem::path crls = dir / "crls.pem";
    {
      std::ofstream out(crls, std::ios::trunc);
      for (const std::string& pem : c.crls) {
        out << pem;
      }
    }
    std::vector<std::string> hs_args = {hs_binary().string(), "verify",      "--cafile",
                                        file("root.pem"),     "--untrusted", file("int.pem"),
                                        "--crlfile",          crls.string()};
    std::vector<std::string> ossl_args = {"openssl",        "verify",      "-crl_check_all",
                                          "-CRLfile",       crls.string(), "-CAfile",
                                          file("root.pem"), "-untrusted",  file("int.pem")};
    if (!c.at_time.empty()) {
      hs_args.insert(hs_args.end(), {"--at-time", c.at_time});
      ossl_args.insert(ossl_args.end(), {"-attime", c.at_time});
    }
    hs_args.push_back(file("leaf.pem"));
    ossl_args.push_back(file("leaf.pem"));
    const CommandResult ours = run_command(hs_args, 30s);
    const CommandResult theirs = run_command(ossl_args, 30s);
    if (c.reason.empty()) {
      EXPECT_EQ(ours.exit_code, 0) << ours.output();
      EXPECT_EQ(theirs.exit_code, 0) << theirs.output();
      continue;
    }
    EXPECT_EQ(ours.exit_code, 1) << ours.output();
    EXPECT_TRUE(contains(ours.out, "FAILED: " + c.reason + "\n")) << ours.output();
    EXPECT_TRUE(contains(ours.out, "at depth " + std::to_string(c.depth) + ":")) << ours.output();
    if (c.reason == "certificate revoked") {
      // The CRL entry, with the reason openssl ca wrote.
      EXPECT_TRUE(contains(ours.out, "why: revoked ")) << ours.output();
      EXPECT_TRUE(contains(ours.out, ", keyCompromise (1)\n")) << ours.output();
    }
    std::smatch m;
    const std::string text = theirs.out + theirs.err;
    ASSERT_TRUE(std::regex_search(text, m, kOpenSslError)) << theirs.output();
    EXPECT_EQ(m[3].str(), c.reason) << theirs.output();
    EXPECT_EQ(m[2].str(), std::to_string(c.depth)) << theirs.output();
  }
}

}  // namespace
}  // namespace hs::test

// OCSP stapling (RFC 6066 §8; RFC 8446 §4.4.2.1) by `hs server --ocsp-response` against real
// clients on loopback: curl --cert-status, which verifies the stapled response against the CA
// and fails without one (exit 91), gnutls-cli, which checks it with the chain, and openssl
// s_client -status, in TLS 1.2 and 1.3; and `hs client --cert-status` against hs server and
// openssl s_server -status_file, its verdicts and words set beside curl's for the same server.
// The responses come from `openssl ocsp` acting as the test CA's responder: one "good", one
// "revoked".
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "support/hs_client.h"
#include "support/hs_server.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"
#include "unit/x509/ocsp_builder.h"

namespace hs::test {
namespace {

class OcspStaplingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
    ASSERT_TRUE(require_program("curl"));
    pki_ = &shared_test_pki();
    // curl computes the response's CertID from the issuer in the chain the server sends
    // ("Error computing OCSP ID" without it), so the chain carries the CA after the leaf.
    chain_ = dir_ / "chain.pem";
    std::ofstream(chain_) << read_file(pki_->rsa_cert) << read_file(pki_->ca_cert);
  }

  // make_response has the test CA answer for the RSA leaf: "V" (good) or "R" (revoked), as
  // `openssl ca` writes its index.
  std::filesystem::path make_response(const std::string& status) {
    CommandResult serial =
        run_command({"openssl", "x509", "-in", pki_->rsa_cert.string(), "-noout", "-serial"}, 20s);
    EXPECT_EQ(serial.exit_code, 0) << serial.output();
    std::string hex = serial.out.substr(serial.out.find('=') + 1);
    hex = hex.substr(0, hex.find_first_of("\r\n"));
    const auto index = dir_ / ("index-" + status + ".txt");
    std::ofstream(index) << status << "\t351231235959Z\t" << (status == "R" ? "261101000000Z" : "")
                         << "\t" << hex << "\tunknown\t/O=handshake tests/CN=localhost\n";
    const auto out = dir_ / ("ocsp-" + status + ".der");
    CommandResult r = run_command(
        {"openssl", "ocsp", "-index", index.string(), "-CA", pki_->ca_cert.string(), "-rsigner",
         pki_->ca_cert.string(), "-rkey", pki_->ca_key.string(), "-issuer", pki_->ca_cert.string(),
         "-cert", pki_->rsa_cert.string(), "-no_nonce", "-ndays", "7", "-respout", out.string()},
        20s);
    EXPECT_EQ(r.exit_code, 0) << r.output();
    return out;
  }

  std::unique_ptr<HsServerProcess> server(const std::filesystem::path& response) {
    std::vector<std::string> certs = {"--cert", chain_.string(), "--key", pki_->rsa_key.string()};
    std::vector<std::string> extra = {"-v"};
    if (!response.empty()) {
      extra.insert(extra.end(), {"--ocsp-response", response.string()});
    }
    auto s = std::make_unique<HsServerProcess>(certs, extra);
    EXPECT_NE(s->port(), 0) << s->output();
    return s;
  }

  CommandResult curl(const HsServerProcess& s, const std::string& version) {
    return run_command({"curl", "-sS", "-v", "-o", "/dev/null", "--cert-status", "--cacert",
                        pki_->ca_cert.string(), "--resolve", s.resolve(), version, "--tls-max",
                        version == "--tlsv1.3" ? "1.3" : "1.2", s.url()},
                       20s);
  }

  TempDir dir_;
  std::filesystem::path chain_;
  const TestPki* pki_ = nullptr;
};

TEST_F(OcspStaplingTest, CurlVerifiesTheStapledResponse) {
  auto s = server(make_response("V"));
  // hs server read the response it staples (x509::parse_ocsp_response).
  EXPECT_TRUE(contains(s->output(), "ocsp-V.der: OCSP good, next update ")) << s->output();
  for (const std::string version : {"--tlsv1.2", "--tlsv1.3"}) {
    SCOPED_TRACE(version);
    CommandResult r = curl(*s, version);
    EXPECT_EQ(r.exit_code, 0) << r.output() << s->output();
    EXPECT_TRUE(contains(r.err, "* SSL certificate status: good (0)")) << r.output();
    if (version == "--tlsv1.2") {
      EXPECT_TRUE(contains(r.err, "TLSv1.2 (IN), TLS handshake, Certificate Status (22):"))
          << r.output();
    }
  }
}

TEST_F(OcspStaplingTest, CurlRefusesARevokedOrMissingResponse) {
  auto revoked = server(make_response("R"));
  CommandResult r = curl(*revoked, "--tlsv1.3");
  EXPECT_EQ(r.exit_code, 91) << r.output();
  EXPECT_TRUE(contains(r.err, "SSL certificate revocation reason")) << r.output();

  auto none = server({});
  CommandResult n = curl(*none, "--tlsv1.2");
  EXPECT_EQ(n.exit_code, 91) << n.output();
  EXPECT_TRUE(contains(n.err, "No OCSP response received")) << n.output();
}

TEST_F(OcspStaplingTest, OpensslClientGetsTheResponseOnlyWhenItAsks) {
  auto s = server(make_response("V"));
  for (const std::string version : {"-tls1_2", "-tls1_3"}) {
    SCOPED_TRACE(version);
    CommandResult asked = run_command({"openssl", "s_client", version, "-status", "-connect",
                                       s->connect(), "-servername", "localhost"},
                                      20s, "");
    EXPECT_EQ(asked.exit_code, 0) << asked.output();
    EXPECT_TRUE(contains(asked.out, "OCSP Response Status: successful (0x0)")) << asked.output();
    EXPECT_TRUE(contains(asked.out, "Cert Status: good")) << asked.output();
    // Without -status no status_request is sent, so nothing is stapled (-msg shows every
    // handshake message).
    CommandResult plain = run_command({"openssl", "s_client", version, "-msg", "-connect",
                                       s->connect(), "-servername", "localhost"},
                                      20s, "");
    EXPECT_EQ(plain.exit_code, 0) << plain.output();
    EXPECT_TRUE(contains(plain.out, "Certificate")) << plain.output();
    EXPECT_FALSE(contains(plain.out, "CertificateStatus")) << plain.output();
    EXPECT_FALSE(contains(plain.out, "OCSP")) << plain.output();
  }
}

// gnutls-cli asks for OCSP by default and checks a stapled response with the chain: "good"
// shows as the acknowledged "OCSP status request" option, "revoked" fails the handshake.
TEST_F(OcspStaplingTest, GnutlsClientChecksTheStapledResponse) {
  ASSERT_TRUE(require_program("gnutls-cli"));
  auto gnutls = [&](const HsServerProcess& s, const std::string& version) {
    return run_command(
        {"gnutls-cli", "--priority", "NORMAL:-VERS-ALL:+VERS-" + version, "--x509cafile",
         pki_->ca_cert.string(), "-p", std::to_string(s.port()), "localhost"},
        20s, "");
  };
  auto good = server(make_response("V"));
  for (const std::string version : {"TLS1.2", "TLS1.3"}) {
    SCOPED_TRACE(version);
    CommandResult r = gnutls(*good, version);
    EXPECT_EQ(r.exit_code, 0) << r.output() << good->output();
    EXPECT_TRUE(contains(r.out, "OCSP status request")) << r.output();
    EXPECT_TRUE(contains(r.out, "Status: The certificate is trusted.")) << r.output();
  }
  auto revoked = server(make_response("R"));
  CommandResult r = gnutls(*revoked, "TLS1.3");
  EXPECT_NE(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.output(), "The certificate was revoked via OCSP")) << r.output();
}

// A response past its nextUpdate is still stapled (the operator's to refresh, as with nginx's
// ssl_stapling_file), with a warning at start. Built by hand: openssl ocsp cannot backdate.
TEST_F(OcspStaplingTest, HsServerWarnsAboutAnExpiredResponse) {
  namespace t = x509::testing;
  const auto stale = dir_ / "stale.der";
  const std::vector<uint8_t> der =
      t::response({t::single(t::kGood, true, "20200101000000Z", "20200108000000Z")});
  std::ofstream(stale, std::ios::binary)
      .write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
  auto s = server(stale);
  EXPECT_TRUE(contains(s->output(), "warning: " + stale.string() +
                                        ": OCSP response expired Jan  8 "
                                        "00:00:00 2020 GMT"))
      << s->output();
  CommandResult r = run_command({"openssl", "s_client", "-tls1_3", "-status", "-connect",
                                 s->connect(), "-servername", "localhost"},
                                20s, "");
  EXPECT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.out, "OCSP Response Status: successful (0x0)")) << r.output();
}

// hs server staples what it is given, but checks it at start as a client will (curl
// --cert-status, hs client --cert-status) and warns when such a client would refuse it: revoked,
// or for a chain that does not carry the issuer the client needs to compute the CertID.
TEST_F(OcspStaplingTest, HsServerWarnsWhenCheckingClientsWouldRefuseItsResponse) {
  const auto good = make_response("V");
  auto fine = server(good);
  EXPECT_FALSE(contains(fine->output(), "warning")) << fine->output();
  auto revoked = server(make_response("R"));
  EXPECT_TRUE(contains(revoked->output(),
                       "clients that check it will refuse it: SSL certificate revocation reason: "))
      << revoked->output();
  HsServerProcess leaf_only({"--cert", pki_->rsa_cert.string(), "--key", pki_->rsa_key.string()},
                            {"--ocsp-response", good.string()});
  ASSERT_NE(leaf_only.port(), 0) << leaf_only.output();
  EXPECT_TRUE(contains(leaf_only.output(),
                       "warning: " + good.string() +
                           ": clients that check it will refuse it: Error computing OCSP ID"))
      << leaf_only.output();
  // And curl, checking it, refuses it in those words.
  CommandResult r = curl(leaf_only, "--tlsv1.3");
  EXPECT_EQ(r.exit_code, 91) << r.output();
  EXPECT_TRUE(contains(r.err, "Error computing OCSP ID")) << r.output();
}

// An OCSP must-staple leaf (RFC 7633, openssl's tlsfeature=status_request) served without
// --ocsp-response: hs server says that clients asking for the status will refuse it.
TEST_F(OcspStaplingTest, HsServerWarnsOfAMustStapleLeafWithoutAResponse) {
  const auto key = dir_ / "staple.key";
  const auto cert = dir_ / "staple.pem";
  CommandResult made = run_command({"openssl",
                                    "req",
                                    "-x509",
                                    "-newkey",
                                    "ec",
                                    "-pkeyopt",
                                    "ec_paramgen_curve:P-256",
                                    "-nodes",
                                    "-keyout",
                                    key.string(),
                                    "-out",
                                    cert.string(),
                                    "-subj",
                                    "/CN=localhost",
                                    "-days",
                                    "2",
                                    "-addext",
                                    "subjectAltName=DNS:localhost",
                                    "-addext",
                                    "tlsfeature=status_request"});
  ASSERT_EQ(made.exit_code, 0) << made.output();
  HsServerProcess must_staple({"--cert", cert.string(), "--key", key.string()});
  ASSERT_NE(must_staple.port(), 0) << must_staple.output();
  EXPECT_TRUE(
      contains(must_staple.output(), "warning: " + cert.string() +
                                         " is OCSP must-staple (TLS feature status_request) and no "
                                         "--ocsp-response is given for it"))
      << must_staple.output();
  HsServerProcess plain({"--cert", pki_->rsa_cert.string(), "--key", pki_->rsa_key.string()});
  ASSERT_NE(plain.port(), 0) << plain.output();
  EXPECT_FALSE(contains(plain.output(), "must-staple")) << plain.output();
}

TEST_F(OcspStaplingTest, HsServerRefusesWhatIsNotASuccessfulResponse) {
  const auto junk = dir_ / "junk.der";
  std::ofstream(junk) << "not DER";
  std::vector<std::string> args = {hs_binary().string(),
                                   "server",
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--cert",
                                   chain_.string(),
                                   "--key",
                                   pki_->rsa_key.string(),
                                   "--ocsp-response",
                                   junk.string()};
  CommandResult r = run_command(args, 20s);
  EXPECT_EQ(r.exit_code, 2) << r.output();
  EXPECT_TRUE(contains(r.err, "junk.der: OCSP response: not an OCSPResponse")) << r.output();
}

// last_line returns the last non-empty line of `text`.
std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) {
    t.pop_back();
  }
  const size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

TEST_F(OcspStaplingTest, HsClientChecksTheStapledResponse) {
  auto s = server(make_response("V"));
  for (const std::string version : {"1.2", "1.3"}) {
    SCOPED_TRACE(version);
    CommandResult r = run_hs_client(
        *pki_, s->port(), {"-v", "-o", "/dev/null", "--cert-status", "--tls-max", version});
    EXPECT_EQ(r.exit_code, 0) << r.output() << s->output();
    // As curl prints it, right after the certificate block.
    EXPECT_TRUE(
        contains(r.err, "*  SSL certificate verify ok.\n* SSL certificate status: good (0)\n"))
        << r.output();
    if (version == "1.2") {
      EXPECT_TRUE(contains(r.err, "TLSv1.2 (IN), TLS handshake, Certificate Status (22):"))
          << r.output();
    }
  }
}

// Each refusal: exit 91 (CURLE_SSL_INVALIDCERTSTATUS) with the words curl prints for the same
// server: revoked, nothing stapled, and a chain without the issuer (the CertID needs it).
TEST_F(OcspStaplingTest, HsClientRefusesAsCurlDoes) {
  struct Case {
    std::string name;
    std::unique_ptr<HsServerProcess> server;
  };
  std::vector<Case> cases;
  cases.push_back({"revoked", server(make_response("R"))});
  cases.push_back({"none", server({})});
  auto leaf_only = std::make_unique<HsServerProcess>(
      std::vector<std::string>{"--cert", pki_->rsa_cert.string(), "--key", pki_->rsa_key.string(),
                               "--ocsp-response", make_response("V").string()});
  ASSERT_NE(leaf_only->port(), 0) << leaf_only->output();
  cases.push_back({"leaf only", std::move(leaf_only)});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    for (const std::string version : {"1.2", "1.3"}) {
      SCOPED_TRACE(version);
      CommandResult ours = run_hs_client(
          *pki_, c.server->port(), {"-o", "/dev/null", "--cert-status", "--tls-max", version});
      CommandResult theirs = curl(*c.server, version == "1.2" ? "--tlsv1.2" : "--tlsv1.3");
      EXPECT_EQ(ours.exit_code, 91) << ours.output();
      EXPECT_EQ(theirs.exit_code, 91) << theirs.output();
      const std::string curl_line = last_line(theirs.err);
      ASSERT_EQ(curl_line.rfind("curl: (91) ", 0), 0u) << theirs.output();
      EXPECT_EQ(last_line(ours.err), "hs: (91) " + curl_line.substr(11)) << ours.output();
    }
  }
}

// hs client against OpenSSL's server stapling the same response (-status_file), the issuer sent
// with -cert_chain.
TEST_F(OcspStaplingTest, HsClientChecksOpensslServersResponse) {
  for (const std::string status : {"V", "R"}) {
    const auto response = make_response(status);
    const uint16_t port = free_port();
    Process server({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
                    pki_->rsa_cert.string(), "-key", pki_->rsa_key.string(), "-cert_chain",
                    pki_->ca_cert.string(), "-status_file", response.string(), "-www"});
    ASSERT_TRUE(server.wait_for_port(port)) << server.output();
    for (const std::string version : {"1.2", "1.3"}) {
      SCOPED_TRACE(status + " " + version);
      CommandResult r = run_hs_client(
          *pki_, port, {"-v", "-o", "/dev/null", "--cert-status", "--tls-max", version});
      if (status == "V") {
        EXPECT_EQ(r.exit_code, 0) << r.output() << server.output();
        EXPECT_TRUE(contains(r.err, "* SSL certificate status: good (0)")) << r.output();
      } else {
        EXPECT_EQ(r.exit_code, 91) << r.output();
        EXPECT_TRUE(contains(r.err, "SSL certificate revocation reason: ")) << r.output();
      }
    }
  }
}

// hs verify --ocsp-response checks a response file for the leaf of the path it found, and its
// verdict agrees with `openssl ocsp -respin` on the same files.
TEST_F(OcspStaplingTest, HsVerifyChecksAResponseAsOpensslOcspDoes) {
  for (const std::string status : {"V", "R"}) {
    SCOPED_TRACE(status);
    const auto response = make_response(status);
    CommandResult ours =
        run_command({hs_binary().string(), "verify", "--cafile", pki_->ca_cert.string(),
                     "--ocsp-response", response.string(), pki_->rsa_cert.string()},
                    20s);
    CommandResult theirs = run_command(
        {"openssl", "ocsp", "-respin", response.string(), "-issuer", pki_->ca_cert.string(),
         "-cert", pki_->rsa_cert.string(), "-CAfile", pki_->ca_cert.string()},
        20s);
    EXPECT_EQ(theirs.exit_code, 0) << theirs.output();
    EXPECT_TRUE(contains(theirs.output(), "Response verify OK")) << theirs.output();
    if (status == "V") {
      EXPECT_EQ(ours.exit_code, 0) << ours.output();
      EXPECT_TRUE(contains(ours.out, "OCSP: good, next update ")) << ours.output();
      EXPECT_TRUE(contains(theirs.out, ": good")) << theirs.output();
    } else {
      EXPECT_EQ(ours.exit_code, 1) << ours.output();
      EXPECT_TRUE(contains(ours.out, "OCSP: FAILED: SSL certificate revocation reason: "))
          << ours.output();
      EXPECT_TRUE(contains(theirs.out, ": revoked")) << theirs.output();
    }
  }
  // Eight days on, the response (seven days) is past its nextUpdate while the certificate is
  // still valid: only the OCSP verdict fails.
  const auto good = make_response("V");
  CommandResult later =
      run_command({hs_binary().string(), "verify", "--json", "--cafile", pki_->ca_cert.string(),
                   "--ocsp-response", good.string(), "--at-time",
                   std::to_string(std::time(nullptr) + 8 * 86400), pki_->rsa_cert.string()},
                  20s);
  EXPECT_EQ(later.exit_code, 1) << later.output();
  EXPECT_TRUE(
      contains(later.out, R"("ocsp": {"ok": false, "detail": "OCSP response has expired"})"))
      << later.output();
}

}  // namespace
}  // namespace hs::test

// Ed25519, Ed448 and RSA-PSS (id-RSASSA-PSS key) server certificates end to end, both
// directions: openssl s_client -tls1_3/-tls1_2 -sigalgs ed25519 / ed448 / rsa_pss_pss_sha256
// against `hs server` holding all five test leaves (RSA, ECDSA, Ed25519, Ed448, RSA-PSS), so the
// right certificate must be picked by signature_algorithms; `hs client` against openssl s_server
// serving each of the three certificates in TLS 1.3 and TLS 1.2; gnutls-cli against `hs server`
// with the Ed25519 and the Ed448 leaf.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/hs_server.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/text.h"

namespace hs::test {
namespace {

class CertTypesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
    pki_ = &shared_test_pki();
  }

  // start_hs runs `hs server` with the given --cert/--key pairs.
  std::unique_ptr<HsServerProcess> start_hs(std::vector<std::string> cert_args) {
    auto s = std::make_unique<HsServerProcess>(std::move(cert_args));
    EXPECT_NE(s->port(), 0) << s->process().output();
    return s;
  }

  // all_certs is RSA, ECDSA, Ed25519, Ed448 and RSA-PSS, in that order (RSA is the default).
  std::vector<std::string> all_certs() const {
    std::vector<std::string> args = HsServerProcess::cert_args(*pki_);
    args.insert(args.end(),
                {"--cert", pki_->ed25519_cert.string(), "--key", pki_->ed25519_key.string(),
                 "--cert", pki_->ed448_cert.string(), "--key", pki_->ed448_key.string(), "--cert",
                 pki_->rsa_pss_cert.string(), "--key", pki_->rsa_pss_key.string()});
    return args;
  }

  // s_client runs openssl s_client -brief with `version` and `sigalgs`, verifying the chain and
  // the host name against the test root.
  CommandResult s_client(const HsServerProcess& s, const std::string& version,
                         const std::string& sigalgs) {
    return run_command({"openssl", "s_client", version, "-brief", "-sigalgs", sigalgs, "-connect",
                        s.connect(), "-servername", "localhost", "-verify_hostname", "localhost",
                        "-CAfile", pki_->ca_cert.string(), "-verify_return_error"},
                       20s);
  }

  // start_openssl runs openssl s_server -www `version` with one certificate.
  void start_openssl(const std::filesystem::path& cert, const std::filesystem::path& key,
                     const std::string& version) {
    server_.reset();
    port_ = free_port();
    server_.emplace(std::vector<std::string>{"openssl", "s_server", "-accept",
                                             "127.0.0.1:" + std::to_string(port_), "-cert",
                                             cert.string(), "-key", key.string(), "-www", version});
    ASSERT_TRUE(server_->wait_for_port(port_, 10s)) << server_->output();
  }

  // hs_client runs `hs client -vv --cacert root VERSION https://localhost:PORT/` against
  // start_openssl's server.
  CommandResult hs_client(const std::vector<std::string>& version) {
    std::vector<std::string> args = {hs_binary().string(), "client", "-vv", "--cacert",
                                     pki_->ca_cert.string()};
    args.insert(args.end(), version.begin(), version.end());
    const std::string port = std::to_string(port_);
    args.insert(args.end(), {"--resolve", "localhost:" + port + ":127.0.0.1",
                             "https://localhost:" + port + "/"});
    return run_command(std::move(args), 20s);
  }

  const TestPki* pki_ = nullptr;
  uint16_t port_ = 0;
  std::optional<Process> server_;
};

struct SigalgCase {
  const char* sigalgs;         // s_client -sigalgs
  const char* signature_type;  // s_client -brief "Signature type: ..." (the server's)
};
const SigalgCase kNewSigalgs[] = {
    {"ed25519", "ed25519"}, {"ed448", "ed448"}, {"rsa_pss_pss_sha256", "RSA-PSS"}};

TEST_F(CertTypesTest, OpensslClientPicksEdDsaAndRsaPssCertificatesTls13) {
  auto server = start_hs(all_certs());
  ASSERT_NE(server->port(), 0);
  for (const SigalgCase& c : kNewSigalgs) {
    SCOPED_TRACE(c.sigalgs);
    CommandResult o = s_client(*server, "-tls1_3", c.sigalgs);
    EXPECT_EQ(o.exit_code, 0) << o.output();
    EXPECT_TRUE(contains(o.err, "Protocol version: TLSv1.3")) << o.output();
    EXPECT_TRUE(contains(o.err, std::string("Signature type: ") + c.signature_type)) << o.output();
    EXPECT_TRUE(contains(o.err, "Verification: OK")) << o.output();
  }
}

TEST_F(CertTypesTest, OpensslClientPicksEdDsaAndRsaPssCertificatesTls12) {
  auto server = start_hs(all_certs());
  ASSERT_NE(server->port(), 0);
  for (const SigalgCase& c : kNewSigalgs) {
    SCOPED_TRACE(c.sigalgs);
    CommandResult o = s_client(*server, "-tls1_2", c.sigalgs);
    EXPECT_EQ(o.exit_code, 0) << o.output();
    EXPECT_TRUE(contains(o.err, "Protocol version: TLSv1.2")) << o.output();
    EXPECT_TRUE(contains(o.err, std::string("Signature type: ") + c.signature_type)) << o.output();
    EXPECT_TRUE(contains(o.err, "Verification: OK")) << o.output();
  }
}

TEST_F(CertTypesTest, EachNewCertificateAloneRefusesSchemesItCannotSign) {
  // RFC 8446 §4.2.3: an RSASSA-PSS key signs only with rsa_pss_pss_*, Ed25519 only with
  // ed25519 and Ed448 only with ed448; with nothing else to offer the server must fail the
  // handshake, not sign anyway.
  struct Case {
    const std::filesystem::path* cert;
    const std::filesystem::path* key;
    const char* wrong_sigalgs;
  };
  const Case cases[] = {{&pki_->ed25519_cert, &pki_->ed25519_key, "ecdsa_secp256r1_sha256"},
                        {&pki_->ed448_cert, &pki_->ed448_key, "ed25519"},
                        {&pki_->rsa_pss_cert, &pki_->rsa_pss_key, "rsa_pss_rsae_sha256"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.cert->filename().string());
    auto server = start_hs({"--cert", c.cert->string(), "--key", c.key->string()});
    ASSERT_NE(server->port(), 0);
    CommandResult o = s_client(*server, "-tls1_3", c.wrong_sigalgs);
    EXPECT_NE(o.exit_code, 0) << o.output();
    EXPECT_FALSE(contains(o.err, "Verification: OK")) << o.output();
  }
}

TEST_F(CertTypesTest, HsClientAgainstOpensslServerWithEdDsaAndRsaPssTls13) {
  struct Case {
    const std::filesystem::path* cert;
    const std::filesystem::path* key;
    const char* scheme;  // the scheme hs client reports for the server's CertificateVerify
  };
  const Case cases[] = {{&pki_->ed25519_cert, &pki_->ed25519_key, "ed25519"},
                        {&pki_->ed448_cert, &pki_->ed448_key, "ed448"},
                        {&pki_->rsa_pss_cert, &pki_->rsa_pss_key, "rsa_pss_pss_sha256"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.scheme);
    start_openssl(*c.cert, *c.key, "-tls1_3");
    CommandResult r = hs_client({"--tlsv1.3"});
    EXPECT_EQ(r.exit_code, 0) << r.output();
    EXPECT_TRUE(contains(r.err, "* SSL connection using TLSv1.3")) << r.output();
    EXPECT_TRUE(contains(r.err, std::string("server CertificateVerify checked (") + c.scheme))
        << r.output();
    EXPECT_TRUE(contains(r.out, "Protocol  : TLSv1.3")) << r.output();
  }
}

TEST_F(CertTypesTest, HsClientAgainstOpensslServerWithEdDsaAndRsaPssTls12) {
  struct Case {
    const std::filesystem::path* cert;
    const std::filesystem::path* key;
    const char* suite_auth;  // ECDHE-ECDSA for Ed25519 (RFC 8422 §2.1), ECDHE-RSA for RSA-PSS
    const char* scheme;      // the ServerKeyExchange signature scheme in hs client's -vv trace
  };
  const Case cases[] = {
      {&pki_->ed25519_cert, &pki_->ed25519_key, "ECDHE-ECDSA-", "ed25519"},
      {&pki_->ed448_cert, &pki_->ed448_key, "ECDHE-ECDSA-", "ed448"},
      {&pki_->rsa_pss_cert, &pki_->rsa_pss_key, "ECDHE-RSA-", "rsa_pss_pss_sha256"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.suite_auth);
    start_openssl(*c.cert, *c.key, "-tls1_2");
    CommandResult r = hs_client({"--tlsv1.2", "--tls-max", "1.2"});
    EXPECT_EQ(r.exit_code, 0) << r.output();
    EXPECT_TRUE(contains(r.err, "* SSL connection using TLSv1.2 / " + std::string(c.suite_auth)))
        << r.output();
    EXPECT_TRUE(contains(r.err, std::string("signature scheme: ") + c.scheme)) << r.output();
    // s_server -www reports the suite it negotiated in the page.
    EXPECT_TRUE(contains(r.out, std::string("Cipher is ") + c.suite_auth)) << r.output();
  }
}

TEST_F(CertTypesTest, GnutlsClientAgainstHsServerWithEd25519AndEd448) {
  ASSERT_TRUE(require_program("gnutls-cli"));
  struct Case {
    const std::filesystem::path* cert;
    const std::filesystem::path* key;
    const char* sign_algorithm;  // gnutls-cli's description of the server's signature
  };
  const Case cases[] = {{&pki_->ed25519_cert, &pki_->ed25519_key, "EdDSA-Ed25519"},
                        {&pki_->ed448_cert, &pki_->ed448_key, "EdDSA-Ed448"}};
  for (const Case& c : cases) {
    auto server = start_hs({"--cert", c.cert->string(), "--key", c.key->string()});
    ASSERT_NE(server->port(), 0);
    for (const char* priority :
         {"NORMAL:-VERS-ALL:+VERS-TLS1.3", "NORMAL:-VERS-ALL:+VERS-TLS1.2"}) {
      SCOPED_TRACE(std::string(c.sign_algorithm) + " " + priority);
      CommandResult t =
          run_command({"gnutls-cli", "--x509cafile", pki_->ca_cert.string(), "--priority", priority,
                       "-p", std::to_string(server->port()), "localhost"},
                      20s);
      EXPECT_EQ(t.exit_code, 0) << t.output();
      EXPECT_TRUE(contains(t.out, c.sign_algorithm)) << t.output();
      EXPECT_TRUE(contains(t.out, "Handshake was completed")) << t.output();
    }
  }
}

}  // namespace
}  // namespace hs::test

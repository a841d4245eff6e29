// Mutual TLS end to end: `hs client --cert/--key` against `openssl s_server -Verify 1`, and
// `openssl s_client -cert/-key` against `hs server --verify-client CA [--require-client-cert]`,
// with ECDSA and RSA client certificates; an untrusted client certificate is refused with
// unknown_ca and a missing one (with --require-client-cert) with handshake_failure, as s_client
// reports them. TLS 1.2 here; TLS 1.3 is in mtls13_test.cc.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/hs_server.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

constexpr const char* kRequest = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

class MtlsTest : public ::testing::Test {
 public:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
  }
  const TestPki& pki() const { return shared_test_pki(); }

  // start_s_server runs `openssl s_server -Verify 1` (a client certificate is required and
  // checked against our root) with the ECDSA server leaf.
  void start_s_server(const std::string& version_flag) {
    port_ = free_port();
    s_server_.emplace(std::vector<std::string>{
        "openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port_), "-cert",
        pki().ecdsa_cert.string(), "-key", pki().ecdsa_key.string(), "-Verify", "1", "-CAfile",
        pki().ca_cert.string(), "-www", version_flag});
    ASSERT_TRUE(s_server_->wait_for_port(port_, 10s)) << s_server_->output();
  }

  CommandResult hs_client(std::vector<std::string> flags) {
    std::vector<std::string> args = {hs_binary().string(),  "client", "-s", "-S", "--cacert",
                                     pki().ca_cert.string()};
    args.insert(args.end(), flags.begin(), flags.end());
    const std::string port = std::to_string(port_);
    args.insert(args.end(), {"--resolve", "localhost:" + port + ":127.0.0.1",
                             "https://localhost:" + port + "/"});
    return run_command(std::move(args), 30s);
  }

  // s_client runs `openssl s_client` against `server`, sending one request.
  CommandResult s_client(HsServerProcess& server, std::vector<std::string> flags) {
    std::vector<std::string> args = {"openssl",        "s_client", "-connect",
                                     server.connect(), "-CAfile",  pki().ca_cert.string(),
                                     "-ign_eof"};
    args.insert(args.end(), flags.begin(), flags.end());
    return run_command(std::move(args), 30s, kRequest);
  }

  static std::vector<std::string> mtls_server_args(bool require) {
    std::vector<std::string> extra = {"--verify-client", shared_test_pki().ca_cert.string()};
    if (require) {
      extra.push_back("--require-client-cert");
    }
    return extra;
  }

  uint16_t port_ = 0;
  std::optional<Process> s_server_;
};

// ---- hs client against openssl s_server -Verify 1 ----

TEST_F(MtlsTest, HsClientCertificateAcceptedByOpensslServer12) {
  struct Case {
    std::string cert, key, subject;
  };
  const Case cases[] = {
      {pki().client_cert.string(), pki().client_key.string(), "CN=hs-test-client"},
      {pki().client_rsa_cert.string(), pki().client_rsa_key.string(), "CN=hs-test-client-rsa"},
  };
  start_s_server("-tls1_2");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.subject);
    CommandResult r = hs_client({"--cert", c.cert, "--key", c.key});
    EXPECT_EQ(r.exit_code, 0) << r.output() << s_server_->output();
    // s_server -www describes the session, including the client certificate it verified.
    EXPECT_TRUE(contains(r.out, "Protocol  : TLSv1.2")) << r.output();
    EXPECT_TRUE(contains(r.out, "Client certificate")) << r.output();
    EXPECT_TRUE(contains(r.out, c.subject)) << r.output();
  }
  // s_server checked the chain against the root.
  EXPECT_TRUE(contains(s_server_->output(), "CN = hs-test-client")) << s_server_->output();
  EXPECT_TRUE(contains(s_server_->output(), "verify return:1")) << s_server_->output();
}

TEST_F(MtlsTest, HsClientTraceShowsTheCertificateMessagesInCurlsWords12) {
  start_s_server("-tls1_2");
  CommandResult r =
      hs_client({"-v", "--cert", pki().client_cert.string(), "--key", pki().client_key.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output();
  // curl 7.88 with OpenSSL prints these for client authentication.
  EXPECT_TRUE(contains(r.err, "* TLSv1.2 (IN), TLS handshake, Request CERT (13):")) << r.err;
  EXPECT_TRUE(contains(r.err, "* TLSv1.2 (OUT), TLS handshake, Certificate (11):")) << r.err;
  EXPECT_TRUE(contains(r.err, "* TLSv1.2 (OUT), TLS handshake, CERT verify (15):")) << r.err;
}

TEST_F(MtlsTest, HsClientWithoutCertificateRefusedByOpensslServer12) {
  start_s_server("-tls1_2");
  CommandResult r = hs_client({});
  EXPECT_EQ(r.exit_code, 35) << r.output();
  EXPECT_TRUE(contains(r.err, "handshake_failure")) << r.output();
}

TEST_F(MtlsTest, HsClientCertificateProblemsAreExit58) {
  // curl loads the client certificate once connected (a closed port is exit 7 first); so does
  // hs client.
  start_s_server("-tls1_2");
  // The key of another certificate.
  CommandResult r =
      hs_client({"--cert", pki().client_cert.string(), "--key", pki().rsa_key.string()});
  EXPECT_EQ(r.exit_code, 58) << r.output();
  EXPECT_TRUE(contains(r.err, "hs: (58) Private key does not match the certificate public key"))
      << r.output();
  // --key defaults to the --cert file, which holds no key here.
  r = hs_client({"--cert", pki().client_cert.string()});
  EXPECT_EQ(r.exit_code, 58) << r.output();
  EXPECT_TRUE(contains(r.err, "unable to set private key file")) << r.output();
  // An encrypted key is refused with a clear message.
  TempDir dir;
  const std::string encrypted = (dir.path() / "enc.key").string();
  CommandResult enc = run_command({"openssl", "pkey", "-in", pki().client_key.string(), "-aes128",
                                   "-passout", "pass:x", "-out", encrypted});
  ASSERT_EQ(enc.exit_code, 0) << enc.output();
  r = hs_client({"--cert", pki().client_cert.string(), "--key", encrypted});
  EXPECT_EQ(r.exit_code, 58) << r.output();
  EXPECT_TRUE(contains(r.err, "encrypted private keys are not supported")) << r.output();
  // A certificate file that does not exist.
  r = hs_client({"--cert", (dir.path() / "missing.pem").string()});
  EXPECT_EQ(r.exit_code, 58) << r.output();
  EXPECT_TRUE(contains(r.err, "could not load PEM client certificate")) << r.output();
}

// ---- openssl s_client against hs server --verify-client ----

TEST_F(MtlsTest, OpensslClientCertificateAcceptedByHsServer12) {
  HsServerProcess server(HsServerProcess::cert_args(pki()), mtls_server_args(/*require=*/true));
  ASSERT_NE(server.port(), 0) << server.output();
  struct Case {
    std::string cert, key, subject;
  };
  const Case cases[] = {
      {pki().client_cert.string(), pki().client_key.string(), "CN=hs-test-client;"},
      {pki().client_rsa_cert.string(), pki().client_rsa_key.string(), "CN=hs-test-client-rsa;"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.subject);
    CommandResult r = s_client(server, {"-tls1_2", "-cert", c.cert, "-key", c.key});
    EXPECT_EQ(r.exit_code, 0) << r.output() << server.output();
    // The status page says which client certificate the server verified.
    EXPECT_TRUE(contains(r.out, "Protocol  : TLSv1.2")) << r.output();
    EXPECT_TRUE(contains(r.out, "Client certificate: subject=O=handshake tests; " + c.subject))
        << r.output();
    EXPECT_TRUE(contains(r.out, "; verified")) << r.output();
  }
}

TEST_F(MtlsTest, UntrustedClientCertificateRefusedWithUnknownCa12) {
  HsServerProcess server(HsServerProcess::cert_args(pki()), mtls_server_args(/*require=*/true));
  ASSERT_NE(server.port(), 0) << server.output();
  CommandResult r = s_client(server, {"-tls1_2", "-cert", pki().untrusted_client_cert.string(),
                                      "-key", pki().untrusted_client_key.string()});
  EXPECT_NE(r.exit_code, 0) << r.output();
  // OpenSSL's words for alert 48.
  EXPECT_TRUE(contains(r.err + r.out, "alert unknown ca")) << r.output();
  EXPECT_TRUE(contains(r.err + r.out, "SSL alert number 48")) << r.output();
  // Also with --verify-client alone: a presented certificate must verify.
  HsServerProcess requesting(HsServerProcess::cert_args(pki()),
                             mtls_server_args(/*require=*/false));
  ASSERT_NE(requesting.port(), 0) << requesting.output();
  r = s_client(requesting, {"-tls1_2", "-cert", pki().untrusted_client_cert.string(), "-key",
                            pki().untrusted_client_key.string()});
  EXPECT_TRUE(contains(r.err + r.out, "SSL alert number 48")) << r.output();
}

// hs server --crlfile: a client certificate its CRL lists is refused with certificate_revoked
// (alert 44, as s_server -crl_check_all sends it); one the CRL does not list is accepted; a CRL
// for the client's issuer is needed (without it the client is refused, unknown_ca).
TEST_F(MtlsTest, HsServerChecksClientCertificatesAgainstItsCrls12) {
  TempDir dir;
  const auto revoked = dir / "revoked.crl";
  const auto clean = dir / "clean.crl";
  const auto other = dir / "other.crl";
  make_crl(pki().ca_cert, pki().ca_key, {pki().client_cert}, revoked);
  make_crl(pki().ca_cert, pki().ca_key, {}, clean);
  make_crl(pki().other_ca_cert, pki().dir / "other-ca.key", {}, other);
  auto server_with = [&](const std::filesystem::path& crl) {
    std::vector<std::string> extra = mtls_server_args(/*require=*/true);
    extra.insert(extra.end(), {"--crlfile", crl.string()});
    return std::make_unique<HsServerProcess>(HsServerProcess::cert_args(pki()), extra);
  };
  const std::vector<std::string> client = {"-tls1_2", "-cert", pki().client_cert.string(), "-key",
                                           pki().client_key.string()};
  auto refusing = server_with(revoked);
  ASSERT_NE(refusing->port(), 0) << refusing->output();
  CommandResult r = s_client(*refusing, client);
  EXPECT_TRUE(contains(r.err + r.out, "SSL alert number 44")) << r.output();
  EXPECT_TRUE(contains(r.err + r.out, "certificate revoked")) << r.output();

  auto accepting = server_with(clean);
  ASSERT_NE(accepting->port(), 0) << accepting->output();
  r = s_client(*accepting, client);
  EXPECT_EQ(r.exit_code, 0) << r.output() << accepting->output();
  EXPECT_TRUE(contains(r.out, "; verified")) << r.output();

  auto without = server_with(other);
  ASSERT_NE(without->port(), 0) << without->output();
  r = s_client(*without, client);
  EXPECT_TRUE(contains(r.err + r.out, "SSL alert number 48")) << r.output();

  // A CRL file without --verify-client is a usage error.
  CommandResult bad = run_command(
      {hs_binary().string(), "server", "--listen", "127.0.0.1:0", "--cert", pki().rsa_cert.string(),
       "--key", pki().rsa_key.string(), "--crlfile", clean.string()},
      20s);
  EXPECT_EQ(bad.exit_code, 2) << bad.output();
  EXPECT_TRUE(contains(bad.err, "--crlfile needs --verify-client")) << bad.output();
}

TEST_F(MtlsTest, MissingClientCertificateRefusedWithHandshakeFailure12) {
  HsServerProcess server(HsServerProcess::cert_args(pki()), mtls_server_args(/*require=*/true));
  ASSERT_NE(server.port(), 0) << server.output();
  CommandResult r = s_client(server, {"-tls1_2"});
  EXPECT_NE(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.err + r.out, "alert handshake failure")) << r.output();
  EXPECT_TRUE(contains(r.err + r.out, "SSL alert number 40")) << r.output();
}

TEST_F(MtlsTest, VerifyClientWithoutRequireAcceptsAnonymousClients12) {
  HsServerProcess server(HsServerProcess::cert_args(pki()), mtls_server_args(/*require=*/false));
  ASSERT_NE(server.port(), 0) << server.output();
  CommandResult r = s_client(server, {"-tls1_2"});
  EXPECT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.out, "Client certificate: none")) << r.output();
}

// ---- hs client against hs server ----

TEST_F(MtlsTest, HsClientAndHsServer12) {
  HsServerProcess server(HsServerProcess::cert_args(pki()), mtls_server_args(/*require=*/true));
  ASSERT_NE(server.port(), 0) << server.output();
  port_ = server.port();
  CommandResult r = hs_client({"--tls-max", "1.2", "--cert", pki().client_cert.string(), "--key",
                               pki().client_key.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output() << server.output();
  EXPECT_TRUE(contains(r.out, "Client certificate: subject=O=handshake tests; CN=hs-test-client;"))
      << r.output();
}

// TLS 1.3 client authentication has its interop tests in mtls13_test.cc.

}  // namespace
}  // namespace hs::test

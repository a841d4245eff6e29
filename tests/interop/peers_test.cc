// The interop peers themselves, with the test PKI and without any of our TLS code: OpenSSL,
// GnuTLS and curl must complete verified handshakes with each other using the generated
// certificates. This proves the harness, the PKI and the peers before any test blames `hs`.
#include <gtest/gtest.h>

#include <string>

#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

class PeersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_program("openssl"));
    pki_ = shared_test_pki();
  }

  // start_openssl_server runs `openssl s_server -www` on a free port with the given certificate
  // and key plus `extra` arguments, and waits until it listens.
  void start_openssl_server(const std::filesystem::path& cert, const std::filesystem::path& key,
                            std::vector<std::string> extra = {}) {
    port_ = free_port();
    std::vector<std::string> args = {
        "openssl", "s_server",    "-accept", "127.0.0.1:" + std::to_string(port_),
        "-cert",   cert.string(), "-key",    key.string(),
        "-www"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_.emplace(std::move(args));
    ASSERT_TRUE(server_->wait_for_port(port_, 10s)) << server_->output();
  }

  // curl_localhost fetches https://localhost:<port>/ with `extra` arguments, resolving
  // `host` to 127.0.0.1.
  CommandResult curl(const std::string& host, std::vector<std::string> extra) {
    std::string port = std::to_string(port_);
    std::vector<std::string> args = {"curl",
                                     "-sS",
                                     "--max-time",
                                     "20",
                                     "--resolve",
                                     host + ":" + port + ":127.0.0.1",
                                     "https://" + host + ":" + port + "/"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_command(std::move(args));
  }

  // s_client runs `openssl s_client -brief` with hostname checking against our root.
  CommandResult s_client(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"openssl",
                                     "s_client",
                                     "-connect",
                                     "127.0.0.1:" + std::to_string(port_),
                                     "-servername",
                                     "localhost",
                                     "-verify_hostname",
                                     "localhost",
                                     "-CAfile",
                                     pki_.ca_cert.string(),
                                     "-verify_return_error",
                                     "-brief"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_command(std::move(args), 20s);
  }

  TempDir dir_;
  TestPki pki_;
  uint16_t port_ = 0;
  std::optional<Process> server_;
};

TEST_F(PeersTest, PkiHasTheAdvertisedProperties) {
  // A fresh PKI, so this also covers make_test_pki; the other tests use the shared one.
  pki_ = make_test_pki(dir_);
  for (const auto& key : {pki_.ca_key, pki_.rsa_key, pki_.ecdsa_key, pki_.chain_leaf_key,
                          pki_.intermediate_key, pki_.client_key}) {
    EXPECT_EQ(read_file(key).rfind("-----BEGIN PRIVATE KEY-----", 0), 0u) << key << " not PKCS#8";
  }
  CommandResult leaf =
      run_command({"openssl", "x509", "-in", pki_.rsa_cert.string(), "-noout", "-text"});
  ASSERT_EQ(leaf.exit_code, 0) << leaf.output();
  EXPECT_TRUE(contains(leaf.out, "DNS:localhost")) << leaf.out;
  EXPECT_TRUE(contains(leaf.out, "IP Address:127.0.0.1")) << leaf.out;
  EXPECT_TRUE(contains(leaf.out, "TLS Web Server Authentication")) << leaf.out;
  EXPECT_TRUE(contains(leaf.out, "Digital Signature")) << leaf.out;
  EXPECT_TRUE(contains(leaf.out, "rsaEncryption")) << leaf.out;
  CommandResult ec =
      run_command({"openssl", "x509", "-in", pki_.ecdsa_cert.string(), "-noout", "-text"});
  EXPECT_TRUE(contains(ec.out, "prime256v1")) << ec.out;
}

TEST_F(PeersTest, ChainsVerifyAndAMissingIntermediateDoesNot) {
  CommandResult direct =
      run_command({"openssl", "verify", "-CAfile", pki_.ca_cert.string(), "-purpose", "sslserver",
                   pki_.rsa_cert.string(), pki_.ecdsa_cert.string()});
  EXPECT_EQ(direct.exit_code, 0) << direct.output();
  CommandResult via =
      run_command({"openssl", "verify", "-CAfile", pki_.ca_cert.string(), "-untrusted",
                   pki_.intermediate_cert.string(), pki_.chain_leaf_cert.string()});
  EXPECT_EQ(via.exit_code, 0) << via.output();
  CommandResult missing = run_command(
      {"openssl", "verify", "-CAfile", pki_.ca_cert.string(), pki_.chain_leaf_cert.string()});
  EXPECT_NE(missing.exit_code, 0) << missing.output();
}

TEST_F(PeersTest, OpensslClientVerifiesRsaServerOverTls13) {
  start_openssl_server(pki_.rsa_cert, pki_.rsa_key);
  CommandResult r = s_client();
  EXPECT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.err, "Protocol version: TLSv1.3")) << r.output();
  EXPECT_TRUE(contains(r.err, "Verification: OK")) << r.output();
}

TEST_F(PeersTest, OpensslClientVerifiesEcdsaServerOverTls12) {
  start_openssl_server(pki_.ecdsa_cert, pki_.ecdsa_key);
  CommandResult r = s_client({"-tls1_2"});
  EXPECT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.err, "Protocol version: TLSv1.2")) << r.output();
  EXPECT_TRUE(contains(r.err, "ECDHE-ECDSA")) << r.output();
  EXPECT_TRUE(contains(r.err, "Verification: OK")) << r.output();
}

TEST_F(PeersTest, CurlFetchesFromOpensslServerAndRejectsBadTrust) {
  ASSERT_TRUE(require_program("curl"));
  start_openssl_server(pki_.rsa_cert, pki_.rsa_key);
  CommandResult ok = curl("localhost", {"--cacert", pki_.ca_cert.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.output();
  EXPECT_TRUE(contains(ok.out, "s_server")) << ok.output();
  // Our root is not in the system store: curl must refuse (exit 60: peer certificate cannot be
  // authenticated).
  CommandResult untrusted = curl("localhost", {});
  EXPECT_EQ(untrusted.exit_code, 60) << untrusted.output();
  // The certificate does not name other.test.
  CommandResult wrong_name = curl("other.test", {"--cacert", pki_.ca_cert.string()});
  EXPECT_EQ(wrong_name.exit_code, 60) << wrong_name.output();
}

TEST_F(PeersTest, CurlVerifiesChainThroughIntermediate) {
  ASSERT_TRUE(require_program("curl"));
  start_openssl_server(pki_.chain_leaf_cert, pki_.chain_leaf_key,
                       {"-cert_chain", pki_.intermediate_cert.string()});
  CommandResult r = curl("localhost", {"--cacert", pki_.ca_cert.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output();
}

TEST_F(PeersTest, GnutlsClientVerifiesOpensslServer) {
  ASSERT_TRUE(require_program("gnutls-cli"));
  start_openssl_server(pki_.ecdsa_cert, pki_.ecdsa_key);
  CommandResult r =
      run_command({"gnutls-cli", "--x509cafile", pki_.ca_cert.string(), "--verify-hostname",
                   "localhost", "-p", std::to_string(port_), "127.0.0.1"},
                  20s);
  EXPECT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.out + r.err, "Handshake was completed")) << r.output();
}

TEST_F(PeersTest, OpensslClientVerifiesGnutlsServer) {
  ASSERT_TRUE(require_program("gnutls-serv"));
  port_ = free_port();
  server_.emplace(std::vector<std::string>{"gnutls-serv", "--x509certfile", pki_.rsa_cert.string(),
                                           "--x509keyfile", pki_.rsa_key.string(), "-p",
                                           std::to_string(port_)});
  ASSERT_TRUE(server_->wait_for_port(port_, 10s)) << server_->output();
  CommandResult r = s_client();
  EXPECT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.err, "Verification: OK")) << r.output();
}

}  // namespace
}  // namespace hs::test

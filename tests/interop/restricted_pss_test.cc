// An id-RSASSA-PSS key whose parameters restrict it to SHA-384 (RFC 4055 §3.1), as server and
// as client certificate key. A peer that offers only rsa_pss_pss_sha256 shares no signature
// scheme with it: `hs server` refuses with handshake_failure (RFC 8446 §4.2.3 / RFC 5246
// §7.4.1.4.1), never internal_error from a signature libcrypto refuses; offering
// rsa_pss_pss_sha384 it signs. `hs client` with that key sends an empty Certificate (RFC 8446
// §4.4.2: "no suitable certificate"), so openssl s_server -Verify answers certificate_required.
#include <gtest/gtest.h>

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

class RestrictedPssTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
    pki_ = &shared_test_pki();
    // The key allows SHA-384 only (hash, MGF1 hash, salt >= 48); the test root issues it a
    // leaf for localhost, good for server and client authentication.
    CommandResult k = run_command(
        {"openssl", "genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048",
         "-pkeyopt", "rsa_pss_keygen_md:sha384", "-pkeyopt", "rsa_pss_keygen_mgf1_md:sha384",
         "-pkeyopt", "rsa_pss_keygen_saltlen:48", "-out", key_.string()},
        30s);
    ASSERT_EQ(k.exit_code, 0) << k.output();
    const auto ext =
        dir_.write_file("ext.cnf",
                        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
                        "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost\n");
    CommandResult csr =
        run_command({"openssl", "req", "-new", "-key", key_.string(), "-subj",
                     "/O=handshake tests/CN=localhost", "-out", (dir_ / "leaf.csr").string()});
    ASSERT_EQ(csr.exit_code, 0) << csr.output();
    CommandResult x =
        run_command({"openssl", "x509", "-req", "-in", (dir_ / "leaf.csr").string(), "-CA",
                     pki_->ca_cert.string(), "-CAkey", pki_->ca_key.string(), "-set_serial", "7",
                     "-days", "30", "-sha256", "-extfile", ext.string(), "-out", cert_.string()});
    ASSERT_EQ(x.exit_code, 0) << x.output();
  }

  CommandResult s_client(const HsServerProcess& s, const std::string& version,
                         const std::string& sigalgs) {
    return run_command(
        {"openssl", "s_client", version, "-brief", "-sigalgs", sigalgs, "-connect", s.connect(),
         "-servername", "localhost", "-CAfile", pki_->ca_cert.string(), "-verify_return_error"},
        20s);
  }

  const TestPki* pki_ = nullptr;
  TempDir dir_;
  std::filesystem::path key_ = dir_ / "leaf.key";
  std::filesystem::path cert_ = dir_ / "leaf.pem";
};

TEST_F(RestrictedPssTest, HsServerRefusesOtherHashesWithHandshakeFailure) {
  HsServerProcess server({"--cert", cert_.string(), "--key", key_.string()}, {"-v"});
  ASSERT_NE(server.port(), 0) << server.output();
  for (const char* version : {"-tls1_3", "-tls1_2"}) {
    SCOPED_TRACE(version);
    CommandResult refused = s_client(server, version, "rsa_pss_pss_sha256");
    EXPECT_NE(refused.exit_code, 0) << refused.output();
    EXPECT_TRUE(contains(refused.output(), "alert handshake failure")) << refused.output();
    EXPECT_FALSE(contains(refused.output(), "internal error")) << refused.output();
    CommandResult signed_ok = s_client(server, version, "rsa_pss_pss_sha256:rsa_pss_pss_sha384");
    EXPECT_EQ(signed_ok.exit_code, 0) << signed_ok.output();
    EXPECT_TRUE(contains(signed_ok.err, "Signature type: RSA-PSS")) << signed_ok.output();
    EXPECT_TRUE(contains(signed_ok.err, "Verification: OK")) << signed_ok.output();
  }
  EXPECT_FALSE(contains(server.output(), "internal_error")) << server.output();
}

TEST_F(RestrictedPssTest, HsClientSendsNoCertificateItCannotSignFor) {
  // s_server -Verify requires a certificate; it then refuses the empty one with
  // certificate_required (TLS 1.3, RFC 8446 §4.4.2.4) or handshake_failure (TLS 1.2, RFC 5246
  // §7.4.6). Before, the client picked rsa_pss_pss_sha256 anyway and failed signing it.
  struct Case {
    const char* server_version;
    const char* client_version;
    int exit_code;
    const char* alert;
  };
  const Case cases[] = {{"-tls1_3", "1.3", 56, "peer sent fatal alert certificate_required"},
                        {"-tls1_2", "1.2", 35, "handshake_failure"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.server_version);
    const uint16_t port = free_port();
    Process server({"openssl", "s_server", c.server_version, "-Verify", "1", "-verify_return_error",
                    "-client_sigalgs", "rsa_pss_pss_sha256", "-CAfile", pki_->ca_cert.string(),
                    "-cert", pki_->rsa_cert.string(), "-key", pki_->rsa_key.string(), "-accept",
                    "127.0.0.1:" + std::to_string(port), "-www"});
    ASSERT_TRUE(server.wait_for_port(port)) << server.output();
    CommandResult o =
        run_command({hs_binary().string(), "client", "-vv",
                     std::string("--tlsv") + c.client_version, "--tls-max", c.client_version,
                     "--cacert", pki_->ca_cert.string(), "--cert", cert_.string(), "--key",
                     key_.string(), "--resolve", "localhost:" + std::to_string(port) + ":127.0.0.1",
                     "https://localhost:" + std::to_string(port) + "/"},
                    20s);
    EXPECT_EQ(o.exit_code, c.exit_code) << o.output();
    EXPECT_TRUE(contains(o.err, c.alert)) << o.output();
    EXPECT_FALSE(contains(o.err, "internal_error")) << o.output();
  }
}

}  // namespace
}  // namespace hs::test

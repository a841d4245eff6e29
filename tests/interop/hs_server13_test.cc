// `hs server` speaking TLS 1.3 to real clients on loopback: openssl s_client -tls1_3 for the
// three suites x three groups x RSA/ECDSA certificates, a HelloRetryRequest forced with -groups,
// resumption with -sess_out/-sess_in ("Reused, TLSv1.3"), gnutls-cli (default priority and
// --resume), curl --tlsv1.3, and a TLS 1.2 client on the same server.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/hs_server.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// Server13 runs `hs server` with the test PKI's RSA and ECDSA certificates on a free port.
class Server13 : public HsServerProcess {
 public:
  Server13(const TestPki& pki, std::vector<std::string> extra)
      : HsServerProcess(cert_args(pki), std::move(extra)) {}
};

class HsServer13Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
    pki_ = &shared_test_pki();
  }

  std::unique_ptr<Server13> start(std::vector<std::string> extra = {}) {
    auto s = std::make_unique<Server13>(*pki_, std::move(extra));
    EXPECT_NE(s->port(), 0) << s->process().output();
    return s;
  }

  // s_client runs openssl s_client -tls1_3 against `s` with `extra` options, verifying the chain.
  CommandResult s_client(const Server13& s, std::vector<std::string> extra,
                         std::string stdin_data = {}) {
    std::vector<std::string> args = {"openssl",
                                     "s_client",
                                     "-tls1_3",
                                     "-connect",
                                     s.connect(),
                                     "-servername",
                                     "localhost",
                                     "-CAfile",
                                     pki_->ca_cert.string(),
                                     "-verify_return_error"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_command(std::move(args), 20s, std::move(stdin_data));
  }

  const TestPki* pki_ = nullptr;
};

TEST_F(HsServer13Test, OpensslEverySuiteGroupAndCertificate) {
  struct Group {
    const char* openssl;
    const char* temp_key;
  };
  const Group groups[] = {
      {"X25519", "X25519"}, {"P-256", "ECDH, prime256v1"}, {"P-384", "ECDH, secp384r1"}};
  struct Cert {
    const char* sigalgs;
    const char* signature_type;
  };
  const Cert certs[] = {{"rsa_pss_rsae_sha256", "RSA-PSS"}, {"ecdsa_secp256r1_sha256", "ECDSA"}};
  auto server = start();
  ASSERT_NE(server->port(), 0);
  for (const char* suite :
       {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}) {
    for (const Group& g : groups) {
      for (const Cert& c : certs) {
        SCOPED_TRACE(std::string(suite) + " " + g.openssl + " " + c.sigalgs);
        CommandResult o = s_client(*server, {"-brief", "-ciphersuites", suite, "-groups", g.openssl,
                                             "-sigalgs", c.sigalgs});
        EXPECT_EQ(o.exit_code, 0) << o.output();
        EXPECT_TRUE(contains(o.err, "Protocol version: TLSv1.3")) << o.output();
        EXPECT_TRUE(contains(o.err, std::string("Ciphersuite: ") + suite)) << o.output();
        EXPECT_TRUE(contains(o.err, std::string("Server Temp Key: ") + g.temp_key)) << o.output();
        EXPECT_TRUE(contains(o.err, std::string("Signature type: ") + c.signature_type))
            << o.output();
        EXPECT_TRUE(contains(o.err, "Verification: OK")) << o.output();
      }
    }
  }
}

TEST_F(HsServer13Test, OpensslHelloRetryRequest) {
  // s_client sends a key share for its first group only (X25519); the server accepts P-256
  // only, so it must ask again.
  auto server = start({"--curves", "P-256"});
  ASSERT_NE(server->port(), 0);
  CommandResult o = s_client(*server, {"-groups", "X25519:P-256", "-msg"});
  EXPECT_EQ(o.exit_code, 0) << o.output();
  EXPECT_TRUE(contains(o.out, "Server Temp Key: ECDH, prime256v1")) << o.output();
  EXPECT_EQ(count(o.out, ", ClientHello"), 2u) << o.output();
  EXPECT_TRUE(contains(o.out, "New, TLSv1.3")) << o.output();
}

TEST_F(HsServer13Test, OpensslResumption) {
  auto server = start();
  ASSERT_NE(server->port(), 0);
  TempDir dir;
  const std::string sess = (dir.path() / "sess.pem").string();
  // Tickets arrive after the handshake: send a request and read until the server closes, so
  // s_client sees them before it saves the session.
  const std::string request = "GET / HTTP/1.0\r\n\r\n";
  CommandResult first = s_client(*server, {"-sess_out", sess, "-ign_eof"}, request);
  ASSERT_EQ(first.exit_code, 0) << first.output();
  EXPECT_TRUE(contains(first.out, "New, TLSv1.3")) << first.output();
  CommandResult second = s_client(*server, {"-sess_in", sess});
  EXPECT_EQ(second.exit_code, 0) << second.output();
  EXPECT_TRUE(contains(second.out, "Reused, TLSv1.3")) << second.output();
  // A session from another server process (other ticket key) falls back to a full handshake.
  auto other = start();
  CommandResult third = s_client(*other, {"-sess_in", sess});
  EXPECT_EQ(third.exit_code, 0) << third.output();
  EXPECT_TRUE(contains(third.out, "New, TLSv1.3")) << third.output();
}

TEST_F(HsServer13Test, RequestEndingInBareLineFeedsIsAnswered) {
  // tlsfuzzer's scripts send "GET / HTTP/1.0\n\n"; RFC 9112 §2.2 lets a recipient take a bare
  // LF as a line end. hs server waited for "\r\n\r\n" and never answered them.
  auto server = start();
  ASSERT_NE(server->port(), 0);
  CommandResult o = s_client(*server, {"-ign_eof"}, "GET / HTTP/1.0\n\n");
  EXPECT_EQ(o.exit_code, 0) << o.output();
  EXPECT_TRUE(contains(o.out, "HTTP/1.1 200 OK")) << o.output();
}

TEST_F(HsServer13Test, GnutlsDefaultPriorityAndResume) {
  ASSERT_TRUE(require_program("gnutls-cli"));
  auto server = start();
  ASSERT_NE(server->port(), 0);
  CommandResult t = run_command({"gnutls-cli", "--x509cafile", pki_->ca_cert.string(), "-p",
                                 std::to_string(server->port()), "--resume", "localhost"},
                                20s);
  EXPECT_EQ(t.exit_code, 0) << t.output();
  EXPECT_TRUE(contains(t.out, "(TLS1.3-X.509)")) << t.output();
  EXPECT_TRUE(contains(t.out, "This is a resumed session")) << t.output();
}

TEST_F(HsServer13Test, CurlTls13) {
  ASSERT_TRUE(require_program("curl"));
  auto server = start({"--alpn", "http/1.1"});
  ASSERT_NE(server->port(), 0);
  const std::string port = std::to_string(server->port());
  CommandResult c = run_command(
      {"curl", "-sS", "-v", "--max-time", "20", "--tlsv1.3", "--cacert", pki_->ca_cert.string(),
       "--resolve", "localhost:" + port + ":127.0.0.1", "https://localhost:" + port + "/"},
      30s);
  EXPECT_EQ(c.exit_code, 0) << c.output();
  EXPECT_TRUE(contains(c.err, "SSL connection using TLSv1.3 / TLS_AES_128_GCM_SHA256"))
      << c.output();
  EXPECT_TRUE(contains(c.err, "ALPN: server accepted http/1.1")) << c.output();
  EXPECT_FALSE(c.out.empty()) << c.output();
}

TEST_F(HsServer13Test, Tls12ClientOnTheSameServerSeesTheDowngradeSentinel) {
  auto server = start();
  ASSERT_NE(server->port(), 0);
  // A TLS 1.2-only s_client completes TLS 1.2 (it does not check the sentinel, since it did not
  // offer TLS 1.3); the ServerHello random ends in 44 4F 57 4E 47 52 44 01 (RFC 8446 §4.1.3).
  CommandResult o =
      run_command({"openssl", "s_client", "-tls1_2", "-connect", server->connect(), "-servername",
                   "localhost", "-CAfile", pki_->ca_cert.string(), "-verify_return_error", "-msg"},
                  20s);
  EXPECT_EQ(o.exit_code, 0) << o.output();
  EXPECT_TRUE(contains(o.out, "Protocol  : TLSv1.2")) << o.output();
  // -msg dumps the ServerHello in hex: the sentinel sits at the end of the random.
  std::string flat;
  size_t at = o.out.find("<<< TLS 1.2, Handshake [length");
  ASSERT_NE(at, std::string::npos) << o.output();
  size_t end = o.out.find("<<<", at + 3);
  for (char ch : o.out.substr(at, end - at)) {
    if (std::isxdigit(static_cast<unsigned char>(ch))) {
      flat.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    }
  }
  EXPECT_TRUE(contains(flat, "444f574e47524401")) << o.output();
}

}  // namespace
}  // namespace hs::test

// Java's JSSE (javax.net.ssl, OpenJDK 17 from Debian's openjdk-17-jre-headless) as a peer: an
// independent TLS 1.2/1.3 implementation behind countless real clients and servers.
// tests/interop/java/JssePeer.java is its client and server, standard library only (by hand:
// `java JssePeer.java ...`; CMake compiles it once for the tests, see CMakeLists.txt here).
//
// The tests launch three JVMs: one client runs every client case against three `hs server`s,
// and two servers (started together) answer every `hs client` case.
//
// JSSE client -> `hs server`: TLS 1.3 and 1.2, RSA and ECDSA certificates (hs server holds both
// and picks by the offer), ALPN, resumption (JSSE's session cache; `Reused` on our page),
// HelloRetryRequest (JSSE shares X25519 and P-256, the server takes P-384 only; JSSE does not
// remember the group, so both connections retry, the second one resumed), client certificates
// (ECDSA over TLS 1.3, RSA over TLS 1.2) and the alert a client without one reads.
// `hs client` -> JSSE server: TLS 1.3 (its own dummy ChangeCipherSpec after both the
// HelloRetryRequest and the ServerHello) and 1.2, RSA and ECDSA certificates, ALPN out of our
// h2,http/1.1 offer, resumption on both sides, JSSE's HelloRetryRequest (paid only on the first
// connection: our session store remembers the group), and JSSE's required client certificate.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/hs_client.h"
#include "support/hs_server.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

// java_peer is the command line that runs JssePeer as CMake compiled it (hs_java_peer). C1 only
// and the serial collector: these short runs start faster so.
std::vector<std::string> java_peer(const std::string& mode) {
  return {"java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
          "-cp",  HS_JAVA_PEER_DIR,          "JssePeer",
          mode};
}

// require_java_peer succeeds when `java` is installed and CMake has compiled JssePeer.
::testing::AssertionResult require_java_peer() {
  if (auto java = require_program("java"); !java) {
    return java;
  }
  const auto built = std::filesystem::path(HS_JAVA_PEER_DIR) / "JssePeer.class";
  if (access(built.c_str(), R_OK) != 0) {
    return ::testing::AssertionFailure()
           << built << " is not built: reconfigure (cmake finds `java` at configure time) and "
           << "build the target hs_java_peer";
  }
  return ::testing::AssertionSuccess();
}

// JavaServer runs `java JssePeer.java server` on a free loopback port (it prints "listening on
// 127.0.0.1:PORT" once it accepts connections; port() stays 0 when it never does).
class JavaServer {
 public:
  explicit JavaServer(std::vector<std::string> flags) {
    std::vector<std::string> args = java_peer("server");
    args.insert(args.end(), {"-listen", "127.0.0.1:0"});
    args.insert(args.end(), flags.begin(), flags.end());
    process_ = std::make_unique<Process>(std::move(args));
  }
  // wait_listening waits for the "listening on" line and returns the port (0 if none came).
  uint16_t wait_listening() {
    const std::string marker = "listening on 127.0.0.1:";
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (port_ == 0 && std::chrono::steady_clock::now() < deadline && process_->running()) {
      std::string out = process_->stdout_text();
      size_t at = out.find(marker);
      size_t nl = at == std::string::npos ? at : out.find('\n', at);
      if (nl != std::string::npos) {
        port_ = static_cast<uint16_t>(
            std::stoi(out.substr(at + marker.size(), nl - at - marker.size())));
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    return port_;
  }
  uint16_t port() const { return port_; }
  std::string stdout_text() const { return process_->stdout_text(); }
  std::string output() const { return process_->output(); }

 private:
  std::unique_ptr<Process> process_;
  uint16_t port_ = 0;
};

class JavaInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_java_peer());
  }

  // hs_client fetches https://localhost:PORT/ from `server` (support/hs_client.h).
  CommandResult hs_client(const JavaServer& server, std::vector<std::string> flags) {
    return run_hs_client(pki_, server.port(), std::move(flags), 60s);
  }

  const TestPki& pki_ = shared_test_pki();
};

// line_of returns the line of `out` that starts with `prefix` (empty when there is none).
std::string line_of(const std::string& out, const std::string& prefix) {
  size_t at = out.rfind("\n" + prefix);
  at = out.rfind(prefix, 0) == 0 ? 0 : (at == std::string::npos ? at : at + 1);
  return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
}

// hellos_of counts the ClientHellos `hs server -v` logged for its connection #n.
size_t hellos_of(const std::string& log, int n) {
  // The first is logged as TLS 1.2's (its record version), a second one as TLS 1.3's.
  const std::string at = "#" + std::to_string(n) + " * ";
  return count_of(log, at + "TLSv1.2 (IN), TLS handshake, Client hello") +
         count_of(log, at + "TLSv1.3 (IN), TLS handshake, Client hello");
}

TEST_F(JavaInterop, JavaClientToHsServer) {
  HsServerProcess plain(HsServerProcess::cert_args(pki_), {"-v"});
  HsServerProcess p384(HsServerProcess::cert_args(pki_), {"-v", "--curves", "P-384"});
  HsServerProcess mtls(HsServerProcess::cert_args(pki_),
                       {"--verify-client", pki_.ca_cert.string(), "--require-client-cert"});
  ASSERT_NE(plain.port(), 0) << plain.output();
  ASSERT_NE(p384.port(), 0) << p384.output();
  ASSERT_NE(mtls.port(), 0) << mtls.output();

  // Each case is one run of the client JVM; its connections are numbered across runs.
  struct Case {
    const char* name;
    const HsServerProcess& server;
    std::vector<std::string> flags;
    int conns;
    const char* version;    // on both sides
    const char* alpn;       // on both sides; "" is none
    const char* signature;  // our CertificateVerify / ServerKeyExchange scheme, first connection
    const char* client;     // "" without a client certificate
  };
  // Our signature: in TLS 1.3 hs server signs with its most preferred scheme JSSE accepts,
  // ECDSA P-256 (the ECDSA certificate); in TLS 1.2 the suite decides, and JSSE lists
  // ECDHE-ECDSA suites first. RSA comes only with an RSA-only suite.
  const char* rsa = "rsa_pss_rsae_sha256";
  const char* ecdsa = "ecdsa_secp256r1_sha256";
  const std::vector<std::string> ecdsa_client = {"-cert", pki_.client_cert.string(), "-key",
                                                 pki_.client_key.string()};
  const std::vector<std::string> rsa_client = {"-cert", pki_.client_rsa_cert.string(), "-key",
                                               pki_.client_rsa_key.string()};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  const std::vector<Case> cases = {
      {"TLS 1.3, ALPN",
       plain,
       {"-tls", "1.3", "-alpn", "http/1.1"},
       2,
       "TLSv1.3",
       "http/1.1",
       ecdsa,
       ""},
      {"TLS 1.2, RSA",
       plain,
       {"-tls", "1.2", "-ciphers", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
       2,
       "TLSv1.2",
       "",
       rsa,
       ""},
      {"TLS 1.2, ECDSA, ALPN",
       plain,
       {"-tls", "1.2", "-alpn", "http/1.1"},
       1,
       "TLSv1.2",
       "http/1.1",
       ecdsa,
       ""},
      {"TLS 1.3, HelloRetryRequest", p384, {"-tls", "1.3"}, 2, "TLSv1.3", "", ecdsa, ""},
      {"TLS 1.3, ECDSA client certificate", mtls, with({"-tls", "1.3"}, ecdsa_client), 2, "TLSv1.3",
       "", ecdsa, "CN=hs-test-client;"},
      {"TLS 1.2, RSA client certificate", mtls, with({"-tls", "1.2"}, rsa_client), 1, "TLSv1.2", "",
       ecdsa, "CN=hs-test-client-rsa;"},
  };
  std::vector<std::string> args = java_peer("client");
  for (const Case& c : cases) {
    if (&c != &cases.front()) {
      args.push_back("--");
    }
    args.insert(args.end(), {"-connect", c.server.connect(), "-cafile", pki_.ca_cert.string(), "-n",
                             std::to_string(c.conns), "-get", "/"});
    args.insert(args.end(), c.flags.begin(), c.flags.end());
  }
  // Without a client certificate: TLS 1.3's certificate_required, TLS 1.2's handshake_failure.
  for (const char* version : {"1.3", "1.2"}) {
    args.insert(args.end(), {"--", "-connect", mtls.connect(), "-cafile", pki_.ca_cert.string(),
                             "-get", "/", "-tls", version});
  }
  auto r = run_command(args, 60s);
  EXPECT_EQ(r.exit_code, 1) << r.output();  // the last two connections fail

  int conn = 1;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    for (int i = 0; i < c.conns; ++i, ++conn) {
      SCOPED_TRACE("connection " + std::to_string(conn));
      auto java = fields(r.out, "conn=" + std::to_string(conn) + " ");
      ASSERT_EQ(java.count("error"), 0u) << r.output() << c.server.output();
      EXPECT_EQ(java["version"], c.version) << r.output();
      EXPECT_EQ(java["alpn"], c.alpn) << r.output();
      EXPECT_EQ(java["chain"], "1") << r.output();
      const bool resumed = i > 0;
      EXPECT_EQ(java["resumed"], resumed ? "true" : "false") << r.output();
      const std::string page = response(r.out, conn);
      EXPECT_TRUE(contains(page, "200 OK")) << r.output();
      EXPECT_EQ(page_field(page, "Protocol"), c.version) << page;
      EXPECT_TRUE(contains(page_field(page, "Cipher"), "(" + java["cipher"] + ")")) << page;
      EXPECT_EQ(page_field(page, "ALPN"), *c.alpn != 0 ? c.alpn : "(none)") << page;
      EXPECT_EQ(page_field(page, "SNI"), "localhost") << page;
      EXPECT_EQ(page_field(page, "Resumed"), resumed ? "yes" : "no") << page;
      EXPECT_EQ(page_field(page, "Signature"), resumed ? "(none)" : c.signature) << page;
      if (std::string(c.version) == "TLSv1.2") {
        EXPECT_EQ(page_field(page, "Extended master secret"), "yes") << page;
      }
      if (*c.client != 0) {
        EXPECT_TRUE(contains(page_field(page, "Client certificate"), c.client)) << page;
        EXPECT_TRUE(contains(page_field(page, "Client certificate"), "; verified")) << page;
      }
    }
  }
  // HelloRetryRequest: JSSE's shares are X25519 and P-256; P-384 needs a second ClientHello.
  const std::string p384_log = p384.output();
  for (int n : {1, 2}) {
    EXPECT_EQ(hellos_of(p384_log, n), 2u) << "connection #" << n << "\n" << p384_log;
    EXPECT_EQ(page_field(response(r.out, 5 + n), "Group"), "secp384r1") << r.output();
  }
  EXPECT_EQ(hellos_of(plain.output(), 1), 1u) << plain.output();
  EXPECT_TRUE(
      contains(line_of(r.out, "conn=11 error="), "Received fatal alert: certificate_required"))
      << r.output();
  EXPECT_TRUE(contains(line_of(r.out, "conn=12 error="), "Received fatal alert: handshake_failure"))
      << r.output();
}

TEST_F(JavaInterop, HsClientToJavaServer) {
  // Both JVMs start together. The ECDSA server takes only P-256 (a HelloRetryRequest for our
  // X25519 share) and requires a client certificate.
  JavaServer rsa(
      {"-cert", pki_.rsa_cert.string(), "-key", pki_.rsa_key.string(), "-alpn", "http/1.1"});
  JavaServer ecdsa({"-cert", pki_.ecdsa_cert.string(), "-key", pki_.ecdsa_key.string(), "-alpn",
                    "http/1.1", "-groups", "secp256r1", "-clientca", pki_.ca_cert.string()});
  ASSERT_NE(rsa.wait_listening(), 0) << rsa.output();
  ASSERT_NE(ecdsa.wait_listening(), 0) << ecdsa.output();

  struct Case {
    const char* name;
    const JavaServer& server;
    std::vector<std::string> flags;
    const char* version;  // on both sides
    const char* client;   // CN JSSE saw, "-" without a client certificate
    size_t hello_retries;
  };
  const std::vector<Case> cases = {
      // TLS 1.3 only: JSSE serves its RSA-issued chain because we name rsa_pkcs1_sha256 in
      // signature_algorithms_cert.
      {"TLS 1.3, RSA", rsa, {"--tlsv1.3"}, "TLSv1.3", "-", 0},
      {"TLS 1.2, RSA", rsa, {"--tls-max", "1.2"}, "TLSv1.2", "-", 0},
      // Only the first connection pays the HelloRetryRequest: the session store remembers the
      // group JSSE chose.
      {"TLS 1.3, ECDSA, HelloRetryRequest, client certificate",
       ecdsa,
       {"--cert", pki_.client_cert.string(), "--key", pki_.client_key.string()},
       "TLSv1.3",
       "hs-test-client",
       1},
      {"TLS 1.2, ECDSA, RSA client certificate",
       ecdsa,
       {"--tls-max", "1.2", "--cert", pki_.client_rsa_cert.string(), "--key",
        pki_.client_rsa_key.string()},
       "TLSv1.2",
       "hs-test-client-rsa",
       0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> flags = {"-vv", "--reconnect", "1"};
    flags.insert(flags.end(), c.flags.begin(), c.flags.end());
    auto r = hs_client(c.server, flags);
    ASSERT_EQ(r.exit_code, 0) << r.output() << c.server.output();
    EXPECT_EQ(count_of(r.err, ": New, " + std::string(c.version)), 1u) << r.output();
    EXPECT_EQ(count_of(r.err, ": Reused, " + std::string(c.version)), 1u) << r.output();
    EXPECT_EQ(count_of(r.err, "HelloRetryRequest selected"), c.hello_retries) << r.output();
    // ALPN: JSSE takes http/1.1 out of our h2,http/1.1.
    EXPECT_EQ(count_of(r.err, "ALPN: server accepted http/1.1"), 2u) << r.output();
    // JSSE's answers, one per connection: the first new, the second resumed.
    const std::string answers = r.out;
    size_t first = answers.find("conn=");
    size_t second = first == std::string::npos ? first : answers.find("conn=", first + 1);
    ASSERT_NE(second, std::string::npos) << r.output();
    for (bool resumed : {false, true}) {
      auto java = fields(answers.substr(resumed ? second : first), "conn=");
      EXPECT_EQ(java["version"], c.version) << r.output();
      EXPECT_EQ(java["alpn"], "http/1.1") << r.output();
      EXPECT_EQ(java["resumed"], resumed ? "true" : "false") << r.output();
      EXPECT_EQ(java["client"], c.client) << r.output();
    }
  }
  // Without a client certificate JSSE answers TLS 1.3's empty Certificate with bad_certificate
  // (RFC 8446 §4.4.2.4 names certificate_required), which we report.
  auto none = hs_client(ecdsa, {});
  EXPECT_EQ(none.exit_code, 56) << none.output();
  EXPECT_TRUE(contains(none.err, "bad_certificate")) << none.output();
  EXPECT_FALSE(contains(ecdsa.stdout_text(), "client=-")) << ecdsa.output();
}

}  // namespace
}  // namespace hs::test

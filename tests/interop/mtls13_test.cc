// Mutual TLS 1.3 against real peers on loopback: `hs client --tlsv1.3 --cert/--key` against
// `openssl s_server -tls1_3 -Verify 1`, and `openssl s_client -tls1_3 -cert/-key` and
// `gnutls-cli --x509certfile/--x509keyfile` against `hs server --verify-client CA
// --require-client-cert`; a client certificate from an untrusted CA is refused with unknown_ca and
// a missing one with certificate_required (RFC 8446 §4.4.2.4), each as the peer reports it.
//
// In TLS 1.3 the client's handshake is complete once it sent its Finished, before the server has
// judged its certificate, so a refused client learns of the refusal when it next reads: s_client
// runs with -ign_eof and a request so that it reads the alert.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
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

const std::string kRequest = "GET / HTTP/1.0\r\n\r\n";

class Mtls13Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
    pki_ = &shared_test_pki();
  }

  // openssl_server starts `openssl s_server -tls1_3 -Verify 1 -verify_return_error -www`
  // trusting the test root for client certificates.
  std::unique_ptr<Process> openssl_server(uint16_t& port) {
    port = free_port();
    auto p = std::make_unique<Process>(std::vector<std::string>{
        "openssl", "s_server", "-tls1_3", "-Verify", "1", "-verify_return_error", "-CAfile",
        pki_->ca_cert.string(), "-cert", pki_->rsa_cert.string(), "-key", pki_->rsa_key.string(),
        "-accept", "127.0.0.1:" + std::to_string(port), "-www"});
    EXPECT_TRUE(p->wait_for_port(port)) << p->output();
    return p;
  }

  // hs_client runs `hs client --tlsv1.3` against localhost:port with `extra` options.
  CommandResult hs_client(uint16_t port, std::vector<std::string> extra) {
    std::vector<std::string> args = {hs_binary().string(),
                                     "client",
                                     "--tlsv1.3",
                                     "--cacert",
                                     pki_->ca_cert.string(),
                                     "--resolve",
                                     "localhost:" + std::to_string(port) + ":127.0.0.1"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("https://localhost:" + std::to_string(port) + "/");
    return run_command(std::move(args), 20s);
  }

  // hs_server starts `hs server -v --verify-client CA --require-client-cert`.
  std::unique_ptr<HsServerProcess> hs_server() {
    auto s = std::make_unique<HsServerProcess>(
        HsServerProcess::cert_args(*pki_),
        std::vector<std::string>{"-v", "--verify-client", pki_->ca_cert.string(),
                                 "--require-client-cert"});
    EXPECT_NE(s->port(), 0) << s->output();
    return s;
  }

  // s_client runs openssl s_client -tls1_3 (with -ign_eof and a request, so it reads what the
  // server answers after the handshake) with `extra` options.
  CommandResult s_client(const HsServerProcess& s, std::vector<std::string> extra) {
    std::vector<std::string> args = {"openssl",
                                     "s_client",
                                     "-tls1_3",
                                     "-connect",
                                     s.connect(),
                                     "-servername",
                                     "localhost",
                                     "-CAfile",
                                     pki_->ca_cert.string(),
                                     "-verify_return_error",
                                     "-ign_eof"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_command(std::move(args), 20s, kRequest);
  }

  const TestPki* pki_ = nullptr;
};

TEST_F(Mtls13Test, HsClientAuthenticatesToOpensslServer) {
  uint16_t port = 0;
  auto server = openssl_server(port);
  struct Client {
    std::string cert;
    std::string key;
    std::string cn;
  };
  const Client clients[] = {
      {pki_->client_cert.string(), pki_->client_key.string(), "CN=hs-test-client\n"},
      {pki_->client_rsa_cert.string(), pki_->client_rsa_key.string(), "CN=hs-test-client-rsa\n"},
  };
  for (const Client& c : clients) {
    SCOPED_TRACE(c.cert);
    CommandResult o = hs_client(port, {"--cert", c.cert, "--key", c.key});
    EXPECT_EQ(o.exit_code, 0) << o.output() << server->output();
    // s_server -www echoes the session: TLS 1.3, and the client certificate it verified.
    EXPECT_TRUE(contains(o.out, "Protocol  : TLSv1.3")) << o.output();
    EXPECT_TRUE(contains(o.out, "Subject: O=handshake tests, " + c.cn)) << o.output();
  }
  EXPECT_TRUE(contains(server->output(), "depth=0 O = handshake tests, CN = hs-test-client-rsa"))
      << server->output();
}

TEST_F(Mtls13Test, OpensslServerRefusesMissingAndUntrustedClientCertificates) {
  uint16_t port = 0;
  auto server = openssl_server(port);
  // No --cert: s_server -Verify requires one (RFC 8446 §4.4.2.4: certificate_required).
  CommandResult none = hs_client(port, {});
  EXPECT_EQ(none.exit_code, 56) << none.output();
  EXPECT_TRUE(contains(none.err, "peer sent fatal alert certificate_required")) << none.output();
  // A certificate from a CA s_server does not trust: unknown_ca.
  CommandResult untrusted = hs_client(port, {"--cert", pki_->untrusted_client_cert.string(),
                                             "--key", pki_->untrusted_client_key.string()});
  EXPECT_EQ(untrusted.exit_code, 56) << untrusted.output();
  EXPECT_TRUE(contains(untrusted.err, "peer sent fatal alert unknown_ca")) << untrusted.output();
}

TEST_F(Mtls13Test, OpensslClientAuthenticatesToHsServer) {
  auto server = hs_server();
  ASSERT_NE(server->port(), 0);
  for (const auto& [cert, key, cn] :
       {std::tuple{pki_->client_cert, pki_->client_key, "CN=hs-test-client;"},
        std::tuple{pki_->client_rsa_cert, pki_->client_rsa_key, "CN=hs-test-client-rsa;"}}) {
    SCOPED_TRACE(cert.string());
    CommandResult o = s_client(*server, {"-cert", cert.string(), "-key", key.string()});
    EXPECT_EQ(o.exit_code, 0) << o.output() << server->output();
    EXPECT_TRUE(contains(o.out, "New, TLSv1.3")) << o.output();
    // The page hs server answers with names the client certificate it verified.
    EXPECT_TRUE(
        contains(o.out, std::string("Client certificate: subject=O=handshake tests; ") + cn))
        << o.output();
  }
}

TEST_F(Mtls13Test, HsServerRefusesUntrustedAndMissingClientCertificates) {
  auto server = hs_server();
  ASSERT_NE(server->port(), 0);
  CommandResult untrusted = s_client(*server, {"-cert", pki_->untrusted_client_cert.string(),
                                               "-key", pki_->untrusted_client_key.string()});
  EXPECT_NE(untrusted.exit_code, 0) << untrusted.output();
  EXPECT_TRUE(contains(untrusted.err, "tlsv1 alert unknown ca")) << untrusted.output();
  EXPECT_TRUE(contains(untrusted.err, "SSL alert number 48")) << untrusted.output();

  CommandResult none = s_client(*server, {});
  EXPECT_NE(none.exit_code, 0) << none.output();
  EXPECT_TRUE(contains(none.err, "tlsv13 alert certificate required")) << none.output();
  EXPECT_TRUE(contains(none.err, "SSL alert number 116")) << none.output();

  // hs server -v says why it closed each connection.
  server->process().stop();
  EXPECT_TRUE(contains(server->output(), "(unknown_ca)")) << server->output();
  EXPECT_TRUE(contains(server->output(), "(certificate_required)")) << server->output();
}

TEST_F(Mtls13Test, GnutlsClientAgainstHsServer) {
  ASSERT_TRUE(require_program("gnutls-cli"));
  auto server = hs_server();
  ASSERT_NE(server->port(), 0);
  auto gnutls = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"gnutls-cli",
                                     "--x509cafile",
                                     pki_->ca_cert.string(),
                                     "--priority",
                                     "NORMAL:-VERS-ALL:+VERS-TLS1.3",
                                     "-p",
                                     std::to_string(server->port()),
                                     "localhost"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_command(std::move(args), 20s, kRequest);
  };
  CommandResult ok = gnutls(
      {"--x509certfile", pki_->client_cert.string(), "--x509keyfile", pki_->client_key.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.output();
  EXPECT_TRUE(contains(ok.out, "Successfully sent 1 certificate(s) to server")) << ok.output();
  EXPECT_TRUE(contains(ok.out, "(TLS1.3-X.509)")) << ok.output();
  EXPECT_TRUE(contains(ok.out, "Client certificate: subject=O=handshake tests; CN=hs-test-client;"))
      << ok.output();

  CommandResult none = gnutls({});
  EXPECT_NE(none.exit_code, 0) << none.output();
  EXPECT_TRUE(contains(none.out + none.err, "Received alert [116]")) << none.output();
}

TEST_F(Mtls13Test, HsClientAgainstHsServer) {
  auto server = hs_server();
  ASSERT_NE(server->port(), 0);
  CommandResult o = hs_client(
      server->port(), {"--cert", pki_->client_cert.string(), "--key", pki_->client_key.string()});
  EXPECT_EQ(o.exit_code, 0) << o.output() << server->output();
  EXPECT_TRUE(contains(o.out, "Client certificate: subject=O=handshake tests; CN=hs-test-client;"))
      << o.output();
}

// Post-handshake authentication (RFC 8446 §4.6.2), as curl with OpenSSL offers it: `hs client
// --cert` against an `openssl s_server` that asks for nothing in the handshake and, once the
// request arrived, is told (its `c` command, typed through a FIFO) to ask for a certificate.
// hs client answers while it waits for the response; the trace shows the exchange after the
// handshake as curl's does, and s_server verifies the certificate against the test root.
TEST_F(Mtls13Test, HsClientAnswersAPostHandshakeCertificateRequest) {
  TempDir dir;
  const auto fifo = dir / "stdin";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const uint16_t port = free_port();
  Process server({"sh", "-c",
                  "exec openssl s_server -tls1_3 -verify_return_error -CAfile " +
                      pki_->ca_cert.string() + " -cert " + pki_->rsa_cert.string() + " -key " +
                      pki_->rsa_key.string() + " -accept 127.0.0.1:" + std::to_string(port) +
                      " < " + fifo.string()});
  ASSERT_TRUE(server.started()) << server.error();
  const int cmd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);  // waits for the shell
  ASSERT_GE(cmd, 0);
  auto type = [&](std::string_view text) {
    EXPECT_EQ(::write(cmd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  };
  ASSERT_TRUE(server.wait_for_port(port)) << server.output();
  Process client({hs_binary().string(), "client", "-v", "--tlsv1.3", "--http1.1", "--cacert",
                  pki_->ca_cert.string(), "--cert", pki_->client_cert.string(), "--key",
                  pki_->client_key.string(), "--resolve",
                  "localhost:" + std::to_string(port) + ":127.0.0.1",
                  "https://localhost:" + std::to_string(port) + "/"});
  ASSERT_TRUE(client.started()) << client.error();
  auto wait_for = [&](const Process& p, std::string_view text) {
    for (int i = 0; i < 200 && !contains(p.output(), std::string(text)); ++i) {
      ::usleep(50 * 1000);
    }
    return contains(p.output(), std::string(text));
  };
  ASSERT_TRUE(wait_for(server, "User-Agent: hs/")) << server.output() << client.output();
  type("c\n");  // s_server takes a command only as a whole read() of its own
  ASSERT_TRUE(wait_for(server, "SSL_do_handshake -> 1")) << server.output();
  ASSERT_TRUE(wait_for(server, "depth=0 O = handshake tests, CN = hs-test-client"))
      << server.output() << client.output();
  type("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n");
  const std::optional<int> rc = client.wait(20s);
  ASSERT_TRUE(rc.has_value()) << client.output();
  EXPECT_EQ(*rc, 0) << client.output();
  ::close(cmd);
  const std::string trace = client.stderr_text();
  const size_t connected = trace.find("* SSL connection using TLSv1.3");
  const size_t request = trace.find("* TLSv1.3 (IN), TLS handshake, Request CERT (13):", connected);
  ASSERT_NE(connected, std::string::npos) << trace;
  ASSERT_NE(request, std::string::npos) << trace;
  EXPECT_NE(trace.find("* TLSv1.3 (OUT), TLS handshake, Certificate (11):", request),
            std::string::npos)
      << trace;
  EXPECT_NE(trace.find("* TLSv1.3 (OUT), TLS handshake, CERT verify (15):", request),
            std::string::npos)
      << trace;
  EXPECT_NE(trace.find("* TLSv1.3 (OUT), TLS handshake, Finished (20):", request),
            std::string::npos)
      << trace;
  EXPECT_EQ(client.stdout_text(), "ok\n") << client.output();
  EXPECT_FALSE(contains(server.output(), "verify error")) << server.output();
}

// `hs server --post-handshake-auth` asks nothing in the handshake, asks for the certificate
// right after it (RFC 8446 §4.6.2) and holds the requests until the answer is in, as Apache
// does for a location with SSLVerifyClient. curl (which always offers
// post_handshake_auth with OpenSSL), openssl s_client -enable_pha, gnutls-cli
// --post-handshake-auth and hs client all answer it; the page names the certificate. With
// --require-client-cert a client without one gets certificate_required, and an HTTP/2 client
// (RFC 8740 §3: "HTTP/2 servers MUST NOT send post-handshake TLS 1.3 CertificateRequest
// messages") is answered 403 without being asked.
TEST_F(Mtls13Test, HsServerAsksForTheCertificateAfterTheHandshake) {
  ASSERT_TRUE(require_program("curl"));
  ASSERT_TRUE(require_program("gnutls-cli"));
  HsServerProcess server(HsServerProcess::cert_args(*pki_),
                         {"-v", "--verify-client", pki_->ca_cert.string(), "--post-handshake-auth",
                          "--require-client-cert"});
  ASSERT_NE(server.port(), 0) << server.output();
  const std::string page_cert = "Client certificate: subject=O=handshake tests; CN=hs-test-client;";
  auto curl = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "curl",      "-sS",           "--tlsv1.3", "--cacert", pki_->ca_cert.string(),
        "--resolve", server.resolve()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(server.url());
    return run_command(std::move(args), 20s);
  };
  const std::vector<std::string> cert = {"--cert", pki_->client_cert.string(), "--key",
                                         pki_->client_key.string()};
  std::vector<std::string> with_cert = cert;
  with_cert.push_back("--http1.1");
  CommandResult by_curl = curl(with_cert);
  EXPECT_EQ(by_curl.exit_code, 0) << by_curl.output() << server.output();
  EXPECT_TRUE(contains(by_curl.out, page_cert)) << by_curl.output();

  CommandResult by_openssl =
      run_command({"openssl", "s_client", "-tls1_3", "-enable_pha", "-connect", server.connect(),
                   "-servername", "localhost", "-CAfile", pki_->ca_cert.string(), "-cert",
                   pki_->client_cert.string(), "-key", pki_->client_key.string(), "-ign_eof"},
                  20s, kRequest);
  EXPECT_EQ(by_openssl.exit_code, 0) << by_openssl.output();
  EXPECT_TRUE(contains(by_openssl.out, page_cert)) << by_openssl.output();

  // gnutls-cli ends its session at the end of its input, before it answers a request that
  // came later, so its input stays open until the page is in.
  ProcessOptions keep_open;
  keep_open.stdin_data = kRequest;
  keep_open.keep_stdin_open = true;
  Process gnutls({"gnutls-cli", "--x509cafile", pki_->ca_cert.string(), "--priority",
                  "NORMAL:-VERS-ALL:+VERS-TLS1.3", "--post-handshake-auth", "--x509certfile",
                  pki_->client_cert.string(), "--x509keyfile", pki_->client_key.string(), "-p",
                  std::to_string(server.port()), "localhost"},
                 keep_open);
  for (int i = 0; i < 200 && !contains(gnutls.stdout_text(), page_cert); ++i) {
    ::usleep(50 * 1000);
  }
  EXPECT_TRUE(contains(gnutls.stdout_text(), page_cert)) << gnutls.output();
  EXPECT_TRUE(contains(gnutls.output(), "Re-auth was performed")) << gnutls.output();
  gnutls.stop();

  CommandResult by_hs =
      run_command({hs_binary().string(), "client", "--tlsv1.3", "--http1.1", "--cacert",
                   pki_->ca_cert.string(), "--cert", pki_->client_cert.string(), "--key",
                   pki_->client_key.string(), "--resolve", server.resolve(), server.url()},
                  20s);
  EXPECT_EQ(by_hs.exit_code, 0) << by_hs.output();
  EXPECT_TRUE(contains(by_hs.out, page_cert)) << by_hs.output();

  CommandResult none = curl({"--http1.1"});
  EXPECT_EQ(none.exit_code, 56) << none.output();
  EXPECT_TRUE(contains(none.err, "certificate required")) << none.output();

  CommandResult h2 = curl(cert);  // ALPN h2
  EXPECT_EQ(h2.exit_code, 0) << h2.output();
  EXPECT_TRUE(contains(h2.out, "client certificate required")) << h2.output();

  server.process().stop();
  const std::string log = server.output();
  EXPECT_TRUE(contains(log, "client certificate (after the handshake): subject=O=handshake tests"))
      << log;
  EXPECT_TRUE(contains(log, "(certificate_required)")) << log;
  EXPECT_TRUE(contains(log, "HTTP/2 forbids post-handshake authentication (RFC 8740)")) << log;
}

// --post-handshake-auth-path: the certificate is asked for only when a request's path needs
// it, in the middle of a connection that already answered other requests (Apache's
// per-location SSLVerifyClient): curl, fetching / then /secure/ on one connection, gets /
// without being asked and /secure/ after answering, and hs client likewise; without a
// certificate /secure/ ends in certificate_required; over HTTP/2 (never asked) / is served and
// /secure/ is 403.
TEST_F(Mtls13Test, HsServerAsksOnlyForTheListedPaths) {
  ASSERT_TRUE(require_program("curl"));
  HsServerProcess server(HsServerProcess::cert_args(*pki_),
                         {"-v", "--verify-client", pki_->ca_cert.string(),
                          "--post-handshake-auth-path", "/secure/", "--require-client-cert"});
  ASSERT_NE(server.port(), 0) << server.output();
  const std::string page_cert = "Client certificate: subject=O=handshake tests; CN=hs-test-client;";
  const std::string page_none = "Client certificate: none";
  const std::vector<std::string> cert = {"--cert", pki_->client_cert.string(), "--key",
                                         pki_->client_key.string()};
  // curl fetches / then /secure/ on one connection; hs client takes one URL per run, so it
  // fetches each on its own (for /secure/ the request arrives first, then the question).
  auto fetch = [&](std::vector<std::string> command, const std::vector<std::string>& paths,
                   const std::vector<std::string>& extra) {
    for (const std::string& a :
         {std::string("--tlsv1.3"), std::string("--cacert"), pki_->ca_cert.string(),
          std::string("--resolve"), server.resolve()}) {
      command.push_back(a);
    }
    for (const std::string& path : paths) {
      command.push_back(server.url(path));
    }
    command.insert(command.end(), extra.begin(), extra.end());
    return run_command(std::move(command), 20s);
  };
  std::vector<std::string> h1 = cert;
  h1.push_back("--http1.1");
  const std::vector<std::string> curl = {"curl", "-sS"};
  CommandResult both = fetch(curl, {"/", "/secure/"}, h1);
  EXPECT_EQ(both.exit_code, 0) << both.output() << server.output();
  // Two pages in order: the first without a certificate, the second with it.
  const size_t none_at = both.out.find(page_none);
  const size_t cert_at = both.out.find(page_cert);
  EXPECT_NE(none_at, std::string::npos) << both.output();
  EXPECT_NE(cert_at, std::string::npos) << both.output();
  EXPECT_LT(none_at, cert_at) << both.output();
  CommandResult no_cert = fetch(curl, {"/", "/secure/"}, {"--http1.1"});
  EXPECT_EQ(no_cert.exit_code, 56) << no_cert.output();
  EXPECT_TRUE(contains(no_cert.out, page_none)) << no_cert.output();  // / was served

  const std::vector<std::string> hs = {hs_binary().string(), "client"};
  CommandResult open = fetch(hs, {"/"}, h1);
  EXPECT_EQ(open.exit_code, 0) << open.output();
  EXPECT_TRUE(contains(open.out, page_none)) << open.output();
  CommandResult secure = fetch(hs, {"/secure/"}, h1);
  EXPECT_EQ(secure.exit_code, 0) << secure.output() << server.output();
  EXPECT_TRUE(contains(secure.out, page_cert)) << secure.output();
  CommandResult refused = fetch(hs, {"/secure/"}, {"--http1.1"});
  EXPECT_EQ(refused.exit_code, 56) << refused.output();

  CommandResult h2 = fetch(curl, {"/", "/secure/"}, cert);  // ALPN h2: never asked
  EXPECT_EQ(h2.exit_code, 0) << h2.output();
  EXPECT_TRUE(contains(h2.out, page_none)) << h2.output();
  EXPECT_TRUE(contains(h2.out, "client certificate required")) << h2.output();

  server.process().stop();
  const std::string log = server.output();
  EXPECT_TRUE(contains(log, "client certificate (after the handshake): subject=O=handshake tests"))
      << log;
  EXPECT_TRUE(contains(log, "HTTP/2 forbids post-handshake authentication (RFC 8740)")) << log;
}

}  // namespace
}  // namespace hs::test

// `hs server` against real clients on loopback: curl, openssl s_client and gnutls-cli for the six
// TLS 1.2 suites x three groups x RSA/ECDSA certificates; HEAD, static files without path
// traversal; 200 concurrent connections; a silent half-record client closed by the handshake
// timeout while others are served; close_notify to open connections on SIGTERM.
#include "support/hs_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <hs/config.h>
#include <hs/connection.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "io/client_stream.h"
#include "io/socket.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

struct Suite {
  const char* openssl_name;
  bool ecdsa;
  const char* gnutls_cipher;
};
constexpr Suite kSuites[] = {
    {"ECDHE-RSA-AES128-GCM-SHA256", false, "AES-128-GCM"},
    {"ECDHE-RSA-AES256-GCM-SHA384", false, "AES-256-GCM"},
    {"ECDHE-RSA-CHACHA20-POLY1305", false, "CHACHA20-POLY1305"},
    {"ECDHE-ECDSA-AES128-GCM-SHA256", true, "AES-128-GCM"},
    {"ECDHE-ECDSA-AES256-GCM-SHA384", true, "AES-256-GCM"},
    {"ECDHE-ECDSA-CHACHA20-POLY1305", true, "CHACHA20-POLY1305"},
};

struct Group {
  const char* curves;  // curl --curves / hs --curves / s_client -groups
  const char* iana;    // hs server's page
  const char* gnutls;  // gnutls priority and Description spelling
  const char* openssl_temp_key;
};
constexpr Group kGroups[] = {
    {"X25519", "x25519", "X25519", "X25519"},
    {"P-256", "secp256r1", "SECP256R1", "ECDH, prime256v1"},
    {"P-384", "secp384r1", "SECP384R1", "ECDH, secp384r1"},
    {"X448", "x448", "X448", "X448"},
    {"P-521", "secp521r1", "SECP521R1", "ECDH, secp521r1"},
};

// client_curves: an ECDSA P-256 certificate needs P-256 in the client's supported_groups
// (RFC 8422 §5.1; OpenSSL clients refuse it with "wrong curve" otherwise), so it follows the
// group under test; the server, started with that group first, picks the group under test.
std::string client_curves(const Group& g, bool ecdsa) {
  std::string c = g.curves;
  if (ecdsa && std::string(g.iana) != "secp256r1") {
    c += ":P-256";
  }
  return c;
}

class HsServer : public HsServerProcess {
 public:
  HsServer(const TestPki& pki, std::vector<std::string> extra)
      : HsServerProcess(cert_args(pki), std::move(extra)) {}
};

class HsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
    pki_ = make_test_pki(dir_);
  }

  std::unique_ptr<HsServer> start(std::vector<std::string> extra = {}) {
    auto s = std::make_unique<HsServer>(pki_, std::move(extra));
    EXPECT_NE(s->port(), 0) << s->process().output();
    return s;
  }

  CommandResult curl(const HsServer& s, std::vector<std::string> extra,
                     const std::string& path = "/") {
    std::vector<std::string> args = {
        "curl",      "-sS",       "--max-time", "20",        "--cacert", pki_.ca_cert.string(),
        "--resolve", s.resolve(), "--tlsv1.2",  "--tls-max", "1.2"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(s.url(path));
    return run_command(std::move(args), 30s);
  }

  TempDir dir_;
  TestPki pki_;
};

TEST_F(HsServerTest, PeersNegotiateEverySuiteGroupAndCertificate) {
  ASSERT_TRUE(require_program("curl"));
  ASSERT_TRUE(require_program("gnutls-cli"));
  for (const Group& g : kGroups) {
    std::string pref = g.curves;
    for (const Group& other : kGroups) {
      if (&other != &g) {
        pref += std::string(":") + other.curves;
      }
    }
    auto server = start({"--curves", pref});
    ASSERT_NE(server->port(), 0);
    for (const Suite& s : kSuites) {
      SCOPED_TRACE(std::string(s.openssl_name) + " " + g.iana);
      std::string curves = client_curves(g, s.ecdsa);

      // curl, verifying the chain against the test root.
      CommandResult c = curl(*server, {"-v", "--ciphers", s.openssl_name, "--curves", curves});
      EXPECT_EQ(c.exit_code, 0) << c.output();
      EXPECT_TRUE(contains(c.err, std::string("SSL connection using TLSv1.2 / ") + s.openssl_name))
          << c.output();
      EXPECT_TRUE(contains(c.out, std::string("Group     : ") + g.iana)) << c.output();

      // openssl s_client.
      CommandResult o =
          run_command({"openssl", "s_client", "-brief", "-tls1_2", "-connect",
                       "127.0.0.1:" + std::to_string(server->port()), "-servername", "localhost",
                       "-CAfile", pki_.ca_cert.string(), "-verify_return_error", "-cipher",
                       s.openssl_name, "-groups", curves},
                      20s);
      EXPECT_EQ(o.exit_code, 0) << o.output();
      EXPECT_TRUE(contains(o.err, "Protocol version: TLSv1.2")) << o.output();
      EXPECT_TRUE(contains(o.err, std::string("Ciphersuite: ") + s.openssl_name)) << o.output();
      EXPECT_TRUE(contains(o.err, std::string("Server Temp Key: ") + g.openssl_temp_key))
          << o.output();

      // gnutls-cli.
      std::string priority =
          std::string("NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+") + s.gnutls_cipher +
          ":-KX-ALL:+" + (s.ecdsa ? "ECDHE-ECDSA" : "ECDHE-RSA") + ":-GROUP-ALL:+GROUP-" +
          g.gnutls + (s.ecdsa && std::string(g.iana) != "secp256r1" ? ":+GROUP-SECP256R1" : "");
      CommandResult t =
          run_command({"gnutls-cli", "--x509cafile", pki_.ca_cert.string(), "-p",
                       std::to_string(server->port()), "--priority", priority, "localhost"},
                      20s);
      EXPECT_EQ(t.exit_code, 0) << t.output();
      EXPECT_TRUE(contains(t.out, std::string("(TLS1.2-X.509)-(ECDHE-") + g.gnutls + ")"))
          << t.output();
      EXPECT_TRUE(contains(t.out, std::string("-(") + s.gnutls_cipher + ")")) << t.output();
    }
  }
}

// TLS 1.3 over every group, the RFC 7919 ones included: s_client and gnutls-cli offering only
// the group under test (so the key share is for it) against hs server configured with all of them
// (ffdhe4096 and up are not among the defaults).
TEST_F(HsServerTest, Tls13PeersNegotiateEveryGroup) {
  ASSERT_TRUE(require_program("gnutls-cli"));
  auto server = start({"--curves",
                       "X25519:P-256:P-384:X448:P-521:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:"
                       "ffdhe8192"});
  ASSERT_NE(server->port(), 0);
  std::vector<Group> groups(std::begin(kGroups), std::end(kGroups));
  groups.insert(groups.end(), {{"ffdhe2048", "ffdhe2048", "FFDHE2048", "DH, 2048 bits"},
                               {"ffdhe3072", "ffdhe3072", "FFDHE3072", "DH, 3072 bits"},
                               {"ffdhe4096", "ffdhe4096", "FFDHE4096", "DH, 4096 bits"},
                               {"ffdhe6144", "ffdhe6144", "FFDHE6144", "DH, 6144 bits"},
                               {"ffdhe8192", "ffdhe8192", "FFDHE8192", "DH, 8192 bits"}});
  for (const Group& g : groups) {
    SCOPED_TRACE(g.iana);
    CommandResult o =
        run_command({"openssl", "s_client", "-brief", "-tls1_3", "-connect",
                     "127.0.0.1:" + std::to_string(server->port()), "-servername", "localhost",
                     "-CAfile", pki_.ca_cert.string(), "-verify_return_error", "-groups", g.curves},
                    20s);
    EXPECT_EQ(o.exit_code, 0) << o.output();
    EXPECT_TRUE(contains(o.err, "Protocol version: TLSv1.3")) << o.output();
    EXPECT_TRUE(contains(o.err, std::string("Server Temp Key: ") + g.openssl_temp_key))
        << o.output();

    CommandResult t = run_command(
        {"gnutls-cli", "--x509cafile", pki_.ca_cert.string(), "-p", std::to_string(server->port()),
         "--priority", std::string("NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-") + g.gnutls,
         "localhost"},
        20s);
    EXPECT_EQ(t.exit_code, 0) << t.output();
    const bool ffdhe = std::string(g.iana).starts_with("ffdhe");
    EXPECT_TRUE(contains(
        t.out, std::string("(TLS1.3-X.509)-(") + (ffdhe ? "DHE-" : "ECDHE-") + g.gnutls + ")"))
        << t.output();
  }
}

TEST_F(HsServerTest, HeadStaticFilesAndNoTraversal) {
  ASSERT_TRUE(require_program("curl"));
  TempDir root;
  root.write_file("index.html", "<p>index</p>\n");
  root.write_file("hello.txt", "hello world\n");
  dir_.write_file("secret.txt", "do not serve\n");
  auto server = start({"--root", root.path().string(), "--alpn", "http/1.1"});
  ASSERT_NE(server->port(), 0);

  CommandResult get = curl(*server, {}, "/hello.txt");
  EXPECT_EQ(get.exit_code, 0) << get.output();
  EXPECT_EQ(get.out, "hello world\n");
  CommandResult index = curl(*server, {"-v"}, "/");
  EXPECT_EQ(index.out, "<p>index</p>\n") << index.output();
  EXPECT_TRUE(contains(index.err, "ALPN: server accepted http/1.1")) << index.output();

  CommandResult head = curl(*server, {"-I"}, "/hello.txt");
  EXPECT_EQ(head.exit_code, 0) << head.output();
  EXPECT_TRUE(contains(head.out, "HTTP/1.1 200 OK")) << head.output();
  EXPECT_TRUE(contains(head.out, "Content-Length: 12")) << head.output();
  EXPECT_FALSE(contains(head.out, "hello world")) << head.output();

  for (std::string path :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/a/../../secret.txt", "/%2e%2e%2fsecret.txt"}) {
    CommandResult bad =
        curl(*server, {"--path-as-is", "-w", "%{http_code}", "-o", "/dev/null"}, path);
    EXPECT_TRUE(bad.out == "403" || bad.out == "400" || bad.out == "404") << path << bad.output();
  }
  CommandResult missing = curl(*server, {"-w", "%{http_code}", "-o", "/dev/null"}, "/nope");
  EXPECT_EQ(missing.out, "404") << missing.output();
}

TEST_F(HsServerTest, DefaultPageReportsTheSession) {
  auto server = start({"--alpn", "h2,http/1.1"});
  ASSERT_NE(server->port(), 0);
  CommandResult r = run_command({hs_binary().string(), "client", "-k", "--tls-max", "1.2",
                                 "--ciphers", "ECDHE-RSA-AES256-GCM-SHA384", "--curves", "P-384",
                                 "--resolve", server->resolve(), server->url()},
                                30s);
  EXPECT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.out, "Protocol  : TLSv1.2")) << r.output();
  EXPECT_TRUE(contains(r.out, "ECDHE-RSA-AES256-GCM-SHA384")) << r.output();
  EXPECT_TRUE(contains(r.out, "Group     : secp384r1")) << r.output();
  EXPECT_TRUE(contains(r.out, "Signature : rsa_pss_rsae_")) << r.output();
  // hs client offers h2,http/1.1 as curl does, and the server prefers h2: the page comes
  // over HTTP/2.
  EXPECT_TRUE(contains(r.out, "ALPN      : h2")) << r.output();
  EXPECT_TRUE(contains(r.out, "SNI       : localhost")) << r.output();
  EXPECT_TRUE(contains(r.out, "Resumed   : no")) << r.output();
}

TEST_F(HsServerTest, TwoHundredConcurrentConnections) {
  ASSERT_TRUE(require_program("curl"));
  auto server = start();
  ASSERT_NE(server->port(), 0);
  std::vector<std::string> args = {"curl",
                                   "-sS",
                                   "-k",
                                   "--max-time",
                                   "60",
                                   "--parallel",
                                   "--parallel-max",
                                   "200",
                                   "--parallel-immediate",
                                   "--tlsv1.2",
                                   "--tls-max",
                                   "1.2",
                                   "--resolve",
                                   server->resolve(),
                                   "-w",
                                   "%{http_code}\\n"};
  for (int i = 0; i < 200; ++i) {
    args.push_back(server->url("/" + std::to_string(i)));
    args.push_back("-o");
    args.push_back("/dev/null");
  }
  auto t0 = std::chrono::steady_clock::now();
  CommandResult r = run_command(args, 90s);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 0) << r.output();
  size_t ok = 0;
  for (size_t at = r.out.find("200\n"); at != std::string::npos; at = r.out.find("200\n", at + 1)) {
    ++ok;
  }
  EXPECT_EQ(ok, 200u) << r.output();
  EXPECT_LT(took, 60s);
}

// --offload-signing: every handshake signature is made on a worker thread and handed back to the
// loop (certified_key_for_offload, Connection::provide_signature), as with keys behind a
// signing service. curl verifies each signature against the chain, TLS 1.2 with the RSA and the
// ECDSA certificate and TLS 1.3, one after the other and 50 in parallel (the loop serves the
// others while a signature is out).
TEST_F(HsServerTest, OffloadedSigningServesCurlInBothVersions) {
  ASSERT_TRUE(require_program("curl"));
  auto server = start({"--offload-signing", "-v"});
  ASSERT_NE(server->port(), 0);
  struct Case {
    std::vector<std::string> args;
    const char* line;
  };
  const std::vector<Case> cases = {
      {{"--ciphers", "ECDHE-RSA-AES128-GCM-SHA256"},
       "SSL connection using TLSv1.2 / ECDHE-RSA-AES128-GCM-SHA256"},
      {{"--ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384"},
       "SSL connection using TLSv1.2 / ECDHE-ECDSA-AES256-GCM-SHA384"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    args.insert(args.begin(), "-v");
    CommandResult r = curl(*server, args);
    EXPECT_EQ(r.exit_code, 0) << r.output();
    EXPECT_TRUE(contains(r.err, c.line)) << r.output();
  }
  CommandResult t13 =
      run_command({"curl", "-sS", "-v", "--max-time", "20", "--cacert", pki_.ca_cert.string(),
                   "--resolve", server->resolve(), "--tlsv1.3", server->url("/")},
                  30s);
  EXPECT_EQ(t13.exit_code, 0) << t13.output();
  EXPECT_TRUE(contains(t13.err, "SSL connection using TLSv1.3")) << t13.output();

  std::vector<std::string> args = {"curl",       "-sS",
                                   "--max-time", "60",
                                   "--cacert",   pki_.ca_cert.string(),
                                   "--parallel", "--parallel-max",
                                   "50",         "--parallel-immediate",
                                   "--resolve",  server->resolve(),
                                   "-w",         "%{http_code}\\n"};
  for (int i = 0; i < 50; ++i) {
    args.push_back(server->url("/" + std::to_string(i)));
    args.push_back("-o");
    args.push_back("/dev/null");
  }
  CommandResult par = run_command(args, 90s);
  EXPECT_EQ(par.exit_code, 0) << par.output();
  size_t ok = 0;
  for (size_t at = par.out.find("200\n"); at != std::string::npos;
       at = par.out.find("200\n", at + 1)) {
    ++ok;
  }
  EXPECT_EQ(ok, 50u) << par.output();

  // The server's own -v lines show each signature made off the loop: certificate 0 is the RSA
  // one (cert_args), 1 the ECDSA one.
  const std::string log = server->output();
  EXPECT_TRUE(contains(log, "signing rsa_pss_rsae_sha256 with certificate 0 off the loop")) << log;
  EXPECT_TRUE(contains(log, "signing ecdsa_secp256r1_sha256 with certificate 1 off the loop"))
      << log;
}

// raw_connect opens a plain TCP connection to the server.
int raw_connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// --cert-dir: the certificate follows the client's server name, read from DIR/NAME.crt and
// DIR/NAME.key when a client first asks for it (the loop reads each ClientHello first,
// hs::Acceptor); other names, and clients without SNI, get the --cert one.
TEST_F(HsServerTest, CertDirServesTheCertificateOfTheServerName) {
  TempDir certs;
  std::filesystem::copy_file(pki_.ecdsa_cert, certs / "ec.example.crt");
  std::filesystem::copy_file(pki_.ecdsa_key, certs / "ec.example.key");
  HsServerProcess server(HsServerProcess::cert_args(pki_, /*with_ecdsa=*/false),
                         {"--cert-dir", certs.path().string(), "-v"});
  ASSERT_NE(server.port(), 0) << server.output();
  auto served_key = [&](std::vector<std::string> name) {
    std::vector<std::string> args = {"openssl", "s_client", "-connect", server.connect()};
    args.insert(args.end(), name.begin(), name.end());
    CommandResult r = run_command(std::move(args), 20s);
    EXPECT_EQ(r.exit_code, 0) << r.output();
    return r.out;
  };
  // ECDSA P-256 from the directory, whatever the case of the name; RSA-2048 otherwise.
  EXPECT_TRUE(contains(served_key({"-servername", "ec.example"}), "Server public key is 256 bit"));
  EXPECT_TRUE(contains(served_key({"-servername", "EC.Example"}), "Server public key is 256 bit"));
  EXPECT_TRUE(
      contains(served_key({"-servername", "other.example"}), "Server public key is 2048 bit"));
  EXPECT_TRUE(contains(served_key({"-noservername"}), "Server public key is 2048 bit"));
  // Read once, then kept.
  const std::string log = server.output();
  const std::string line = "certificate for ec.example read from";
  const size_t first = log.find(line);
  EXPECT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find(line, first + 1), std::string::npos) << log;
}

TEST_F(HsServerTest, SilentHalfRecordClientIsClosedAfterHandshakeTimeout) {
  ASSERT_TRUE(require_program("curl"));
  auto server = start({"--handshake-timeout", "1"});
  ASSERT_NE(server->port(), 0);
  int fd = raw_connect(server->port());
  ASSERT_GE(fd, 0);
  // Half a record: a handshake record header announcing 200 bytes, then 3 of them.
  const uint8_t partial[] = {0x16, 0x03, 0x01, 0x00, 0xC8, 0x01, 0x00, 0x00};
  ASSERT_EQ(::send(fd, partial, sizeof(partial), 0), static_cast<ssize_t>(sizeof(partial)));
  auto t0 = std::chrono::steady_clock::now();

  // Others are served while it hangs.
  for (int i = 0; i < 3; ++i) {
    CommandResult r = curl(*server, {"-o", "/dev/null", "-w", "%{http_code}"});
    EXPECT_EQ(r.out, "200") << r.output();
  }

  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1) << "silent client was not closed";
  char buf[64];
  ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
  EXPECT_LE(n, 0);  // EOF (or reset): the server closed it
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 4s);
  ::close(fd);
}

TEST_F(HsServerTest, SigtermSendsCloseNotifyAndExitsCleanly) {
  auto server = start();
  ASSERT_NE(server->port(), 0);
  io::ConnectOptions co;
  co.host = "127.0.0.1";
  co.port = server->port();
  auto connected = io::tcp_connect(co);
  ASSERT_TRUE(std::holds_alternative<io::Connected>(connected));
  auto config = std::make_shared<ClientConfig>();
  config->max_version = ProtocolVersion::tls1_2;
  config->dangerous_skip_verification = true;
  auto conn = Connection::client(config, "localhost");
  ASSERT_TRUE(conn.ok());
  io::ClientStream stream(std::move(std::get<io::Connected>(connected).fd),
                          std::move(conn).value());
  ASSERT_TRUE(stream.handshake(10s).ok());

  ::kill(server->process().pid(), SIGTERM);
  std::vector<uint8_t> buf(1024);
  auto r = stream.read(buf, 5s);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, 0u);  // end of stream by close_notify, not truncation
  EXPECT_TRUE(stream.connection().peer_closed());
  auto code = server->process().wait(5s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << server->process().output();
}

}  // namespace
}  // namespace hs::test

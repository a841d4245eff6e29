// Our TLS 1.3 client against `openssl s_server -tls1_3` on 127.0.0.1: the three groups (P-256
// and P-384 through a HelloRetryRequest, as s_server is told to accept only them), the three
// suites, RSA (rsa_pss_rsae), ECDSA P-256, RSA-PSS (rsa_pss_pss) and Ed25519 certificates, the
// server's NewSessionTickets, KeyUpdate both ways through s_server's `k`/`K` commands, and
// post-handshake client authentication (RFC 8446 §4.6.2) through its `c` command, and an
// external PSK (-psk_identity/-psk).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "unit/handshake/common/client_harness.h"

namespace hs::testing {
namespace {

using namespace std::chrono_literals;

// Socket is a connected TCP socket to 127.0.0.1:port, closed on destruction.
class Socket {
 public:
  explicit Socket(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Socket() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// Pump moves bytes between the socket and the connection until `done()` holds, the connection
// fails, the transport ends, or `timeout` passes. Returns whether `done()` held.
template <typename Done>
::testing::AssertionResult pump(Connection& conn, const Socket& sock, Done done,
                                std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<uint8_t> buf(16384);
  bool eof = false;
  while (true) {
    while (!conn.output().empty()) {
      auto out = conn.output();
      ssize_t n = ::send(sock.fd(), out.data(), out.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        return ::testing::AssertionFailure() << "send failed";
      }
      conn.consume_output(static_cast<size_t>(n));
    }
    if (done()) {
      return ::testing::AssertionSuccess();
    }
    if (conn.failed() || eof) {
      return ::testing::AssertionFailure() << (conn.failed() ? "connection failed" : "EOF");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return ::testing::AssertionFailure() << "timeout";
    }
    pollfd p{sock.fd(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) {
      continue;
    }
    ssize_t n = ::recv(sock.fd(), buf.data(), buf.size(), 0);
    if (n <= 0) {
      eof = true;
      auto r = conn.receive_eof();
      if (!r.ok()) {
        return ::testing::AssertionFailure() << r.error().message();
      }
      continue;
    }
    auto r = conn.receive(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)));
    if (!r.ok()) {
      return ::testing::AssertionFailure() << r.error().message();
    }
  }
}

std::string read_all(Connection& conn) {
  std::string out;
  std::vector<uint8_t> buf(4096);
  while (size_t n = conn.read(buf)) {
    out.append(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return out;
}

struct CertFiles {
  std::string cert;
  std::string key;
};

// make_cert writes a self-signed localhost certificate made by `openssl req -newkey <alg>`.
CertFiles make_cert(const test::TempDir& dir, const std::string& name,
                    std::vector<std::string> newkey) {
  CertFiles f{(dir / (name + ".pem")).string(), (dir / (name + ".key")).string()};
  std::vector<std::string> args = {"openssl", "req", "-x509", "-nodes",
                                   "-days",   "2",   "-subj", "/CN=localhost",
                                   "-keyout", f.key, "-out",  f.cert};
  args.insert(args.end(), newkey.begin(), newkey.end());
  auto r = test::run_command(args, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.output();
  return f;
}

struct Options {
  CertFiles cert;
  std::vector<std::string> server_args;  // extra s_server arguments
};

struct Result13 {
  SessionInfo info;
  std::string page;
  size_t client_hellos = 0;
};

// run_www starts `openssl s_server -tls1_3 -www`, connects our client, sends a GET and reads the
// status page to the server's close_notify.
Result13 run_www(const Options& o, std::shared_ptr<ClientConfig> config = nullptr) {
  Result13 res;
  uint16_t port = test::free_port();
  std::vector<std::string> args = {
      "openssl", "s_server",  "-tls1_3", "-www",    "-accept", std::to_string(port),
      "-cert",   o.cert.cert, "-key",    o.cert.key};
  args.insert(args.end(), o.server_args.begin(), o.server_args.end());
  test::Process server(args);
  EXPECT_TRUE(server.started()) << server.error();
  EXPECT_TRUE(server.wait_for_port(port)) << server.output();
  if (!config) {
    config = std::make_shared<ClientConfig>();
    config->dangerous_skip_verification = true;
  }
  RecordingObserver observer;
  auto c = Connection::client(config, "localhost", &observer);
  EXPECT_TRUE(c.ok());
  if (!c.ok()) {
    return res;
  }
  auto& conn = *c.value();
  Socket sock(port);
  EXPECT_GE(sock.fd(), 0);
  EXPECT_TRUE(pump(conn, sock, [&] { return conn.is_connected(); })) << server.output();
  if (!conn.is_connected()) {
    return res;
  }
  std::string get = "GET / HTTP/1.0\r\n\r\n";
  EXPECT_TRUE(conn.write(std::vector<uint8_t>(get.begin(), get.end())).ok());
  EXPECT_TRUE(pump(conn, sock, [&] { return conn.peer_closed(); })) << server.output();
  res.page = read_all(conn);
  res.info = conn.info();
  for (const auto& m : observer.messages) {
    res.client_hellos += (m.direction == Direction::out && m.handshake_type == 1) ? 1 : 0;
  }
  return res;
}

const test::TestPki& pki() { return test::shared_test_pki(); }
Options rsa_options(std::vector<std::string> extra = {}) {
  return {{pki().rsa_cert.string(), pki().rsa_key.string()}, std::move(extra)};
}

TEST(Client13OpenSsl, DefaultX25519RsaCertificate) {
  ASSERT_TRUE(test::require_program("openssl"));
  auto r = run_www(rsa_options());
  EXPECT_NE(r.page.find("HTTP/1.0 200 ok"), std::string::npos) << r.page;
  EXPECT_NE(r.page.find("TLSv1.3"), std::string::npos) << r.page;
  EXPECT_EQ(r.info.version, ProtocolVersion::tls1_3);
  EXPECT_EQ(r.info.group, NamedGroup::x25519);
  EXPECT_EQ(r.info.signature_scheme, SignatureScheme::rsa_pss_rsae_sha256);
  EXPECT_EQ(r.client_hellos, 1u);
}

TEST(Client13OpenSsl, HelloRetryRequestForP256AndP384) {
  ASSERT_TRUE(test::require_program("openssl"));
  for (auto [name, group] :
       {std::pair{"P-256", NamedGroup::secp256r1}, std::pair{"P-384", NamedGroup::secp384r1}}) {
    SCOPED_TRACE(name);
    auto r = run_www(rsa_options({"-groups", name}));
    EXPECT_NE(r.page.find("HTTP/1.0 200 ok"), std::string::npos) << r.page;
    EXPECT_EQ(r.info.group, group);
    EXPECT_EQ(r.client_hellos, 2u);  // ClientHello2 after the HelloRetryRequest
  }
}

TEST(Client13OpenSsl, AllThreeSuites) {
  ASSERT_TRUE(test::require_program("openssl"));
  for (CipherSuite suite :
       {CipherSuite::TLS_AES_128_GCM_SHA256, CipherSuite::TLS_AES_256_GCM_SHA384,
        CipherSuite::TLS_CHACHA20_POLY1305_SHA256}) {
    std::string name(suite_name(suite));
    SCOPED_TRACE(name);
    auto r = run_www(rsa_options({"-ciphersuites", name}));
    EXPECT_NE(r.page.find("HTTP/1.0 200 ok"), std::string::npos) << r.page;
    EXPECT_EQ(r.info.cipher_suite, suite);
  }
}

TEST(Client13OpenSsl, EcdsaRsaPssAndEd25519Certificates) {
  ASSERT_TRUE(test::require_program("openssl"));
  test::TempDir dir;
  struct Case {
    std::string name;
    CertFiles cert;
    SignatureScheme scheme;
  };
  std::vector<Case> cases = {
      {"ECDSA P-256",
       {pki().ecdsa_cert.string(), pki().ecdsa_key.string()},
       SignatureScheme::ecdsa_secp256r1_sha256},
      {"ECDSA P-384",
       make_cert(dir, "p384", {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"}),
       SignatureScheme::ecdsa_secp384r1_sha384},
      {"RSA-PSS", make_cert(dir, "pss", {"-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048"}),
       SignatureScheme::rsa_pss_pss_sha256},
      {"Ed25519", make_cert(dir, "ed25519", {"-newkey", "ed25519"}), SignatureScheme::ed25519},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = run_www({c.cert, {}});
    EXPECT_NE(r.page.find("HTTP/1.0 200 ok"), std::string::npos) << r.page;
    EXPECT_EQ(r.info.signature_scheme, c.scheme);
  }
}

// S_server runs `openssl s_server -tls1_3` with `extra` arguments, reading its commands from a
// FIFO the test writes (type()): `c` asks the client for a certificate after the handshake
// (SSL_verify_client_post_handshake), `K`/`k` send a KeyUpdate; other lines are sent as data.
class S_server {
 public:
  explicit S_server(std::vector<std::string> extra) {
    fifo_ = dir_ / "stdin";
    if (::mkfifo(fifo_.c_str(), 0600) != 0) {
      ADD_FAILURE() << "mkfifo";
      return;
    }
    std::string cmd = "exec openssl s_server -tls1_3 -accept " + std::to_string(port_) + " -cert " +
                      pki().rsa_cert.string() + " -key " + pki().rsa_key.string();
    for (const std::string& a : extra) {
      cmd += " " + a;
    }
    server_ = std::make_unique<test::Process>(
        std::vector<std::string>{"sh", "-c", cmd + " < " + fifo_.string()});
    EXPECT_TRUE(server_->started()) << server_->error();
    cmd_ = ::open(fifo_.c_str(), O_WRONLY | O_CLOEXEC);  // waits for the shell to open it
    EXPECT_GE(cmd_, 0);
    EXPECT_TRUE(server_->wait_for_port(port_)) << server_->output();
  }
  ~S_server() {
    if (cmd_ >= 0) {
      ::close(cmd_);
    }
  }
  S_server(const S_server&) = delete;
  S_server& operator=(const S_server&) = delete;

  uint16_t port() const { return port_; }
  test::Process& process() { return *server_; }
  // type writes one command line; s_server takes a command only as a whole read() of its own,
  // so the caller waits for each one to take effect before the next.
  void type(std::string_view line) {
    ASSERT_EQ(::write(cmd_, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  }

 private:
  test::TempDir dir_;
  std::filesystem::path fifo_;
  uint16_t port_ = test::free_port();
  std::unique_ptr<test::Process> server_;
  int cmd_ = -1;
};

std::shared_ptr<ClientConfig> pha_client(bool offer, bool with_certificate) {
  auto config = std::make_shared<ClientConfig>();
  config->dangerous_skip_verification = true;
  config->post_handshake_auth = offer;
  if (with_certificate) {
    auto ck = load_server_certificate(test::read_file(pki().client_cert),
                                      test::read_file(pki().client_key));
    EXPECT_TRUE(ck.ok()) << ck.error().message();
    if (ck.ok()) {
      config->client_certificate = std::move(ck).value();
    }
  }
  return config;
}

size_t count_out(const RecordingObserver& observer, uint8_t handshake_type) {
  size_t n = 0;
  for (const auto& m : observer.messages) {
    n += (m.direction == Direction::out && m.content_type == 22 &&
          m.handshake_type == handshake_type)
             ? 1
             : 0;
  }
  return n;
}

// OurClient is our client connected to an S_server, its messages recorded.
struct OurClient {
  RecordingObserver observer;
  std::unique_ptr<Connection> conn;
  std::unique_ptr<Socket> sock;

  // connect makes the connection with `config` and pumps the handshake.
  ::testing::AssertionResult connect(S_server& server, std::shared_ptr<ClientConfig> config) {
    auto c = Connection::client(std::move(config), "localhost", &observer);
    if (!c.ok()) {
      return ::testing::AssertionFailure() << c.error().message();
    }
    conn = std::move(c).value();
    sock = std::make_unique<Socket>(server.port());
    if (sock->fd() < 0) {
      return ::testing::AssertionFailure() << "connect failed";
    }
    return pump(*conn, *sock, [&] { return conn->is_connected(); });
  }
  template <typename Done>
  ::testing::AssertionResult pump_until(Done done) {
    return pump(*conn, *sock, done);
  }
  // read_until pumps until the application data read holds `text`.
  ::testing::AssertionResult read_until(std::string_view text) {
    std::string got;
    return pump(*conn, *sock, [&] {
      got += read_all(*conn);
      return got.find(text) != std::string::npos;
    });
  }
  void close() {
    conn->close();
    EXPECT_TRUE(pump(*conn, *sock, [] { return true; }));
  }
};

// server_said waits up to 5 s for `text` in s_server's output. s_server prints some lines (its
// "SSL_do_handshake -> 1" after a post-handshake request) through a buffered stdout BIO that is
// flushed only later, when the connection closes at the latest: callers close first.
bool server_said(S_server& server, std::string_view text) {
  for (int i = 0; i < 100; ++i) {
    if (server.process().output().find(text) != std::string::npos) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(Client13OpenSsl, KeyUpdateBothWays) {
  ASSERT_TRUE(test::require_program("openssl"));
  S_server server({});
  auto config = std::make_shared<ClientConfig>();
  config->dangerous_skip_verification = true;
  OurClient client;
  ASSERT_TRUE(client.connect(server, config)) << server.process().output();

  auto notes_with = [&](std::string_view text) {
    size_t n = 0;
    for (const auto& note : client.observer.notes) {
      n += note.find(text) != std::string::npos ? 1 : 0;
    }
    return n;
  };
  // K: the server updates its key and asks us to update ours; the line after it arrives under
  // the server's new key.
  server.type("K\n");
  ASSERT_TRUE(client.pump_until([&] { return notes_with("KeyUpdate received") == 1; }))
      << server.process().output();
  server.type("after K\n");
  ASSERT_TRUE(client.read_until("after K")) << server.process().output();
  EXPECT_EQ(notes_with("KeyUpdate received (update_requested)"), 1u);
  // Our reply went out and our write key changed: the server still reads us.
  std::string line = "from the client after the update\n";
  ASSERT_TRUE(client.conn->write(std::vector<uint8_t>(line.begin(), line.end())).ok());
  ASSERT_TRUE(client.pump_until([&] {
    return server.process().stdout_text().find("from the client after the update") !=
           std::string::npos;
  })) << server.process().output();
  // k: read key only.
  server.type("k\n");
  ASSERT_TRUE(client.pump_until([&] { return notes_with("KeyUpdate received") == 2; }))
      << server.process().output();
  server.type("after k\n");
  ASSERT_TRUE(client.read_until("after k")) << server.process().output();
  EXPECT_EQ(notes_with("KeyUpdate received; read key updated"), 1u);
  client.close();
}

// s_server asks for a certificate after the handshake (`c`; without -verify it asks for none in
// the handshake), twice: each time we answer with Certificate, CertificateVerify and Finished
// under the application key, and s_server (which checks the Finished and the signature, and
// with -verify_return_error the chain against the test root) reports the client's subject;
// data still flows afterwards.
TEST(Client13OpenSsl, PostHandshakeCertificateRequestIsAnswered) {
  ASSERT_TRUE(test::require_program("openssl"));
  S_server server({"-verify_return_error", "-CAfile", pki().ca_cert.string()});
  OurClient client;
  ASSERT_TRUE(client.connect(server, pha_client(true, true))) << server.process().output();
  EXPECT_EQ(count_out(client.observer, 11), 0u);  // no certificate during the handshake

  for (size_t round = 1; round <= 2; ++round) {
    server.type("c\n");
    ASSERT_TRUE(client.pump_until([&] { return count_out(client.observer, 20) == 1 + round; }))
        << server.process().output();
    EXPECT_EQ(count_out(client.observer, 11), round);  // Certificate
    EXPECT_EQ(count_out(client.observer, 15), round);  // CertificateVerify
    std::string line = "client data after round " + std::to_string(round) + "\n";
    ASSERT_TRUE(client.conn->write(std::vector<uint8_t>(line.begin(), line.end())).ok());
    ASSERT_TRUE(client.pump_until([&] {
      return server.process().stdout_text().find(line) != std::string::npos;
    })) << server.process().output();
  }
  EXPECT_FALSE(client.conn->failed());
  client.close();
  EXPECT_TRUE(server_said(server, "SSL_do_handshake -> 1")) << server.process().output();
  const std::string out = server.process().output();
  EXPECT_NE(out.find("depth=0 O = handshake tests, CN = hs-test-client"), std::string::npos) << out;
  EXPECT_EQ(out.find("verify error"), std::string::npos) << out;
}

// Without a certificate we answer with an empty Certificate and a Finished (RFC 8446 §4.6.2,
// no CertificateVerify); s_server, which does not insist on one, takes it and carries on.
TEST(Client13OpenSsl, PostHandshakeRequestWithoutCertificateGetsAnEmptyOne) {
  ASSERT_TRUE(test::require_program("openssl"));
  S_server server({"-CAfile", pki().ca_cert.string()});
  OurClient client;
  ASSERT_TRUE(client.connect(server, pha_client(true, false))) << server.process().output();
  server.type("c\n");
  ASSERT_TRUE(client.pump_until([&] { return count_out(client.observer, 20) == 2; }))
      << server.process().output();
  EXPECT_EQ(count_out(client.observer, 11), 1u);  // the empty Certificate
  EXPECT_EQ(count_out(client.observer, 15), 0u);  // no CertificateVerify
  server.type("after the empty certificate\n");
  ASSERT_TRUE(client.read_until("after the empty certificate")) << server.process().output();
  EXPECT_FALSE(client.conn->failed());
  client.close();
  EXPECT_TRUE(server_said(server, "SSL_do_handshake -> 1")) << server.process().output();
}

// A client that did not offer post_handshake_auth: s_server refuses to ask ("extension not
// received"), so no CertificateRequest reaches us and the connection carries on.
TEST(Client13OpenSsl, NoPostHandshakeRequestWithoutTheExtension) {
  ASSERT_TRUE(test::require_program("openssl"));
  S_server server({"-CAfile", pki().ca_cert.string()});
  OurClient client;
  ASSERT_TRUE(client.connect(server, pha_client(false, true))) << server.process().output();
  server.type("c\n");
  ASSERT_TRUE(client.pump_until([&] {
    return server.process().output().find("extension not received") != std::string::npos;
  })) << server.process().output();
  server.type("still here\n");
  ASSERT_TRUE(client.read_until("still here")) << server.process().output();
  EXPECT_EQ(count_out(client.observer, 11), 0u);
  EXPECT_FALSE(client.conn->failed());
}

// An external PSK (RFC 8446 §4.2.11) that s_server knows (-psk_identity, -psk): the handshake
// is authenticated by it, s_server sends no certificate, and data flows both ways; with
// another key s_server refuses the binder.
TEST(Client13OpenSsl, ExternalPsk) {
  ASSERT_TRUE(test::require_program("openssl"));
  const std::vector<uint8_t> identity = {'c', 'l', 'i', 'e', 'n', 't', '-', '1'};
  const std::string key_hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  std::vector<uint8_t> key;
  for (size_t i = 0; i < key_hex.size(); i += 2) {
    key.push_back(static_cast<uint8_t>(std::stoi(key_hex.substr(i, 2), nullptr, 16)));
  }
  for (bool right_key : {true, false}) {
    SCOPED_TRACE(right_key);
    S_server server({"-psk_identity", "client-1", "-psk", key_hex});
    auto config = std::make_shared<ClientConfig>();
    config->dangerous_skip_verification = false;  // no verifier: a certificate would be refused
    auto psk = std::make_shared<ExternalPsk>();
    psk->identity = identity;
    psk->key = SecretBytes(right_key ? key : std::vector<uint8_t>(32, 7));
    config->external_psk = psk;
    OurClient client;
    const bool connected = client.connect(server, config);
    if (!right_key) {
      EXPECT_FALSE(connected);
      EXPECT_TRUE(client.conn->failed());
      // s_server writes its reason after the alert has gone out.
      for (int i = 0;
           i < 100 && server.process().output().find("binder does not verify") == std::string::npos;
           ++i) {
        std::this_thread::sleep_for(50ms);
      }
      EXPECT_NE(server.process().output().find("binder does not verify"), std::string::npos)
          << server.process().output();
      continue;
    }
    ASSERT_TRUE(connected) << server.process().output();
    EXPECT_EQ(client.conn->info().psk_identity, identity);
    EXPECT_TRUE(client.conn->info().peer_chain.empty());
    EXPECT_EQ(count_out(client.observer, 11), 0u);
    server.type("hello over the PSK\n");
    ASSERT_TRUE(client.read_until("hello over the PSK")) << server.process().output();
    client.close();
  }
}

}  // namespace
}  // namespace hs::testing

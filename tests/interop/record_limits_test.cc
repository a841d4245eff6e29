// Record-layer limits against real peers on loopback: many TLS 1.3 KeyUpdates during large
// transfers with openssl in both directions (our client uploading to s_server, our server
// sending to s_client), record_size_limit (RFC 8449) between hs client and hs server (TLS 1.3 and
// 1.2) and with gnutls, which honours it, and with openssl 3.0, which ignores it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
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

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// random_file writes `n` random bytes to `path` and returns them.
std::string random_file(const std::filesystem::path& path, size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string data(n, '\0');
  for (char& c : data) {
    c = static_cast<char>(rng() & 0xFF);
  }
  std::ofstream(path, std::ios::binary) << data;
  return data;
}

// KeyUpdates counts the KeyUpdate messages a connection sends and receives.
class KeyUpdates final : public Observer {
 public:
  void on_event(const Event& event) override {
    if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
      if (m->content_type == 22 && m->handshake_type == 24) {
        ++(m->direction == Direction::out ? sent : received);
      }
    }
  }
  size_t sent = 0;
  size_t received = 0;
};

// Loopback is a non-blocking TCP connection to 127.0.0.1:port driven with poll().
class Loopback {
 public:
  explicit Loopback(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~Loopback() { ::close(fd_); }
  bool connected() const { return connected_; }
  std::string error;  // why step() last returned false

  // step flushes what `conn` has to send and feeds it what arrives within `wait`. False on a
  // transport error, end of stream or a TLS error.
  bool step(Connection& conn, std::chrono::milliseconds wait) {
    pollfd p{fd_, static_cast<short>(POLLIN | (conn.wants_write() ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) < 0) {
      error = "poll failed";
      return false;
    }
    if ((p.revents & POLLOUT) != 0) {
      auto out = conn.output();
      ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL);
      if (n > 0) {
        conn.consume_output(static_cast<size_t>(n));
      }
    }
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      uint8_t buf[65536];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        error = n == 0 ? "end of stream" : std::string("recv: ") + std::strerror(errno);
        return false;
      }
      auto r = conn.receive(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
      if (!r.ok()) {
        error = r.error().message();
        return false;
      }
    }
    return true;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class RecordLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
    pki_ = &shared_test_pki();
  }

  std::unique_ptr<HsServerProcess> start(std::vector<std::string> extra) {
    auto s = std::make_unique<HsServerProcess>(HsServerProcess::cert_args(*pki_), std::move(extra));
    EXPECT_NE(s->port(), 0) << s->process().output();
    return s;
  }

  CommandResult hs_client(std::vector<std::string> args) {
    args.insert(args.begin(),
                {hs_binary().string(), "client", "-sS", "--cacert", pki_->ca_cert.string()});
    return run_command(std::move(args), 60s);
  }

  const TestPki* pki_ = nullptr;
  TempDir dir_;
};

// Our client uploads 4 MB to openssl s_server (which prints what it reads) and rekeys after
// every 2 records it seals, so openssl must follow well over a hundred KeyUpdates mid-stream
// (OpenSSL refuses more than 32 in a row without application data between them: ours are
// interleaved). s_server -rev would echo, but it sleeps a second whenever a read returns no
// data, which every KeyUpdate record does.
TEST_F(RecordLimitsTest, OurClientRekeysManyTimesAgainstOpensslServer) {
  const uint16_t port = free_port();
  // s_server ends the connection when its standard input ends: keep it open.
  Process server({"sh", "-c",
                  "sleep 60 | openssl s_server -accept 127.0.0.1:" + std::to_string(port) +
                      " -cert '" + pki_->rsa_cert.string() + "' -key '" + pki_->rsa_key.string() +
                      "' -tls1_3 -quiet"});
  ASSERT_TRUE(server.wait_for_port(port, 10s)) << server.output();

  auto config = std::make_shared<ClientConfig>();
  config->min_version = ProtocolVersion::tls1_3;
  config->dangerous_skip_verification = true;  // the chain is not what this test is about
  config->key_update_after_records = 2;
  KeyUpdates updates;
  auto conn_r = Connection::client(config, "localhost", &updates);
  ASSERT_TRUE(conn_r.ok()) << conn_r.error().message();
  std::unique_ptr<Connection> conn = std::move(conn_r).value();
  Loopback sock(port);
  ASSERT_TRUE(sock.connected());

  std::mt19937 rng(7);
  std::string upload(4 << 20, '\0');
  for (char& c : upload) {
    c = static_cast<char>(rng() & 0xFF);
  }
  size_t pos = 0;
  const auto deadline = std::chrono::steady_clock::now() + 40s;
  while (std::chrono::steady_clock::now() < deadline &&
         (pos < upload.size() || conn->wants_write())) {
    if (conn->is_connected() && pos < upload.size() && conn->output().size() < 256 * 1024) {
      const size_t n = std::min<size_t>(16384, upload.size() - pos);
      ASSERT_TRUE(conn->write(std::span<const uint8_t>(
                                  reinterpret_cast<const uint8_t*>(upload.data()), upload.size())
                                  .subspan(pos, n))
                      .ok());
      pos += n;
    }
    ASSERT_TRUE(sock.step(*conn, 100ms)) << sock.error << "\n" << server.output();
  }
  ASSERT_EQ(pos, upload.size());
  // s_server writes what it reads to stdout as it reads it.
  while (std::chrono::steady_clock::now() < deadline &&
         server.stdout_text().size() < upload.size()) {
    (void)sock.step(*conn, 50ms);
  }
  const std::string got = server.stdout_text();
  ASSERT_EQ(got.size(), upload.size()) << server.stderr_text();
  EXPECT_TRUE(got == upload);
  // 256 full records, a KeyUpdate after every 2.
  EXPECT_GE(updates.sent, 120u);
}

// Our server rekeys after every 4 records while openssl s_client downloads 4 MB.
TEST_F(RecordLimitsTest, OurServerRekeysManyTimesAgainstOpensslClient) {
  TempDir root;
  const std::string body = random_file(root.path() / "big.bin", 4 << 20, 1);
  auto server = start({"--root", root.path().string(), "--key-update-after", "4", "-v"});
  ASSERT_NE(server->port(), 0);
  CommandResult o = run_command(
      {"openssl", "s_client", "-tls1_3", "-connect", server->connect(), "-servername", "localhost",
       "-CAfile", pki_->ca_cert.string(), "-verify_return_error", "-quiet"},
      60s, "GET /big.bin HTTP/1.0\r\n\r\n");
  ASSERT_FALSE(o.timed_out) << server->output();
  const size_t head_end = o.out.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << o.err << server->output();
  EXPECT_TRUE(contains(o.out.substr(0, head_end), " 200 ")) << o.out.substr(0, head_end);
  const std::string got = o.out.substr(head_end + 4);
  ASSERT_EQ(got.size(), body.size()) << o.err;
  EXPECT_TRUE(got == body);
  // 4 MB is 256 full records; the server's trace shows a KeyUpdate every 4.
  EXPECT_GE(count(server->process().stderr_text(), "Key update (24)"), 60u)
      << server->process().stderr_text().substr(0, 4000);
}

// hs client and hs server with small record_size_limits and frequent KeyUpdates: a 3 MB body
// crosses intact over TLS 1.3 and TLS 1.2.
TEST_F(RecordLimitsTest, HsClientAndServerWithSmallRecordSizeLimit) {
  TempDir root;
  const std::string body = random_file(root.path() / "big.bin", 3 << 20, 2);
  auto server = start(
      {"--root", root.path().string(), "--record-size-limit", "300", "--key-update-after", "50"});
  ASSERT_NE(server->port(), 0);
  for (const char* version : {"1.3", "1.2"}) {
    SCOPED_TRACE(version);
    const std::filesystem::path out = dir_.path() / (std::string("out") + version);
    CommandResult c =
        hs_client({"--tls-max", version, "--record-size-limit", "256", "--key-update-after", "3",
                   "-o", out.string(), "--resolve", server->resolve(), server->url("/big.bin")});
    ASSERT_EQ(c.exit_code, 0) << c.output() << server->output();
    EXPECT_TRUE(read_file(out) == body);
  }
  // Limits below RFC 8449's 64 are refused before connecting.
  CommandResult bad = hs_client(
      {"--record-size-limit", "63", "--resolve", server->resolve(), server->url("/big.bin")});
  EXPECT_NE(bad.exit_code, 0) << bad.output();
}

// gnutls honours record_size_limit (values of 512 and more; gnutls 3.7 ignores smaller ones):
// gnutls-serv answers our 512 and keeps its records within it (we would fail with
// record_overflow otherwise), and gnutls-cli --recordsize accepts our server's handshake flight
// cut to its limit.
TEST_F(RecordLimitsTest, GnutlsHonoursTheLimitBothWays) {
  ASSERT_TRUE(require_program("gnutls-serv"));
  ASSERT_TRUE(require_program("gnutls-cli"));
  const uint16_t port = free_port();
  Process gserv({"gnutls-serv", "--http", "-a", "-p", std::to_string(port), "--recordsize", "512",
                 "--x509certfile", pki_->rsa_cert.string(), "--x509keyfile",
                 pki_->rsa_key.string()});
  ASSERT_TRUE(gserv.wait_for_port(port, 10s)) << gserv.output();
  const std::string resolve = "localhost:" + std::to_string(port) + ":127.0.0.1";
  const std::string url = "https://localhost:" + std::to_string(port) + "/";
  for (const char* version : {"1.3", "1.2"}) {
    SCOPED_TRACE(version);
    CommandResult c = hs_client(
        {"-vv", "--tls-max", version, "--record-size-limit", "512", "--resolve", resolve, url});
    EXPECT_EQ(c.exit_code, 0) << c.output();
    // gnutls adds the inner content type byte under TLS 1.3 (512 + 1).
    const std::string theirs = std::string(version) == "1.3" ? "513" : "512";
    EXPECT_TRUE(contains(c.err, "record_size_limit: the server's is " + theirs + ", ours 512"))
        << c.err;
    EXPECT_FALSE(c.out.empty());
  }

  auto server = start({});
  ASSERT_NE(server->port(), 0);
  for (const char* priority : {"NORMAL:-VERS-ALL:+VERS-TLS1.3", "NORMAL:-VERS-ALL:+VERS-TLS1.2"}) {
    SCOPED_TRACE(priority);
    CommandResult g = run_command(
        {"gnutls-cli", "--x509cafile", pki_->ca_cert.string(), "-p", std::to_string(server->port()),
         "--recordsize", "512", "--priority", priority, "localhost"},
        20s);
    EXPECT_EQ(g.exit_code, 0) << g.output();
    EXPECT_TRUE(contains(g.out, "Handshake was completed")) << g.output();
  }
}

// openssl 3.0 does not implement RFC 8449: it ignores our offer, and the handshake and the
// transfer go on with full-size records.
TEST_F(RecordLimitsTest, OpensslIgnoresTheOffer) {
  const uint16_t port = free_port();
  Process server({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
                  pki_->rsa_cert.string(), "-key", pki_->rsa_key.string(), "-www"});
  ASSERT_TRUE(server.wait_for_port(port, 10s)) << server.output();
  const std::string resolve = "localhost:" + std::to_string(port) + ":127.0.0.1";
  for (const char* version : {"1.3", "1.2"}) {
    CommandResult c = hs_client({"--tls-max", version, "--record-size-limit", "64", "--resolve",
                                 resolve, "https://localhost:" + std::to_string(port) + "/"});
    EXPECT_EQ(c.exit_code, 0) << c.output() << server.output();
    EXPECT_TRUE(contains(c.out, "Ciphers supported in s_server binary")) << c.output();
  }
}

}  // namespace
}  // namespace hs::test

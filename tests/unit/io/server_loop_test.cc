// ServerLoop's close: a connection it ends (fatal alert or close_notify) keeps its socket
// reading until the peer's end of stream (ServerLoopOptions::linger), so what the peer sends
// after our last record is dropped instead of answered with a reset.
#include "io/server_loop.h"

#include <gtest/gtest.h>
#include <hs/config.h>
#include <hs/signer.h>
#include <hs/stream.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "crypto/signature.h"
#include "unit/handshake/common/test_certs.h"

namespace hs::testing {
namespace {

using namespace std::chrono_literals;

class NullHandler : public io::ServerHandler {
 public:
  void on_data(io::ServerSession& /*session*/, std::span<const uint8_t> /*data*/) override {}
};

// Outcome of bytes a client sends after the server's alert and end of stream.
enum class Outcome { acknowledged, reset };

// RunningLoop is a ServerLoop with `options` serving an ECDSA certificate on a thread.
class RunningLoop {
 public:
  explicit RunningLoop(io::ServerLoopOptions options) {
    auto config = std::make_shared<ServerConfig>();
    auto cert = load_server_certificate(kEcdsaCertPem, kEcdsaKeyPem);
    EXPECT_TRUE(cert.ok());
    config->certificates.push_back(std::move(cert).value());
    auto loop = io::ServerLoop::create("127.0.0.1", 0, config, handler_, options);
    EXPECT_TRUE(loop.ok());
    loop_ = std::move(loop).value();
    thread_ = std::thread([this] { (void)loop_->run(); });
  }
  ~RunningLoop() {
    loop_->request_stop();
    thread_.join();
  }
  RunningLoop(const RunningLoop&) = delete;
  RunningLoop& operator=(const RunningLoop&) = delete;
  uint16_t port() const { return loop_->port(); }

 private:
  NullHandler handler_;
  std::unique_ptr<io::ServerLoop> loop_;
  std::thread thread_;
};

// loopback_socket is a TCP socket connected to 127.0.0.1:`port`.
int loopback_socket(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  return fd;
}

// refused_client connects to `port`, sends a record the server refuses with a fatal alert, and
// reads the alert and the server's end of stream; it returns the socket.
int refused_client(uint16_t port) {
  int fd = loopback_socket(port);
  // A handshake record holding an empty ServerHello: unexpected_message.
  const std::array<uint8_t, 9> hello = {22, 3, 1, 0, 4, 2, 0, 0, 0};
  EXPECT_EQ(::send(fd, hello.data(), hello.size(), 0), 9);
  std::vector<uint8_t> got(64);
  size_t have = 0;
  for (ssize_t n = 1; n > 0 && have < got.size();) {
    n = ::recv(fd, got.data() + have, got.size() - have, 0);
    have += n > 0 ? static_cast<size_t>(n) : 0;
  }
  // The alert, then the end of stream (the loop above stopped at recv() == 0).
  EXPECT_EQ(have, 7u);
  EXPECT_EQ(got[0], 21);
  EXPECT_EQ(got[5], 2);   // fatal
  EXPECT_EQ(got[6], 10);  // unexpected_message
  return fd;
}

// late_bytes sends more bytes on `fd` (as the rest of a client's flight arrives after the
// server's alert) and waits until the server's kernel either acknowledged them or reset the
// connection.
Outcome late_bytes(int fd) {
  const std::vector<uint8_t> rest(200, 0x16);
  EXPECT_EQ(::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL), 200);
  for (auto deadline = std::chrono::steady_clock::now() + 20s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(1ms)) {
    tcp_info info{};
    socklen_t len = sizeof(info);
    EXPECT_EQ(::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len), 0);
    if (info.tcpi_state == TCP_CLOSE) {
      return Outcome::reset;
    }
    if (info.tcpi_state == TCP_CLOSE_WAIT && info.tcpi_unacked == 0) {
      return Outcome::acknowledged;
    }
  }
  return Outcome::reset;
}

Outcome send_after_close(io::ServerLoopOptions options) {
  RunningLoop loop(options);
  int fd = refused_client(loop.port());
  Outcome outcome = late_bytes(fd);
  ::close(fd);
  return outcome;
}

TEST(ServerLoop, LingersAfterAFatalAlertSoThePeerCanReadIt) {
  io::ServerLoopOptions options;
  options.linger = 60s;
  EXPECT_EQ(send_after_close(options), Outcome::acknowledged);
}

// The same without lingering: the kernel answers the late bytes with a reset, which is what
// made JSSE report "Broken pipe" instead of our handshake_failure.
TEST(ServerLoop, WithoutLingerLateBytesAreReset) {
  io::ServerLoopOptions options;
  options.linger = 0s;
  EXPECT_EQ(send_after_close(options), Outcome::reset);
}

// Lingering sockets are bounded by max_connections: with one allowed, the first refused
// connection lingers and the second, refused while the first still lingers, is closed at once.
TEST(ServerLoop, LingeringSocketsAreBoundedByMaxConnections) {
  io::ServerLoopOptions options;
  options.linger = 60s;
  options.max_connections = 1;
  RunningLoop loop(options);
  int first = refused_client(loop.port());
  int second = refused_client(loop.port());
  EXPECT_EQ(late_bytes(first), Outcome::acknowledged);
  EXPECT_EQ(late_bytes(second), Outcome::reset);
  ::close(first);
  ::close(second);
}

}  // namespace
}  // namespace hs::testing

namespace hs::testing {
namespace {

// SigningHandler answers on_signature_request from another thread, as a signing service would:
// the signature reaches the loop through ServerLoop::provide_signature.
class SigningHandler : public io::ServerHandler {
 public:
  explicit SigningHandler(std::shared_ptr<const crypto::PrivateKey> key) : key_(std::move(key)) {}
  ~SigningHandler() override {
    for (std::thread& t : workers_) {
      t.join();
    }
  }
  void on_data(io::ServerSession& /*session*/, std::span<const uint8_t> /*data*/) override {}
  void on_signature_request(io::ServerSession& session, const SignatureRequest& request) override {
    ++requests;
    workers_.emplace_back([this, id = session.id(), request] {
      std::this_thread::sleep_for(50ms);  // the service takes its time
      auto sig = key_->sign(*crypto::scheme_algorithm(request.scheme), request.message);
      loop->provide_signature(id, sig.ok() ? std::move(sig).value() : std::vector<uint8_t>{});
    });
  }

  io::ServerLoop* loop = nullptr;
  int requests = 0;

 private:
  std::shared_ptr<const crypto::PrivateKey> key_;
  std::vector<std::thread> workers_;
};

// handshake_with runs a ServerLoop serving the ECDSA test certificate with its key offloaded,
// and one client handshake against it; it returns the client's result.
Result<void> handshake_with(io::ServerHandler& handler, io::ServerLoop** loop_out) {
  auto cert = load_server_certificate(kEcdsaCertPem, kEcdsaKeyPem);
  EXPECT_TRUE(cert.ok());
  auto offloaded =
      certified_key_for_offload(cert->chain, {SignatureScheme::ecdsa_secp256r1_sha256});
  EXPECT_TRUE(offloaded.ok());
  auto config = std::make_shared<ServerConfig>();
  config->certificates.push_back(std::move(offloaded).value());
  auto loop = io::ServerLoop::create("127.0.0.1", 0, config, handler);
  EXPECT_TRUE(loop.ok());
  if (loop_out != nullptr) {
    *loop_out = loop->get();
  }
  std::thread thread([&] { (void)(*loop)->run(); });
  auto client_config = std::make_shared<ClientConfig>();
  client_config->dangerous_skip_verification = true;
  Result<void> result = ok_result();
  auto stream = Stream::connect("127.0.0.1", (*loop)->port(), client_config);
  if (!stream.ok()) {
    result = stream.error();
  } else {
    result = stream->handshake(10s);
  }
  (*loop)->request_stop();
  thread.join();
  return result;
}

TEST(ServerLoop, AnOffloadedSignatureComesBackFromAnotherThread) {
  auto cert = load_server_certificate(kEcdsaCertPem, kEcdsaKeyPem);
  ASSERT_TRUE(cert.ok());
  SigningHandler handler(cert->key);
  // handler.loop is set before run() starts, so the worker threads see it.
  auto r = handshake_with(handler, &handler.loop);
  EXPECT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(handler.requests, 1);
}

// A handler that does not sign (the default on_signature_request) fails the handshake at once
// with internal_error instead of leaving the client waiting for the handshake timeout.
TEST(ServerLoop, WithoutASigningHandlerTheHandshakeFailsWithInternalError) {
  NullHandler handler;
  auto r = handshake_with(handler, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::peer_alert) << r.error().message();
  EXPECT_EQ(r.error().received_alert(), AlertDescription::internal_error);
}

// ---- ServerLoopOptions::config_for_client ----

// CountingHandler counts what the handler hears.
class CountingHandler : public io::ServerHandler {
 public:
  void on_accept(io::ServerSession& /*session*/) override { ++accepted; }
  void on_data(io::ServerSession& /*session*/, std::span<const uint8_t> /*data*/) override {}
  void on_close(io::ServerSession& /*session*/, const Error* /*error*/) override { ++closed; }
  std::atomic<int> accepted{0};
  std::atomic<int> closed{0};
};

TEST(ServerLoop, EachClientIsServedWithTheConfigurationItsHelloChose) {
  auto rsa = load_server_certificate(kRsaCertPem, kRsaKeyPem);
  auto ecdsa = load_server_certificate(kEcdsaCertPem, kEcdsaKeyPem);
  ASSERT_TRUE(rsa.ok() && ecdsa.ok());
  auto rsa_config = std::make_shared<ServerConfig>();
  rsa_config->certificates = {*rsa};
  auto ecdsa_config = std::make_shared<ServerConfig>();  // the loop's own
  ecdsa_config->certificates = {*ecdsa};
  std::vector<std::string> asked;  // the server names seen, on the loop's thread
  io::ServerLoopOptions options;
  options.config_for_client = [&](uint64_t /*session_id*/,
                                  const ClientHelloInfo& hello) -> io::ConfigChoice {
    asked.push_back(hello.server_name);
    return hello.server_name == "rsa.example" ? rsa_config : nullptr;
  };
  CountingHandler handler;
  auto loop = io::ServerLoop::create("127.0.0.1", 0, ecdsa_config, handler, options);
  ASSERT_TRUE(loop.ok());
  std::thread thread([&] { (void)(*loop)->run(); });

  auto client_config = std::make_shared<ClientConfig>();
  client_config->dangerous_skip_verification = true;
  for (const auto& [name, leaf] :
       {std::pair{"rsa.example", rsa->chain[0]}, std::pair{"other.example", ecdsa->chain[0]}}) {
    SCOPED_TRACE(name);
    auto stream =
        Stream::client(loopback_socket((*loop)->port()), client_config, name, FdOwnership::owned);
    ASSERT_TRUE(stream.ok());
    auto r = stream->handshake(10s);
    ASSERT_TRUE(r.ok()) << r.error().message();
    const auto& chain = stream->connection().info().peer_chain;
    ASSERT_FALSE(chain.empty());
    EXPECT_EQ(chain[0], leaf);
  }
  // A malformed first flight gets the Acceptor's alert and never reaches the handler.
  ::close(refused_client((*loop)->port()));
  (*loop)->request_stop();
  thread.join();
  EXPECT_EQ(asked, (std::vector<std::string>{"rsa.example", "other.example"}));
  EXPECT_EQ(handler.accepted.load(), 2);
  EXPECT_EQ(handler.closed.load(), 2);
}

// A configuration decided later (a certificate fetched from a store): the loop keeps the client
// waiting and serves it once provide_config brings the configuration from another thread; one
// for a session that asked for none is dropped.
TEST(ServerLoop, AConfigurationDecidedLaterComesBackFromAnotherThread) {
  auto ecdsa = load_server_certificate(kEcdsaCertPem, kEcdsaKeyPem);
  auto rsa = load_server_certificate(kRsaCertPem, kRsaKeyPem);
  ASSERT_TRUE(ecdsa.ok() && rsa.ok());
  auto loop_config = std::make_shared<ServerConfig>();
  loop_config->certificates = {*ecdsa};
  auto fetched = std::make_shared<ServerConfig>();
  fetched->certificates = {*rsa};
  io::ServerLoop* loop_ptr = nullptr;
  std::vector<std::thread> fetchers;
  io::ServerLoopOptions options;
  options.config_for_client = [&](uint64_t id, const ClientHelloInfo&) {
    fetchers.emplace_back([&, id] {
      std::this_thread::sleep_for(50ms);             // the store takes its time
      loop_ptr->provide_config(id + 1000, fetched);  // no such session: dropped
      loop_ptr->provide_config(id, fetched);
    });
    return io::ConfigChoice::decide_later();
  };
  CountingHandler handler;
  auto loop = io::ServerLoop::create("127.0.0.1", 0, loop_config, handler, options);
  ASSERT_TRUE(loop.ok());
  loop_ptr = loop->get();
  std::thread thread([&] { (void)(*loop)->run(); });
  auto client_config = std::make_shared<ClientConfig>();
  client_config->dangerous_skip_verification = true;
  auto stream = Stream::client(loopback_socket((*loop)->port()), client_config, "later.example",
                               FdOwnership::owned);
  ASSERT_TRUE(stream.ok());
  auto r = stream->handshake(10s);
  (*loop)->request_stop();
  thread.join();
  for (std::thread& t : fetchers) {
    t.join();
  }
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(stream->connection().info().peer_chain.at(0), rsa->chain[0]);
  EXPECT_EQ(fetchers.size(), 1u);
  EXPECT_EQ(handler.accepted.load(), 1);
}

}  // namespace
}  // namespace hs::testing

// hs::Stream (src/io/stream.cc) over a loopback TCP connection: what a blocking write reports
// when the peer has sent its fatal alert and reset the connection.
#include <gtest/gtest.h>
#include <hs/config.h>
#include <hs/signer.h>
#include <hs/stream.h>
#include <hs/x509.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <thread>

#include "support/pki.h"

namespace hs {
namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::shared_ptr<CertificateVerifier> verifier(const std::filesystem::path& ca,
                                              CertificatePurpose purpose) {
  TrustOptions trust;
  trust.ca_file = ca.string();
  trust.use_system_default = false;
  trust.purpose = purpose;
  auto v = make_default_verifier(trust);
  EXPECT_TRUE(v.ok()) << v.error().message();
  return v.ok() ? *v : nullptr;
}

// A TLS 1.3 client is done with its handshake once it has sent its Finished; the server judges
// the client's (here: missing) certificate after that (RFC 8446 4.4.2.4), sends
// certificate_required and closes. A server that closes with our records unread (NSS's
// selfserv; SO_LINGER 0 here) resets the connection, so the client's next send fails while the
// alert waits in its socket. write() reads it and reports the alert, not "Connection reset".
TEST(Stream, WriteAfterPeerResetReportsTheAlertItSent) {
  const test::TestPki& pki = test::shared_test_pki();
  auto server_config = std::make_shared<ServerConfig>();
  auto cert = load_server_certificate(read_text(pki.ecdsa_cert), read_text(pki.ecdsa_key));
  ASSERT_TRUE(cert.ok()) << cert.error().message();
  server_config->certificates.push_back(std::move(*cert));
  server_config->client_auth = ClientAuth::require;
  server_config->client_verifier = verifier(pki.ca_cert, CertificatePurpose::client);
  auto client_config = std::make_shared<ClientConfig>();
  client_config->min_version = ProtocolVersion::tls1_3;
  client_config->verifier = verifier(pki.ca_cert, CertificatePurpose::server);

  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);

  std::optional<Error> server_error;
  std::thread server([&] {
    int fd = ::accept(listener, nullptr, nullptr);
    auto stream = Stream::server(fd, server_config, FdOwnership::borrowed);
    if (stream.ok()) {
      auto r = stream->handshake(std::chrono::seconds(10));
      if (!r.ok()) {
        server_error = r.error();
      }
    }
    // Close with a reset, as a peer does that leaves our records unread, once the alert has
    // left (a reset drops what is still queued to send).
    for (int i = 0, queued = 1; i < 1000 && queued > 0; ++i) {
      if (::ioctl(fd, SIOCOUTQ, &queued) != 0) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    linger reset{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    ::close(fd);
  });

  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  auto client = Stream::client(fd, client_config, "localhost", FdOwnership::owned);
  ASSERT_TRUE(client.ok()) << client.error().message();
  auto handshake = client->handshake(std::chrono::seconds(10));
  server.join();
  ::close(listener);
  ASSERT_TRUE(handshake.ok()) << handshake.error().message();
  ASSERT_TRUE(server_error.has_value());
  EXPECT_EQ(server_error->code(), ErrorCode::certificate_required) << server_error->message();

  const std::string request = "GET / HTTP/1.1\r\n\r\n";
  auto w = client->write(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(request.data()), request.size()));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code(), ErrorCode::peer_alert) << w.error().message();
  EXPECT_EQ(w.error().received_alert(), AlertDescription::certificate_required)
      << w.error().message();
}

// A blocking server Stream cannot wait for an offloaded key's signature (nobody would provide
// it): its handshake fails at once with internal_error, which the client receives, instead of
// both sides waiting for their timeouts.
TEST(Stream, ServerWithAnOffloadedKeyFailsAtOnce) {
  const test::TestPki& pki = test::shared_test_pki();
  auto cert = load_server_certificate(read_text(pki.ecdsa_cert), read_text(pki.ecdsa_key));
  ASSERT_TRUE(cert.ok()) << cert.error().message();
  auto offloaded =
      certified_key_for_offload(cert->chain, {SignatureScheme::ecdsa_secp256r1_sha256});
  ASSERT_TRUE(offloaded.ok()) << offloaded.error().message();
  auto server_config = std::make_shared<ServerConfig>();
  server_config->certificates.push_back(std::move(offloaded).value());
  auto client_config = std::make_shared<ClientConfig>();
  client_config->dangerous_skip_verification = true;

  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  std::optional<Error> server_error;
  std::thread server([&] {
    auto stream = Stream::server(fds[1], server_config, FdOwnership::owned);
    ASSERT_TRUE(stream.ok());
    auto r = stream->handshake(std::chrono::seconds(10));
    if (!r.ok()) {
      server_error = r.error();
    }
  });
  auto client = Stream::client(fds[0], client_config, "localhost", FdOwnership::owned);
  ASSERT_TRUE(client.ok()) << client.error().message();
  const auto t0 = std::chrono::steady_clock::now();
  auto handshake = client->handshake(std::chrono::seconds(10));
  server.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  ASSERT_FALSE(handshake.ok());
  EXPECT_EQ(handshake.error().code(), ErrorCode::peer_alert) << handshake.error().message();
  EXPECT_EQ(handshake.error().received_alert(), AlertDescription::internal_error);
  ASSERT_TRUE(server_error.has_value());
  EXPECT_EQ(server_error->code(), ErrorCode::internal_error);
  EXPECT_NE(server_error->message().find("offloaded"), std::string::npos)
      << server_error->message();
}

// Stream::accept: the blocking server that picks its configuration per client.
class StreamAccept : public ::testing::Test {
 protected:
  void SetUp() override {
    const test::TestPki& pki = test::shared_test_pki();
    auto rsa = load_server_certificate(read_text(pki.rsa_cert), read_text(pki.rsa_key));
    auto ecdsa = load_server_certificate(read_text(pki.ecdsa_cert), read_text(pki.ecdsa_key));
    ASSERT_TRUE(rsa.ok() && ecdsa.ok());
    rsa_leaf = rsa->chain[0];
    ecdsa_leaf = ecdsa->chain[0];
    rsa_config = std::make_shared<ServerConfig>();
    rsa_config->certificates = {std::move(rsa).value()};
    ecdsa_config = std::make_shared<ServerConfig>();
    ecdsa_config->certificates = {std::move(ecdsa).value()};
    client_config = std::make_shared<ClientConfig>();
    client_config->dangerous_skip_verification = true;
  }

  // run connects a client for `name` to a Stream::accept server choosing with `choose`; it
  // returns the client's handshake result and leaves the server's in server_result.
  Result<void> run(const std::string& name, const Stream::ConfigChooser& choose) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    std::thread server([&] {
      auto stream = Stream::accept(fds[1], choose, FdOwnership::owned, std::chrono::seconds(10));
      if (!stream.ok()) {
        server_result = stream.error();
        return;
      }
      server_result = stream->handshake(std::chrono::seconds(10));
      if (server_result.ok()) {
        server_name = stream->connection().info().server_name;
        (void)stream->shutdown();
      }
    });
    auto client = Stream::client(fds[0], client_config, name, FdOwnership::owned);
    EXPECT_TRUE(client.ok());
    Result<void> r = client->handshake(std::chrono::seconds(10));
    if (r.ok()) {
      served_leaf = client->connection().info().peer_chain.at(0);
    }
    server.join();
    return r;
  }

  CertificateDer rsa_leaf, ecdsa_leaf, served_leaf;
  std::shared_ptr<ServerConfig> rsa_config, ecdsa_config;
  std::shared_ptr<ClientConfig> client_config;
  Result<void> server_result = ok_result();
  std::string server_name;
};

TEST_F(StreamAccept, EachNameGetsTheCertificateChosenForIt) {
  auto choose = [&](const ClientHelloInfo& hello) -> std::shared_ptr<const ServerConfig> {
    return hello.server_name == "rsa.example" ? rsa_config : ecdsa_config;
  };
  for (const auto& [name, leaf] :
       {std::pair{"rsa.example", &rsa_leaf}, std::pair{"ecdsa.example", &ecdsa_leaf}}) {
    SCOPED_TRACE(name);
    auto r = run(name, choose);
    ASSERT_TRUE(r.ok()) << r.error().message();
    ASSERT_TRUE(server_result.ok()) << server_result.error().message();
    EXPECT_EQ(server_name, name);
    EXPECT_EQ(served_leaf, *leaf);
  }
}

TEST_F(StreamAccept, NoConfigurationForTheClientIsInvalidConfig) {
  // Nothing is sent: the client sees the connection closed during its handshake.
  auto r = run("unknown.example", [](const ClientHelloInfo&) { return nullptr; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::truncated) << r.error().message();
  ASSERT_FALSE(server_result.ok());
  EXPECT_EQ(server_result.error().code(), ErrorCode::invalid_config);
}

TEST_F(StreamAccept, AHelloTheChosenConfigurationRefusesGetsItsAlert) {
  // The client offers only TLS 1.3; the configuration chosen serves TLS 1.2 only.
  auto tls12_only = std::make_shared<ServerConfig>(*rsa_config);
  tls12_only->max_version = ProtocolVersion::tls1_2;
  client_config->min_version = ProtocolVersion::tls1_3;
  auto r = run("old.example", [&](const ClientHelloInfo&) { return tls12_only; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::peer_alert) << r.error().message();
  EXPECT_EQ(r.error().received_alert(), AlertDescription::protocol_version);
  ASSERT_FALSE(server_result.ok());
  EXPECT_EQ(server_result.error().code(), ErrorCode::protocol_version);
}

TEST_F(StreamAccept, AMalformedFirstFlightGetsTheAcceptorsAlert) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};  // a ChangeCipherSpec before any ClientHello
  ASSERT_EQ(::send(fds[0], ccs, sizeof(ccs), 0), 6);
  auto stream = Stream::accept(
      fds[1], [&](const ClientHelloInfo&) { return rsa_config; }, FdOwnership::owned,
      std::chrono::seconds(10));
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.error().code(), ErrorCode::unexpected_message);
  uint8_t alert[16] = {};
  ASSERT_EQ(::recv(fds[0], alert, sizeof(alert), 0), 7);
  EXPECT_EQ(alert[0], 21);
  EXPECT_EQ(alert[5], 2);   // fatal
  EXPECT_EQ(alert[6], 10);  // unexpected_message
  // The owned socket is closed: the client reads its end of stream.
  EXPECT_EQ(::recv(fds[0], alert, sizeof(alert), 0), 0);
  ::close(fds[0]);
}

}  // namespace
}  // namespace hs

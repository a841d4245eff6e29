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

}  // namespace
}  // namespace hs

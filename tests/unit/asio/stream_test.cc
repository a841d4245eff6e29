// hs::asio::stream over real loopback TCP sockets: an echo server and many concurrent clients
// on one io_context, over TLS 1.3 and TLS 1.2, with the test PKI. Both ends are ours; the
// interop tests check the same handshakes against OpenSSL and GnuTLS.
#include <gtest/gtest.h>
#include <hs/acceptor.h>
#include <hs/asio/accept.h>
#include <hs/asio/stream.h>
#include <hs/config.h>
#include <hs/connection.h>
#include <hs/signer.h>
#include <hs/x509.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/pki.h"

namespace hs {
namespace {

using tcp = ::asio::ip::tcp;
using TlsStream = hs::asio::stream<tcp::socket>;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::shared_ptr<ServerConfig> server_config() {
  const test::TestPki& pki = test::shared_test_pki();
  auto config = std::make_shared<ServerConfig>();
  for (auto [cert, key] : {std::pair{pki.ecdsa_cert, pki.ecdsa_key}, {pki.rsa_cert, pki.rsa_key}}) {
    auto loaded = load_server_certificate(read_text(cert), read_text(key));
    EXPECT_TRUE(loaded.ok()) << loaded.error().message();
    if (loaded.ok()) {
      config->certificates.push_back(std::move(*loaded));
    }
  }
  return config;
}

std::shared_ptr<ClientConfig> client_config(ProtocolVersion max, const std::string& ca_file) {
  TrustOptions trust;
  trust.ca_file = ca_file;
  trust.use_system_default = false;
  auto verifier = make_default_verifier(trust);
  EXPECT_TRUE(verifier.ok()) << verifier.error().message();
  auto config = std::make_shared<ClientConfig>();
  config->max_version = max;
  if (verifier.ok()) {
    config->verifier = *verifier;
  }
  return config;
}

// message makes a recognisable payload larger than one record, so echoes cross records.
std::string message(int client) {
  std::string text = "client " + std::to_string(client) + ": ";
  while (text.size() < 20000) {
    text += static_cast<char>('a' + (text.size() + static_cast<size_t>(client)) % 26);
  }
  return text;
}

struct EchoResults {
  int handshakes = 0;
  int echoed = 0;
  int clean_shutdowns = 0;
  int server_sessions_closed = 0;
  std::vector<std::string> errors;
  std::vector<ProtocolVersion> versions;
};

// serve_one echoes until the client's close_notify, then answers it with ours.
::asio::awaitable<void> serve_one(TlsStream tls, EchoResults& results) {
  std::error_code ec;
  auto token = ::asio::redirect_error(::asio::use_awaitable, ec);
  co_await tls.async_handshake(TlsStream::server, token);
  if (ec) {
    results.errors.push_back("server handshake: " + ec.message());
    co_return;
  }
  std::vector<uint8_t> buf(8192);
  for (;;) {
    size_t n = co_await tls.async_read_some(::asio::buffer(buf), token);
    if (ec == ::asio::error::eof) {
      break;
    }
    if (ec) {
      results.errors.push_back("server read: " + ec.message());
      co_return;
    }
    co_await ::asio::async_write(tls, ::asio::buffer(buf.data(), n), token);
    if (ec) {
      results.errors.push_back("server write: " + ec.message());
      co_return;
    }
  }
  co_await tls.async_shutdown(token);
  if (ec) {
    results.errors.push_back("server shutdown: " + ec.message());
    co_return;
  }
  ++results.server_sessions_closed;
}

::asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::shared_ptr<ServerConfig> config,
                                    int expected, EchoResults& results) {
  for (int i = 0; i < expected; ++i) {
    tcp::socket socket = co_await acceptor.async_accept(::asio::use_awaitable);
    auto conn = Connection::server(config);
    if (!conn.ok()) {
      results.errors.push_back("server: " + conn.error().message());
      co_return;
    }
    ::asio::co_spawn(acceptor.get_executor(),
                     serve_one(TlsStream(std::move(*conn), std::move(socket)), results),
                     ::asio::detached);
  }
}

::asio::awaitable<void> run_client(int id, uint16_t port, std::shared_ptr<ClientConfig> config,
                                   EchoResults& results) {
  auto executor = co_await ::asio::this_coro::executor;
  auto conn = Connection::client(config, "localhost");
  if (!conn.ok()) {
    results.errors.push_back("client: " + conn.error().message());
    co_return;
  }
  TlsStream tls(std::move(*conn), executor);
  std::error_code ec;
  auto token = ::asio::redirect_error(::asio::use_awaitable, ec);
  co_await tls.next_layer().async_connect({::asio::ip::address_v4::loopback(), port}, token);
  if (ec) {
    results.errors.push_back("connect: " + ec.message());
    co_return;
  }
  co_await tls.async_handshake(TlsStream::client, token);
  if (ec) {
    results.errors.push_back("client handshake: " + ec.message());
    co_return;
  }
  ++results.handshakes;
  results.versions.push_back(*tls.connection().info().version);

  const std::string sent = message(id);
  co_await ::asio::async_write(tls, ::asio::buffer(sent), token);
  if (ec) {
    results.errors.push_back("client write: " + ec.message());
    co_return;
  }
  std::string got(sent.size(), '\0');
  co_await ::asio::async_read(tls, ::asio::buffer(got), token);
  if (ec) {
    results.errors.push_back("client read: " + ec.message());
    co_return;
  }
  if (got == sent) {
    ++results.echoed;
  }
  co_await tls.async_shutdown(token);
  if (ec) {
    results.errors.push_back("client shutdown: " + ec.message());
    co_return;
  }
  ++results.clean_shutdowns;
}

EchoResults run_echo(ProtocolVersion max, int clients) {
  EchoResults results;
  ::asio::io_context io;
  tcp::acceptor acceptor(io, {::asio::ip::address_v4::loopback(), 0});
  const uint16_t port = acceptor.local_endpoint().port();
  ::asio::co_spawn(io, accept_loop(acceptor, server_config(), clients, results), ::asio::detached);
  auto config = client_config(max, test::shared_test_pki().ca_cert.string());
  for (int i = 0; i < clients; ++i) {
    ::asio::co_spawn(io, run_client(i, port, config, results), ::asio::detached);
  }
  io.run_for(std::chrono::seconds(60));
  return results;
}

class AsioEcho : public ::testing::TestWithParam<ProtocolVersion> {};

TEST_P(AsioEcho, ManyConcurrentStreamsEchoAndShutDownCleanly) {
  constexpr int kClients = 40;
  EchoResults r = run_echo(GetParam(), kClients);
  for (const std::string& e : r.errors) {
    ADD_FAILURE() << e;
  }
  EXPECT_EQ(r.handshakes, kClients);
  EXPECT_EQ(r.echoed, kClients);
  EXPECT_EQ(r.clean_shutdowns, kClients);
  EXPECT_EQ(r.server_sessions_closed, kClients);
  for (ProtocolVersion v : r.versions) {
    EXPECT_EQ(v, GetParam());
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, AsioEcho,
                         ::testing::Values(ProtocolVersion::tls1_3, ProtocolVersion::tls1_2),
                         [](const auto& p) {
                           return p.param == ProtocolVersion::tls1_3 ? "tls13" : "tls12";
                         });

// spawn_client_handshake starts one client handshake to `port` on `io`; when it completes, `ec`
// and `last_error` hold what the stream reported.
void spawn_client_handshake(::asio::io_context& io, uint16_t port,
                            std::shared_ptr<const ClientConfig> config, std::error_code& ec,
                            std::optional<Error>& last_error) {
  ::asio::co_spawn(
      io,
      [&io, port, config, &ec, &last_error]() -> ::asio::awaitable<void> {
        auto conn = Connection::client(config, "localhost");
        TlsStream tls(std::move(*conn), io);
        co_await tls.next_layer().async_connect({::asio::ip::address_v4::loopback(), port},
                                                ::asio::use_awaitable);
        co_await tls.async_handshake(TlsStream::client,
                                     ::asio::redirect_error(::asio::use_awaitable, ec));
        last_error = tls.last_error();
      },
      ::asio::detached);
}

// A client that does not trust the server's CA fails the handshake with the verifier's error,
// in the hs error category, and sends its alert: the server's handshake fails too.
TEST(AsioStream, UntrustedServerFailsHandshakeWithHsErrorOnBothEnds) {
  EchoResults server_side;
  ::asio::io_context io;
  tcp::acceptor acceptor(io, {::asio::ip::address_v4::loopback(), 0});
  const uint16_t port = acceptor.local_endpoint().port();
  ::asio::co_spawn(io, accept_loop(acceptor, server_config(), 1, server_side), ::asio::detached);

  // The client trusts only the client certificate's file: not a CA of the server's chain.
  auto config =
      client_config(ProtocolVersion::tls1_3, test::shared_test_pki().client_cert.string());
  std::error_code handshake_ec;
  std::optional<Error> last_error;
  spawn_client_handshake(io, port, config, handshake_ec, last_error);
  io.run_for(std::chrono::seconds(30));

  ASSERT_TRUE(handshake_ec);
  EXPECT_EQ(&handshake_ec.category(), &hs::asio::error_category());
  ASSERT_TRUE(last_error.has_value());
  EXPECT_EQ(handshake_ec.value(), static_cast<int>(last_error->code()));
  EXPECT_EQ(last_error->code(), ErrorCode::unknown_ca) << last_error->message();
  ASSERT_EQ(server_side.errors.size(), 1u);
  EXPECT_NE(server_side.errors[0].find("server handshake"), std::string::npos)
      << server_side.errors[0];
  EXPECT_EQ(server_side.server_sessions_closed, 0);
}

// A server whose key is offloaded (certified_key_for_offload) needs its application to sign;
// hs::asio::stream cannot, so the handshake fails at once with internal_error on both ends
// instead of hanging.
TEST(AsioStream, OffloadedKeyFailsTheServerHandshakeWithInternalError) {
  const test::TestPki& pki = test::shared_test_pki();
  auto cert = load_server_certificate(read_text(pki.ecdsa_cert), read_text(pki.ecdsa_key));
  ASSERT_TRUE(cert.ok()) << cert.error().message();
  auto offloaded =
      certified_key_for_offload(cert->chain, {SignatureScheme::ecdsa_secp256r1_sha256});
  ASSERT_TRUE(offloaded.ok()) << offloaded.error().message();
  auto sc = std::make_shared<ServerConfig>();
  sc->certificates.push_back(std::move(offloaded).value());

  EchoResults server_side;
  ::asio::io_context io;
  tcp::acceptor acceptor(io, {::asio::ip::address_v4::loopback(), 0});
  const uint16_t port = acceptor.local_endpoint().port();
  ::asio::co_spawn(io, accept_loop(acceptor, sc, 1, server_side), ::asio::detached);
  auto config = std::make_shared<ClientConfig>();
  config->dangerous_skip_verification = true;
  std::error_code handshake_ec;
  std::optional<Error> last_error;
  spawn_client_handshake(io, port, config, handshake_ec, last_error);
  io.run_for(std::chrono::seconds(30));

  ASSERT_TRUE(handshake_ec);
  ASSERT_TRUE(last_error.has_value());
  EXPECT_EQ(last_error->code(), ErrorCode::peer_alert) << last_error->message();
  EXPECT_EQ(last_error->received_alert(), AlertDescription::internal_error);
  ASSERT_EQ(server_side.errors.size(), 1u);
  EXPECT_NE(server_side.errors[0].find("server handshake"), std::string::npos)
      << server_side.errors[0];
}

// ---- async_read_client_hello: the configuration chosen per client ----

// accept_by_name serves `count` clients, each with the configuration `by_name` gives its SNI
// (the ECDSA one for every other name); `seen` gets each hello's server name, `errors` what
// failed.
::asio::awaitable<void> accept_by_name(tcp::acceptor& listener,
                                       std::map<std::string, std::shared_ptr<ServerConfig>> by_name,
                                       std::shared_ptr<ServerConfig> fallback, int count,
                                       std::vector<std::string>& seen,
                                       std::vector<std::string>& errors) {
  for (int i = 0; i < count; ++i) {
    tcp::socket socket = co_await listener.async_accept(::asio::use_awaitable);
    std::error_code ec;
    auto token = ::asio::redirect_error(::asio::use_awaitable, ec);
    Acceptor hello_reader;
    co_await hs::asio::async_read_client_hello(socket, hello_reader, token);
    if (ec) {
      errors.push_back("read hello: " + ec.message());
      continue;
    }
    const std::string name = hello_reader.client_hello()->server_name;
    seen.push_back(name);
    auto it = by_name.find(name);
    auto conn = hello_reader.accept(it != by_name.end() ? it->second : fallback);
    if (!conn.ok()) {
      errors.push_back("accept: " + conn.error().message());
      continue;
    }
    TlsStream tls(std::move(*conn), std::move(socket));
    co_await tls.async_handshake(TlsStream::server, token);
    if (ec) {
      errors.push_back("server handshake: " + ec.message());
      continue;
    }
    co_await tls.async_shutdown(token);
  }
}

TEST(AsioAccept, EachServerNameGetsTheConfigurationChosenForIt) {
  const test::TestPki& pki = test::shared_test_pki();
  auto rsa = load_server_certificate(read_text(pki.rsa_cert), read_text(pki.rsa_key));
  auto ecdsa = load_server_certificate(read_text(pki.ecdsa_cert), read_text(pki.ecdsa_key));
  ASSERT_TRUE(rsa.ok() && ecdsa.ok());
  const CertificateDer rsa_leaf = rsa->chain[0];
  const CertificateDer ecdsa_leaf = ecdsa->chain[0];
  auto rsa_config = std::make_shared<ServerConfig>();
  rsa_config->certificates = {std::move(rsa).value()};
  auto ecdsa_config = std::make_shared<ServerConfig>();
  ecdsa_config->certificates = {std::move(ecdsa).value()};

  ::asio::io_context io;
  tcp::acceptor listener(io, {::asio::ip::address_v4::loopback(), 0});
  const uint16_t port = listener.local_endpoint().port();
  std::vector<std::string> seen;
  std::vector<std::string> errors;
  ::asio::co_spawn(
      io, accept_by_name(listener, {{"rsa.example", rsa_config}}, ecdsa_config, 2, seen, errors),
      ::asio::detached);
  auto client_config = std::make_shared<ClientConfig>();
  client_config->dangerous_skip_verification = true;
  std::map<std::string, CertificateDer> served;
  for (const std::string name : {"rsa.example", "ecdsa.example"}) {
    ::asio::co_spawn(
        io,
        [&, name]() -> ::asio::awaitable<void> {
          auto conn = Connection::client(client_config, name);
          TlsStream tls(std::move(*conn), io);
          co_await tls.next_layer().async_connect({::asio::ip::address_v4::loopback(), port},
                                                  ::asio::use_awaitable);
          std::error_code ec;
          co_await tls.async_handshake(TlsStream::client,
                                       ::asio::redirect_error(::asio::use_awaitable, ec));
          if (ec) {
            errors.push_back(name + " client handshake: " + ec.message());
            co_return;
          }
          served[name] = tls.connection().info().peer_chain.at(0);
        },
        ::asio::detached);
  }
  io.run_for(std::chrono::seconds(30));
  for (const std::string& e : errors) {
    ADD_FAILURE() << e;
  }
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(served["rsa.example"], rsa_leaf);
  EXPECT_EQ(served["ecdsa.example"], ecdsa_leaf);
}

TEST(AsioAccept, AHelloTheChosenConfigurationRefusesFailsWithItsCode) {
  // A TLS 1.3-only client, a TLS 1.2-only configuration: the accepted connection has failed
  // before the stream exists; the stream's handshake sends its alert and reports its code.
  const test::TestPki& pki = test::shared_test_pki();
  auto cert = load_server_certificate(read_text(pki.ecdsa_cert), read_text(pki.ecdsa_key));
  ASSERT_TRUE(cert.ok());
  auto tls12_only = std::make_shared<ServerConfig>();
  tls12_only->certificates = {std::move(cert).value()};
  tls12_only->max_version = ProtocolVersion::tls1_2;
  auto client_config = std::make_shared<ClientConfig>();
  client_config->dangerous_skip_verification = true;
  client_config->min_version = ProtocolVersion::tls1_3;

  ::asio::io_context io;
  tcp::acceptor listener(io, {::asio::ip::address_v4::loopback(), 0});
  const uint16_t port = listener.local_endpoint().port();
  std::error_code server_ec;
  std::optional<Error> server_error;
  ::asio::co_spawn(
      io,
      [&]() -> ::asio::awaitable<void> {
        tcp::socket socket = co_await listener.async_accept(::asio::use_awaitable);
        Acceptor hello_reader;
        co_await hs::asio::async_read_client_hello(socket, hello_reader, ::asio::use_awaitable);
        auto conn = hello_reader.accept(tls12_only);
        TlsStream tls(std::move(*conn), std::move(socket));
        co_await tls.async_handshake(TlsStream::server,
                                     ::asio::redirect_error(::asio::use_awaitable, server_ec));
        server_error = tls.last_error();
      },
      ::asio::detached);
  std::error_code client_ec;
  std::optional<Error> client_error;
  spawn_client_handshake(io, port, client_config, client_ec, client_error);
  io.run_for(std::chrono::seconds(30));
  EXPECT_EQ(server_ec, hs::asio::make_error_code(ErrorCode::protocol_version));
  ASSERT_TRUE(server_error.has_value());
  EXPECT_EQ(server_error->code(), ErrorCode::protocol_version);
  ASSERT_TRUE(client_error.has_value());
  EXPECT_EQ(client_error->received_alert(), AlertDescription::protocol_version);
}

TEST(AsioAccept, AMalformedFirstFlightGetsTheAlertAndAnHsError) {
  ::asio::io_context io;
  tcp::acceptor listener(io, {::asio::ip::address_v4::loopback(), 0});
  const uint16_t port = listener.local_endpoint().port();
  std::error_code server_ec;
  ::asio::co_spawn(
      io,
      [&]() -> ::asio::awaitable<void> {
        tcp::socket socket = co_await listener.async_accept(::asio::use_awaitable);
        Acceptor hello_reader;
        co_await hs::asio::async_read_client_hello(
            socket, hello_reader, ::asio::redirect_error(::asio::use_awaitable, server_ec));
      },
      ::asio::detached);
  std::vector<uint8_t> got(7);
  std::error_code client_ec;
  ::asio::co_spawn(
      io,
      [&]() -> ::asio::awaitable<void> {
        tcp::socket socket(io);
        co_await socket.async_connect({::asio::ip::address_v4::loopback(), port},
                                      ::asio::use_awaitable);
        const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};  // a ChangeCipherSpec before any ClientHello
        co_await ::asio::async_write(socket, ::asio::buffer(ccs), ::asio::use_awaitable);
        co_await ::asio::async_read(socket, ::asio::buffer(got),
                                    ::asio::redirect_error(::asio::use_awaitable, client_ec));
      },
      ::asio::detached);
  io.run_for(std::chrono::seconds(30));
  EXPECT_EQ(&server_ec.category(), &hs::asio::error_category());
  EXPECT_EQ(server_ec.value(), static_cast<int>(ErrorCode::unexpected_message));
  ASSERT_FALSE(client_ec) << client_ec.message();
  EXPECT_EQ(got, (std::vector<uint8_t>{21, 3, 3, 0, 2, 2, 10}));
}

}  // namespace
}  // namespace hs

// asio_echo: an echo server and a client over TLS on loopback with hs::asio::stream, the
// library's counterpart of asio::ssl::stream, on standalone asio with C++20 coroutines. Usage:
//   asio_echo CERT.pem KEY.pem CA.pem [1.2|1.3]
// Prints what the client negotiated and the echo it got back.
#include <hs/asio/stream.h>
#include <hs/config.h>
#include <hs/connection.h>
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
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace {

using tcp = asio::ip::tcp;
using TlsStream = hs::asio::stream<tcp::socket>;

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// serve accepts one connection and echoes until the client's close_notify.
asio::awaitable<void> serve(tcp::acceptor& acceptor, std::shared_ptr<hs::ServerConfig> config) {
  auto conn = hs::Connection::server(config);
  if (!conn) {
    throw std::runtime_error(conn.error().message());
  }
  TlsStream tls(std::move(*conn), co_await acceptor.async_accept(asio::use_awaitable));
  co_await tls.async_handshake(TlsStream::server, asio::use_awaitable);
  std::vector<char> buf(4096);
  std::error_code ec;
  for (;;) {
    size_t n = co_await tls.async_read_some(asio::buffer(buf),
                                            asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::eof) {
      break;  // the client's close_notify
    }
    if (ec) {
      throw std::system_error(ec);
    }
    co_await asio::async_write(tls, asio::buffer(buf.data(), n), asio::use_awaitable);
  }
  co_await tls.async_shutdown(asio::use_awaitable);
}

asio::awaitable<void> client(uint16_t port, std::shared_ptr<hs::ClientConfig> config) {
  auto conn = hs::Connection::client(config, "localhost");
  if (!conn) {
    throw std::runtime_error(conn.error().message());
  }
  TlsStream tls(std::move(*conn), co_await asio::this_coro::executor);
  co_await tls.next_layer().async_connect({asio::ip::address_v4::loopback(), port},
                                          asio::use_awaitable);
  co_await tls.async_handshake(TlsStream::client, asio::use_awaitable);
  const hs::SessionInfo& info = tls.connection().info();
  std::cout << "handshake: " << hs::version_name(*info.version) << " "
            << hs::suite_name(*info.cipher_suite) << "\n";

  const std::string message = "hello through asio";
  co_await asio::async_write(tls, asio::buffer(message), asio::use_awaitable);
  std::string echo(message.size(), '\0');
  co_await asio::async_read(tls, asio::buffer(echo), asio::use_awaitable);
  std::cout << "echo: " << echo << "\n";
  co_await tls.async_shutdown(asio::use_awaitable);
  std::cout << "closed\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: asio_echo CERT.pem KEY.pem CA.pem [1.2|1.3]\n";
    return 2;
  }
  auto cert = hs::load_server_certificate(read_file(argv[1]), read_file(argv[2]));
  if (!cert) {
    std::cerr << "server certificate: " << cert.error().message() << "\n";
    return 1;
  }
  auto server_config = std::make_shared<hs::ServerConfig>();
  server_config->certificates.push_back(std::move(*cert));

  hs::TrustOptions trust;
  trust.ca_file = argv[3];
  trust.use_system_default = false;
  auto verifier = hs::make_default_verifier(trust);
  if (!verifier) {
    std::cerr << "trust store: " << verifier.error().message() << "\n";
    return 1;
  }
  auto client_config = std::make_shared<hs::ClientConfig>();
  client_config->verifier = *verifier;
  if (argc > 4 && std::string(argv[4]) == "1.2") {
    client_config->max_version = hs::ProtocolVersion::tls1_2;
  }

  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
  int failures = 0;
  auto report = [&failures](const char* who) {
    return [&failures, who](std::exception_ptr error) {
      if (error) {
        ++failures;
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          std::cerr << who << ": " << e.what() << "\n";
        }
      }
    };
  };
  asio::co_spawn(io, serve(acceptor, server_config), report("server"));
  asio::co_spawn(io, client(acceptor.local_endpoint().port(), client_config), report("client"));
  io.run();
  return failures == 0 ? 0 : 1;
}

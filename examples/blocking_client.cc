// blocking_client: an HTTPS GET over a blocking TCP socket. The Connection does TLS; this file
// does the I/O: write whatever output() holds, read from the socket into receive(), repeat.
// Usage:
//   blocking_client HOST PORT [CA.pem] [PATH]
// Without CA.pem the system trust store is used. Prints the negotiated parameters and the
// response's status line; exit 0 when the server answered.
#include <hs/config.h>
#include <hs/connection.h>
#include <hs/x509.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

// connect_tcp returns a connected blocking socket, or -1.
int connect_tcp(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) {
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

// flush writes everything the connection has queued (handshake flights, records, alerts).
bool flush(int fd, hs::Connection& conn) {
  while (conn.wants_write()) {
    auto out = conn.output();
    ssize_t n = send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    conn.consume_output(static_cast<size_t>(n));
  }
  return true;
}

// pump reads once from the socket into the connection; end of file goes to receive_eof().
hs::Result<void> pump(int fd, hs::Connection& conn) {
  std::vector<uint8_t> buf(16384);
  ssize_t n = recv(fd, buf.data(), buf.size(), 0);
  if (n < 0) {
    return hs::Error(hs::ErrorCode::io_error, "recv");
  }
  if (n == 0) {
    return conn.receive_eof();
  }
  buf.resize(static_cast<size_t>(n));
  return conn.receive(buf);
}

int fail(int fd, hs::Connection* conn, const hs::Error& error) {
  std::cerr << "error: " << error.message() << "\n";
  if (conn != nullptr) {
    flush(fd, *conn);  // the alert the connection queued for this error
  }
  close(fd);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: blocking_client HOST PORT [CA.pem] [PATH]\n";
    return 2;
  }
  const std::string host = argv[1];
  const std::string path = argc > 4 ? argv[4] : "/";

  hs::TrustOptions trust;
  if (argc > 3) {
    trust.ca_file = argv[3];
  }
  auto verifier = hs::make_default_verifier(trust);
  if (!verifier) {
    std::cerr << "trust store: " << verifier.error().message() << "\n";
    return 1;
  }
  auto config = std::make_shared<hs::ClientConfig>();
  config->verifier = *verifier;
  config->alpn = {"http/1.1"};

  int fd = connect_tcp(host, argv[2]);
  if (fd < 0) {
    std::cerr << "cannot connect to " << host << " port " << argv[2] << "\n";
    return 1;
  }
  auto created = hs::Connection::client(config, host);
  if (!created) {
    return fail(fd, nullptr, created.error());
  }
  hs::Connection& conn = **created;

  while (conn.is_handshaking()) {
    if (!flush(fd, conn)) {
      return fail(fd, &conn, hs::Error(hs::ErrorCode::io_error, "send"));
    }
    if (auto r = pump(fd, conn); !r) {
      return fail(fd, &conn, r.error());
    }
  }
  const hs::SessionInfo& info = conn.info();
  std::cout << "connected: " << hs::version_name(*info.version) << " "
            << hs::suite_name(*info.cipher_suite) << ", ALPN "
            << (info.alpn.empty() ? "none" : info.alpn) << "\n";

  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
  if (auto r = conn.write(std::vector<uint8_t>(request.begin(), request.end())); !r) {
    return fail(fd, &conn, r.error());
  }
  std::string response;
  std::vector<uint8_t> buf(16384);
  while (!conn.peer_closed()) {
    if (!flush(fd, conn)) {
      return fail(fd, &conn, hs::Error(hs::ErrorCode::io_error, "send"));
    }
    if (auto r = pump(fd, conn); !r) {
      return fail(fd, &conn, r.error());
    }
    while (size_t n = conn.read(buf)) {
      response.append(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    }
  }
  conn.close();
  flush(fd, conn);
  close(fd);
  std::cout << "response: " << response.substr(0, response.find("\r\n")) << "\n";
  return response.starts_with("HTTP/") ? 0 : 1;
}

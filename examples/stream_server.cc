// stream_server: an HTTPS server with hs::Stream over accepted sockets (<hs/stream.h>), one
// connection at a time. Answers every request with "200 OK" and a line naming the TLS version,
// then closes with close_notify.
// Usage:
//   stream_server CERT.pem KEY.pem PORT [CONNECTIONS]
// Listens on 127.0.0.1:PORT (0: any free port), prints "listening on PORT", serves CONNECTIONS
// connections (default 1) and exits 0 if every handshake succeeded.
#include <arpa/inet.h>
#include <hs/config.h>
#include <hs/stream.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// listen_loopback returns a listening socket on 127.0.0.1:port and the port it got, or -1.
int listen_loopback(uint16_t& port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return -1;
  }
  port = ntohs(addr.sin_port);
  return fd;
}

// serve runs one connection: handshake, read the request head, answer, close_notify.
bool serve(hs::Stream& stream) {
  if (auto r = stream.handshake(std::chrono::seconds(10)); !r) {
    std::cerr << "handshake: " << r.error().message() << "\n";
    return false;
  }
  std::string request;
  std::vector<uint8_t> buf(4096);
  while (request.find("\r\n\r\n") == std::string::npos) {
    auto n = stream.read(buf, std::chrono::seconds(10));
    if (!n || *n == 0) {
      std::cerr << "read: " << (n ? "end of stream" : n.error().message()) << "\n";
      return false;
    }
    request.append(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
  }
  const std::string version(hs::version_name(*stream.connection().info().version));
  const std::string body = "hello over " + version + "\n";
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\nConnection: close\r\n\r\n" + body;
  if (auto w = stream.write(std::vector<uint8_t>(response.begin(), response.end())); !w) {
    std::cerr << "write: " << w.error().message() << "\n";
    return false;
  }
  std::cout << "served: " << version << " " << request.substr(0, request.find("\r\n")) << "\n";
  return stream.shutdown().ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: stream_server CERT.pem KEY.pem PORT [CONNECTIONS]\n";
    return 2;
  }
  auto cert = hs::load_server_certificate(read_file(argv[1]), read_file(argv[2]));
  if (!cert) {
    std::cerr << "certificate: " << cert.error().message() << "\n";
    return 1;
  }
  auto config = std::make_shared<hs::ServerConfig>();  // TLS 1.2 + 1.3, AEAD only
  config->certificates.push_back(std::move(cert).value());
  config->alpn = {"http/1.1"};

  auto port = static_cast<uint16_t>(std::stoi(argv[3]));
  const int connections = argc > 4 ? std::stoi(argv[4]) : 1;
  int listener = listen_loopback(port);
  if (listener < 0) {
    std::cerr << "cannot listen on 127.0.0.1\n";
    return 1;
  }
  std::cout << "listening on " << port << std::endl;
  bool all_ok = true;
  for (int i = 0; i < connections; ++i) {
    int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) {
      return 1;
    }
    auto stream = hs::Stream::server(fd, config, hs::FdOwnership::owned);  // closes fd
    all_ok = (stream && serve(*stream)) && all_ok;
  }
  close(listener);
  return all_ok ? 0 : 1;
}

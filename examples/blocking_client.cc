// blocking_client: an HTTPS GET with hs::Stream, the blocking stream over a socket
// (<hs/stream.h>): connect, handshake, write the request, read until the server closes.
// Usage:
//   blocking_client HOST PORT [CA.pem] [PATH]
// Without CA.pem the system trust store is used. Prints the negotiated parameters and the
// response's status line; exit 0 when the server answered.
#include <hs/config.h>
#include <hs/stream.h>
#include <hs/x509.h>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: blocking_client HOST PORT [CA.pem] [PATH]\n";
    return 2;
  }
  const std::string host = argv[1];
  const auto port = static_cast<uint16_t>(std::stoi(argv[2]));
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
  auto config = std::make_shared<hs::ClientConfig>();  // TLS 1.2 + 1.3, AEAD only, verified
  config->verifier = *verifier;
  config->alpn = {"http/1.1"};

  auto stream = hs::Stream::connect(host, port, config, std::chrono::seconds(10));
  if (!stream) {
    std::cerr << "error: " << stream.error().detail() << "\n";  // "Failed to connect to ..."
    return 1;
  }
  if (auto r = stream->handshake(std::chrono::seconds(10)); !r) {
    std::cerr << "error: " << r.error().message() << "\n";  // "SSL certificate problem: ..."
    return 1;
  }
  const hs::SessionInfo& info = stream->connection().info();
  std::cout << "connected: " << hs::version_name(*info.version) << " "
            << hs::suite_name(*info.cipher_suite) << ", ALPN "
            << (info.alpn.empty() ? "none" : info.alpn) << "\n";

  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
  if (auto r = stream->write(std::vector<uint8_t>(request.begin(), request.end())); !r) {
    std::cerr << "error: " << r.error().message() << "\n";
    return 1;
  }
  std::string response;
  std::vector<uint8_t> buf(16384);
  for (;;) {
    auto n = stream->read(buf, std::chrono::seconds(10));
    if (!n) {
      std::cerr << "error: " << n.error().message() << "\n";
      return 1;
    }
    if (*n == 0) {
      break;  // close_notify: the whole response is here
    }
    response.append(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
  }
  (void)stream->shutdown();
  std::cout << "response: " << response.substr(0, response.find("\r\n")) << "\n";
  return response.starts_with("HTTP/") ? 0 : 1;
}

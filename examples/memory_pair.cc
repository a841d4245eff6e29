// memory_pair: a TLS client and server in one process, joined by copying bytes between them.
// The library is sans-IO: a Connection takes bytes in (receive) and hands bytes out (output),
// so the "network" here is two function calls. Usage:
//   memory_pair CERT.pem KEY.pem CA.pem [1.2|1.3]
// It prints the negotiated version and suite and echoes one message through the server.
#include <hs/config.h>
#include <hs/connection.h>
#include <hs/x509.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int fail(const char* what, const hs::Error& error) {
  std::cerr << what << ": " << error.message() << "\n";
  return 1;
}

// transfer moves everything `from` wants to send into `to`.
hs::Result<void> transfer(hs::Connection& from, hs::Connection& to) {
  while (from.wants_write()) {
    std::vector<uint8_t> bytes(from.output().begin(), from.output().end());
    from.consume_output(bytes.size());
    if (auto r = to.receive(bytes); !r) {
      return r;
    }
  }
  return {};
}

std::string read_all(hs::Connection& conn) {
  std::string text;
  std::vector<uint8_t> buf(4096);
  while (size_t n = conn.read(buf)) {
    text.append(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: memory_pair CERT.pem KEY.pem CA.pem [1.2|1.3]\n";
    return 2;
  }
  const std::string version = argc > 4 ? argv[4] : "1.3";

  // The server: one certificate chain and its key, everything else at the safe defaults.
  auto cert = hs::load_server_certificate(read_file(argv[1]), read_file(argv[2]));
  if (!cert) {
    return fail("server certificate", cert.error());
  }
  auto server_config = std::make_shared<hs::ServerConfig>();
  server_config->certificates.push_back(std::move(*cert));

  // The client: verifies the server against CA.pem only (not the system store).
  hs::TrustOptions trust;
  trust.ca_file = argv[3];
  trust.use_system_default = false;
  auto verifier = hs::make_default_verifier(trust);
  if (!verifier) {
    return fail("trust store", verifier.error());
  }
  auto client_config = std::make_shared<hs::ClientConfig>();
  client_config->verifier = *verifier;
  if (version == "1.2") {
    client_config->max_version = hs::ProtocolVersion::tls1_2;
  }

  auto client = hs::Connection::client(client_config, "localhost");
  auto server = hs::Connection::server(server_config);
  if (!client) {
    return fail("client", client.error());
  }
  if (!server) {
    return fail("server", server.error());
  }
  hs::Connection& c = **client;
  hs::Connection& s = **server;

  // The handshake: ping-pong the flights until both sides are connected.
  for (int round = 0; round < 10 && (c.is_handshaking() || s.is_handshaking()); ++round) {
    if (auto r = transfer(c, s); !r) {
      return fail("server side", r.error());
    }
    if (auto r = transfer(s, c); !r) {
      return fail("client side", r.error());
    }
  }
  if (!c.is_connected() || !s.is_connected()) {
    std::cerr << "handshake did not finish\n";
    return 1;
  }
  const hs::SessionInfo& info = c.info();
  std::cout << "handshake: " << hs::version_name(*info.version) << " "
            << hs::suite_name(*info.cipher_suite)
            << (info.peer_verified ? ", server verified" : ", server NOT verified") << "\n";

  // Application data: the client sends, the server echoes, the client reads the echo.
  const std::string message = "hello over TLS";
  std::vector<uint8_t> bytes(message.begin(), message.end());
  if (auto r = c.write(bytes); !r) {
    return fail("client write", r.error());
  }
  if (auto r = transfer(c, s); !r) {
    return fail("server side", r.error());
  }
  std::string received = read_all(s);
  std::vector<uint8_t> echo(received.begin(), received.end());
  if (auto r = s.write(echo); !r) {
    return fail("server write", r.error());
  }
  if (auto r = transfer(s, c); !r) {
    return fail("client side", r.error());
  }
  std::cout << "server received: " << received << "\n";
  std::cout << "client received: " << read_all(c) << "\n";

  // Closure: close_notify both ways (RFC 8446 §6.1).
  c.close();
  if (auto r = transfer(c, s); !r) {
    return fail("server side", r.error());
  }
  s.close();
  if (auto r = transfer(s, c); !r) {
    return fail("client side", r.error());
  }
  std::cout << "closed: " << (c.peer_closed() && s.peer_closed() ? "both sides" : "incomplete")
            << "\n";
  return c.peer_closed() && s.peer_closed() ? 0 : 1;
}

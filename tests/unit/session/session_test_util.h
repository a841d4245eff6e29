// In-memory client/server pairs for the resumption tests: our client against our server over
// hs::Connection, with the shared test PKI's RSA certificate.
#pragma once

#include <gtest/gtest.h>
#include <hs/config.h>
#include <hs/connection.h>
#include <hs/session.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/testing/testing_provider.h"
#include "support/pki.h"

namespace hs::test {

inline const crypto::Provider& session_test_provider() {
  static crypto::TestingProvider provider(5077);
  return provider;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// rsa_certificate loads the shared PKI's RSA leaf (made once per build directory).
inline const ServerCertificate& rsa_certificate() {
  static const ServerCertificate cert = [] {
    const TestPki& pki = shared_test_pki();
    auto c = load_server_certificate(read_text(pki.rsa_cert), read_text(pki.rsa_key));
    if (!c.ok()) {
      throw std::runtime_error("cannot load the test certificate: " + c.error().message());
    }
    return std::move(c).value();
  }();
  return cert;
}

// Notes collects NoteEvents (the "resumed by ..." lines) and the handshake types received.
class Notes final : public Observer {
 public:
  void on_event(const Event& event) override {
    if (const auto* n = std::get_if<NoteEvent>(&event.body)) {
      notes.push_back(n->text);
    }
    if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
      if (m->content_type == 22) {
        (m->direction == Direction::in ? in : out).push_back(m->handshake_type);
      }
    }
  }
  bool has(std::string_view text) const {
    for (const auto& n : notes) {
      if (n == text) {
        return true;
      }
    }
    return false;
  }
  std::vector<std::string> notes;
  std::vector<uint8_t> in;
  std::vector<uint8_t> out;
};

struct Outcome {
  std::unique_ptr<Connection> client;
  std::unique_ptr<Connection> server;
  std::optional<Error> client_error;
  std::optional<Error> server_error;
  Notes client_notes;
  Notes server_notes;
  bool ok() const {
    return !client_error && !server_error && client->is_connected() && server->is_connected();
  }
};

inline std::shared_ptr<ServerConfig> resume_server_config() {
  auto sc = std::make_shared<ServerConfig>();
  sc->certificates = {rsa_certificate()};
  sc->provider = &session_test_provider();
  sc->session_cache = std::make_shared<ServerSessionCache>(64, 3600);
  sc->ticket_keys = TicketKeys::generate(&session_test_provider()).value();
  return sc;
}

inline std::shared_ptr<ClientConfig> resume_client_config(
    ProtocolVersion max = ProtocolVersion::tls1_2) {
  auto cc = std::make_shared<ClientConfig>();
  cc->max_version = max;
  cc->dangerous_skip_verification = true;
  cc->provider = &session_test_provider();
  cc->sessions = std::make_shared<InMemorySessionStore>();
  cc->session_key = "localhost:443";
  return cc;
}

// run_pair connects a client for `cc` to a server for `sc` in memory; then exchanges one
// application message each way when both are connected, and closes.
inline std::unique_ptr<Outcome> run_pair(std::shared_ptr<const ClientConfig> cc,
                                         std::shared_ptr<const ServerConfig> sc) {
  auto o = std::make_unique<Outcome>();
  auto server = Connection::server(std::move(sc));
  EXPECT_TRUE(server.ok());
  o->server = std::move(server).value();
  o->server->set_observer(&o->server_notes);
  auto client = Connection::client(std::move(cc), "localhost", &o->client_notes);
  EXPECT_TRUE(client.ok()) << (client.ok() ? "" : client.error().message());
  o->client = std::move(client).value();
  auto move = [](Connection& from, Connection& to, std::optional<Error>& err) {
    std::vector<uint8_t> out(from.output().begin(), from.output().end());
    from.consume_output(out.size());
    if (!out.empty() && !err) {
      auto r = to.receive(out);
      if (!r.ok()) {
        err = r.error();
      }
    }
  };
  for (int i = 0; i < 16 && (o->client->wants_write() || o->server->wants_write()); ++i) {
    move(*o->client, *o->server, o->server_error);
    move(*o->server, *o->client, o->client_error);
  }
  if (o->ok()) {
    const std::string ping = "ping";
    EXPECT_TRUE(o->client
                    ->write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(ping.data()),
                                                     ping.size()))
                    .ok());
    move(*o->client, *o->server, o->server_error);
    std::vector<uint8_t> buf(16);
    EXPECT_EQ(o->server->read(buf), 4u);
    EXPECT_TRUE(o->server->write(std::span<const uint8_t>(buf).first(4)).ok());
    move(*o->server, *o->client, o->client_error);
    EXPECT_EQ(o->client->read(buf), 4u);
  }
  return o;
}

}  // namespace hs::test

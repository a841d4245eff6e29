// An in-memory client/server pair of hs::Connections for handshake tests, with an optional
// rewrite of the plaintext handshake messages on their way (to break one rule at a time).
#pragma once

#include <gtest/gtest.h>
#include <hs/connection.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "codec/reader.h"

namespace hs::test {

// MessageRewrite sees each plaintext handshake message (type, body) one side sends before its
// ChangeCipherSpec and returns the messages to send instead (none drops it).
using MessageRewrite = std::function<std::vector<std::pair<uint8_t, std::vector<uint8_t>>>(
    uint8_t, std::vector<uint8_t>)>;

// rewrite_flight applies `rewrite` to the plaintext handshake records of `wire`; records from the
// first ChangeCipherSpec on are left alone (they are encrypted). Each rewritten handshake record
// is re-emitted with one message per record. Malformed input is returned unchanged.
inline std::vector<uint8_t> rewrite_flight(const std::vector<uint8_t>& wire,
                                           const MessageRewrite& rewrite) {
  std::vector<uint8_t> out;
  codec::Reader in(wire);
  bool after_ccs = false;
  while (!in.empty()) {
    uint8_t type = 0;
    uint16_t version = 0;
    codec::Reader body;
    if (!in.read_u8(type) || !in.read_u16(version) ||
        !in.read_prefixed(codec::Len::u16, 0, 0xFFFF, body)) {
      return wire;
    }
    auto payload = body.take_rest();
    auto emit = [&](uint8_t t, std::span<const uint8_t> p) {
      out.push_back(t);
      out.push_back(static_cast<uint8_t>(version >> 8));
      out.push_back(static_cast<uint8_t>(version));
      out.push_back(static_cast<uint8_t>(p.size() >> 8));
      out.push_back(static_cast<uint8_t>(p.size()));
      out.insert(out.end(), p.begin(), p.end());
    };
    if (type == 20) {
      after_ccs = true;
    }
    if (type != 22 || after_ccs) {
      emit(type, payload);
      continue;
    }
    codec::Reader msgs(payload);
    while (!msgs.empty()) {
      uint8_t mtype = 0;
      codec::Reader mbody;
      if (!msgs.read_u8(mtype) || !msgs.read_prefixed(codec::Len::u24, 0, 0xFFFFFF, mbody)) {
        return wire;  // a message split over records: not rewritten
      }
      auto b = mbody.take_rest();
      for (auto& [t, nb] : rewrite(mtype, std::vector<uint8_t>(b.begin(), b.end()))) {
        std::vector<uint8_t> m = {t, static_cast<uint8_t>(nb.size() >> 16),
                                  static_cast<uint8_t>(nb.size() >> 8),
                                  static_cast<uint8_t>(nb.size())};
        m.insert(m.end(), nb.begin(), nb.end());
        emit(22, m);
      }
    }
  }
  return out;
}

// version_param_name names the instances of a TEST_P over the protocol version ("Tls12",
// "Tls13").
inline std::string version_param_name(const ::testing::TestParamInfo<ProtocolVersion>& info) {
  return info.param == ProtocolVersion::tls1_3 ? "Tls13" : "Tls12";
}

// unverified_client is a client of `version` only that skips the chain check: for tests of the
// server's handshake signature, which the client still checks against the leaf's key.
inline std::shared_ptr<ClientConfig> unverified_client(ProtocolVersion version) {
  auto cc = std::make_shared<ClientConfig>();
  cc->min_version = cc->max_version = version;
  cc->dangerous_skip_verification = true;
  return cc;
}

// LoopbackPair runs a client and a server Connection against each other in memory.
struct LoopbackPair {
  std::unique_ptr<Connection> client;
  std::unique_ptr<Connection> server;
  std::optional<Error> client_error;
  std::optional<Error> server_error;
  MessageRewrite client_rewrite;  // applied to what the client sends
  MessageRewrite server_rewrite;  // applied to what the server sends

  static Result<void> transfer(Connection& from, Connection& to, const MessageRewrite& rewrite) {
    std::vector<uint8_t> out(from.output().begin(), from.output().end());
    from.consume_output(out.size());
    if (out.empty()) {
      return ok_result();
    }
    if (rewrite) {
      out = rewrite_flight(out, rewrite);
    }
    return to.receive(out);
  }

  void pump() {
    for (int i = 0; i < 16 && (client->wants_write() || server->wants_write()); ++i) {
      auto r = transfer(*client, *server, client_rewrite);
      if (!r.ok() && !server_error) {
        server_error = r.error();
      }
      auto r2 = transfer(*server, *client, server_rewrite);
      if (!r2.ok() && !client_error) {
        client_error = r2.error();
      }
    }
  }

  // start makes both connections; call pump() to run the handshake.
  static LoopbackPair start(std::shared_ptr<const ClientConfig> cc,
                            std::shared_ptr<const ServerConfig> sc) {
    LoopbackPair p;
    auto server = Connection::server(std::move(sc));
    EXPECT_TRUE(server.ok()) << server.error().message();
    if (server.ok()) {
      p.server = std::move(server).value();
    }
    auto client = Connection::client(std::move(cc), "localhost");
    EXPECT_TRUE(client.ok()) << client.error().message();
    if (client.ok()) {
      p.client = std::move(client).value();
    }
    return p;
  }

  // received_alert is the fatal alert the client got from the server, if any.
  std::optional<AlertDescription> alert_at_client() const {
    if (client_error && client_error->code() == ErrorCode::peer_alert) {
      return client_error->received_alert();
    }
    return std::nullopt;
  }
  std::optional<AlertDescription> alert_at_server() const {
    if (server_error && server_error->code() == ErrorCode::peer_alert) {
      return server_error->received_alert();
    }
    return std::nullopt;
  }
};

}  // namespace hs::test

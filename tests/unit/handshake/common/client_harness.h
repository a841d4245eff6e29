// ClientHarness: one hs::Connection client wired to a ScriptedServer in memory.
#pragma once

#include <gtest/gtest.h>
#include <hs/connection.h>

#include <memory>
#include <string>
#include <vector>

#include "unit/handshake/common/scripted_server.h"

namespace hs::testing {

// RecordingObserver keeps every event for assertions.
class RecordingObserver : public Observer {
 public:
  void on_event(const Event& e) override {
    if (const auto* m = std::get_if<MessageEvent>(&e.body)) {
      messages.push_back(*m);
      message_bytes.emplace_back(m->bytes.begin(), m->bytes.end());
      messages.back().bytes = {};
    } else if (const auto* r = std::get_if<RecordEvent>(&e.body)) {
      records.push_back(*r);
    } else if (const auto* s = std::get_if<StateEvent>(&e.body)) {
      states.emplace_back(s->state);
    } else if (const auto* a = std::get_if<AlertEvent>(&e.body)) {
      alerts.push_back(*a);
    } else if (const auto* n = std::get_if<NoteEvent>(&e.body)) {
      notes.push_back(n->text);
    }
  }
  std::vector<MessageEvent> messages;
  std::vector<std::vector<uint8_t>> message_bytes;
  std::vector<RecordEvent> records;
  std::vector<std::string> states;
  std::vector<AlertEvent> alerts;
  std::vector<std::string> notes;
};

struct ClientHarness {
  explicit ClientHarness(std::shared_ptr<ClientConfig> config = insecure_config(),
                         bool ecdsa = false, std::string host = "localhost")
      : server(ecdsa), config_(std::move(config)) {
    auto c = Connection::client(config_, std::move(host), &observer);
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message());
    client = std::move(c).value();
    from_client();
  }

  // from_client hands the client's output to the server and returns what it sent.
  std::vector<ReceivedRecord> from_client() {
    auto out = client->output();
    auto records = server.read(out);
    client->consume_output(out.size());
    return records;
  }
  Result<void> to_client(const Bytes& bytes) { return client->receive(bytes); }

  // handshake runs a whole successful handshake.
  void handshake() {
    ASSERT_TRUE(to_client(server.first_flight()).ok());
    from_client();
    ASSERT_TRUE(server.client_finished_ok());
    auto r = to_client(server.final_flight());
    ASSERT_TRUE(r.ok()) << r.error().message();
    ASSERT_TRUE(client->is_connected());
  }

  // expect_refusal delivers `bytes`, expects `code`, and that the client sent `alert`.
  void expect_refusal(const Bytes& bytes, ErrorCode code, AlertDescription alert) {
    auto r = to_client(bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(error_code_name(r.error().code()), error_code_name(code)) << r.error().message();
    EXPECT_TRUE(client->failed());
    auto sent = from_client();
    auto a = last_alert(sent);
    ASSERT_TRUE(a.has_value()) << "no alert sent";
    EXPECT_EQ(alert_name(*a), alert_name(alert));
    ASSERT_FALSE(sent.empty());
    EXPECT_EQ(sent.back().type, ContentType::alert);
    EXPECT_EQ(sent.back().data[0], static_cast<uint8_t>(AlertLevel::fatal));
    // Sticky: later calls return the same error and send nothing more.
    auto again = client->receive(Bytes{22, 3, 3});
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code(), code);
    EXPECT_TRUE(client->output().empty());
  }

  RecordingObserver observer;
  ScriptedServer server;
  std::shared_ptr<ClientConfig> config_;
  std::unique_ptr<Connection> client;
};

}  // namespace hs::testing

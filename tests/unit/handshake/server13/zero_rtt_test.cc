// 0-RTT end to end between our client and our server (RFC 8446 §2.3, §4.2.10, §4.5, §8):
// accepted, declined (config, ALPN, suite), over max_early_data_size, EndOfEarlyData out of
// place, and a replayed ClientHello refused by the single-use guard.
#include <gtest/gtest.h>
#include <hs/acceptor.h>
#include <hs/connection.h>
#include <hs/keylog.h>
#include <hs/session.h>

#include <map>
#include <string>

#include "handshake/common/suites.h"
#include "keyschedule/tls13_schedule.h"
#include "messages/messages.h"
#include "unit/handshake/common/key_lines.h"
#include "unit/handshake/server12/server12_harness.h"
#include "unit/handshake/server13/server13_harness.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;

// Types keeps the handshake message types a connection sends and receives, and its states.
class Types final : public Observer {
 public:
  void on_event(const Event& event) override {
    if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
      if (m->content_type == 22) {
        (m->direction == Direction::out ? sent : received).push_back(m->handshake_type);
      }
    } else if (const auto* s = std::get_if<StateEvent>(&event.body)) {
      states.emplace_back(s->state);
    }
  }
  std::vector<uint8_t> sent;
  std::vector<uint8_t> received;
  std::vector<std::string> states;
};

std::span<const uint8_t> bytes_of(const std::string& s) {
  return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string read_all_early(Connection& c) {
  std::string out;
  Bytes buf(4096);
  while (size_t n = c.read_early_data(buf)) {
    out.append(buf.begin(), buf.begin() + static_cast<long>(n));
  }
  return out;
}

std::string read_all(Connection& c) {
  std::string out;
  Bytes buf(4096);
  while (size_t n = c.read(buf)) {
    out.append(buf.begin(), buf.begin() + static_cast<long>(n));
  }
  return out;
}

const std::string kRequest = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

class ZeroRtt : public ::testing::Test {
 protected:
  void SetUp() override {
    const TestCerts* certs = test_certs();
    ASSERT_NE(certs, nullptr);
    server_ = make_config({certs->ecdsa});
    server_->max_early_data_size = 4096;
    server_->early_data_guard = std::make_shared<InMemoryReplayGuard>();
    server_->ticket_keys = TicketKeys::generate().value();
    client_ = client13_config();
    client_->sessions = std::make_shared<InMemorySessionStore>();
    client_->enable_early_data = true;
  }

  // first_connection runs a full handshake so the client stores the server's tickets.
  void first_connection() {
    Pair13 p = connect13(client_, server_, nullptr);
    ASSERT_TRUE(p.client->is_connected());
    ASSERT_TRUE(p.server->is_connected());
    ASSERT_TRUE(client_->sessions->get("localhost").has_value());
    EXPECT_EQ(client_->sessions->get("localhost")->max_early_data, 4096u);
  }

  // resume starts a resumed client that writes `early` as 0-RTT data, then pumps against a
  // server made from `sc`.
  Pair13 resume(std::shared_ptr<ServerConfig> sc, const std::string& early,
                Observer* client_obs = nullptr, Observer* server_obs = nullptr) {
    Pair13 p;
    p.server = Connection::server(std::move(sc)).value();
    p.server->set_observer(server_obs);
    p.client = Connection::client(client_, "localhost", client_obs).value();
    EXPECT_EQ(p.client->info().early_data, EarlyDataStatus::offered);
    EXPECT_GE(p.client->early_data_room(), early.size());
    auto w = p.client->write_early_data(bytes_of(early));
    EXPECT_TRUE(w.ok());
    EXPECT_EQ(w.value(), early.size());
    p.pump();
    return p;
  }

  std::shared_ptr<ServerConfig> server_;
  std::shared_ptr<ClientConfig> client_;
};

TEST_F(ZeroRtt, EarlyDataBehindTheHelloReachesTheConnectionAnAcceptorMade) {
  // 0-RTT records follow the ClientHello at once, before the application has chosen its
  // configuration: the Acceptor keeps them and the accepted connection reads them as early data.
  first_connection();
  auto client = Connection::client(client_, "localhost");
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->write_early_data(bytes_of(kRequest)).ok());
  const Bytes flight((*client)->output().begin(), (*client)->output().end());
  (*client)->consume_output(flight.size());
  Acceptor acceptor;
  auto ready = acceptor.receive(flight);
  ASSERT_TRUE(ready.ok() && *ready);
  EXPECT_EQ(acceptor.client_hello()->server_name, "localhost");
  auto server = acceptor.accept(server_);
  ASSERT_TRUE(server.ok()) << server.error().message();
  Pair13 p;
  p.client = std::move(client).value();
  p.server = std::move(server).value();
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_TRUE(p.server->info().resumed);
  EXPECT_EQ(p.server->info().early_data, EarlyDataStatus::accepted);
  EXPECT_EQ(p.client->info().early_data, EarlyDataStatus::accepted);
  EXPECT_EQ(read_all_early(*p.server), kRequest);
}

TEST_F(ZeroRtt, AcceptedEarlyDataArrivesMarkedAndEndOfEarlyDataSwitchesKeys) {
  first_connection();
  auto client_keys = std::make_shared<KeyLines>();
  auto server_keys = std::make_shared<KeyLines>();
  client_->key_log = client_keys;
  server_->key_log = server_keys;
  Types c;
  Types s;
  Pair13 p = resume(server_, kRequest, &c, &s);
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  ASSERT_TRUE(p.client->is_connected());
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_TRUE(p.server->info().resumed);
  EXPECT_EQ(p.server->info().early_data, EarlyDataStatus::accepted);
  EXPECT_EQ(p.client->info().early_data, EarlyDataStatus::accepted);
  // The request came through read_early_data, not read().
  EXPECT_EQ(read_all_early(*p.server), kRequest);
  EXPECT_EQ(p.server->readable(), 0u);
  // EndOfEarlyData (5) after the server's Finished, before the client's Finished.
  const std::vector<uint8_t> client_sent = {1, 5, 20};
  EXPECT_EQ(c.sent, client_sent);
  const std::vector<std::string> states = {"server13::ExpectEndOfEarlyData",
                                           "server13::ExpectFinished", "server13::Connected"};
  EXPECT_EQ(s.states, states);
  // CLIENT_EARLY_TRAFFIC_SECRET on both sides, the same.
  ASSERT_TRUE(client_keys->lines.contains("CLIENT_EARLY_TRAFFIC_SECRET"));
  EXPECT_EQ(client_keys->lines, server_keys->lines);
  // Early data can no longer be written; ordinary data flows.
  EXPECT_EQ(p.client->early_data_room(), 0u);
  EXPECT_FALSE(p.client->write_early_data(bytes_of(kRequest)).ok());
  exchange_data(p);
}

// RFC 8446 §7.5's early exporter: both sides derive it from the early_exporter_master_secret
// (logged as EARLY_EXPORTER_SECRET), apart from the ordinary exporter; with 0-RTT declined, or
// without it, there is none.
TEST_F(ZeroRtt, EarlyExporterAgreesAndIsNotTheOrdinaryOne) {
  first_connection();
  auto client_keys = std::make_shared<KeyLines>();
  client_->key_log = client_keys;
  Pair13 p = resume(server_, kRequest);
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  ASSERT_EQ(p.server->info().early_data, EarlyDataStatus::accepted);
  const std::vector<uint8_t> context = {0x63, 0x74, 0x78};  // "ctx"
  auto client_early = p.client->export_early_keying_material("EXPORTER-hs-early", 32, context);
  auto server_early = p.server->export_early_keying_material("EXPORTER-hs-early", 32, context);
  ASSERT_TRUE(client_early.ok()) << client_early.error().message();
  ASSERT_TRUE(server_early.ok()) << server_early.error().message();
  EXPECT_TRUE(crypto::constant_time_equal(client_early->expose(), server_early->expose()));
  ASSERT_TRUE(client_keys->lines.contains("EARLY_EXPORTER_SECRET"));
  const auto suite = detail::suite_info(*p.client->info().cipher_suite);
  auto expected = keyschedule::export_keying_material(
      test_provider(), suite->hash, client_keys->lines.at("EARLY_EXPORTER_SECRET"),
      "EXPORTER-hs-early", context, 32);
  ASSERT_TRUE(expected.ok());
  EXPECT_TRUE(crypto::constant_time_equal(client_early->expose(), expected->expose()));
  auto ordinary = p.client->export_keying_material("EXPORTER-hs-early", 32, context);
  ASSERT_TRUE(ordinary.ok());
  EXPECT_FALSE(crypto::constant_time_equal(client_early->expose(), ordinary->expose()));

  auto off = std::make_shared<ServerConfig>(*server_);
  off->max_early_data_size = 0;
  Pair13 declined = resume(off, kRequest);
  ASSERT_FALSE(declined.client_error) << declined.client_error->message();
  ASSERT_EQ(declined.client->info().early_data, EarlyDataStatus::rejected);
  EXPECT_FALSE(declined.client->export_early_keying_material("EXPORTER-hs-early", 32).ok());
  EXPECT_FALSE(declined.server->export_early_keying_material("EXPORTER-hs-early", 32).ok());
  EXPECT_TRUE(declined.server->export_keying_material("EXPORTER-hs-early", 32).ok());
}

TEST_F(ZeroRtt, DeclinedByConfigIsSkippedAndResentAfterTheHandshake) {
  first_connection();
  auto off = std::make_shared<ServerConfig>(*server_);
  off->max_early_data_size = 0;
  Types c;
  Pair13 p = resume(off, kRequest, &c);
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_TRUE(p.server->info().resumed);
  EXPECT_EQ(p.server->info().early_data, EarlyDataStatus::rejected);
  EXPECT_EQ(p.client->info().early_data, EarlyDataStatus::rejected);
  EXPECT_EQ(p.server->early_data_readable(), 0u);
  // The client sent it again as 1-RTT data, no EndOfEarlyData.
  EXPECT_EQ(read_all(*p.server), kRequest);
  const std::vector<uint8_t> client_sent = {1, 20};
  EXPECT_EQ(c.sent, client_sent);
}

TEST_F(ZeroRtt, DeclinedWhenTheAlpnDiffersFromTheTickets) {
  server_->alpn = {"h2", "http/1.1"};
  client_->alpn = {"h2", "http/1.1"};
  first_connection();
  auto other = std::make_shared<ServerConfig>(*server_);
  other->alpn = {"http/1.1"};
  Pair13 p = resume(other, kRequest);
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_TRUE(p.server->info().resumed);
  EXPECT_EQ(p.server->info().alpn, "http/1.1");
  EXPECT_EQ(p.server->info().early_data, EarlyDataStatus::rejected);
  EXPECT_EQ(p.client->info().early_data, EarlyDataStatus::rejected);
  EXPECT_EQ(read_all(*p.server), kRequest);
}

TEST_F(ZeroRtt, DeclinedWhenTheTicketsSuiteIsNoLongerAccepted) {
  first_connection();
  const CipherSuite suite = client_->sessions->get("localhost")->suite;
  auto other = std::make_shared<ServerConfig>(*server_);
  std::erase(other->cipher_suites, suite);
  Pair13 p = resume(other, kRequest);
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_NE(p.server->info().cipher_suite, suite);
  EXPECT_EQ(p.server->info().early_data, EarlyDataStatus::rejected);
  EXPECT_EQ(p.client->info().early_data, EarlyDataStatus::rejected);
  EXPECT_EQ(read_all(*p.server), kRequest);
}

TEST_F(ZeroRtt, HelloRetryRequestDeclinesEarlyDataAndClientHello2GoesOutInPlaintext) {
  first_connection();
  // The client's first share is x25519; a server that now takes P-256 only asks again, and
  // "Early data is not permitted after a HelloRetryRequest" (RFC 8446 §4.1.2).
  auto p256 = std::make_shared<ServerConfig>(*server_);
  p256->groups = {NamedGroup::secp256r1};
  Types c;
  Types s;
  Pair13 p = resume(p256, kRequest, &c, &s);
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_EQ(p.server->info().group, NamedGroup::secp256r1);
  EXPECT_TRUE(p.server->info().resumed);
  EXPECT_EQ(p.client->info().early_data, EarlyDataStatus::rejected);
  EXPECT_EQ(p.server->early_data_readable(), 0u);
  EXPECT_EQ(read_all(*p.server), kRequest);
  // Two ClientHellos, the second without early_data; no EndOfEarlyData.
  const std::vector<uint8_t> client_sent = {1, 1, 20};
  EXPECT_EQ(c.sent, client_sent);
}

// BoGo EarlyDataVersionDowngrade-Client-TLS13. RFC 8446 Appendix D.3: "A client that attempts to
// send 0-RTT data MUST fail a connection if it receives a ServerHello with TLS 1.2 or older."
// Here the client offers TLS 1.2 as well and resumes against a server now capped at TLS 1.2.
TEST_F(ZeroRtt, Tls12ServerHelloAfterEarlyDataIsProtocolVersion) {
  client_ = client13_config(
      {CipherSuite::TLS_AES_128_GCM_SHA256, CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256});
  client_->sessions = std::make_shared<InMemorySessionStore>();
  client_->enable_early_data = true;
  first_connection();
  auto tls12 = std::make_shared<ServerConfig>(*server_);
  tls12->max_version = ProtocolVersion::tls1_2;
  auto client = Connection::client(client_, "localhost").value();
  ASSERT_EQ(client->info().early_data, EarlyDataStatus::offered);
  ASSERT_TRUE(client->write_early_data(bytes_of(kRequest)).ok());
  // The server gets the ClientHello record alone (a TLS 1.2 server would refuse the early data
  // records after it, before the client could see its ServerHello).
  const Bytes flight(client->output().begin(), client->output().end());
  ASSERT_GT(flight.size(), 5u);
  const size_t hello_len = 5 + static_cast<size_t>(flight[3]) * 256 + flight[4];
  ASSERT_LT(hello_len, flight.size());
  client->consume_output(flight.size());
  auto server = Connection::server(tls12).value();
  ASSERT_TRUE(server->receive(std::span(flight).first(hello_len)).ok());
  const Bytes answer(server->output().begin(), server->output().end());
  ASSERT_FALSE(answer.empty());
  auto r = client->receive(answer);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::protocol_version) << r.error().message();
  EXPECT_EQ(r.error().alert(), AlertDescription::protocol_version);
  EXPECT_TRUE(client->failed());
  // The alert is in plaintext, so the TLS 1.2 server reads it.
  auto at_server = server->receive(client->output());
  ASSERT_FALSE(at_server.ok());
  EXPECT_EQ(at_server.error().code(), ErrorCode::peer_alert) << at_server.error().message();
  EXPECT_EQ(at_server.error().received_alert(), AlertDescription::protocol_version);
}

TEST_F(ZeroRtt, MoreThanMaxEarlyDataSizeIsUnexpectedMessage) {
  first_connection();  // the ticket allows 4096 bytes
  auto small = std::make_shared<ServerConfig>(*server_);
  small->max_early_data_size = 100;  // lowered since: the lower limit applies
  Pair13 p = resume(small, std::string(500, 'x'));
  ASSERT_TRUE(p.server_error.has_value());
  EXPECT_EQ(p.server_error->code(), ErrorCode::unexpected_message);
  EXPECT_EQ(p.server_error->alert(), AlertDescription::unexpected_message);
}

TEST_F(ZeroRtt, ReplayedClientHelloGetsItsEarlyDataRefusedByTheSharedGuard) {
  first_connection();
  auto client = Connection::client(client_, "localhost").value();
  ASSERT_TRUE(client->write_early_data(bytes_of(kRequest)).ok());
  const Bytes flight(client->output().begin(), client->output().end());
  // Two servers sharing ticket keys and the guard (server_->early_data_guard) see the same
  // ClientHello and early data: the first accepts, the second declines and goes on in 1-RTT.
  auto first = Connection::server(server_).value();
  ASSERT_TRUE(first->receive(flight).ok());
  EXPECT_EQ(first->info().early_data, EarlyDataStatus::accepted);
  EXPECT_EQ(read_all_early(*first), kRequest);
  auto second = Connection::server(server_).value();
  ASSERT_TRUE(second->receive(flight).ok());
  EXPECT_FALSE(second->failed());
  EXPECT_TRUE(second->is_handshaking());
  EXPECT_TRUE(second->info().resumed);
  EXPECT_EQ(second->info().early_data, EarlyDataStatus::rejected);
  EXPECT_EQ(second->early_data_readable(), 0u);
  EXPECT_FALSE(second->output().empty());  // its ServerHello .. Finished
}

TEST_F(ZeroRtt, NoEarlyDataWithoutTheClientSwitch) {
  first_connection();
  client_->enable_early_data = false;
  auto client = Connection::client(client_, "localhost").value();
  EXPECT_EQ(client->info().early_data, EarlyDataStatus::none);
  EXPECT_EQ(client->early_data_room(), 0u);
  EXPECT_FALSE(client->write_early_data(bytes_of(kRequest)).ok());
}

TEST(ZeroRttGuard, SingleUseBoundedAndExpiring) {
  InMemoryReplayGuard guard(2);
  const Bytes a = {1, 2, 3};
  const Bytes b = {4, 5};
  const Bytes c = {6};
  EXPECT_TRUE(guard.first_use(a, 2000, 1000));
  EXPECT_FALSE(guard.first_use(a, 2000, 1500));  // replay
  EXPECT_TRUE(guard.first_use(b, 3000, 1500));
  EXPECT_FALSE(guard.first_use(c, 3000, 1500));  // full: refuse rather than forget
  EXPECT_EQ(guard.size(), 2u);
  EXPECT_TRUE(guard.first_use(c, 3000, 2500));  // a expired and made room
  EXPECT_FALSE(guard.first_use(b, 3000, 2600));
  EXPECT_FALSE(guard.first_use(Bytes{7}, 900, 1000));  // already expired
}

TEST(ZeroRttServer, EndOfEarlyDataWithoutAcceptedEarlyDataIsUnexpectedMessage) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto config = make_config({certs->ecdsa});
  config->max_early_data_size = 4096;
  FakeContext ctx;
  auto driver = detail::make_server_driver(config);
  ASSERT_TRUE(driver->start(ctx).ok());
  ScriptedClient13 client(*driver, ctx);
  ASSERT_TRUE(client.hello({}).ok());
  Bytes raw;
  ASSERT_TRUE(messages::serialize_message(messages::EndOfEarlyData{}, raw).ok());
  auto r = client.deliver(raw);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
}

// ScriptedEarly drives the server driver with a hand-built resumed ClientHello offering
// early_data (ScriptedClient13), to reach ExpectEndOfEarlyData directly.
class ScriptedEarly : public ::testing::Test {
 protected:
  void SetUp() override {
    const TestCerts* certs = test_certs();
    ASSERT_NE(certs, nullptr);
    config_ = make_config({certs->ecdsa});
    config_->max_early_data_size = 4096;
    config_->ticket_keys = TicketKeys::generate().value();
    start();
    ASSERT_TRUE(client_->hello({}).ok());
    ASSERT_TRUE(client_->finished(false, true).ok());
    tickets_ = client_->tickets();
    ASSERT_FALSE(tickets_.empty());
  }

  // start makes a fresh server (and a fresh single-use guard, so each run may accept).
  void start() {
    config_->early_data_guard = std::make_shared<InMemoryReplayGuard>();
    ctx_ = std::make_unique<FakeContext>();
    driver_ = detail::make_server_driver(config_);
    ASSERT_TRUE(driver_->start(*ctx_).ok());
    client_ = std::make_unique<ScriptedClient13>(*driver_, *ctx_);
  }

  Hello13Options early_hello(std::optional<uint32_t> obfuscated_age) const {
    Hello13Options opts;
    opts.psk_ticket = tickets_[0].ticket;
    opts.psk_secret = tickets_[0].psk;
    opts.psk_modes = true;
    opts.early_data = true;
    opts.psk_obfuscated_age = obfuscated_age;
    return opts;
  }

  std::shared_ptr<ServerConfig> config_;
  std::unique_ptr<FakeContext> ctx_;
  std::unique_ptr<detail::HandshakeDriver> driver_;
  std::unique_ptr<ScriptedClient13> client_;
  std::vector<ScriptedClient13::Ticket> tickets_;
};

TEST_F(ScriptedEarly, AnImplausibleTicketAgeDeclinesEarlyData) {
  // RFC 8446 §8.3: obfuscated_ticket_age - ticket_age_add far from the age we measure.
  start();
  ASSERT_TRUE(client_->hello(early_hello(tickets_[0].age_add + 60000)).ok());
  EXPECT_TRUE(ctx_->info().resumed);
  EXPECT_EQ(ctx_->info().early_data, EarlyDataStatus::rejected);
  EXPECT_EQ(driver_->state_name(), "server13::ExpectFinished");
}

TEST_F(ScriptedEarly, ExpectEndOfEarlyDataAcceptsOnlyEndOfEarlyData) {
  start();
  ASSERT_TRUE(client_->hello(early_hello(tickets_[0].age_add)).ok());
  EXPECT_EQ(ctx_->info().early_data, EarlyDataStatus::accepted);
  ASSERT_EQ(driver_->state_name(), "server13::ExpectEndOfEarlyData");
  for (HandshakeType type :
       {HandshakeType::client_hello, HandshakeType::finished, HandshakeType::certificate,
        HandshakeType::certificate_verify, HandshakeType::key_update,
        HandshakeType::new_session_ticket, static_cast<HandshakeType>(99)}) {
    SCOPED_TRACE(static_cast<int>(type));
    start();
    ASSERT_TRUE(client_->hello(early_hello(tickets_[0].age_add)).ok());
    ASSERT_EQ(driver_->state_name(), "server13::ExpectEndOfEarlyData");
    Bytes raw = {static_cast<uint8_t>(type), 0, 0, 0};
    auto r = client_->deliver(raw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
  }
  // EndOfEarlyData itself leads to ExpectFinished; a non-empty one is a decode_error.
  start();
  ASSERT_TRUE(client_->hello(early_hello(tickets_[0].age_add)).ok());
  Bytes eoed;
  ASSERT_TRUE(messages::serialize_message(messages::EndOfEarlyData{}, eoed).ok());
  ASSERT_TRUE(client_->deliver(eoed).ok());
  EXPECT_EQ(driver_->state_name(), "server13::ExpectFinished");
  start();
  ASSERT_TRUE(client_->hello(early_hello(tickets_[0].age_add)).ok());
  auto bad = client_->deliver(Bytes{5, 0, 0, 1, 0});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::decode_error);
}

}  // namespace
}  // namespace hs::test

// hs::Acceptor: the ClientHello read before a ServerConfig is chosen, what it shows, the
// connection it becomes, and the alerts for what no configuration could accept (the same
// alerts, byte for byte, as a Connection sends for the same input).
#include <gtest/gtest.h>
#include <hs/acceptor.h>
#include <hs/connection.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "messages/client_hello.h"
#include "unit/handshake/common/client_harness.h"
#include "unit/handshake/common/loopback_pair.h"
#include "unit/handshake/server12/server12_harness.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;

std::shared_ptr<ServerConfig> server_with(const ServerCertificate& cert, ProtocolVersion max) {
  auto sc = std::make_shared<ServerConfig>();
  sc->max_version = max;
  sc->certificates = {cert};
  return sc;
}

std::shared_ptr<ClientConfig> client_of(ProtocolVersion version) {
  return unverified_client(version);
}

// hello_from is the first flight of a client of `cc` for `name`.
Bytes hello_from(std::shared_ptr<const ClientConfig> cc, const std::string& name) {
  auto client = Connection::client(std::move(cc), name);
  EXPECT_TRUE(client.ok());
  if (!client.ok()) {
    return {};
  }
  Bytes out((*client)->output().begin(), (*client)->output().end());
  return out;
}

// record wraps `fragment` in one record of `type`.
Bytes record(uint8_t type, const Bytes& fragment, uint16_t version = 0x0303) {
  Bytes r = {type, static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version),
             static_cast<uint8_t>(fragment.size() >> 8), static_cast<uint8_t>(fragment.size())};
  r.insert(r.end(), fragment.begin(), fragment.end());
  return r;
}

// complete feeds `bytes` to `acceptor` and says whether the ClientHello is whole (false on an
// error too).
bool complete(Acceptor& acceptor, std::span<const uint8_t> bytes) {
  auto r = acceptor.receive(bytes);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() && r.value();
}

// run_pair drives `client` and the accepted `server` until neither has output.
void run_pair(Connection& client, Connection& server) {
  for (int i = 0; i < 16 && (client.wants_write() || server.wants_write()); ++i) {
    (void)LoopbackPair::transfer(client, server, {});
    (void)LoopbackPair::transfer(server, client, {});
  }
}

// in_order_within: `part` is not empty and is `whole` with some entries left out.
template <typename T>
bool in_order_within(const std::vector<T>& part, const std::vector<T>& whole) {
  auto at = whole.begin();
  for (const T& v : part) {
    at = std::find(at, whole.end(), v);
    if (at == whole.end()) {
      return false;
    }
    ++at;
  }
  return !part.empty();
}

class AcceptorTest : public ::testing::TestWithParam<ProtocolVersion> {};

TEST_P(AcceptorTest, EachServerNameGetsTheConfigurationChosenForIt) {
  // Two configurations with different certificates; the application picks by the SNI the
  // Acceptor shows, and each client ends up with the certificate of its name.
  const auto* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  const std::vector<std::pair<std::string, const ServerCertificate*>> hosts = {
      {"rsa.example", &certs->rsa}, {"ecdsa.example", &certs->ecdsa}};
  for (const auto& [name, cert] : hosts) {
    SCOPED_TRACE(name);
    auto client = Connection::client(client_of(GetParam()), name);
    ASSERT_TRUE(client.ok());
    Acceptor acceptor;
    const Bytes hello((*client)->output().begin(), (*client)->output().end());
    (*client)->consume_output(hello.size());
    auto ready = acceptor.receive(hello);
    ASSERT_TRUE(ready.ok()) << ready.error().message();
    ASSERT_TRUE(*ready);
    ASSERT_NE(acceptor.client_hello(), nullptr);
    ASSERT_EQ(acceptor.client_hello()->server_name, name);
    auto server = acceptor.accept(server_with(*cert, GetParam()));
    ASSERT_TRUE(server.ok()) << server.error().message();
    run_pair(**client, **server);
    ASSERT_TRUE((*client)->is_connected());
    ASSERT_TRUE((*server)->is_connected());
    EXPECT_EQ((*client)->info().version, GetParam());
    ASSERT_FALSE((*client)->info().peer_chain.empty());
    EXPECT_EQ((*client)->info().peer_chain[0], cert->chain[0]);
    EXPECT_EQ((*server)->info().server_name, name);
    // Application data both ways over the accepted connection.
    ASSERT_TRUE((*client)->write(Bytes{'p', 'i', 'n', 'g'}).ok());
    run_pair(**client, **server);
    Bytes got(4);
    ASSERT_EQ((*server)->read(got), 4u);
    EXPECT_EQ(got, (Bytes{'p', 'i', 'n', 'g'}));
  }
}

TEST_P(AcceptorTest, ShowsWhatTheClientOffers) {
  auto cc = client_of(GetParam());
  cc->alpn = {"h2", "http/1.1"};
  Acceptor acceptor;
  auto ready = acceptor.receive(hello_from(cc, "offers.example"));
  ASSERT_TRUE(ready.ok() && *ready);
  const ClientHelloInfo& info = *acceptor.client_hello();
  EXPECT_EQ(info.server_name, "offers.example");
  EXPECT_EQ(info.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  // A TLS 1.3 client lists its versions in supported_versions; a TLS 1.2-only one sends none,
  // and its legacy_version stands for them.
  EXPECT_EQ(info.versions, std::vector<ProtocolVersion>{GetParam()});
  // The client sends the groups and schemes of its configuration that the version can use
  // (no FFDHE for TLS 1.2 without DHE suites, no PKCS#1 for TLS 1.3 handshakes), in order.
  EXPECT_TRUE(in_order_within(info.groups, cc->groups));
  EXPECT_EQ(info.groups.front(), NamedGroup::x25519);
  EXPECT_TRUE(in_order_within(info.signature_schemes, cc->signature_schemes));
  EXPECT_EQ(info.signature_schemes.front(), cc->signature_schemes.front());
  for (CipherSuite suite : cc->cipher_suites) {
    const bool usable = GetParam() == ProtocolVersion::tls1_3
                            ? static_cast<uint16_t>(suite) >> 8 == 0x13
                            : static_cast<uint16_t>(suite) >> 8 != 0x13;
    if (usable) {
      EXPECT_NE(std::find(info.cipher_suites.begin(), info.cipher_suites.end(), suite),
                info.cipher_suites.end())
          << suite_name(suite);
    }
  }
}

TEST_P(AcceptorTest, ByteByByteTheHelloIsCompleteAtItsLastByte) {
  const Bytes hello = hello_from(client_of(GetParam()), "slow.example");
  ASSERT_GT(hello.size(), 5u);
  Acceptor acceptor;
  for (size_t i = 0; i + 1 < hello.size(); ++i) {
    auto r = acceptor.receive(std::span<const uint8_t>(hello).subspan(i, 1));
    ASSERT_TRUE(r.ok()) << i;
    ASSERT_FALSE(*r) << i;
    ASSERT_EQ(acceptor.client_hello(), nullptr);
  }
  auto last = acceptor.receive(std::span<const uint8_t>(hello).last(1));
  ASSERT_TRUE(last.ok() && *last);
  EXPECT_EQ(acceptor.client_hello()->server_name, "slow.example");
}

TEST_P(AcceptorTest, HelloSplitOverRecordsAndTheConnectionStillCompletes) {
  // The ClientHello message cut into 100-byte handshake records (RFC 8446 §5.1 lets a message
  // span records): the Acceptor reassembles it, and the connection reads the same records.
  const auto* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto client = Connection::client(client_of(GetParam()), "split.example");
  ASSERT_TRUE(client.ok());
  const Bytes wire((*client)->output().begin(), (*client)->output().end());
  (*client)->consume_output(wire.size());
  const Bytes message(wire.begin() + 5, wire.end());
  Bytes split;
  for (size_t at = 0; at < message.size(); at += 100) {
    const Bytes piece(
        message.begin() + static_cast<std::ptrdiff_t>(at),
        message.begin() + static_cast<std::ptrdiff_t>(std::min(message.size(), at + 100)));
    const Bytes rec = record(22, piece, 0x0301);
    split.insert(split.end(), rec.begin(), rec.end());
  }
  Acceptor acceptor;
  auto ready = acceptor.receive(split);
  ASSERT_TRUE(ready.ok() && *ready);
  auto server = acceptor.accept(server_with(certs->ecdsa, GetParam()));
  ASSERT_TRUE(server.ok());
  run_pair(**client, **server);
  EXPECT_TRUE((*client)->is_connected());
  EXPECT_TRUE((*server)->is_connected());
}

TEST_P(AcceptorTest, BytesBehindTheHelloReachTheConnection) {
  // What the client sent after its ClientHello (here a fatal alert, in the same read and in a
  // later one) is the connection's to read once accepted.
  const auto* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  const Bytes alert = record(21, Bytes{2, 40});
  for (bool same_read : {true, false}) {
    SCOPED_TRACE(same_read ? "same read" : "later read");
    Bytes hello = hello_from(client_of(GetParam()), "behind.example");
    Acceptor acceptor;
    if (same_read) {
      hello.insert(hello.end(), alert.begin(), alert.end());
      ASSERT_TRUE(complete(acceptor, hello));
    } else {
      ASSERT_TRUE(complete(acceptor, hello));
      auto more = acceptor.receive(alert);
      ASSERT_TRUE(more.ok() && *more);
    }
    auto server = acceptor.accept(server_with(certs->ecdsa, GetParam()));
    ASSERT_TRUE(server.ok());
    EXPECT_TRUE((*server)->failed());
    // The server answered the ClientHello, then read the client's handshake_failure.
    auto again = (*server)->receive({});
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code(), ErrorCode::peer_alert);
    EXPECT_EQ(again.error().received_alert(), AlertDescription::handshake_failure);
  }
}

TEST_P(AcceptorTest, TheObserverSeesTheClientHello) {
  const auto* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  Acceptor acceptor;
  ASSERT_TRUE(complete(acceptor, hello_from(client_of(GetParam()), "seen.example")));
  testing::RecordingObserver observer;
  auto server = acceptor.accept(server_with(certs->ecdsa, GetParam()),
                                [&](Connection& c) { c.set_observer(&observer); });
  ASSERT_TRUE(server.ok());
  ASSERT_FALSE(observer.messages.empty());
  EXPECT_EQ(observer.messages[0].direction, Direction::in);
  EXPECT_EQ(observer.messages[0].handshake_type, 1);
  ASSERT_FALSE(observer.records.empty());
  EXPECT_EQ(observer.records[0].direction, Direction::in);
}

TEST(AcceptorHelloRetry, TheSecondClientHelloGoesToTheConnection) {
  // The client's key share is for a group the chosen configuration does not take: the accepted
  // connection answers with a HelloRetryRequest and reads the second ClientHello itself.
  const auto* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto cc = client_of(ProtocolVersion::tls1_3);
  auto client = Connection::client(cc, "retry.example");
  ASSERT_TRUE(client.ok());
  const Bytes hello((*client)->output().begin(), (*client)->output().end());
  (*client)->consume_output(hello.size());
  Acceptor acceptor;
  ASSERT_TRUE(complete(acceptor, hello));
  auto sc = server_with(certs->ecdsa, ProtocolVersion::tls1_3);
  sc->groups = {NamedGroup::secp256r1};
  testing::RecordingObserver observer;
  auto server = acceptor.accept(sc, [&](Connection& c) { c.set_observer(&observer); });
  ASSERT_TRUE(server.ok());
  run_pair(**client, **server);
  ASSERT_TRUE((*client)->is_connected());
  ASSERT_TRUE((*server)->is_connected());
  EXPECT_EQ((*server)->info().group, NamedGroup::secp256r1);
  size_t hellos = 0;
  for (const auto& m : observer.messages) {
    hellos += m.direction == Direction::in && m.handshake_type == 1 ? 1 : 0;
  }
  EXPECT_EQ(hellos, 2u);
}

INSTANTIATE_TEST_SUITE_P(Versions, AcceptorTest,
                         ::testing::Values(ProtocolVersion::tls1_2, ProtocolVersion::tls1_3),
                         version_param_name);

// ---- Misuse ----

TEST(AcceptorMisuse, AcceptNeedsAWholeHelloAndHappensOnce) {
  const auto* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  const Bytes hello = hello_from(client_of(ProtocolVersion::tls1_3), "once.example");
  Acceptor acceptor;
  ASSERT_FALSE(complete(acceptor, std::span<const uint8_t>(hello).first(10)));
  auto early = acceptor.accept(server_with(certs->ecdsa, ProtocolVersion::tls1_3));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::internal_error);
  ASSERT_TRUE(complete(acceptor, std::span<const uint8_t>(hello).subspan(10)));
  // A configuration Connection::server refuses leaves the Acceptor as it was: another one can
  // still be given.
  auto bad = acceptor.accept(std::make_shared<ServerConfig>());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::invalid_config);
  auto first = acceptor.accept(server_with(certs->ecdsa, ProtocolVersion::tls1_3));
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_TRUE((*first)->wants_write());  // the server's flight
  auto second = acceptor.accept(server_with(certs->ecdsa, ProtocolVersion::tls1_3));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::internal_error);
  auto more = acceptor.receive(Bytes{22});
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.error().code(), ErrorCode::internal_error);
}

TEST(AcceptorMisuse, TooMuchAfterTheHelloIsRecordOverflow) {
  // A client that keeps sending while the application has not chosen yet cannot make the
  // Acceptor buffer without end.
  Acceptor acceptor;
  ASSERT_TRUE(complete(acceptor, hello_from(client_of(ProtocolVersion::tls1_3), "flood.example")));
  const Bytes chunk(64 * 1024, 0x17);
  std::optional<Error> error;
  for (int i = 0; i < 8 && !error; ++i) {
    auto r = acceptor.receive(chunk);
    if (!r.ok()) {
      error = r.error();
    }
  }
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), ErrorCode::record_overflow);
  EXPECT_EQ(Bytes(acceptor.output().begin(), acceptor.output().end()), record(21, Bytes{2, 22}));
  EXPECT_EQ(acceptor.client_hello() != nullptr, true);  // what was read stays readable
  const auto* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  EXPECT_FALSE(acceptor.accept(server_with(certs->ecdsa, ProtocolVersion::tls1_3)).ok());
}

// ---- Malformed first flights: the Acceptor refuses them as a Connection does ----

struct Malformed {
  const char* name;
  std::function<Bytes(const Bytes& hello)> make;
  ErrorCode code;
  std::optional<AlertDescription> alert;  // sent; nullopt: nothing sent
};

// hello_message is the handshake message inside a one-record ClientHello.
Bytes hello_message(const Bytes& hello) { return Bytes(hello.begin() + 5, hello.end()); }

// with_hello_body re-frames a ClientHello whose body `edit` changed.
Bytes with_hello_body(const Bytes& hello, const std::function<void(Bytes&)>& edit) {
  Bytes body(hello.begin() + 9, hello.end());
  edit(body);
  Bytes message = {1, static_cast<uint8_t>(body.size() >> 16),
                   static_cast<uint8_t>(body.size() >> 8), static_cast<uint8_t>(body.size())};
  message.insert(message.end(), body.begin(), body.end());
  return record(22, message, 0x0301);
}

std::vector<Malformed> malformed_flights() {
  using A = AlertDescription;
  return {
      {"ccs_first", [](const Bytes&) { return record(20, Bytes{1}); },
       ErrorCode::unexpected_message, A::unexpected_message},
      {"application_data_first", [](const Bytes&) { return record(23, Bytes(32, 7)); },
       ErrorCode::unexpected_message, A::unexpected_message},
      {"heartbeat_first",
       [](const Bytes&) {
         return record(24, Bytes{1, 0, 0});
       },
       ErrorCode::unexpected_message, A::unexpected_message},
      {"server_hello_first",
       [](const Bytes& hello) {
         Bytes m = hello_message(hello);
         m[0] = 2;
         return record(22, m);
       },
       ErrorCode::unexpected_message, A::unexpected_message},
      {"hello_body_cut",
       [](const Bytes& hello) {
         return with_hello_body(hello, [](Bytes& b) { b.resize(b.size() - 3); });
       },
       ErrorCode::decode_error, A::decode_error},
      {"hello_trailing_byte",
       [](const Bytes& hello) { return with_hello_body(hello, [](Bytes& b) { b.push_back(0); }); },
       ErrorCode::decode_error, A::decode_error},
      {"duplicate_extension",
       [](const Bytes& hello) {
         auto parsed = messages::parse_client_hello(Bytes(hello.begin() + 9, hello.end()));
         EXPECT_TRUE(parsed.ok());
         auto h = std::move(parsed).value();
         h.extensions.push_back(h.extensions.front());
         Bytes body;
         EXPECT_TRUE(messages::serialize(h, body).ok());
         return with_hello_body(hello, [&](Bytes& b) { b = body; });
       },
       ErrorCode::duplicate_extension, A::illegal_parameter},
      {"hello_over_the_limit",
       [](const Bytes&) {
         // A ClientHello header announcing 200 KiB, beyond max_certificate_message_size.
         return record(22, Bytes{1, 0x03, 0x20, 0x00});
       },
       ErrorCode::decode_error, A::decode_error},
      {"record_over_2_14",
       [](const Bytes&) {
         Bytes r = {22, 3, 1, 0x40, 0x01};  // 16385 bytes of plaintext
         r.resize(5 + 16385, 0);
         return r;
       },
       ErrorCode::record_overflow, A::record_overflow},
      {"alert_of_three_bytes",
       [](const Bytes&) {
         return record(21, Bytes{2, 40, 0});
       },
       ErrorCode::decode_error, A::decode_error},
      {"client_alert_first",
       [](const Bytes&) {
         return record(21, Bytes{2, 40});
       },
       ErrorCode::peer_alert, std::nullopt},
  };
}

class AcceptorMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(AcceptorMalformed, RefusedWithTheAlertAConnectionSends) {
  const auto* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  const Bytes hello = hello_from(client_of(ProtocolVersion::tls1_3), "bad.example");
  const Bytes wire = GetParam().make(hello);

  Acceptor acceptor;
  auto r = acceptor.receive(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), GetParam().code) << r.error().message();
  const Bytes sent(acceptor.output().begin(), acceptor.output().end());
  if (GetParam().alert) {
    EXPECT_EQ(sent, record(21, Bytes{2, static_cast<uint8_t>(*GetParam().alert)}));
  } else {
    EXPECT_TRUE(sent.empty());
  }
  // Sticky, and nothing to accept.
  EXPECT_FALSE(acceptor.receive(hello).ok());
  EXPECT_FALSE(acceptor.accept(server_with(certs->ecdsa, ProtocolVersion::tls1_3)).ok());

  // A Connection given the same bytes fails the same way and sends the same bytes.
  auto conn = Connection::server(server_with(certs->ecdsa, ProtocolVersion::tls1_3));
  ASSERT_TRUE(conn.ok());
  auto c = (*conn)->receive(wire);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), GetParam().code) << c.error().message();
  EXPECT_EQ(Bytes((*conn)->output().begin(), (*conn)->output().end()), sent);
}

INSTANTIATE_TEST_SUITE_P(Flights, AcceptorMalformed, ::testing::ValuesIn(malformed_flights()),
                         [](const ::testing::TestParamInfo<Malformed>& p) {
                           return std::string(p.param.name);
                         });

}  // namespace
}  // namespace hs::test

// Which handshake message types each client12 state accepts: every type is fed to every state
// (reached through the sans-IO API against the scripted server) and everything not in the
// table must be refused with unexpected_message before it is parsed.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include <map>
#include <set>

#include "unit/handshake/common/client_harness.h"

namespace hs::testing {
namespace {

// The table: state -> handshake types it handles. HelloRequest is filtered before the states
// during the handshake (RFC 5246 §7.4.1.1: ignored while negotiating) and is listed separately.
const std::map<std::string, std::set<HandshakeType>>& accepted_table() {
  static const std::map<std::string, std::set<HandshakeType>> table = {
      {"client12::ExpectServerHello", {HandshakeType::server_hello}},
      {"client12::ExpectCertificate", {HandshakeType::certificate}},
      {"client12::ExpectServerKeyExchange", {HandshakeType::server_key_exchange}},
      {"client12::ExpectServerHelloDone",
       {HandshakeType::certificate_request, HandshakeType::server_hello_done}},
      {"client12::ExpectNewSessionTicket", {HandshakeType::new_session_ticket}},
      {"client12::ExpectChangeCipherSpec", {}},
      {"client12::ExpectFinished", {HandshakeType::finished}},
      {"client12::Connected", {HandshakeType::hello_request}},
  };
  return table;
}

const std::vector<uint8_t> kAllTypes = {0,  1,  2,  4,  5,  8,   11, 12, 13, 14,
                                        15, 16, 20, 22, 24, 254, 3,  99, 255};

// advance brings a fresh harness to `state`.
void advance(ClientHarness& h, const std::string& state) {
  auto& s = h.server;
  if (state == "client12::ExpectServerHello") {
    return;
  }
  if (state == "client12::ExpectNewSessionTicket") {
    s.send_ticket_ext = true;
  }
  ASSERT_TRUE(h.to_client(s.handshake_record(s.server_hello())).ok());
  if (state == "client12::ExpectCertificate") {
    return;
  }
  ASSERT_TRUE(h.to_client(s.handshake_record(s.certificate())).ok());
  if (state == "client12::ExpectServerKeyExchange") {
    return;
  }
  ASSERT_TRUE(h.to_client(s.handshake_record(s.server_key_exchange())).ok());
  if (state == "client12::ExpectServerHelloDone") {
    return;
  }
  ASSERT_TRUE(h.to_client(s.handshake_record(s.server_hello_done())).ok());
  h.from_client();
  if (state == "client12::ExpectNewSessionTicket" || state == "client12::ExpectChangeCipherSpec") {
    return;
  }
  ASSERT_TRUE(h.to_client(s.ccs()).ok());
  if (state == "client12::ExpectFinished") {
    return;
  }
  ASSERT_TRUE(h.to_client(s.handshake_record(s.finished())).ok());
}

TEST(Client12States, EveryStateRefusesEveryOtherMessageType) {
  for (const auto& [state, accepted] : accepted_table()) {
    for (uint8_t t : kAllTypes) {
      SCOPED_TRACE(state + " fed type " + std::to_string(t));
      ClientHarness h;
      advance(h, state);
      ASSERT_FALSE(h.observer.states.empty());
      ASSERT_EQ(h.observer.states.back(), state);
      auto type = static_cast<HandshakeType>(t);
      // A body that no parser accepts for most types: if the state looked at it, the error
      // would be decode_error, not unexpected_message.
      Bytes msg = {t, 0, 0, 3, 0xFF, 0xFF, 0xFF};
      auto r = h.to_client(h.server.record(ContentType::handshake, msg));
      if (accepted.count(type) != 0) {
        if (!r.ok()) {
          EXPECT_NE(r.error().code(), ErrorCode::unexpected_message) << r.error().message();
        }
      } else if (type == HandshakeType::hello_request && state != "client12::Connected") {
        // Ignored while negotiating, but the body must be empty.
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code(), ErrorCode::decode_error);
      } else {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message) << r.error().message();
        auto a = last_alert(h.from_client());
        ASSERT_TRUE(a.has_value());
        EXPECT_EQ(*a, AlertDescription::unexpected_message);
      }
    }
  }
}

TEST(Client12States, EmptyHelloRequestIsIgnoredWhileNegotiating) {
  for (const auto& [state, accepted] : accepted_table()) {
    if (state == "client12::Connected") {
      continue;
    }
    SCOPED_TRACE(state);
    ClientHarness h;
    advance(h, state);
    ASSERT_TRUE(h.to_client(h.server.record(ContentType::handshake, Bytes{0, 0, 0, 0})).ok());
    EXPECT_EQ(h.observer.states.back(), state);
    EXPECT_TRUE(h.from_client().empty());
  }
}

TEST(Client12States, ChangeCipherSpecAcceptedOnlyInExpectChangeCipherSpec) {
  for (const auto& [state, accepted] : accepted_table()) {
    SCOPED_TRACE(state);
    ClientHarness h;
    advance(h, state);
    auto r = h.to_client(h.server.record(ContentType::change_cipher_spec, Bytes{1}));
    if (state == "client12::ExpectChangeCipherSpec") {
      EXPECT_TRUE(r.ok());
      EXPECT_EQ(h.observer.states.back(), "client12::ExpectFinished");
    } else {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
    }
  }
}

TEST(Client12States, StateEventsFollowTheHandshake) {
  ClientHarness h;
  h.handshake();
  std::vector<std::string> expected = {"client12::ExpectServerHello",
                                       "client12::ExpectCertificate",
                                       "client12::ExpectServerKeyExchange",
                                       "client12::ExpectServerHelloDone",
                                       "client12::ExpectChangeCipherSpec",
                                       "client12::ExpectFinished",
                                       "client12::Connected"};
  EXPECT_EQ(h.observer.states, expected);
}

}  // namespace
}  // namespace hs::testing

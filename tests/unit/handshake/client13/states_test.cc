// Which handshake message types each client13 state (and the front's dual-version
// ExpectServerHello) accepts: every type is fed to every state, reached through the sans-IO API
// against the scripted TLS 1.3 server, and everything not in the table must be refused with
// unexpected_message before it is parsed. Also: where dummy ChangeCipherSpecs are dropped.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include <map>
#include <set>

#include "unit/handshake/client13/scripted_server13.h"

namespace hs::testing {
namespace {

const std::map<std::string, std::set<HandshakeType>>& accepted_table() {
  static const std::map<std::string, std::set<HandshakeType>> table = {
      // hello_request is ignored there while TLS 1.2 is still possible (RFC 5246 §7.4.1.1).
      {"client::ExpectServerHello", {HandshakeType::server_hello, HandshakeType::hello_request}},
      {"client13::ExpectServerHello", {HandshakeType::server_hello}},
      {"client13::ExpectEncryptedExtensions", {HandshakeType::encrypted_extensions}},
      {"client13::ExpectCertificateOrRequest",
       {HandshakeType::certificate, HandshakeType::certificate_request}},
      {"client13::ExpectCertificate", {HandshakeType::certificate}},
      {"client13::ExpectCertificateVerify", {HandshakeType::certificate_verify}},
      {"client13::ExpectFinished", {HandshakeType::finished}},
      {"client13::Connected", {HandshakeType::new_session_ticket, HandshakeType::key_update}},
  };
  return table;
}

const std::vector<uint8_t> kAllTypes = {0,  1,  2,  4,  5,  6,  8,   11, 12, 13,
                                        14, 15, 16, 20, 22, 24, 254, 3,  99, 255};

// advance brings a fresh harness to `state`, with no dummy ChangeCipherSpec from the server.
void advance(Harness13& h, const std::string& state) {
  auto& s = h.server;
  s.send_ccs = false;
  if (state == "client::ExpectServerHello") {
    return;
  }
  if (state == "client13::ExpectServerHello") {
    ASSERT_TRUE(h.to_client(s.hello_retry_request(NamedGroup::secp256r1)).ok());
    h.from_client();
    return;
  }
  if (state == "client13::ExpectCertificate") {
    s.certificate_request = true;
  }
  ASSERT_TRUE(h.to_client(s.server_hello()).ok());
  if (state == "client13::ExpectEncryptedExtensions") {
    return;
  }
  ASSERT_TRUE(h.to_client(s.encrypted_extensions()).ok());
  if (state == "client13::ExpectCertificateOrRequest") {
    return;
  }
  if (state == "client13::ExpectCertificate") {
    ASSERT_TRUE(h.to_client(s.certificate_request_msg()).ok());
    return;
  }
  ASSERT_TRUE(h.to_client(s.certificate()).ok());
  if (state == "client13::ExpectCertificateVerify") {
    return;
  }
  ASSERT_TRUE(h.to_client(s.certificate_verify()).ok());
  if (state == "client13::ExpectFinished") {
    return;
  }
  ASSERT_TRUE(h.to_client(s.finished()).ok());
  h.from_client();
}

TEST(Client13States, EveryStateRefusesEveryOtherMessageType) {
  for (const auto& [state, accepted] : accepted_table()) {
    for (uint8_t t : kAllTypes) {
      SCOPED_TRACE(state + " fed type " + std::to_string(t));
      Harness13 h;
      advance(h, state);
      ASSERT_FALSE(h.observer.states.empty());
      ASSERT_EQ(h.observer.states.back(), state);
      auto type = static_cast<HandshakeType>(t);
      // A body no parser accepts: had the state looked at it, the error would not be
      // unexpected_message.
      Bytes msg = {t, 0, 0, 3, 0xFF, 0xFF, 0xFF};
      auto r = h.to_client(h.server.record(ContentType::handshake, msg));
      if (accepted.count(type) != 0) {
        if (!r.ok()) {
          EXPECT_NE(r.error().code(), ErrorCode::unexpected_message) << r.error().message();
        }
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

// RFC 8446 §5: dropped "at any time" before the server's Finished (JSSE sends one after its
// HelloRetryRequest and one after its ServerHello), 16 at most.
TEST(Client13States, DummyChangeCipherSpecDroppedBeforeTheServerFinished) {
  for (const auto& [state, accepted] : accepted_table()) {
    SCOPED_TRACE(state);
    Harness13 h;
    advance(h, state);
    auto r = h.to_client(ScriptedServer::raw_record(20, Bytes{1}));
    if (state == "client13::Connected") {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(h.observer.states.back(), state);
    for (int i = 2; i <= 16; ++i) {
      r = h.to_client(ScriptedServer::raw_record(20, Bytes{1}));
      ASSERT_TRUE(r.ok()) << i << ": " << r.error().message();
    }
    EXPECT_EQ(h.observer.states.back(), state);
    r = h.to_client(ScriptedServer::raw_record(20, Bytes{1}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
  }
}

}  // namespace
}  // namespace hs::testing

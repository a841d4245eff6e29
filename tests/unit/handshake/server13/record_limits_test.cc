// Record-layer limits between our client and our server, in memory: record_size_limit (RFC
// 8449) in TLS 1.3 and TLS 1.2, and the automatic KeyUpdate before the AEAD usage limits of
// RFC 8446 §5.5 (with a tiny threshold), data compared end to end.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include <algorithm>
#include <string>
#include <vector>

#include "messages/messages.h"
#include "unit/handshake/server12/server12_harness.h"
#include "unit/handshake/server13/server13_harness.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;

// Wire keeps every record header and handshake message one connection produces.
class Wire final : public Observer {
 public:
  void on_event(const Event& event) override {
    if (const auto* r = std::get_if<RecordEvent>(&event.body)) {
      (r->direction == Direction::out ? out : in).push_back(*r);
    } else if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
      if (m->content_type == 22) {
        (m->direction == Direction::out ? sent : received)
            .push_back({m->handshake_type, Bytes(m->bytes.begin(), m->bytes.end())});
      }
    }
  }
  size_t count(const std::vector<std::pair<uint8_t, Bytes>>& msgs, uint8_t type) const {
    return static_cast<size_t>(
        std::count_if(msgs.begin(), msgs.end(), [&](const auto& m) { return m.first == type; }));
  }
  const Bytes* first_sent(uint8_t type) const {
    for (const auto& [t, b] : sent) {
      if (t == type) {
        return &b;
      }
    }
    return nullptr;
  }
  // largest_out is the longest record of outer type `content_type` sent (23: every protected
  // TLS 1.3 record, and TLS 1.2 application data).
  size_t largest_out(uint8_t content_type) const {
    size_t n = 0;
    for (const RecordEvent& r : out) {
      if (r.content_type == content_type) {
        n = std::max<size_t>(n, r.length);
      }
    }
    return n;
  }
  std::vector<RecordEvent> out;
  std::vector<RecordEvent> in;
  std::vector<std::pair<uint8_t, Bytes>> sent;
  std::vector<std::pair<uint8_t, Bytes>> received;
};

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& v : b) {
    x = x * 1103515245u + 12345u;
    v = static_cast<uint8_t>(x >> 16);
  }
  return b;
}

// transfer sends `up` from the client and `down` from the server in `chunk`-byte writes,
// interleaved, and returns what each side read.
std::pair<Bytes, Bytes> transfer(Pair13& p, const Bytes& up, const Bytes& down, size_t chunk) {
  Bytes got_up;
  Bytes got_down;
  size_t up_pos = 0;
  size_t down_pos = 0;
  Bytes buf(64 * 1024);
  for (int guard = 0; guard < 100000; ++guard) {
    if (up_pos < up.size()) {
      size_t n = std::min(chunk, up.size() - up_pos);
      EXPECT_TRUE(p.client->write(std::span<const uint8_t>(up).subspan(up_pos, n)).ok());
      up_pos += n;
    }
    if (down_pos < down.size()) {
      size_t n = std::min(chunk, down.size() - down_pos);
      EXPECT_TRUE(p.server->write(std::span<const uint8_t>(down).subspan(down_pos, n)).ok());
      down_pos += n;
    }
    p.pump();
    if (p.client_error || p.server_error) {
      break;
    }
    while (size_t n = p.server->read(buf)) {
      got_up.insert(got_up.end(), buf.begin(), buf.begin() + static_cast<long>(n));
    }
    while (size_t n = p.client->read(buf)) {
      got_down.insert(got_down.end(), buf.begin(), buf.begin() + static_cast<long>(n));
    }
    if (got_up.size() == up.size() && got_down.size() == down.size()) {
      break;
    }
  }
  return {got_up, got_down};
}

std::optional<uint16_t> limit_in(const Bytes& raw, bool server_hello) {
  std::span<const uint8_t> body = std::span<const uint8_t>(raw).subspan(4);
  std::vector<messages::Extension> exts;
  if (server_hello) {
    auto sh = messages::parse_server_hello(body);
    EXPECT_TRUE(sh.ok());
    exts = sh->extensions;
  } else {
    auto ee = messages::parse_encrypted_extensions(body);
    EXPECT_TRUE(ee.ok());
    exts = ee->extensions;
  }
  const messages::Extension* e = messages::find_extension(exts, ExtensionType::record_size_limit);
  if (e == nullptr) {
    return std::nullopt;
  }
  return messages::parse_record_size_limit(e->data).value();
}

Pair13 connect_observed(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc,
                        Wire& client_wire, Wire& server_wire) {
  Pair13 p;
  auto server = Connection::server(std::move(sc));
  EXPECT_TRUE(server.ok());
  p.server = std::move(server).value();
  p.server->set_observer(&server_wire);
  auto client = Connection::client(std::move(cc), "localhost", &client_wire);
  EXPECT_TRUE(client.ok()) << client.error().message();
  p.client = std::move(client).value();
  p.pump();
  return p;
}

TEST(RecordSizeLimit, Tls13BothSidesCapTheirRecordsToThePeersLimit) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto cc = client13_config();
  cc->record_size_limit = 256;
  auto sc = make_config({certs->rsa});
  sc->record_size_limit = 512;
  Wire cw;
  Wire sw;
  Pair13 p = connect_observed(cc, sc, cw, sw);
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  ASSERT_TRUE(p.client->is_connected());
  ASSERT_EQ(p.client->info().version, ProtocolVersion::tls1_3);
  // The server answers in EncryptedExtensions with its own limit.
  ASSERT_NE(sw.first_sent(8), nullptr);
  EXPECT_EQ(limit_in(*sw.first_sent(8), false), 512);

  const Bytes up = pattern(100000, 1);
  const Bytes down = pattern(150000, 2);
  auto [got_up, got_down] = transfer(p, up, down, 7000);
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  EXPECT_EQ(got_up, up);
  EXPECT_EQ(got_down, down);
  // RFC 8449 §4: the limit counts TLSInnerPlaintext; on the wire a protected record adds the
  // 16-byte tag. From EncryptedExtensions on (the server's certificate flight included) every
  // protected server record fits the client's 256.
  EXPECT_EQ(sw.largest_out(23), 256u + 16u);
  EXPECT_EQ(cw.largest_out(23), 512u + 16u);
}

TEST(RecordSizeLimit, Tls12ServerAnswersInServerHelloAndBothSidesCap) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto cc = client13_config({CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256});
  cc->max_version = ProtocolVersion::tls1_2;
  cc->record_size_limit = 300;
  auto sc = make_config({certs->rsa});
  // Above 2^14 is answered as 2^14 in TLS 1.2 (RFC 8449 §4).
  Wire cw;
  Wire sw;
  Pair13 p = connect_observed(cc, sc, cw, sw);
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_TRUE(p.client->is_connected());
  ASSERT_EQ(p.client->info().version, ProtocolVersion::tls1_2);
  EXPECT_EQ(limit_in(*sw.first_sent(2), true), 16384);

  const Bytes up = pattern(50000, 3);
  const Bytes down = pattern(80000, 4);
  auto [got_up, got_down] = transfer(p, up, down, 20000);
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  EXPECT_EQ(got_up, up);
  EXPECT_EQ(got_down, down);
  // AES-128-GCM in TLS 1.2: 8-byte explicit nonce + 16-byte tag around the plaintext.
  EXPECT_EQ(sw.largest_out(23), 300u + 24u);
  EXPECT_EQ(cw.largest_out(23), 16384u + 24u);
}

TEST(RecordSizeLimit, ServerAnswersOnlyWhenOffered) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto cc = client13_config();
  cc->record_size_limit = 0;  // not offered
  auto sc = make_config({certs->rsa});
  sc->record_size_limit = 100;
  Wire cw;
  Wire sw;
  Pair13 p = connect_observed(cc, sc, cw, sw);
  ASSERT_TRUE(p.client->is_connected());
  EXPECT_EQ(limit_in(*sw.first_sent(8), false), std::nullopt);
  // Not negotiated: full-size records both ways.
  const Bytes data = pattern(40000, 5);
  auto [got_up, got_down] = transfer(p, data, data, 40000);
  EXPECT_EQ(got_up, data);
  EXPECT_EQ(cw.largest_out(23), 16385u + 16u);
  EXPECT_EQ(sw.largest_out(23), 16385u + 16u);

  // The same for TLS 1.2.
  auto cc12 = client13_config({CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256});
  cc12->max_version = ProtocolVersion::tls1_2;
  cc12->record_size_limit = 0;
  Wire cw12;
  Wire sw12;
  p = connect_observed(cc12, sc, cw12, sw12);
  ASSERT_TRUE(p.client->is_connected());
  EXPECT_EQ(limit_in(*sw12.first_sent(2), true), std::nullopt);
}

TEST(RecordSizeLimit, ConfigOutsideTheRfcRangeIsRefused) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  for (uint16_t bad : {uint16_t{1}, uint16_t{63}, uint16_t{16386}}) {
    auto cc = client13_config();
    cc->record_size_limit = bad;
    auto c = Connection::client(cc, "localhost");
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code(), ErrorCode::invalid_config);
    auto sc = make_config({certs->rsa});
    sc->record_size_limit = bad;
    auto s = Connection::server(sc);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), ErrorCode::invalid_config);
  }
  auto cc = client13_config();
  cc->key_update_after_records = 0;
  EXPECT_FALSE(Connection::client(cc, "localhost").ok());
}

TEST(AutomaticKeyUpdate, TinyThresholdUpdatesManyTimesWithDataIntact) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto cc = client13_config();
  cc->key_update_after_records = 4;
  auto sc = make_config({certs->ecdsa});
  sc->key_update_after_records = 3;
  Wire cw;
  Wire sw;
  Pair13 p = connect_observed(cc, sc, cw, sw);
  ASSERT_TRUE(p.client->is_connected());
  const Bytes up = pattern(64 * 16384, 6);
  const Bytes down = pattern(48 * 16384, 7);
  auto [got_up, got_down] = transfer(p, up, down, 16384);
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  EXPECT_EQ(got_up, up);
  EXPECT_EQ(got_down, down);
  // Client: 64 full records, a KeyUpdate before every 4th after the first 4: 15 updates.
  EXPECT_EQ(cw.count(cw.sent, 24), 15u);
  EXPECT_EQ(sw.count(sw.received, 24), 15u);
  // Server: its application key also sealed the two NewSessionTickets, so the first update
  // comes after one data record; then one every 3 records.
  EXPECT_GE(sw.count(sw.sent, 24), 15u);
  EXPECT_EQ(cw.count(cw.received, 24), sw.count(sw.sent, 24));
  // Every update says update_not_requested (RFC 8446 §4.6.3: 0).
  for (const auto& [type, raw] : cw.sent) {
    if (type == 24) {
      EXPECT_EQ(raw.back(), 0);
    }
  }
}

TEST(AutomaticKeyUpdate, ExplicitKeyUpdateRequestingThePeers) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  Wire cw;
  Wire sw;
  Pair13 p = connect_observed(client13_config(), make_config({certs->ecdsa}), cw, sw);
  ASSERT_TRUE(p.client->is_connected());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(p.client->key_update(/*request_peer_update=*/true).ok());
    p.pump();
    ASSERT_TRUE(p.server->key_update(/*request_peer_update=*/false).ok());
    p.pump();
  }
  // The first request is answered (RFC 8446 §4.6.3); the server sends no application data in
  // between, so its own KeyUpdates already precede its next data record and the later requests
  // need no further answer: 1 answer + 5 of its own.
  EXPECT_EQ(cw.count(cw.sent, 24), 5u);
  EXPECT_EQ(sw.count(sw.sent, 24), 6u);
  const Bytes data = pattern(100000, 8);
  auto [got_up, got_down] = transfer(p, data, data, 30000);
  EXPECT_EQ(got_up, data);
  EXPECT_EQ(got_down, data);

  // TLS 1.2 has no KeyUpdate.
  auto cc12 = client13_config({CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256});
  cc12->max_version = ProtocolVersion::tls1_2;
  p = connect13(cc12, make_config({certs->ecdsa}), nullptr);
  ASSERT_TRUE(p.client->is_connected());
  auto r = p.client->key_update();
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(p.client->failed());
}

// update_requested_count counts the KeyUpdates among `msgs` that ask for an answer (body 1).
size_t update_requested_count(const std::vector<std::pair<uint8_t, Bytes>>& msgs) {
  return static_cast<size_t>(std::count_if(msgs.begin(), msgs.end(), [](const auto& m) {
    return m.first == 24 && m.second.size() == 5 && m.second[4] == 1;
  }));
}

TEST(AutomaticKeyUpdate, FloodOfRequestsGetsOneAnswerPerDataRecord) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  Wire cw;
  Wire sw;
  Pair13 p = connect_observed(client13_config(), make_config({certs->ecdsa}), cw, sw);
  ASSERT_TRUE(p.client->is_connected());
  const Bytes data = pattern(40000, 9);
  for (int round = 1; round <= 3; ++round) {
    // Client -> server: 20 KeyUpdate(update_requested) in a row, then the server answers.
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(p.client->key_update(/*request_peer_update=*/true).ok());
    }
    p.pump();
    ASSERT_FALSE(p.server_error) << p.server_error->message();
    EXPECT_EQ(update_requested_count(sw.received), 20u * static_cast<size_t>(round));
    // RFC 8446 §4.6.3: one KeyUpdate "prior to sending its next Application Data record".
    EXPECT_EQ(sw.count(sw.sent, 24), static_cast<size_t>(round));
    EXPECT_EQ(cw.count(cw.received, 24), static_cast<size_t>(round));
    // Both directions still work under the new keys.
    auto [got_up, got_down] = transfer(p, data, data, 16384);
    ASSERT_FALSE(p.client_error) << p.client_error->message();
    ASSERT_FALSE(p.server_error) << p.server_error->message();
    EXPECT_EQ(got_up, data);
    EXPECT_EQ(got_down, data);
  }
  // Server -> client as well: the client coalesces the same way.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(p.server->key_update(/*request_peer_update=*/true).ok());
  }
  p.pump();
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  EXPECT_EQ(cw.count(cw.sent, 24), 60u + 1u);
  auto [got_up, got_down] = transfer(p, data, data, 16384);
  EXPECT_EQ(got_up, data);
  EXPECT_EQ(got_down, data);
}

}  // namespace
}  // namespace hs::test

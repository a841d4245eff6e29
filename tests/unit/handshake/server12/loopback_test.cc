// The TLS 1.2 server behind hs::Connection::server: a full in-memory handshake with our own
// client for every suite x group x certificate type, application data both ways, and the
// alerts a rejected client sees on the wire.
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/keylog.h>

#include <map>

#include "codec/reader.h"
#include "handshake/common/suites.h"
#include "unit/handshake/server12/server12_harness.h"
#include "unit/handshake/server13/server13_harness.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;

// KeyCapture keeps the CLIENT_RANDOM lines (test only: secrets leave through the sink).
class KeyCapture final : public KeyLogSink {
 public:
  void log(std::string_view label, std::span<const uint8_t> client_random,
           std::span<const uint8_t> secret) override {
    if (label == "CLIENT_RANDOM") {
      client_random_.assign(client_random.begin(), client_random.end());
      master_.assign(secret.begin(), secret.end());
    }
  }
  Bytes client_random_;
  Bytes master_;
};

// Records collects the handshake messages a connection sends (to read the ServerHello).
class Messages final : public Observer {
 public:
  void on_event(const Event& event) override {
    if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
      if (m->direction == Direction::out && m->content_type == 22) {
        sent[m->handshake_type] = Bytes(m->bytes.begin(), m->bytes.end());
      }
    }
  }
  std::map<uint8_t, Bytes> sent;
};

// transfer moves everything `from` has to send into `to`; returns `to`'s receive result.
Result<void> transfer(Connection& from, Connection& to) {
  Bytes out(from.output().begin(), from.output().end());
  from.consume_output(out.size());
  if (out.empty()) {
    return ok_result();
  }
  return to.receive(out);
}

struct Pair {
  std::unique_ptr<Connection> client;
  std::unique_ptr<Connection> server;
  std::optional<Error> client_error;
  std::optional<Error> server_error;

  void pump() {
    for (int i = 0; i < 16 && (client->wants_write() || server->wants_write()); ++i) {
      auto r = transfer(*client, *server);
      if (!r.ok() && !server_error) {
        server_error = r.error();
      }
      auto r2 = transfer(*server, *client);
      if (!r2.ok() && !client_error) {
        client_error = r2.error();
      }
    }
  }
};

std::shared_ptr<ClientConfig> client_config(CipherSuite suite, NamedGroup group) {
  auto c = std::make_shared<ClientConfig>();
  c->cipher_suites = {suite};
  c->groups = {group};
  c->dangerous_skip_verification = true;
  c->provider = &test_provider();
  return c;
}

Pair connect(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc,
             Observer* server_observer = nullptr) {
  Pair p;
  auto server = Connection::server(std::move(sc));
  EXPECT_TRUE(server.ok());
  p.server = std::move(server).value();
  p.server->set_observer(server_observer);
  auto client = Connection::client(std::move(cc), "localhost");
  EXPECT_TRUE(client.ok());
  p.client = std::move(client).value();
  p.pump();
  return p;
}

TEST(Server12Loopback, EverySuiteGroupAndCertificateType) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  const CipherSuite suites[] = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                                CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                                CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                                CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256};
  for (CipherSuite suite : suites) {
    for (NamedGroup group : {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1,
                             NamedGroup::x448, NamedGroup::secp521r1}) {
      const bool ecdsa = detail::suite_info(suite)->auth == detail::SuiteAuth::ecdsa;
      SCOPED_TRACE(::testing::Message() << suite_name(suite) << " " << group_name(group));
      // The server holds both certificates; the suite decides which one it presents.
      auto sc = make_config({certs->rsa, certs->ecdsa});
      auto p = connect(client_config(suite, group), sc);
      ASSERT_FALSE(p.client_error) << p.client_error->message();
      ASSERT_FALSE(p.server_error) << p.server_error->message();
      ASSERT_TRUE(p.client->is_connected());
      ASSERT_TRUE(p.server->is_connected());
      EXPECT_EQ(p.server->info().cipher_suite, suite);
      EXPECT_EQ(p.client->info().cipher_suite, suite);
      // signature_scheme is the peer's signature on both sides, own_signature_scheme ours: the
      // server's ServerKeyExchange scheme, and no client signature.
      ASSERT_TRUE(p.server->info().own_signature_scheme.has_value());
      EXPECT_EQ(p.server->info().own_signature_scheme, p.client->info().signature_scheme);
      EXPECT_FALSE(p.server->info().signature_scheme.has_value());
      EXPECT_FALSE(p.client->info().own_signature_scheme.has_value());
      EXPECT_EQ(p.server->info().group, group);
      EXPECT_TRUE(p.server->info().extended_master_secret);
      EXPECT_TRUE(p.client->info().extended_master_secret);
      ASSERT_FALSE(p.client->info().peer_chain.empty());
      EXPECT_EQ(p.client->info().peer_chain.front(),
                (ecdsa ? certs->ecdsa : certs->rsa).chain.front());

      // Application data both ways.
      const Bytes ping = {'p', 'i', 'n', 'g'};
      ASSERT_TRUE(p.client->write(ping).ok());
      ASSERT_TRUE(transfer(*p.client, *p.server).ok());
      Bytes got(16);
      got.resize(p.server->read(got));
      EXPECT_EQ(got, ping);
      const Bytes pong(3000, 0x42);
      ASSERT_TRUE(p.server->write(pong).ok());
      ASSERT_TRUE(transfer(*p.server, *p.client).ok());
      Bytes back(4000);
      back.resize(p.client->read(back));
      EXPECT_EQ(back, pong);

      // close_notify from the server reaches the client as a clean close.
      p.server->close();
      ASSERT_TRUE(transfer(*p.server, *p.client).ok());
      EXPECT_TRUE(p.client->peer_closed());
    }
  }
}

// RFC 8422 §2.1: ECDHE_ECDSA suites take "an ECDSA- or EdDSA-capable public key": Ed25519,
// Ed448 and P-521 keys serve them and sign the ServerKeyExchange with their own scheme.
TEST(Server12Loopback, EdDsaAndP521CertificatesServeEcdheEcdsa) {
  const Tls13Certs* extra = tls13_certs();
  ASSERT_NE(extra, nullptr);
  struct Cert {
    const char* name;
    const ServerCertificate* cert;
    SignatureScheme scheme;
  };
  const Cert certs[] = {{"Ed25519", &extra->ed25519, SignatureScheme::ed25519},
                        {"Ed448", &extra->ed448, SignatureScheme::ed448},
                        {"ECDSA P-521", &extra->ecdsa521, SignatureScheme::ecdsa_secp521r1_sha512}};
  for (const Cert& c : certs) {
    SCOPED_TRACE(c.name);
    auto p = connect(
        client_config(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, NamedGroup::x25519),
        make_config({*c.cert}));
    ASSERT_FALSE(p.client_error) << p.client_error->message();
    ASSERT_FALSE(p.server_error) << p.server_error->message();
    ASSERT_TRUE(p.client->is_connected());
    EXPECT_EQ(p.client->info().version, ProtocolVersion::tls1_2);
    EXPECT_EQ(p.server->info().own_signature_scheme, c.scheme);
    EXPECT_EQ(p.client->info().signature_scheme, c.scheme);
  }
}

TEST(Server12Loopback, KeyLogLineMatchesBothSides) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto server_keys = std::make_shared<KeyCapture>();
  auto client_keys = std::make_shared<KeyCapture>();
  auto sc = make_config({certs->ecdsa});
  sc->key_log = server_keys;
  auto cc = client_config(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, NamedGroup::x25519);
  cc->key_log = client_keys;
  auto p = connect(cc, sc);
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_EQ(server_keys->master_.size(), 48u);
  EXPECT_EQ(server_keys->master_, client_keys->master_);
  EXPECT_EQ(server_keys->client_random_, client_keys->client_random_);
}

// ---- alerts on the wire ----

// alert_after feeds `records` to a fresh server and returns the description of the fatal alert
// it queued (nullopt when it queued none).
std::optional<AlertDescription> alert_after(std::shared_ptr<ServerConfig> sc,
                                            const Bytes& records) {
  auto server = Connection::server(std::move(sc));
  EXPECT_TRUE(server.ok());
  auto r = server.value()->receive(records);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(server.value()->failed());
  // The last record out is the alert: type 21, length 2, level fatal.
  codec::Reader in(server.value()->output());
  std::optional<AlertDescription> last;
  while (!in.empty()) {
    uint8_t type = 0;
    uint16_t version = 0;
    codec::Reader body;
    if (!in.read_u8(type) || !in.read_u16(version) ||
        !in.read_prefixed(codec::Len::u16, 0, 0xFFFF, body)) {
      ADD_FAILURE() << "malformed server output";
      return std::nullopt;
    }
    uint8_t level = 0;
    uint8_t desc = 0;
    if (type == 21 && body.read_u8(level) && body.read_u8(desc)) {
      EXPECT_EQ(level, 2);
      last = static_cast<AlertDescription>(desc);
    }
  }
  return last;
}

Bytes record(uint8_t type, const Bytes& payload) {
  Bytes out = {type, 0x03, 0x01, static_cast<uint8_t>(payload.size() >> 8),
               static_cast<uint8_t>(payload.size() & 0xFF)};
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

class Server12Alerts : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = test_certs();
    ASSERT_NE(certs_, nullptr);
  }
  std::optional<AlertDescription> hello_alert(const HelloOptions& opts,
                                              std::shared_ptr<ServerConfig> sc = nullptr) {
    if (!sc) {
      sc = make_config({certs_->rsa, certs_->ecdsa});
    }
    return alert_after(sc, record(22, client_hello(opts)));
  }
  const TestCerts* certs_ = nullptr;
};

TEST_F(Server12Alerts, NoSharedSuite) {
  HelloOptions opts;
  opts.suites = {0xC013, 0x1301};
  EXPECT_EQ(hello_alert(opts), AlertDescription::handshake_failure);
}

TEST_F(Server12Alerts, NoSharedGroup) {
  HelloOptions opts;
  // X25519MLKEM768 is a TLS 1.3 group (and one we do not implement).
  opts.groups = std::vector<NamedGroup>{NamedGroup::X25519MLKEM768};
  EXPECT_EQ(hello_alert(opts), AlertDescription::handshake_failure);
}

TEST_F(Server12Alerts, MalformedClientHello) {
  Bytes hello = client_hello(HelloOptions{});
  hello[4 + 2 + 32] = 33;  // legacy_session_id length beyond its 0..32 bound
  EXPECT_EQ(alert_after(make_config({certs_->rsa}), record(22, hello)),
            AlertDescription::decode_error);
}

TEST_F(Server12Alerts, DuplicateExtension) {
  HelloOptions opts;
  opts.extra = {messages::Extension{ExtensionType::renegotiation_info, {0x00}}};
  EXPECT_EQ(hello_alert(opts), AlertDescription::illegal_parameter);
}

TEST_F(Server12Alerts, NoExtendedMasterSecretWhenRequired) {
  auto sc = make_config({certs_->rsa, certs_->ecdsa});
  sc->require_extended_master_secret = true;
  HelloOptions opts;
  opts.ems = false;
  EXPECT_EQ(hello_alert(opts, sc), AlertDescription::handshake_failure);
}

TEST_F(Server12Alerts, NonEmptyRenegotiationInfo) {
  HelloOptions opts;
  opts.renegotiation_info = Bytes(12, 1);
  EXPECT_EQ(hello_alert(opts), AlertDescription::handshake_failure);
}

TEST_F(Server12Alerts, AlpnNoOverlap) {
  auto sc = make_config({certs_->rsa});
  sc->alpn = {"h2"};
  HelloOptions opts;
  opts.alpn = std::vector<std::string>{"http/1.1"};
  EXPECT_EQ(hello_alert(opts, sc), AlertDescription::no_application_protocol);
}

TEST_F(Server12Alerts, ChangeCipherSpecBeforeClientKeyExchange) {
  Bytes in = record(22, client_hello(HelloOptions{}));
  Bytes ccs = record(20, Bytes{0x01});
  in.insert(in.end(), ccs.begin(), ccs.end());
  EXPECT_EQ(alert_after(make_config({certs_->rsa}), in), AlertDescription::unexpected_message);
}

TEST_F(Server12Alerts, ClientKeyExchangeFirst) {
  Bytes cke = handshake_raw(HandshakeType::client_key_exchange, Bytes{1, 4});
  EXPECT_EQ(alert_after(make_config({certs_->rsa}), record(22, cke)),
            AlertDescription::unexpected_message);
}

TEST_F(Server12Alerts, RenegotiationAttemptGetsANoRenegotiationWarning) {
  // Handshake with our client, then play the client's part by hand: rebuild its write keys
  // from the key log and the ServerHello, and send an encrypted ClientHello.
  auto keys = std::make_shared<KeyCapture>();
  auto sc = make_config({certs_->ecdsa});
  sc->key_log = keys;
  Messages server_messages;
  auto p = connect(
      client_config(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, NamedGroup::x25519), sc,
      &server_messages);
  ASSERT_TRUE(p.server->is_connected());
  const Bytes& sh_raw = server_messages.sent.at(2);
  auto sh = messages::parse_server_hello(std::span<const uint8_t>(sh_raw).subspan(4));
  ASSERT_TRUE(sh.ok());
  const crypto::Provider& prov = test_provider();
  auto kb = keyschedule::key_block(prov, crypto::HashAlg::sha256, crypto::AeadAlg::aes_128_gcm,
                                   keys->master_, keys->client_random_, sh->random);
  ASSERT_TRUE(kb.ok());
  auto client_write =
      record::make_tls12_protection(prov, crypto::AeadAlg::aes_128_gcm,
                                    kb->client_write_key.expose(), kb->client_write_iv.expose());
  ASSERT_TRUE(client_write.ok());
  client_write.value()->dangerous_set_sequence_number(1);  // the client's Finished used 0
  Bytes wire;
  ASSERT_TRUE(client_write.value()
                  ->seal(ContentType::handshake, 0x0303, client_hello(HelloOptions{}), wire)
                  .ok());
  // RFC 5246 §7.2.2: no_renegotiation "is always a warning": the server stays up.
  auto r = p.server->receive(wire);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(p.server->is_connected());
  // The client reads the (encrypted) warning and carries on.
  auto r2 = transfer(*p.server, *p.client);
  ASSERT_TRUE(r2.ok()) << r2.error().message();
  EXPECT_FALSE(p.client->failed());
}

}  // namespace
}  // namespace hs::test

// Declined 0-RTT (RFC 8446 §4.2.10): the server skips the client's early data records, up to a
// budget, through hs::Connection and the record decoder.
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/keylog.h>

#include <map>

#include "codec/writer.h"
#include "keyschedule/tls13_schedule.h"
#include "messages/messages.h"
#include "record/protection.h"
#include "unit/handshake/server13/server13_harness.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;

class Secrets final : public KeyLogSink {
 public:
  void log(std::string_view label, std::span<const uint8_t>,
           std::span<const uint8_t> secret) override {
    lines[std::string(label)] = Bytes(secret.begin(), secret.end());
  }
  std::map<std::string, Bytes> lines;
};

// Transcript keeps every handshake message the server sends or receives, in order.
class Transcript final : public Observer {
 public:
  void on_event(const Event& event) override {
    if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
      if (m->content_type == 22) {
        messages.emplace_back(m->bytes.begin(), m->bytes.end());
      }
    } else if (const auto* n = std::get_if<NoteEvent>(&event.body)) {
      if (n->text.find("early data record skipped") != std::string::npos) {
        ++skipped;
      }
    }
  }
  std::vector<Bytes> messages;
  int skipped = 0;
};

Bytes plaintext_record(ContentType type, const Bytes& body) {
  Bytes out;
  codec::Writer w(out);
  w.write_u8(static_cast<uint8_t>(type));
  w.write_u16(0x0303);
  w.write_prefixed_bytes(codec::Len::u16, body);
  return out;
}

// Runs a handshake whose ClientHello offers early_data and is followed by `early_records`
// early data records of `early_size` bytes (sealed with a key the server cannot know), then
// the client Finished. Returns the server's receive() result for the last step.
struct Outcome {
  Result<void> result = ok_result();
  bool connected = false;
  int skipped = 0;
};

Outcome run(int early_records, size_t early_size) {
  const TestCerts* certs = test_certs();
  Outcome out;
  if (certs == nullptr) {
    out.result = Error(ErrorCode::internal_error, "test");
    return out;
  }
  const crypto::Provider& provider = test_provider();
  auto config = make_config({certs->ecdsa});
  auto secrets = std::make_shared<Secrets>();
  config->key_log = secrets;
  auto server = Connection::server(config).value();
  Transcript t;
  server->set_observer(&t);

  // ClientHello with an x25519 share and early_data.
  auto share = provider.generate_key_share(NamedGroup::x25519).value();
  messages::ClientHello ch;
  ch.random.fill(7);
  ch.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  ch.compression_methods = {0};
  auto add = [&](ExtensionType type, auto&& fn) {
    ch.extensions.push_back(messages::make_extension(type, fn).value());
  };
  add(ExtensionType::supported_versions, [](auto& o) {
    return messages::serialize_supported_versions_client({ProtocolVersion::tls1_3}, o);
  });
  add(ExtensionType::supported_groups,
      [](auto& o) { return messages::serialize_supported_groups({NamedGroup::x25519}, o); });
  add(ExtensionType::signature_algorithms, [](auto& o) {
    return messages::serialize_signature_algorithms({SignatureScheme::ecdsa_secp256r1_sha256}, o);
  });
  auto pub = share->public_key();
  add(ExtensionType::key_share, [&](auto& o) {
    return messages::serialize_key_share_client(
        {{NamedGroup::x25519, Bytes(pub.begin(), pub.end())}}, o);
  });
  ch.extensions.push_back(messages::Extension{ExtensionType::early_data, {}});
  Bytes ch_raw;
  EXPECT_TRUE(messages::serialize_message(ch, ch_raw).ok());
  Bytes input = plaintext_record(ContentType::handshake, ch_raw);

  // Early data under a key of our own (standing in for client_early_traffic_secret).
  auto early = record::make_tls13_protection(provider, crypto::AeadAlg::aes_128_gcm,
                                             Bytes(16, 0xEE), Bytes(12, 0xE1))
                   .value();
  for (int i = 0; i < early_records; ++i) {
    EXPECT_TRUE(
        early->seal(ContentType::application_data, 0x0303, Bytes(early_size, 'e'), input).ok());
  }
  out.result = server->receive(input);
  if (!out.result.ok()) {
    out.skipped = t.skipped;
    return out;
  }
  // The client Finished under the client handshake traffic secret the server logged.
  auto th = provider.make_hash(crypto::HashAlg::sha256);
  for (const Bytes& m : t.messages) {
    th->update(m);
  }
  Bytes hash(32);
  th->current(hash);
  auto chs = keyschedule::TrafficSecret::dangerous_from_bytes(
                 keyschedule::TrafficSecretKind::client_handshake, crypto::HashAlg::sha256,
                 secrets->lines["CLIENT_HANDSHAKE_TRAFFIC_SECRET"])
                 .value();
  auto vd = keyschedule::finished_verify_data13(provider, chs, hash).value();
  Bytes fin_raw;
  EXPECT_TRUE(
      messages::serialize_message(messages::Finished{declassify(vd.expose())}, fin_raw).ok());
  auto keys = keyschedule::traffic_keys(provider, chs, crypto::AeadAlg::aes_128_gcm).value();
  auto hs_write = record::make_tls13_protection(provider, crypto::AeadAlg::aes_128_gcm,
                                                keys.key.expose(), keys.iv.expose())
                      .value();
  Bytes fin_record;
  EXPECT_TRUE(hs_write->seal(ContentType::handshake, 0x0303, fin_raw, fin_record).ok());
  out.result = server->receive(fin_record);
  out.connected = server->is_connected();
  out.skipped = t.skipped;
  return out;
}

TEST(Server13EarlyData, DeclinedEarlyDataIsSkipped) {
  Outcome o = run(3, 1000);
  ASSERT_TRUE(o.result.ok()) << o.result.error().message();
  EXPECT_TRUE(o.connected);
  EXPECT_EQ(o.skipped, 3);
}

TEST(Server13EarlyData, EarlyDataBeyondTheBudgetIsBadRecordMac) {
  // 2^14 bytes of plaintext plus 256 of slack: five records of 4000 bytes exceed it.
  Outcome o = run(5, 4000);
  ASSERT_FALSE(o.result.ok());
  EXPECT_EQ(o.result.error().alert(), AlertDescription::bad_record_mac);
  EXPECT_EQ(o.skipped, 0);  // reported only alongside a record that opens
}

}  // namespace
}  // namespace hs::test

// ladder_from_report: a dissected connection becomes the same ladder model the live trace
// builds (sizes with the handshake header, HelloRetryRequest, capture times, TLS 1.3 records
// that stayed closed).
#include "dissect/ladder_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hs::dissect {
namespace {

FlowItem item(Direction from, FlowItem::Kind kind, uint8_t type, std::string name, size_t length,
              bool encrypted, double time) {
  FlowItem i;
  i.from = from;
  i.kind = kind;
  i.handshake_type = type;
  i.name = std::move(name);
  i.length = length;
  i.encrypted = encrypted;
  i.time = time;
  return i;
}

constexpr Direction kC = Direction::client_to_server;
constexpr Direction kS = Direction::server_to_client;
using K = FlowItem::Kind;

TEST(LadderReport, DecryptedTls13WithHelloRetry) {
  ConnectionReport r;
  r.index = 3;
  r.version = "TLSv1.3";
  r.cipher_suite = "TLS_AES_128_GCM_SHA256";
  r.group = "secp256r1";
  r.hello_retry = true;
  r.items.push_back(item(kC, K::handshake, 1, "Client Hello", 200, false, 100.000));
  r.items.back().fields.emplace_back("server_name", "example.test");
  r.items.push_back(item(kS, K::handshake, 2, "Hello Retry Request", 84, false, 100.001));
  r.items.push_back(item(kC, K::handshake, 1, "Client Hello", 300, false, 100.002));
  r.items.push_back(item(kS, K::handshake, 2, "Server Hello", 151, false, 100.003));
  r.items.push_back(item(kS, K::handshake, 8, "Encrypted Extensions", 10, true, 100.003));
  r.items.back().fields.emplace_back("alpn", "http/1.1");
  r.items.push_back(item(kS, K::handshake, 20, "Finished", 32, true, 100.003));
  r.items.push_back(item(kC, K::handshake, 20, "Finished", 32, true, 100.004));
  r.items.push_back(item(kC, K::application_data, 0, "Application Data", 70, true, 100.004));
  r.items.push_back(item(kS, K::alert, 0, "Alert", 2, true, 100.005));
  r.items.back().fields = {{"level", "warning"}, {"description", "close_notify"}};
  trace::Ladder l = ladder_from_report(r);
  ASSERT_EQ(l.arrows.size(), 9u);
  EXPECT_EQ(l.arrows[0].name, "ClientHello");
  EXPECT_EQ(l.arrows[0].size, 204u);  // the 4-byte header counted, as the live trace does
  EXPECT_EQ(l.arrows[1].name, "HelloRetryRequest");
  EXPECT_EQ(l.arrows[8].name, "Alert: close_notify (warning)");
  EXPECT_FALSE(l.arrows[7].early_data);
  EXPECT_EQ(l.round_trips.size(), 2u);
  EXPECT_NEAR(l.arrows[3].time, 0.003, 1e-9);
  EXPECT_EQ(l.summary.version, "TLS 1.3");
  EXPECT_EQ(l.summary.sni, "example.test");
  EXPECT_EQ(l.summary.alpn, "http/1.1");
  EXPECT_TRUE(l.summary.hello_retry);
  EXPECT_EQ(l.viewpoint, "capture");
  EXPECT_EQ(l.title, "Connection 3: TLS 1.3 handshake");
}

TEST(LadderReport, Tls13WithoutKeysStillCountsOneRoundTrip) {
  ConnectionReport r;
  r.version = "TLSv1.3";
  r.items.push_back(item(kC, K::handshake, 1, "Client Hello", 200, false, 1.0));
  r.items.push_back(item(kS, K::handshake, 2, "Server Hello", 118, false, 1.1));
  for (size_t n : {48u, 954u, 281u, 53u}) {
    r.items.push_back(item(kS, K::encrypted, 0, "Encrypted Record", n, true, 1.1));
  }
  r.items.push_back(item(kC, K::encrypted, 0, "Encrypted Record", 53, true, 1.2));  // Finished
  r.items.push_back(item(kC, K::encrypted, 0, "Encrypted Record", 91, true, 1.2));  // request
  r.items.push_back(item(kS, K::encrypted, 0, "Encrypted Record", 164, true, 1.3));
  r.items.push_back(item(kC, K::encrypted, 0, "Encrypted Record", 19, true, 1.4));
  r.items.push_back(item(kS, K::encrypted, 0, "Encrypted Record", 19, true, 1.5));
  trace::Ladder l = ladder_from_report(r);
  EXPECT_EQ(l.round_trips.size(), 1u);
  EXPECT_EQ(l.arrows[6].name, "Encrypted Record");
  EXPECT_EQ(l.arrows[7].name, "Encrypted Record (likely data)");
  ASSERT_FALSE(l.notes.empty());
}

TEST(LadderReport, Tls12WithoutKeysUsesTheRecordTypes) {
  ConnectionReport r;
  r.version = "TLSv1.2";
  r.items.push_back(item(kC, K::handshake, 1, "Client Hello", 155, false, 1.0));
  r.items.push_back(item(kS, K::handshake, 2, "Server Hello", 116, false, 1.1));
  r.items.push_back(item(kS, K::handshake, 14, "Server Hello Done", 0, false, 1.1));
  r.items.push_back(item(kC, K::handshake, 16, "Client Key Exchange", 33, false, 1.2));
  r.items.push_back(item(kC, K::change_cipher_spec, 0, "Change Cipher Spec", 1, false, 1.2));
  r.items.push_back(item(kC, K::encrypted, 0, "Encrypted Handshake Message", 40, true, 1.2));
  r.items.push_back(item(kS, K::change_cipher_spec, 0, "Change Cipher Spec", 1, false, 1.3));
  r.items.push_back(item(kS, K::encrypted, 0, "Encrypted Handshake Message", 40, true, 1.3));
  r.items.push_back(item(kC, K::encrypted, 0, "Encrypted Application Data", 98, true, 1.4));
  trace::Ladder l = ladder_from_report(r);
  EXPECT_EQ(l.round_trips.size(), 2u);
  EXPECT_EQ(l.data_after_round_trips, 2u);
  EXPECT_EQ(l.arrows[5].name, "Encrypted Handshake Message");
  EXPECT_TRUE(l.arrows[5].encryption_starts);
}

}  // namespace
}  // namespace hs::dissect

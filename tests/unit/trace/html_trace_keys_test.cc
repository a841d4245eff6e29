// The --trace-html key store of a server: every connection's page shares one store fed by the
// key-log tee, and release_keys() drops a connection's lines once its page is written, so the
// store holds only the connections still open however many have been served.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "messages/client_hello.h"
#include "trace/html_trace.h"

namespace hs::trace {
namespace {

// client_hello returns a whole handshake message (header included) with this random.
std::vector<uint8_t> client_hello(uint8_t random_byte) {
  messages::ClientHello ch;
  ch.random.fill(random_byte);
  ch.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  ch.compression_methods = {0};
  std::vector<uint8_t> body;
  EXPECT_TRUE(messages::serialize(ch, body).ok());
  std::vector<uint8_t> msg = {1, 0, static_cast<uint8_t>(body.size() >> 8),
                              static_cast<uint8_t>(body.size() & 0xFF)};
  msg.insert(msg.end(), body.begin(), body.end());
  return msg;
}

// receive_hello shows the page a ClientHello; log_secrets logs that connection's secrets.
void receive_hello(HtmlTraceRenderer& page, uint8_t random_byte) {
  const std::vector<uint8_t> msg = client_hello(random_byte);
  page.on_event(
      {std::chrono::steady_clock::now(), MessageEvent{Direction::in, 22, 1, 0x0303, msg, false}});
}

void log_secrets(KeyLogSink& tee, uint8_t random_byte) {
  std::array<uint8_t, 32> random{};
  random.fill(random_byte);
  const std::array<uint8_t, 32> secret{};
  tee.log("CLIENT_HANDSHAKE_TRAFFIC_SECRET", random, secret);
  tee.log("SERVER_HANDSHAKE_TRAFFIC_SECRET", random, secret);
  tee.log("CLIENT_TRAFFIC_SECRET_0", random, secret);
}

TEST(HtmlTraceKeys, ReleaseDropsOnlyThePagesOwnConnection) {
  auto store = std::make_shared<std::vector<KeyLogLine>>();
  auto tee = make_key_log_tee(nullptr, store);
  HtmlTraceRenderer first("first", store);
  HtmlTraceRenderer second("second", store);
  receive_hello(first, 1);
  receive_hello(second, 2);
  log_secrets(*tee, 1);
  log_secrets(*tee, 2);
  ASSERT_EQ(store->size(), 6u);

  (void)first.render();
  first.release_keys();
  ASSERT_EQ(store->size(), 3u);
  for (const KeyLogLine& line : *store) {
    EXPECT_EQ(line.client_random, std::vector<uint8_t>(32, 2));  // the open connection's
  }
  second.release_keys();
  EXPECT_TRUE(store->empty());
}

TEST(HtmlTraceKeys, StoreStaysBoundedOverManyConnections) {
  // As `hs server --trace-html` with a key log: up to 4 connections open at once, 200 served.
  auto store = std::make_shared<std::vector<KeyLogLine>>();
  auto tee = make_key_log_tee(nullptr, store);
  std::vector<std::unique_ptr<HtmlTraceRenderer>> open;
  size_t most = 0;
  for (int i = 0; i < 200; ++i) {
    const auto random_byte = static_cast<uint8_t>(i);
    auto page = std::make_unique<HtmlTraceRenderer>("connection", store);
    receive_hello(*page, random_byte);
    log_secrets(*tee, random_byte);
    open.push_back(std::move(page));
    most = std::max(most, store->size());
    if (open.size() == 4) {  // the oldest closes: its page is written and released
      open.front()->release_keys();
      open.erase(open.begin());
    }
  }
  EXPECT_EQ(most, 4u * 3u);
  EXPECT_EQ(store->size(), 3u * 3u);
}

}  // namespace
}  // namespace hs::trace

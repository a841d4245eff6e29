// JsonTraceRenderer: one JSON object per event, no message bytes, escaping; TeeObserver.
#include "trace/json_trace.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hs::trace {
namespace {

TEST(JsonTrace, OneLinePerEventWithoutMessageBytes) {
  std::vector<std::string> lines;
  JsonTraceRenderer r([&](std::string_view l) { lines.emplace_back(l); });
  auto t0 = std::chrono::steady_clock::now();
  const uint8_t hello[] = {1, 0, 0, 2, 0xAB, 0xCD};
  r.on_event({t0, RecordEvent{Direction::out, 22, 0x0301, 6}});
  r.on_event({t0 + std::chrono::milliseconds(2),
              MessageEvent{Direction::out, 22, 1, 0x0304, hello, false}});
  r.on_event({t0, StateEvent{"client13::ExpectServerHello"}});
  r.on_event({t0, KeyChangeEvent{Direction::in, "server_handshake_traffic_secret"}});
  r.on_event({t0, AlertEvent{Direction::in, AlertLevel::warning, AlertDescription::close_notify}});
  r.on_event({t0, NoteEvent{"quote \" and \n newline"}});
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0],
            "{\"t\":0.000000,\"event\":\"record\",\"direction\":\"out\",\"content_type\":"
            "\"handshake\",\"version\":\"0x0301\",\"length\":6}");
  EXPECT_EQ(lines[1],
            "{\"t\":0.002000,\"event\":\"message\",\"direction\":\"out\",\"content_type\":"
            "\"handshake\",\"handshake_type\":1,\"name\":\"client_hello\",\"length\":6,"
            "\"version\":\"0x0304\",\"encrypted\":false}");
  EXPECT_EQ(lines[1].find("abcd"), std::string::npos);
  EXPECT_NE(lines[2].find("\"state\":\"client13::ExpectServerHello\""), std::string::npos);
  EXPECT_NE(lines[3].find("\"secret\":\"server_handshake_traffic_secret\""), std::string::npos);
  EXPECT_NE(lines[4].find("\"level\":\"warning\",\"description\":\"close_notify\""),
            std::string::npos);
  EXPECT_NE(lines[5].find("\"text\":\"quote \\\" and \\u000a newline\""), std::string::npos);
}

TEST(JsonTrace, TeeForwardsToEveryObserver) {
  std::vector<std::string> a;
  std::vector<std::string> b;
  JsonTraceRenderer ra([&](std::string_view l) { a.emplace_back(l); });
  JsonTraceRenderer rb([&](std::string_view l) { b.emplace_back(l); });
  TeeObserver tee({&ra, nullptr, &rb});
  tee.on_event({std::chrono::steady_clock::now(), NoteEvent{"x"}});
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b, a);
}

}  // namespace
}  // namespace hs::trace

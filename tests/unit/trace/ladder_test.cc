// The ladder model from synthetic event streams (flights, round trips, where encryption starts,
// HelloRetryRequest, resumption, 0-RTT, alerts, merging of data records), the SVG renderer's
// markup and escaping, and the per-connection file names.
#include "trace/ladder.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "messages/server_hello.h"

namespace hs::trace {
namespace {

constexpr uint8_t kHandshake = 22;
constexpr uint8_t kCcs = 20;
constexpr uint8_t kAlert = 21;
constexpr uint8_t kData = 23;

// Script feeds a LadderRecorder events a millisecond apart (or at chosen times).
class Script {
 public:
  explicit Script(LadderSide self) : recorder(self) {}

  void msg(Direction d, uint8_t content_type, uint8_t handshake_type, size_t size,
           bool encrypted = false, bool hello_retry = false) {
    std::vector<uint8_t>& bytes = storage_.emplace_back(size, uint8_t{0});
    if (content_type == kHandshake && size >= 4) {
      bytes[0] = handshake_type;
    }
    if (hello_retry) {
      for (size_t i = 0; i < 32; ++i) {
        bytes[6 + i] = messages::kHelloRetryRequestRandom[i];
      }
    }
    if (content_type == kAlert) {
      bytes = {2, 40};  // fatal handshake_failure
    }
    recorder.on_event(
        {next(),
         MessageEvent{d, content_type, content_type == kHandshake ? handshake_type : uint8_t{0},
                      0x0304, bytes, encrypted}});
  }
  void hs(Direction d, uint8_t type, size_t size, bool encrypted = false) {
    msg(d, kHandshake, type, size, encrypted);
  }
  void close_notify(Direction d) {
    std::vector<uint8_t>& bytes = storage_.emplace_back(std::vector<uint8_t>{1, 0});
    recorder.on_event({next(), MessageEvent{d, kAlert, 0, 0x0304, bytes, true}});
  }
  void key(Direction d, const char* secret) {
    recorder.on_event({next(), KeyChangeEvent{d, secret}});
  }
  void wait_ms(int ms) { now_ += std::chrono::milliseconds(ms); }

  LadderRecorder recorder;

 private:
  std::chrono::steady_clock::time_point next() {
    now_ += std::chrono::milliseconds(1);
    return now_;
  }
  std::chrono::steady_clock::time_point now_{};
  std::deque<std::vector<uint8_t>> storage_;
};

std::vector<std::string> names(const Ladder& l) {
  std::vector<std::string> out;
  for (const LadderArrow& a : l.arrows) {
    out.push_back(std::string(a.from == LadderSide::client ? "C:" : "S:") + a.name);
  }
  return out;
}

constexpr Direction kOut = Direction::out;
constexpr Direction kIn = Direction::in;

// A TLS 1.2 full handshake seen by the client, then a request and a response in two records.
void tls12_full(Script& s) {
  s.hs(kOut, 1, 159);
  s.wait_ms(10);
  s.hs(kIn, 2, 120);
  s.hs(kIn, 11, 934);
  s.hs(kIn, 12, 300);
  s.hs(kIn, 14, 4);
  s.hs(kOut, 16, 37);
  s.msg(kOut, kCcs, 0, 1);
  s.key(kOut, "master secret");
  s.hs(kOut, 20, 16, true);
  s.wait_ms(10);
  s.hs(kIn, 4, 163);
  s.msg(kIn, kCcs, 0, 1);
  s.key(kIn, "master secret");
  s.hs(kIn, 20, 16, true);
  s.msg(kOut, kData, 0, 74, true);
  s.msg(kIn, kData, 0, 300, true);
  s.msg(kIn, kData, 0, 157, true);
}

TEST(Ladder, Tls12FullHandshakeTakesTwoRoundTrips) {
  Script s(LadderSide::client);
  tls12_full(s);
  LadderSummary summary;
  summary.version = "TLS 1.2";
  Ladder l = s.recorder.ladder(summary);
  EXPECT_EQ(names(l), (std::vector<std::string>{
                          "C:ClientHello", "S:ServerHello", "S:Certificate", "S:ServerKeyExchange",
                          "S:ServerHelloDone", "C:ClientKeyExchange", "C:ChangeCipherSpec",
                          "C:Finished", "S:NewSessionTicket", "S:ChangeCipherSpec", "S:Finished",
                          "C:Application Data", "S:Application Data"}));
  ASSERT_EQ(l.round_trips.size(), 2u);
  EXPECT_EQ(l.data_after_round_trips, 2u);
  EXPECT_EQ(l.flights.size(), 6u);
  // Round trip 1: ClientHello through ServerHelloDone; 2: ClientKeyExchange through Finished.
  EXPECT_EQ(l.round_trips[0].first, 0u);
  EXPECT_EQ(l.round_trips[0].last, 4u);
  EXPECT_EQ(l.round_trips[1].first, 5u);
  EXPECT_EQ(l.round_trips[1].last, 10u);
  // Measured from the ClientHello (t=0) to the ClientKeyExchange (the 6th event after 10 ms).
  EXPECT_NEAR(l.round_trips[0].duration, 0.015, 1e-9);
  EXPECT_EQ(l.arrows[11].round_trip, 0u);
  EXPECT_EQ(l.arrows[2].round_trip, 1u);
  // The two response records are one arrow.
  EXPECT_EQ(l.arrows[12].size, 457u);
  EXPECT_EQ(l.arrows[12].count, 2u);
  EXPECT_EQ(l.arrows[12].note, "2 records");
  // Encryption starts with each side's Finished, under the master secret.
  for (size_t i = 0; i < l.arrows.size(); ++i) {
    EXPECT_EQ(l.arrows[i].encryption_starts, i == 7 || i == 10) << i;
  }
  EXPECT_EQ(l.arrows[7].key, "master secret");
  EXPECT_EQ(l.arrows[0].size, 159u);
  EXPECT_EQ(l.viewpoint, "client");
}

void tls13_full(Script& s, bool resumed) {
  s.hs(kOut, 1, 250);
  s.wait_ms(5);
  s.hs(kIn, 2, 122);
  s.msg(kIn, kCcs, 0, 1);
  s.key(kIn, "server_handshake_traffic_secret");
  s.hs(kIn, 8, 25, true);
  if (!resumed) {
    s.hs(kIn, 11, 937, true);
    s.hs(kIn, 15, 264, true);
  }
  s.hs(kIn, 20, 36, true);
  s.msg(kOut, kCcs, 0, 1);
  s.key(kOut, "client_handshake_traffic_secret");
  s.hs(kOut, 20, 36, true);
  s.key(kOut, "client_application_traffic_secret_0");
  s.msg(kOut, kData, 0, 74, true);
  s.key(kIn, "server_application_traffic_secret_0");
  s.hs(kIn, 4, 249, true);
  s.msg(kIn, kData, 0, 253, true);
}

TEST(Ladder, Tls13FullHandshakeTakesOneRoundTrip) {
  Script s(LadderSide::client);
  tls13_full(s, false);
  LadderSummary summary;
  summary.version = "TLS 1.3";
  Ladder l = s.recorder.ladder(summary);
  ASSERT_EQ(l.round_trips.size(), 1u);
  EXPECT_EQ(l.data_after_round_trips, 1u);
  EXPECT_EQ(l.round_trips[0].last, 6u);  // through the server's Finished
  EXPECT_TRUE(l.arrows[3].encryption_starts);
  EXPECT_EQ(l.arrows[3].key, "server_handshake_traffic_secret");
  EXPECT_TRUE(l.arrows[8].encryption_starts);
  EXPECT_EQ(l.arrows[8].key, "client_handshake_traffic_secret");
  EXPECT_FALSE(l.arrows[7].encrypted);  // the compatibility ChangeCipherSpec
  EXPECT_NE(l.arrows[7].note.find("middlebox"), std::string::npos);
  EXPECT_FALSE(l.summary.hello_retry);
  EXPECT_EQ(l.title, "TLS 1.3 handshake");
}

TEST(Ladder, Tls13ResumptionTakesOneRoundTripAndSaysResumed) {
  Script s(LadderSide::client);
  tls13_full(s, true);
  LadderSummary summary;
  summary.version = "TLS 1.3";
  summary.resumed = true;
  Ladder l = s.recorder.ladder(summary);
  EXPECT_EQ(l.round_trips.size(), 1u);
  EXPECT_EQ(l.title, "TLS 1.3 resumed handshake");
  EXPECT_NE(l.arrows[1].note.find("resumed"), std::string::npos);
}

TEST(Ladder, HelloRetryRequestAddsARoundTrip) {
  Script s(LadderSide::client);
  s.hs(kOut, 1, 248);
  s.msg(kIn, kHandshake, 2, 163, false, /*hello_retry=*/true);
  s.msg(kOut, kCcs, 0, 1);
  s.hs(kOut, 1, 356);
  tls13_full(s, false);  // its ClientHello is the third; fine for counting
  Ladder l = s.recorder.ladder({});
  EXPECT_TRUE(l.summary.hello_retry);
  EXPECT_EQ(l.arrows[1].name, "HelloRetryRequest");
  EXPECT_TRUE(l.arrows[1].hello_retry);
  EXPECT_NE(l.arrows[3].note.find("again"), std::string::npos);
  EXPECT_EQ(l.round_trips.size(), 2u);
}

TEST(Ladder, ZeroRttDataLeavesBeforeAnyRoundTrip) {
  Script s(LadderSide::client);
  s.hs(kOut, 1, 400);
  s.key(kOut, "client_early_traffic_secret");
  s.msg(kOut, kData, 0, 80, true);
  s.hs(kIn, 2, 128);
  s.key(kIn, "server_handshake_traffic_secret");
  s.hs(kIn, 8, 31, true);
  s.hs(kIn, 20, 36, true);
  s.hs(kOut, 5, 4, true);
  s.key(kOut, "client_handshake_traffic_secret");
  s.hs(kOut, 20, 36, true);
  s.msg(kIn, kData, 0, 400, true);
  // The closing exchange of warnings is no round trip of the handshake.
  s.close_notify(kOut);
  s.close_notify(kIn);
  LadderSummary summary;
  summary.resumed = true;
  summary.early_data = "accepted";
  Ladder l = s.recorder.ladder(summary);
  EXPECT_EQ(l.arrows[1].name, "Early Data (0-RTT)");
  EXPECT_TRUE(l.arrows[1].early_data);
  EXPECT_EQ(l.arrows[1].key, "client_early_traffic_secret");
  EXPECT_TRUE(l.arrows[5].early_data);  // EndOfEarlyData
  EXPECT_EQ(l.data_after_round_trips, 0u);
  EXPECT_EQ(l.round_trips.size(), 1u);  // the handshake itself still takes one
  EXPECT_EQ(l.arrows.back().name, "Alert: close_notify (warning)");
  EXPECT_FALSE(l.arrows.back().fatal);
  EXPECT_TRUE(l.arrows.back().note.empty());
}

TEST(Ladder, ServerViewAndRefusedHandshake) {
  // The server's side: its "in" is the client. The server refuses with a fatal alert.
  Script s(LadderSide::server);
  s.hs(kIn, 1, 200);
  s.msg(kOut, kAlert, 0, 2);
  Ladder l = s.recorder.ladder({});
  EXPECT_EQ(names(l),
            (std::vector<std::string>{"C:ClientHello", "S:Alert: handshake_failure (fatal)"}));
  EXPECT_EQ(l.round_trips.size(), 1u);
  EXPECT_FALSE(l.data_after_round_trips.has_value());
  EXPECT_TRUE(l.arrows[1].fatal);
  EXPECT_NE(l.arrows[1].note.find("fatal"), std::string::npos);
  EXPECT_EQ(l.viewpoint, "server");
  EXPECT_EQ(l.title, "TLS handshake (failed)");
}

TEST(LadderSvg, CarriesTheModelAndEscapesText) {
  Script s(LadderSide::client);
  tls12_full(s);
  LadderSummary summary;
  summary.version = "TLS 1.2";
  summary.sni = "a&b<c>\"";
  Ladder l = s.recorder.ladder(summary);
  l.notes.push_back("note with <markup> & an\x01 control byte");
  std::string svg = render_ladder_svg(l);
  EXPECT_EQ(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 0), 0u);
  EXPECT_NE(svg.find("data-round-trips=\"2\""), std::string::npos);
  EXPECT_NE(svg.find("<title>TLS 1.2 handshake: 2 round trips</title>"), std::string::npos);
  EXPECT_NE(svg.find("SNI a&amp;b&lt;c&gt;&quot;"), std::string::npos);
  EXPECT_EQ(svg.find("a&b"), std::string::npos);
  EXPECT_NE(svg.find("&lt;markup&gt; &amp; an? control"), std::string::npos);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  // One <g class="arrow"> per arrow, in order, with the model's attributes.
  size_t at = 0;
  for (const LadderArrow& a : l.arrows) {
    at = svg.find("<g class=\"arrow\" data-name=\"" + a.name + "\"", at);
    ASSERT_NE(at, std::string::npos) << a.name;
    ++at;
  }
  EXPECT_NE(svg.find("data-name=\"Finished\" data-from=\"client\" data-size=\"16\""),
            std::string::npos);
  EXPECT_NE(svg.find("class=\"encrypted-from-here\" data-from=\"server\""), std::string::npos);
}

TEST(LadderSvg, ElementForHtmlHasPrefixedIds) {
  Script s(LadderSide::client);
  tls12_full(s);
  Ladder l = s.recorder.ladder({});
  std::string element = render_ladder_svg_element(l, "c2-");
  EXPECT_EQ(element.rfind("<svg ", 0), 0u);
  EXPECT_NE(element.find("<marker id=\"c2-m-plain\""), std::string::npos);
  EXPECT_NE(element.find("url(#c2-m-enc)"), std::string::npos);
  EXPECT_EQ(element.find("url(#m-"), std::string::npos);
  EXPECT_EQ(render_ladder_svg(l),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + render_ladder_svg_element(l, ""));
}

TEST(LadderSvg, EmptyLadderIsStillADocument) {
  std::string svg = render_ladder_svg(build_ladder({}, {}));
  EXPECT_NE(svg.find("data-round-trips=\"0\""), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(Ladder, FileNamePerConnection) {
  EXPECT_EQ(ladder_file_name("out/ladder.svg", 0, 0), "out/ladder.svg");
  EXPECT_EQ(ladder_file_name("out/ladder.svg", 2, 0), "out/ladder-2.svg");
  EXPECT_EQ(ladder_file_name("ladder", 3, 1), "ladder-3");
  EXPECT_EQ(ladder_file_name("dir.d/ladder", 2, 1), "dir.d/ladder-2");
  EXPECT_EQ(ladder_file_name(".svg", 2, 1), ".svg-2");
}

}  // namespace
}  // namespace hs::trace

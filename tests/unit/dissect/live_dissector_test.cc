// LiveDissector on hand-built frames: a connection is reported once both sides sent FIN, or on
// a RST; the stray ACK after it starts nothing; connections still open come out at finish() in
// order of first packet; the per-connection byte limit is reported.
#include "dissect/live_dissector.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/testing/testing_provider.h"
#include "dissect/render.h"
#include "test_frames.h"

namespace hs::dissect {
namespace {

using namespace hs::dissect::frames;

const crypto::TestingProvider kProvider;

constexpr uint8_t kSyn = 0x02, kAck = 0x10, kPshAck = 0x18, kFinAck = 0x11, kRst = 0x04,
                  kSynAck = 0x12;

// handshake_start adds SYN, SYN-ACK, a ClientHello and a ServerHello for client port `cport`.
void handshake_start(LiveDissector& d, uint16_t cport, double t) {
  auto ch = client_hello_record();
  auto sh = server_hello_record();
  d.add_frame(ipv4_frame({cport, 443, 100, kSyn}, {}), t);
  d.add_frame(ipv4_frame({443, cport, 900, kSynAck}, {}), t + 0.001);
  d.add_frame(ipv4_frame({cport, 443, 101, kPshAck}, ch), t + 0.002);
  d.add_frame(ipv4_frame({443, cport, 901, kPshAck}, sh), t + 0.003);
}

TEST(LiveDissector, ReportsAConnectionWhenBothSidesSentFin) {
  LiveDissector d(LinkType::ethernet, kProvider, 443);
  handshake_start(d, 40000, 1);
  EXPECT_FALSE(d.completed());
  const uint32_t client_end = 101 + static_cast<uint32_t>(client_hello_record().size());
  const uint32_t server_end = 901 + static_cast<uint32_t>(server_hello_record().size());
  d.add_frame(ipv4_frame({40000, 443, client_end, kFinAck}, {}), 2);
  EXPECT_FALSE(d.completed());
  d.add_frame(ipv4_frame({443, 40000, server_end, kFinAck}, {}), 3);
  ASSERT_TRUE(d.completed());
  auto reports = d.take_completed(nullptr);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].index, 1u);
  EXPECT_EQ(to_string(reports[0].client), "127.0.0.1:40000");
  ASSERT_EQ(reports[0].items.size(), 2u) << render_text(reports[0]);
  EXPECT_EQ(reports[0].items[0].name, "Client Hello");
  EXPECT_EQ(reports[0].items[1].name, "Server Hello");
  EXPECT_FALSE(d.completed());
  // The client's last ACK belongs to the connection already reported: it starts nothing.
  d.add_frame(ipv4_frame({40000, 443, client_end + 1, kAck}, {}), 4);
  EXPECT_TRUE(d.finish(nullptr).empty());
  EXPECT_EQ(d.connections(), 1u);
  EXPECT_EQ(d.frames(), 7u);
}

TEST(LiveDissector, RstEndsAConnectionAndOpenOnesComeOutAtFinishInOrder) {
  LiveDissector d(LinkType::ethernet, kProvider, std::nullopt);
  handshake_start(d, 40001, 1);  // connection 1: stays open
  handshake_start(d, 40002, 2);  // connection 2: reset
  handshake_start(d, 40003, 3);  // connection 3: stays open
  d.add_frame(ipv4_frame({443, 40002, 5000, kRst}, {}), 4);
  ASSERT_TRUE(d.completed());
  auto done = d.take_completed(nullptr);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].index, 2u);
  EXPECT_EQ(done[0].client.port, 40002);
  auto rest = d.finish(nullptr);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].index, 1u);
  EXPECT_EQ(rest[0].client.port, 40001);
  EXPECT_EQ(rest[1].index, 3u);
  EXPECT_EQ(rest[1].client.port, 40003);
  EXPECT_EQ(rest[1].items.size(), 2u) << render_text(rest[1]);
}

TEST(LiveDissector, FramesBeyondTheLimitAreDroppedAndSaid) {
  // Room for the SYN and SYN-ACK only.
  const size_t limit = 2 * ipv4_frame({1, 2, 3, kSyn}, {}).size();
  LiveDissector d(LinkType::ethernet, kProvider, 443, limit);
  handshake_start(d, 40004, 1);
  auto reports = d.finish(nullptr);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].items.empty());
  ASSERT_FALSE(reports[0].notes.empty());
  EXPECT_NE(reports[0].notes.back().find("live capture: 2 frames after the first"),
            std::string::npos)
      << render_text(reports[0]);
}

TEST(LiveDissector, OtherPortsAndNonTcpFramesAreIgnored) {
  LiveDissector d(LinkType::ethernet, kProvider, 443);
  d.add_frame(ipv4_frame({40005, 80, 1, kSyn}, {}), 1);
  d.add_frame(std::vector<uint8_t>(20, 0), 2);
  EXPECT_EQ(d.frames(), 2u);
  EXPECT_EQ(d.connections(), 0u);
  EXPECT_TRUE(d.finish(nullptr).empty());
}

}  // namespace
}  // namespace hs::dissect

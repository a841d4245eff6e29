// The dissector on hand-built frames: Ethernet/IPv4 and raw IPv6 parsing, a ClientHello split
// over segments that arrive out of order and twice, a ServerHello and an alert, non-TLS bytes,
// a truncated record at the end of the capture, and the key-log file parser.
#include "dissect/dissector.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/testing/testing_provider.h"
#include "dissect/keylog_file.h"
#include "dissect/packet.h"
#include "dissect/render.h"
#include "test_frames.h"

namespace hs::dissect {
namespace {

using namespace hs::dissect::frames;

const crypto::TestingProvider kProvider;

TEST(Packet, ParsesEthernetIpv4AndRawIpv6) {
  std::vector<uint8_t> payload = {1, 2, 3};
  // The segment's payload points into the frame, which must outlive it.
  std::vector<uint8_t> frame = ipv4_frame({5000, 443, 7, 0x18}, payload);
  auto seg = parse_tcp_segment(LinkType::ethernet, frame);
  ASSERT_TRUE(seg.has_value());
  EXPECT_EQ(seg->src.port, 5000);
  EXPECT_EQ(seg->dst.port, 443);
  EXPECT_EQ(seg->seq, 7u);
  EXPECT_EQ(std::vector<uint8_t>(seg->payload.begin(), seg->payload.end()), payload);
  EXPECT_EQ(to_string(seg->src), "127.0.0.1:5000");

  std::vector<uint8_t> frame6 = ipv6_frame({5000, 443, 9, 0x02}, {});
  auto seg6 = parse_tcp_segment(LinkType::raw, frame6);
  ASSERT_TRUE(seg6.has_value());
  EXPECT_TRUE(seg6->syn);
  EXPECT_TRUE(seg6->payload.empty());
  EXPECT_EQ(to_string(seg6->dst), "[0:0:0:0:0:0:0:1]:443");
}

TEST(Packet, RejectsTruncatedAndNonTcpFrames) {
  auto frame = ipv4_frame({5000, 443, 7, 0x18}, {1, 2, 3});
  for (size_t cut : {size_t{0}, size_t{13}, size_t{20}, size_t{40}, size_t{55}}) {
    EXPECT_FALSE(parse_tcp_segment(LinkType::ethernet, slice(frame, 0, cut)).has_value()) << cut;
  }
  frame[23] = 17;  // UDP
  EXPECT_FALSE(parse_tcp_segment(LinkType::ethernet, frame).has_value());
}

TEST(Dissector, ReassemblesAClientHelloFromReorderedAndRepeatedSegments) {
  auto ch = client_hello_record();
  auto sh = server_hello_record();
  std::vector<uint8_t> alert = record(21, {2, 40});
  std::vector<uint8_t> server_bytes = sh;
  server_bytes.insert(server_bytes.end(), alert.begin(), alert.end());
  const uint32_t c = 100;
  const uint32_t s = 9000;
  size_t third = ch.size() / 3;
  Dissector d(LinkType::ethernet, nullptr, kProvider);
  d.add_frame(ipv4_frame({40000, 443, c, 0x02}, {}), 1.0);
  d.add_frame(ipv4_frame({443, 40000, s, 0x12}, {}), 1.1);
  // The ClientHello in three segments: the last first, the middle twice (once overlapping the
  // first), then the first.
  d.add_frame(
      ipv4_frame({40000, 443, c + 1 + uint32_t(2 * third), 0x18}, slice(ch, 2 * third, ch.size())),
      1.2);
  d.add_frame(ipv4_frame({40000, 443, c + 1 + uint32_t(third), 0x18}, slice(ch, third, 2 * third)),
              1.3);
  d.add_frame(
      ipv4_frame({40000, 443, c + 1 + uint32_t(third - 2), 0x18}, slice(ch, third - 2, 2 * third)),
      1.4);
  d.add_frame(ipv4_frame({40000, 443, c + 1, 0x18}, slice(ch, 0, third)), 1.5);
  d.add_frame(ipv4_frame({443, 40000, s + 1, 0x18}, server_bytes), 1.6);
  d.add_frame(ipv4_frame({443, 40000, s + 1, 0x18}, server_bytes), 1.7);  // retransmitted
  auto reports = d.finish();
  ASSERT_EQ(reports.size(), 1u);
  const ConnectionReport& r = reports[0];
  EXPECT_EQ(to_string(r.client), "127.0.0.1:40000");
  EXPECT_EQ(r.version, "TLSv1.2");
  EXPECT_EQ(r.cipher_suite, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  ASSERT_EQ(r.items.size(), 3u) << render_text(r);
  EXPECT_EQ(r.items[0].name, "Client Hello");
  EXPECT_EQ(r.items[0].from, Direction::client_to_server);
  EXPECT_EQ(r.items[1].name, "Server Hello");
  EXPECT_EQ(r.items[2].kind, FlowItem::Kind::alert);
  bool saw_random = false;
  for (const auto& [name, value] : r.items[0].fields) {
    if (name == "random") {
      saw_random = value.rfind("000102030405", 0) == 0;
    }
  }
  EXPECT_TRUE(saw_random) << render_text(r);
  EXPECT_TRUE(r.notes.empty()) << render_text(r);
}

TEST(Dissector, ReportsNonTlsBytesAndATruncatedRecord) {
  Dissector d(LinkType::ethernet, nullptr, kProvider);
  std::vector<uint8_t> http = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
  d.add_frame(ipv4_frame({40000, 80, 1, 0x02}, {}), 1);
  d.add_frame(ipv4_frame({40000, 80, 2, 0x18}, http), 2);
  auto ch = client_hello_record();
  d.add_frame(ipv4_frame({40001, 443, 1, 0x02}, {}), 3);
  d.add_frame(ipv4_frame({40001, 443, 2, 0x18}, slice(ch, 0, ch.size() - 4)), 4);
  auto reports = d.finish();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_FALSE(reports[0].tls);
  ASSERT_EQ(reports[0].notes.size(), 1u);
  EXPECT_NE(reports[0].notes[0].find("not a TLS record"), std::string::npos);
  EXPECT_TRUE(reports[1].items.empty());
  ASSERT_EQ(reports[1].notes.size(), 1u) << render_text(reports[1]);
  EXPECT_NE(reports[1].notes[0].find("ends inside a record"), std::string::npos);
  EXPECT_NE(render_json(reports[1]).find("\"notes\":[\"client: the capture ends inside"),
            std::string::npos);
}

TEST(Dissector, CaptureWithoutSynTakesTheClientHelloSenderAsClient) {
  // The server has the higher port, so the port guess is wrong until the ClientHello shows who
  // is who; the ServerHello must then be the server's.
  auto ch = client_hello_record();
  auto sh = server_hello_record();
  Dissector d(LinkType::ethernet, nullptr, kProvider);
  d.add_frame(ipv4_frame({443, 50000, 7000, 0x10}, {}), 1);  // a bare ACK from the client
  d.add_frame(ipv4_frame({443, 50000, 7000, 0x18}, ch), 2);
  d.add_frame(ipv4_frame({50000, 443, 9000, 0x18}, sh), 3);
  auto reports = d.finish();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(to_string(reports[0].client), "127.0.0.1:443");
  ASSERT_EQ(reports[0].items.size(), 2u) << render_text(reports[0]);
  EXPECT_EQ(reports[0].items[0].from, Direction::client_to_server);
  EXPECT_EQ(reports[0].items[1].from, Direction::server_to_client);
  EXPECT_EQ(reports[0].version, "TLSv1.2");
}

TEST(KeyLogFile, ParsesNssLinesAndSkipsMalformedOnes) {
  std::string random(64, 'a');
  std::string text = "# comment\n\nCLIENT_RANDOM " + random + " " + std::string(96, '0') +
                     "\r\nSERVER_TRAFFIC_SECRET_0 " + random + " " + std::string(64, 'F') +
                     "\nCLIENT_RANDOM short 00\nCLIENT_RANDOM " + random + " zz\n";
  KeyLogFile log = KeyLogFile::parse(text);
  EXPECT_EQ(log.size(), 2u);
  EXPECT_EQ(log.malformed_lines(), 2u);
  std::vector<uint8_t> cr(32, 0xAA);
  const SecretBytes* master = log.find("CLIENT_RANDOM", cr);
  ASSERT_NE(master, nullptr);
  EXPECT_EQ(master->expose().size(), 48u);
  const SecretBytes* sats = log.find("SERVER_TRAFFIC_SECRET_0", cr);
  ASSERT_NE(sats, nullptr);
  EXPECT_EQ(sats->expose()[0], 0xFF);
  EXPECT_EQ(log.find("CLIENT_TRAFFIC_SECRET_0", cr), nullptr);
}

}  // namespace
}  // namespace hs::dissect

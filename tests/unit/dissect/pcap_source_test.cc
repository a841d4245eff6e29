// Reading capture files with libpcap: a classic pcap file written here frame by frame reads back
// whole; cut inside its third record it gives the first two frames and then an error naming the
// truncation (and the dissector still shows the ClientHello they hold); files that are no
// capture, or cut inside the file header, are refused with a reason.
#include "dissect/pcap_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crypto/testing/testing_provider.h"
#include "dissect/dissector.h"
#include "test_frames.h"

namespace hs::dissect {
namespace {

using namespace hs::dissect::frames;

void put32le(std::vector<uint8_t>& v, uint32_t x) {
  for (int i = 0; i < 4; ++i) {
    v.push_back(static_cast<uint8_t>(x >> (8 * i)));
  }
}

// pcap_file is a classic little-endian pcap file (LINKTYPE_ETHERNET unless told) holding
// `frames`.
std::vector<uint8_t> pcap_file(const std::vector<std::vector<uint8_t>>& frames,
                               uint32_t link_type = 1) {
  std::vector<uint8_t> f;
  put32le(f, 0xa1b2c3d4);  // magic, microsecond timestamps
  f.insert(f.end(), {2, 0, 4, 0});
  put32le(f, 0);      // thiszone
  put32le(f, 0);      // sigfigs
  put32le(f, 65535);  // snaplen
  put32le(f, link_type);
  uint32_t sec = 1700000000;
  for (const auto& frame : frames) {
    put32le(f, sec++);
    put32le(f, 0);
    put32le(f, static_cast<uint32_t>(frame.size()));
    put32le(f, static_cast<uint32_t>(frame.size()));
    f.insert(f.end(), frame.begin(), frame.end());
  }
  return f;
}

class PcapSourceTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
    auto path = std::filesystem::temp_directory_path() /
                ("hs_pcap_source_test_" + std::to_string(::getpid()) + "_" + name);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    paths_.push_back(path);
    return path.string();
  }
  void TearDown() override {
    for (const auto& p : paths_) {
      std::filesystem::remove(p);
    }
  }
  std::vector<std::filesystem::path> paths_;
};

std::vector<std::vector<uint8_t>> three_frames() {
  return {ipv4_frame({40000, 443, 100, 0x02}, {}),
          ipv4_frame({40000, 443, 101, 0x18}, client_hello_record()),
          ipv4_frame({443, 40000, 900, 0x18}, server_hello_record())};
}

TEST_F(PcapSourceTest, ReadsEveryFrameOfAWholeFile) {
  auto frames = three_frames();
  std::string error;
  auto source = open_capture_file(write("whole.pcap", pcap_file(frames)), error);
  ASSERT_NE(source, nullptr) << error;
  EXPECT_EQ(source->link_type(), LinkType::ethernet);
  Frame frame;
  for (const auto& want : frames) {
    ASSERT_EQ(source->next(frame), PacketSource::Status::frame);
    EXPECT_EQ(std::vector<uint8_t>(frame.data.begin(), frame.data.end()), want);
  }
  EXPECT_EQ(source->next(frame), PacketSource::Status::end);
}

TEST_F(PcapSourceTest, TruncatedFileGivesTheFramesBeforeTheCutAndAnError) {
  std::vector<uint8_t> bytes = pcap_file(three_frames());
  bytes.resize(bytes.size() - 20);  // inside the third frame
  std::string error;
  auto source = open_capture_file(write("cut.pcap", bytes), error);
  ASSERT_NE(source, nullptr) << error;
  const crypto::TestingProvider provider;
  Dissector d(source->link_type(), nullptr, provider);
  Frame frame;
  PacketSource::Status st;
  while ((st = source->next(frame)) == PacketSource::Status::frame) {
    d.add_frame(frame.data, frame.time);
  }
  EXPECT_EQ(st, PacketSource::Status::error);
  EXPECT_NE(source->error_message().find("truncated"), std::string::npos)
      << source->error_message();
  EXPECT_EQ(d.frames(), 2u);
  auto reports = d.finish();
  ASSERT_EQ(reports.size(), 1u);
  ASSERT_EQ(reports[0].items.size(), 1u);
  EXPECT_EQ(reports[0].items[0].name, "Client Hello");
}

TEST_F(PcapSourceTest, NotACaptureAndACutHeaderAreRefusedWithAReason) {
  std::string error;
  const std::string text = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
  EXPECT_EQ(
      open_capture_file(write("text.pcap", std::vector<uint8_t>(text.begin(), text.end())), error),
      nullptr);
  EXPECT_FALSE(error.empty());
  error.clear();
  std::vector<uint8_t> header = pcap_file({});
  header.resize(10);
  EXPECT_EQ(open_capture_file(write("header.pcap", header), error), nullptr);
  EXPECT_FALSE(error.empty());
  error.clear();
  EXPECT_EQ(open_capture_file("/nonexistent/capture.pcap", error), nullptr);
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST_F(PcapSourceTest, LinkTypesWeCannotReadAreRefusedByNameOrNumber) {
  std::string error;
  EXPECT_EQ(open_capture_file(write("wifi.pcap", pcap_file({}, 105)), error), nullptr);
  EXPECT_EQ(error, "unsupported link-layer type IEEE802_11");
  // A value libpcap has no name for (pcap_datalink_val_to_name gives null): its number.
  error.clear();
  EXPECT_EQ(open_capture_file(write("unnamed.pcap", pcap_file({}, 60000)), error), nullptr);
  EXPECT_EQ(error, "unsupported link-layer type 60000");
}

}  // namespace
}  // namespace hs::dissect

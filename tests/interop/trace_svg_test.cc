// --trace-svg: `hs client` against `hs server`, both drawing the ladder diagram of each
// connection. Every SVG must be well formed (xmllint) and render (rsvg-convert to a PNG); the
// round trips it counts must be 2 for a TLS 1.2 full handshake, 1 for TLS 1.3, 1 for a resumption
// and 2 with a HelloRetryRequest; its handshake arrows, in order, must be the messages of the
// client's JSON trace of the same run, and the server's diagram must show the same messages.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/hs_server.h"
#include "support/ladder_svg.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace hs::test {
namespace {

// json_handshake lists "client:ClientHello", ... from a --trace-json file ("client_hello" ->
// "ClientHello"; out is the client).
std::vector<std::string> json_handshake(const std::string& trace) {
  std::vector<std::string> names;
  size_t at = 0;
  while ((at = trace.find("\"event\":\"message\"", at)) != std::string::npos) {
    size_t end = trace.find('\n', at);
    std::string line = trace.substr(at, end == std::string::npos ? end : end - at);
    at = end;
    size_t n = line.find("\"name\":\"");
    if (n == std::string::npos) {
      continue;
    }
    n += 8;
    std::string snake = line.substr(n, line.find('"', n) - n);
    std::string camel;
    bool upper = true;
    for (char c : snake) {
      if (c == '_') {
        upper = true;
        continue;
      }
      camel += upper ? static_cast<char>(c - 'a' + 'A') : c;
      upper = false;
    }
    bool out = line.find("\"direction\":\"out\"") != std::string::npos;
    names.push_back(std::string(out ? "client:" : "server:") + camel);
  }
  return names;
}

// wait_for_file polls for a file the server writes when a connection closes.
bool wait_for_file(const std::filesystem::path& p) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(p) && read_file(p).find("</svg>") != std::string::npos) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class TraceSvgTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TraceSvgTest, FullAndResumedHandshakeDiagrams) {
  ASSERT_TRUE(require_hs_binary());
  ASSERT_TRUE(require_program("xmllint"));
  ASSERT_TRUE(require_program("rsvg-convert"));
  const std::string version = GetParam();
  const TestPki& pki = shared_test_pki();
  TempDir dir;
  HsServerProcess server(HsServerProcess::cert_args(pki, false),
                         {"--trace-svg", (dir / "server.svg").string()});
  ASSERT_NE(server.port(), 0) << server.output();
  CommandResult r =
      run_command({hs_binary().string(), "client", "-s", "-o", "/dev/null", "--cacert",
                   pki.ca_cert.string(), "--tlsv" + version, "--tls-max", version, "--reconnect",
                   "1", "--trace-svg", (dir / "client.svg").string(), "--trace-json",
                   (dir / "trace.jsonl").string(), "--resolve", server.resolve(), server.url("/")},
                  20s);
  ASSERT_EQ(r.exit_code, 0) << r.output();

  // Connection #0 is a full handshake, #1 resumes it.
  EXPECT_TRUE(svg_renders(dir / "client.svg"));
  EXPECT_TRUE(svg_renders(dir / "client-1.svg"));
  SvgLadder full = read_svg_ladder(dir / "client.svg");
  SvgLadder resumed = read_svg_ladder(dir / "client-1.svg");
  EXPECT_EQ(full.round_trips, version == "1.2" ? 2 : 1) << read_file(dir / "client.svg");
  EXPECT_FALSE(full.resumed);
  EXPECT_EQ(resumed.round_trips, 1) << read_file(dir / "client-1.svg");
  EXPECT_TRUE(resumed.resumed);
  EXPECT_FALSE(full.hello_retry);
  std::vector<std::string> full_start =
      version == "1.2"
          ? std::vector<std::string>{"client:ClientHello",     "server:ServerHello",
                                     "server:Certificate",     "server:ServerKeyExchange",
                                     "server:ServerHelloDone", "client:ClientKeyExchange",
                                     "client:Finished"}
          : std::vector<std::string>{
                "client:ClientHello", "server:ServerHello",       "server:EncryptedExtensions",
                "server:Certificate", "server:CertificateVerify", "server:Finished",
                "client:Finished"};
  ASSERT_GE(full.handshake.size(), full_start.size());
  EXPECT_EQ(
      std::vector<std::string>(full.handshake.begin(), full.handshake.begin() + full_start.size()),
      full_start);
  // Both diagrams together hold exactly the handshake messages of the JSON trace, in order.
  EXPECT_EQ(concat(full.handshake, resumed.handshake),
            json_handshake(read_file(dir / "trace.jsonl")));

  // The server drew the same two connections (#1 and #2) from its side.
  ASSERT_TRUE(wait_for_file(dir / "server.svg")) << server.output();
  ASSERT_TRUE(wait_for_file(dir / "server-2.svg")) << server.output();
  EXPECT_TRUE(svg_renders(dir / "server.svg"));
  SvgLadder server_full = read_svg_ladder(dir / "server.svg");
  SvgLadder server_resumed = read_svg_ladder(dir / "server-2.svg");
  EXPECT_EQ(server_full.round_trips, full.round_trips);
  EXPECT_EQ(server_full.handshake, full.handshake);
  EXPECT_EQ(server_resumed.handshake, resumed.handshake);
  EXPECT_TRUE(server_resumed.resumed);
}

INSTANTIATE_TEST_SUITE_P(Versions, TraceSvgTest, ::testing::Values("1.2", "1.3"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           return std::string(p.param) == "1.2" ? "Tls12" : "Tls13";
                         });

TEST(TraceSvg, HelloRetryRequestTakesTwoRoundTrips) {
  ASSERT_TRUE(require_hs_binary());
  ASSERT_TRUE(require_program("xmllint"));
  ASSERT_TRUE(require_program("rsvg-convert"));
  const TestPki& pki = shared_test_pki();
  TempDir dir;
  // The client's one key share is X25519; a server that takes only P-256 asks again.
  HsServerProcess server(HsServerProcess::cert_args(pki, false), {"--curves", "P-256"});
  ASSERT_NE(server.port(), 0) << server.output();
  CommandResult r =
      run_command({hs_binary().string(), "client", "-s", "-o", "/dev/null", "--cacert",
                   pki.ca_cert.string(), "--curves", "X25519:P-256", "--trace-svg",
                   (dir / "hrr.svg").string(), "--resolve", server.resolve(), server.url("/")},
                  20s);
  ASSERT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(svg_renders(dir / "hrr.svg"));
  SvgLadder l = read_svg_ladder(dir / "hrr.svg");
  EXPECT_TRUE(l.hello_retry);
  EXPECT_EQ(l.round_trips, 2) << read_file(dir / "hrr.svg");
  std::vector<std::string> want = {"client:ClientHello",
                                   "server:HelloRetryRequest",
                                   "client:ClientHello",
                                   "server:ServerHello",
                                   "server:EncryptedExtensions",
                                   "server:Certificate",
                                   "server:CertificateVerify",
                                   "server:Finished",
                                   "client:Finished"};
  ASSERT_GE(l.handshake.size(), want.size());
  EXPECT_EQ(std::vector<std::string>(l.handshake.begin(), l.handshake.begin() + want.size()), want);
}

}  // namespace
}  // namespace hs::test

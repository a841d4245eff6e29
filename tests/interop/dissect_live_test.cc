// `hs dissect -i lo`: live capture with libpcap while hs client fetches a page from hs server.
// Each connection is printed when it ends, decrypted with the key log the client writes during
// the run; -c and --duration stop the capture by themselves, SIGTERM stops it cleanly, and an
// interface that cannot be opened gives a clear error; --trace-html writes one page for the whole
// capture when it stops. Capturing needs root (as CI runs): without it these tests fail.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/hs_server.h"
#include "support/html_lint.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

// wait_for polls `read` until it holds `needle` or `timeout` passes.
template <typename F>
bool wait_for(F&& read, const std::string& needle, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (contains(read(), needle)) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return contains(read(), needle);
}

// start_live starts `hs dissect -i lo --port PORT ARGS...` and waits until it captures.
std::unique_ptr<Process> start_live(uint16_t port, std::vector<std::string> args) {
  std::vector<std::string> argv = {hs_binary().string(), "dissect", "-i", "lo", "--port",
                                   std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = std::make_unique<Process>(std::move(argv));
  EXPECT_TRUE(wait_for([&p] { return p->stderr_text(); }, "hs: capturing on lo (tcp port"))
      << p->output();
  return p;
}

// fetch asks for HTTP/1.1 (hs client offers h2 first, as curl does) so that the decrypted
// request and response read as text in the dissection.
CommandResult fetch(const HsServerProcess& server, const TestPki& pki, const std::string& keylog,
                    const std::string& version) {
  return run_command({"env", "SSLKEYLOGFILE=" + keylog, hs_binary().string(), "client", "-s",
                      "--http1.1", "--cacert", pki.ca_cert.string(), "--tlsv" + version,
                      "--tls-max", version, "--resolve", server.resolve(), server.url("/")},
                     20s);
}

class DissectLiveTest : public ::testing::TestWithParam<const char*> {};

TEST_P(DissectLiveTest, ShowsEachConnectionDecryptedWhenItEnds) {
  ASSERT_TRUE(require_hs_binary());
  const std::string version = GetParam();
  const TestPki& pki = shared_test_pki();
  TempDir dir;
  const std::string keylog = (dir / "keys.log").string();
  HsServerProcess server(HsServerProcess::cert_args(pki, false));
  ASSERT_NE(server.port(), 0) << server.output();
  // The key log does not exist yet: the client writes it during the capture.
  auto live = start_live(server.port(), {"--keylog", keylog, "--duration", "30"});
  CommandResult r = fetch(server, pki, keylog, version);
  ASSERT_EQ(r.exit_code, 0) << r.output();
  // The connection is printed once it has ended, while the capture still runs.
  ASSERT_TRUE(wait_for([&live] { return live->stdout_text(); }, "Application data:"))
      << live->output();
  EXPECT_TRUE(live->running());
  EXPECT_EQ(live->stop(), 0) << live->output();
  const std::string out = live->stdout_text();
  EXPECT_TRUE(contains(out, "Connection 1: 127.0.0.1:")) << out;
  EXPECT_TRUE(contains(out, " -> 127.0.0.1:" + std::to_string(server.port()) + "  TLSv" + version))
      << out;
  std::vector<std::string> flow = {"  Client Hello ->", "<- Server Hello", "<- Certificate"};
  if (version == "1.3") {
    flow.insert(flow.end(), {"<- Certificate Verify [decrypted]", "<- Finished [decrypted]",
                             "  Finished [decrypted] ->"});
  } else {
    flow.insert(flow.end(), {"<- Server Hello Done", "  Client Key Exchange ->",
                             "  Finished [decrypted] ->", "<- Finished [decrypted]"});
  }
  size_t at = 0;
  for (const std::string& step : flow) {
    size_t next = out.find(step, at);
    ASSERT_NE(next, std::string::npos) << "missing or out of order: " << step << "\n" << out;
    at = next + step.size();
  }
  // The HTTP request and answer, decrypted.
  EXPECT_TRUE(contains(out, "client: GET / HTTP/1.1\\r\\n")) << out;
  EXPECT_TRUE(contains(out, "server: HTTP/1.1 200 OK\\r\\n")) << out;
  EXPECT_TRUE(contains(out, "frames, 1 TCP connections")) << out;
}

INSTANTIATE_TEST_SUITE_P(Versions, DissectLiveTest, ::testing::Values("1.2", "1.3"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           return std::string(p.param) == "1.2" ? "Tls12" : "Tls13";
                         });

// Post-handshake authentication (RFC 8446 §4.6.2) captured live: hs server
// --post-handshake-auth asks hs client --cert after the handshake. The exchange is shown where
// it happened, after the handshake (before or after the request, as the server's read fell),
// and its Finished changes no key: the response and the client's close_notify after it still
// decrypt.
TEST(DissectLivePhaTest, PostHandshakeAuthenticationKeepsTheApplicationKeys) {
  ASSERT_TRUE(require_hs_binary());
  const TestPki& pki = shared_test_pki();
  TempDir dir;
  const std::string keylog = (dir / "keys.log").string();
  HsServerProcess server(HsServerProcess::cert_args(pki, false),
                         {"--verify-client", pki.ca_cert.string(), "--post-handshake-auth"});
  ASSERT_NE(server.port(), 0) << server.output();
  auto live = start_live(server.port(), {"--keylog", keylog, "--duration", "30"});
  CommandResult r = run_command(
      {"env", "SSLKEYLOGFILE=" + keylog, hs_binary().string(), "client", "-s", "--http1.1",
       "--tlsv1.3", "--cacert", pki.ca_cert.string(), "--cert", pki.client_cert.string(), "--key",
       pki.client_key.string(), "--resolve", server.resolve(), server.url("/")},
      20s);
  ASSERT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.out, "Client certificate: subject=O=handshake tests; CN=hs-test-client;"))
      << r.output();
  ASSERT_TRUE(wait_for([&live] { return live->stdout_text(); }, "Application data:"))
      << live->output();
  EXPECT_EQ(live->stop(), 0) << live->output();
  const std::string out = live->stdout_text();
  size_t at = 0;
  for (const std::string step :
       {"  Finished [decrypted] ->", "<- Certificate Request [decrypted]",
        "  Certificate [decrypted] ->", "subject[0]: O=handshake tests; CN=hs-test-client",
        "  Certificate Verify [decrypted] ->", "  Finished [decrypted] ->",
        "<- Application Data ("}) {
    size_t next = out.find(step, at);
    ASSERT_NE(next, std::string::npos) << "missing or out of order: " << step << "\n" << out;
    at = next + step.size();
  }
  EXPECT_TRUE(contains(out, "server: HTTP/1.1 200 OK\\r\\n")) << out;
  EXPECT_FALSE(contains(out, "Undecryptable")) << out;
  EXPECT_FALSE(contains(out, "did not decrypt")) << out;
}

// hs dissect -i lo --trace-html: two loopback connections (hs client to hs server, TLS 1.2 then
// TLS 1.3) captured live give one page, written when the capture is stopped, that xmllint
// accepts, with one section per connection headed by its addresses, and decrypted with the key
// log the client wrote during the capture: the requests read as text, no record is left
// "Not decrypted", and the key log's lines are shown as they are.
TEST(DissectLiveHtmlTest, PageHasOneDecryptedSectionPerConnection) {
  ASSERT_TRUE(require_hs_binary());
  ASSERT_TRUE(require_program("xmllint"));
  const TestPki& pki = shared_test_pki();
  TempDir dir;
  const std::string keylog = (dir / "keys.log").string();
  const auto page_file = dir / "live.html";
  HsServerProcess server(HsServerProcess::cert_args(pki, false));
  ASSERT_NE(server.port(), 0) << server.output();
  auto live = start_live(
      server.port(), {"--keylog", keylog, "--duration", "30", "--trace-html", page_file.string()});
  ASSERT_TRUE(contains(live->stderr_text(), "hs: capturing on lo")) << live->output();
  for (const std::string version : {"1.2", "1.3"}) {
    CommandResult r = fetch(server, pki, keylog, version);
    ASSERT_EQ(r.exit_code, 0) << r.output();
  }
  ASSERT_TRUE(wait_for([&live] { return live->stdout_text(); }, "Connection 2: 127.0.0.1:"))
      << live->output();
  // The page is written when the capture stops.
  EXPECT_EQ(read_file(page_file), "");
  ASSERT_EQ(live->stop(), 0) << live->output();

  EXPECT_TRUE(html_lints_clean({page_file}));
  const std::string page = read_file(page_file);
  EXPECT_EQ(count_of(page, "<h2 class=\"conn\">Connection "), 2u);
  for (int i = 1; i <= 2; ++i) {
    const std::string head =
        "<h2 class=\"conn\">Connection " + std::to_string(i) + ": client 127.0.0.1:";
    size_t at = page.find(head);
    ASSERT_NE(at, std::string::npos) << head;
    const std::string line = page.substr(at, page.find('\n', at) - at);
    EXPECT_TRUE(
        contains(line, " -&gt; server 127.0.0.1:" + std::to_string(server.port()) + "</h2>"))
        << line;
  }
  // Each section holds its own request, decrypted.
  const size_t second = page.find("<h2 class=\"conn\">Connection 2");
  EXPECT_TRUE(contains(page.substr(0, second), "GET / HTTP/1.1"));
  EXPECT_TRUE(contains(page.substr(second), "GET / HTTP/1.1"));
  EXPECT_FALSE(contains(page, "Not decrypted"));
  std::istringstream lines(read_file(keylog));
  size_t shown = 0;
  for (std::string l; std::getline(lines, l);) {
    if (!l.empty() && l[0] != '#') {
      EXPECT_TRUE(contains(page, l)) << l;
      ++shown;
    }
  }
  // CLIENT_RANDOM for TLS 1.2, four traffic secrets and the exporter secret for TLS 1.3.
  EXPECT_GE(shown, 6u);
}

TEST(DissectLiveStopTest, CountStopsTheCaptureAndPrintsWhatItHas) {
  ASSERT_TRUE(require_hs_binary());
  const TestPki& pki = shared_test_pki();
  TempDir dir;
  HsServerProcess server(HsServerProcess::cert_args(pki, false));
  ASSERT_NE(server.port(), 0) << server.output();
  auto live = start_live(server.port(), {"-c", "4"});
  CommandResult r = fetch(server, pki, (dir / "keys.log").string(), "1.3");
  ASSERT_EQ(r.exit_code, 0) << r.output();
  // Four packets (SYN, SYN-ACK, ACK, ClientHello): the capture ends by itself and shows the
  // connection it had not seen end.
  EXPECT_EQ(live->wait(10s), std::optional<int>(0)) << live->output();
  const std::string out = live->stdout_text();
  EXPECT_TRUE(contains(out, "Connection 1: 127.0.0.1:")) << out;
  EXPECT_TRUE(contains(out, "  Client Hello ->")) << out;
  EXPECT_FALSE(contains(out, "<- Server Hello")) << out;
  EXPECT_TRUE(contains(out, "4 frames, 1 TCP connections")) << out;
}

TEST(DissectLiveStopTest, DurationStopsAnIdleCapture) {
  ASSERT_TRUE(require_hs_binary());
  auto live = start_live(free_port(), {"--duration", "0.3", "--json"});
  EXPECT_EQ(live->wait(10s), std::optional<int>(0)) << live->output();
  EXPECT_EQ(live->stdout_text(), "") << live->output();
}

TEST(DissectLiveErrorTest, UnknownInterfaceAndNoPermissionAreNamed) {
  ASSERT_TRUE(require_hs_binary());
  CommandResult r = run_command({hs_binary().string(), "dissect", "-i", "nosuchif0"}, 10s);
  EXPECT_EQ(r.exit_code, 2) << r.output();
  EXPECT_TRUE(contains(r.err, "hs: cannot capture on nosuchif0: no such interface")) << r.output();
  // Without the capture capabilities (as root, setpriv drops them from the bounding set before
  // running hs), opening lo is refused with the reason.
  std::vector<std::string> argv = {hs_binary().string(), "dissect", "-i", "lo", "--duration", "1"};
  if (::geteuid() == 0) {
    ASSERT_TRUE(require_program("setpriv"));
    argv.insert(argv.begin(), {"setpriv", "--inh-caps=-all", "--bounding-set=-net_raw,-net_admin"});
  }
  r = run_command(argv, 10s);
  EXPECT_EQ(r.exit_code, 2) << r.output();
  EXPECT_TRUE(contains(r.err, "hs: cannot capture on lo: no permission to capture")) << r.output();
}

}  // namespace
}  // namespace hs::test

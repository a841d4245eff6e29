// The key log works for real: `hs client` fetches a page from `hs server` over loopback while
// dumpcap records the port, both with SSLKEYLOGFILE set; tshark then decrypts the capture with
// each side's key log and must show the HTTP request and response, for TLS 1.2 and TLS 1.3.
// tshark knows nothing of our code, so this checks the NSS labels and the secrets themselves.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/capture.h"
#include "support/hs_server.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

// decrypted_http runs tshark over `capture` with `keylog` and prints one line per HTTP message:
// the request method and URI, or the response code. The port is not 443, so tshark is told it
// carries TLS; ALPN "http/1.1" (the client runs with --http1.1) then hands the plaintext to the
// HTTP dissector.
CommandResult decrypted_http(const std::filesystem::path& capture,
                             const std::filesystem::path& keylog, uint16_t port) {
  return run_command(
      {"tshark", "-n", "-r", capture.string(), "-o", "tls.keylog_file:" + keylog.string(), "-d",
       "tcp.port==" + std::to_string(port) + ",tls", "-Y", "http", "-T", "fields", "-e",
       "http.request.method", "-e", "http.request.uri", "-e", "http.response.code"},
      30s);
}

class KeylogCaptureTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("dumpcap"));
    ASSERT_TRUE(require_program("tshark"));
    pki_ = &shared_test_pki();
  }

  TempDir dir_;
  const TestPki* pki_ = nullptr;
};

TEST_P(KeylogCaptureTest, TsharkDecryptsHttpWithEitherSidesKeyLog) {
  const std::string version = GetParam();  // "1.2" or "1.3"
  auto client_log = dir_ / "client.keys";
  auto server_log = dir_ / "server.keys";
  ProcessOptions server_env;
  server_env.env = {{"SSLKEYLOGFILE", server_log.string()}};
  HsServerProcess server(HsServerProcess::cert_args(*pki_), {}, std::move(server_env));
  ASSERT_NE(server.port(), 0) << server.output();

  auto cap_file = dir_ / "cap.pcapng";
  LoopbackCapture capture(cap_file, server.port());
  ASSERT_TRUE(capture.ready()) << capture.output();

  CommandResult client =
      run_command({"env", "SSLKEYLOGFILE=" + client_log.string(), hs_binary().string(), "client",
                   "-s", "--http1.1", "--cacert", pki_->ca_cert.string(), "--tlsv" + version,
                   "--tls-max", version, "--resolve", server.resolve(), server.url("/")},
                  20s);
  ASSERT_EQ(client.exit_code, 0) << client.output() << server.output();
  EXPECT_EQ(capture.stop(), 0) << capture.output();

  // Without a key log tshark sees TLS but no HTTP: the test is not passing on plaintext.
  CommandResult blind = decrypted_http(cap_file, dir_ / "absent.keys", server.port());
  ASSERT_EQ(blind.exit_code, 0) << blind.output();
  EXPECT_FALSE(contains(blind.out, "GET")) << blind.output();

  for (const auto& keylog : {client_log, server_log}) {
    SCOPED_TRACE(keylog.filename().string());
    std::string keys = read_file(keylog);
    if (version == "1.2") {
      EXPECT_TRUE(contains(keys, "CLIENT_RANDOM ")) << keys;
    } else {
      EXPECT_TRUE(contains(keys, "CLIENT_HANDSHAKE_TRAFFIC_SECRET ")) << keys;
      EXPECT_TRUE(contains(keys, "SERVER_TRAFFIC_SECRET_0 ")) << keys;
    }
    CommandResult r = decrypted_http(cap_file, keylog, server.port());
    ASSERT_EQ(r.exit_code, 0) << r.output();
    EXPECT_TRUE(contains(r.out, "GET\t/\t")) << r.output();
    EXPECT_TRUE(contains(r.out, "\t\t200")) << r.output();
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, KeylogCaptureTest, ::testing::Values("1.2", "1.3"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           return std::string(p.param) == "1.2" ? "Tls12" : "Tls13";
                         });

}  // namespace
}  // namespace hs::test

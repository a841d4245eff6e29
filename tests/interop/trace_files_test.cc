// The --trace-svg and --trace-html files of `hs client` and `hs server` are written by one helper
// (tools/hs/trace_file.h, write_trace_page): a file that cannot be written is named with its
// option on stderr; the client then exits 23 (curl's write error), the server keeps serving.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/hs_server.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

TEST(TraceFilesTest, UnwritableTraceFilesAreNamedWithTheirOption) {
  ASSERT_TRUE(require_hs_binary());
  const TestPki& pki = shared_test_pki();
  TempDir dir;
  const std::string missing = (dir / "no-such-dir").string();
  HsServerProcess server(HsServerProcess::cert_args(pki),
                         {"--trace-html", missing + "/server.html"});
  ASSERT_NE(server.port(), 0) << server.output();
  CommandResult r =
      run_command({hs_binary().string(), "client", "-s", "--cacert", pki.ca_cert.string(),
                   "--trace-svg", missing + "/client.svg", "--trace-html", missing + "/client.html",
                   "--resolve", server.resolve(), server.url("/")},
                  20s);
  EXPECT_EQ(r.exit_code, 23) << r.output();
  EXPECT_TRUE(contains(r.err, "hs: cannot write --trace-svg file " + missing + "/client.svg"))
      << r.output();
  EXPECT_TRUE(contains(r.err, "hs: cannot write --trace-html file " + missing + "/client.html"))
      << r.output();
  // The server writes its page when the connection closes: poll its stderr.
  const std::string server_message =
      "hs: cannot write --trace-html file " + missing + "/server.html";
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!contains(server.process().stderr_text(), server_message) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(contains(server.process().stderr_text(), server_message)) << server.output();
  EXPECT_TRUE(server.process().running()) << server.output();
}

}  // namespace
}  // namespace hs::test

// `hs client --trace-json FILE` against `hs server`: one JSON object per event, the handshake's
// messages in order for TLS 1.2 and 1.3, key changes named, and none of the secrets the same
// run wrote to its key log.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/hs_server.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

// handshake_names lists "out:client_hello", "in:server_hello", ... from the message events.
std::vector<std::string> handshake_names(const std::vector<std::string>& lines) {
  std::vector<std::string> names;
  for (const auto& l : lines) {
    if (!contains(l, "\"event\":\"message\"") || !contains(l, "\"name\":\"")) {
      continue;
    }
    std::string dir = contains(l, "\"direction\":\"out\"") ? "out:" : "in:";
    size_t at = l.find("\"name\":\"") + 8;
    names.push_back(dir + l.substr(at, l.find('"', at) - at));
  }
  return names;
}

class TraceJsonTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TraceJsonTest, EventsAsJsonLinesWithoutSecrets) {
  ASSERT_TRUE(require_hs_binary());
  const std::string version = GetParam();
  const TestPki& pki = shared_test_pki();
  TempDir dir;
  HsServerProcess server(HsServerProcess::cert_args(pki));
  ASSERT_NE(server.port(), 0) << server.output();
  auto trace = dir / "trace.jsonl";
  auto keylog = dir / "keys.log";
  CommandResult r =
      run_command({"env", "SSLKEYLOGFILE=" + keylog.string(), hs_binary().string(), "client", "-s",
                   "--cacert", pki.ca_cert.string(), "--tlsv" + version, "--tls-max", version,
                   "--trace-json", trace.string(), "--resolve", server.resolve(), server.url("/")},
                  20s);
  ASSERT_EQ(r.exit_code, 0) << r.output();
  std::vector<std::string> lines = lines_of(read_file(trace));
  ASSERT_GT(lines.size(), 10u);
  for (const auto& l : lines) {
    EXPECT_EQ(l.rfind("{\"t\":", 0), 0u) << l;
    EXPECT_EQ(l.back(), '}') << l;
  }
  std::vector<std::string> want =
      version == "1.2" ? std::vector<std::string>{"out:client_hello",     "in:server_hello",
                                                  "in:certificate",       "in:server_key_exchange",
                                                  "in:server_hello_done", "out:client_key_exchange",
                                                  "out:finished"}
                       : std::vector<std::string>{
                             "out:client_hello", "in:server_hello",       "in:encrypted_extensions",
                             "in:certificate",   "in:certificate_verify", "in:finished",
                             "out:finished"};
  std::vector<std::string> got = handshake_names(lines);
  ASSERT_GE(got.size(), want.size()) << read_file(trace);
  EXPECT_EQ(std::vector<std::string>(got.begin(), got.begin() + want.size()), want)
      << read_file(trace);
  std::string all = read_file(trace);
  EXPECT_TRUE(contains(all, "\"event\":\"key_change\"")) << all;
  EXPECT_TRUE(contains(all, "\"event\":\"state\"")) << all;
  // The secrets (third field of each key-log line) appear nowhere in the trace.
  std::vector<std::string> keys = lines_of(read_file(keylog));
  ASSERT_FALSE(keys.empty());
  for (const auto& k : keys) {
    std::string secret = k.substr(k.rfind(' ') + 1);
    ASSERT_GE(secret.size(), 64u) << k;
    EXPECT_FALSE(contains(all, secret)) << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, TraceJsonTest, ::testing::Values("1.2", "1.3"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           return std::string(p.param) == "1.2" ? "Tls12" : "Tls13";
                         });

// `hs server --trace-json FILE`: the events of every connection in one file, each object naming
// its connection; a TLS 1.2 and a TLS 1.3 client give two connections whose messages, read from
// the server's side, are each handshake in order, and no secret of the server's key log appears.
TEST(TraceJsonServerTest, EveryConnectionsEventsWithItsId) {
  ASSERT_TRUE(require_hs_binary());
  const TestPki& pki = shared_test_pki();
  TempDir dir;
  auto trace = dir / "server.jsonl";
  auto keylog = dir / "server_keys.log";
  ProcessOptions env;
  env.env.emplace_back("SSLKEYLOGFILE", keylog.string());
  HsServerProcess server(HsServerProcess::cert_args(pki, false), {"--trace-json", trace.string()},
                         env);
  ASSERT_NE(server.port(), 0) << server.output();
  for (const char* version : {"1.2", "1.3"}) {
    CommandResult r =
        run_command({hs_binary().string(), "client", "-s", "--cacert", pki.ca_cert.string(),
                     "--tlsv" + std::string(version), "--tls-max", version, "--resolve",
                     server.resolve(), server.url("/")},
                    20s);
    ASSERT_EQ(r.exit_code, 0) << r.output();
  }
  // The server read each client's Finished before answering, so those events are in the file
  // (it is flushed line by line).
  std::map<uint64_t, std::vector<std::string>> by_connection;
  for (const auto& l : lines_of(read_file(trace))) {
    ASSERT_EQ(l.rfind("{\"t\":", 0), 0u) << l;
    size_t at = l.find(",\"connection\":");
    ASSERT_NE(at, std::string::npos) << l;
    at += 14;
    std::string id = l.substr(at, l.find_first_not_of("0123456789", at) - at);
    ASSERT_FALSE(id.empty()) << l;
    by_connection[std::stoull(id)].push_back(l);
  }
  ASSERT_EQ(by_connection.size(), 2u) << read_file(trace);
  const std::vector<std::vector<std::string>> want = {
      {"in:client_hello", "out:server_hello", "out:certificate", "out:server_key_exchange",
       "out:server_hello_done", "in:client_key_exchange", "in:finished"},
      {"in:client_hello", "out:server_hello", "out:encrypted_extensions", "out:certificate",
       "out:certificate_verify", "out:finished", "in:finished"}};
  size_t i = 0;
  for (const auto& [id, lines] : by_connection) {
    SCOPED_TRACE("connection " + std::to_string(id));
    std::vector<std::string> got = handshake_names(lines);
    ASSERT_GE(got.size(), want[i].size()) << read_file(trace);
    EXPECT_EQ(std::vector<std::string>(got.begin(), got.begin() + want[i].size()), want[i])
        << read_file(trace);
    ++i;
  }
  std::string all = read_file(trace);
  std::vector<std::string> keys = lines_of(read_file(keylog));
  ASSERT_FALSE(keys.empty());
  for (const auto& k : keys) {
    EXPECT_FALSE(contains(all, k.substr(k.rfind(' ') + 1))) << k;
  }
}

}  // namespace
}  // namespace hs::test

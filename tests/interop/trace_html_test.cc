// `hs client --trace-html FILE` against `hs server`, TLS 1.2 and 1.3: the page is well formed
// for an HTML parser (xmllint --html), names every handshake message the -v trace names, holds
// no secret's bytes without a key log (the server's key log says what they were) and holds the
// client's key-log secrets, the CLIENT_RANDOM line's included, with one.
#include <gtest/gtest.h>

#include <filesystem>
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

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

// secrets_of returns the third field (the secret) of each key-log line.
std::vector<std::string> secrets_of(const std::string& key_log) {
  std::vector<std::string> out;
  for (const auto& l : lines_of(key_log)) {
    if (!l.empty() && l[0] != '#') {
      out.push_back(l.substr(l.rfind(' ') + 1));
    }
  }
  return out;
}

class TraceHtmlTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TraceHtmlTest, EveryMessageExplainedSecretsOnlyWithAKeyLog) {
  ASSERT_TRUE(require_hs_binary());
  ASSERT_TRUE(require_program("xmllint"));
  const std::string version = GetParam();
  const TestPki& pki = shared_test_pki();
  TempDir dir;
  auto server_keys = dir / "server_keys.log";
  ProcessOptions server_env;
  server_env.env = {{"SSLKEYLOGFILE", server_keys.string()}};
  auto server_page = dir / "server.html";  // hs server --trace-html: one page per connection
  HsServerProcess server(HsServerProcess::cert_args(pki), {"--trace-html", server_page.string()},
                         server_env);
  ASSERT_NE(server.port(), 0) << server.output();
  auto client = [&](const std::string& page, const std::string& key_log) {
    std::vector<std::string> args = {"env"};
    if (!key_log.empty()) {
      args.push_back("SSLKEYLOGFILE=" + key_log);
    }
    for (std::string a : {hs_binary().string(), std::string("client"), std::string("-v"),
                          std::string("--cacert"), pki.ca_cert.string(), "--tlsv" + version,
                          std::string("--tls-max"), version, std::string("--trace-html"), page,
                          std::string("--resolve"), server.resolve(), server.url("/")}) {
      args.push_back(a);
    }
    return run_command(args, 20s);
  };

  // Without a key log.
  auto plain = dir / "plain.html";
  CommandResult r = client(plain.string(), "");
  ASSERT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(html_lints_clean({plain}));
  const std::string page = read_file(plain);
  EXPECT_TRUE(contains(page, "TLS " + version)) << "the title names the version";
  // Every handshake message of the -v trace ("TLS handshake, Client hello (1):") is named.
  size_t named = 0;
  for (const auto& l : lines_of(r.err)) {
    size_t at = l.find("TLS handshake, ");
    if (at == std::string::npos || l.back() != ':') {
      continue;
    }
    std::string name = l.substr(at + 15, l.size() - at - 16);
    EXPECT_TRUE(contains(page, name)) << name;
    ++named;
  }
  EXPECT_GE(named, version == "1.2" ? 7u : 6u) << r.err;
  // The server's key log holds this connection's secrets: none of them is on the page.
  std::vector<std::string> server_secrets = secrets_of(read_file(server_keys));
  ASSERT_EQ(server_secrets.size(), version == "1.2" ? 1u : 5u);
  for (const auto& s : server_secrets) {
    ASSERT_GE(s.size(), 64u);
    EXPECT_FALSE(contains(page, s)) << "secret " << s << " without a key log";
  }
  EXPECT_TRUE(contains(page, "No key log is being written"));

  // With one: every secret of the client's key log, by the same bytes.
  auto keyed = dir / "keyed.html";
  auto client_keys = dir / "client_keys.log";
  r = client(keyed.string(), client_keys.string());
  ASSERT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(html_lints_clean({keyed}));
  const std::string with_keys = read_file(keyed);
  const std::string key_log = read_file(client_keys);
  std::vector<std::string> client_secrets = secrets_of(key_log);
  ASSERT_EQ(client_secrets.size(), version == "1.2" ? 1u : 5u) << key_log;
  EXPECT_EQ(contains(key_log, "CLIENT_RANDOM "), version == "1.2");
  for (const auto& s : client_secrets) {
    EXPECT_TRUE(contains(with_keys, s)) << "secret " << s << " missing with a key log";
  }
  // And the client random that names them.
  std::string random = lines_of(key_log).front();
  random = random.substr(random.find(' ') + 1, 64);
  EXPECT_TRUE(contains(with_keys, random));

  // The server wrote a page per connection when it closed (#1 server.html, #2 server-2.html),
  // with a key log: each of its secrets is on exactly the page of its own connection.
  auto server_page_2 = dir / "server-2.html";
  for (int i = 0; i < 100 && !std::filesystem::exists(server_page_2); ++i) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(std::filesystem::exists(server_page)) << server.output();
  ASSERT_TRUE(std::filesystem::exists(server_page_2)) << server.output();
  EXPECT_TRUE(html_lints_clean({server_page, server_page_2}));
  const std::string page1 = read_file(server_page);
  const std::string page2 = read_file(server_page_2);
  server_secrets = secrets_of(read_file(server_keys));
  ASSERT_EQ(server_secrets.size(), version == "1.2" ? 2u : 10u);
  for (const auto& s : server_secrets) {
    EXPECT_NE(contains(page1, s), contains(page2, s)) << "secret " << s;
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, TraceHtmlTest, ::testing::Values("1.2", "1.3"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           return std::string(p.param) == "1.2" ? "Tls12" : "Tls13";
                         });

}  // namespace
}  // namespace hs::test

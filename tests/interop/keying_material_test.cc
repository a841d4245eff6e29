// Keying material exporters (RFC 5705, RFC 8446 §7.5) against OpenSSL and GnuTLS on loopback:
// `hs server --keymatexport` logs what openssl s_client -keymatexport and gnutls-cli
// --keymatexport print for the same connection, and `hs client --keymatexport` prints what
// openssl s_server -keymatexport prints, in TLS 1.2 and 1.3. Both tools export without a
// context; contexts are checked against Go (go_test.cc) and libcrypto's KDFs (the unit tests).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/hs_client.h"
#include "support/hs_server.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/text.h"

namespace hs::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kLabel = "EXPERIMENTAL-hs-interop";

// value_after returns the hex after `marker` on its line, lowercased ("" when absent).
std::string value_after(const std::string& text, const std::string& marker) {
  size_t at = text.find(marker);
  if (at == std::string::npos) {
    return "";
  }
  at += marker.size();
  std::string hex = text.substr(at, text.find_first_of("\r\n", at) - at);
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return hex;
}

// logged waits up to 5 s for `server` to log `text` (it logs once it has read the client's
// Finished, which a client that ends right after its handshake may not wait for).
bool logged(const HsServerProcess& server, const std::string& text) {
  for (int i = 0; i < 100; ++i) {
    if (contains(server.output(), text)) {
      return true;
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

class KeyingMaterial : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
  }
  const TestPki& pki_ = shared_test_pki();
};

TEST_F(KeyingMaterial, HsServerExportsWhatOpensslClientExports) {
  HsServerProcess server(HsServerProcess::cert_args(pki_),
                         {"--keymatexport", kLabel, "--keymatexportlen", "32"});
  ASSERT_NE(server.port(), 0) << server.output();
  for (const std::string version : {"-tls1_2", "-tls1_3"}) {
    SCOPED_TRACE(version);
    CommandResult r =
        run_command({"openssl", "s_client", version, "-connect", server.connect(), "-servername",
                     "localhost", "-keymatexport", kLabel, "-keymatexportlen", "32"},
                    20s, "");
    ASSERT_EQ(r.exit_code, 0) << r.output();
    const std::string theirs = value_after(r.out, "Keying material: ");
    ASSERT_EQ(theirs.size(), 64u) << r.output();
    EXPECT_TRUE(logged(server, "Keying material exporter: label \"" + std::string(kLabel) +
                                   "\", 32 bytes: " + theirs))
        << r.output() << server.output();
  }
}

TEST_F(KeyingMaterial, HsServerExportsWhatGnutlsClientExports) {
  ASSERT_TRUE(require_program("gnutls-cli"));
  HsServerProcess server(HsServerProcess::cert_args(pki_),
                         {"--keymatexport", kLabel, "--keymatexportlen", "24"});
  ASSERT_NE(server.port(), 0) << server.output();
  for (const std::string version : {"TLS1.2", "TLS1.3"}) {
    SCOPED_TRACE(version);
    CommandResult r =
        run_command({"gnutls-cli", "--priority", "NORMAL:-VERS-ALL:+VERS-" + version,
                     "--x509cafile", pki_.ca_cert.string(), "--keymatexport", kLabel,
                     "--keymatexportsize", "24", "-p", std::to_string(server.port()), "localhost"},
                    20s, "");
    ASSERT_EQ(r.exit_code, 0) << r.output();
    const std::string theirs = value_after(r.out, "- Key material: ");
    ASSERT_EQ(theirs.size(), 48u) << r.output();
    EXPECT_TRUE(logged(server, "24 bytes: " + theirs)) << r.output() << server.output();
  }
}

// s_server prints its keying material block only in its default mode (not with -www), and only
// when the client's bytes start the handshake: it answers nothing, so hs client, having printed
// its line after the handshake, waits for a response until -m ends it (exit 28).
TEST_F(KeyingMaterial, HsClientExportsWhatOpensslServerExports) {
  for (const std::string version : {"1.2", "1.3"}) {
    SCOPED_TRACE(version);
    const uint16_t port = free_port();
    ProcessOptions options;
    options.keep_stdin_open = true;  // s_server ends at end of input
    Process server({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
                    pki_.rsa_cert.string(), "-key", pki_.rsa_key.string(), "-keymatexport", kLabel,
                    "-keymatexportlen", "40"},
                   options);
    // Not wait_for_port(): its probe would be s_server's one connection. It prints ACCEPT once
    // it listens.
    for (int i = 0; i < 200 && !contains(server.stdout_text(), "ACCEPT"); ++i) {
      std::this_thread::sleep_for(25ms);
    }
    ASSERT_TRUE(contains(server.stdout_text(), "ACCEPT")) << server.output();
    CommandResult r = run_hs_client(pki_, port,
                                    {"-s", "-m", "2", "-o", "/dev/null", "--tls-max", version,
                                     "--keymatexport", kLabel, "--keymatexportlen", "40"});
    ASSERT_EQ(r.exit_code, 28) << r.output() << server.output();
    const std::string ours = value_after(r.err, "40 bytes: ");
    ASSERT_EQ(ours.size(), 80u) << r.output();
    // s_server prints the material in upper case.
    for (int i = 0; i < 100 && value_after(server.stdout_text(), "Keying material: ").empty();
         ++i) {
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(value_after(server.stdout_text(), "Keying material: "), ours)
        << r.output() << server.output();
  }
}

// Refusals reach the user in words: a label RFC 5705 reserves (TLS 1.2), and a context that is
// not hex (a command-line error, exit 2, before any connection).
TEST_F(KeyingMaterial, HsClientSaysWhyItCannotExport) {
  HsServerProcess server(HsServerProcess::cert_args(pki_));
  ASSERT_NE(server.port(), 0) << server.output();
  CommandResult reserved =
      run_hs_client(pki_, server.port(),
                    {"-o", "/dev/null", "--tls-max", "1.2", "--keymatexport", "key expansion"});
  EXPECT_EQ(reserved.exit_code, 35) << reserved.output();
  EXPECT_TRUE(contains(reserved.err,
                       "hs: (35) keying material export failed: label \"key expansion\" is "
                       "reserved (RFC 5705 §6)"))
      << reserved.output();
  CommandResult bad_context =
      run_hs_client(pki_, server.port(),
                    {"-o", "/dev/null", "--keymatexport", kLabel, "--keymatexport-context", "0g"});
  EXPECT_EQ(bad_context.exit_code, 2) << bad_context.output();
  EXPECT_TRUE(contains(bad_context.err, "--keymatexport-context must be hex digits"))
      << bad_context.output();
}

}  // namespace
}  // namespace hs::test

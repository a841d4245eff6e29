// `hs client` against real servers on loopback: openssl s_server -www and gnutls-serv --http,
// every TLS 1.2 suite x group we implement, both certificate types; its -v trace compared line
// for line with what the installed curl prints against the same server; curl-like exit codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

// tls_lines extracts curl's TLS lines from -v output: "* TLSv...", "* SSL connection ...",
// "* ALPN: ...".
std::vector<std::string> tls_lines(const std::string& verbose) {
  std::vector<std::string> out;
  std::istringstream in(verbose);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    // A progress meter update may share the line, ended by '\r'.
    if (size_t cr = line.rfind('\r'); cr != std::string::npos) {
      line.erase(0, cr + 1);
    }
    if (line.rfind("* TLSv", 0) == 0 || line.rfind("* SSL connection", 0) == 0 ||
        line.rfind("* ALPN", 0) == 0) {
      out.push_back(line);
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) {
    s += l + "\n";
  }
  return s;
}

struct SuiteCase {
  const char* openssl_name;   // what curl/hs --ciphers take and "SSL connection using" prints
  const char* gnutls_cipher;  // gnutls-serv's "Description" spelling of the bulk cipher
};

constexpr SuiteCase kRsaSuites[] = {
    {"ECDHE-RSA-AES128-GCM-SHA256", "AES-128-GCM"},
    {"ECDHE-RSA-AES256-GCM-SHA384", "AES-256-GCM"},
    {"ECDHE-RSA-CHACHA20-POLY1305", "CHACHA20-POLY1305"},
};
constexpr SuiteCase kEcdsaSuites[] = {
    {"ECDHE-ECDSA-AES128-GCM-SHA256", "AES-128-GCM"},
    {"ECDHE-ECDSA-AES256-GCM-SHA384", "AES-256-GCM"},
    {"ECDHE-ECDSA-CHACHA20-POLY1305", "CHACHA20-POLY1305"},
};

struct GroupCase {
  const char* curves_arg;   // --curves spelling
  const char* iana;         // what -vv prints as the key share group
  const char* gnutls_name;  // gnutls-serv's "Description" spelling
};

constexpr GroupCase kGroups[] = {
    {"X25519", "x25519", "ECDHE-X25519"},          {"P-256", "secp256r1", "ECDHE-SECP256R1"},
    {"secp384r1", "secp384r1", "ECDHE-SECP384R1"}, {"X448", "x448", "ECDHE-X448"},
    {"P-521", "secp521r1", "ECDHE-SECP521R1"},
};

// curves_for forces group `g` first. An ECDSA P-256 server certificate is only usable when the
// client lists P-256 in supported_groups (RFC 8422 §5.1: the extension also constrains the curves
// of ECDSA certificates; OpenSSL and curl --curves X25519 fail the same way), so P-256 follows.
std::string curves_for(const GroupCase& g, bool ecdsa) {
  std::string curves = g.curves_arg;
  if (ecdsa && std::string(g.iana) != "secp256r1") {
    curves += ":P-256";
  }
  return curves;
}

class HsClientTest : public ::testing::Test {
 public:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
    pki_ = shared_test_pki();  // read-only here; saves generating RSA keys per test
  }

  void start_openssl(const std::filesystem::path& cert, const std::filesystem::path& key,
                     std::vector<std::string> extra = {}, const std::string& version = "-tls1_2") {
    port_ = free_port();
    std::vector<std::string> args = {
        "openssl", "s_server",    "-accept", "127.0.0.1:" + std::to_string(port_),
        "-cert",   cert.string(), "-key",    key.string(),
        "-www",    version};
    args.insert(args.end(), extra.begin(), extra.end());
    server_.emplace(std::move(args));
    ASSERT_TRUE(server_->wait_for_port(port_, 10s)) << server_->output();
  }

  void start_gnutls(const std::filesystem::path& cert, const std::filesystem::path& key) {
    ASSERT_TRUE(require_program("gnutls-serv"));
    port_ = free_port();
    // -a: no CertificateRequest (hs client has no client certificate support yet).
    server_.emplace(std::vector<std::string>{"gnutls-serv", "--http", "-a", "-p",
                                             std::to_string(port_), "--x509certfile", cert.string(),
                                             "--x509keyfile", key.string()});
    ASSERT_TRUE(server_->wait_for_port(port_, 10s)) << server_->output();
  }

  std::string url(const std::string& host = "localhost") const {
    return "https://" + host + ":" + std::to_string(port_) + "/";
  }
  std::string resolve() const { return "localhost:" + std::to_string(port_) + ":127.0.0.1"; }

  CommandResult hs(std::vector<std::string> args, std::chrono::milliseconds timeout = 30s) {
    args.insert(args.begin(), {hs_binary().string(), "client"});
    return run_command(std::move(args), timeout);
  }

  TempDir dir_;
  TestPki pki_;
  uint16_t port_ = 0;
  std::optional<Process> server_;
};

// The curl comparison: same server, same flags, the TLS lines must be identical. s_server runs
// with -no_ticket because curl 7.88 disables TLS 1.2 session tickets (SSL_OP_NO_TICKET) while
// hs offers the extension; with a ticket-issuing server the difference is in the ClientHello,
// not in the trace renderer.
void compare_with_curl(HsClientTest& t, std::vector<std::string> flags,
                       std::chrono::milliseconds timeout) {
  std::vector<std::string> curl_args = {"curl", "-v", "-s"};
  curl_args.insert(curl_args.end(), flags.begin(), flags.end());
  CommandResult curl = run_command(curl_args, timeout);
  ASSERT_FALSE(curl.timed_out) << curl.output();
  std::vector<std::string> hs_args = {"-v", "-s"};
  hs_args.insert(hs_args.end(), flags.begin(), flags.end());
  CommandResult hs = t.hs(hs_args, timeout);
  ASSERT_FALSE(hs.timed_out) << hs.output();
  std::vector<std::string> want = tls_lines(curl.err);
  std::vector<std::string> got = tls_lines(hs.err);
  ASSERT_GE(want.size(), 10u) << curl.output();
  EXPECT_EQ(got, want) << "curl:\n" << joined(want) << "hs:\n" << joined(got) << hs.output();
  EXPECT_EQ(hs.exit_code, curl.exit_code) << curl.output() << hs.output();
}

TEST_F(HsClientTest, VerboseTraceMatchesCurlForHead) {
  ASSERT_TRUE(require_program("curl"));
  start_openssl(pki_.rsa_cert, pki_.rsa_key, {"-no_ticket"});
  // s_server -www never answers HEAD, so both time out after the exchange (exit 28) and close
  // with close_notify: the whole connection's TLS lines are compared.
  compare_with_curl(*this,
                    {"--http1.1", "--tlsv1.2", "--tls-max", "1.2", "-k", "--head", "-m", "2",
                     "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256", "--resolve", resolve(), url()},
                    20s);
}

// TLS 1.3: curl --tlsv1.3 and hs client --tlsv1.3 against the same s_server -tls1_3, once per
// suite (s_server offers just that one, since curl and hs prefer different ones): Encrypted
// Extensions (8), CERT verify (15), the two Newsession Tickets (4) after the handshake, and the
// close_notify alerts, in curl's words and order.
TEST_F(HsClientTest, VerboseTraceMatchesCurlForTls13) {
  ASSERT_TRUE(require_program("curl"));
  for (const char* suite :
       {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}) {
    SCOPED_TRACE(suite);
    start_openssl(pki_.rsa_cert, pki_.rsa_key, {"-ciphersuites", suite}, "-tls1_3");
    compare_with_curl(*this,
                      {"--http1.1", "--tlsv1.3", "--cacert", pki_.ca_cert.string(), "--resolve",
                       resolve(), url()},
                      20s);
  }
}

// TLS 1.3 resumption: curl fetching the URL twice resumes the session from the first
// connection's ticket on the second (s_server -www closes after each response), as hs client
// --reconnect 1 does; the lines of both connections, "SSL re-using session ID" included, match.
TEST_F(HsClientTest, VerboseTraceMatchesCurlForTls13Resumption) {
  ASSERT_TRUE(require_program("curl"));
  start_openssl(pki_.ecdsa_cert, pki_.ecdsa_key, {"-ciphersuites", "TLS_AES_128_GCM_SHA256"},
                "-tls1_3");
  const std::vector<std::string> common = {"-v",        "-s",       "--http1.1",
                                           "--tlsv1.3", "--cacert", pki_.ca_cert.string(),
                                           "--resolve", resolve()};
  std::vector<std::string> curl_args = {"curl"};
  curl_args.insert(curl_args.end(), common.begin(), common.end());
  curl_args.insert(curl_args.end(), {url(), url()});
  CommandResult curl = run_command(curl_args, 20s);
  std::vector<std::string> hs_args = common;
  hs_args.insert(hs_args.end(), {"--reconnect", "1", url()});
  CommandResult ours = hs(hs_args, 20s);
  auto lines = [](const std::string& verbose) {
    std::vector<std::string> out;
    std::istringstream in(verbose);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("* SSL re-using", 0) == 0) {
        out.push_back(line);
      }
      for (const std::string& l : tls_lines(line)) {
        out.push_back(l);
      }
    }
    return out;
  };
  const std::vector<std::string> want = lines(curl.err);
  const std::vector<std::string> got = lines(ours.err);
  ASSERT_EQ(std::count(want.begin(), want.end(), "* SSL re-using session ID"), 1) << curl.output();
  EXPECT_EQ(got, want) << "curl:\n" << joined(want) << "hs:\n" << joined(got) << ours.output();
  EXPECT_EQ(ours.exit_code, curl.exit_code) << curl.output() << ours.output();
}

TEST_F(HsClientTest, VerboseTraceMatchesCurlForGetEcdsa) {
  ASSERT_TRUE(require_program("curl"));
  start_openssl(pki_.ecdsa_cert, pki_.ecdsa_key, {"-no_ticket"});
  // GET: s_server answers with HTTP/1.0 and close_notify; both sides' alerts are compared.
  compare_with_curl(
      *this,
      {"--http1.1", "--tlsv1.2", "--tls-max", "1.2", "-k", "--ciphers",
       "ECDHE-ECDSA-CHACHA20-POLY1305", "--curves", "P-256", "--resolve", resolve(), url()},
      20s);
}

TEST_F(HsClientTest, OpensslServerEverySuiteAndGroup) {
  for (bool ecdsa : {false, true}) {
    start_openssl(ecdsa ? pki_.ecdsa_cert : pki_.rsa_cert, ecdsa ? pki_.ecdsa_key : pki_.rsa_key);
    for (const SuiteCase& s : ecdsa ? kEcdsaSuites : kRsaSuites) {
      for (const GroupCase& g : kGroups) {
        SCOPED_TRACE(std::string(s.openssl_name) + " " + g.iana);
        CommandResult r = hs({"-vv", "-k", "--ciphers", s.openssl_name, "--curves",
                              curves_for(g, ecdsa), "--resolve", resolve(), url()});
        EXPECT_EQ(r.exit_code, 0) << r.output();
        EXPECT_TRUE(
            contains(r.err, std::string("* SSL connection using TLSv1.2 / ") + s.openssl_name))
            << r.output();
        EXPECT_TRUE(contains(r.err, std::string("key share group: ") + g.iana)) << r.output();
        // s_server -www reports the suite it negotiated in the page.
        EXPECT_TRUE(contains(r.out, std::string("Cipher is ") + s.openssl_name)) << r.output();
      }
    }
    server_.reset();
  }
}

TEST_F(HsClientTest, GnutlsServerEverySuiteAndGroup) {
  for (bool ecdsa : {false, true}) {
    start_gnutls(ecdsa ? pki_.ecdsa_cert : pki_.rsa_cert, ecdsa ? pki_.ecdsa_key : pki_.rsa_key);
    for (const SuiteCase& s : ecdsa ? kEcdsaSuites : kRsaSuites) {
      for (const GroupCase& g : kGroups) {
        SCOPED_TRACE(std::string(s.openssl_name) + " " + g.iana);
        CommandResult r = hs({"-v", "-k", "--tls-max", "1.2", "--ciphers", s.openssl_name,
                              "--curves", curves_for(g, ecdsa), "--resolve", resolve(), url()});
        EXPECT_EQ(r.exit_code, 0) << r.output();
        EXPECT_TRUE(
            contains(r.err, std::string("* SSL connection using TLSv1.2 / ") + s.openssl_name))
            << r.output();
        // gnutls-serv's page: "(TLS1.2-X.509)-(ECDHE-SECP384R1)-(RSA-PSS-RSAE-SHA256)-(AES-...)"
        EXPECT_TRUE(contains(r.out, "TLS1.2")) << r.output();
        EXPECT_TRUE(contains(r.out, std::string("(") + g.gnutls_name + ")")) << r.output();
        EXPECT_TRUE(contains(r.out, std::string("(") + s.gnutls_cipher + ")")) << r.output();
      }
    }
    server_.reset();
  }
}

// TLS 1.3 over every group against s_server and gnutls-serv. The server accepts only the group
// under test; our key share goes to X25519 first, so every other group is reached through a
// HelloRetryRequest (RFC 8446 §4.1.4), which -vv shows. ffdhe4096 and up are not in our default
// list: --curves X25519:<group> offers them.
TEST_F(HsClientTest, Tls13EveryGroupThroughHelloRetryRequest) {
  ASSERT_TRUE(require_program("gnutls-serv"));
  std::vector<GroupCase> groups(std::begin(kGroups), std::end(kGroups));
  // The RFC 7919 groups, TLS 1.3 only.
  groups.insert(groups.end(), {{"ffdhe2048", "ffdhe2048", "DHE-FFDHE2048"},
                               {"ffdhe3072", "ffdhe3072", "DHE-FFDHE3072"},
                               {"ffdhe4096", "ffdhe4096", "DHE-FFDHE4096"},
                               {"ffdhe6144", "ffdhe6144", "DHE-FFDHE6144"},
                               {"ffdhe8192", "ffdhe8192", "DHE-FFDHE8192"}});
  for (const GroupCase& g : groups) {
    SCOPED_TRACE(g.iana);
    const std::string iana = g.iana;
    const bool hrr = iana != "x25519";
    // client_args: hs client's arguments for the server just started (port_).
    auto client_args = [&] {
      std::vector<std::string> args = {"-vv",       "--tlsv1.3", "--cacert", pki_.ca_cert.string(),
                                       "--resolve", resolve(),   url()};
      if (iana == "ffdhe4096" || iana == "ffdhe6144" || iana == "ffdhe8192") {
        args.insert(args.begin(), {"--curves", "X25519:" + iana});
      }
      return args;
    };
    start_openssl(pki_.rsa_cert, pki_.rsa_key, {"-groups", g.curves_arg}, "-tls1_3");
    CommandResult r = hs(client_args());
    EXPECT_EQ(r.exit_code, 0) << r.output();
    EXPECT_TRUE(contains(r.err, "* SSL connection using TLSv1.3 / TLS_AES_")) << r.output();
    // The ServerHello's key_share line (the ClientHello's says "1 share(s)").
    const std::string server_share = std::string("bytes: share ") + g.iana + " (";
    EXPECT_TRUE(contains(r.err, server_share)) << r.output();
    EXPECT_EQ(contains(r.err, "HelloRetryRequest"), hrr) << r.output();
    server_.reset();

    port_ = free_port();
    const std::string gnutls_name = g.gnutls_name;
    const std::string gnutls_group = gnutls_name.substr(gnutls_name.find('-') + 1);
    server_.emplace(std::vector<std::string>{
        "gnutls-serv", "--http", "-a", "-p", std::to_string(port_), "--x509certfile",
        pki_.rsa_cert.string(), "--x509keyfile", pki_.rsa_key.string(), "--priority",
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-" + gnutls_group});
    ASSERT_TRUE(server_->wait_for_port(port_, 10s)) << server_->output();
    CommandResult t = hs(client_args());
    EXPECT_EQ(t.exit_code, 0) << t.output();
    EXPECT_TRUE(contains(t.err, server_share)) << t.output();
    // gnutls-serv's page: "(TLS1.3-X.509)-(ECDHE-X448)-(RSA-PSS-RSAE-SHA256)-(AES-256-GCM)",
    // "(DHE-FFDHE2048)" for FFDHE.
    EXPECT_TRUE(contains(t.out, std::string("(") + g.gnutls_name + ")")) << t.output();
    server_.reset();
  }
}

TEST_F(HsClientTest, HeadBehavesLikeCurl) {
  ASSERT_TRUE(require_program("curl"));
  start_gnutls(pki_.rsa_cert, pki_.rsa_key);
  // Whatever gnutls-serv does with HEAD, hs -I must end the same way curl -I does.
  CommandResult curl =
      run_command({"curl", "-sS", "-k", "-I", "-m", "10", "--resolve", resolve(), url()}, 20s);
  CommandResult r = hs({"-k", "-I", "-m", "10", "--resolve", resolve(), url()});
  EXPECT_EQ(r.exit_code, curl.exit_code) << curl.output() << r.output();
  EXPECT_EQ(r.out, curl.out) << curl.output() << r.output();
}

TEST_F(HsClientTest, WithoutVerifierVerificationRefusesWithExit60) {
  start_openssl(pki_.rsa_cert, pki_.rsa_key);
  CommandResult plain = hs({"--resolve", resolve(), url()});
  EXPECT_EQ(plain.exit_code, 60) << plain.output();
  EXPECT_TRUE(contains(plain.err, "hs: (60) SSL certificate problem")) << plain.output();
  CommandResult ca = hs({"-v", "--cacert", pki_.ca_cert.string(), "--resolve", resolve(), url()});
  EXPECT_TRUE(contains(ca.err, "*  CAfile: " + pki_.ca_cert.string())) << ca.output();
  EXPECT_TRUE(contains(ca.err, "*  CApath: /etc/ssl/certs")) << ca.output();
  if (ca.exit_code != 0) {
    // No X.509 verifier plugged in yet: the connection refuses rather than trusts.
    EXPECT_EQ(ca.exit_code, 60) << ca.output();
  } else {
    EXPECT_TRUE(contains(ca.err, "*  SSL certificate verify ok.")) << ca.output();
  }
  CommandResult insecure = hs({"-v", "-k", "--resolve", resolve(), url()});
  EXPECT_EQ(insecure.exit_code, 0) << insecure.output();
  EXPECT_FALSE(contains(insecure.err, "CAfile")) << insecure.output();
  EXPECT_TRUE(contains(insecure.err, "continuing anyway.")) << insecure.output();
}

TEST_F(HsClientTest, CurlExitCodesForUrlResolveAndConnect) {
  CommandResult http = hs({"http://localhost/"});
  EXPECT_EQ(http.exit_code, 1) << http.output();
  // curl's words for a scheme it lacks; hs speaks https:// only.
  EXPECT_TRUE(contains(http.err, "hs: (1) Protocol \"http\" not supported")) << http.output();
  CommandResult resolve_fail = hs({"https://no-such-host.invalid/"});
  EXPECT_EQ(resolve_fail.exit_code, 6) << resolve_fail.output();
  EXPECT_TRUE(contains(resolve_fail.err, "hs: (6) Could not resolve host"))
      << resolve_fail.output();
  uint16_t closed = free_port();
  CommandResult refused = hs({"https://127.0.0.1:" + std::to_string(closed) + "/"});
  EXPECT_EQ(refused.exit_code, 7) << refused.output();
}

TEST_F(HsClientTest, HandshakeFailureIsExit35WithWhatAndWhy) {
  // An RSA-only server and an ECDSA-only offer: the server refuses with handshake_failure.
  start_openssl(pki_.rsa_cert, pki_.rsa_key);
  CommandResult r =
      hs({"-k", "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256", "--resolve", resolve(), url()});
  EXPECT_EQ(r.exit_code, 35) << r.output();
  EXPECT_TRUE(contains(r.err, "hs: (35) ")) << r.output();
  EXPECT_TRUE(contains(r.err, "handshake_failure")) << r.output();
}

TEST_F(HsClientTest, KeyLogFileIsWritten) {
  start_openssl(pki_.rsa_cert, pki_.rsa_key);
  auto keylog = dir_ / "keys.log";
  CommandResult r = run_command({"env", "SSLKEYLOGFILE=" + keylog.string(), hs_binary().string(),
                                 "client", "-k", "--resolve", resolve(), url()});
  EXPECT_EQ(r.exit_code, 0) << r.output();
  std::string text = read_file(keylog);
  EXPECT_EQ(text.rfind("CLIENT_RANDOM ", 0), 0u) << text;
  // "CLIENT_RANDOM <64 hex> <96 hex>\n"
  EXPECT_EQ(text.size(), 14u + 64 + 1 + 96 + 1) << text;
}

}  // namespace
}  // namespace hs::test

// Resumption against real peers on loopback: openssl s_client -reconnect and gnutls-cli --resume
// against `hs server` (TLS 1.2 by session ID and by ticket), and `hs client --reconnect` against
// openssl s_server (TLS 1.2 by session ID and by ticket, TLS 1.3 by ticket) and `hs server`,
// plus tickets shared by two `hs server` processes through --ticket-keys, and the key-exchange
// hint that spares the later connections to a P-256-only s_server their HelloRetryRequest (in
// one process, and through --sess-out / --sess-in files).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
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

// ResumeHsServer runs `hs server` with the RSA certificate on a free loopback port.
class ResumeHsServer : public HsServerProcess {
 public:
  ResumeHsServer(const TestPki& pki, std::vector<std::string> extra)
      : HsServerProcess(cert_args(pki, /*with_ecdsa=*/false), std::move(extra)) {}
};

// OpensslServer runs `openssl s_server -www` on a free port with `extra` flags.
class OpensslServer {
 public:
  OpensslServer(const TestPki& pki, std::vector<std::string> extra) : port_(free_port()) {
    std::vector<std::string> args = {"openssl",
                                     "s_server",
                                     "-accept",
                                     "127.0.0.1:" + std::to_string(port_),
                                     "-www",
                                     "-cert",
                                     pki.rsa_cert.string(),
                                     "-key",
                                     pki.rsa_key.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    process_ = std::make_unique<Process>(std::move(args));
    ok_ = process_->wait_for_port(port_);
  }
  bool ok() const { return ok_; }
  std::string url() const { return "https://localhost:" + std::to_string(port_) + "/"; }
  std::string output() const { return process_->output(); }

 private:
  uint16_t port_;
  std::unique_ptr<Process> process_;
  bool ok_ = false;
};

CommandResult hs_client(const std::string& url, std::vector<std::string> extra) {
  std::vector<std::string> args = {hs_binary().string(), "client", "-k", "-o", "/dev/null"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url);
  return run_command(std::move(args), 30s);
}

class ResumeInterop : public ::testing::Test {
 protected:
  const TestPki& pki_ = shared_test_pki();
};

// ---- peers against hs server ----

TEST_F(ResumeInterop, OpensslSClientReconnectsWithTicketAndSessionId) {
  ASSERT_TRUE(require_program("openssl"));
  ResumeHsServer server(pki_, {});
  ASSERT_NE(server.port(), 0) << server.output();
  const std::string connect = "127.0.0.1:" + std::to_string(server.port());
  for (bool no_ticket : {false, true}) {
    SCOPED_TRACE(no_ticket ? "-no_ticket" : "with tickets");
    std::vector<std::string> args = {"openssl", "s_client", "-connect",
                                     connect,   "-tls1_2",  "-reconnect"};
    if (no_ticket) {
      args.push_back("-no_ticket");
    }
    auto r = run_command(args, 30s);
    ASSERT_EQ(r.exit_code, 0) << r.output();
    // s_client -reconnect connects once, then five more times with the first session.
    EXPECT_EQ(count_of(r.out, "\nNew, TLSv1.2"), 1u) << r.output();
    EXPECT_EQ(count_of(r.out, "\nReused, TLSv1.2"), 5u) << r.output();
  }
}

TEST_F(ResumeInterop, GnutlsCliResumesAgainstHsServer) {
  ASSERT_TRUE(require_program("gnutls-cli"));
  for (bool tickets : {true, false}) {
    SCOPED_TRACE(tickets ? "tickets" : "--no-tickets");
    ResumeHsServer server(
        pki_, tickets ? std::vector<std::string>{} : std::vector<std::string>{"--no-tickets"});
    ASSERT_NE(server.port(), 0) << server.output();
    auto r = run_command(
        {"gnutls-cli", "--insecure", "--resume", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2",
         "-p", std::to_string(server.port()), "127.0.0.1"},
        30s);
    EXPECT_NE(r.out.find("*** This is a resumed session"), std::string::npos) << r.output();
  }
}

TEST_F(ResumeInterop, HsClientReconnectsToHsServer) {
  ResumeHsServer server(pki_, {});
  ASSERT_NE(server.port(), 0) << server.output();
  for (std::string max : {"1.2", "1.3"}) {
    SCOPED_TRACE(max);
    auto r = hs_client(server.url(), {"--tls-max", max, "--reconnect", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.output();
    EXPECT_EQ(count_of(r.err, ": New, TLSv" + max), 1u) << r.output();
    EXPECT_EQ(count_of(r.err, ": Reused, TLSv" + max), 3u) << r.output();
  }
}

TEST_F(ResumeInterop, SharedTicketKeysResumeAcrossServerProcesses) {
  TempDir dir;
  const auto keys = dir.path() / "ticket.keys";
  auto gen = run_command({"openssl", "rand", "-hex", "-out", keys.string(), "96"});
  ASSERT_EQ(gen.exit_code, 0) << gen.output();
  ResumeHsServer a(pki_, {"--ticket-keys", keys.string()});
  ResumeHsServer b(pki_, {"--ticket-keys", keys.string()});
  ResumeHsServer other(pki_, {});
  ASSERT_NE(a.port(), 0) << a.output();
  ASSERT_NE(b.port(), 0) << b.output();
  ASSERT_NE(other.port(), 0) << other.output();
  for (std::string max : {"1.2", "1.3"}) {
    SCOPED_TRACE(max);
    const auto sess = dir.path() / ("session" + max);
    auto first = hs_client(a.url(), {"--tls-max", max, "--sess-out", sess.string()});
    ASSERT_EQ(first.exit_code, 0) << first.output();
    EXPECT_NE(first.err.find(": New, TLSv" + max), std::string::npos) << first.output();
    // The file holds the session secret: owner-only.
    auto perms = std::filesystem::status(sess).permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none);
    auto second = hs_client(b.url(), {"--tls-max", max, "--sess-in", sess.string()});
    ASSERT_EQ(second.exit_code, 0) << second.output();
    EXPECT_NE(second.err.find(": Reused, TLSv" + max), std::string::npos) << second.output();
    // A server with other keys cannot open the ticket: a full handshake, no error.
    auto third = hs_client(other.url(), {"--tls-max", max, "--sess-in", sess.string()});
    ASSERT_EQ(third.exit_code, 0) << third.output();
    EXPECT_NE(third.err.find(": New, TLSv" + max), std::string::npos) << third.output();
  }
}

// --pinnedpubkey with resumption: the pin is checked on the full handshake and the sessions it
// made resume (--reconnect) in both versions; a wrong pin fails the first connection, exit 90;
// a --sess-in file, whose server key this process never saw, is not resumed with a pin.
TEST_F(ResumeInterop, HsClientPinsTheKeyAndResumesWhatItPinned) {
  ResumeHsServer server(pki_, {});
  ASSERT_NE(server.port(), 0) << server.output();
  TempDir dir;
  const std::string pin = public_key_pin(pki_.rsa_cert, dir.path());
  for (std::string max : {"1.2", "1.3"}) {
    SCOPED_TRACE(max);
    auto r = hs_client(server.url(),
                       {"-v", "--tls-max", max, "--pinnedpubkey", pin, "--reconnect", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.output();
    // Checked on both connections: the resumed one reports its session's certificate.
    EXPECT_EQ(count_of(r.err, "*  public key hash: " + pin + "\n"), 2u) << r.output();
    EXPECT_NE(r.err.find("* Connection #1: Reused, TLSv" + max), std::string::npos) << r.output();
    auto wrong = hs_client(server.url(), {"--tls-max", max, "--pinnedpubkey",
                                          "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="});
    EXPECT_EQ(wrong.exit_code, 90) << wrong.output();
  }
  const auto sess = dir.path() / "session";
  auto saved = hs_client(server.url(), {"--sess-out", sess.string()});
  ASSERT_EQ(saved.exit_code, 0) << saved.output();
  // The session file carries the server's certificate: resumed, and the pin checked against it.
  auto pinned = hs_client(server.url(), {"-v", "--sess-in", sess.string(), "--pinnedpubkey", pin});
  ASSERT_EQ(pinned.exit_code, 0) << pinned.output();
  EXPECT_NE(pinned.err.find("* Connection #0: Reused"), std::string::npos) << pinned.output();
  EXPECT_EQ(count_of(pinned.err, "*  public key hash: " + pin + "\n"), 1u) << pinned.output();
  auto wrong = hs_client(server.url(), {"--sess-in", sess.string(), "--pinnedpubkey",
                                        "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="});
  EXPECT_EQ(wrong.exit_code, 90) << wrong.output();
}

// certificate_lines_after returns the "Server certificate:" block lines that follow `marker`
// (the second connection's "(#1)"), in order.
std::vector<std::string> certificate_lines_after(const std::string& err,
                                                 const std::string& marker) {
  std::vector<std::string> out;
  const size_t from = err.find(marker);
  if (from == std::string::npos) {
    return out;
  }
  std::istringstream lines(err.substr(from));
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("* Server certificate:") || line.starts_with("*  subject:") ||
        line.starts_with("*  issuer:") || line.starts_with("*  subjectAltName:") ||
        line.starts_with("*  SSL certificate verify")) {
      out.push_back(line);
    }
  }
  return out;
}

// A resumed connection shows the certificate of its session's full handshake, as curl with
// OpenSSL does (the session keeps the peer certificate): curl fetching the same URL twice over
// two connections (Connection: close) and hs client --reconnect 1 print the same block on the
// second, resumed, connection, in TLS 1.2 and 1.3.
TEST_F(ResumeInterop, ResumedConnectionShowsTheCertificateAsCurlDoes) {
  ASSERT_TRUE(require_program("curl"));
  for (const std::string max : {"1.2", "1.3"}) {
    SCOPED_TRACE(max);
    ResumeHsServer server(pki_, {});
    ASSERT_NE(server.port(), 0) << server.output();
    const CommandResult curl = run_command(
        {"curl", "-sv", "--http1.1", "--tls-max", max, "--cacert", pki_.ca_cert.string(),
         "--resolve", server.resolve(), "-H", "Connection: close", "-o", "/dev/null", "-o",
         "/dev/null", server.url(), server.url()},
        30s);
    ASSERT_EQ(curl.exit_code, 0) << curl.output();
    ASSERT_NE(curl.err.find("SSL re-using session ID"), std::string::npos) << curl.output();
    const CommandResult ours =
        run_command({hs_binary().string(), "client", "-sv", "--http1.1", "--tls-max", max,
                     "--cacert", pki_.ca_cert.string(), "--resolve", server.resolve(),
                     "--reconnect", "1", "-o", "/dev/null", server.url()},
                    30s);
    ASSERT_EQ(ours.exit_code, 0) << ours.output();
    // Resumed: no Certificate message on the second connection.
    const size_t second = ours.err.find("(#1)");
    ASSERT_NE(second, std::string::npos) << ours.output();
    EXPECT_EQ(ours.err.find("TLS handshake, Certificate (11)", second), std::string::npos)
        << ours.output();
    const auto want = certificate_lines_after(curl.err, "(#1)");
    EXPECT_EQ(want.size(), 5u) << curl.output();
    EXPECT_EQ(certificate_lines_after(ours.err, "(#1)"), want) << ours.output();
  }
}

// A session made with verification off (-k) is not resumed by a client that verifies: resuming
// would skip the check. A verified session is.
TEST_F(ResumeInterop, InsecureSessionIsNotResumedByAVerifyingClient) {
  ResumeHsServer server(pki_, {});
  ASSERT_NE(server.port(), 0) << server.output();
  TempDir dir;
  const auto insecure = dir.path() / "insecure";
  const auto verified = dir.path() / "verified";
  auto verifying = [&](const std::filesystem::path& sess_in, const std::filesystem::path& out) {
    std::vector<std::string> args = {
        hs_binary().string(),  "client",    "-sv",           "-o", "/dev/null", "--cacert",
        pki_.ca_cert.string(), "--resolve", server.resolve()};
    if (!sess_in.empty()) {
      args.insert(args.end(), {"--sess-in", sess_in.string()});
    }
    if (!out.empty()) {
      args.insert(args.end(), {"--sess-out", out.string()});
    }
    args.push_back(server.url());
    return run_command(std::move(args), 30s);
  };
  ASSERT_EQ(hs_client(server.url(), {"--sess-out", insecure.string()}).exit_code, 0);
  auto r = verifying(insecure, {});
  ASSERT_EQ(r.exit_code, 0) << r.output();
  EXPECT_NE(r.err.find("TLS handshake, Certificate (11)"), std::string::npos) << r.output();
  EXPECT_EQ(r.err.find("SSL re-using session ID"), std::string::npos) << r.output();
  ASSERT_EQ(verifying({}, verified).exit_code, 0);
  r = verifying(verified, {});
  ASSERT_EQ(r.exit_code, 0) << r.output();
  EXPECT_NE(r.err.find("SSL re-using session ID"), std::string::npos) << r.output();
  EXPECT_EQ(r.err.find("TLS handshake, Certificate (11)"), std::string::npos) << r.output();
  EXPECT_NE(r.err.find("*  SSL certificate verify ok."), std::string::npos) << r.output();
}

// ---- hs client against openssl s_server ----

struct SServerCase {
  const char* name;
  std::vector<std::string> flags;
  const char* version;
};

TEST_F(ResumeInterop, HsClientReconnectResumesAgainstOpensslSServer) {
  ASSERT_TRUE(require_program("openssl"));
  const SServerCase cases[] = {
      {"TLS 1.2 by session ID", {"-tls1_2", "-no_ticket"}, "TLSv1.2"},
      {"TLS 1.2 by ticket", {"-tls1_2"}, "TLSv1.2"},
      {"TLS 1.3 by ticket", {"-tls1_3"}, "TLSv1.3"},
  };
  for (const SServerCase& c : cases) {
    SCOPED_TRACE(c.name);
    OpensslServer server(pki_, c.flags);
    ASSERT_TRUE(server.ok()) << server.output();
    auto r = hs_client(server.url(), {"-v", "--reconnect", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.output();
    EXPECT_EQ(count_of(r.err, std::string(": New, ") + c.version), 1u) << r.output();
    EXPECT_EQ(count_of(r.err, std::string(": Reused, ") + c.version), 3u) << r.output();
    // curl 7.88 -v says this when it offers a cached session.
    EXPECT_EQ(count_of(r.err, "* SSL re-using session ID\n"), 3u) << r.output();
  }
}

// A server that takes P-256 only: our first key share (X25519) gets a HelloRetryRequest on the
// first connection of `hs client --reconnect 2`; the process's session store remembers the
// group (ClientSessionStore::kx_hint), so the two connections after it share P-256 at once and
// send one ClientHello each, resumed (tickets) or not (-num_tickets 0).
TEST_F(ResumeInterop, HsClientRemembersTheGroupOfAP256OnlyOpensslSServer) {
  ASSERT_TRUE(require_program("openssl"));
  struct Case {
    const char* name;
    std::vector<std::string> flags;
    const char* second;  // how the later connections go
  };
  const Case cases[] = {
      {"resumed", {"-tls1_3", "-groups", "P-256"}, ": Reused, TLSv1.3"},
      {"no tickets", {"-tls1_3", "-groups", "P-256", "-num_tickets", "0"}, ": New, TLSv1.3"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    OpensslServer server(pki_, c.flags);
    ASSERT_TRUE(server.ok()) << server.output();
    auto r = hs_client(server.url(), {"-vv", "--reconnect", "2"});
    ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
    EXPECT_EQ(count_of(r.err, "* Connection #0: New, TLSv1.3"), 1u) << r.output();
    EXPECT_EQ(count_of(r.err, std::string("* Connection #1") + c.second), 1u) << r.output();
    EXPECT_EQ(count_of(r.err, std::string("* Connection #2") + c.second), 1u) << r.output();
    // 2 + 1 + 1 ClientHellos; without the hint it would be 2 + 2 + 2.
    EXPECT_EQ(count_of(r.err, "(OUT), handshake, Client hello (1)"), 4u) << r.output();
    EXPECT_EQ(count_of(r.err, "HelloRetryRequest selected secp256r1"), 1u) << r.output();
    EXPECT_EQ(
        count_of(r.err, "note: key share for secp256r1, the group this server chose last time"), 2u)
        << r.output();
  }
}

// The same hint across processes: --sess-out saves it with the session and --sess-in restores
// it, so the second process's one ClientHello shares P-256 and resumes.
TEST_F(ResumeInterop, HsClientCarriesTheGroupHintInItsSessionFile) {
  ASSERT_TRUE(require_program("openssl"));
  OpensslServer server(pki_, {"-tls1_3", "-groups", "P-256"});
  ASSERT_TRUE(server.ok()) << server.output();
  TempDir dir;
  const auto sess = dir.path() / "session";
  auto first = hs_client(server.url(), {"-vv", "--sess-out", sess.string()});
  ASSERT_EQ(first.exit_code, 0) << first.output() << server.output();
  EXPECT_EQ(count_of(first.err, "HelloRetryRequest selected secp256r1"), 1u) << first.output();
  auto second = hs_client(server.url(), {"-vv", "--sess-in", sess.string()});
  ASSERT_EQ(second.exit_code, 0) << second.output() << server.output();
  EXPECT_EQ(count_of(second.err, "* Connection #0: Reused, TLSv1.3"), 1u) << second.output();
  EXPECT_EQ(count_of(second.err, "(OUT), handshake, Client hello (1)"), 1u) << second.output();
  EXPECT_EQ(count_of(second.err, "HelloRetryRequest"), 0u) << second.output();
  EXPECT_EQ(
      count_of(second.err, "note: key share for secp256r1, the group this server chose last time"),
      1u)
      << second.output();
}

}  // namespace
}  // namespace hs::test

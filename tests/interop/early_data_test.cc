// TLS 1.3 0-RTT against real peers on loopback (RFC 8446 §2.3, §4.2.10): openssl s_client
// -sess_in -early_data against `hs server --max-early-data` (accepted) and without it
// (rejected), `hs client --tls-earlydata --reconnect` against openssl s_server -early_data
// (accepted) and without it (rejected, the request resent as 1-RTT data), and gnutls-cli
// --earlydata against `hs server`.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>
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

const std::string kRequest = "GET / HTTP/1.0\r\n\r\n";

class EarlyDataInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
    pki_ = &shared_test_pki();
  }

  std::unique_ptr<HsServerProcess> hs_server(std::vector<std::string> extra) {
    extra.push_back("-v");
    auto s = std::make_unique<HsServerProcess>(HsServerProcess::cert_args(*pki_, false),
                                               std::move(extra));
    EXPECT_NE(s->port(), 0) << s->output();
    return s;
  }

  CommandResult s_client(const HsServerProcess& s, std::vector<std::string> extra,
                         std::string stdin_data = {}) {
    std::vector<std::string> args = {"openssl",   "s_client",  "-tls1_3",
                                     "-connect",  s.connect(), "-servername",
                                     "localhost", "-CAfile",   pki_->ca_cert.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_command(std::move(args), 20s, std::move(stdin_data));
  }

  // save_session runs s_client against `s` and saves its session (with a ticket) to `sess`.
  void save_session(const HsServerProcess& s, const std::string& sess) {
    // Tickets arrive after the handshake: send a request and read until the server closes.
    CommandResult first = s_client(s, {"-sess_out", sess, "-ign_eof"}, kRequest);
    EXPECT_EQ(first.exit_code, 0) << first.output();
    EXPECT_TRUE(contains(first.out, "New, TLSv1.3")) << first.output();
  }

  // resume_early resumes `sess` against `s`, sending kRequest as early data.
  CommandResult resume_early(const HsServerProcess& s, const std::string& sess,
                             bool expect_answer) {
    const std::string early = (dir_.path() / "early.txt").string();
    std::ofstream(early, std::ios::binary) << kRequest;
    std::vector<std::string> args = {"-sess_in", sess, "-early_data", early};
    if (expect_answer) {
      args.push_back("-ign_eof");  // wait for the answer to the early request
    }
    return s_client(s, args);
  }

  TempDir dir_;
  const TestPki* pki_ = nullptr;
};

TEST_F(EarlyDataInterop, OpensslSClientEarlyDataAcceptedByHsServer) {
  auto server = hs_server({"--max-early-data", "16384"});
  const std::string sess = (dir_.path() / "sess.pem").string();
  save_session(*server, sess);
  CommandResult r = resume_early(*server, sess, /*expect_answer=*/true);
  EXPECT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.out, "Reused, TLSv1.3")) << r.output();
  EXPECT_TRUE(contains(r.out, "Early data was accepted")) << r.output();
  // The server answered the request it got as early data, and says so.
  EXPECT_TRUE(
      contains(r.out, "Early data: accepted (" + std::to_string(kRequest.size()) + " bytes)"))
      << r.output();
  EXPECT_TRUE(contains(server->output(), "early data: " + std::to_string(kRequest.size()) +
                                             " bytes (0-RTT, replayable)"))
      << server->output();
  // The same ticket and early data again (a replay): the single-use guard refuses the early
  // data; the handshake still resumes in 1-RTT.
  CommandResult replay = resume_early(*server, sess, /*expect_answer=*/false);
  EXPECT_EQ(replay.exit_code, 0) << replay.output();
  EXPECT_TRUE(contains(replay.out, "Reused, TLSv1.3")) << replay.output();
  EXPECT_TRUE(contains(replay.out, "Early data was rejected")) << replay.output();
}

TEST_F(EarlyDataInterop, OpensslSClientEarlyDataRejectedByHsServerWithout0Rtt) {
  // Two servers share ticket keys: the first issues tickets that allow early data, the second
  // has 0-RTT off and declines it (the client's early data records are skipped).
  const std::string keys = (dir_.path() / "ticket.keys").string();
  auto gen = run_command({"openssl", "rand", "-hex", "-out", keys, "48"});
  ASSERT_EQ(gen.exit_code, 0) << gen.output();
  auto issuer = hs_server({"--max-early-data", "16384", "--ticket-keys", keys});
  auto server = hs_server({"--ticket-keys", keys});
  const std::string sess = (dir_.path() / "sess.pem").string();
  save_session(*issuer, sess);
  CommandResult r = resume_early(*server, sess, /*expect_answer=*/false);
  EXPECT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.out, "Reused, TLSv1.3")) << r.output();
  EXPECT_TRUE(contains(r.out, "Early data was rejected")) << r.output();
  EXPECT_FALSE(contains(server->output(), "early data: ")) << server->output();
}

// OpensslServer runs `openssl s_server -www -tls1_3` on a free port with `extra` flags.
class OpensslServer {
 public:
  OpensslServer(const TestPki& pki, std::vector<std::string> extra) : port_(free_port()) {
    std::vector<std::string> args = {
        "openssl", "s_server",          "-accept", "127.0.0.1:" + std::to_string(port_),
        "-www",    "-tls1_3",           "-cert",   pki.rsa_cert.string(),
        "-key",    pki.rsa_key.string()};
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

CommandResult hs_client_early(const std::string& url) {
  return run_command(
      {hs_binary().string(), "client", "-k", "-v", "--tls-earlydata", "--reconnect", "1", url},
      30s);
}

TEST_F(EarlyDataInterop, HsClientEarlyDataAcceptedByOpensslSServer) {
  // s_server reads early data only outside -www, where it sends what arrives on its standard
  // input instead of a page: a FIFO hands it one HTTP answer per connection.
  TempDir dir;
  const std::string fifo = (dir.path() / "answers").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const uint16_t port = free_port();
  Process server({"sh", "-c",
                  "exec openssl s_server -accept 127.0.0.1:" + std::to_string(port) +
                      " -tls1_3 -early_data -cert " + pki_->rsa_cert.string() + " -key " +
                      pki_->rsa_key.string() + " < " + fifo});
  std::ofstream answers(fifo, std::ios::binary);  // opens once s_server's shell has it open
  ASSERT_TRUE(server.wait_for_port(port)) << server.output();
  const std::string url = "https://localhost:" + std::to_string(port) + "/";
  const std::string answer = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
  const std::string sess = (dir.path() / "sess").string();
  answers << answer << std::flush;
  CommandResult first =
      run_command({hs_binary().string(), "client", "-k", "-v", "--sess-out", sess, url}, 20s);
  ASSERT_EQ(first.exit_code, 0) << first.output() << server.output();
  answers << answer << std::flush;
  CommandResult r = run_command(
      {hs_binary().string(), "client", "-k", "-v", "--tls-earlydata", "--sess-in", sess, url}, 20s);
  ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
  EXPECT_TRUE(contains(r.err, ": Reused, TLSv1.3")) << r.output();
  EXPECT_TRUE(contains(r.err, "* TLS early data: accepted by the server")) << r.output();
  EXPECT_TRUE(contains(r.err, "End of early data (5)")) << r.output();
  EXPECT_EQ(r.out, "ok\n") << r.output();
  // s_server read the request as early data (it prints the data, then this line).
  EXPECT_TRUE(contains(server.stdout_text(), "Early data received:")) << server.output();
  EXPECT_TRUE(contains(server.stdout_text(), "GET / HTTP/1.1")) << server.output();
}

TEST_F(EarlyDataInterop, HsClientEarlyDataRejectedByOpensslSServerIsResent) {
  // -www with -max_early_data: the tickets allow early data, but s_server in -www mode never
  // reads it, so it declines; the request must go again after the handshake.
  OpensslServer server(*pki_, {"-max_early_data", "16384"});
  ASSERT_TRUE(server.ok()) << server.output();
  CommandResult r = hs_client_early(server.url());
  ASSERT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.err, ": Reused, TLSv1.3")) << r.output();
  EXPECT_TRUE(contains(r.err, "* TLS early data: sending")) << r.output();
  EXPECT_TRUE(contains(r.err, "* TLS early data: rejected by the server")) << r.output();
  EXPECT_FALSE(contains(r.err, "End of early data (5)")) << r.output();
  // The request went again after the handshake and was answered (s_server -www's page).
  EXPECT_TRUE(contains(r.out, "Reused, TLSv1.3")) << r.output();
}

TEST_F(EarlyDataInterop, HsClientEarlyDataAcceptedByHsServer) {
  auto server = hs_server({"--max-early-data", "16384"});
  CommandResult r = hs_client_early(server->url());
  ASSERT_EQ(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.err, "* TLS early data: accepted by the server")) << r.output();
  EXPECT_TRUE(contains(r.out, "Early data: accepted (")) << r.output();
}

TEST_F(EarlyDataInterop, GnutlsCliEarlyDataAcceptedByHsServer) {
  ASSERT_TRUE(require_program("gnutls-cli"));
  auto server = hs_server({"--max-early-data", "16384"});
  TempDir dir;
  const std::string early = (dir.path() / "early.txt").string();
  std::ofstream(early, std::ios::binary) << kRequest;
  CommandResult r =
      run_command({"gnutls-cli", "--x509cafile", pki_->ca_cert.string(), "-p",
                   std::to_string(server->port()), "--resume", "--earlydata", early, "localhost"},
                  20s, kRequest);
  EXPECT_TRUE(contains(r.out, "*** This is a resumed session")) << r.output();
  EXPECT_TRUE(contains(server->output(), "early data: " + std::to_string(kRequest.size()) +
                                             " bytes (0-RTT, replayable)"))
      << server->output() << r.output();
}

}  // namespace
}  // namespace hs::test

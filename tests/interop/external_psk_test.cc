// TLS 1.3 external PSKs (RFC 8446 §2.2, §4.2.11) against real peers on loopback: `hs server
// --psk` with `openssl s_client -psk_identity/-psk` (psk_dhe_ke) and `gnutls-cli
// --pskusername/--pskkey` (psk_dhe_ke, and psk_ke with --psk-no-dhe), and `hs client --psk`
// against `openssl s_server -nocert` and `gnutls-serv --pskpasswd`. A PSK-authenticated
// handshake carries no certificate; a wrong key fails on the binder.
#include <gtest/gtest.h>

#include <fstream>
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
const std::string kIdentity = "client-1";
const std::string kKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const std::string kPage = "PSK identity: client-1";

class ExternalPskInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
    ASSERT_TRUE(require_program("gnutls-cli"));
    pki_ = &shared_test_pki();
  }

  std::unique_ptr<HsServerProcess> hs_server(std::vector<std::string> extra) {
    std::vector<std::string> args = {"-v", "--psk", kIdentity + ":" + kKey};
    args.insert(args.end(), extra.begin(), extra.end());
    auto s = std::make_unique<HsServerProcess>(HsServerProcess::cert_args(*pki_), args);
    EXPECT_NE(s->port(), 0) << s->output();
    return s;
  }

  CommandResult gnutls_cli(uint16_t port, const std::string& kx, const std::string& key) {
    return run_command(
        {"gnutls-cli", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:" + kx, "--pskusername",
         kIdentity, "--pskkey", key, "-p", std::to_string(port), "localhost"},
        20s, kRequest);
  }

  const TestPki* pki_ = nullptr;
};

TEST_F(ExternalPskInteropTest, OpensslClientAgainstHsServer) {
  auto server = hs_server({});
  CommandResult ok = run_command({"openssl", "s_client", "-tls1_3", "-connect", server->connect(),
                                  "-psk_identity", kIdentity, "-psk", kKey, "-ign_eof"},
                                 20s, kRequest);
  EXPECT_EQ(ok.exit_code, 0) << ok.output() << server->output();
  EXPECT_TRUE(contains(ok.out, kPage)) << ok.output();
  // s_client saw no certificate: the PSK authenticated the server.
  EXPECT_TRUE(contains(ok.out, "no peer certificate available")) << ok.output();

  CommandResult wrong =
      run_command({"openssl", "s_client", "-tls1_3", "-connect", server->connect(), "-psk_identity",
                   kIdentity, "-psk", "00", "-ign_eof"},
                  20s, kRequest);
  EXPECT_NE(wrong.exit_code, 0) << wrong.output();
  EXPECT_TRUE(contains(wrong.err, "decrypt error")) << wrong.output();
}

// The status page is HTML: a PSK identity (the client's bytes, as SNI and certificate names)
// appears escaped, never as markup.
TEST_F(ExternalPskInteropTest, StatusPageEscapesTheIdentity) {
  const std::string identity = "<b>x&y</b>";
  const std::vector<std::string> cert = HsServerProcess::cert_args(*pki_);
  HsServerProcess server(cert, {"--psk", identity + ":" + kKey});
  ASSERT_NE(server.port(), 0) << server.output();
  CommandResult r = run_command({"openssl", "s_client", "-tls1_3", "-connect", server.connect(),
                                 "-psk_identity", identity, "-psk", kKey, "-ign_eof"},
                                20s, kRequest);
  EXPECT_EQ(r.exit_code, 0) << r.output() << server.output();
  EXPECT_TRUE(contains(r.out, "PSK identity: &lt;b&gt;x&amp;y&lt;/b&gt;\n")) << r.output();
  EXPECT_FALSE(contains(r.out, "<b>")) << r.output();
}

TEST_F(ExternalPskInteropTest, GnutlsClientAgainstHsServerWithAndWithoutDhe) {
  auto server = hs_server({"--psk-no-dhe"});
  // +ECDHE-PSK: psk_dhe_ke; +PSK alone: psk_ke, which --psk-no-dhe accepts.
  for (const std::string kx : {"+ECDHE-PSK", "+PSK"}) {
    SCOPED_TRACE(kx);
    CommandResult r = gnutls_cli(server->port(), kx, kKey);
    EXPECT_EQ(r.exit_code, 0) << r.output() << server->output();
    EXPECT_TRUE(contains(r.out, "PSK authentication. Connected as 'client-1'")) << r.output();
    EXPECT_TRUE(contains(r.out, kPage)) << r.output();
    EXPECT_TRUE(contains(r.out, kx == "+PSK" ? "Group     : (none)" : "Group     : x25519"))
        << r.output();
  }
}

// A malformed --psk stops hs server before it listens and hs client before it connects, with
// the option's syntax: exactly two hex digits per key byte, an identity, at most a hash name.
TEST_F(ExternalPskInteropTest, MalformedPskOptionsAreRefused) {
  const std::vector<std::string> cert = HsServerProcess::cert_args(*pki_);
  for (const std::string bad : {"client-1:0g", "client-1:abc", "client-1:+1+2", "client-1:", ":00",
                                "client-1:00:sha512", "client-1"}) {
    SCOPED_TRACE(bad);
    std::vector<std::string> server = {hs_binary().string(), "server", "--listen",
                                       "127.0.0.1:0",        "--psk",  bad};
    server.insert(server.end(), cert.begin(), cert.end());
    CommandResult s = run_command(server, 20s);
    EXPECT_EQ(s.exit_code, 2) << s.output();
    EXPECT_TRUE(contains(s.err, "expected IDENTITY:HEXKEY[:sha256|:sha384]")) << s.output();

    const uint16_t port = free_port();  // nothing listens: the option is refused first
    CommandResult c = run_command({hs_binary().string(), "client", "--psk", bad,
                                   "https://127.0.0.1:" + std::to_string(port) + "/"},
                                  20s);
    EXPECT_EQ(c.exit_code, 2) << c.output();
    EXPECT_TRUE(contains(c.err, "expected IDENTITY:HEXKEY[:sha256|:sha384]")) << c.output();
  }
}

TEST_F(ExternalPskInteropTest, HsClientAgainstOpensslServerWithoutCertificate) {
  const uint16_t port = free_port();
  Process server({"openssl", "s_server", "-tls1_3", "-nocert", "-psk_identity", kIdentity, "-psk",
                  kKey, "-accept", "127.0.0.1:" + std::to_string(port), "-www"});
  ASSERT_TRUE(server.wait_for_port(port)) << server.output();
  const std::string url = "https://localhost:" + std::to_string(port) + "/";
  const std::string resolve = "localhost:" + std::to_string(port) + ":127.0.0.1";
  CommandResult ok = run_command({hs_binary().string(), "client", "-v", "--psk",
                                  kIdentity + ":" + kKey, "--resolve", resolve, url},
                                 20s);
  EXPECT_EQ(ok.exit_code, 0) << ok.output() << server.output();
  EXPECT_TRUE(contains(ok.err, "* SSL connection using TLSv1.3")) << ok.output();
  EXPECT_FALSE(contains(ok.err, "Server certificate:")) << ok.output();
  EXPECT_TRUE(contains(ok.out, "Protocol  : TLSv1.3")) << ok.output();  // s_server's -www page

  CommandResult wrong = run_command(
      {hs_binary().string(), "client", "--psk", kIdentity + ":00", "--resolve", resolve, url}, 20s);
  EXPECT_EQ(wrong.exit_code, 35) << wrong.output();
  EXPECT_TRUE(contains(wrong.err, "TLS handshake failed: the server sent a fatal"))
      << wrong.output();
}

TEST_F(ExternalPskInteropTest, HsClientAgainstGnutlsServer) {
  ASSERT_TRUE(require_program("gnutls-serv"));
  TempDir dir;
  const auto passwd = dir / "psk.passwd";
  std::ofstream(passwd) << kIdentity << ":" << kKey << "\n";
  const uint16_t port = free_port();
  Process server({"gnutls-serv", "--http", "-p", std::to_string(port), "--pskpasswd",
                  passwd.string(), "--priority", "NORMAL:+ECDHE-PSK:+PSK", "--x509certfile",
                  pki_->rsa_cert.string(), "--x509keyfile", pki_->rsa_key.string()});
  ASSERT_TRUE(server.wait_for_port(port, 10s)) << server.output();
  // No --cacert: a certificate handshake would fail verification (the test root is not in the
  // system store), so success means the PSK authenticated gnutls-serv.
  CommandResult ok =
      run_command({hs_binary().string(), "client", "-v", "--psk", kIdentity + ":" + kKey,
                   "--resolve", "localhost:" + std::to_string(port) + ":127.0.0.1",
                   "https://localhost:" + std::to_string(port) + "/"},
                  20s);
  EXPECT_EQ(ok.exit_code, 0) << ok.output() << server.output();
  EXPECT_FALSE(contains(ok.err, "Server certificate:")) << ok.output();
  // gnutls-serv --http describes the session on its page.
  EXPECT_TRUE(contains(ok.out, "<TD>Protocol version:</TD><TD>TLS1.3</TD>")) << ok.output();
}

}  // namespace
}  // namespace hs::test

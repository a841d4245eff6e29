// Go's crypto/tls (Debian's golang-go, Go 1.19) as a peer: an independent TLS implementation
// behind many real clients and servers. tests/interop/go/ holds a client and a server built
// from the standard library only (CMake builds them once, see CMakeLists.txt here).
//
// Go 1.19 does not implement the extended master secret (RFC 7627; Go has it since 1.21). Our
// server serves such clients by default (the legacy master secret, never resumed) and refuses
// them with `hs server --require-ems`; our client requires it unless `hs client --allow-no-ems`.
// Both the refusals and the switches are tested.
//
// Go client -> `hs server`: TLS 1.3 and 1.2 (--allow-no-ems), every TLS 1.2 AEAD suite Go
// offers, X25519, P-256 and P-384, HelloRetryRequest (the Go client's only key share is a group
// our server does not take), ALPN, Go's verification of our chain against the test root,
// resumption with Go's ClientSessionCache, client certificates, and net/http (HTTP/1.1 and
// HTTP/2) fetching a file.
// `hs client` -> Go server (crypto/tls + net/http): TLS 1.3 with RSA and ECDSA certificates,
// the three TLS 1.3 suites, ALPN h2 and http/1.1, resumption, RequireAndVerifyClientCert, and
// Go's HelloRetryRequest; TLS 1.2 is refused for the missing extended master secret, and works
// (never resumed) with --allow-no-ems. Go 1.19
// never initiates a KeyUpdate, so that is not tested here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/hs_client.h"
#include "support/hs_server.h"
#include "support/ladder_svg.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

std::filesystem::path go_peer(const std::string& name) {
  return std::filesystem::path(HS_GO_PEER_DIR) / name;
}

// require_go_peers succeeds when `go` is installed and CMake has built both Go programs.
::testing::AssertionResult require_go_peers() {
  if (auto go = require_program("go"); !go) {
    return go;
  }
  for (const char* name : {"hs_go_client", "hs_go_server"}) {
    if (access(go_peer(name).c_str(), X_OK) != 0) {
      return ::testing::AssertionFailure()
             << go_peer(name) << " is not built: reconfigure (cmake finds `go` at configure "
             << "time) and build the target hs_go_peers";
    }
  }
  return ::testing::AssertionSuccess();
}

struct Tls12Suite {
  const char* openssl_name;  // hs/OpenSSL spelling
  const char* go_name;       // tls.CipherSuiteName
  bool ecdsa;
};

constexpr Tls12Suite kTls12Suites[] = {
    {"ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", true},
    {"ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", true},
    {"ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", true},
    {"ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false},
    {"ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false},
    {"ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", false},
};

// GoServer runs hs_go_server on a free loopback port (it prints "listening on ADDR:PORT").
class GoServer {
 public:
  explicit GoServer(std::vector<std::string> flags) {
    std::vector<std::string> args = {go_peer("hs_go_server").string(), "-listen", "127.0.0.1:0"};
    args.insert(args.end(), flags.begin(), flags.end());
    process_ = std::make_unique<Process>(std::move(args));
    const std::string marker = "listening on 127.0.0.1:";
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline && process_->running()) {
      std::string out = process_->stdout_text();
      size_t at = out.find(marker);
      size_t nl = at == std::string::npos ? at : out.find('\n', at);
      if (nl != std::string::npos) {
        port_ = static_cast<uint16_t>(
            std::stoi(out.substr(at + marker.size(), nl - at - marker.size())));
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
  }
  uint16_t port() const { return port_; }
  std::string output() const { return process_->output(); }

 private:
  std::unique_ptr<Process> process_;
  uint16_t port_ = 0;
};

class GoInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_go_peers());
  }

  // go_client runs hs_go_client against `server`, verifying it with the test root as
  // "localhost".
  CommandResult go_client(const HsServerProcess& server, std::vector<std::string> flags) {
    std::vector<std::string> args = {go_peer("hs_go_client").string(), "-connect", server.connect(),
                                     "-cafile", pki_.ca_cert.string()};
    args.insert(args.end(), flags.begin(), flags.end());
    return run_command(std::move(args), 30s);
  }

  // hs_client fetches https://localhost:PORT/ from `server` (support/hs_client.h).
  CommandResult hs_client(const GoServer& server, std::vector<std::string> flags) {
    return run_hs_client(pki_, server.port(), std::move(flags));
  }

  const TestPki& pki_ = shared_test_pki();
};

// Keying material exporters with a context, which neither openssl's nor gnutls's command-line
// tools can pass (keying_material_test.cc): Go's ExportKeyingMaterial and `hs server
// --keymatexport` agree in TLS 1.3. Go 1.19 has no extended master secret, and RFC 7627 §5.4
// forbids exporting from such a TLS 1.2 session: our server refuses (Go 1.19 exports anyway; Go
// refuses too since 1.22).
TEST_F(GoInterop, GoClientExportsKeyingMaterialAsOurServer) {
  HsServerProcess server(HsServerProcess::cert_args(pki_),
                         {"--keymatexport", "EXPORTER-hs-go", "--keymatexportlen", "32",
                          "--keymatexport-context", "00ff10"});
  ASSERT_NE(server.port(), 0) << server.output();
  auto r = go_client(server, {"-max", "1.3", "-ekm", "EXPORTER-hs-go", "-ekm-len", "32",
                              "-ekm-context", "00ff10", "-get", "/"});
  ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
  EXPECT_EQ(fields(r.out, "conn=1 ")["version"], "TLS1.3") << r.output();
  const size_t at = r.out.find("ekm=1 ");
  ASSERT_NE(at, std::string::npos) << r.output();
  const std::string ekm = r.out.substr(at + 6, 64);
  EXPECT_TRUE(contains(server.output(),
                       "Keying material exporter: label \"EXPORTER-hs-go\", "
                       "context 00ff10, 32 bytes: " +
                           ekm))
      << r.output() << server.output();

  auto tls12 = go_client(server, {"-max", "1.2", "-ekm", "EXPORTER-hs-go", "-get", "/"});
  ASSERT_EQ(tls12.exit_code, 0) << tls12.output() << server.output();
  EXPECT_TRUE(contains(server.output(),
                       "keying material export failed: TLS 1.2 session without the extended "
                       "master secret (RFC 7627 §5.4)"))
      << server.output();
}

// ---- Go client -> hs server ----

TEST_F(GoInterop, GoClientTls13AndTls12) {
  HsServerProcess server(HsServerProcess::cert_args(pki_));
  ASSERT_NE(server.port(), 0) << server.output();
  for (std::string max : {"1.3", "1.2"}) {
    SCOPED_TRACE("max " + max);
    auto r = go_client(server, {"-max", max, "-get", "/"});
    ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
    auto conn = fields(r.out, "conn=1 ");
    EXPECT_EQ(conn["version"], "TLS" + max) << r.output();
    EXPECT_EQ(conn["resumed"], "false") << r.output();
    const std::string page = response(r.out, 1);
    EXPECT_TRUE(contains(page, "200 OK")) << r.output();
    EXPECT_EQ(page_field(page, "Protocol"), "TLSv" + max) << page;
    EXPECT_EQ(page_field(page, "SNI"), "localhost") << page;
    if (max == "1.2") {
      // Go 1.19 never offers RFC 7627: the legacy master secret, which our server accepts
      // unless --require-ems.
      EXPECT_EQ(page_field(page, "Extended master secret"), "no") << page;
    } else {
      // Go 1.19 offers only TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256 and
      // TLS_AES_256_GCM_SHA384; we pick one of them.
      EXPECT_TRUE(contains(page_field(page, "Cipher"), "(" + conn["cipher"] + ")")) << page;
    }
  }
}

// RFC 7627 §5.2: a server that "receives a ClientHello without the extension ... SHOULD abort
// the handshake if it does not wish to interoperate with legacy clients": --require-ems.
TEST_F(GoInterop, GoClientTls12RefusedWithRequireEms) {
  HsServerProcess server(HsServerProcess::cert_args(pki_), {"--require-ems"});
  ASSERT_NE(server.port(), 0) << server.output();
  auto r = go_client(server, {"-max", "1.2"});
  EXPECT_NE(r.exit_code, 0) << r.output();
  EXPECT_TRUE(contains(r.err, "remote error: tls: handshake failure")) << r.output();
  auto tls13 = go_client(server, {"-max", "1.3"});
  EXPECT_EQ(tls13.exit_code, 0) << tls13.output();
}

TEST_F(GoInterop, GoClientEveryTls12AeadSuite) {
  HsServerProcess server(HsServerProcess::cert_args(pki_));
  ASSERT_NE(server.port(), 0) << server.output();
  for (const Tls12Suite& s : kTls12Suites) {
    SCOPED_TRACE(s.openssl_name);
    auto r = go_client(server, {"-max", "1.2", "-ciphers", s.openssl_name, "-get", "/"});
    ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
    EXPECT_EQ(fields(r.out, "conn=1 ")["cipher"], s.go_name) << r.output();
    const std::string page = response(r.out, 1);
    EXPECT_EQ(page_field(page, "Cipher").rfind(s.openssl_name, 0), 0u) << page;
    EXPECT_TRUE(contains(page_field(page, "Signature"), s.ecdsa ? "ecdsa" : "rsa")) << page;
  }
}

TEST_F(GoInterop, GoClientGroups) {
  HsServerProcess server(HsServerProcess::cert_args(pki_));
  ASSERT_NE(server.port(), 0) << server.output();
  struct Case {
    const char* go_curves;
    const char* group;
  };
  // Go offers a TLS 1.3 key share for its first preference only; with X25519 absent, P-256 or
  // P-384 is the only group we can choose.
  for (std::string max : {"1.3", "1.2"}) {
    for (Case c :
         {Case{"X25519", "x25519"}, Case{"P-256", "secp256r1"}, Case{"P-384", "secp384r1"}}) {
      SCOPED_TRACE(max + " " + c.go_curves);
      auto r = go_client(server, {"-max", max, "-curves", c.go_curves, "-get", "/"});
      ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
      const std::string page = response(r.out, 1);
      EXPECT_EQ(page_field(page, "Protocol"), "TLSv" + max) << page;
      EXPECT_EQ(page_field(page, "Group"), c.group) << page;
    }
  }
}

// RFC 8446 §4.1.4: a server that accepts the ClientHello but finds no key share it can use
// answers with a HelloRetryRequest naming the group. Go's client sends one share (its first
// curve preference); the retry must carry exactly the group the server named.
TEST_F(GoInterop, GoClientAnswersOurHelloRetryRequest) {
  struct Case {
    std::vector<std::string> server_flags;
    const char* go_curves;
    const char* group;
  };
  // --curves X25519:P-256:P-384 leaves P-521 out (our defaults take it, and a share we take is
  // used rather than asked to change); --curves P-256 makes X25519 unacceptable.
  for (const Case& c : {Case{{"--curves", "X25519:P-256:P-384"}, "P-521,X25519", "x25519"},
                        Case{{"--curves", "P-256"}, "X25519,P-256", "secp256r1"}}) {
    SCOPED_TRACE(c.go_curves);
    TempDir dir;
    std::vector<std::string> flags = c.server_flags;
    flags.insert(flags.end(), {"--trace-svg", (dir / "ladder.svg").string()});
    HsServerProcess server(HsServerProcess::cert_args(pki_), flags);
    ASSERT_NE(server.port(), 0) << server.output();
    auto r = go_client(server, {"-max", "1.3", "-curves", c.go_curves, "-get", "/"});
    ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
    const std::string page = response(r.out, 1);
    EXPECT_EQ(page_field(page, "Protocol"), "TLSv1.3") << page;
    EXPECT_EQ(page_field(page, "Group"), c.group) << page;
    // The ladder is written when the connection closes.
    std::string svg;
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
      svg = read_file(dir / "ladder.svg");
      if (contains(svg, "</svg>")) {
        break;
      }
    }
    EXPECT_TRUE(read_svg_ladder(dir / "ladder.svg").hello_retry) << svg;
  }
}

TEST_F(GoInterop, GoClientAlpn) {
  HsServerProcess server(HsServerProcess::cert_args(pki_));
  ASSERT_NE(server.port(), 0) << server.output();
  struct Case {
    const char* offer;
    const char* chosen;
  };
  // hs server prefers h2 over http/1.1, whatever the client's order.
  for (std::string max : {"1.3", "1.2"}) {
    for (Case c : {Case{"h2,http/1.1", "h2"}, Case{"http/1.1,h2", "h2"},
                   Case{"http/1.1", "http/1.1"}, Case{"", ""}}) {
      SCOPED_TRACE(max + " offer " + c.offer);
      auto r = go_client(server, {"-max", max, "-alpn", c.offer});
      ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
      EXPECT_EQ(fields(r.out, "conn=1 ")["alpn"], c.chosen) << r.output();
    }
  }
}

TEST_F(GoInterop, GoClientVerifiesOurChainAndName) {
  // The leaf is issued by an intermediate that only our Certificate message carries.
  HsServerProcess server({"--cert", pki_.chain.string(), "--key", pki_.chain_leaf_key.string()});
  ASSERT_NE(server.port(), 0) << server.output();
  for (std::string max : {"1.3", "1.2"}) {
    SCOPED_TRACE(max);
    auto r = go_client(server, {"-max", max});
    ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
    EXPECT_EQ(fields(r.out, "conn=1 ")["chain"], "2") << r.output();
    auto wrong = go_client(server, {"-max", max, "-servername", "wrong.example"});
    EXPECT_NE(wrong.exit_code, 0) << wrong.output();
    EXPECT_TRUE(contains(wrong.err, "not wrong.example")) << wrong.output();
  }
}

TEST_F(GoInterop, GoClientResumesWithOurTickets) {
  HsServerProcess server(HsServerProcess::cert_args(pki_));
  ASSERT_NE(server.port(), 0) << server.output();
  // Reading each response also reads the TLS 1.3 NewSessionTickets that precede it.
  auto r = go_client(server, {"-max", "1.3", "-n", "2", "-get", "/"});
  ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
  EXPECT_EQ(fields(r.out, "conn=1 ")["resumed"], "false") << r.output();
  EXPECT_EQ(fields(r.out, "conn=2 ")["resumed"], "true") << r.output();
  EXPECT_EQ(page_field(response(r.out, 1), "Resumed"), "no") << r.output();
  EXPECT_EQ(page_field(response(r.out, 2), "Resumed"), "yes") << r.output();
  EXPECT_EQ(page_field(response(r.out, 2), "Protocol"), "TLSv1.3") << r.output();
}

// A TLS 1.2 session without the extended master secret is not resumable (RFC 7627 §5.3: "If
// neither the original session nor the new ClientHello uses the extension, the server SHOULD
// abort the handshake"), so our server gives Go 1.19 no ticket: its second connection is a full
// handshake. (When we issued one, Go offered it and we aborted every later connection.) The
// --allow-no-ems spelling of the default stays accepted for scripts written before it changed.
TEST_F(GoInterop, GoClientTls12WithoutEmsGetsNoTicket) {
  HsServerProcess server(HsServerProcess::cert_args(pki_), {"--allow-no-ems"});
  ASSERT_NE(server.port(), 0) << server.output();
  auto r = go_client(server, {"-max", "1.2", "-n", "2", "-get", "/"});
  ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
  EXPECT_EQ(fields(r.out, "conn=2 ")["resumed"], "false") << r.output();
  EXPECT_EQ(page_field(response(r.out, 2), "Resumed"), "no") << r.output();
  EXPECT_EQ(page_field(response(r.out, 2), "Protocol"), "TLSv1.2") << r.output();
}

TEST_F(GoInterop, GoClientCertificate) {
  HsServerProcess server(HsServerProcess::cert_args(pki_),
                         {"--verify-client", pki_.ca_cert.string(), "--require-client-cert"});
  ASSERT_NE(server.port(), 0) << server.output();
  struct Case {
    std::filesystem::path cert, key;
    const char* cn;
  };
  for (std::string max : {"1.3", "1.2"}) {
    for (const Case& c :
         {Case{pki_.client_cert, pki_.client_key, "CN=hs-test-client;"},
          Case{pki_.client_rsa_cert, pki_.client_rsa_key, "CN=hs-test-client-rsa"}}) {
      SCOPED_TRACE(max + " " + c.cn);
      auto r = go_client(
          server, {"-max", max, "-cert", c.cert.string(), "-key", c.key.string(), "-get", "/"});
      ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
      const std::string client = page_field(response(r.out, 1), "Client certificate");
      EXPECT_TRUE(contains(client, c.cn)) << r.output();
      EXPECT_TRUE(contains(client, "; verified")) << r.output();
    }
    // Without a certificate the handshake fails (certificate_required in TLS 1.3, which Go
    // only sees on its first read).
    auto none = go_client(server, {"-max", max, "-get", "/"});
    EXPECT_NE(none.exit_code, 0) << none.output();
  }
}

TEST_F(GoInterop, GoNetHttpFetchesOurFile) {
  TempDir root;
  // Larger than HTTP/2's initial 65535-byte flow-control window and four TLS records.
  std::string body;
  for (int i = 0; body.size() < 100000; ++i) {
    body += "line " + std::to_string(i) + " of the file hs server serves to Go's net/http\n";
  }
  root.write_file("file.txt", body);
  HsServerProcess server(HsServerProcess::cert_args(pki_), {"--root", root.path().string()});
  ASSERT_NE(server.port(), 0) << server.output();
  const std::string url = "https://localhost:" + std::to_string(server.port()) + "/file.txt";
  for (bool h2 : {true, false}) {
    SCOPED_TRACE(h2 ? "HTTP/2" : "HTTP/1.1");
    std::vector<std::string> flags = {"-url", url};
    if (h2) {
      flags.push_back("-h2");
    }
    auto r = go_client(server, flags);
    ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
    auto http = fields(r.out, "http ");
    EXPECT_EQ(http["status"], "200") << r.output();
    EXPECT_EQ(http["proto"], h2 ? "HTTP/2.0" : "HTTP/1.1") << r.output();
    EXPECT_EQ(http["version"], "TLS1.3") << r.output();
    EXPECT_TRUE(response(r.out, 1) == body)
        << "body of " << response(r.out, 1).size() << " bytes, want " << body.size();
  }
}

// ---- hs client -> Go server ----

TEST_F(GoInterop, HsClientTls13CertificatesSuitesAlpn) {
  for (bool ecdsa : {false, true}) {
    SCOPED_TRACE(ecdsa ? "ECDSA" : "RSA");
    GoServer server({"-cert", (ecdsa ? pki_.ecdsa_cert : pki_.rsa_cert).string(), "-key",
                     (ecdsa ? pki_.ecdsa_key : pki_.rsa_key).string()});
    ASSERT_NE(server.port(), 0) << server.output();
    // hs client offers h2 first; Go's net/http server speaks HTTP/2 then.
    for (bool http11 : {false, true}) {
      SCOPED_TRACE(http11 ? "http/1.1" : "h2");
      auto r = hs_client(
          server, http11 ? std::vector<std::string>{"--http1.1"} : std::vector<std::string>{});
      ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
      auto got = fields(r.out, "proto=");
      EXPECT_EQ(got["version"], "TLS1.3") << r.output();
      EXPECT_EQ(got["alpn"], http11 ? "http/1.1" : "h2") << r.output();
      EXPECT_EQ(got["proto"], http11 ? "HTTP/1.1" : "HTTP/2.0") << r.output();
    }
    for (const char* suite :
         {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}) {
      SCOPED_TRACE(suite);
      auto r = hs_client(server, {"--http1.1", "--tls13-ciphers", suite});
      ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
      EXPECT_EQ(fields(r.out, "proto=")["cipher"], suite) << r.output();
    }
  }
}

// RFC 7627 §5.4: "If a client receives a ServerHello without the extension, it SHOULD abort
// the handshake if it does not wish to interoperate with legacy servers"; we always do, and
// Go 1.19 never sends it. Go must read our handshake_failure alert, which needs the record
// version it expects after its ServerHello (0x0303, RFC 8446 §5.1).
TEST_F(GoInterop, HsClientRefusesGoTls12WithoutExtendedMasterSecret) {
  GoServer server({"-cert", pki_.rsa_cert.string(), "-key", pki_.rsa_key.string()});
  ASSERT_NE(server.port(), 0) << server.output();
  auto r = hs_client(server, {"--tls-max", "1.2"});
  EXPECT_EQ(r.exit_code, 35) << r.output();
  EXPECT_TRUE(contains(r.err, "extended master secret")) << r.output();
  std::string log;
  for (auto deadline = std::chrono::steady_clock::now() + 5s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
    log = server.output();
    if (contains(log, "handshake error")) {
      break;
    }
  }
  EXPECT_TRUE(contains(log, "remote error: tls: handshake failure")) << log;
}

// With --allow-no-ems (ClientConfig::require_extended_master_secret off) our client talks TLS
// 1.2 to Go 1.19 with the legacy master secret (RFC 5246 §8.1), and never resumes that session
// (RFC 7627 §5.3: "The client SHOULD NOT offer an abbreviated handshake to resume a session that
// does not use an extended master secret"): --reconnect 1 makes two full handshakes.
TEST_F(GoInterop, HsClientTalksTls12ToGoWithAllowNoEms) {
  GoServer server({"-cert", pki_.rsa_cert.string(), "-key", pki_.rsa_key.string()});
  ASSERT_NE(server.port(), 0) << server.output();
  auto r =
      hs_client(server, {"--tls-max", "1.2", "--allow-no-ems", "--http1.1", "--reconnect", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
  EXPECT_EQ(fields(r.out, "proto=")["version"], "TLS1.2") << r.output();
  EXPECT_EQ(count_of(r.err, ": New, TLSv1.2"), 2u) << r.output();
  EXPECT_EQ(count_of(r.err, ": Reused"), 0u) << r.output();
  EXPECT_EQ(count_of(r.out, "resumed=false"), 2u) << r.output();
  EXPECT_EQ(count_of(r.out, "resumed=true"), 0u) << r.output();
}

TEST_F(GoInterop, HsClientResumesWithGoTickets) {
  GoServer server({"-cert", pki_.ecdsa_cert.string(), "-key", pki_.ecdsa_key.string()});
  ASSERT_NE(server.port(), 0) << server.output();
  for (bool http11 : {true, false}) {
    SCOPED_TRACE(http11 ? "http/1.1" : "h2");
    std::vector<std::string> flags = {"--reconnect", "1"};
    if (http11) {
      flags.push_back("--http1.1");
    }
    auto r = hs_client(server, flags);
    ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
    EXPECT_EQ(count_of(r.err, ": New, TLSv1.3"), 1u) << r.output();
    EXPECT_EQ(count_of(r.err, ": Reused, TLSv1.3"), 1u) << r.output();
    // Go agrees: the first response says resumed=false, the second resumed=true.
    EXPECT_EQ(count_of(r.out, "resumed=false"), 1u) << r.output();
    EXPECT_EQ(count_of(r.out, "resumed=true"), 1u) << r.output();
  }
}

TEST_F(GoInterop, HsClientCertificateRequiredByGo) {
  GoServer server({"-cert", pki_.rsa_cert.string(), "-key", pki_.rsa_key.string(), "-clientca",
                   pki_.ca_cert.string()});
  ASSERT_NE(server.port(), 0) << server.output();
  struct Case {
    std::filesystem::path cert, key;
    const char* cn;
  };
  for (const Case& c : {Case{pki_.client_cert, pki_.client_key, "hs-test-client"},
                        Case{pki_.client_rsa_cert, pki_.client_rsa_key, "hs-test-client-rsa"}}) {
    SCOPED_TRACE(c.cn);
    auto r = hs_client(server, {"--cert", c.cert.string(), "--key", c.key.string()});
    ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
    EXPECT_EQ(fields(r.out, "proto=")["client"], c.cn) << r.output();
  }
  // RequireAndVerifyClientCert refuses an empty Certificate.
  auto none = hs_client(server, {});
  EXPECT_NE(none.exit_code, 0) << none.output();
  EXPECT_FALSE(contains(none.out, "proto=")) << none.output();
}

// RFC 8446 §4.1.4: our client's first key share is X25519; a Go server that only takes P-256
// asks for it with a HelloRetryRequest, and we retry with exactly that share.
TEST_F(GoInterop, HsClientAnswersGoHelloRetryRequest) {
  GoServer server(
      {"-cert", pki_.rsa_cert.string(), "-key", pki_.rsa_key.string(), "-curves", "P-256"});
  ASSERT_NE(server.port(), 0) << server.output();
  auto r = hs_client(server, {"-vv", "--http1.1"});
  ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
  EXPECT_TRUE(contains(r.err, "HelloRetryRequest selected secp256r1")) << r.output();
  EXPECT_EQ(fields(r.out, "proto=")["version"], "TLS1.3") << r.output();
}

// `hs client --keymatexport` with a context against Go's server, which puts its own
// ExportKeyingMaterial of the connection into the response: the same 32 bytes, TLS 1.3.
TEST_F(GoInterop, HsClientExportsKeyingMaterialAsGoServer) {
  GoServer server({"-cert", pki_.ecdsa_cert.string(), "-key", pki_.ecdsa_key.string(), "-ekm",
                   "EXPORTER-hs-go", "-ekm-context", "0a0b0c"});
  ASSERT_NE(server.port(), 0) << server.output();
  auto r = hs_client(server, {"--keymatexport", "EXPORTER-hs-go", "--keymatexportlen", "32",
                              "--keymatexport-context", "0a0b0c"});
  ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
  const size_t at = r.out.find("ekm=");
  ASSERT_NE(at, std::string::npos) << r.output();
  const std::string theirs = r.out.substr(at + 4, 64);
  EXPECT_TRUE(contains(r.err,
                       "* Keying material exporter: label \"EXPORTER-hs-go\", context "
                       "0a0b0c, 32 bytes: " +
                           theirs))
      << r.output();
}

}  // namespace
}  // namespace hs::test

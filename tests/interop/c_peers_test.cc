// wolfSSL and Mbed TLS as peers: two more independent TLS stacks, common in embedded devices.
// tests/interop/c_peers/ holds one small C client and server per library, built once by CMake
// against Debian's libwolfssl-dev (5.5.4: TLS 1.2 and 1.3, tickets, X25519, the extended master
// secret) and libmbedtls-dev (2.28: TLS 1.2 only). They print what their side negotiated in the
// Go peers' "key=value" lines (see c_peers/peer_common.h), so both sides' views are compared.
//
// Each peer client -> `hs server`: every version it speaks, X25519 and P-256, ALPN, resumption
// (a TLS 1.3 ticket, a TLS 1.2 ticket), client certificates (ECDSA and RSA; none is refused).
// `hs client` -> each peer server: RSA and ECDSA certificates, every version, ALPN, resumption
// (tickets; TLS 1.2 session IDs with -no-tickets), the peer's client-certificate request, and
// wolfSSL's HelloRetryRequest. Both sides must end each connection with close_notify.
//
// Known difference (README): wolfSSL 5.5's second ClientHello after our HelloRetryRequest lists
// its extensions in another order, which RFC 8446 §4.1.2 does not allow and we refuse
// (illegal_parameter, as tlsfuzzer's test-tls13-shuffled-extentions expects); only a wolfSSL
// client whose first key share is a group we do not take meets it (its default share, P-256, is
// accepted).
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
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

struct CPeer {
  const char* name;     // test name suffix
  const char* program;  // built into HS_C_PEER_DIR
  const char* package;  // the Debian package it is built against
  bool tls13;
  // tls12_asks_own_key_type: its TLS 1.2 CertificateRequest lists only the certificate type of
  // its own key (wolfSSL with an RSA key: certificate_types rsa_sign and RSA schemes only).
  bool tls12_asks_own_key_type;
};

constexpr CPeer kPeers[] = {
    {"wolfSSL", "hs_wolfssl_peer", "libwolfssl-dev", true, true},
    {"MbedTLS", "hs_mbedtls_peer", "libmbedtls-dev", false, false},
};

class CPeerInterop : public ::testing::TestWithParam<CPeer> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_EQ(access(program().c_str(), X_OK), 0)
        << program() << " is not built: install " << GetParam().package
        << " (./scripts/setup.sh), reconfigure and build hs_interop_test";
  }

  std::filesystem::path program() const {
    return std::filesystem::path(HS_C_PEER_DIR) / GetParam().program;
  }

  std::vector<std::string> versions() const {
    return GetParam().tls13 ? std::vector<std::string>{"1.3", "1.2"}
                            : std::vector<std::string>{"1.2"};
  }

  // peer_client runs the peer's client against `server`, verifying it with the test root.
  CommandResult peer_client(const HsServerProcess& server, std::vector<std::string> flags) {
    std::vector<std::string> args = {program().string(), "client",  "-connect",
                                     server.connect(),   "-cafile", pki_.ca_cert.string()};
    args.insert(args.end(), flags.begin(), flags.end());
    return run_command(std::move(args), 30s);
  }

  // PeerServer runs the peer's server; port() is 0 when it never said where it listens.
  struct PeerServer {
    PeerServer(const std::filesystem::path& program, std::vector<std::string> flags) {
      std::vector<std::string> args = {program.string(), "server"};
      args.insert(args.end(), flags.begin(), flags.end());
      process = std::make_unique<Process>(std::move(args));
      const std::string marker = "listening on 127.0.0.1:";
      for (auto deadline = std::chrono::steady_clock::now() + 10s;
           port == 0 && std::chrono::steady_clock::now() < deadline && process->running();
           std::this_thread::sleep_for(10ms)) {
        const std::string out = process->stdout_text();
        const size_t at = out.find(marker);
        if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
          port = static_cast<uint16_t>(std::stoi(out.substr(at + marker.size())));
        }
      }
    }
    // ended waits until the server reported how connection `n` ended ("end=N how=...").
    std::string ended(int n) const {
      const std::string prefix = "end=" + std::to_string(n) + " ";
      for (auto deadline = std::chrono::steady_clock::now() + 10s;
           std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
        if (auto f = fields(process->stdout_text(), prefix); !f.empty()) {
          return f["how"];
        }
      }
      return "(not reported)";
    }
    std::unique_ptr<Process> process;
    uint16_t port = 0;
  };

  // hs_client fetches https://localhost:PORT/ from a peer server (support/hs_client.h).
  CommandResult hs_client(const PeerServer& server, std::vector<std::string> flags) {
    return run_hs_client(pki_, server.port, std::move(flags));
  }

  const TestPki& pki_ = shared_test_pki();
};

// ---- peer client -> hs server ----

TEST_P(CPeerInterop, PeerClientVersionsGroupsAlpnAndResumption) {
  HsServerProcess server(HsServerProcess::cert_args(pki_), {"--alpn", "http/1.1"});
  ASSERT_NE(server.port(), 0) << server.output();
  struct Case {
    const char* groups;
    const char* group;  // hs server's name for it
  };
  for (const std::string& max : versions()) {
    for (Case c : {Case{"X25519", "x25519"}, Case{"P-256", "secp256r1"}}) {
      SCOPED_TRACE(max + " " + c.groups);
      auto r = peer_client(server, {"-max", max, "-groups", c.groups, "-alpn", "h2,http/1.1", "-n",
                                    "2", "-get", "/"});
      ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
      for (int n : {1, 2}) {
        SCOPED_TRACE(n);
        auto conn = fields(r.out, "conn=" + std::to_string(n) + " ");
        const std::string page = response(r.out, n);
        EXPECT_EQ(conn["version"], "TLS" + max) << r.output();
        EXPECT_EQ(page_field(page, "Protocol"), "TLSv" + max) << page;
        // hs server's Cipher field ends with the IANA name the peer printed.
        EXPECT_TRUE(contains(page_field(page, "Cipher"), "(" + conn["cipher"] + ")")) << page;
        EXPECT_EQ(conn["alpn"], "http/1.1") << r.output();
        EXPECT_EQ(page_field(page, "ALPN"), "http/1.1") << page;
        EXPECT_EQ(page_field(page, "SNI"), "localhost") << page;
        EXPECT_EQ(conn["resumed"], n == 1 ? "false" : "true") << r.output();
        EXPECT_EQ(page_field(page, "Resumed"), n == 1 ? "no" : "yes") << page;
        if (n == 1 || max == "1.3") {  // a TLS 1.2 resumption makes no key exchange
          EXPECT_EQ(page_field(page, "Group"), c.group) << page;
        }
        if (max == "1.2") {
          EXPECT_EQ(page_field(page, "Extended master secret"), "yes") << page;
        }
        // We end each connection with close_notify after the response.
        EXPECT_EQ(fields(r.out, "end=" + std::to_string(n) + " ")["how"], "close_notify")
            << r.output();
      }
    }
  }
}

TEST_P(CPeerInterop, PeerClientCertificates) {
  HsServerProcess server(HsServerProcess::cert_args(pki_),
                         {"--verify-client", pki_.ca_cert.string(), "--require-client-cert"});
  ASSERT_NE(server.port(), 0) << server.output();
  struct Case {
    std::filesystem::path cert, key;
    const char* cn;
  };
  for (const std::string& max : versions()) {
    for (const Case& c :
         {Case{pki_.client_cert, pki_.client_key, "CN=hs-test-client;"},
          Case{pki_.client_rsa_cert, pki_.client_rsa_key, "CN=hs-test-client-rsa;"}}) {
      SCOPED_TRACE(max + " " + c.cn);
      auto r = peer_client(
          server, {"-max", max, "-cert", c.cert.string(), "-key", c.key.string(), "-get", "/"});
      ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
      const std::string client = page_field(response(r.out, 1), "Client certificate");
      EXPECT_TRUE(contains(client, c.cn)) << r.output();
      EXPECT_TRUE(contains(client, "; verified")) << r.output();
    }
    // Without a certificate: no page (TLS 1.3: certificate_required, which the client reads
    // after its handshake; TLS 1.2: handshake_failure).
    auto none = peer_client(server, {"-max", max, "-get", "/"});
    EXPECT_FALSE(contains(none.out, "200 OK")) << none.output();
    EXPECT_FALSE(contains(none.out, "how=close_notify")) << none.output();
  }
}

// ---- hs client -> peer server ----

// With -no-tickets the peer resumes TLS 1.2 by session ID, and TLS 1.3 (tickets only) not at all.
TEST_P(CPeerInterop, HsClientCertificatesVersionsAlpnAndResumption) {
  struct Cert {
    std::filesystem::path cert, key;
    const char* kx;  // what the TLS 1.2 suite's name says about the certificate
    bool tickets;
  };
  for (const Cert& cert : {Cert{pki_.rsa_cert, pki_.rsa_key, "ECDHE_RSA", true},
                           Cert{pki_.ecdsa_cert, pki_.ecdsa_key, "ECDHE_ECDSA", false}}) {
    std::vector<std::string> flags = {"-cert", cert.cert.string(), "-key", cert.key.string(),
                                      "-alpn", "http/1.1"};
    if (!cert.tickets) {
      flags.push_back("-no-tickets");
    }
    PeerServer server(program(), flags);
    ASSERT_NE(server.port, 0) << server.process->output();
    int served = 0;
    // Mbed TLS 2.28 answers our TLS 1.3 ClientHello with TLS 1.2.
    for (const std::string& max : GetParam().tls13 ? versions() : std::vector<std::string>{"1.3"}) {
      const std::string version = GetParam().tls13 ? max : "1.2";
      SCOPED_TRACE(cert.kx + (" " + max));
      auto r = hs_client(server, {"--tls-max", max, "--reconnect", "1"});
      ASSERT_EQ(r.exit_code, 0) << r.output() << server.process->output();
      // The peer's view, served as the body: version, suite, ALPN, resumption.
      EXPECT_EQ(count_of(r.out, "proto=HTTP/1.1 version=TLS" + version + " "), 2u) << r.output();
      EXPECT_EQ(count_of(r.out, " alpn=http/1.1 "), 2u) << r.output();
      const size_t resumed = cert.tickets || version == "1.2" ? 1 : 0;
      EXPECT_EQ(count_of(r.out, "resumed=false"), 2 - resumed) << r.output();
      EXPECT_EQ(count_of(r.out, "resumed=true"), resumed) << r.output();
      // Ours: curl's "Connection #N: New|Reused, TLSv1.x, Cipher is ..." lines.
      EXPECT_EQ(count_of(r.err, ": New, TLSv" + version), 2 - resumed) << r.output();
      EXPECT_EQ(count_of(r.err, ": Reused, TLSv" + version), resumed) << r.output();
      const std::string cipher = fields(r.out, "proto=")["cipher"];
      if (version == "1.2") {
        EXPECT_TRUE(contains(cipher, cert.kx)) << r.output();
      }
      for (int n = 0; n < 2; ++n) {
        EXPECT_EQ(server.ended(++served), "close_notify") << server.process->output();
      }
    }
  }
}

// RFC 5246 §7.4.6 / RFC 8446 §4.4.2: the peer server requires a certificate; ours is verified
// and named, and without one the handshake fails on our side too. RFC 5246 §7.4.6: the
// client's end-entity key "has to be compatible with the certificate types listed in
// CertificateRequest", so where wolfSSL's TLS 1.2 request names rsa_sign only, our ECDSA
// certificate is not sent (an empty Certificate) and wolfSSL refuses the handshake.
TEST_P(CPeerInterop, HsClientCertificateRequiredByPeer) {
  PeerServer server(program(), {"-cert", pki_.rsa_cert.string(), "-key", pki_.rsa_key.string(),
                                "-cafile", pki_.ca_cert.string()});
  ASSERT_NE(server.port, 0) << server.process->output();
  struct Case {
    std::filesystem::path cert, key;
    const char* cn;
  };
  for (const std::string& max : versions()) {
    for (const Case& c : {Case{pki_.client_cert, pki_.client_key, "hs-test-client"},
                          Case{pki_.client_rsa_cert, pki_.client_rsa_key, "hs-test-client-rsa"}}) {
      SCOPED_TRACE(max + " " + c.cn);
      auto r =
          hs_client(server, {"--tls-max", max, "--cert", c.cert.string(), "--key", c.key.string()});
      if (max == "1.2" && GetParam().tls12_asks_own_key_type && c.cert == pki_.client_cert) {
        EXPECT_EQ(r.exit_code, 35) << r.output();
        continue;
      }
      ASSERT_EQ(r.exit_code, 0) << r.output() << server.process->output();
      EXPECT_EQ(fields(r.out, "proto=")["client"], c.cn) << r.output();
    }
    auto none = hs_client(server, {"--tls-max", max});
    EXPECT_NE(none.exit_code, 0) << none.output();
    EXPECT_FALSE(contains(none.out, "proto=")) << none.output();
  }
}

INSTANTIATE_TEST_SUITE_P(Peers, CPeerInterop, ::testing::ValuesIn(kPeers),
                         [](const ::testing::TestParamInfo<CPeer>& p) {
                           return std::string(p.param.name);
                         });

// ---- wolfSSL only: TLS 1.3 HelloRetryRequest ----

class WolfsslInterop : public CPeerInterop {};

// RFC 8446 §4.1.4: our client's first key share is X25519; a wolfSSL server that takes only
// P-256 asks for it with a HelloRetryRequest, and we retry with exactly that share.
TEST_P(WolfsslInterop, HsClientAnswersWolfsslHelloRetryRequest) {
  PeerServer server(program(), {"-cert", pki_.ecdsa_cert.string(), "-key", pki_.ecdsa_key.string(),
                                "-groups", "P-256"});
  ASSERT_NE(server.port, 0) << server.process->output();
  auto r = hs_client(server, {"-vv", "--http1.1"});
  ASSERT_EQ(r.exit_code, 0) << r.output() << server.process->output();
  EXPECT_TRUE(contains(r.err, "HelloRetryRequest selected secp256r1")) << r.output();
  auto got = fields(r.out, "proto=");
  EXPECT_EQ(got["version"], "TLS1.3") << r.output();
  EXPECT_EQ(got["group"], "SECP256R1") << r.output();
}

// wolfSSL 5.5.4 reorders its extensions in the ClientHello that answers our HelloRetryRequest
// (key_share and psk_key_exchange_modes move behind the cookie). RFC 8446 §4.1.2: "the client
// MUST send the same ClientHello without modification, except as follows"; we refuse it with
// illegal_parameter (README, known differences). Its first share is P-521, which the server is
// told not to take (--curves), so it asks for X25519.
TEST_P(WolfsslInterop, ReorderedSecondClientHelloIsRefused) {
  HsServerProcess server(HsServerProcess::cert_args(pki_),
                         {"-v", "--curves", "X25519:P-256"});  // -v logs the reason
  ASSERT_NE(server.port(), 0) << server.output();
  auto r = peer_client(server, {"-max", "1.3", "-groups", "P-521,X25519", "-get", "/"});
  EXPECT_EQ(r.exit_code, 1) << r.output();
  EXPECT_TRUE(contains(r.err, "received_alert_fatal_error")) << r.output();
  std::string log;
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
    log = server.output();
    if (contains(log, "closed: ")) {
      break;
    }
  }
  EXPECT_TRUE(contains(log,
                       "ClientHello2 does not match ClientHello1 after HelloRetryRequest: "
                       "extensions (illegal_parameter)"))
      << log;
  // With X25519 first there is no retry, and the same client connects.
  auto direct = peer_client(server, {"-max", "1.3", "-groups", "X25519,P-521", "-get", "/"});
  EXPECT_EQ(direct.exit_code, 0) << direct.output();
}

INSTANTIATE_TEST_SUITE_P(Peers, WolfsslInterop, ::testing::Values(kPeers[0]),
                         [](const ::testing::TestParamInfo<CPeer>& p) {
                           return std::string(p.param.name);
                         });

}  // namespace
}  // namespace hs::test

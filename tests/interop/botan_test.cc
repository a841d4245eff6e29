// Botan 2.19 (Debian's `botan` command) as a peer: an independent TLS stack (TLS 1.2 only in
// 2.19) with its own X.509, session manager and policy.
//
// botan tls_client -> `hs server`: ECDSA and RSA certificates, X25519 and P-256 (chosen with a
// Botan policy file), ALPN, resumption across two runs sharing a session database (a ticket, and
// a session ID with --no-tickets), and our no_application_protocol alert. tls_client closes the
// connection when its standard input ends, so the request stays in an open pipe
// (ProcessOptions::keep_stdin_open) and the client exits once we close.
// our library -> botan tls_server: botan's tls_server is an echo server that answers every ALPN
// offer with "echo/0.1", whatever was offered; `hs client` always offers ALPN (h2, http/1.1) and
// we refuse a protocol we did not offer (illegal_parameter, as OpenSSL does), so these tests use
// hs::Stream with ALPN "echo/0.1": RSA and ECDSA certificates, X25519 and P-256, a line echoed
// back, and resumption through an InMemorySessionStore. The refusal of the unoffered protocol
// is tested too. Botan 2.19's CLI cannot present a client certificate; tls_server listens on
// every interface (it has no bind address option).
#include <gtest/gtest.h>
#include <hs/config.h>
#include <hs/session.h>
#include <hs/stream.h>
#include <hs/wire.h>
#include <hs/x509.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <span>
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

// line_after returns the rest of the first line of `out` that starts with `prefix`.
std::string line_after(const std::string& out, const std::string& prefix) {
  const std::string text = "\n" + out;
  const size_t at = text.find("\n" + prefix);
  if (at == std::string::npos) {
    return {};
  }
  const size_t begin = at + 1 + prefix.size();
  return text.substr(begin, text.find('\n', begin) - begin);
}

// count_when waits up to 10 s until `needle` occurs `n` times in the process's stdout and
// returns how often it occurs then.
size_t count_when(const Process& p, const std::string& needle, size_t n) {
  size_t seen = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       (seen = count_of(p.stdout_text(), needle)) < n &&
       std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(10ms)) {
  }
  return seen;
}

class BotanInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_program("botan"));
    ASSERT_TRUE(require_hs_binary());
  }

  // botan_client runs `botan tls_client` against `server` with `stdin_text` as what it sends,
  // the test root as its only trust, and waits for it to exit.
  CommandResult botan_client(const HsServerProcess& server, const std::string& stdin_text,
                             std::vector<std::string> flags) {
    std::vector<std::string> args = {"botan",
                                     "tls_client",
                                     "localhost",
                                     "--port=" + std::to_string(server.port()),
                                     "--trusted-cas=" + pki_.ca_cert.string(),
                                     "--skip-system-cert-store"};
    args.insert(args.end(), flags.begin(), flags.end());
    ProcessOptions options;
    options.stdin_data = stdin_text;
    options.keep_stdin_open = true;
    Process p(args, options);
    CommandResult r;
    r.command_line = p.command_line();
    auto code = p.wait(20s);
    r.timed_out = !code;
    r.exit_code = code.value_or(-1);
    r.out = p.stdout_text();
    r.err = p.stderr_text();
    return r;
  }

  // policy writes a Botan TLS policy file that allows only `signature_method` and `group`.
  std::string policy(const std::string& signature_method, const std::string& group) {
    return dir_
        .write_file(
            signature_method + "-" + group + ".txt",
            "signature_methods = " + signature_method + "\nkey_exchange_groups = " + group + "\n")
        .string();
  }

  // BotanServer runs `botan tls_server` with a certificate on a free port.
  struct BotanServer {
    BotanServer(const std::filesystem::path& cert, const std::filesystem::path& key)
        : port(free_port()),
          process({"botan", "tls_server", cert.string(), key.string(),
                   "--port=" + std::to_string(port)}) {
      listening = process.wait_for_port(port, 10s);
    }
    uint16_t port;
    Process process;
    bool listening = false;
  };

  std::shared_ptr<ClientConfig> client_config(std::vector<std::string> alpn, NamedGroup group) {
    TrustOptions trust;
    trust.ca_file = pki_.ca_cert.string();
    trust.use_system_default = false;
    auto verifier = make_default_verifier(trust);
    EXPECT_TRUE(verifier.ok()) << verifier.error().message();
    auto config = std::make_shared<ClientConfig>();
    if (verifier.ok()) {
      config->verifier = *verifier;
    }
    config->alpn = std::move(alpn);
    config->groups = {group};
    config->sessions = sessions_;
    return config;
  }

  const TestPki& pki_ = shared_test_pki();
  TempDir dir_;
  std::shared_ptr<InMemorySessionStore> sessions_ = std::make_shared<InMemorySessionStore>();
};

const std::string kGet = "GET / HTTP/1.0\r\n\r\n";

// ---- botan tls_client -> hs server ----

TEST_F(BotanInterop, BotanClientCertificatesGroupsAndAlpn) {
  HsServerProcess server(HsServerProcess::cert_args(pki_));
  ASSERT_NE(server.port(), 0) << server.output();
  struct Case {
    const char* signature_method;  // Botan's policy names
    const char* botan_group;
    const char* kx;     // in the suite's name
    const char* group;  // hs server's name
    const char* signature;
  };
  for (Case c : {Case{"ECDSA", "secp256r1", "ECDHE_ECDSA", "secp256r1", "ecdsa_secp256r1_sha256"},
                 Case{"RSA", "x25519", "ECDHE_RSA", "x25519", "rsa_pss_rsae_sha256"}}) {
    SCOPED_TRACE(std::string(c.signature_method) + " " + c.botan_group);
    auto r = botan_client(
        server, kGet,
        {"--policy=" + policy(c.signature_method, c.botan_group), "--next-protocols=http/1.1"});
    ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
    EXPECT_TRUE(contains(r.out, "Certificate validation status: Verified")) << r.output();
    const std::string suite = line_after(r.out, "Handshake complete, TLS v1.2 using ");
    EXPECT_TRUE(contains(suite, c.kx)) << r.output();
    EXPECT_EQ(line_after(r.out, "Server choose protocol: "), "http/1.1") << r.output();
    EXPECT_TRUE(contains(r.out, "HTTP/1.1 200 OK")) << r.output();
    EXPECT_EQ(page_field(r.out, "Protocol"), "TLSv1.2") << r.output();
    // Botan names suites as IANA does, without "TLS_".
    EXPECT_TRUE(contains(page_field(r.out, "Cipher"), "(TLS_" + suite + ")")) << r.output();
    EXPECT_EQ(page_field(r.out, "Group"), c.group) << r.output();
    EXPECT_EQ(page_field(r.out, "Signature"), c.signature) << r.output();
    EXPECT_EQ(page_field(r.out, "ALPN"), "http/1.1") << r.output();
    EXPECT_EQ(page_field(r.out, "Extended master secret"), "yes") << r.output();
    // Our close_notify after the response ends Botan's session cleanly.
    EXPECT_TRUE(contains(r.out, "Alert: close_notify")) << r.output();
  }
  // RFC 7301 §3.2: "In the event that the server supports no protocols that the client
  // advertises, then the server SHALL respond with a fatal "no_application_protocol" alert."
  auto r = botan_client(server, kGet, {"--next-protocols=spdy/3"});
  EXPECT_TRUE(contains(r.out, "Alert: no_application_protocol")) << r.output();
  EXPECT_FALSE(contains(r.out, "Handshake complete")) << r.output();
}

// Botan's client keeps its sessions in a database across runs; the second run resumes: the same
// session ID, no certificate to validate, and our page says Resumed.
TEST_F(BotanInterop, BotanClientResumesWithTicketAndSessionId) {
  for (bool tickets : {true, false}) {
    SCOPED_TRACE(tickets ? "ticket" : "session ID");
    HsServerProcess server(
        HsServerProcess::cert_args(pki_),
        tickets ? std::vector<std::string>{} : std::vector<std::string>{"--no-tickets"});
    ASSERT_NE(server.port(), 0) << server.output();
    const std::vector<std::string> db = {
        "--session-db=" + (dir_ / (tickets ? "tickets.db" : "ids.db")).string(),
        "--session-db-pass=hs-test"};
    auto first = botan_client(server, kGet, db);
    ASSERT_EQ(first.exit_code, 0) << first.output() << server.output();
    auto second = botan_client(server, kGet, db);
    ASSERT_EQ(second.exit_code, 0) << second.output() << server.output();
    EXPECT_EQ(page_field(first.out, "Resumed"), "no") << first.output();
    EXPECT_EQ(page_field(second.out, "Resumed"), "yes") << second.output();
    EXPECT_EQ(contains(first.out, "Session ticket "), tickets) << first.output();
    const std::string id = line_after(first.out, "Session ID ");
    EXPECT_FALSE(id.empty()) << first.output();
    EXPECT_EQ(line_after(second.out, "Session ID "), id) << second.output();
    EXPECT_FALSE(contains(second.out, "Certificate validation status")) << second.output();
    EXPECT_TRUE(contains(second.out, "Alert: close_notify")) << second.output();
  }
}

// ---- our library -> botan tls_server ----

TEST_F(BotanInterop, ClientCertificatesGroupsEchoAndResumption) {
  struct Cert {
    std::filesystem::path cert, key;
    const char* kx;
  };
  for (const Cert& cert : {Cert{pki_.rsa_cert, pki_.rsa_key, "_ECDHE_RSA_"},
                           Cert{pki_.ecdsa_cert, pki_.ecdsa_key, "_ECDHE_ECDSA_"}}) {
    BotanServer server(cert.cert, cert.key);
    ASSERT_TRUE(server.listening) << server.process.output();
    size_t connections = 0;
    for (NamedGroup group : {NamedGroup::x25519, NamedGroup::secp256r1}) {
      SCOPED_TRACE(std::string(cert.kx) + " " + std::string(group_name(group)));
      sessions_ = std::make_shared<InMemorySessionStore>();
      for (bool resumed : {false, true}) {
        auto stream =
            Stream::connect("localhost", server.port, client_config({"echo/0.1"}, group), 10s);
        ASSERT_TRUE(stream.ok()) << stream.error().message();
        auto hs = stream->handshake(10s);
        ASSERT_TRUE(hs.ok()) << hs.error().message() << server.process.output();
        ++connections;
        const SessionInfo& info = stream->connection().info();
        EXPECT_EQ(info.version, ProtocolVersion::tls1_2);
        ASSERT_TRUE(info.cipher_suite.has_value());
        const std::string suite(suite_name(*info.cipher_suite));
        EXPECT_TRUE(contains(suite, cert.kx)) << suite;
        EXPECT_EQ(info.alpn, "echo/0.1");
        EXPECT_EQ(info.resumed, resumed);
        EXPECT_TRUE(info.extended_master_secret);
        if (!resumed) {
          EXPECT_EQ(info.group, group);
          EXPECT_TRUE(info.peer_verified);
        }
        // Botan agrees on the version and suite ("Handshake complete, TLS v1.2 using
        // ECDHE_RSA_WITH_...", the IANA name without "TLS_"), once per connection.
        EXPECT_EQ(count_when(server.process,
                             "Handshake complete, TLS v1.2 using " + suite.substr(4), connections),
                  connections)
            << server.process.output();
        // tls_server echoes each line back.
        const std::string line = "hello botan, connection " + std::to_string(connections) + "\n";
        ASSERT_TRUE(
            stream->write(std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size()))
                .ok());
        std::string echoed;
        std::vector<uint8_t> buf(256);
        while (!contains(echoed, "\n")) {
          auto n = stream->read(buf, 10s);
          ASSERT_TRUE(n.ok()) << n.error().message();
          ASSERT_GT(*n, 0u) << "end of stream after \"" << echoed << "\"";
          echoed.append(reinterpret_cast<const char*>(buf.data()), *n);
        }
        EXPECT_EQ(echoed, line);
        EXPECT_TRUE(stream->shutdown().ok());
      }
    }
    // Botan reads our close_notify on every connection.
    EXPECT_EQ(count_when(server.process, "Alert: close_notify", connections), connections)
        << server.process.output();
  }
}

// botan tls_server selects "echo/0.1" whatever the client offered, where RFC 7301 §3.2 expects
// a server to "only select a protocol if the client supports it"; we refuse a protocol we did
// not offer with illegal_parameter (as OpenSSL's client does), and Botan reads that alert.
TEST_F(BotanInterop, ClientRefusesAnAlpnProtocolItDidNotOffer) {
  BotanServer server(pki_.ecdsa_cert, pki_.ecdsa_key);
  ASSERT_TRUE(server.listening) << server.process.output();
  auto stream = Stream::connect("localhost", server.port,
                                client_config({"http/1.1"}, NamedGroup::x25519), 10s);
  ASSERT_TRUE(stream.ok()) << stream.error().message();
  auto hs = stream->handshake(10s);
  ASSERT_FALSE(hs.ok());
  EXPECT_EQ(hs.error().alert(), AlertDescription::illegal_parameter) << hs.error().message();
  EXPECT_EQ(count_when(server.process, "Alert: illegal_parameter", 1), 1u)
      << server.process.output();
}

}  // namespace
}  // namespace hs::test

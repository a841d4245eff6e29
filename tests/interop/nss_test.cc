// NSS (Mozilla's TLS library, the one inside Firefox; Debian's libnss3-tools 3.87) as a peer:
// its test client `tstclnt` against `hs server`, and `hs client` against its test server
// `selfserv`, each case asserting what both sides report (version, suite, group, signature
// scheme, resumption, client certificate, the HTTP answer), and selfserv's refusal of a missing
// client certificate as `hs client` reports it.
//
// NSS keeps certificates and keys in a database, built here once from the shared test PKI with
// pk12util and certutil: one with the test root trusted and the ECDSA client and server key
// pairs, one with the RSA server key pair (the ECDSA and the RSA leaf share their subject, NSS
// gives one nickname per subject, and selfserv finds its certificates by nickname).
//
// What NSS does differently, written down in README:
// - The certificate check tstclnt uses (NSS's certUsageSSLServer) wants keyEncipherment in an
//   RSA server leaf's key usage even for ECDHE_RSA and TLS 1.3, where RFC 5246 7.4.2 and
//   RFC 8446 4.4.2.2 ask only for digitalSignature. The test PKI's RSA leaf has digitalSignature
//   alone, so tstclnt refuses it (SEC_ERROR_INADEQUATE_KEY_USAGE, tested) and checks a copy of
//   that leaf reissued here with both bits. Firefox does not use that check (it verifies with
//   mozilla::pkix).
// - tstclnt cannot offer ALPN and selfserv -Q answers only http/1.1, so ALPN is tested one way.
// - selfserv has no bind-address option: it listens on every interface while a test runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
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

// lines_with returns every line of `text` that contains `needle`, in order.
std::vector<std::string> lines_with(const std::string& text, const std::string& needle) {
  std::vector<std::string> found;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (contains(line, needle)) {
      found.push_back(line);
    }
  }
  return found;
}

// page_fields returns one field of every status page `hs server` answered in `out`
// ("Group     : x25519" gives "x25519"), in order.
std::vector<std::string> page_fields(const std::string& out, const std::string& name) {
  std::vector<std::string> values;
  for (const std::string& line : lines_with(out, name)) {
    size_t colon = line.find(": ");
    if (line.rfind(name, 0) == 0 && colon != std::string::npos) {
      values.push_back(line.substr(colon + 2));
    }
  }
  return values;
}

// client_hellos counts the ClientHellos `hs server -v` logged for its connection #n: two mean
// it answered the first with a HelloRetryRequest.
size_t client_hellos(const std::string& server_log, int n) {
  size_t count = 0;
  for (const std::string& line : lines_with(server_log, "(IN), TLS handshake, Client hello")) {
    count += line.rfind("#" + std::to_string(n) + " ", 0) == 0 ? 1 : 0;
  }
  return count;
}

// last_stat reads selfserv's or tstclnt's last "N cache hits; ..." / "N stateless resumes"
// figure: `what` is "cache hits" or "stateless resumes"; -1 when there is none.
int last_stat(const std::string& out, const std::string& what) {
  auto lines = lines_with(out, what);
  if (lines.empty()) {
    return -1;
  }
  const std::string& line = lines.back();
  size_t end = line.find(" " + what);
  if (end == std::string::npos || end == 0) {
    return -1;
  }
  size_t begin = line.find_last_not_of("0123456789", end - 1);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return std::stoi(line.substr(begin, end - begin));
}

// NssFiles: the NSS databases and the reissued RSA leaf, made once per test process (certutil
// and pk12util write SQLite databases and take 0.1-0.2 s a call).
struct NssFiles {
  TempDir dir;
  std::filesystem::path rsa_ke_cert;
  std::string db;      // "sql:DIR": the test root trusted, key pairs "client" and "ecdsa"
  std::string rsa_db;  // the test root trusted, the key pair "rsa" (the PKI's RSA leaf as it is)
  std::string error;   // the output of the first command that failed; empty when all worked
};

// run runs a setup command, keeping the output of the first failure in `files.error`.
void run(NssFiles& files, std::vector<std::string> args) {
  CommandResult r = run_command(std::move(args), 10s);
  if (r.exit_code != 0 && files.error.empty()) {
    files.error = r.output();
  }
}

// import_key_pair writes `cert` and `key` as a PKCS#12 file and imports it into `db` (which
// pk12util creates when it does not exist yet) under `nickname`.
void import_key_pair(NssFiles& files, const std::string& db, const std::string& nickname,
                     const std::filesystem::path& cert, const std::filesystem::path& key) {
  const std::string p12 = (files.dir / (nickname + ".p12")).string();
  run(files, {"openssl", "pkcs12", "-export", "-in", cert.string(), "-inkey", key.string(), "-name",
              nickname, "-passout", "pass:test", "-out", p12});
  run(files, {"pk12util", "-i", p12, "-d", db, "-W", "test"});
}

const NssFiles& nss_files(const TestPki& pki) {
  static const NssFiles* files = [&pki] {
    auto* f = new NssFiles;
    // tstclnt's check needs keyEncipherment in an RSA leaf (see the top of the file): the test
    // PKI's RSA key, reissued by the test root with both key usage bits.
    f->dir.write_file("leaf.cnf",
                      "[req]\ndistinguished_name = dn\n[dn]\n[server]\n"
                      "basicConstraints = critical, CA:FALSE\n"
                      "keyUsage = critical, digitalSignature, keyEncipherment\n"
                      "extendedKeyUsage = serverAuth\n"
                      "subjectAltName = DNS:localhost, IP:127.0.0.1\n");
    f->rsa_ke_cert = f->dir / "rsa-ke.pem";
    run(*f, {"openssl",
             "req",
             "-x509",
             "-key",
             pki.rsa_key.string(),
             "-subj",
             "/O=handshake tests/CN=localhost",
             "-CA",
             pki.ca_cert.string(),
             "-CAkey",
             pki.ca_key.string(),
             "-days",
             "30",
             "-sha256",
             "-config",
             (f->dir / "leaf.cnf").string(),
             "-extensions",
             "server",
             "-out",
             f->rsa_ke_cert.string()});
    for (const char* name : {"nss", "rsa"}) {
      std::filesystem::create_directory(f->dir / name);
    }
    f->db = "sql:" + (f->dir / "nss").string();
    f->rsa_db = "sql:" + (f->dir / "rsa").string();
    import_key_pair(*f, f->db, "client", pki.client_cert, pki.client_key);
    import_key_pair(*f, f->db, "ecdsa", pki.ecdsa_cert, pki.ecdsa_key);
    import_key_pair(*f, f->rsa_db, "rsa", pki.rsa_cert, pki.rsa_key);
    for (const std::string& db : {f->db, f->rsa_db}) {
      run(*f, {"certutil", "-A", "-d", db, "-n", "ca", "-t", "CT,C,C", "-i", pki.ca_cert.string()});
    }
    return f;
  }();
  return *files;
}

class NssInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    for (const char* program : {"tstclnt", "selfserv", "certutil", "pk12util", "openssl"}) {
      ASSERT_TRUE(require_program(program));
    }
    const NssFiles& files = nss_files(pki_);
    ASSERT_EQ(files.error, "") << "making the NSS databases failed";
    rsa_ke_cert_ = files.rsa_ke_cert;
    db_ = files.db;
    rsa_db_ = files.rsa_db;
  }

  // tstclnt connects to `server` `connections` times (-L), sends an HTTP/1.0 request from a
  // file (-A: with a pipe on stdin tstclnt spins once it ends) and prints what it negotiated
  // (-v) and the answer; `flags` select versions, groups, schemes, -G, -u, -n.
  CommandResult tstclnt(const HsServerProcess& server, std::vector<std::string> flags,
                        int connections = 1) {
    const auto request = dir_.write_file("request.txt", "GET / HTTP/1.0\r\n\r\n");
    std::vector<std::string> args = {"tstclnt",
                                     "-4",
                                     "-h",
                                     "localhost",
                                     "-p",
                                     std::to_string(server.port()),
                                     "-d",
                                     db_,
                                     "-A",
                                     request.string(),
                                     "-v",
                                     "-L",
                                     std::to_string(connections)};
    args.insert(args.end(), flags.begin(), flags.end());
    return run_command(std::move(args), 10s);
  }

  // selfserv starts NSS's server with the database `db` (key pair "ecdsa" or "rsa") on a free
  // port, with -v (what each connection negotiated, on stderr), -Q (ALPN http/1.1) and `flags`.
  std::unique_ptr<Process> selfserv(const std::string& db, const std::string& key,
                                    std::vector<std::string> flags, uint16_t& port) {
    port = free_port();
    std::vector<std::string> args = {"selfserv", "-p", std::to_string(port),
                                     "-d",       db,   key == "ecdsa" ? "-e" : "-n",
                                     key,        "-v", "-Q"};
    args.insert(args.end(), flags.begin(), flags.end());
    auto p = std::make_unique<Process>(std::move(args));
    EXPECT_TRUE(p->wait_for_port(port, 5s)) << p->output();
    return p;
  }

  // hs_client fetches https://localhost:PORT/ with -v (support/hs_client.h).
  CommandResult hs_client(uint16_t port, std::vector<std::string> flags) {
    flags.insert(flags.begin(), "-v");
    return run_hs_client(pki_, port, std::move(flags), 10s);
  }

  const TestPki& pki_ = shared_test_pki();
  TempDir dir_;
  std::filesystem::path rsa_ke_cert_;
  std::string db_, rsa_db_;
};

// ---- tstclnt -> hs server ----

TEST_F(NssInterop, TstclntToHsServer) {
  HsServerProcess server({"--cert", rsa_ke_cert_.string(), "--key", pki_.rsa_key.string(), "--cert",
                          pki_.ecdsa_cert.string(), "--key", pki_.ecdsa_key.string()},
                         {"-v"});
  ASSERT_NE(server.port(), 0) << server.output();
  // P-256 only: an X25519 key share gets a HelloRetryRequest. It also requires a client
  // certificate, which tstclnt sends (-n) without being asked for one by name.
  HsServerProcess p256({"--cert", pki_.ecdsa_cert.string(), "--key", pki_.ecdsa_key.string()},
                       {"-v", "--curves", "P-256", "--verify-client", pki_.ca_cert.string(),
                        "--require-client-cert"});
  ASSERT_NE(p256.port(), 0) << p256.output();
  struct Case {
    const char* name;
    const HsServerProcess* server;
    std::vector<std::string> flags;
    int connections;
    const char* protocol;     // hs server's page
    const char* cipher;       // hs server's page, start of the Cipher line
    const char* group;        // hs server's page
    const char* scheme;       // both sides
    const char* nss_version;  // tstclnt: "SSL version 3.4" is TLS 1.3
    const char* nss_auth;     // tstclnt's "Server Auth: " line
    size_t hellos;            // ClientHellos per connection (2: HelloRetryRequest)
    bool tickets;             // resumed with a ticket (else, in TLS 1.2, by session ID)
  };
  const Case cases[] = {
      {"1.3 ECDSA X25519, resumed",
       &server,
       {"-V", "tls1.3:tls1.3", "-J", "ecdsa_secp256r1_sha256"},
       2,
       "TLSv1.3",
       "TLS_AES_128_GCM_SHA256",
       "x25519",
       "ecdsa_secp256r1_sha256",
       "SSL version 3.4",
       "Server Auth: 256-bit TLS 1.3, Key Exchange: 255-bit TLS 1.3",
       1,
       true},
      {"1.3 RSA P-256",
       &server,
       {"-V", "tls1.3:tls1.3", "-J", "rsa_pss_rsae_sha256", "-I", "P256"},
       1,
       "TLSv1.3",
       "TLS_AES_128_GCM_SHA256",
       "secp256r1",
       "rsa_pss_rsae_sha256",
       "SSL version 3.4",
       "Server Auth: 2048-bit TLS 1.3, Key Exchange: 256-bit TLS 1.3",
       1,
       true},
      {"1.3 HelloRetryRequest, client certificate, resumed",
       &p256,
       {"-V", "tls1.3:tls1.3", "-n", "client"},
       2,
       "TLSv1.3",
       "TLS_AES_128_GCM_SHA256",
       "secp256r1",
       "ecdsa_secp256r1_sha256",
       "SSL version 3.4",
       "Server Auth: 256-bit TLS 1.3, Key Exchange: 256-bit TLS 1.3",
       2,
       true},
      {"1.2 ECDSA, session ID resumption",
       &server,
       {"-V", "tls1.2:tls1.2", "-J", "ecdsa_secp256r1_sha256"},
       2,
       "TLSv1.2",
       "ECDHE-ECDSA-AES128-GCM-SHA256",
       "x25519",
       "ecdsa_secp256r1_sha256",
       "SSL version 3.3",
       "Server Auth: 256-bit ECDSA, Key Exchange: 255-bit ECDHE",
       1,
       false},
      {"1.2 RSA P-256, ticket resumption",
       &server,
       {"-V", "tls1.2:tls1.2", "-u", "-J", "rsa_pss_rsae_sha256", "-I", "P256"},
       2,
       "TLSv1.2",
       "ECDHE-RSA-AES128-GCM-SHA256",
       "secp256r1",
       "rsa_pss_rsae_sha256",
       "SSL version 3.3",
       "Server Auth: 2048-bit RSA, Key Exchange: 256-bit ECDHE",
       1,
       true},
      {"1.2 client certificate",
       &p256,
       {"-V", "tls1.2:tls1.2", "-n", "client"},
       1,
       "TLSv1.2",
       "ECDHE-ECDSA-AES128-GCM-SHA256",
       "secp256r1",
       "ecdsa_secp256r1_sha256",
       "SSL version 3.3",
       "Server Auth: 256-bit ECDSA, Key Exchange: 256-bit ECDHE",
       1,
       false},
  };
  int next_connection[2] = {1, 1};  // of `server` and `p256`
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int which = c.server == &server ? 0 : 1;
    const int first = next_connection[which];
    next_connection[which] += c.connections;
    const size_t n = size_t(c.connections);
    CommandResult r = tstclnt(*c.server, c.flags, c.connections);
    ASSERT_EQ(r.exit_code, 0) << r.output() << c.server->output();
    const std::string both = r.out + r.err;
    // NSS's side, once per connection.
    EXPECT_EQ(lines_with(both, c.nss_version).size(), n) << r.output();
    EXPECT_EQ(lines_with(both, c.nss_auth).size(), n) << r.output();
    EXPECT_EQ(lines_with(both, std::string("Signature Scheme: ") + c.scheme).size(), n)
        << r.output();
    // Ours: the status page hs server answered on each connection.
    const auto protocols = page_fields(r.out, "Protocol  ");
    const auto ciphers = page_fields(r.out, "Cipher    ");
    const auto groups = page_fields(r.out, "Group     ");
    const auto schemes = page_fields(r.out, "Signature ");
    const auto resumed = page_fields(r.out, "Resumed   ");
    const auto client_certs = page_fields(r.out, "Client certificate");
    ASSERT_EQ(protocols.size(), n) << r.output();
    ASSERT_EQ(resumed.size(), n) << r.output();
    ASSERT_EQ(client_certs.size(), n) << r.output();
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(protocols[i], c.protocol) << r.output();
      EXPECT_EQ(ciphers[i].rfind(c.cipher, 0), 0u) << ciphers[i];
      // A TLS 1.2 session resumes without a key exchange.
      const bool no_group = i > 0 && std::string(c.protocol) == "TLSv1.2";
      EXPECT_EQ(groups[i], no_group ? "(none)" : c.group) << r.output();
      EXPECT_EQ(resumed[i], i == 0 ? "no" : "yes") << r.output();
      if (i == 0) {  // a resumed handshake signs nothing
        EXPECT_EQ(schemes[i], c.scheme) << r.output();
      }
      if (c.server == &p256) {  // the session keeps the certificate it was made with
        EXPECT_TRUE(contains(client_certs[i], "CN=hs-test-client;")) << client_certs[i];
        EXPECT_TRUE(contains(client_certs[i], "; verified")) << client_certs[i];
      } else {
        EXPECT_EQ(client_certs[i], "none");
      }
      EXPECT_EQ(client_hellos(c.server->output(), first + int(i)), c.hellos) << c.server->output();
    }
    // tstclnt's session cache: every reconnection a hit, by ticket or by session ID.
    EXPECT_EQ(last_stat(r.err, "cache hits"), c.connections - 1) << r.output();
    EXPECT_EQ(last_stat(r.err, "stateless resumes"), c.tickets ? c.connections - 1 : 0)
        << r.output();
  }

  // NSS's certificate check refuses the test PKI's RSA leaf (key usage digitalSignature only,
  // enough by RFC 8446 4.4.2.2 and RFC 5246 7.4.2): for certUsageSSLServer it wants
  // keyEncipherment in any RSA leaf. Kept so that a change on either side shows up here.
  HsServerProcess rsa(HsServerProcess::cert_args(pki_, /*with_ecdsa=*/false));
  ASSERT_NE(rsa.port(), 0) << rsa.output();
  CommandResult refused = tstclnt(rsa, {"-V", "tls1.3:tls1.3"});
  EXPECT_NE(refused.exit_code, 0) << refused.output();
  EXPECT_TRUE(contains(refused.err, "SEC_ERROR_INADEQUATE_KEY_USAGE")) << refused.output();
}

// ---- hs client -> selfserv ----

TEST_F(NssInterop, HsClientToSelfserv) {
  struct Case {
    const char* name;
    const std::string* db;
    const char* key;
    std::vector<std::string> server_flags;
    std::vector<std::string> client_flags;  // beyond --reconnect
    int reconnects;
    const char* suite;        // hs client's "SSL connection using" line
    const char* nss_auth;     // selfserv's "Server Auth: " line
    size_t hellos;            // ClientHellos on the first connection (2: HelloRetryRequest)
    bool tickets;             // resumed with a ticket (else, in TLS 1.2, by session ID)
    const char* client_cert;  // selfserv's "subject DN: " for it; empty: none asked for
  };
  const std::vector<std::string> rsa_client = {"--cert", pki_.client_rsa_cert.string(), "--key",
                                               pki_.client_rsa_key.string()};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  const Case cases[] = {
      {"1.3 ECDSA, ticket resumption",
       &db_,
       "ecdsa",
       {"-u"},
       {"--tlsv1.3"},
       1,
       "TLSv1.3 / TLS_AES_128_GCM_SHA256",
       "Server Auth: 256-bit TLS 1.3, Key Exchange: 255-bit TLS 1.3",
       1,
       true,
       ""},
      // -r -r: request and require a client certificate, checked against the test root.
      {"1.3 RSA, HelloRetryRequest to P-256, client certificate",
       &rsa_db_,
       "rsa",
       {"-I", "P256", "-r", "-r"},
       with({"--tlsv1.3"}, rsa_client),
       0,
       "TLSv1.3 / TLS_AES_128_GCM_SHA256",
       "Server Auth: 2048-bit TLS 1.3, Key Exchange: 256-bit TLS 1.3",
       2,
       false,
       "CN=hs-test-client-rsa,"},
      {"1.2 ECDSA, session ID resumption",
       &db_,
       "ecdsa",
       {},
       {"--tls-max", "1.2"},
       1,
       "TLSv1.2 / ECDHE-ECDSA-AES128-GCM-SHA256",
       "Server Auth: 256-bit ECDSA, Key Exchange: 255-bit ECDHE",
       1,
       false,
       ""},
      {"1.2 RSA P-256, ticket resumption",
       &rsa_db_,
       "rsa",
       {"-u"},
       {"--tls-max", "1.2", "--curves", "P-256"},
       1,
       "TLSv1.2 / ECDHE-RSA-AES128-GCM-SHA256",
       "Server Auth: 2048-bit RSA, Key Exchange: 256-bit ECDHE",
       1,
       true,
       ""},
      {"1.2 client certificate",
       &db_,
       "ecdsa",
       {"-r", "-r"},
       with({"--tls-max", "1.2"}, rsa_client),
       0,
       "TLSv1.2 / ECDHE-ECDSA-AES128-GCM-SHA256",
       "Server Auth: 256-bit ECDSA, Key Exchange: 255-bit ECDHE",
       1,
       false,
       "CN=hs-test-client-rsa,"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    uint16_t port = 0;
    auto server = selfserv(*c.db, c.key, c.server_flags, port);
    CommandResult r =
        hs_client(port, with(c.client_flags, {"--reconnect", std::to_string(c.reconnects)}));
    ASSERT_EQ(r.exit_code, 0) << r.output() << server->output();
    const size_t n = size_t(c.reconnects) + 1;
    // Ours: the suite, ALPN and resumption of each connection, and selfserv's answer, which
    // echoes our request.
    EXPECT_EQ(lines_with(r.err, std::string("SSL connection using ") + c.suite).size(), n)
        << r.output();
    EXPECT_EQ(lines_with(r.err, "ALPN: server accepted http/1.1").size(), n) << r.output();
    EXPECT_EQ(lines_with(r.err, ": Reused, ").size(), n - 1) << r.output();
    EXPECT_EQ(lines_with(r.out, "GET / HTTP/1.1").size(), n) << r.output();
    EXPECT_EQ(lines_with(r.err, "(OUT), TLS handshake, Client hello").size(), c.hellos + n - 1)
        << r.output();
    // NSS's side: what it negotiated on each connection, the client certificate it checked, and
    // its session cache.
    server->stop();
    const std::string log = server->stderr_text();
    EXPECT_EQ(lines_with(log, c.nss_auth).size(), n) << server->output();
    if (*c.client_cert != '\0') {
      EXPECT_EQ(lines_with(log, std::string("subject DN: ") + c.client_cert).size(), n)
          << server->output();
    }
    EXPECT_EQ(last_stat(server->stdout_text(), "cache hits"), int(n) - 1) << server->output();
    EXPECT_EQ(last_stat(server->stdout_text(), "stateless resumes"), c.tickets ? int(n) - 1 : 0)
        << server->output();
  }

  // No client certificate for selfserv -r -r: TLS 1.3 refuses it with certificate_required
  // after our side of the handshake is done (RFC 8446 4.4.2.4), and selfserv closes with our
  // records unread, so our request meets a reset with the alert still in the socket, which we
  // report; TLS 1.2 refuses it in the handshake, NSS with bad_certificate.
  for (auto [max, alert] : {std::pair{"1.3", "certificate_required"}, {"1.2", "bad_certificate"}}) {
    SCOPED_TRACE(max);
    uint16_t port = 0;
    auto server = selfserv(db_, "ecdsa", {"-r", "-r"}, port);
    CommandResult r = hs_client(port, {"--tls-max", max});
    EXPECT_NE(r.exit_code, 0) << r.output();
    EXPECT_TRUE(contains(r.err, std::string("fatal ") + alert) ||
                contains(r.err, std::string("fatal alert ") + alert))
        << r.output();
  }
}

}  // namespace
}  // namespace hs::test

// `hs client` against curl, flag for flag (issue #9 item 5): a table of invocations, each run as
// `curl FLAGS` and `hs client FLAGS` (at the same time) against the same local servers (hs server
// with redirects and files, openssl s_server -www with a good and an expired certificate, a
// refused port, a port that never answers). Each row must give the same exit code, the same
// "curl: (N) text" message where we promise curl's words, the same TLS lines of -v (handshake,
// SSL connection, ALPN, server certificate) and, for -w, the same variables with the same values
// (times, speeds and local ports by format only). Rows for --pinnedpubkey check the key pin
// (hash and file forms, match and exit 90) the same way.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/hs_server.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace hs::test {
namespace {

// Every -w variable hs renders, one "name=value" per line; header_json (several lines) last.
constexpr const char* kVariables[] = {
    "http_code",       "response_code",    "ssl_verify_result",  "time_namelookup", "time_connect",
    "time_appconnect", "time_pretransfer", "time_starttransfer", "time_total",      "size_download",
    "size_header",     "speed_download",   "num_connects",       "num_redirects",   "redirect_url",
    "url_effective",   "scheme",           "http_version",       "exitcode",        "errormsg",
    "remote_ip",       "remote_port",      "local_port",         "content_type"};

std::string write_out_format() {
  std::string f;
  for (const char* v : kVariables) {
    f += std::string(v) + "=%{" + v + "}\\n";  // curl's \n escape, as typed on a command line
  }
  return f + "header_json=%{header_json}";
}

std::map<std::string, std::string> parse_write_out(const std::string& out) {
  std::map<std::string, std::string> vars;
  size_t json = out.find("header_json=");
  std::istringstream in(out.substr(0, json));
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) {
      vars[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  if (json != std::string::npos) {
    vars["header_json"] = out.substr(json + 12);
  }
  return vars;
}

// tls_lines keeps the -v lines about TLS: handshake messages, the negotiated connection, ALPN
// and the server certificate (a progress meter update may share a line, ended by '\r').
std::vector<std::string> tls_lines(const std::string& verbose) {
  static const char* kPrefixes[] = {"* TLSv",
                                    "* SSL connection",
                                    "* ALPN",
                                    "* Server certificate",
                                    "*  subject:",
                                    "*  start date:",
                                    "*  expire date:",
                                    "*  subjectAltName:",
                                    "*  issuer:",
                                    "*  SSL certificate verify",
                                    "*  public key hash:",
                                    "* successfully loaded CRL file:",
                                    "*   CRLfile:"};
  std::vector<std::string> out;
  std::istringstream in(verbose);
  std::string line;
  while (std::getline(in, line)) {
    if (size_t cr = line.rfind('\r'); cr != std::string::npos) {
      line.erase(0, cr + 1);
    }
    for (const char* p : kPrefixes) {
      if (line.rfind(p, 0) == 0) {
        out.push_back(line);
        break;
      }
    }
  }
  return out;
}

// error_line is the "(N) text" after "curl: " or "hs: ", with curl's "after N ms" made 0.
std::string error_line(const std::string& err, const std::string& prefix) {
  std::istringstream in(err);
  std::string line;
  while (std::getline(in, line)) {
    if (size_t cr = line.rfind('\r'); cr != std::string::npos) {
      line.erase(0, cr + 1);
    }
    if (line.rfind(prefix + "(", 0) == 0) {
      return std::regex_replace(line.substr(prefix.size()), std::regex("after [0-9]+ ms"),
                                "after 0 ms");
    }
  }
  return "";
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) {
    s += l + "\n";
  }
  return s;
}

struct Row {
  std::string name;
  std::vector<std::string> flags;
  int exit_code;
  bool same_message = true;      // "curl: (N) text" == "hs: (N) text"
  bool write_out = true;         // add -w with every variable and compare them
  std::set<std::string> skip{};  // variables that differ by design (see the README)
  bool same_tls_lines = true;
};

// SilentListener accepts TCP connections into its backlog and never answers (for -m, exit 28).
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

CommandResult finish(Process& p) {
  CommandResult r;
  r.command_line = p.command_line();
  auto code = p.wait(30s);
  r.timed_out = !code.has_value();
  r.exit_code = code.value_or(-1);
  r.out = p.stdout_text();
  r.err = p.stderr_text();
  return r;
}

class CurlFlagsTest : public ::testing::Test {
 public:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("curl"));
    ASSERT_TRUE(require_program("openssl"));
    pki_ = shared_test_pki();
  }

  // Started is one invocation running as curl and as hs client at the same time, each in its
  // own directory (dir_/curl, dir_/hs).
  struct Started {
    std::unique_ptr<Process> curl;
    std::unique_ptr<Process> hs;
  };
  Started start(const std::vector<std::string>& flags) {
    std::filesystem::create_directories(dir_ / "curl");
    std::filesystem::create_directories(dir_ / "hs");
    std::vector<std::string> curl_args = {"curl"};
    curl_args.insert(curl_args.end(), flags.begin(), flags.end());
    std::vector<std::string> hs_args = {hs_binary().string(), "client"};
    hs_args.insert(hs_args.end(), flags.begin(), flags.end());
    ProcessOptions curl_opts;
    curl_opts.cwd = dir_ / "curl";
    ProcessOptions hs_opts;
    hs_opts.cwd = dir_ / "hs";
    return {std::make_unique<Process>(curl_args, curl_opts),
            std::make_unique<Process>(hs_args, hs_opts)};
  }
  std::pair<CommandResult, CommandResult> run_both(const std::vector<std::string>& flags) {
    Started s = start(flags);
    CommandResult c = finish(*s.curl);
    CommandResult h = finish(*s.hs);
    return {c, h};
  }

  static std::vector<std::string> flags_of(const Row& row) {
    std::vector<std::string> flags = row.flags;
    if (row.write_out) {
      flags.insert(flags.begin(), {"-w", write_out_format()});
    }
    return flags;
  }

  // check compares the two runs of `row`.
  void check(const Row& row, Started& started) {
    SCOPED_TRACE(row.name);
    CommandResult curl = finish(*started.curl);
    CommandResult hs = finish(*started.hs);
    ASSERT_FALSE(curl.timed_out) << curl.output();
    ASSERT_FALSE(hs.timed_out) << hs.output();
    const std::string both = "curl:\n" + curl.output() + "\nhs:\n" + hs.output();
    EXPECT_EQ(curl.exit_code, row.exit_code) << both;
    EXPECT_EQ(hs.exit_code, curl.exit_code) << both;
    if (row.same_message) {
      EXPECT_EQ(error_line(hs.err, "hs: "), error_line(curl.err, "curl: ")) << both;
    }
    if (row.same_tls_lines) {
      EXPECT_EQ(joined(tls_lines(hs.err)), joined(tls_lines(curl.err))) << both;
    }
    if (row.write_out) {
      auto want = parse_write_out(curl.out);
      auto got = parse_write_out(hs.out);
      static const std::regex kTime("[0-9]+\\.[0-9]{6}");
      static const std::regex kNumber("[0-9]+");
      for (const auto& [name, value] : want) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(got.count(name)) << both;
        if (row.skip.count(name)) {
          continue;
        }
        if (name.rfind("time_", 0) == 0) {
          EXPECT_TRUE(std::regex_match(got[name], kTime)) << got[name];
        } else if (name == "speed_download" || name == "local_port") {
          EXPECT_TRUE(std::regex_match(got[name], kNumber)) << got[name];
          EXPECT_EQ(got[name] == "0", value == "0") << got[name] << " vs " << value;
        } else if (name == "errormsg") {
          if (!row.same_message) {
            continue;
          }
          EXPECT_EQ(error_line("(0) " + got[name], ""), error_line("(0) " + value, "")) << both;
        } else {
          EXPECT_EQ(got[name], value) << both;
        }
      }
      EXPECT_EQ(got.size(), want.size()) << both;
    }
  }

  TempDir dir_;
  TestPki pki_;
};

TEST_F(CurlFlagsTest, SameExitCodesTlsLinesAndWriteOutAsCurl) {
  // The servers: hs server with files and redirects, openssl s_server (RSA, TLS 1.2 and 1.3)
  // and one with an expired certificate, a silent port and a refused one.
  std::filesystem::create_directories(dir_ / "root");
  {
    std::ofstream f(dir_ / "root" / "file.bin", std::ios::binary);
    f << std::string(200000, 'x');
  }
  {
    std::ofstream f(dir_ / "format.txt", std::ios::binary);
    f << "code=%{http_code} version=%{http_version} scheme=%{scheme}\\n";
  }
  // openssl s_server starts while the rest is prepared.
  const uint16_t ossl_port = free_port();
  Process ossl({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(ossl_port), "-cert",
                pki_.rsa_cert.string(), "-key", pki_.rsa_key.string(), "-www", "-no_ticket"});

  // An expired leaf for localhost (the PKI's ECDSA key), issued by the test root, notAfter a
  // day before notBefore.
  CommandResult req =
      run_command({"openssl", "req", "-new", "-key", pki_.ecdsa_key.string(), "-subj",
                   "/CN=localhost", "-out", (dir_ / "expired.csr").string()});
  ASSERT_EQ(req.exit_code, 0) << req.output();
  {
    std::ofstream f(dir_ / "san.ext");
    f << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  }
  CommandResult sign =
      run_command({"openssl", "x509", "-req", "-in", (dir_ / "expired.csr").string(), "-CA",
                   pki_.ca_cert.string(), "-CAkey", pki_.ca_key.string(), "-days", "-1", "-extfile",
                   (dir_ / "san.ext").string(), "-out", (dir_ / "expired.pem").string()});
  ASSERT_EQ(sign.exit_code, 0) << sign.output();

  const uint16_t expired_port = free_port();
  Process expired({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(expired_port),
                   "-cert", (dir_ / "expired.pem").string(), "-key", pki_.ecdsa_key.string(),
                   "-www"});
  HsServerProcess hs_server(HsServerProcess::cert_args(pki_, false),
                            {"--root", (dir_ / "root").string(), "--redirect", "/r=/file.bin",
                             "--redirect", "/loop=/loop"});
  ASSERT_NE(hs_server.port(), 0) << hs_server.output();

  ASSERT_TRUE(ossl.wait_for_port(ossl_port, 10s)) << ossl.output();
  ASSERT_TRUE(expired.wait_for_port(expired_port, 10s)) << expired.output();
  SilentListener silent;
  ASSERT_NE(silent.port(), 0);
  const uint16_t refused = free_port();

  auto https = [](uint16_t port, const std::string& path = "/",
                  const std::string& host = "localhost") {
    return "https://" + host + ":" + std::to_string(port) + path;
  };
  auto resolve = [](uint16_t port, const std::string& host = "localhost") {
    return host + ":" + std::to_string(port) + ":127.0.0.1";
  };
  // An empty --capath: the system directory would be read file by file (0.3 s a run).
  const std::string ca = pki_.ca_cert.string();
  std::filesystem::create_directories(dir_ / "capath");
  const std::string capath = (dir_ / "capath").string();
  const uint16_t hp = hs_server.port();

  // --pinnedpubkey: the RSA leaf's public key as curl's sha256// hash and as a PEM file (which
  // public_key_pin leaves in dir_).
  const std::string pin = public_key_pin(pki_.rsa_cert, dir_.path());
  ASSERT_EQ(pin.size(), 8u + 44u) << pin;
  const std::string pub = (dir_ / "pin-pub.pem").string();

  // --crlfile: CRLs from the root (which issued the RSA leaf hs server presents): none revoked,
  // the leaf revoked, and one whose nextUpdate has passed; and an empty one from another CA.
  const std::string crl = (dir_ / "root.crl").string();
  const std::string revoked_crl = (dir_ / "revoked.crl").string();
  const std::string stale_crl = (dir_ / "stale.crl").string();
  make_crl(pki_.ca_cert, pki_.ca_key, {}, crl);
  make_crl(pki_.ca_cert, pki_.ca_key, {pki_.rsa_cert}, revoked_crl);
  const std::string other_crl = (dir_ / "other.crl").string();
  make_crl(pki_.other_ca_cert, pki_.dir / "other-ca.key", {}, other_crl);
  make_crl(pki_.ca_cert, pki_.ca_key, {}, stale_crl,
           {"-crl_lastupdate", "20200101000000Z", "-crl_nextupdate", "20210101000000Z"});

  const std::vector<Row> rows = {
      {"hs server, TLS 1.3, verified",
       {"-sv", "--http1.1", "--cacert", ca, "--capath", capath, "--resolve", resolve(hp),
        https(hp, "/file.bin"), "-o", "out.bin"},
       0},
      {"openssl, TLS 1.2, --ciphers",
       {"-sv", "--http1.1", "--tlsv1.2", "--tls-max", "1.2", "--ciphers",
        "ECDHE-RSA-AES256-GCM-SHA384", "--cacert", ca, "--capath", capath, "--resolve",
        resolve(ossl_port), https(ossl_port), "-o", "page.html"},
       0,
       true,
       true,
       {"size_download", "size_header", "content_type"}},  // s_server -www's page differs
      {"openssl, --tls13-ciphers",
       {"-sv", "--http1.1", "--tls13-ciphers", "TLS_CHACHA20_POLY1305_SHA256", "--cacert", ca,
        "--capath", capath, "--resolve", resolve(ossl_port), https(ossl_port), "-o", "page.html"},
       0,
       true,
       true,
       {"size_download", "size_header", "content_type"}},
      {"-f on 404",
       {"-sS", "-f", "--cacert", ca, "--capath", capath, "--resolve", resolve(hp),
        https(hp, "/nope")},
       22},
      {"3xx without -L",
       {"-sS", "--cacert", ca, "--capath", capath, "--resolve", resolve(hp), https(hp, "/r")},
       0},
      // curl reuses the connection for the second hop; hs opens a new one (README).
      {"-L",
       {"-sSL", "--cacert", ca, "--capath", capath, "--resolve", resolve(hp), https(hp, "/r"), "-o",
        "location.bin"},
       0,
       true,
       true,
       {"num_connects"}},
      {"-L --max-redirs",
       {"-sSL", "--max-redirs", "2", "--cacert", ca, "--capath", capath, "--resolve", resolve(hp),
        https(hp, "/loop")},
       47,
       true,
       true,
       {"num_connects"}},
      {"--connect-to",
       {"-sS", "--cacert", ca, "--capath", capath, "--connect-to",
        "localhost:443:127.0.0.1:" + std::to_string(hp), "https://localhost/file.bin", "-o",
        "connect_to.bin"},
       0},
      {"-O",
       {"-sSO", "--cacert", ca, "--capath", capath, "--resolve", resolve(hp),
        https(hp, "/file.bin")},
       0},
      {"-w @file",
       {"-sS", "-o", "/dev/null", "-w", "@" + (dir_ / "format.txt").string(), "--cacert", ca,
        "--capath", capath, "--resolve", resolve(hp), https(hp, "/file.bin")},
       0,
       true,
       false},
      // OpenSSL finishes the handshake before curl checks the name; hs refuses the
      // Certificate message with certificate_unknown (RFC 8446 §4.4.2.4), so the lines differ.
      {"wrong host name: 60",
       {"-sS", "--cacert", ca, "--capath", capath, "--resolve", resolve(hp, "wrong.example"),
        https(hp, "/", "wrong.example")},
       60},
      // A CA that did not issue the server's certificate.
      {"unknown CA, -v: 60",
       {"-sv", "--http1.1", "--cacert", pki_.other_ca_cert.string(), "--capath", capath,
        "--resolve", resolve(hp), https(hp)},
       60},
      {"expired: 60",
       {"-sS", "--cacert", ca, "--capath", capath, "--resolve", resolve(expired_port),
        https(expired_port)},
       60},
      {"-k reports the verify result",
       {"-sSk", "--capath", capath, "--resolve", resolve(hp), https(hp, "/file.bin"), "-o",
        "insecure.bin"},
       0},
      {"refused: 7", {"-sS", https(refused, "/", "127.0.0.1")}, 7},
      {"unknown host: 6", {"-sS", "https://no-such-host.invalid/"}, 6},
      // The texts of 28, 35 and 58 are OpenSSL's in curl; the exit codes are the same.
      {"silent server: 28",
       {"-sS", "-m", "0.5", https(silent.port(), "/", "127.0.0.1")},
       28,
       false},
      {"handshake failure: 35",
       {"-sS", "-k", "--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256", "--resolve",
        resolve(ossl_port), https(ossl_port)},
       35,
       false},
      {"client certificate unreadable: 58",
       {"-sS", "--cert", (dir_ / "missing.pem").string(), "--cacert", ca, "--capath", capath,
        "--resolve", resolve(hp), https(hp)},
       58,
       false},
      {"bad --tls13-ciphers: 59",
       {"-sS", "--tls13-ciphers", "NOPE", "--cacert", ca, "--capath", capath, "--resolve",
        resolve(hp), https(hp)},
       59},
      {"--pinnedpubkey hashes, -v",
       {"-sv", "--http1.1", "--pinnedpubkey",
        "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;" + pin, "--cacert", ca, "--capath",
        capath, "--resolve", resolve(hp), https(hp), "-o", "/dev/null"},
       0},
      {"--pinnedpubkey PEM file",
       {"-sS", "--pinnedpubkey", pub, "--cacert", ca, "--capath", capath, "--resolve", resolve(hp),
        https(hp), "-o", "/dev/null"},
       0},
      // TLS 1.2 with s_server -no_ticket (the same RSA key): after a TLS 1.3 handshake curl
      // reads the server's NewSessionTickets while it closes, or not, depending on when they
      // arrive, and -v shows them then; our client offers TLS 1.2 tickets, curl does not.
      {"--pinnedpubkey other key, -v: 90",
       {"-sv", "--http1.1", "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256",
        "--pinnedpubkey", "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "--cacert", ca,
        "--capath", capath, "--resolve", resolve(ossl_port), https(ossl_port)},
       90},
      {"--pinnedpubkey a certificate, not a key: 90",
       {"-sS", "--pinnedpubkey", ca, "-k", "--resolve", resolve(ossl_port), https(ossl_port)},
       90},
      {"--crlfile, -v",
       {"-sv", "--http1.1", "--crlfile", crl, "--cacert", ca, "--capath", capath, "--resolve",
        resolve(hp), https(hp), "-o", "/dev/null"},
       0},
      {"--crlfile revoked: 60",
       {"-sS", "--crlfile", revoked_crl, "--cacert", ca, "--capath", capath, "--resolve",
        resolve(hp), https(hp)},
       60},
      {"--crlfile past its nextUpdate: 60",
       {"-sS", "--crlfile", stale_crl, "--cacert", ca, "--capath", capath, "--resolve", resolve(hp),
        https(hp)},
       60},
      // Only another CA's CRL: the leaf has none from its issuer ("unable to get certificate
      // CRL", 3 in -w %{ssl_verify_result}).
      {"--crlfile from another CA: 60",
       {"-sS", "--crlfile", other_crl, "--cacert", ca, "--capath", capath, "--resolve", resolve(hp),
        https(hp)},
       60},
      {"--crlfile without a CRL: 82",
       {"-sS", "--crlfile", ca, "--cacert", ca, "--capath", capath, "--resolve", resolve(hp),
        https(hp)},
       82},
      {"--crlfile missing, -k: 82",
       {"-sSk", "--crlfile", (dir_ / "missing.crl").string(), "--resolve", resolve(hp), https(hp)},
       82},
      {"unsupported scheme: 1", {"-sS", "foo://localhost/"}, 1},
      {"no URL: 2", {"-sS"}, 2, true, false},
      {"bad URL: 3", {"-sS", "https://[::1/"}, 3, false},
  };
  // Rows run a few at a time (they are independent; the waiting is on processes, not CPU).
  constexpr size_t kBatch = 4;
  for (size_t first = 0; first < rows.size(); first += kBatch) {
    std::vector<Started> running;
    const size_t end = std::min(rows.size(), first + kBatch);
    for (size_t i = first; i < end; ++i) {
      running.push_back(start(flags_of(rows[i])));
    }
    for (size_t i = first; i < end; ++i) {
      check(rows[i], running[i - first]);
    }
  }
  // The files -o/-O wrote are the same.
  for (const char* name :
       {"out.bin", "file.bin", "location.bin", "connect_to.bin", "insecure.bin"}) {
    EXPECT_EQ(read_file(dir_ / "hs" / name), read_file(dir_ / "curl" / name)) << name;
    EXPECT_FALSE(read_file(dir_ / "hs" / name).empty()) << name;
  }
  // -f wrote nothing: no file was created for a failed transfer.
  EXPECT_FALSE(std::filesystem::exists(dir_ / "hs" / "nope"));
}

// The progress meter for -o: curl's two header lines, then "\r"-led status lines, the last
// ended by "\n"; the finished line shows 100% of the size in curl's columns.
TEST_F(CurlFlagsTest, ProgressMeterHasCurlsLayout) {
  std::filesystem::create_directories(dir_ / "root");
  {
    std::ofstream f(dir_ / "root" / "big.bin", std::ios::binary);
    f << std::string(300000, 'y');
  }
  HsServerProcess hs_server(HsServerProcess::cert_args(pki_, false),
                            {"--root", (dir_ / "root").string()});
  ASSERT_NE(hs_server.port(), 0) << hs_server.output();
  std::filesystem::create_directories(dir_ / "capath");
  auto [curl, hs] =
      run_both({"--cacert", pki_.ca_cert.string(), "--capath", (dir_ / "capath").string(),
                "--resolve", hs_server.resolve(), hs_server.url("/big.bin"), "-o", "big.bin"});
  ASSERT_EQ(curl.exit_code, 0) << curl.output();
  ASSERT_EQ(hs.exit_code, 0) << hs.output();
  // Speeds and times differ; the shape must not: blank them to 'N' and compare the last line.
  auto shape = [](const std::string& err) {
    std::string last = err.substr(err.rfind('\r') + 1);
    return std::regex_replace(last, std::regex(" *[0-9][0-9.]*[kMGTP]?"), " N");
  };
  const std::string header =
      "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
      "                                 Dload  Upload   Total   Spent    Left  Speed\n";
  EXPECT_EQ(hs.err.rfind(header, 0), 0u) << hs.err;
  EXPECT_EQ(shape(hs.err), shape(curl.err)) << "curl:\n" << curl.err << "\nhs:\n" << hs.err;
  std::string last = hs.err.substr(hs.err.rfind('\r') + 1);
  EXPECT_EQ(last.rfind("100  292k  100  292k    0     0 ", 0), 0u) << last;
  EXPECT_EQ(last.back(), '\n');
}

// --help in curl's layout ("Usage:", then " -x, --long <arg>  text" with the text column
// aligned), and hs(1) documents every flag it lists.
TEST_F(CurlFlagsTest, HelpAndManPageListEveryFlag) {
  CommandResult help = run_command({hs_binary().string(), "client", "--help"});
  ASSERT_EQ(help.exit_code, 0) << help.output();
  EXPECT_EQ(help.out.rfind("Usage: hs client [options...] <url>\n", 0), 0u) << help.out;
  const std::string man = read_file(std::filesystem::path(HS_SOURCE_DIR) / "docs" / "hs.1");
  ASSERT_FALSE(man.empty());
  std::istringstream in(help.out);
  std::string line;
  std::getline(in, line);
  size_t column = 0;
  int flags = 0;
  static const std::regex kLine(R"(^ (-[a-zA-Z], |    )(--[a-z0-9.-]+)( <[^>]+>)? +\S.*$)");
  while (std::getline(in, line) && !line.empty()) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, kLine)) << line;
    // The description starts in one column, or a space after an option too long for it (as
    // curl's own --help all does).
    const size_t option_end = 1 + m.length(1) + m.length(2) + m.length(3);
    size_t text = line.find_first_not_of(' ', option_end);
    if (column == 0) {
      column = text;
    }
    EXPECT_EQ(text, std::max(column, option_end + 1)) << line;
    std::string troff = std::regex_replace(m[2].str(), std::regex("-"), "\\-");
    EXPECT_NE(man.find(troff), std::string::npos) << m[2] << " is not in docs/hs.1";
    ++flags;
  }
  EXPECT_GE(flags, 30);
}

}  // namespace
}  // namespace hs::test

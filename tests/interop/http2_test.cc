// HTTP/2 when ALPN picks h2 (issue #9): curl --http2 against `hs server`, and `hs client`
// against nginx (from Debian, started here on loopback with its own nginx.conf) with the body
// compared to the file nginx serves and hs client's -v lines compared to curl's, line for line,
// against the same server. TLS 1.3 and TLS 1.2 both.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
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

// A body large enough for several DATA frames and a WINDOW_UPDATE (the initial window is 64 KiB).
std::string big_body() {
  std::string s;
  for (int i = 0; s.size() < 150 * 1024; ++i) {
    s += "line " + std::to_string(i) + " of the HTTP/2 test body\n";
  }
  return s;
}

// NginxServer runs `nginx -c CONF` in the foreground (daemon off, master_process off: one
// process, which also keeps root from switching to another user) with every path it writes
// inside a temp dir, serving `root` over TLS with h2 on 127.0.0.1:port.
class NginxServer {
 public:
  NginxServer(const TestPki& pki, const std::filesystem::path& root, const std::string& tls) {
    port_ = free_port();
    const std::string d = dir_.path().string();
    // One suite each, as curl and hs prefer different ones; curl 7.88 turns TLS 1.2 tickets
    // off, and so does this server, so both clients see the same handshake.
    std::string ssl = tls == "1.3" ? "    ssl_protocols TLSv1.3;\n"
                                     "    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;\n"
                                   : "    ssl_protocols TLSv1.2;\n"
                                     "    ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256;\n"
                                     "    ssl_session_tickets off;\n";
    std::string conf = "daemon off;\nmaster_process off;\nworker_processes 1;\n";
    conf += "pid " + d + "/nginx.pid;\nerror_log " + d + "/error.log;\n";
    conf += "events { worker_connections 64; }\nhttp {\n";
    conf += "  access_log " + d + "/access.log;\n";
    for (const char* t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      conf += std::string("  ") + t + "_temp_path " + d + "/" + t + ";\n";
    }
    conf += "  server {\n    listen 127.0.0.1:" + std::to_string(port_) + " ssl http2;\n";
    conf += "    ssl_certificate " + pki.rsa_cert.string() + ";\n";
    conf += "    ssl_certificate_key " + pki.rsa_key.string() + ";\n";
    conf += ssl + "    root " + root.string() + ";\n  }\n}\n";
    auto path = dir_.write_file("nginx.conf", conf);
    // -e: the error log before the configuration is read (Debian's default is under /var/log).
    process_ = std::make_unique<Process>(std::vector<std::string>{
        "nginx", "-c", path.string(), "-p", d + "/", "-e", d + "/error.log"});
    ready_ = process_->wait_for_port(port_, 10s);
  }
  bool ready() const { return ready_; }
  std::string output() const { return process_->output() + read_file(dir_ / "error.log"); }
  std::string url(const std::string& path = "/") const {
    return "https://localhost:" + std::to_string(port_) + path;
  }
  std::string resolve() const { return "localhost:" + std::to_string(port_) + ":127.0.0.1"; }

 private:
  TempDir dir_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> process_;
  bool ready_ = false;
};

std::vector<std::string> tls_flags(const std::string& tls) {
  if (tls == "1.3") {
    return {"--tlsv1.3"};
  }
  return {"--tlsv1.2", "--tls-max", "1.2"};
}

CommandResult hs_client(std::vector<std::string> args) {
  args.insert(args.begin(), {hs_binary().string(), "client"});
  return run_command(std::move(args), 20s);
}

// verbose_lines keeps curl's "* ", "> " and "< " lines of -v output, normalised where curl and
// hs legitimately differ: the easy handle's address, the user agent, and the Date header.
std::vector<std::string> verbose_lines(const std::string& err) {
  static const std::regex pointer("0x[0-9a-f]+");
  static const std::regex agent("(user-agent|User-Agent): (curl|hs)/[0-9.]+");
  std::vector<std::string> out;
  std::istringstream in(err);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.rfind("* ", 0) != 0 && line.rfind("> ", 0) != 0 && line.rfind("< ", 0) != 0) {
      continue;
    }
    if (line.rfind("< date: ", 0) == 0) {
      line = "< date: (normalised)";
    }
    line = std::regex_replace(line, pointer, "0x(pointer)");
    line = std::regex_replace(line, agent, "$1: (agent)");
    out.push_back(line);
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

class Http2Test : public ::testing::Test {
 protected:
  Http2Test() : pki_(shared_test_pki()) {
    root_.write_file("index.html", "<html><body>hello over h2</body></html>\n");
    root_.write_file("big.txt", big_body());
  }
  const TestPki& pki_;
  TempDir root_;
};

// curl --http2 against hs server: h2 negotiated, 200, the bodies of a small and a 150 KiB file
// (several DATA frames, flow control), HEAD, and a 404, for TLS 1.3 and 1.2.
TEST_F(Http2Test, CurlHttp2AgainstHsServer) {
  ASSERT_TRUE(require_program("curl"));
  HsServerProcess server(HsServerProcess::cert_args(pki_), {"--root", root_.path().string()});
  ASSERT_NE(server.port(), 0) << server.output();
  for (const std::string tls : {"1.3", "1.2"}) {
    SCOPED_TRACE("TLS " + tls);
    std::vector<std::string> common = {
        "curl", "--http2", "-sS", "--cacert", pki_.ca_cert.string(), "--resolve", server.resolve()};
    for (const std::string& f : tls_flags(tls)) {
      common.push_back(f);
    }
    auto curl = [&](std::vector<std::string> extra) {
      std::vector<std::string> args = common;
      args.insert(args.end(), extra.begin(), extra.end());
      return run_command(args, 20s);
    };
    CommandResult index = curl({"-v", server.url("/")});
    EXPECT_EQ(index.exit_code, 0) << index.output();
    EXPECT_TRUE(contains(index.err, "* ALPN: server accepted h2")) << index.output();
    EXPECT_TRUE(contains(index.err, "< HTTP/2 200 \r\n")) << index.output();
    EXPECT_TRUE(contains(index.err, "* SSL connection using TLSv" + tls)) << index.output();
    EXPECT_EQ(index.out, read_file(root_ / "index.html")) << index.output();

    CommandResult big = curl({"-w", "\n%{http_version} %{http_code}", server.url("/big.txt")});
    EXPECT_EQ(big.exit_code, 0) << big.err;
    EXPECT_EQ(big.out, big_body() + "\n2 200") << big.err;

    CommandResult head = curl({"-I", server.url("/index.html")});
    EXPECT_EQ(head.exit_code, 0) << head.output();
    EXPECT_EQ(head.out.rfind("HTTP/2 200 \r\n", 0), 0u) << head.output();
    EXPECT_TRUE(contains(
        head.out,
        "content-length: " + std::to_string(read_file(root_ / "index.html").size()) + "\r\n"))
        << head.output();

    CommandResult missing =
        curl({"-w", "%{http_version} %{http_code}", "-o", "/dev/null", server.url("/nope")});
    EXPECT_EQ(missing.out, "2 404") << missing.output();
  }
}

// A client that agrees on h2 and then sends no HTTP/2 connection preface (RFC 9113 §3.4: a
// connection error) is closed by hs server at once, and the server serves on.
// s_client -quiet ignores its stdin's end, so it returns only when the server closes.
TEST_F(Http2Test, HsServerClosesAConnectionWithoutThePreface) {
  ASSERT_TRUE(require_program("openssl"));
  ASSERT_TRUE(require_program("curl"));
  HsServerProcess server(HsServerProcess::cert_args(pki_), {"--root", root_.path().string()});
  ASSERT_NE(server.port(), 0) << server.output();
  CommandResult bad = run_command({"openssl", "s_client", "-quiet", "-alpn", "h2", "-connect",
                                   server.connect(), "-servername", "localhost"},
                                  10s, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_FALSE(bad.timed_out) << bad.output() << server.output();
  // What came back is our SETTINGS frame (type 4 on stream 0), and then the close: RFC 9113
  // §3.4, "A GOAWAY frame MAY be omitted in this case, since an invalid preface indicates that
  // the peer is not using HTTP/2", and nghttp2 omits it.
  ASSERT_GE(bad.out.size(), 9u) << bad.output();
  EXPECT_EQ(bad.out[3], '\x04') << bad.output();
  EXPECT_EQ(bad.out.substr(5, 4), std::string(4, '\0')) << bad.output();
  CommandResult good = run_command({"curl", "--http2", "-sS", "--cacert", pki_.ca_cert.string(),
                                    "--resolve", server.resolve(), server.url("/index.html")},
                                   20s);
  EXPECT_EQ(good.exit_code, 0) << good.output();
  EXPECT_EQ(good.out, read_file(root_ / "index.html"));
}

// hs client against hs server: both sides of our HTTP/2 together, and --http1.1 still works.
TEST_F(Http2Test, HsClientAgainstHsServer) {
  HsServerProcess server(HsServerProcess::cert_args(pki_), {"--root", root_.path().string()});
  ASSERT_NE(server.port(), 0) << server.output();
  const std::vector<std::string> common = {"--cacert", pki_.ca_cert.string(), "--resolve",
                                           server.resolve()};
  auto hs = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = common;
    args.insert(args.end(), extra.begin(), extra.end());
    return hs_client(args);
  };
  CommandResult h2 = hs({"-v", server.url("/big.txt")});
  EXPECT_EQ(h2.exit_code, 0) << h2.err;
  EXPECT_TRUE(contains(h2.err, "* ALPN: offers h2,http/1.1\n")) << h2.err;
  EXPECT_TRUE(contains(h2.err, "* ALPN: server accepted h2\n")) << h2.err;
  EXPECT_TRUE(contains(h2.err, "> GET /big.txt HTTP/2\n")) << h2.err;
  EXPECT_EQ(h2.out, big_body());
  CommandResult h1 = hs({"-v", "--http1.1", server.url("/index.html")});
  EXPECT_EQ(h1.exit_code, 0) << h1.output();
  EXPECT_TRUE(contains(h1.err, "* ALPN: offers http/1.1\n")) << h1.output();
  EXPECT_TRUE(contains(h1.err, "< HTTP/1.1 200 OK")) << h1.output();
  EXPECT_EQ(h1.out, read_file(root_ / "index.html"));
}

// hs client against nginx over h2: the body is the file nginx serves, -I prints what curl -I
// prints, and the -v lines are curl's (normalised as verbose_lines says).
TEST_F(Http2Test, HsClientAgainstNginx) {
  ASSERT_TRUE(require_program("nginx"));
  ASSERT_TRUE(require_program("curl"));
  for (const std::string tls : {"1.3", "1.2"}) {
    SCOPED_TRACE("TLS " + tls);
    NginxServer nginx(pki_, root_.path(), tls);
    ASSERT_TRUE(nginx.ready()) << nginx.output();
    std::vector<std::string> common = {"-s", "--cacert", pki_.ca_cert.string(), "--resolve",
                                       nginx.resolve()};
    for (const std::string& f : tls_flags(tls)) {
      common.push_back(f);
    }
    auto both = [&](std::vector<std::string> extra) {
      std::vector<std::string> args = common;
      args.insert(args.end(), extra.begin(), extra.end());
      std::vector<std::string> curl_args = args;
      curl_args.insert(curl_args.begin(), "curl");
      return std::make_pair(run_command(curl_args, 20s), hs_client(args));
    };

    auto [curl_big, hs_big] = both({nginx.url("/big.txt")});
    EXPECT_EQ(hs_big.exit_code, 0) << hs_big.output() << nginx.output();
    EXPECT_EQ(hs_big.out, big_body()) << hs_big.err;
    EXPECT_EQ(curl_big.out, big_body()) << curl_big.err;

    auto [curl_v, hs_v] = both({"-v", nginx.url("/index.html")});
    EXPECT_EQ(hs_v.exit_code, 0) << hs_v.output();
    EXPECT_EQ(hs_v.out, read_file(root_ / "index.html"));
    EXPECT_TRUE(contains(hs_v.err, "* ALPN: server accepted h2\n")) << hs_v.err;
    const std::vector<std::string> want = verbose_lines(curl_v.err);
    const std::vector<std::string> got = verbose_lines(hs_v.err);
    ASSERT_GE(want.size(), 30u) << curl_v.output();
    EXPECT_EQ(got, want) << "curl:\n" << joined(want) << "hs:\n" << joined(got);

    auto [curl_head, hs_head] = both({"-I", nginx.url("/index.html")});
    EXPECT_EQ(hs_head.exit_code, curl_head.exit_code) << hs_head.output();
    static const std::regex date("date: [^\r]*");
    EXPECT_EQ(std::regex_replace(hs_head.out, date, "date: -"),
              std::regex_replace(curl_head.out, date, "date: -"))
        << curl_head.output() << hs_head.output();
  }
}

}  // namespace
}  // namespace hs::test

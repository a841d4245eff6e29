// `hs dissect` on captures of openssl talking to openssl (none of our code on the wire): dumpcap
// records s_client fetching a page from s_server -www twice, the second time resuming the first
// session, for TLS 1.2 and TLS 1.3; the key log comes from s_client -keylogfile. hs dissect
// --json --keylog must agree with tshark's own dissection of the same file (connections,
// handshake message types, direction and order, decrypted), and the application data it
// decrypts must be exactly what s_client sent and received; the same capture cut short still
// shows its first connection, with a message saying where it broke; hs dissect --trace-html
// explains both connections byte by byte, decrypted only with the key log. Then 0-RTT: a capture of
// hs client sending early data to hs server.
#include <gtest/gtest.h>

#include <filesystem>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/capture.h"
#include "support/hs_server.h"
#include "support/html_lint.h"
#include "support/ladder_svg.h"
#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text.h"

namespace hs::test {
namespace {

// Message is one handshake message: who sent it and its type.
using Message = std::pair<std::string, int>;

std::string describe(const std::vector<Message>& msgs) {
  std::string s;
  for (const auto& [from, type] : msgs) {
    s += from + ":" + std::to_string(type) + " ";
  }
  return s;
}

std::string to_hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0x0F];
  }
  return out;
}

// DissectedConnection is what the test reads back from one line of hs dissect --json.
struct DissectedConnection {
  std::vector<Message> messages;
  std::string client_data_hex;
  std::string server_data_hex;
  bool resumed = false;
  std::string line;
};

// parse_hs_json reads the fields the test needs from hs dissect's JSON lines by plain string
// search (the project has no JSON parser; the format is documented in src/dissect/render.h).
// Not std::regex: libstdc++'s matcher recurses per character, and the hex of the application
// data overflows the stack under ASan.
std::vector<DissectedConnection> parse_hs_json(const std::string& out) {
  static constexpr std::string_view kFrom = "{\"from\":\"";
  static constexpr std::string_view kHandshake = "\",\"kind\":\"handshake\",\"type\":";
  static constexpr std::string_view kClientData = "\"application_data\":{\"client\":\"";
  static constexpr std::string_view kServerData = "\",\"server\":\"";
  std::vector<DissectedConnection> conns;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("{\"connection\":", 0) != 0) {
      continue;
    }
    DissectedConnection c;
    c.line = line;
    for (size_t at = line.find(kFrom); at != std::string::npos; at = line.find(kFrom, at + 1)) {
      size_t who = at + kFrom.size();
      size_t who_end = line.find('"', who);
      if (who_end == std::string::npos ||
          line.compare(who_end, kHandshake.size(), kHandshake) != 0) {
        continue;  // a record, not a handshake message
      }
      size_t digits = who_end + kHandshake.size();
      size_t digits_end = line.find_first_not_of("0123456789", digits);
      if (digits_end == digits || digits_end == std::string::npos) {
        continue;
      }
      c.messages.emplace_back(line.substr(who, who_end - who),
                              std::stoi(line.substr(digits, digits_end - digits)));
    }
    if (size_t data = line.find(kClientData); data != std::string::npos) {
      size_t client = data + kClientData.size();
      size_t client_end = line.find('"', client);
      if (client_end != std::string::npos &&
          line.compare(client_end, kServerData.size(), kServerData) == 0) {
        size_t server = client_end + kServerData.size();
        size_t server_end = line.find('"', server);
        if (server_end != std::string::npos) {
          c.client_data_hex = line.substr(client, client_end - client);
          c.server_data_hex = line.substr(server, server_end - server);
        }
      }
    }
    c.resumed = line.find("\"resumed\":true") != std::string::npos;
    conns.push_back(std::move(c));
  }
  return conns;
}

// tshark_messages reads tshark's decryption of the capture: per TCP stream, the handshake
// message types in frame order, each tagged with its sender by the source port.
std::map<int, std::vector<Message>> tshark_messages(const std::string& out, uint16_t server_port) {
  std::map<int, std::vector<Message>> streams;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream fields(line);
    std::string col;
    while (std::getline(fields, col, '\t')) {
      cols.push_back(col);
    }
    if (cols.size() < 3 || cols[2].empty()) {
      continue;
    }
    int stream = std::stoi(cols[0]);
    std::string from = std::stoi(cols[1]) == server_port ? "server" : "client";
    std::stringstream types(cols[2]);
    std::string t;
    while (std::getline(types, t, ',')) {
      streams[stream].emplace_back(from, std::stoi(t));
    }
  }
  return streams;
}

// Case is one capture: the protocol version, and whether the server forces a HelloRetryRequest
// (s_client offers an X25519 key share; s_server accepts only P-256).
struct Case {
  const char* name;
  const char* version_flag;
  bool hello_retry;
};

const std::vector<Message>& stream_of(const std::map<int, std::vector<Message>>& streams,
                                      size_t i) {
  auto it = streams.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(i));
  return it->second;
}

// check_damaged_captures: bad and truncated captures give a clear message and whatever could be
// decoded. The capture cut two thirds of the way in (inside a pcapng block) still shows the
// first connection whole, as tshark dissected it from the complete file; a file that is no
// capture at all is refused with libpcap's reason.
void check_damaged_captures(const std::filesystem::path& cap_file,
                            const std::filesystem::path& keylog, uint16_t port,
                            const std::vector<Message>& first_connection) {
  SCOPED_TRACE("damaged captures");
  TempDir dir;
  std::string bytes = read_file(cap_file);
  ASSERT_GT(bytes.size(), 300u);
  auto cut = dir.write_file("cut.pcapng", bytes.substr(0, bytes.size() * 2 / 3));
  CommandResult r = run_command({hs_binary().string(), "dissect", cut.string(), "--json",
                                 "--keylog", keylog.string(), "--port", std::to_string(port)},
                                30s);
  EXPECT_EQ(r.exit_code, 1) << r.output();
  EXPECT_NE(r.err.find(cut.string() + ": the capture is damaged after frame "), std::string::npos)
      << r.output();
  EXPECT_NE(r.err.find("showing what was decoded before it"), std::string::npos) << r.output();
  std::vector<DissectedConnection> partial = parse_hs_json(r.out);
  ASSERT_FALSE(partial.empty()) << r.output();
  EXPECT_EQ(describe(partial[0].messages), describe(first_connection)) << partial[0].line;
  // --trace-html on the cut capture: the page says where it breaks.
  auto page = dir / "cut.html";
  r = run_command({hs_binary().string(), "dissect", cut.string(), "--keylog", keylog.string(),
                   "--port", std::to_string(port), "--trace-html", page.string()},
                  30s);
  EXPECT_EQ(r.exit_code, 1) << r.output();
  EXPECT_NE(read_file(page).find("The capture is damaged after frame "), std::string::npos);
  EXPECT_TRUE(html_lints_clean({page}));

  auto not_a_capture = dir.write_file("notes.txt", "this is not a capture\n");
  r = run_command({hs_binary().string(), "dissect", not_a_capture.string()}, 10s);
  EXPECT_EQ(r.exit_code, 2) << r.output();
  EXPECT_NE(r.err.find(not_a_capture.string() + ": cannot read the capture: "), std::string::npos)
      << r.output();
  EXPECT_EQ(r.out, "") << r.output();
}

// check_trace_html: hs dissect --trace-html on the same capture, with and without the key log.
// Both pages are clean HTML for xmllint, have one section per connection, hold the decrypted
// requests' text exactly when the key log is given (and then its lines, as they are in the
// file), and show the server certificate's subject and issuer as openssl prints them, whenever
// the Certificate message could be read (TLS 1.2 sends it in the clear; TLS 1.3 encrypts it).
void check_trace_html(const std::filesystem::path& cap_file, const std::filesystem::path& keylog,
                      uint16_t port, const std::string (&requests)[2], bool tls12,
                      const std::filesystem::path& server_cert, const TempDir& dir) {
  SCOPED_TRACE("--trace-html");
  ASSERT_TRUE(require_program("xmllint"));
  CommandResult names =
      run_command({"openssl", "x509", "-in", server_cert.string(), "-noout", "-subject", "-issuer",
                   "-nameopt", "sep_semi_plus_space,sname"},
                  10s);
  ASSERT_EQ(names.exit_code, 0) << names.output();
  std::string subject;
  std::string issuer;
  std::istringstream name_lines(names.out);
  for (std::string l; std::getline(name_lines, l);) {
    if (l.rfind("subject=", 0) == 0) {
      subject = l.substr(8);
    } else if (l.rfind("issuer=", 0) == 0) {
      issuer = l.substr(7);
    }
  }
  ASSERT_FALSE(subject.empty()) << names.out;
  ASSERT_FALSE(issuer.empty()) << names.out;
  const std::string key_log = read_file(keylog);
  for (bool with_keys : {false, true}) {
    SCOPED_TRACE(with_keys ? "with the key log" : "without a key log");
    auto page_file = dir / (with_keys ? "keyed.html" : "plain.html");
    std::vector<std::string> args = {
        hs_binary().string(), "dissect",      cap_file.string(), "--port",
        std::to_string(port), "--trace-html", page_file.string()};
    if (with_keys) {
      args.insert(args.end(), {"--keylog", keylog.string()});
    }
    CommandResult r = run_command(args, 30s);
    ASSERT_EQ(r.exit_code, 0) << r.output();
    EXPECT_TRUE(html_lints_clean({page_file}));
    const std::string page = read_file(page_file);
    // One section per connection, headed by its client and server address and port.
    EXPECT_EQ(count_of(page, "<h2 class=\"conn\">Connection "), 2u);
    for (int i = 1; i <= 2; ++i) {
      std::string head =
          "<h2 class=\"conn\">Connection " + std::to_string(i) + ": client 127.0.0.1:";
      size_t at = page.find(head);
      ASSERT_NE(at, std::string::npos) << head;
      std::string line = page.substr(at, page.find('\n', at) - at);
      EXPECT_NE(line.find(" -&gt; server 127.0.0.1:" + std::to_string(port) + "</h2>"),
                std::string::npos)
          << line;
    }
    for (const std::string& request : requests) {
      // The request's header line, as the page prints text ("\r\n" shown escaped).
      size_t at = request.find("X-Conn: ");
      ASSERT_NE(at, std::string::npos);
      std::string header = request.substr(at, request.find('\r', at) - at);
      EXPECT_EQ(page.find(header) != std::string::npos, with_keys) << header;
    }
    EXPECT_EQ(page.find("Not decrypted") == std::string::npos, with_keys);
    bool cert_readable = tls12 || with_keys;
    EXPECT_EQ(page.find("subject</td><td>" + subject + "</td>") != std::string::npos, cert_readable)
        << subject;
    EXPECT_EQ(page.find("issuer</td><td>" + issuer + "</td>") != std::string::npos, cert_readable)
        << issuer;
    std::istringstream lines(key_log);
    size_t shown = 0;
    for (std::string l; std::getline(lines, l);) {
      if (!l.empty() && l[0] != '#') {
        EXPECT_EQ(page.find(l) != std::string::npos, with_keys) << l;
        ++shown;
      }
    }
    EXPECT_GE(shown, 2u) << key_log;
  }
}

class DissectTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(require_hs_binary());
    ASSERT_TRUE(require_program("openssl"));
    ASSERT_TRUE(require_program("dumpcap"));
    ASSERT_TRUE(require_program("tshark"));
    pki_ = &shared_test_pki();
  }

  TempDir dir_;
  const TestPki* pki_ = nullptr;
};

TEST_P(DissectTest, AgreesWithTsharkOnOpensslCaptureWithResumption) {
  const std::string version_flag = GetParam().version_flag;
  const bool hello_retry = GetParam().hello_retry;
  uint16_t port = free_port();
  ASSERT_NE(port, 0);
  auto cap_file = dir_ / "cap.pcapng";
  auto keylog = dir_ / "keys.log";
  auto session = dir_ / "session.pem";
  std::vector<std::string> server_args = {"openssl", "s_server",
                                          "-accept", "127.0.0.1:" + std::to_string(port),
                                          "-cert",   pki_->rsa_cert.string(),
                                          "-key",    pki_->rsa_key.string(),
                                          "-www",    version_flag};
  if (hello_retry) {
    server_args.insert(server_args.end(), {"-groups", "P-256"});
  }
  Process server(server_args);
  ASSERT_TRUE(server.wait_for_port(port, 10s)) << server.output();
  // The capture starts after wait_for_port's probe connections, so it holds the two TLS
  // connections only.
  LoopbackCapture capture(cap_file, port);
  ASSERT_TRUE(capture.ready()) << capture.output();

  const std::string requests[2] = {"GET / HTTP/1.0\r\nX-Conn: first\r\n\r\n",
                                   "GET /again HTTP/1.0\r\nX-Conn: second\r\n\r\n"};
  std::string responses[2];
  for (int i = 0; i < 2; ++i) {
    std::vector<std::string> args = {"openssl",
                                     "s_client",
                                     "-connect",
                                     "127.0.0.1:" + std::to_string(port),
                                     version_flag,
                                     "-quiet",
                                     "-ign_eof",
                                     "-keylogfile",
                                     keylog.string(),
                                     "-CAfile",
                                     pki_->ca_cert.string()};
    args.insert(args.end(), {i == 0 ? "-sess_out" : "-sess_in", session.string()});
    if (hello_retry) {
      args.insert(args.end(), {"-groups", "X25519:P-256"});
    }
    CommandResult r = run_command(args, 20s, requests[i]);
    ASSERT_EQ(r.exit_code, 0) << r.output() << server.output();
    ASSERT_EQ(r.out.rfind("HTTP/1.0 200 ok", 0), 0u) << r.output();
    responses[i] = r.out;
  }
  EXPECT_EQ(capture.stop(), 0) << capture.output();

  CommandResult hs = run_command(
      {hs_binary().string(), "dissect", cap_file.string(), "--json", "--keylog", keylog.string(),
       "--port", std::to_string(port), "--trace-svg", (dir_ / "ladder.svg").string()},
      30s);
  ASSERT_EQ(hs.exit_code, 0) << hs.output();
  std::vector<DissectedConnection> ours = parse_hs_json(hs.out);

  CommandResult ts = run_command(
      {"tshark", "-n", "-r", cap_file.string(), "-o", "tls.keylog_file:" + keylog.string(), "-d",
       "tcp.port==" + std::to_string(port) + ",tls", "-T", "fields", "-e", "tcp.stream", "-e",
       "tcp.srcport", "-e", "tls.handshake.type"},
      30s);
  ASSERT_EQ(ts.exit_code, 0) << ts.output();
  std::map<int, std::vector<Message>> theirs = tshark_messages(ts.out, port);

  // The TLS connections, in capture order, on both sides.
  std::vector<const DissectedConnection*> ours_tls;
  for (const auto& c : ours) {
    if (!c.messages.empty()) {
      ours_tls.push_back(&c);
    }
  }
  EXPECT_EQ(ours.size(), 2u) << hs.out;
  ASSERT_EQ(ours_tls.size(), 2u) << hs.out;
  ASSERT_EQ(theirs.size(), 2u) << ts.out;
  auto stream = theirs.begin();
  for (int i = 0; i < 2; ++i, ++stream) {
    SCOPED_TRACE("connection " + std::to_string(i + 1));
    const DissectedConnection& c = *ours_tls[i];
    EXPECT_EQ(describe(c.messages), describe(stream->second)) << c.line << "\n" << ts.out;
    // Decryption reached the Finished messages on both sides (type 20 from each).
    EXPECT_NE(describe(c.messages).find("client:20"), std::string::npos) << c.line;
    EXPECT_NE(describe(c.messages).find("server:20"), std::string::npos) << c.line;
    EXPECT_EQ(c.client_data_hex, to_hex(requests[i])) << c.line;
    EXPECT_EQ(c.server_data_hex, to_hex(responses[i])) << c.line;
  }
  // The second connection resumed: no Certificate in it, and hs dissect says so.
  EXPECT_FALSE(ours_tls[0]->resumed) << ours_tls[0]->line;
  EXPECT_TRUE(ours_tls[1]->resumed) << ours_tls[1]->line;
  EXPECT_EQ(describe(ours_tls[1]->messages).find(":11 "), std::string::npos) << ours_tls[1]->line;
  // --trace-svg: one ladder diagram per TLS connection (ladder.svg, then ladder-2.svg), well
  // formed and rendering, counting the round trips of a full and a resumed handshake, with one
  // handshake arrow per handshake message hs dissect found.
  const std::filesystem::path svgs[2] = {dir_ / "ladder.svg", dir_ / "ladder-2.svg"};
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(svgs[i].string());
    EXPECT_TRUE(svg_renders(svgs[i]));
    SvgLadder l = read_svg_ladder(svgs[i]);
    int want = (version_flag == "-tls1_2" && i == 0) || hello_retry ? 2 : 1;
    EXPECT_EQ(l.round_trips, want) << read_file(svgs[i]);
    EXPECT_EQ(l.resumed, i == 1);
    EXPECT_EQ(l.hello_retry, hello_retry);
    EXPECT_EQ(l.handshake.size(), ours_tls[i]->messages.size()) << read_file(svgs[i]);
  }
  if (version_flag == "-tls1_2" && !hello_retry) {
    check_damaged_captures(cap_file, keylog, port, stream_of(theirs, 0));
  }
  if (!hello_retry) {
    check_trace_html(cap_file, keylog, port, requests, version_flag == "-tls1_2", pki_->rsa_cert,
                     dir_);
  }
  for (const DissectedConnection* c : ours_tls) {
    EXPECT_EQ(c->line.find("\"hello_retry\":true") != std::string::npos, hello_retry) << c->line;
    if (hello_retry) {
      EXPECT_NE(c->line.find("\"name\":\"Hello Retry Request\""), std::string::npos) << c->line;
      EXPECT_NE(c->line.find("\"group\":\"secp256r1\""), std::string::npos) << c->line;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, DissectTest,
                         ::testing::Values(Case{"Tls12", "-tls1_2", false},
                                           Case{"Tls13", "-tls1_3", false},
                                           Case{"Tls13HelloRetry", "-tls1_3", true}),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

// json_string_field returns the value of the first "key":"value" in `line` ("" if absent).
std::string json_string_field(const std::string& line, const std::string& key) {
  std::string marker = "\"" + key + "\":\"";
  size_t at = line.find(marker);
  if (at == std::string::npos) {
    return "";
  }
  at += marker.size();
  return line.substr(at, line.find('"', at) - at);
}

// 0-RTT: `hs client --tls-earlydata --reconnect 1` with its key log holding
// CLIENT_EARLY_TRAFFIC_SECRET, against `hs server --max-early-data` (accepts the early data) and
// against `openssl s_server -www -max_early_data` (its tickets allow early data, but in -www mode
// it declines it, and the client sends the request again after the handshake). The second
// connection resumes and sends its request as early data; hs dissect decrypts that data (and,
// when accepted, the EndOfEarlyData), says whether it was accepted, and agrees with tshark on
// the handshake messages of both connections.
class DissectEarlyDataTest : public ::testing::TestWithParam<bool> {};

TEST_P(DissectEarlyDataTest, DecryptsZeroRttData) {
  const bool accepted = GetParam();
  ASSERT_TRUE(require_hs_binary());
  ASSERT_TRUE(require_program("dumpcap"));
  ASSERT_TRUE(require_program("tshark"));
  ASSERT_TRUE(require_program("openssl"));
  const TestPki& pki = shared_test_pki();
  TempDir dir;
  auto cap_file = dir / "cap.pcapng";
  auto keylog = dir / "keys.log";
  std::unique_ptr<HsServerProcess> hs_server;
  std::unique_ptr<Process> openssl_server;
  uint16_t port = 0;
  if (accepted) {
    hs_server =
        std::make_unique<HsServerProcess>(HsServerProcess::cert_args(pki, false),
                                          std::vector<std::string>{"--max-early-data", "16384"});
    port = hs_server->port();
    ASSERT_NE(port, 0) << hs_server->output();
  } else {
    port = free_port();
    openssl_server = std::make_unique<Process>(std::vector<std::string>{
        "openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-www", "-tls1_3",
        "-cert", pki.rsa_cert.string(), "-key", pki.rsa_key.string(), "-max_early_data", "16384"});
    ASSERT_TRUE(openssl_server->wait_for_port(port)) << openssl_server->output();
  }
  LoopbackCapture capture(cap_file, port);
  ASSERT_TRUE(capture.ready()) << capture.output();
  const std::string url = "https://localhost:" + std::to_string(port) + "/";
  CommandResult client = run_command(
      {"env", "SSLKEYLOGFILE=" + keylog.string(), hs_binary().string(), "client", "-v", "--cacert",
       pki.ca_cert.string(), "--resolve", "localhost:" + std::to_string(port) + ":127.0.0.1",
       "--tls-earlydata", "--reconnect", "1", url},
      20s);
  ASSERT_EQ(client.exit_code, 0) << client.output();
  ASSERT_NE(client.err.find(accepted ? "* TLS early data: accepted by the server"
                                     : "* TLS early data: rejected by the server"),
            std::string::npos)
      << client.output();
  EXPECT_EQ(capture.stop(), 0) << capture.output();

  CommandResult hs = run_command({hs_binary().string(), "dissect", cap_file.string(), "--json",
                                  "--keylog", keylog.string(), "--port", std::to_string(port)},
                                 30s);
  ASSERT_EQ(hs.exit_code, 0) << hs.output();
  std::vector<DissectedConnection> ours = parse_hs_json(hs.out);
  ASSERT_EQ(ours.size(), 2u) << hs.out;
  CommandResult ts = run_command(
      {"tshark", "-n", "-r", cap_file.string(), "-o", "tls.keylog_file:" + keylog.string(), "-d",
       "tcp.port==" + std::to_string(port) + ",tls", "-T", "fields", "-e", "tcp.stream", "-e",
       "tcp.srcport", "-e", "tls.handshake.type"},
      30s);
  ASSERT_EQ(ts.exit_code, 0) << ts.output();
  std::map<int, std::vector<Message>> theirs = tshark_messages(ts.out, port);
  ASSERT_EQ(theirs.size(), 2u) << ts.out;
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(describe(ours[i].messages), describe(stream_of(theirs, i))) << ours[i].line << "\n"
                                                                          << ts.out;
  }
  const DissectedConnection& first = ours[0];
  const DissectedConnection& zero_rtt = ours[1];
  EXPECT_EQ(json_string_field(first.line, "early_data"), "") << first.line;
  EXPECT_TRUE(zero_rtt.resumed) << zero_rtt.line;
  EXPECT_EQ(json_string_field(zero_rtt.line, "early_data"), accepted ? "accepted" : "rejected")
      << zero_rtt.line;
  EXPECT_NE(zero_rtt.line.find("\"name\":\"Early Data\""), std::string::npos) << zero_rtt.line;
  // The early data is the request, decrypted with the early keys whatever the server did.
  std::string early = from_hex(json_string_field(zero_rtt.line, "early"));
  EXPECT_EQ(early.rfind("GET / HTTP/1.1\r\n", 0), 0u) << early;
  std::string order = describe(zero_rtt.messages);
  std::string answer = from_hex(zero_rtt.server_data_hex);
  if (accepted) {
    // The EndOfEarlyData (type 5) came from the client under the early keys, right before its
    // Finished under the handshake keys; the server's page counts exactly the early bytes.
    EXPECT_NE(order.find("client:5 client:20"), std::string::npos) << zero_rtt.line;
    EXPECT_NE(answer.find("Early data: accepted (" + std::to_string(early.size()) + " bytes)"),
              std::string::npos)
        << answer;
    EXPECT_EQ(zero_rtt.client_data_hex, "") << zero_rtt.line;
  } else {
    // No EndOfEarlyData; the client moved to its handshake keys and sent the request again.
    EXPECT_EQ(order.find("client:5"), std::string::npos) << zero_rtt.line;
    EXPECT_NE(order.find("client:20"), std::string::npos) << zero_rtt.line;
    EXPECT_EQ(from_hex(zero_rtt.client_data_hex), early) << zero_rtt.line;
    EXPECT_EQ(answer.rfind("HTTP/1.0 200 ok", 0), 0u) << answer;
  }
}

INSTANTIATE_TEST_SUITE_P(ZeroRtt, DissectEarlyDataTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "AcceptedByHsServer" : "RejectedByOpensslServer";
                         });

}  // namespace
}  // namespace hs::test

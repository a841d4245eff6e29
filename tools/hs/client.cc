// `hs client`: a curl-like HTTPS GET/HEAD over the handshake library, with curl's -v lines,
// exit codes and error style ("hs: (35) ...").
#include <fmt/core.h>
#include <hs/config.h>
#include <hs/connection.h>
#include <hs/keylog.h>
#include <hs/session.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client_flags.h"
#include "html_trace_file.h"
#include "http.h"
#include "http2_client.h"
#include "io/client_stream.h"
#include "io/socket.h"
#include "keymat.h"
#include "options.h"
#include "pinned_key.h"
#include "progress.h"
#include "subcommands.h"
#include "trace/curl_trace.h"
#include "trace/detailed_trace.h"
#include "trace/json_trace.h"
#include "trace/ladder.h"
#include "trace_svg.h"
#include "verifier.h"
#include "write_out.h"
#include "x509/certificate.h"
#include "x509/hostname.h"
#include "x509/pem.h"

namespace hs::tool {

namespace {

constexpr const char* kDefaultCaFile = "/etc/ssl/certs/ca-certificates.crt";
constexpr const char* kDefaultCaPath = "/etc/ssl/certs";

struct ClientOptions {
  int verbose = 0;
  bool head = false;
  bool insecure = false;
  std::string cacert;
  std::string capath;
  std::string crlfile;
  // --cert/--key: the client certificate (PEM chain, leaf first) and its key; --key defaults to
  // the --cert file, which may hold both (as curl).
  std::string cert;
  std::string key;
  std::vector<std::string> resolve;
  bool tlsv1_2 = false;
  bool tlsv1_3 = false;
  // --allow-no-ems: TLS 1.2 servers without the extended master secret (RFC 7627) are accepted
  // (ClientConfig::require_extended_master_secret off); the session is then not resumable.
  bool allow_no_ems = false;
  // --cert-status: ask for the server's stapled OCSP response and require a good one
  // (ClientConfig::OcspStapling::require); failures exit 91 as curl's.
  bool cert_status = false;
  // --pinnedpubkey FILE|sha256//HASH[;sha256//HASH...]: the server's public key must match
  // (checked after the handshake, as curl; exit 90).
  std::string pinnedpubkey;
  std::string tls_max;
  std::string ciphers;
  std::string curves;
  bool http1_1 = false;
  bool http2 = false;  // --http2: the default already (h2 offered first, as curl)
  std::string output;
  bool silent = false;
  bool show_error = false;
  double max_time = 0;
  double connect_timeout = 0;
  // Resumption: --sess-in/--sess-out files (they hold the session's secret) and --reconnect N.
  std::string sess_in;
  std::string sess_out;
  int reconnect = 0;
  // --trace-json FILE: every event of every connection as JSON Lines (src/trace/json_trace.h).
  std::string trace_json;
  // --trace-svg FILE: the ladder diagram of each connection (src/trace/ladder.h); connection #0
  // writes FILE, #N (with --reconnect) FILE with "-N" before its extension.
  std::string trace_svg;
  // --trace-html FILE: the illustrated page of every byte (src/trace/html_trace.h).
  std::string trace_html;
  // --tls-earlydata (curl 8.x): send the request as TLS 1.3 0-RTT data when resuming.
  bool tls_earlydata = false;
  // --psk IDENTITY:HEXKEY[:sha384] (hs): a TLS 1.3 external PSK to authenticate with.
  std::string psk;
  // --keymatexport LABEL, --keymatexportlen N, --keymatexport-context HEX (openssl s_client's
  // first two): keying material exported after each handshake (RFC 5705, RFC 8446 §7.5).
  std::string keymatexport;
  size_t keymatexportlen = 20;
  std::optional<std::string> keymatexport_context;
  // RFC 8449 record_size_limit offered (0: not offered) and the TLS 1.3 KeyUpdate interval.
  uint16_t record_size_limit = 16385;
  uint64_t key_update_after_records = uint64_t{1} << 24;
  // curl habits (client_flags.h, write_out.h, progress.h): -O, -f, -L/--max-redirs,
  // --connect-to, --tls13-ciphers, -w, --no-progress-meter, -h.
  bool remote_name = false;
  bool fail_http = false;
  bool location = false;
  int max_redirs = 50;
  std::vector<std::string> connect_to;
  std::string tls13_ciphers;
  std::string write_out;
  bool no_progress_meter = false;
  bool help = false;
  std::string url;
};

// Output prints curl's verbose lines to stderr.
void info_line(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
}

bool is_certificate_error(ErrorCode code) {
  return code == ErrorCode::bad_certificate || code == ErrorCode::unsupported_certificate ||
         code == ErrorCode::certificate_expired || code == ErrorCode::certificate_unknown ||
         code == ErrorCode::unknown_ca || code == ErrorCode::verification_disabled_refusal ||
         code == ErrorCode::certificate_revoked;
}

// describe_handshake_error says what failed, on which message, and why.
std::string describe_handshake_error(const Error& e) {
  if (is_certificate_error(e.code())) {
    if (e.detail().rfind("SSL", 0) == 0) {
      return e.detail();  // the verifier's text is curl's already
    }
    std::string why = e.detail().empty() ? std::string(error_code_name(e.code())) : e.detail();
    return "SSL certificate problem: " + why;
  }
  if (e.code() == ErrorCode::peer_alert && e.received_alert()) {
    return fmt::format("TLS handshake failed: the server sent a fatal {} alert",
                       alert_name(*e.received_alert()));
  }
  if (e.code() == ErrorCode::timeout) {
    return "TLS handshake timed out";
  }
  std::string text = fmt::format("TLS handshake failed on {}: {}", e.context(),
                                 e.detail().empty() ? error_code_name(e.code()) : e.detail());
  if (auto alert = e.alert()) {
    text += fmt::format(" (sent {} alert)", alert_name(*alert));
  }
  return text;
}

class Client {
 public:
  Client(const ClientOptions& o, std::string help) : o_(o), help_(std::move(help)) {}

  // run runs the transfer (run_transfers), then prints -w's output.
  int run();
  // finish_trace writes the --trace-html page, if asked for, and returns `rc` (23, curl's write
  // error, when the page cannot be written and nothing else failed).
  int finish_trace(int rc) {
    if (html_trace_ && !html_trace_->write() && rc == 0) {
      return 23;
    }
    return rc;
  }

 private:
  int run_transfers();
  int configure(const Url& url);
  // since_start is the time since the command started, for -w's time_* variables.
  std::chrono::microseconds since_start() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 start_);
  }
  // open_output opens -o/-O's file (or picks stdout) when the first bytes are to be written,
  // as curl does: a failed transfer leaves no empty file behind.
  std::FILE* open_output();
  int fail(int code, const std::string& message) {
    info_.exit_code = code;
    info_.error_message = message;
    // curl ends its meter line before the error message.
    progress_.finish(std::chrono::steady_clock::now());
    if (o_.verbose > 0) {
      info_line("* " + message);
    }
    if (!o_.silent || o_.show_error) {
      std::fprintf(stderr, "hs: (%d) %s\n", code, message.c_str());
    }
    return code;
  }
  void verbose(std::string_view line) const {
    if (o_.verbose > 0) {
      info_line(line);
    }
  }
  std::chrono::milliseconds left() const {
    if (o_.max_time <= 0) {
      return std::chrono::hours(24);
    }
    auto used = std::chrono::steady_clock::now() - start_;
    auto total = std::chrono::milliseconds(static_cast<int64_t>(o_.max_time * 1000));
    auto rest = std::chrono::duration_cast<std::chrono::milliseconds>(total - used);
    return rest.count() < 0 ? std::chrono::milliseconds(0) : rest;
  }
  int timed_out(size_t received);
  void print_certificate(const Connection& conn, const std::string& host);
  // request_for is the HTTP/1.1 request for `url`.
  std::string request_for(const Url& url) const;
  // transfer sends the request (unless it already went as early data, `sent_early`) and reads
  // the response.
  int transfer(io::ClientStream& stream, const Url& url, bool sent_early);
  // transfer_h2 is transfer() when ALPN chose h2 (http2_client.cc does the HTTP/2).
  int transfer_h2(io::ClientStream& stream, const Url& url);
  // after_head is what both transfers do with a response head: -w's values, -f, -L's Location,
  // the output file, -I's copy and the progress meter's size. Returns curl's exit code (0: go
  // on).
  struct HeadAction {
    std::FILE* out = nullptr;
    bool skip_body = false;           // -L follows without reading the body
    bool too_many_redirects = false;  // exit 47 once the body is read
  };
  int after_head(const ResponseHead& head, const Url& url, std::string_view version,
                 HeadAction& act);
  // connect_once runs one connection (TCP, handshake, request) as connection #index.
  int connect_once(const Url& target, int index);
  // load_session / save_session read --sess-in and write --sess-out.
  int load_session();
  int save_session();
  // load_client_certificate reads --cert/--key into config_->client_certificate.
  int load_client_certificate();

  const ClientOptions& o_;
  std::string help_;  // --help's text (client_flags.h)
  int index_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::unique_ptr<Observer> renderer_;
  // --trace-json: the file, its renderer, and the tee that feeds it next to renderer_.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> trace_file_{nullptr, &std::fclose};
  std::unique_ptr<Observer> json_trace_;
  std::unique_ptr<Observer> tee_;
  // --trace-svg: the current connection's recorder and what its handshake negotiated.
  std::unique_ptr<trace::LadderRecorder> ladder_;
  trace::LadderSummary ladder_summary_;
  std::string ladder_server_;
  // --trace-html: written by finish_trace() whatever the outcome (a failed handshake is worth
  // explaining too).
  std::unique_ptr<HtmlTraceFile> html_trace_;
  std::shared_ptr<ClientConfig> config_;
  std::shared_ptr<const ExternalPsk> psk_;  // --psk, parsed before the first connection
  KeymatExport keymat_;                     // --keymatexport (label empty: not asked)
  // -w's values, filled as the transfer goes.
  TransferInfo info_;
  // The -o/-O output, opened on first write, and curl's progress meter for it.
  std::string output_path_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> output_file_{nullptr, &std::fclose};
  ProgressMeter progress_{stderr};
  bool show_progress_ = false;
  // The Location to follow next (-L), set by transfer() on a 3xx answer.
  std::optional<std::string> follow_;
  int connections_ = 0;
  int redirects_ = 0;  // redirects followed so far (-L)
  std::string write_out_format_;
  bool configured_ = false;
  // A URL curl cannot parse ends before any transfer: -w prints nothing then.
  bool no_transfer_ = false;
};

int Client::timed_out(size_t received) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start_);
  return fail(28, fmt::format("Operation timed out after {} milliseconds with {} bytes received",
                              ms.count(), received));
}

void Client::print_certificate(const Connection& conn, const std::string& host) {
  const SessionInfo& info = conn.info();
  if (info.peer_chain.empty()) {
    return;
  }
  auto leaf = x509::parse_certificate(info.peer_chain.front());
  if (!leaf.ok()) {
    verbose("* Server certificate: (unparsable: " + leaf.error().message() + ")");
    return;
  }
  trace::CertificateView view{x509::to_string(leaf->subject), x509::to_string(leaf->issuer),
                              leaf->not_before, leaf->not_after};
  trace::HostCheck check;
  std::optional<std::string> verify_result;
  if (info.peer_verified) {
    x509::HostMatch m = x509::match_host(*leaf, host);
    check = trace::HostCheck{true, m.matched, m.by_ip, host, m.presented};
  } else if (config_->verifier) {
    // -k with a verifier available: report what verification would have said, as curl does.
    auto r = config_->verifier->verify(info.peer_chain, host);
    verify_result = r.ok()
                        ? std::string("ok, continuing anyway.")
                        : (r.error().detail().empty() ? r.error().message() : r.error().detail()) +
                              ", continuing anyway.";
  } else {
    verify_result = "not checked (-k/--insecure: verification skipped), continuing anyway.";
  }
  for (const std::string& line : trace::curl_server_certificate_lines(view, check, verify_result)) {
    verbose(line);
  }
}

int Client::run() {
  if (o_.help) {
    std::fputs(help_.c_str(), stdout);
    return 0;
  }
  if (o_.url.empty()) {
    // curl 7.88's words, and its exit 2.
    std::fputs("hs: no URL specified!\nhs: try 'hs client --help' for more information\n", stderr);
    return 2;
  }
  // --psk is ours, not curl's: a malformed value is a command-line error (exit 2, as curl's
  // badly used options), found before any connection.
  if (!o_.psk.empty()) {
    auto psk = parse_psk(o_.psk);
    if (!psk.ok()) {
      return fail(2, psk.error().detail());
    }
    psk_ = std::move(psk).value();
  }
  if (!o_.keymatexport.empty() || o_.keymatexport_context) {
    if (o_.keymatexport.empty()) {
      return fail(2, "--keymatexport-context needs --keymatexport LABEL");
    }
    auto keymat = make_keymat_export(o_.keymatexport, o_.keymatexportlen, o_.keymatexport_context);
    if (!keymat.ok()) {
      return fail(2, keymat.error().detail());
    }
    keymat_ = std::move(keymat).value();
  }
  std::optional<std::string> format;
  if (!o_.write_out.empty()) {
    format = load_write_out_format(o_.write_out);
    if (!format) {
      std::fprintf(stderr, "hs: Failed to open %s\n", o_.write_out.c_str() + 1);
      format = "";
    }
  }
  if (format) {
    write_out_format_ = *format;
  }
  int rc = run_transfers();
  progress_.finish(std::chrono::steady_clock::now());
  if (format && !no_transfer_) {
    info_.exit_code = rc;
    info_.time_total = since_start();
    WriteOut w = render_write_out(*format, info_);
    for (const std::string& warning : w.warnings) {
      std::fprintf(stderr, "hs: %s\n", warning.c_str());
    }
    for (const WriteOut::Piece& piece : w.pieces) {
      std::fwrite(piece.text.data(), 1, piece.text.size(), piece.to_stderr ? stderr : stdout);
    }
    std::fflush(stdout);
  }
  return rc;
}

std::FILE* Client::open_output() {
  if (output_path_.empty()) {
    return stdout;
  }
  if (!output_file_) {
    output_file_.reset(std::fopen(output_path_.c_str(), "wb"));
  }
  return output_file_.get();
}

int Client::run_transfers() {
  info_.url_effective = o_.url;
  std::string error;
  auto url = parse_url(o_.url, error);
  if (!url) {
    if (error.find("https") != std::string::npos) {
      // curl's words; hs speaks https:// only (see the README's curl table).
      std::string scheme = o_.url.substr(0, o_.url.find("://"));
      return fail(1, "Protocol \"" + scheme + "\" not supported or disabled in libcurl");
    }
    no_transfer_ = true;
    return fail(3, error);
  }
  if (o_.remote_name) {
    output_path_ = remote_name(*url);
    if (output_path_.empty()) {
      return fail(23, "Remote file name has no length!");
    }
  } else if (!o_.output.empty() && o_.output != "-") {
    output_path_ = o_.output;
  }
  show_progress_ = !output_path_.empty() && !o_.silent && !o_.no_progress_meter;
  if (show_progress_) {
    progress_.start(start_);
  }

  config_ = std::make_shared<ClientConfig>();
  for (int i = 0; i <= o_.reconnect; ++i) {
    // -L: each Location is a new connection (curl would reuse one to the same host).
    Url hop = *url;
    for (redirects_ = 0;; ++redirects_) {
      info_.url_effective = url_text(hop);
      follow_.reset();
      const int index = connections_++;
      int rc = connect_once(hop, index);
      if (ladder_) {
        trace::Ladder ladder = ladder_->ladder(ladder_summary_);
        ladder.client_label = "hs client";
        ladder.server_label = ladder_server_;
        ladder_.reset();
        if (!write_trace_svg(trace::ladder_file_name(o_.trace_svg, static_cast<uint64_t>(index), 0),
                             ladder) &&
            rc == 0) {
          rc = 23;
        }
      }
      if (rc != 0) {
        return rc;
      }
      if (!follow_) {
        break;
      }
      verbose(fmt::format("* Issue another request to this URL: '{}'", *follow_));
      auto next = parse_url(*follow_, error);
      if (!next) {
        if (error.find("https") != std::string::npos) {
          std::string scheme = follow_->substr(0, follow_->find("://"));
          return fail(1, "Protocol \"" + scheme + "\" not supported or disabled in libcurl");
        }
        return fail(3, error);
      }
      if (config_->sessions) {
        config_->session_key = session_key(next->host, next->port);
      }
      info_.num_redirects = redirects_ + 1;
      hop = *next;
    }
  }
  if (!output_path_.empty() && !output_file_ && open_output() == nullptr) {
    return fail(23, "Failure writing output to destination");
  }
  return save_session();
}

int Client::load_client_certificate() {
  if (o_.cert.empty()) {
    if (!o_.key.empty()) {
      verbose("* --key " + o_.key + " ignored without --cert");
    }
    return 0;
  }
  // curl's exit 58, CURLE_SSL_CERTPROBLEM: "problem with the local client certificate".
  auto read_file = [](const std::string& path) -> std::optional<std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return std::nullopt;
    }
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  auto chain = read_file(o_.cert);
  if (!chain) {
    return fail(58,
                "could not load PEM client certificate from " + o_.cert + ": cannot read the file");
  }
  // As curl: without --key the key is looked for in the --cert file.
  const std::string& key_path = o_.key.empty() ? o_.cert : o_.key;
  auto key = o_.key.empty() ? chain : read_file(key_path);
  if (!key) {
    return fail(
        58, "unable to set private key file: '" + key_path + "' type PEM: cannot read the file");
  }
  auto wipe_key = [&key]() {
    crypto::secure_wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(key->data()), key->size()));
  };
  auto why = [](const Error& e) { return e.detail().empty() ? e.message() : e.detail(); };
  // The chain alone first, so that a problem in it is not blamed on the key (and the reverse).
  if (auto certs = x509::load_certificate_chain_pem(*chain);
      !certs.ok() && std::string_view(certs.error().context()) != "private key") {
    wipe_key();
    return fail(
        58, "could not load PEM client certificate from " + o_.cert + ": " + why(certs.error()));
  }
  auto loaded = load_server_certificate(*chain, *key);
  wipe_key();
  if (!loaded.ok()) {
    const Error& e = loaded.error();
    if (std::string_view(e.context()) == "private key" &&
        why(e).find("does not match") != std::string::npos) {
      // curl's words for SSL_CTX_check_private_key failing.
      return fail(58, "Private key does not match the certificate public key");
    }
    return fail(58, "unable to set private key file: '" + key_path + "' type PEM: " + why(e));
  }
  config_->client_certificate = std::move(loaded).value();
  return 0;
}

int Client::load_session() {
  if (o_.sess_in.empty()) {
    return 0;
  }
  std::ifstream in(o_.sess_in, std::ios::binary);
  if (!in) {
    return fail(26, "Failed to open session file " + o_.sess_in);
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  auto session = deserialize_session(bytes);
  crypto::secure_wipe(bytes);
  if (!session.ok()) {
    // A stale or foreign file only costs a full handshake, as with curl's session cache.
    verbose("* " + o_.sess_in + ": " + session.error().detail() + "; starting a new session");
    return 0;
  }
  if (!o_.pinnedpubkey.empty() && session->peer_chain.empty()) {
    // The pin is checked against the certificate the session carries (from its full
    // handshake); without one there is nothing to check it against.
    verbose("* " + o_.sess_in +
            ": the session carries no certificate to check --pinnedpubkey against; starting a "
            "new session");
    return 0;
  }
  if (session->kx_hint) {
    // The group the server chose last time, for this process's first TLS 1.3 key share.
    config_->sessions->set_kx_hint(config_->session_key, *session->kx_hint);
  }
  config_->sessions->put(config_->session_key, std::move(session).value());
  return 0;
}

int Client::save_session() {
  if (o_.sess_out.empty()) {
    return 0;
  }
  auto session = config_->sessions->get(config_->session_key);
  if (!session.has_value()) {
    verbose("* no session to save to " + o_.sess_out);
    return 0;
  }
  session->kx_hint = config_->sessions->kx_hint(config_->session_key);
  auto bytes = serialize_session(*session);
  if (!bytes.ok()) {
    return fail(23, bytes.error().detail());
  }
  // The file holds the session's resumption secret: readable by the owner only.
  std::FILE* f = nullptr;
  const mode_t old_mask = ::umask(077);
  f = std::fopen(o_.sess_out.c_str(), "wb");
  ::umask(old_mask);
  if (f == nullptr) {
    return fail(23, "Failed to write session file " + o_.sess_out);
  }
  ::chmod(o_.sess_out.c_str(), 0600);
  const auto data = bytes->expose();
  const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  if (std::fclose(f) != 0 || !ok) {
    return fail(23, "Failed to write session file " + o_.sess_out);
  }
  return 0;
}

// configure turns the TLS flags into config_. curl does this once connected (OpenSSL's
// SSL_CTX setup), so its errors (58, 59, 77) come after the TCP connect, with -w's remote_ip and
// ports already set; so do ours.
int Client::configure(const Url& url) {
  const std::shared_ptr<ClientConfig>& config = config_;
  if (o_.tlsv1_2) {
    config->min_version = ProtocolVersion::tls1_2;
  }
  if (o_.tlsv1_3) {  // curl: "Use TLSv1.3 or greater"
    config->min_version = ProtocolVersion::tls1_3;
  }
  if (!o_.tls_max.empty()) {
    auto v = parse_tls_version(o_.tls_max);
    if (!v) {
      return fail(35, "unsupported --tls-max " + o_.tls_max + " (TLS 1.2 and 1.3 only)");
    }
    config->max_version = *v;
  }
  if (!o_.tls13_ciphers.empty()) {
    auto suites = parse_tls13_cipher_list(o_.tls13_ciphers);
    if (!suites.ok()) {
      return fail(59, suites.error().detail());
    }
    // --tls13-ciphers sets the TLS 1.3 list and keeps the TLS 1.2 one.
    std::vector<CipherSuite> merged = *suites;
    for (CipherSuite s : config->cipher_suites) {
      if (static_cast<uint16_t>(s) >> 8 != 0x13) {
        merged.push_back(s);
      }
    }
    config->cipher_suites = merged;
  }
  if (!o_.ciphers.empty()) {
    auto suites = parse_cipher_list(o_.ciphers);
    if (!suites.ok()) {
      return fail(59, suites.error().detail());
    }
    // --ciphers sets the TLS 1.2 list (curl's --tls13-ciphers is the 1.3 one).
    std::vector<CipherSuite> merged;
    for (CipherSuite s : config->cipher_suites) {
      if (static_cast<uint16_t>(s) >> 8 == 0x13) {
        merged.push_back(s);
      }
    }
    for (CipherSuite s : *suites) {
      if (static_cast<uint16_t>(s) >> 8 != 0x13) {
        merged.push_back(s);
      } else if (std::find(merged.begin(), merged.end(), s) == merged.end()) {
        merged.push_back(s);
      }
    }
    config->cipher_suites = merged;
  }
  if (!o_.curves.empty()) {
    auto groups = parse_curve_list(o_.curves);
    if (!groups.ok()) {
      return fail(35, groups.error().detail());
    }
    config->groups = *groups;
  }
  // As curl: h2 then http/1.1, unless --http1.1. Early data carries an HTTP/1.1 request,
  // so --tls-earlydata offers http/1.1 only.
  if (o_.http1_1 || o_.tls_earlydata) {
    config->alpn = {"http/1.1"};
  } else {
    config->alpn = {"h2", "http/1.1"};
  }
  config->enable_early_data = o_.tls_earlydata;
  if (psk_) {
    config->external_psk = psk_;
    config->min_version = ProtocolVersion::tls1_3;  // external PSKs exist in TLS 1.3 only
  }
  // As curl with OpenSSL (SSL_CTX_set_post_handshake_auth): a TLS 1.3 server may ask for
  // --cert after the handshake; without one it gets an empty Certificate.
  config->post_handshake_auth = true;
  config->dangerous_skip_verification = o_.insecure;
  config->require_extended_master_secret = !o_.allow_no_ems;
  if (o_.cert_status) {
    config->ocsp_stapling = ClientConfig::OcspStapling::require;
  }
  config->record_size_limit = o_.record_size_limit;
  config->key_update_after_records = o_.key_update_after_records;
  if (!o_.insecure) {
    auto verifier = make_verifier(o_.cacert, o_.capath, o_.crlfile);
    if (!verifier.ok()) {
      const bool crl = std::string_view(verifier.error().context()) == "CRL file";
      return fail(crl ? 82 : 77, verifier.error().detail());  // CURLE_SSL_CRL_BADFILE
    }
    config->verifier = *verifier;
  } else if (!o_.crlfile.empty()) {
    // curl loads --crlfile also with -k (and fails on a bad one): the CRLs then count only in
    // -w %{ssl_verify_result}.
    if (auto crls = check_crl_file(o_.crlfile); !crls.ok()) {
      return fail(82, crls.error().detail());
    }
  }
  if (int rc = load_client_certificate(); rc != 0) {
    return rc;
  }
  if (const char* path = std::getenv("SSLKEYLOGFILE"); path != nullptr && *path != '\0') {
    config->key_log = std::shared_ptr<KeyLogSink>(open_key_log_file(path));
    if (!config->key_log) {
      verbose(std::string("* Failed to open SSLKEYLOGFILE ") + path);
    }
  }
  if (!o_.trace_html.empty()) {
    html_trace_ = std::make_unique<HtmlTraceFile>(o_.trace_html, "hs client " + o_.url);
    config->key_log = html_trace_->wrap_key_log(config->key_log);
  }

  if (o_.reconnect > 0 || !o_.sess_in.empty() || !o_.sess_out.empty()) {
    config->sessions = std::make_shared<InMemorySessionStore>();
    config->session_key = session_key(url.host, url.port);
  }
  if (int rc = load_session(); rc != 0) {
    return rc;
  }
  return 0;
}

int Client::connect_once(const Url& target, int index) {
  const Url* url = &target;
  const std::shared_ptr<ClientConfig>& config = config_;
  index_ = index;
  if (index > 0) {
    verbose(fmt::format("* Hostname {} was found in DNS cache", url->host));
  }
  std::string bad;
  auto target_addr = connect_to(o_.connect_to, url->host, url->port, bad);
  if (!target_addr) {
    return fail(49, bad);  // CURLE_SETOPT_OPTION_SYNTAX
  }
  io::ConnectOptions copts;
  copts.host = target_addr->host;
  copts.port = target_addr->port;
  if (target_addr->host != url->host) {
    verbose("* Connecting to hostname: " + target_addr->host);
  }
  if (target_addr->port != url->port) {
    verbose(fmt::format("* Connecting to port: {}", target_addr->port));
  }
  for (const std::string& r : o_.resolve) {
    // HOST:PORT:ADDR (ADDR may be a bracketed IPv6 literal).
    size_t c1 = r.find(':');
    size_t c2 = c1 == std::string::npos ? c1 : r.find(':', c1 + 1);
    if (c2 == std::string::npos) {
      continue;
    }
    if (r.substr(0, c1) == copts.host &&
        r.substr(c1 + 1, c2 - c1 - 1) == std::to_string(copts.port)) {
      std::string addr = r.substr(c2 + 1);
      if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') {
        addr = addr.substr(1, addr.size() - 2);
      }
      copts.address = addr;
      verbose(fmt::format("* Added {}:{}:{} to DNS cache", copts.host, copts.port, addr));
    }
  }
  if (index == 0 && copts.address) {
    verbose(fmt::format("* Hostname {} was found in DNS cache", copts.host));
  }
  copts.timeout = o_.connect_timeout > 0
                      ? std::chrono::milliseconds(static_cast<int64_t>(o_.connect_timeout * 1000))
                      : std::chrono::milliseconds(300000);
  if (o_.max_time > 0) {
    copts.timeout = std::min(copts.timeout, left());
  }
  // The name is resolved when the first address is tried (-w's time_namelookup).
  bool resolved = false;
  copts.on_trying = [this, &resolved](std::string_view a) {
    if (!resolved) {
      info_.time_namelookup = since_start();
      resolved = true;
    }
    if (o_.verbose > 0) {
      info_line(fmt::format("*   Trying {}...", a));
    }
  };
  if (o_.verbose > 0) {
    copts.on_failed = [](std::string_view m) { info_line(fmt::format("* {}", m)); };
  }
  const auto connect_start = std::chrono::steady_clock::now();
  auto connected = io::tcp_connect(copts);
  if (auto* err = std::get_if<io::ConnectError>(&connected)) {
    switch (err->failure) {
      case io::ConnectFailure::resolve:
        return fail(6, err->message);
      case io::ConnectFailure::connect: {
        // curl 7.88: "Failed to connect to HOST port N after T ms: Couldn't connect to server".
        std::string message = err->message;
        if (size_t colon = message.find(": Couldn't"); colon != std::string::npos) {
          auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::steady_clock::now() - connect_start);
          message.insert(colon, fmt::format(" after {} ms", ms.count()));
        }
        return fail(7, message);
      }
      case io::ConnectFailure::timeout:
        return fail(28, err->message);
    }
  }
  auto& conn_ok = std::get<io::Connected>(connected);
  info_.time_connect = since_start();
  info_.scheme = "HTTPS";  // curl 7.88 sets it once connected, upper-case
  info_.remote_ip = conn_ok.address;
  info_.remote_port = copts.port;
  info_.local_port = io::local_port(conn_ok.fd.get());
  ++info_.num_connects;
  // From here curl's TLS layer has started: its verify result is "not ok" (1) until verified.
  info_.ssl_verify_result = 1;
  if (!configured_) {
    if (int rc = configure(*url); rc != 0) {
      return rc;
    }
    configured_ = true;
  }
  verbose(fmt::format("* Connected to {} ({}) port {} (#{})", copts.host, conn_ok.address,
                      copts.port, index));
  verbose(trace::curl_alpn_offer_line(config->alpn));
  if (auto cached = config->sessions ? config->sessions->get(config->session_key) : std::nullopt;
      cached && (o_.insecure || cached->peer_verified)) {
    // curl 7.88 prints this when its session cache holds a session for the host; the library
    // does not offer a session whose server was not verified to a client that verifies.
    verbose("* SSL re-using session ID");
  }

  if (o_.verbose >= 2) {
    renderer_ = std::make_unique<trace::DetailedTraceRenderer>(info_line);
  } else if (o_.verbose == 1) {
    auto curl = std::make_unique<trace::CurlTraceRenderer>(info_line);
    curl->track_session_cache(config->sessions &&
                              config->sessions->get(config->session_key).has_value());
    std::vector<std::string> store_lines;
    if (!o_.insecure) {
      store_lines = {
          std::string("*  CAfile: ") + (o_.cacert.empty() ? kDefaultCaFile : o_.cacert.c_str()),
          std::string("*  CApath: ") + (o_.capath.empty() ? kDefaultCaPath : o_.capath.c_str())};
    }
    if (!o_.crlfile.empty()) {
      // curl 7.88 populate_x509_store(), with or without -k.
      store_lines.push_back("* successfully loaded CRL file:");
      store_lines.push_back("*   CRLfile: " + o_.crlfile);
    }
    if (!store_lines.empty()) {
      curl->set_after_client_hello(std::move(store_lines));
    }
    renderer_ = std::move(curl);
  }

  if (!o_.trace_json.empty() && !json_trace_) {
    trace_file_.reset(std::fopen(o_.trace_json.c_str(), "w"));
    if (!trace_file_) {
      return fail(23, "Failed to open --trace-json file " + o_.trace_json);
    }
    json_trace_ = std::make_unique<trace::JsonTraceRenderer>([this](std::string_view line) {
      std::fwrite(line.data(), 1, line.size(), trace_file_.get());
      std::fputc('\n', trace_file_.get());
    });
  }
  Observer* observer = renderer_.get();
  if (!o_.trace_svg.empty()) {
    ladder_ = std::make_unique<trace::LadderRecorder>(trace::LadderSide::client);
    ladder_summary_ = {};
    ladder_server_ = fmt::format("{}:{}", url->host, url->port);
  }
  if (json_trace_ || ladder_ || html_trace_) {
    tee_ = std::make_unique<trace::TeeObserver>(
        std::vector<Observer*>{renderer_.get(), json_trace_.get(), ladder_.get(),
                               html_trace_ ? &html_trace_->renderer() : nullptr});
    observer = tee_.get();
  }
  auto conn = Connection::client(config, url->host, observer);
  if (!conn.ok()) {
    return fail(35, describe_handshake_error(conn.error()));
  }
  // --tls-earlydata: the whole request as 0-RTT data, when the resumed ticket allows it and it
  // fits. Should the server decline, the connection sends it again after the handshake.
  bool sent_early = false;
  if (o_.tls_earlydata && conn.value()->early_data_room() > 0) {
    const std::string request = request_for(*url);
    if (request.size() <= conn.value()->early_data_room()) {
      auto w = conn.value()->write_early_data(std::span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(request.data()), request.size()));
      sent_early = w.ok() && w.value() == request.size();
      if (sent_early) {
        verbose(fmt::format("* TLS early data: sending {} bytes (0-RTT)", request.size()));
        if (o_.verbose > 0) {
          for (const std::string& line : split(request, "\n")) {
            std::string l = line;
            if (!l.empty() && l.back() == '\r') {
              l.pop_back();
            }
            info_line("> " + l);
          }
        }
      }
    } else {
      verbose("* TLS early data: request larger than the ticket allows; not sent early");
    }
  } else if (o_.tls_earlydata && index > 0) {
    verbose("* TLS early data: not possible (no resumable TLS 1.3 ticket allowing it)");
  }
  io::ClientStream stream(std::move(conn_ok.fd), std::move(conn).value());
  auto hs = stream.handshake(left());
  ladder_summary_ = trace::ladder_summary(stream.connection().info());  // also when it failed
  if (!hs.ok()) {
    int code = is_certificate_error(hs.error().code()) ? 60 : 35;
    // A stapled OCSP response's verdict (context "OCSP"); a CRL's "certificate revoked" is a
    // verification failure like the others (exit 60).
    const bool ocsp_revoked = hs.error().code() == ErrorCode::certificate_revoked &&
                              std::string_view(hs.error().context()) == "OCSP";
    if (ocsp_revoked || hs.error().code() == ErrorCode::bad_certificate_status) {
      // CURLE_SSL_INVALIDCERTSTATUS, with curl's text as the detail.
      if (hs.error().code() == ErrorCode::certificate_revoked) {
        verbose("* SSL certificate status: revoked (1)");
      }
      return fail(91, hs.error().detail());
    }
    if (code == 60) {
      // curl checks host names itself and then reports 1, not OpenSSL's 62.
      const long verify = openssl_verify_code(hs.error());
      info_.ssl_verify_result = verify == 62 ? 1 : verify;
    }
    if (hs.error().code() == ErrorCode::timeout) {
      // curl counts the TLS handshake as part of connecting.
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start_);
      return fail(28, fmt::format("Connection timed out after {} milliseconds", ms.count()));
    }
    if (o_.verbose >= 2 && !hs.error().note().empty()) {
      info_line("* " + hs.error().note());
    }
    int rc = fail(code, describe_handshake_error(hs.error()));
    if (code == 60 && (!o_.silent || o_.show_error)) {
      std::fputs(
          "More details here: https://curl.se/docs/sslcerts.html\n\n"
          "hs failed to verify the legitimacy of the server and therefore could not\n"
          "establish a secure connection to it. To learn more about this situation and\n"
          "how to fix it, please visit the web page mentioned above.\n",
          stderr);
    }
    return rc;
  }
  const SessionInfo& info = stream.connection().info();
  info_.time_appconnect = since_start();
  if (!o_.insecure) {
    info_.ssl_verify_result = 0;  // verified
  }
  if (o_.insecure && write_out_format_.find("ssl_verify_result") != std::string::npos &&
      !info.peer_chain.empty()) {
    // curl -k still reports what chain verification said (SSL_get_verify_result), against the
    // system store only (it loads no --cacert then) and without a host name check.
    if (auto verifier = make_verifier("", o_.capath, o_.crlfile); verifier.ok()) {
      auto r = (*verifier)->verify(info.peer_chain, url->host);
      const long code = r.ok() ? 0 : openssl_verify_code(r.error());
      info_.ssl_verify_result = code == 62 ? 0 : code;
    }
  }
  if (o_.verbose > 0) {
    info_line(trace::curl_ssl_connection_line(info));
    info_line(trace::curl_alpn_result_line(info.alpn));
    print_certificate(stream.connection(), url->host);
    if (o_.cert_status && !info.ocsp_response.empty()) {
      // curl's verifystatus(), skipped as there on a resumed session: the handshake has checked
      // the response, and only a good one gets here.
      info_line("* SSL certificate status: good (0)");
    }
  }
  if (!o_.pinnedpubkey.empty()) {
    // curl checks the pin once connected, after the certificate lines; a resumed connection
    // reports the certificate of its session's full handshake, as OpenSSL's session does.
    // (load_session does not take a --sess-in file without one when pinning.)
    if (!info.peer_chain.empty() || !info.resumed) {
      const PinCheck pin = check_pinned_key(
          o_.pinnedpubkey, info.peer_chain.empty()
                               ? std::span<const uint8_t>()
                               : std::span<const uint8_t>(info.peer_chain.front()));
      if (pin.hash_line) {
        verbose("* " + *pin.hash_line);
      }
      if (!pin.matches) {
        const int rc = fail(90, "SSL: public key does not match pinned public key");
        stream.close();  // close_notify, as curl sends after its message
        return rc;
      }
    }
  }
  if (!keymat_.label.empty()) {
    // Asked for by name, so printed even with -s (as -w's output is).
    auto line = keymat_line(stream.connection(), keymat_);
    if (!line.ok()) {
      return fail(35, "keying material export failed: " + line.error().detail());
    }
    info_line("* " + *line);
  }
  if (config->sessions && !o_.silent) {
    // As openssl s_client reports each (re)connection: "Reused" or "New", version and cipher.
    info_line(fmt::format("* Connection #{}: {}, {}, Cipher is {}", index,
                          info.resumed ? "Reused" : "New",
                          info.version ? version_name(*info.version) : "?",
                          info.cipher_suite ? suite_openssl_name(*info.cipher_suite) : "?"));
  }
  if (sent_early) {
    verbose(
        info.early_data == EarlyDataStatus::accepted
            ? "* TLS early data: accepted by the server"
            : "* TLS early data: rejected by the server; request sent again after the handshake");
  }
  return transfer(stream, *url, sent_early);
}

std::string Client::request_for(const Url& url) const {
  return fmt::format("{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: hs/0.1\r\nAccept: */*\r\n\r\n",
                     o_.head ? "HEAD" : "GET", url.path, host_header(url));
}

int Client::after_head(const ResponseHead& head, const Url& url, std::string_view version,
                       HeadAction& act) {
  info_.http_code = head.status;
  info_.http_version = std::string(version);
  info_.size_header += head.raw.size();
  info_.headers.clear();
  for (size_t i = 1; i < head.lines.size(); ++i) {
    const std::string& line = head.lines[i];
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      size_t v = line.find_first_not_of(" \t", colon + 1);
      info_.headers.emplace_back(line.substr(0, colon),
                                 v == std::string::npos ? std::string() : line.substr(v));
    }
  }
  if (auto ct = header_value(info_.headers, "content-type")) {
    info_.content_type = *ct;
  }
  // -f: curl stops at the status line, writing nothing (curl 7.88's words).
  if (o_.fail_http && head.status >= 400) {
    return fail(22, fmt::format("The requested URL returned error: {}", head.status));
  }
  auto location = header_value(info_.headers, "location");
  const bool redirect = head.status >= 300 && head.status < 400 && location.has_value();
  if (redirect) {
    const std::string next = resolve_location(url, *location);
    if (o_.location && redirects_ < o_.max_redirs) {
      follow_ = next;
    } else {
      // Not followed: curl reports it, and reads this response to its end.
      info_.redirect_url = next;
      act.too_many_redirects = o_.location;
    }
  }
  act.out = open_output();
  if (act.out == nullptr) {
    return fail(23, "Failure writing output to destination");
  }
  if (o_.head) {
    std::fwrite(head.raw.data(), 1, head.raw.size(), act.out);
  }
  if (show_progress_ && head.content_length && !o_.head) {
    progress_.expect(*head.content_length);
  }
  if (follow_ && !o_.head) {
    // -L: the body of a followed redirect is not output; this connection is done with.
    verbose(fmt::format("* Ignoring the response-body"));
    act.skip_body = true;
  }
  return 0;
}

int Client::transfer_h2(io::ClientStream& stream, const Url& url) {
  Http2Request request{o_.head, url.path, host_header(url), "hs/0.1"};
  Http2ClientHooks hooks;
  hooks.verbose_on = o_.verbose > 0;
  hooks.verbose = info_line;
  hooks.left = [this]() { return left(); };
  hooks.fail = [this](int code, const std::string& message) { return fail(code, message); };
  hooks.timed_out = [this](size_t received) { return timed_out(received); };
  HeadAction act;
  bool write_failed = false;
  size_t body = 0;
  hooks.on_head = [&](const ResponseHead& head) {
    info_.time_starttransfer = since_start();
    int rc = after_head(head, url, "2", act);
    return rc != 0 ? rc : (act.skip_body ? -1 : 0);
  };
  hooks.on_body = [&](std::string_view data) {
    if (std::fwrite(data.data(), 1, data.size(), act.out) != data.size()) {
      write_failed = true;
    }
    body += data.size();
    info_.size_download = body;
    if (show_progress_) {
      progress_.update(body, std::chrono::steady_clock::now());
    }
  };
  info_.time_pretransfer = since_start();
  if (int rc = http2_transfer(stream, request, hooks); rc != 0) {
    stream.close();
    return rc;
  }
  if (act.out != nullptr && (write_failed || std::fflush(act.out) != 0)) {
    int rc = fail(23, "Failure writing output to destination");
    stream.close();
    return rc;
  }
  if (act.too_many_redirects) {
    info_.headers.clear();  // curl 7.88's %{header_json} is empty after exit 47
    int rc = fail(47, fmt::format("Maximum ({}) redirects followed", o_.max_redirs));
    stream.close();
    return rc;
  }
  verbose(act.skip_body ? fmt::format("* Closing connection {}", index_)
                        : fmt::format("* Connection #{} to host {} left intact", index_, url.host));
  stream.connection().set_observer(nullptr);  // curl closes cached connections untraced
  stream.close();
  return 0;
}

int Client::transfer(io::ClientStream& stream, const Url& url, bool sent_early) {
  const std::string& alpn = stream.connection().info().alpn;
  if (alpn == "h2") {
    return transfer_h2(stream, url);
  }
  // curl 7.88: "using HTTP/1.1" when ALPN agreed on it, "using HTTP/1.x" without ALPN.
  verbose(alpn == "http/1.1" ? "* using HTTP/1.1" : "* using HTTP/1.x");
  std::string request = sent_early ? std::string() : request_for(url);
  if (o_.verbose > 0 && !sent_early) {
    for (const std::string& line : split(request, "\n")) {
      std::string l = line;
      if (!l.empty() && l.back() == '\r') {
        l.pop_back();
      }
      info_line("> " + l);
    }
  }
  info_.time_pretransfer = since_start();
  info_.size_request += request.size();
  auto w = sent_early ? ok_result()
                      : stream.write(std::span<const uint8_t>(
                            reinterpret_cast<const uint8_t*>(request.data()), request.size()));
  if (!w.ok()) {
    return fail(55, "Failed sending data to the peer: " + w.error().message());
  }

  std::string buffer;
  std::vector<uint8_t> chunk(16384);
  size_t received = 0;
  bool eof = false;
  auto read_more = [&]() -> int {
    auto n = stream.read(chunk, left());
    if (!n.ok()) {
      if (n.error().code() == ErrorCode::timeout) {
        return timed_out(received);
      }
      if (n.error().code() == ErrorCode::truncated) {
        return fail(56, "TLS connection closed without close_notify (truncated)");
      }
      return fail(56, "Failure when receiving data from the peer: " + n.error().message());
    }
    if (*n == 0) {
      eof = true;
    }
    if (received == 0 && *n > 0) {
      info_.time_starttransfer = since_start();
    }
    received += *n;
    buffer.append(reinterpret_cast<const char*>(chunk.data()), *n);
    return 0;
  };

  // Head.
  size_t end = std::string::npos;
  while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
    // curl refuses a reply that does not start like a status line (HTTP/0.9) by default.
    std::string_view start = std::string_view(buffer).substr(0, 5);
    if (start != std::string_view("HTTP/").substr(0, start.size())) {
      int rc = fail(1, "Received HTTP/0.9 when not allowed");
      stream.close();
      return rc;
    }
    if (eof) {
      return fail(52, "Empty reply from server");
    }
    if (int rc = read_more(); rc != 0) {
      stream.close();
      return rc;
    }
  }
  auto head = parse_response_head(std::string_view(buffer).substr(0, end + 4));
  if (!head) {
    return fail(8, "Weird server reply");
  }
  buffer.erase(0, end + 4);
  if (head->http_minor == 0) {
    verbose("* HTTP 1.0, assume close after body");
  }
  for (const std::string& line : head->lines) {
    verbose("< " + line);
  }
  verbose("< ");
  HeadAction act;
  // curl 7.88 spells 1.0 "1".
  if (int rc = after_head(*head, url, head->http_minor == 0 ? "1" : "1.1", act); rc != 0) {
    stream.close();
    return rc;
  }
  std::FILE* out = act.out;
  const bool too_many_redirects = act.too_many_redirects;
  if (act.skip_body) {
    verbose(fmt::format("* Closing connection {}", index_));
    stream.close();
    return 0;
  }

  // Body.
  if (!o_.head) {
    ChunkedDecoder chunked;
    size_t body = 0;
    bool write_failed = false;
    auto emit = [&](std::string_view data) {
      if (std::fwrite(data.data(), 1, data.size(), out) != data.size()) {
        write_failed = true;
      }
      body += data.size();
      info_.size_download = body;
      if (show_progress_) {
        progress_.update(body, std::chrono::steady_clock::now());
      }
    };
    auto consume = [&]() -> bool {
      if (head->chunked) {
        std::string decoded;
        bool ok = chunked.feed(buffer, decoded);
        buffer.clear();
        emit(decoded);
        return ok;
      }
      std::string_view data = buffer;
      if (head->content_length) {
        data = data.substr(0, *head->content_length - body);
      }
      emit(data);
      buffer.clear();
      return true;
    };
    auto complete = [&]() {
      if (head->chunked) {
        return chunked.done();
      }
      if (head->content_length) {
        return body >= *head->content_length;
      }
      return eof;
    };
    if (!consume()) {
      return fail(56, "Malformed chunked encoding");
    }
    while (!complete() && !write_failed) {
      if (eof) {
        return fail(18, "transfer closed with outstanding read data remaining");
      }
      if (int rc = read_more(); rc != 0) {
        stream.close();
        return rc;
      }
      if (!consume()) {
        return fail(56, "Malformed chunked encoding");
      }
    }
    if (write_failed || std::fflush(out) != 0) {
      int rc = fail(23, "Failure writing output to destination");
      stream.close();
      return rc;
    }
  }
  std::fflush(out);
  if (too_many_redirects) {
    info_.headers.clear();  // curl 7.88's %{header_json} is empty after exit 47
    int rc = fail(47, fmt::format("Maximum ({}) redirects followed", o_.max_redirs));
    stream.close();
    return rc;
  }
  if (head->connection_close || eof) {
    verbose(fmt::format("* Closing connection {}", index_));
  } else {
    verbose(fmt::format("* Connection #{} to host {} left intact", index_, url.host));
    // curl closes cached connections at exit without tracing them.
    stream.connection().set_observer(nullptr);
  }
  stream.close();
  return 0;
}

}  // namespace

std::function<int()> register_client(CLI::App& app) {
  auto opts = std::make_shared<ClientOptions>();
  CLI::App* sub = app.add_subcommand("client", "Fetch an https:// URL (curl-like)");
  sub->add_flag("-v,--verbose", opts->verbose, "Verbose: curl's -v lines (-vv: every field)");
  sub->add_flag("-I,--head", opts->head, "Send HEAD and print the response headers");
  sub->add_flag("-k,--insecure", opts->insecure, "Skip certificate verification");
  sub->add_option("--cacert", opts->cacert, "CA certificates (PEM) to verify the server with");
  sub->add_option("--capath", opts->capath, "Directory of CA certificates (PEM) to verify with");
  sub->add_option("--crlfile", opts->crlfile,
                  "CRLs (PEM): check every certificate of the server's chain for revocation");
  sub->add_option("-E,--cert", opts->cert,
                  "Client certificate (PEM chain, leaf first; may also hold the key)");
  sub->add_option("--key", opts->key, "Private key (PEM) for --cert (default: the --cert file)");
  // One HOST:PORT:ADDR per --resolve (repeatable), so a URL after it is not taken as another.
  sub->add_option("--resolve", opts->resolve, "HOST:PORT:ADDR: use ADDR for HOST:PORT")
      ->allow_extra_args(false);
  sub->add_flag("--tlsv1.2", opts->tlsv1_2, "Use TLS 1.2 or later");
  sub->add_flag("--tlsv1.3", opts->tlsv1_3, "Use TLS 1.3 or later");
  sub->add_option("--tls-max", opts->tls_max, "Highest TLS version (1.2 or 1.3)");
  sub->add_flag("--allow-no-ems", opts->allow_no_ems,
                "TLS 1.2: accept servers without the extended master secret (RFC 7627)");
  sub->add_flag("--cert-status", opts->cert_status,
                "Verify the status of the server certificate (OCSP stapling)");
  sub->add_option("--pinnedpubkey", opts->pinnedpubkey,
                  "FILE/HASHES Public key to verify peer against (a PEM or DER public key file, "
                  "or sha256//BASE64 hashes separated by ';')");
  sub->add_option("--ciphers", opts->ciphers, "TLS 1.2 cipher suites (OpenSSL names)");
  sub->add_option("--curves", opts->curves, "Key exchange groups (X25519:P-256:P-384)");
  sub->add_flag("--http1.1", opts->http1_1, "Use HTTP/1.1 (offer only http/1.1 in ALPN)");
  sub->add_flag("--http2", opts->http2,
                "Use HTTP/2 when the server agrees (the default: ALPN offers h2,http/1.1)");
  sub->add_option("-o,--output", opts->output, "Write the body to FILE");
  sub->add_option("--trace-json", opts->trace_json,
                  "Write every TLS event (messages, records, states, key changes) as JSON Lines");
  sub->add_option("--trace-svg", opts->trace_svg,
                  "Draw the handshake as a ladder diagram (SVG) into FILE; connection #N of "
                  "--reconnect into FILE-N");
  sub->add_option("--trace-html", opts->trace_html,
                  "Write an HTML page explaining every byte of the handshake into FILE (secret "
                  "bytes only with SSLKEYLOGFILE)");
  sub->add_flag("-s,--silent", opts->silent, "Silent mode");
  sub->add_flag("-S,--show-error", opts->show_error, "Show errors even with -s");
  sub->add_option("-m,--max-time", opts->max_time, "Maximum time for the whole transfer (s)");
  sub->add_option("--connect-timeout", opts->connect_timeout, "Maximum time to connect (s)");
  sub->add_option("--sess-in", opts->sess_in, "Resume the session saved in FILE");
  sub->add_option("--sess-out", opts->sess_out,
                  "Save the last session to FILE (mode 0600: it holds the session secret)");
  sub->add_option("--reconnect", opts->reconnect,
                  "Connect N more times, resuming the session (prints Reused/New per connection)");
  sub->add_flag("--tls-earlydata", opts->tls_earlydata,
                "Send the request as TLS 1.3 0-RTT early data when resuming (--reconnect, "
                "--sess-in); it is resent after the handshake if the server declines. Early "
                "data can be replayed: use it only for safe requests");
  sub->add_option("--psk", opts->psk,
                  "TLS 1.3 external PSK IDENTITY:HEXKEY[:sha384] to authenticate with instead of "
                  "the server's certificate (implies --tlsv1.3)");
  sub->add_option("--keymatexport", opts->keymatexport,
                  "Export keying material with LABEL after the handshake and print it (RFC 5705, "
                  "RFC 8446 7.5; as openssl s_client -keymatexport)");
  sub->add_option("--keymatexportlen", opts->keymatexportlen,
                  "Bytes of keying material to export (default 20)")
      ->check(CLI::Range(size_t{1}, size_t{65535}));
  sub->add_option("--keymatexport-context", opts->keymatexport_context,
                  "Context value for --keymatexport, hex (\"\" is an empty context; TLS 1.2 "
                  "tells it from none)");
  sub->add_option("--record-size-limit", opts->record_size_limit,
                  "RFC 8449 limit offered for records we receive (64..16385; 0: not offered)")
      ->check(CLI::Range(0, 16385));
  sub->add_option("--key-update-after", opts->key_update_after_records,
                  "TLS 1.3: send a KeyUpdate after N records under one key (default 2^24)")
      ->check(CLI::Range(uint64_t{1}, UINT64_MAX));
  sub->add_flag("-O,--remote-name", opts->remote_name,
                "Write output to a file named as the remote file");
  sub->add_flag("-f,--fail", opts->fail_http, "Fail fast with no output on HTTP errors (exit 22)");
  sub->add_flag("-L,--location", opts->location, "Follow redirects");
  sub->add_option("--max-redirs", opts->max_redirs, "Maximum number of redirects allowed");
  sub->add_option("--connect-to", opts->connect_to,
                  "HOST1:PORT1:HOST2:PORT2: connect to HOST2:PORT2 for HOST1:PORT1")
      ->allow_extra_args(false);
  sub->add_option("--tls13-ciphers", opts->tls13_ciphers, "TLS 1.3 cipher suites to use");
  sub->add_option("-w,--write-out", opts->write_out,
                  "Use output FORMAT after completion (curl's %{variables}, @file)");
  sub->add_flag("--no-progress-meter", opts->no_progress_meter, "Do not show the progress meter");
  // curl's --help layout (client_flags.cc) instead of CLI11's.
  sub->set_help_flag();
  sub->add_flag("-h,--help", opts->help, "Get help for commands");
  sub->add_option("url", opts->url, "https:// URL");
  return [opts, sub]() {
    Client client(*opts, client_help(*sub));
    return client.finish_trace(client.run());
  };
}

}  // namespace hs::tool

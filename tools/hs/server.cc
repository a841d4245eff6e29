// `hs server`: HTTPS on the io::ServerLoop. Without --root it answers every GET/HEAD with a small
// page describing the connection (like `openssl s_server -www`); with --root it serves static
// files below that directory.
#include <fmt/core.h>
#include <hs/config.h>
#include <hs/connection.h>
#include <hs/keylog.h>
#include <hs/session.h>
#include <hs/signer.h>
#include <hs/x509.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "cert_dir.h"
#include "codec/reader.h"
#include "common/hex.h"
#include "crypto/provider.h"
#include "crypto/signature.h"
#include "html_trace_file.h"
#include "http.h"
#include "http2_server.h"
#include "io/server_loop.h"
#include "keymat.h"
#include "messages/handshake.h"
#include "messages/server_key_exchange.h"
#include "offload_signer.h"
#include "options.h"
#include "subcommands.h"
#include "trace/curl_trace.h"
#include "trace/escape.h"
#include "trace/html_trace.h"
#include "trace/json_trace.h"
#include "trace/ladder.h"
#include "trace_file.h"
#include "trace_svg.h"
#include "x509/certificate.h"
#include "x509/der.h"
#include "x509/ocsp.h"
#include "x509/ocsp_verify.h"
#include "x509/pem.h"

namespace hs::tool {

namespace {

struct ServerOptions {
  std::vector<std::string> certs;
  std::vector<std::string> keys;
  std::vector<std::string> ocsp_responses;  // --ocsp-response FILE, the n-th for the n-th --cert
  std::string cert_dir;  // --cert-dir DIR: DIR/NAME.crt and .key for the SNI NAME (CertDirectory)
  std::string listen = "127.0.0.1:8443";
  std::string alpn;
  std::string curves;
  std::string tls_max;  // --tls-max 1.2|1.3: the highest version accepted
  std::string root;
  int verbose = 0;
  double handshake_timeout = 10;
  double idle_timeout = 60;
  size_t max_connections = 4096;  // --max-connections: beyond it, new connections wait
  std::string ticket_keys;        // --ticket-keys FILE
  bool no_tickets = false;
  bool offload_signing = false;  // --offload-signing: sign on a worker thread
  // --require-ems: TLS 1.2 clients without the extended master secret (RFC 7627; Go before
  // 1.21, OpenSSL 1.0.2) get handshake_failure instead of the legacy master secret.
  // --allow-no-ems is the default since the library's default changed; kept for scripts.
  bool require_ems = false;
  bool allow_no_ems = false;
  // Client authentication: --verify-client CAFILE asks for a client certificate and checks it
  // against CAFILE (ClientAuth::request); --require-client-cert refuses clients without one.
  std::string verify_client;
  std::string crl_file;  // CRLs for client certificates (with verify_client)
  bool require_client_cert = false;
  // --post-handshake-auth: ask after the handshake instead, before the first HTTP/1.1 request
  // is answered (TLS 1.3 clients that offer post_handshake_auth, RFC 8446 §4.6.2).
  // --post-handshake-auth-path PREFIX (repeatable): ask only when a request's path starts with
  // one, holding that request until the answer is in, as Apache does for a <Location> with
  // SSLVerifyClient; other paths are served without a certificate.
  bool post_handshake_auth = false;
  std::vector<std::string> pha_paths;
  // --psk IDENTITY:HEXKEY[:sha384]: TLS 1.3 external PSKs (repeatable); --psk-no-dhe accepts
  // them without (EC)DHE (psk_ke).
  std::vector<std::string> psks;
  bool psk_no_dhe = false;
  uint32_t max_early_data = 0;         // --max-early-data N (0: 0-RTT off)
  uint16_t record_size_limit = 16385;  // RFC 8449 answer (0: never answered)
  // --keymatexport LABEL, --keymatexportlen N, --keymatexport-context HEX: keying material
  // exported from each connection once its handshake completed, logged (as openssl s_server).
  std::string keymatexport;
  size_t keymatexportlen = 20;
  std::optional<std::string> keymatexport_context;
  uint64_t key_update_after_records = uint64_t{1} << 24;
  // --trace-json FILE: every event of every connection as JSON Lines, each with its connection
  // id (src/trace/json_trace.h).
  std::string trace_json;
  // --redirect PATH=LOCATION: answer GET/HEAD PATH with 302 and that Location (to test -L).
  std::vector<std::string> redirects;
  // --trace-svg FILE: each connection's ladder diagram, written when it closes; connection #1
  // (the number -v prints) writes FILE, #N FILE with "-N" before its extension.
  std::string trace_svg;
  // --trace-html FILE: each connection's illustrated page (src/trace/html_trace.h), written when
  // it closes, numbered as --trace-svg; secret bytes only with SSLKEYLOGFILE.
  std::string trace_html;
};

// load_ticket_keys_file reads a ticket key file shared by several server processes: 48 bytes
// per key (16-byte name, 32-byte AES-256-GCM key), the current key first, as raw bytes (`openssl
// rand 48 > FILE`) or as hex text (`openssl rand -hex 48 > FILE`, one key per line). The file
// is secret: anyone holding it can open every ticket sealed with it.
Result<std::shared_ptr<TicketKeys>> load_ticket_keys_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::io_error, "ticket keys", "cannot read " + path);
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<uint8_t> bytes;
  bool is_hex = !text.empty();
  std::string digits;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c)) != 0) {
      digits.push_back(c);
    } else if (std::isspace(static_cast<unsigned char>(c)) == 0) {
      is_hex = false;
      break;
    }
  }
  if (is_hex && digits.size() % (2 * TicketKeys::kEntryLen) == 0) {
    bytes.resize(digits.size() / 2);
    decode_hex(digits, bytes);  // every character is a hex digit and the count is even
  } else {
    bytes.assign(text.begin(), text.end());
  }
  auto keys = TicketKeys::from_bytes(bytes);
  crypto::secure_wipe(bytes);
  crypto::secure_wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(text.data()), text.size()));
  crypto::secure_wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(digits.data()), digits.size()));
  return keys;
}

io::ServerLoop* g_loop = nullptr;

extern "C" void on_stop_signal(int /*sig*/) {
  if (g_loop != nullptr) {
    g_loop->request_stop();
  }
}

// client_certificate_text describes the client's certificate: "none", or the leaf's subject and
// issuer and whether it verified (as openssl s_server prints "subject=" and "issuer=").
std::string client_certificate_text(const SessionInfo& info) {
  if (info.peer_chain.empty()) {
    return "none";
  }
  auto leaf = x509::parse_certificate(info.peer_chain.front());
  if (!leaf.ok()) {
    return "(unparsable)";
  }
  return fmt::format("subject={}; issuer={}; {}", x509::to_string(leaf->subject),
                     x509::to_string(leaf->issuer),
                     info.peer_verified ? "verified" : "NOT verified");
}

// client_ca_names_of returns the subject names (DER) of the CAs in `ca_file`, for the
// CertificateRequest's certificate_authorities; nullopt when the file cannot be read.
std::optional<std::vector<std::vector<uint8_t>>> client_ca_names_of(const std::string& ca_file) {
  auto text = read_text(ca_file);
  if (!text) {
    return std::nullopt;
  }
  auto certs = x509::load_certificate_chain_pem(*text);
  if (!certs.ok()) {
    return std::nullopt;
  }
  std::vector<std::vector<uint8_t>> names;
  for (const auto& der : *certs) {
    auto cert = x509::parse_certificate(der);
    if (cert.ok()) {
      names.push_back(cert->subject.raw);
    }
  }
  return names;
}

std::string content_type_for(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  if (ext == ".html" || ext == ".htm") {
    return "text/html";
  }
  if (ext == ".txt") {
    return "text/plain";
  }
  if (ext == ".css") {
    return "text/css";
  }
  if (ext == ".js") {
    return "application/javascript";
  }
  if (ext == ".json") {
    return "application/json";
  }
  if (ext == ".png") {
    return "image/png";
  }
  return "application/octet-stream";
}

// percent_decode decodes %XX; returns nullopt for malformed escapes or an encoded NUL or '/'
// (an encoded slash could smuggle a separator past the segment check).
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    uint8_t byte = 0;
    if (i + 2 >= s.size() || !decode_hex(s.substr(i + 1, 2), std::span<uint8_t>(&byte, 1))) {
      return std::nullopt;
    }
    const char c = static_cast<char>(byte);
    if (c == '\0' || c == '/' || c == '\\') {
      return std::nullopt;
    }
    out.push_back(c);
    i += 2;
  }
  return out;
}

class HttpServer : public io::ServerHandler {
 private:
  struct State;

 public:
  HttpServer(const ServerOptions& o, JsonTraceFile* trace_json) : o_(o), trace_json_(trace_json) {}
  // set_html_keys gives --trace-html pages the key-log lines (null: no key log is written).
  void set_html_keys(std::shared_ptr<std::vector<trace::KeyLogLine>> keys) {
    html_keys_ = std::move(keys);
  }
  void set_keymat(KeymatExport keymat) { keymat_ = std::move(keymat); }
  // set_offload_signer makes the handshake signatures of offloaded keys on `signer`'s thread.
  void set_offload_signer(OffloadSigner* signer) { offload_signer_ = signer; }

  void on_signature_request(io::ServerSession& s, const SignatureRequest& request) override {
    if (offload_signer_ == nullptr) {
      io::ServerHandler::on_signature_request(s, request);
      return;
    }
    if (o_.verbose > 0) {
      std::fprintf(stderr, "hs server: #%llu signing %s with certificate %zu off the loop\n",
                   static_cast<unsigned long long>(s.id()),
                   std::string(signature_scheme_name(request.scheme)).c_str(), request.certificate);
    }
    offload_signer_->sign(s.id(), request);
  }

  void on_accept(io::ServerSession& s) override {
    auto& st = state_[s.id()];
    std::vector<std::unique_ptr<Observer>> traces;
    if (o_.verbose > 0) {
      // One line per event, prefixed with the connection number, as the client prints them.
      auto sink = [id = s.id()](std::string_view line) {
        std::fprintf(stderr, "#%llu %.*s\n", static_cast<unsigned long long>(id),
                     static_cast<int>(line.size()), line.data());
      };
      traces.push_back(std::make_unique<trace::CurlTraceRenderer>(sink));
    }
    if (trace_json_ != nullptr) {
      traces.push_back(trace_json_->renderer(s.id()));
    }
    std::unique_ptr<Observer> trace;
    if (traces.size() == 1) {
      trace = std::move(traces.front());
    } else if (!traces.empty()) {
      trace = std::make_unique<OwnedTee>(std::move(traces));
    }
    st.observer = std::move(trace);  // -v and --trace-json; null without them
    Observer* observer = st.observer.get();
    if (!o_.trace_svg.empty()) {
      st.ladder = std::make_unique<trace::LadderRecorder>(trace::LadderSide::server);
    }
    if (!o_.trace_html.empty()) {
      st.html = std::make_unique<trace::HtmlTraceRenderer>(
          "hs server, connection #" + std::to_string(s.id()) + " from " + s.peer(), html_keys_);
    }
    if (st.ladder || st.html) {
      st.tee = std::make_unique<trace::TeeObserver>(
          std::vector<Observer*>{st.observer.get(), st.ladder.get(), st.html.get()});
      observer = st.tee.get();
    }
    s.tls().set_observer(observer);
  }

  void on_handshake_done(io::ServerSession& s) override {
    if (o_.verbose > 0) {
      const SessionInfo& info = s.tls().info();
      std::fprintf(
          stderr, "hs server: #%llu %s: %s %s group %s sni \"%s\" alpn \"%s\"\n",
          static_cast<unsigned long long>(s.id()), s.peer().c_str(),
          info.version ? std::string(version_name(*info.version)).c_str() : "?",
          info.cipher_suite ? std::string(suite_openssl_name(*info.cipher_suite)).c_str() : "?",
          info.group ? std::string(group_name(*info.group)).c_str() : "?", info.server_name.c_str(),
          info.alpn.c_str());
      if (!o_.verify_client.empty() && !o_.post_handshake_auth && o_.pha_paths.empty()) {
        std::fprintf(stderr, "hs server: #%llu client certificate: %s\n",
                     static_cast<unsigned long long>(s.id()),
                     client_certificate_text(info).c_str());
      }
    }
    if (!keymat_.label.empty()) {
      auto line = keymat_line(s.tls(), keymat_);
      std::fprintf(stderr, "hs server: #%llu %s\n", static_cast<unsigned long long>(s.id()),
                   line.ok() ? line->c_str()
                             : ("keying material export failed: " + line.error().detail()).c_str());
    }
    auto& st = state_[s.id()];
    if (o_.post_handshake_auth) {
      ask_for_certificate(s, st);
    }
    if (s.tls().info().alpn == "h2") {
      st.h2 = Http2ServerConnection::create();
      std::string out;
      std::string error;
      if (!st.h2 || !st.h2->flush(out, error)) {
        s.close();
        return;
      }
      send_bytes(s, out);  // our connection preface: SETTINGS
      if (!st.in.empty()) {
        std::string early = std::move(st.in);
        st.in.clear();
        serve_h2(
            s, st,
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(early.data()), early.size()));
      }
      return;
    }
    if (!st.in.empty()) {
      serve_buffered(s, st);  // requests that came as early data
    }
  }

  void on_early_data(io::ServerSession& s, std::span<const uint8_t> data) override {
    // 0-RTT data is replayable; an HTTP server should answer only safe requests from it (RFC
    // 8470). This demo serves static files and a status page, all safe, and answers once the
    // handshake is done.
    auto& st = state_[s.id()];
    st.early_bytes += data.size();
    st.in.append(reinterpret_cast<const char*>(data.data()), data.size());
    if (o_.verbose > 0) {
      std::fprintf(stderr, "hs server: #%llu early data: %zu bytes (0-RTT, replayable)\n",
                   static_cast<unsigned long long>(s.id()), data.size());
    }
  }

  // wants_certificate: `req` is for a path that needs the post-handshake certificate (every
  // path with --post-handshake-auth, the listed prefixes with --post-handshake-auth-path).
  bool wants_certificate(const RequestHead& req) const {
    if (o_.post_handshake_auth) {
      return true;
    }
    return std::ranges::any_of(
        o_.pha_paths, [&](const std::string& prefix) { return req.target.starts_with(prefix); });
  }

  // ask_for_certificate sends the post-handshake CertificateRequest, once per connection. A
  // client that cannot be asked (TLS 1.2, no post_handshake_auth offered, or HTTP/2, where
  // RFC 8740 §3 says "HTTP/2 servers MUST NOT send post-handshake TLS 1.3 CertificateRequest
  // messages") is served without a certificate, or gets 403 with --require-client-cert.
  void ask_for_certificate(io::ServerSession& s, State& st) {
    st.asked = true;
    const SessionInfo& info = s.tls().info();
    const char* why = nullptr;
    if (info.version != ProtocolVersion::tls1_3) {
      why = "TLS 1.2 has no post-handshake authentication";
    } else if (!info.post_handshake_auth) {
      why = "the client did not offer post_handshake_auth";
    } else if (info.alpn == "h2") {
      why = "HTTP/2 forbids post-handshake authentication (RFC 8740)";
    } else if (!info.peer_chain.empty()) {
      return;  // a resumed session that carries the certificate from before
    } else if (auto r = s.tls().request_client_certificate(
                   o_.require_client_cert ? ClientAuth::require : ClientAuth::request);
               !r.ok()) {
      why = "the request could not be sent";
    } else {
      st.awaiting_certificate = true;
      return;
    }
    st.no_certificate_possible = o_.require_client_cert;
    if (o_.verbose > 0) {
      std::fprintf(stderr, "hs server: #%llu no post-handshake certificate request: %s\n",
                   static_cast<unsigned long long>(s.id()), why);
    }
  }

  void on_received(io::ServerSession& s) override {
    auto it = state_.find(s.id());
    if (it == state_.end() || !it->second.awaiting_certificate ||
        s.tls().client_certificate_pending()) {
      return;
    }
    State& st = it->second;
    st.awaiting_certificate = false;
    if (o_.verbose > 0) {
      std::fprintf(stderr, "hs server: #%llu client certificate (after the handshake): %s\n",
                   static_cast<unsigned long long>(s.id()),
                   client_certificate_text(s.tls().info()).c_str());
    }
    serve_buffered(s, st);  // the requests held while the client answered
  }

  void on_data(io::ServerSession& s, std::span<const uint8_t> data) override {
    auto& st = state_[s.id()];
    if (st.h2) {
      serve_h2(s, st, data);
      return;
    }
    st.in.append(reinterpret_cast<const char*>(data.data()), data.size());
    serve_buffered(s, st);
  }

  // serve_h2 hands the client's bytes to HTTP/2 (http2_server.cc), which answers each request
  // with the same answer() as HTTP/1.1.
  void serve_h2(io::ServerSession& s, State& st, std::span<const uint8_t> data) {
    std::string out;
    std::string error;
    const bool ok = st.h2->receive(
        data, [&](const RequestHead& req) { return answer(s, st, req); }, out, error);
    send_bytes(s, out);
    if (!ok && o_.verbose > 0) {
      std::fprintf(stderr, "hs server: #%llu HTTP/2 error: %s\n",
                   static_cast<unsigned long long>(s.id()), error.c_str());
    }
    if (!ok || st.h2->done()) {
      s.close();
    }
  }

  void serve_buffered(io::ServerSession& s, State& st) {
    while (!s.closing() && !st.awaiting_certificate) {
      const std::optional<size_t> head = request_head_end(st.in);
      if (!head) {
        if (st.in.size() > 64 * 1024) {
          respond(s, 431, "Request Header Fields Too Large", "text/plain", "header too large\n",
                  false, false);
          s.close();
        }
        return;
      }
      auto req = parse_request_head(std::string_view(st.in).substr(0, *head));
      if (req && !st.asked && wants_certificate(*req)) {
        ask_for_certificate(s, st);
        if (st.awaiting_certificate) {
          return;  // the request stays in `in`; on_received serves it once the answer is in
        }
      }
      st.in.erase(0, *head);
      if (!req) {
        respond(s, 400, "Bad Request", "text/plain", "bad request\n", false, false);
        s.close();
        return;
      }
      handle(s, st, *req);
      if (!req->keep_alive) {
        s.close();
      }
    }
  }

  void on_close(io::ServerSession& s, const Error* error) override {
    if (o_.verbose > 0) {
      std::fprintf(stderr, "hs server: #%llu %s closed%s%s\n",
                   static_cast<unsigned long long>(s.id()), s.peer().c_str(),
                   error != nullptr ? ": " : "", error != nullptr ? error->message().c_str() : "");
    }
    if (auto it = state_.find(s.id()); it != state_.end() && it->second.ladder) {
      trace::Ladder ladder = it->second.ladder->ladder(trace::ladder_summary(s.tls().info()));
      ladder.client_label = s.peer();
      ladder.server_label = "hs server";
      (void)write_trace_svg(trace::ladder_file_name(o_.trace_svg, s.id(), 1), ladder);
    }
    if (auto it = state_.find(s.id()); it != state_.end() && it->second.html) {
      (void)write_trace_html(trace::ladder_file_name(o_.trace_html, s.id(), 1), *it->second.html);
      // The shared key store keeps only the connections whose page is still to be written.
      it->second.html->release_keys();
    }
    state_.erase(s.id());
  }

 private:
  struct State {
    std::string in;
    size_t early_bytes = 0;  // 0-RTT data received
    std::unique_ptr<Observer> observer;
    // --trace-svg: the recorder and the tee feeding it next to `observer`.
    std::unique_ptr<trace::LadderRecorder> ladder;
    std::unique_ptr<trace::TeeObserver> tee;
    std::unique_ptr<trace::HtmlTraceRenderer> html;  // --trace-html
    std::unique_ptr<Http2ServerConnection> h2;       // set when ALPN chose h2
    // --post-handshake-auth: requests wait while our CertificateRequest is unanswered;
    // `no_certificate_possible` when the client cannot be asked and one is required.
    bool asked = false;
    bool awaiting_certificate = false;
    bool no_certificate_possible = false;
  };

  static void send_bytes(io::ServerSession& s, std::string_view bytes) {
    if (!bytes.empty()) {
      (void)s.send(
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    }
  }

  void respond(io::ServerSession& s, int status, std::string_view reason,
               std::string_view content_type, std::string_view body, bool head, bool keep_alive,
               std::string_view extra_headers = {}) {
    std::string msg = fmt::format(
        "HTTP/1.1 {} {}\r\nServer: hs/0.1\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}{}\r\n",
        status, reason, content_type, body.size(), extra_headers,
        keep_alive ? "" : "Connection: close\r\n");
    if (!head) {
      msg.append(body);
    }
    (void)s.send(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(msg.data()), msg.size()));
  }

  std::string status_page(io::ServerSession& s, State& st) {
    const SessionInfo& info = s.tls().info();
    auto opt = [](auto v, auto name) { return v ? std::string(name(*v)) : std::string("(none)"); };
    std::string suite = info.cipher_suite
                            ? fmt::format("{} ({})", suite_openssl_name(*info.cipher_suite),
                                          suite_name(*info.cipher_suite))
                            : "(none)";
    // SNI, ALPN, the PSK identity and the certificate's names are the client's bytes: escaped.
    const std::string text = fmt::format(
        "hs server (handshake library)\n"
        "Protocol  : {}\n"
        "Cipher    : {}\n"
        "Group     : {}\n"
        "Signature : {}\n"
        "ALPN      : {}\n"
        "SNI       : {}\n"
        "Resumed   : {}\n"
        "Early data: {}\n"
        "Extended master secret: {}\n"
        "Peer      : {}\n"
        "Client certificate: {}\n"
        "{}",
        opt(info.version, version_name), suite, opt(info.group, group_name),
        opt(info.own_signature_scheme, signature_scheme_name),
        info.alpn.empty() ? "(none)" : info.alpn,
        info.server_name.empty() ? "(none)" : info.server_name, info.resumed ? "yes" : "no",
        info.early_data == EarlyDataStatus::accepted
            ? fmt::format("accepted ({} bytes)", st.early_bytes)
            : (info.early_data == EarlyDataStatus::rejected ? "rejected" : "none"),
        info.extended_master_secret ? "yes" : "no", s.peer(), client_certificate_text(info),
        info.psk_identity.empty()
            ? std::string()
            : fmt::format("PSK identity: {}\n",
                          std::string(info.psk_identity.begin(), info.psk_identity.end())));
    return "<html><body><pre>\n" + trace::xml_escape(text) + "</pre></body></html>\n";
  }

  void handle(io::ServerSession& s, State& st, const RequestHead& req) {
    HttpResponse r = answer(s, st, req);
    respond(s, r.status, r.reason, r.content_type, r.body, req.method == "HEAD", req.keep_alive,
            r.location.empty() ? std::string() : "Location: " + r.location + "\r\n");
  }

  // answer decides the response to `req`, for HTTP/1.1 and HTTP/2 alike.
  HttpResponse answer(io::ServerSession& s, State& st, const RequestHead& req) {
    if (req.method != "GET" && req.method != "HEAD") {
      return {405, "Method Not Allowed", "text/plain", "method not allowed\n", {}};
    }
    if (st.h2 && !st.asked && wants_certificate(req)) {
      ask_for_certificate(s, st);  // refused: HTTP/2
    }
    if (st.no_certificate_possible && wants_certificate(req)) {
      return {403,
              "Forbidden",
              "text/plain",
              "client certificate required; it can only be asked for after a TLS 1.3 handshake "
              "over HTTP/1.1 with post_handshake_auth\n",
              {}};
    }
    for (const std::string& r : o_.redirects) {
      size_t eq = r.find('=');
      if (eq != std::string::npos && req.target == r.substr(0, eq)) {
        return {302, "Found", "text/plain", "redirect\n", r.substr(eq + 1)};
      }
    }
    if (o_.root.empty()) {
      return {200, "OK", "text/html", status_page(s, st), {}};
    }
    std::string target = req.target.substr(0, req.target.find_first_of("?#"));
    auto decoded = percent_decode(target);
    if (!decoded || decoded->empty() || decoded->front() != '/') {
      return {400, "Bad Request", "text/plain", "bad path\n", {}};
    }
    // No path traversal: every segment must be a plain name ("", ".", ".." and anything with a
    // backslash are refused), and the result must stay below the canonical root.
    std::filesystem::path rel;
    for (const std::string& seg : split(*decoded, "/")) {
      if (seg == "." || seg == "..") {
        return {403, "Forbidden", "text/plain", "forbidden\n", {}};
      }
      rel /= seg;
    }
    std::error_code ec;
    std::filesystem::path root = std::filesystem::canonical(o_.root, ec);
    std::filesystem::path file = root / rel;
    if (std::filesystem::is_directory(file, ec)) {
      file /= "index.html";
    }
    std::filesystem::path real = std::filesystem::weakly_canonical(file, ec);
    auto [r_end, f_it] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    if (ec || r_end != root.end()) {
      return {403, "Forbidden", "text/plain", "forbidden\n", {}};
    }
    (void)f_it;
    auto body =
        std::filesystem::is_regular_file(real, ec) ? read_text(real.string()) : std::nullopt;
    if (!body) {
      return {404, "Not Found", "text/plain", "not found\n", {}};
    }
    return {200, "OK", content_type_for(real), std::move(*body), {}};
  }

  const ServerOptions& o_;
  JsonTraceFile* trace_json_;                                  // --trace-json, or null
  std::shared_ptr<std::vector<trace::KeyLogLine>> html_keys_;  // --trace-html with a key log
  KeymatExport keymat_;                                        // --keymatexport
  std::unordered_map<uint64_t, State> state_;
  OffloadSigner* offload_signer_ = nullptr;
};

int run_server(const ServerOptions& o) {
  if (o.certs.empty() || o.certs.size() != o.keys.size()) {
    std::fputs("hs: server needs one --key for each --cert\n", stderr);
    return 2;
  }
  auto config = std::make_shared<ServerConfig>();
  for (size_t i = 0; i < o.certs.size(); ++i) {
    auto chain = read_text(o.certs[i]);
    auto key = read_text(o.keys[i]);
    if (!chain || !key) {
      std::fprintf(stderr, "hs: cannot read %s\n", (!chain ? o.certs[i] : o.keys[i]).c_str());
      return 2;
    }
    auto loaded = load_server_certificate(*chain, *key);
    if (!loaded.ok()) {
      std::fprintf(stderr, "hs: %s / %s: %s\n", o.certs[i].c_str(), o.keys[i].c_str(),
                   loaded.error().message().c_str());
      return 2;
    }
    if (i < o.ocsp_responses.size()) {
      // DER, as `openssl ocsp -respout` writes it and nginx's ssl_stapling_file reads it.
      auto der = read_text(o.ocsp_responses[i]);
      if (!der) {
        std::fprintf(stderr, "hs: cannot read %s\n", o.ocsp_responses[i].c_str());
        return 2;
      }
      loaded->ocsp_response.assign(der->begin(), der->end());
      auto parsed = x509::parse_ocsp_response(loaded->ocsp_response);
      if (!parsed.ok()) {
        std::fprintf(stderr, "hs: %s: %s\n", o.ocsp_responses[i].c_str(),
                     parsed.error().message().c_str());
        return 2;
      }
      // Stapled as it is (as nginx's ssl_stapling_file), but a client that checks it (curl
      // --cert-status, hs client --cert-status, Firefox with must-staple) would refuse one that
      // does not say "good" for this leaf, signed by its issuer: checked here as they check it,
      // with the chain we send, and worth a warning when they would refuse it. A stale one is
      // also named with its date.
      const int64_t now = static_cast<int64_t>(std::time(nullptr));
      auto checked = x509::verify_stapled_ocsp(crypto::default_provider(), loaded->chain,
                                               loaded->ocsp_response, now);
      if (!checked.ok() && checked.error().detail() != "OCSP response has expired") {
        std::fprintf(stderr, "hs: warning: %s: clients that check it will refuse it: %s\n",
                     o.ocsp_responses[i].c_str(), checked.error().detail().c_str());
      }
      for (const x509::OcspSingleResponse& single : parsed->responses) {
        if (single.next_update && *single.next_update < now) {
          std::fprintf(stderr, "hs: warning: %s: OCSP response expired %s\n",
                       o.ocsp_responses[i].c_str(), x509::format_time(*single.next_update).c_str());
        } else if (o.verbose > 0) {
          std::fprintf(
              stderr, "hs server: %s: OCSP %s, next update %s\n", o.ocsp_responses[i].c_str(),
              std::string(x509::ocsp_status_name(single.status)).c_str(),
              single.next_update ? x509::format_time(*single.next_update).c_str() : "(none)");
        }
      }
    }
    if (i >= o.ocsp_responses.size()) {
      // An OCSP must-staple leaf (RFC 7633) served without a staple: clients that ask for one
      // (Firefox; our ClientConfig::ocsp_stapling) refuse the handshake.
      if (auto leaf = x509::parse_certificate(loaded->chain.front());
          leaf.ok() && leaf->requires_stapled_ocsp()) {
        std::fprintf(stderr,
                     "hs: warning: %s is OCSP must-staple (TLS feature status_request) and no "
                     "--ocsp-response is given for it: clients that ask for the status will "
                     "refuse it\n",
                     o.certs[i].c_str());
      }
    }
    config->certificates.push_back(std::move(loaded).value());
  }
  // --offload-signing: each certificate's key is kept here and the configuration gets an
  // offloaded one (certified_key_for_offload) for the same chain, with the schemes the key
  // signs with; the handler signs on a worker thread (OffloadSigner).
  std::vector<std::shared_ptr<const crypto::PrivateKey>> offloaded_keys;
  if (o.offload_signing) {
    for (CertifiedKey& cert : config->certificates) {
      std::vector<SignatureScheme> schemes;
      for (SignatureScheme s : default_signature_schemes()) {
        auto alg = crypto::scheme_algorithm(s);
        if (alg && cert.key->can_sign(*alg)) {
          schemes.push_back(s);
        }
      }
      auto offloaded = certified_key_for_offload(cert.chain, schemes);
      if (!offloaded.ok()) {
        std::fprintf(stderr, "hs: --offload-signing: %s\n", offloaded.error().message().c_str());
        return 2;
      }
      offloaded_keys.push_back(cert.key);
      offloaded->ocsp_response = std::move(cert.ocsp_response);
      cert = std::move(offloaded).value();
    }
  }
  if (o.ocsp_responses.size() > o.certs.size()) {
    std::fputs("hs: more --ocsp-response than --cert\n", stderr);
    return 2;
  }
  for (const std::string& text : o.psks) {
    auto psk = parse_psk(text);
    if (!psk.ok()) {
      std::fprintf(stderr, "hs: %s\n", psk.error().message().c_str());
      return 2;
    }
    config->external_psks.push_back(std::move(psk).value());
  }
  config->allow_psk_without_dhe = o.psk_no_dhe;
  // This server speaks HTTP/2 and HTTP/1.1 and prefers h2 when the client offers both (as
  // nginx); --alpn replaces the list (--alpn http/1.1 turns HTTP/2 off).
  config->alpn = o.alpn.empty() ? std::vector<std::string>{"h2", "http/1.1"} : split(o.alpn, ",");
  if (!o.curves.empty()) {
    auto groups = parse_curve_list(o.curves);
    if (!groups.ok()) {
      std::fprintf(stderr, "hs: %s\n", groups.error().detail().c_str());
      return 2;
    }
    config->groups = *groups;
  }
  if (!o.tls_max.empty()) {
    auto v = parse_tls_version(o.tls_max);
    if (!v) {
      std::fprintf(stderr, "hs: unsupported --tls-max %s (TLS 1.2 and 1.3 only)\n",
                   o.tls_max.c_str());
      return 2;
    }
    config->max_version = *v;
  }
  // RFC 8446 §4.2.10: tickets allow 0-RTT up to this many bytes; each ticket's early data is
  // accepted once per process (the default EarlyDataReplayGuard).
  config->max_early_data_size = o.max_early_data;
  if (const char* path = std::getenv("SSLKEYLOGFILE"); path != nullptr && *path != '\0') {
    config->key_log = std::shared_ptr<KeyLogSink>(open_key_log_file(path));
  }
  // --trace-html pages show secret bytes only when a key log is being written.
  std::shared_ptr<std::vector<trace::KeyLogLine>> html_keys;
  if (!o.trace_html.empty() && config->key_log) {
    html_keys = std::make_shared<std::vector<trace::KeyLogLine>>();
    config->key_log = trace::make_key_log_tee(config->key_log, html_keys);
  }
  // Resumption: a TLS 1.2 session-ID cache, and ticket keys (from --ticket-keys so that several
  // processes accept each other's tickets, else random ones for this process).
  config->session_cache = std::make_shared<ServerSessionCache>(20000, config->ticket_lifetime);
  config->issue_tickets = !o.no_tickets;
  config->require_extended_master_secret = o.require_ems;
  config->record_size_limit = o.record_size_limit;
  config->key_update_after_records = o.key_update_after_records;
  if (!o.ticket_keys.empty()) {
    auto keys = load_ticket_keys_file(o.ticket_keys);
    if (!keys.ok()) {
      std::fprintf(stderr, "hs: %s: %s\n", o.ticket_keys.c_str(), keys.error().message().c_str());
      return 2;
    }
    config->ticket_keys = std::move(keys).value();
  } else {
    auto keys = TicketKeys::generate();
    if (!keys.ok()) {
      std::fprintf(stderr, "hs: %s\n", keys.error().message().c_str());
      return 2;
    }
    config->ticket_keys = std::move(keys).value();
  }
  if (o.require_client_cert && o.verify_client.empty()) {
    std::fputs("hs: --require-client-cert needs --verify-client CAFILE\n", stderr);
    return 2;
  }
  if ((o.post_handshake_auth || !o.pha_paths.empty()) && o.verify_client.empty()) {
    std::fputs("hs: --post-handshake-auth needs --verify-client CAFILE\n", stderr);
    return 2;
  }
  if (!o.crl_file.empty() && o.verify_client.empty()) {
    std::fputs("hs: --crlfile needs --verify-client CAFILE\n", stderr);
    return 2;
  }
  if (!o.verify_client.empty()) {
    // Only the CAs named: a client certificate is trusted for what this server decides, never
    // for the system's web PKI.
    TrustOptions trust;
    trust.ca_file = o.verify_client;
    trust.use_system_default = false;
    trust.purpose = CertificatePurpose::client;
    trust.crl_file = o.crl_file;
    auto verifier = make_default_verifier(trust);
    if (!verifier.ok()) {
      std::fprintf(stderr, "hs: --verify-client %s: %s\n", o.verify_client.c_str(),
                   verifier.error().message().c_str());
      return 2;
    }
    config->client_verifier = std::move(verifier).value();
    // With --post-handshake-auth nothing is asked in the handshake; ask_for_certificate asks
    // later (request_client_certificate) with the same request/require choice.
    config->client_auth = o.post_handshake_auth || !o.pha_paths.empty() ? ClientAuth::none
                          : o.require_client_cert                       ? ClientAuth::require
                                                                        : ClientAuth::request;
    auto names = client_ca_names_of(o.verify_client);
    if (names) {
      config->client_ca_names = std::move(*names);
    }
  }
  size_t colon = o.listen.rfind(':');
  if (colon == std::string::npos) {
    std::fputs("hs: --listen takes ADDRESS:PORT\n", stderr);
    return 2;
  }
  std::string address = o.listen.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  int port = std::atoi(o.listen.substr(colon + 1).c_str());
  if (port < 0 || port > 65535) {
    std::fputs("hs: bad port in --listen\n", stderr);
    return 2;
  }
  std::unique_ptr<JsonTraceFile> trace_json;
  if (!o.trace_json.empty()) {
    trace_json = JsonTraceFile::open(o.trace_json);
    if (!trace_json) {
      std::fprintf(stderr, "hs: cannot write --trace-json file %s\n", o.trace_json.c_str());
      return 2;
    }
  }
  HttpServer handler(o, trace_json.get());
  handler.set_html_keys(html_keys);
  if (!o.keymatexport.empty() || o.keymatexport_context) {
    if (o.keymatexport.empty()) {
      std::fputs("hs: --keymatexport-context needs --keymatexport LABEL\n", stderr);
      return 2;
    }
    auto keymat = make_keymat_export(o.keymatexport, o.keymatexportlen, o.keymatexport_context);
    if (!keymat.ok()) {
      std::fprintf(stderr, "hs: %s\n", keymat.error().detail().c_str());
      return 2;
    }
    handler.set_keymat(std::move(keymat).value());
  }
  io::ServerLoopOptions lopts;
  lopts.handshake_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(o.handshake_timeout * 1000));
  lopts.idle_timeout = std::chrono::milliseconds(static_cast<int64_t>(o.idle_timeout * 1000));
  lopts.max_connections = o.max_connections;
  if (!o.cert_dir.empty()) {
    if (o.offload_signing) {
      std::fputs("hs: --cert-dir certificates are signed in place: not with --offload-signing\n",
                 stderr);
      return 2;
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(o.cert_dir, ec)) {
      std::fprintf(stderr, "hs: --cert-dir %s is not a directory\n", o.cert_dir.c_str());
      return 2;
    }
    auto directory = std::make_shared<CertDirectory>(o.cert_dir, config, o.verbose);
    lopts.config_for_client = [directory](uint64_t /*session_id*/,
                                          const ClientHelloInfo& hello) -> io::ConfigChoice {
      return directory->config_for(hello);
    };
  }
  auto loop = io::ServerLoop::create(address, static_cast<uint16_t>(port), config, handler, lopts);
  if (!loop.ok()) {
    std::fprintf(stderr, "hs: %s\n", loop.error().message().c_str());
    return 2;
  }
  g_loop = loop->get();
  std::unique_ptr<OffloadSigner> offload_signer;
  if (o.offload_signing) {
    io::ServerLoop* target = loop->get();
    offload_signer = std::make_unique<OffloadSigner>(
        std::move(offloaded_keys), [target](uint64_t id, std::vector<uint8_t> signature) {
          target->provide_signature(id, std::move(signature));
        });
    handler.set_offload_signer(offload_signer.get());
  }
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  bool v6 = address.find(':') != std::string::npos;
  std::printf("listening on %s%s%s:%u\n", v6 ? "[" : "", address.c_str(), v6 ? "]" : "",
              static_cast<unsigned>((*loop)->port()));
  std::fflush(stdout);
  auto r = (*loop)->run();
  g_loop = nullptr;
  if (!r.ok()) {
    std::fprintf(stderr, "hs: %s\n", r.error().message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

std::function<int()> register_server(CLI::App& app) {
  auto opts = std::make_shared<ServerOptions>();
  CLI::App* sub = app.add_subcommand("server", "Serve HTTPS (like openssl s_server -www)");
  sub->add_option("--cert", opts->certs, "Certificate chain (PEM, leaf first); repeatable")
      ->required();
  sub->add_option("--key", opts->keys, "Private key (PEM) for the matching --cert")->required();
  sub->add_option("--ocsp-response", opts->ocsp_responses,
                  "OCSP response (DER, as openssl ocsp -respout writes it) stapled for the "
                  "matching --cert's leaf when the client asks (status_request); repeatable");
  sub->add_option("--cert-dir", opts->cert_dir,
                  "Certificates by server name (SNI), read when a client first asks: DIR/NAME.crt "
                  "and DIR/NAME.key (PEM); other names get the --cert ones");
  sub->add_option("--listen", opts->listen, "ADDRESS:PORT (port 0 picks a free one)");
  sub->add_option("--alpn", opts->alpn,
                  "ALPN protocols in preference order (default: h2,http/1.1)");
  sub->add_option("--curves", opts->curves, "Groups in preference order (X25519:P-256:P-384)");
  sub->add_option("--tls-max", opts->tls_max,
                  "Highest TLS version accepted (1.2 or 1.3; default 1.3), as openssl s_server "
                  "-no_tls1_3");
  sub->add_option("--root", opts->root, "Serve static files from DIR");
  sub->add_option("--redirect", opts->redirects,
                  "PATH=LOCATION: answer PATH with 302 Found to LOCATION (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--trace-svg", opts->trace_svg,
                  "Draw each connection's handshake as a ladder diagram (SVG): connection #1 "
                  "into FILE, #N into FILE-N");
  sub->add_option("--trace-html", opts->trace_html,
                  "Write each connection's handshake, every byte explained, as an HTML page: "
                  "connection #1 into FILE, #N into FILE-N (secret bytes only with SSLKEYLOGFILE)");
  sub->add_option("--max-early-data", opts->max_early_data,
                  "Accept TLS 1.3 0-RTT early data up to N bytes per resumed connection (default "
                  "0: off); each ticket's early data is accepted once per process");
  sub->add_flag("-v,--verbose", opts->verbose,
                "Print each connection's handshake (curl-style lines, prefixed #N) and its outcome "
                "to stderr");
  sub->add_option("--trace-json", opts->trace_json,
                  "Write every connection's events to FILE, one JSON object per line, each with "
                  "its \"connection\" id");
  sub->add_option("--handshake-timeout", opts->handshake_timeout,
                  "Seconds a client has to finish the handshake");
  sub->add_option("--idle-timeout", opts->idle_timeout, "Seconds before an idle connection closes");
  sub->add_option("--max-connections", opts->max_connections,
                  "Open connections served at once; more wait in the listen backlog (not refused) "
                  "until one closes")
      ->check(CLI::PositiveNumber);
  sub->add_option("--ticket-keys", opts->ticket_keys,
                  "Session ticket keys shared between servers (48 bytes per key, raw or hex; "
                  "first is current)");
  sub->add_flag("--offload-signing", opts->offload_signing,
                "Make the handshake signatures on a worker thread, as with a key behind a signing "
                "service (certified_key_for_offload)");
  sub->add_flag("--no-tickets", opts->no_tickets,
                "Issue and accept no session tickets (TLS 1.2 session IDs still resume)");
  auto* require_ems = sub->add_flag(
      "--require-ems", opts->require_ems,
      "TLS 1.2: refuse clients without the extended master secret (RFC 7627), such as Go "
      "before 1.21 and OpenSSL 1.0.2 (default: serve them with the legacy master secret, never "
      "resumed)");
  sub->add_flag("--allow-no-ems", opts->allow_no_ems,
                "TLS 1.2: serve clients without the extended master secret (the default; kept "
                "for scripts)")
      ->excludes(require_ems);
  sub->add_option("--verify-client", opts->verify_client,
                  "Ask for a client certificate and verify it against the CAs in CAFILE (PEM)");
  sub->add_flag("--require-client-cert", opts->require_client_cert,
                "Refuse clients without a certificate (needs --verify-client)");
  sub->add_option("--crlfile", opts->crl_file,
                  "Check client certificates for revocation against these CRLs (PEM): every "
                  "certificate of the client's chain needs one from its issuer, as openssl "
                  "s_server -CRL FILE -crl_check_all (needs --verify-client)");
  sub->add_option("--psk", opts->psks,
                  "TLS 1.3 external PSK IDENTITY:HEXKEY[:sha384] a client may use instead of our "
                  "certificate; repeatable");
  sub->add_flag("--psk-no-dhe", opts->psk_no_dhe,
                "Accept an external PSK without (EC)DHE (psk_ke) when the client offers only "
                "that: no forward secrecy");
  sub->add_flag("--post-handshake-auth", opts->post_handshake_auth,
                "Ask for the client certificate after the TLS 1.3 handshake, before answering "
                "the first HTTP/1.1 request (RFC 8446 4.6.2; needs --verify-client)");
  sub->add_option("--post-handshake-auth-path", opts->pha_paths,
                  "Ask after the handshake only when a request's path starts with PREFIX, "
                  "holding it until the answer is in, as Apache's per-location SSLVerifyClient; "
                  "other paths need no certificate (repeatable; needs --verify-client)");
  sub->add_option("--keymatexport", opts->keymatexport,
                  "Export keying material with LABEL from each connection and log it (RFC 5705, "
                  "RFC 8446 7.5; as openssl s_server -keymatexport)");
  sub->add_option("--keymatexportlen", opts->keymatexportlen,
                  "Bytes of keying material to export (default 20)")
      ->check(CLI::Range(size_t{1}, size_t{65535}));
  sub->add_option("--keymatexport-context", opts->keymatexport_context,
                  "Context value for --keymatexport, hex (\"\" is an empty context)");
  sub->add_option("--record-size-limit", opts->record_size_limit,
                  "RFC 8449 limit answered to clients that offer one (64..16385; 0: none)")
      ->check(CLI::Range(0, 16385));
  sub->add_option("--key-update-after", opts->key_update_after_records,
                  "TLS 1.3: send a KeyUpdate after N records under one key (default 2^24)")
      ->check(CLI::Range(uint64_t{1}, UINT64_MAX));
  return [opts]() { return run_server(*opts); };
}

}  // namespace hs::tool

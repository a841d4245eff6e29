// hs dissect FILE.pcap|FILE.pcapng [--keylog FILE] [--port N] [--json] [--trace-svg FILE]
// [--trace-html FILE]: each TCP connection of a capture as the article draws it, decoded with
// the library's own codecs and, with an NSS key log, decrypted; --trace-html writes one page
// explaining every byte of every TLS connection (src/dissect/html_report.h). hs dissect -i IFACE
// [-c N] [--duration S] ...: the same, live, each connection printed when it ends (and the rest
// when the capture stops). The capture logic lives in src/dissect; this file opens the files and
// prints.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "crypto/provider.h"
#include "dissect/dissector.h"
#include "dissect/html_report.h"
#include "dissect/keylog_file.h"
#include "dissect/ladder_report.h"
#include "dissect/live_dissector.h"
#include "dissect/pcap_source.h"
#include "dissect/render.h"
#include "subcommands.h"
#include "trace_file.h"
#include "trace_svg.h"

namespace hs::tool {

namespace {

struct DissectOptions {
  std::string capture;
  std::string interface;  // -i: capture live instead of reading `capture`
  int count = 0;          // -c: stop after this many frames (0: no limit)
  double duration = 0;    // --duration: stop after this many seconds (0: no limit)
  std::string keylog;
  int port = 0;
  bool json = false;
  // --trace-svg FILE: one ladder diagram per TLS connection; the first writes FILE, connection
  // N (as numbered in the output) FILE with "-N" before its extension.
  std::string trace_svg;
  // --trace-html FILE: one page for the whole capture, a section per TLS connection.
  std::string trace_html;
};

// write_html_page writes the --trace-html page of `reports`; false (with a message) when the
// file cannot be written.
bool write_html_page(const DissectOptions& o, const std::vector<dissect::ConnectionReport>& reports,
                     const dissect::KeyLogFile* keys, std::vector<std::string> capture_notes) {
  std::string title = "hs dissect " + (o.capture.empty() ? "-i " + o.interface : o.capture);
  if (!o.keylog.empty()) {
    title += " --keylog " + o.keylog;
  }
  return write_trace_page(
      "--trace-html", o.trace_html,
      trace::render_html_page(dissect::html_page_from_reports(std::move(title), reports, keys,
                                                              o.keylog, std::move(capture_notes))));
}

// print_reports prints each connection and, with --trace-svg, draws each TLS connection's
// ladder: the first (`first_svg` remembers which) into FILE, connection N into FILE-N. False when
// a diagram could not be written.
bool print_reports(const DissectOptions& o, const std::vector<dissect::ConnectionReport>& reports,
                   std::optional<size_t>& first_svg) {
  bool written = true;
  for (const auto& r : reports) {
    if (o.trace_svg.empty() || !r.tls) {
      continue;
    }
    first_svg = first_svg.value_or(r.index);
    written = write_trace_svg(trace::ladder_file_name(o.trace_svg, r.index, *first_svg),
                              dissect::ladder_from_report(r)) &&
              written;
  }
  for (const auto& r : reports) {
    if (o.json) {
      std::printf("%s\n", dissect::render_json(r).c_str());
    } else {
      std::printf("%s\n", dissect::render_text(r).c_str());
    }
  }
  std::fflush(stdout);
  return written;
}

// read_keylog reads the key log as it is now; nullopt when it cannot be read (yet).
std::optional<dissect::KeyLogFile> read_keylog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return dissect::KeyLogFile::parse(text.str());
}

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_dissect_stop_signal(int /*sig*/) { g_stop = 1; }

// run_live captures on o.interface until -c frames, --duration seconds, or SIGINT/SIGTERM.
// The key log is read again for each connection as it ends: the endpoints write their lines
// during the handshake, while the capture runs.
int run_live(const DissectOptions& o) {
  dissect::LiveCaptureOptions lo;
  lo.interface = o.interface;
  if (o.port > 0) {
    lo.port = static_cast<uint16_t>(o.port);
  }
  std::string error;
  std::unique_ptr<dissect::PacketSource> source = dissect::open_live_capture(lo, error);
  if (!source) {
    std::fprintf(stderr, "hs: cannot capture on %s: %s\n", o.interface.c_str(), error.c_str());
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = on_dissect_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::fprintf(stderr, "hs: capturing on %s (%s); stop with Ctrl-C\n", o.interface.c_str(),
               lo.port ? ("tcp port " + std::to_string(*lo.port)).c_str() : "tcp");
  std::fflush(stderr);

  dissect::LiveDissector live(source->link_type(), crypto::default_provider(), lo.port);
  live.set_keep_bytes(!o.trace_html.empty());
  std::vector<dissect::ConnectionReport> all;  // --trace-html: the page is written at the end
  auto keep_for_page = [&](std::vector<dissect::ConnectionReport> reports) {
    if (!o.trace_html.empty()) {
      all.insert(all.end(), std::make_move_iterator(reports.begin()),
                 std::make_move_iterator(reports.end()));
    }
  };
  auto keys = [&o]() -> std::optional<dissect::KeyLogFile> {
    return o.keylog.empty() ? std::nullopt : read_keylog(o.keylog);
  };
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  std::optional<size_t> first_svg;  // --trace-svg numbering
  dissect::Frame frame;
  while (g_stop == 0) {
    if (o.count > 0 && live.frames() >= static_cast<size_t>(o.count)) {
      break;
    }
    if (o.duration > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >=
            o.duration) {
      break;
    }
    dissect::PacketSource::Status st = source->next(frame);
    if (st == dissect::PacketSource::Status::timeout) {
      continue;
    }
    if (st != dissect::PacketSource::Status::frame) {
      if (st == dissect::PacketSource::Status::error) {
        std::fprintf(stderr, "hs: capture on %s failed: %s\n", o.interface.c_str(),
                     source->error_message().c_str());
        status = 1;
      }
      break;
    }
    live.add_frame(frame.data, frame.time);
    if (live.completed()) {
      auto k = keys();
      std::vector<dissect::ConnectionReport> done = live.take_completed(k ? &*k : nullptr);
      if (!print_reports(o, done, first_svg)) {
        status = 1;
      }
      keep_for_page(std::move(done));
    }
  }
  auto k = keys();
  if (!o.keylog.empty() && !k) {
    std::fprintf(stderr, "hs: %s: cannot read the key log\n", o.keylog.c_str());
  }
  std::vector<dissect::ConnectionReport> rest = live.finish(k ? &*k : nullptr);
  if (!print_reports(o, rest, first_svg)) {
    status = 1;
  }
  keep_for_page(std::move(rest));
  // The page names the key log lines of the key log as it is now, the last one read.
  if (!o.trace_html.empty() && !write_html_page(o, all, k ? &*k : nullptr, {})) {
    status = 1;
  }
  if (!o.json) {
    std::printf("%zu frames, %zu TCP connections\n", live.frames(), live.connections());
  }
  return status;
}

int run_dissect(const DissectOptions& o) {
  if (o.capture.empty() == o.interface.empty()) {
    std::fputs("hs: dissect takes a capture file or -i INTERFACE (one of them)\n", stderr);
    return 2;
  }
  if (!o.interface.empty()) {
    return run_live(o);
  }
  if (o.count > 0 || o.duration > 0) {
    std::fputs("hs: -c and --duration are for live captures (-i)\n", stderr);
    return 2;
  }
  std::optional<dissect::KeyLogFile> keys;
  if (!o.keylog.empty()) {
    std::ifstream in(o.keylog, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "hs: %s: cannot read the key log\n", o.keylog.c_str());
      return 2;
    }
    std::ostringstream text;
    text << in.rdbuf();
    keys = dissect::KeyLogFile::parse(text.str());
    if (keys->malformed_lines() > 0) {
      std::fprintf(stderr, "hs: %s: %zu malformed key log lines skipped\n", o.keylog.c_str(),
                   keys->malformed_lines());
    }
  }
  std::string error;
  std::unique_ptr<dissect::PacketSource> source = dissect::open_capture_file(o.capture, error);
  if (!source) {
    std::fprintf(stderr, "hs: %s: cannot read the capture: %s\n", o.capture.c_str(), error.c_str());
    return 2;
  }
  std::optional<uint16_t> port;
  if (o.port > 0) {
    port = static_cast<uint16_t>(o.port);
  }
  dissect::Dissector dissector(source->link_type(), keys ? &*keys : nullptr,
                               crypto::default_provider(), port);
  dissector.set_keep_bytes(!o.trace_html.empty());
  dissect::Frame frame;
  bool damaged = false;
  std::vector<std::string> capture_notes;  // --trace-html: where the capture breaks
  while (true) {
    dissect::PacketSource::Status st = source->next(frame);
    if (st == dissect::PacketSource::Status::end) {
      break;
    }
    if (st == dissect::PacketSource::Status::error) {
      damaged = true;
      std::fprintf(stderr,
                   "hs: %s: the capture is damaged after frame %zu (%s); showing what was "
                   "decoded before it\n",
                   o.capture.c_str(), dissector.frames(), source->error_message().c_str());
      capture_notes.push_back("The capture is damaged after frame " +
                              std::to_string(dissector.frames()) + " (" + source->error_message() +
                              "): this page shows what was decoded before it.");
      break;
    }
    dissector.add_frame(frame.data, frame.time);
  }
  std::vector<dissect::ConnectionReport> reports = dissector.finish();
  std::optional<size_t> first_svg;
  if (!print_reports(o, reports, first_svg)) {
    damaged = true;
  }
  if (!o.trace_html.empty() &&
      !write_html_page(o, reports, keys ? &*keys : nullptr, std::move(capture_notes))) {
    damaged = true;
  }
  if (!o.json) {
    std::printf("%zu frames, %zu TCP connections\n", dissector.frames(), reports.size());
  }
  return damaged ? 1 : 0;
}

}  // namespace

std::function<int()> register_dissect(CLI::App& app) {
  auto opts = std::make_shared<DissectOptions>();
  CLI::App* sub = app.add_subcommand(
      "dissect",
      "Show the TLS connections of a capture (pcap/pcapng file, or live with -i), decrypted with "
      "a key log");
  sub->add_option("capture", opts->capture, "Capture file (pcap or pcapng)");
  sub->add_option("-i,--interface", opts->interface,
                  "Capture live on this interface (lo, eth0, any); needs root or "
                  "CAP_NET_RAW+CAP_NET_ADMIN. Each connection is shown when it ends");
  sub->add_option("-c,--count", opts->count, "Live: stop after N packets")
      ->check(CLI::PositiveNumber);
  sub->add_option("--duration", opts->duration, "Live: stop after S seconds")
      ->check(CLI::PositiveNumber);
  sub->add_option("--keylog", opts->keylog,
                  "NSS key log (SSLKEYLOGFILE) to decrypt with; live, it is read again as each "
                  "connection ends");
  sub->add_option("--port", opts->port,
                  "Only TCP connections with this port (live: the capture filter)")
      ->check(CLI::Range(1, 65535));
  sub->add_flag("--json", opts->json, "One JSON object per connection");
  sub->add_option("--trace-svg", opts->trace_svg,
                  "Draw each TLS connection as a ladder diagram (SVG): the first into FILE, "
                  "connection N into FILE-N");
  sub->add_option("--trace-html", opts->trace_html,
                  "Write one page explaining every byte of every TLS connection (HTML): records "
                  "of both directions, decrypted messages where the key log opens them, "
                  "certificates, key-log lines used; live (-i), written when the capture stops");
  return [opts]() { return run_dissect(*opts); };
}

}  // namespace hs::tool

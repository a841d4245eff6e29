// hs dissect FILE.pcap|FILE.pcapng [--keylog FILE] [--port N] [--json]: each TCP connection of a
// capture as the article draws it, decoded with the library's own codecs and, with an NSS key
// log, decrypted. The capture logic lives in src/dissect; this file opens the files and prints.
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "crypto/provider.h"
#include "dissect/dissector.h"
#include "dissect/keylog_file.h"
#include "dissect/pcap_source.h"
#include "dissect/render.h"
#include "subcommands.h"

namespace hs::tool {

namespace {

struct DissectOptions {
  std::string capture;
  std::string keylog;
  int port = 0;
  bool json = false;
};

int run_dissect(const DissectOptions& o) {
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
  dissect::Frame frame;
  bool damaged = false;
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
      break;
    }
    dissector.add_frame(frame.data, frame.time);
  }
  std::vector<dissect::ConnectionReport> reports = dissector.finish();
  for (const auto& r : reports) {
    if (o.json) {
      std::printf("%s\n", dissect::render_json(r).c_str());
    } else {
      std::printf("%s\n", dissect::render_text(r).c_str());
    }
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
      "dissect", "Show the TLS connections of a capture (pcap/pcapng), decrypted with a key log");
  sub->add_option("capture", opts->capture, "Capture file (pcap or pcapng)")->required();
  sub->add_option("--keylog", opts->keylog, "NSS key log (SSLKEYLOGFILE) to decrypt with");
  sub->add_option("--port", opts->port, "Only TCP connections with this port")
      ->check(CLI::Range(1, 65535));
  sub->add_flag("--json", opts->json, "One JSON object per connection");
  return [opts]() { return run_dissect(*opts); };
}

}  // namespace hs::tool

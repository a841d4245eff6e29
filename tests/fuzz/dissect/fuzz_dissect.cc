// Fuzz target: the capture path of `hs dissect` after libpcap: link-layer, IPv4/IPv6 and TCP
// parsing, TCP reassembly per direction, TLS record framing, handshake decoding and the key-log
// driven decryption (0-RTT included), through the file path or (byte 0 & 0x40) the live path that
// holds each connection until it ends. Byte 0 picks the link type; the rest is a list of frames,
// each a 16-bit big-endian length and the frame bytes. A fixed key log holds secrets for the
// all-zero client random, so inputs with such a ClientHello reach the decryption code. Seeds:
// tests/fuzz/dissect/make_seeds.py (frames of real loopback captures, reordered, duplicated and
// cut). With byte 0 & 0x20 the live path also keeps each record's bytes and renders the
// `hs dissect --trace-html` page (src/dissect/html_report.h), X.509 parsing of certificates
// included.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crypto/testing/testing_provider.h"
#include "dissect/dissector.h"
#include "dissect/html_report.h"
#include "dissect/keylog_file.h"
#include "dissect/live_dissector.h"
#include "dissect/render.h"

namespace {

const hs::dissect::KeyLogFile& fuzz_keylog() {
  static const hs::dissect::KeyLogFile log = [] {
    const std::string zero_random(64, '0');
    std::string text;
    text += "CLIENT_RANDOM " + zero_random + " " + std::string(96, '1') + "\n";
    for (const char* label : {"CLIENT_EARLY_TRAFFIC_SECRET", "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                              "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
                              "SERVER_TRAFFIC_SECRET_0"}) {
      text += std::string(label) + " " + zero_random + " " + std::string(64, '2') + "\n";
    }
    return hs::dissect::KeyLogFile::parse(text);
  }();
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) {
    return 0;
  }
  const std::span<const uint8_t> input(data, size);
  static constexpr hs::dissect::LinkType kLinks[] = {
      hs::dissect::LinkType::ethernet, hs::dissect::LinkType::raw, hs::dissect::LinkType::null,
      hs::dissect::LinkType::linux_sll, hs::dissect::LinkType::linux_sll2};
  const hs::dissect::LinkType link = kLinks[input[0] % 5];
  std::vector<std::span<const uint8_t>> frames;
  auto rest = input.subspan(1);
  while (rest.size() >= 2) {
    const size_t n = (static_cast<size_t>(rest[0]) << 8) | rest[1];
    rest = rest.subspan(2);
    const size_t take = n < rest.size() ? n : rest.size();
    frames.push_back(rest.first(take));
    rest = rest.subspan(take);
  }
  static const hs::crypto::TestingProvider provider;
  const bool with_keys = (input[0] & 0x80) == 0;
  const hs::dissect::KeyLogFile* keys = with_keys ? &fuzz_keylog() : nullptr;
  std::vector<hs::dissect::ConnectionReport> reports;
  const bool html = (input[0] & 0x60) == 0x60;  // the live path, with the page
  if ((input[0] & 0x40) == 0) {
    reports = hs::dissect::dissect_frames(link, frames, keys, provider);
  } else {
    // The live path: frames kept per connection, each dissected when it ends.
    hs::dissect::LiveDissector live(link, provider, std::nullopt, 1 << 16);
    live.set_keep_bytes(html);
    double t = 0;
    for (auto frame : frames) {
      live.add_frame(frame, t);
      t += 0.001;
      if (live.completed()) {
        for (auto& r : live.take_completed(keys)) {
          reports.push_back(std::move(r));
        }
      }
    }
    for (auto& r : live.finish(keys)) {
      reports.push_back(std::move(r));
    }
  }
  for (const auto& r : reports) {
    (void)hs::dissect::render_text(r);
    (void)hs::dissect::render_json(r);
  }
  if (html) {
    (void)hs::trace::render_html_page(
        hs::dissect::html_page_from_reports("fuzz", reports, keys, "keys.log", {}));
  }
  return 0;
}

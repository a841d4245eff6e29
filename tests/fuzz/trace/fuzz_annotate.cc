// Fuzz target: the field annotator (src/trace/annotate.h) and the --trace-html page built on it.
// The first byte picks what the rest is: bit 0 the sender (client), bit 1 the version (TLS 1.3),
// bits 2-3 the content type (handshake, alert, change_cipher_spec, or a record header followed
// by a ciphertext fragment). Whatever the bytes, every one must be covered by exactly one leaf,
// and the page must render.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "trace/annotate.h"
#include "trace/html_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  std::span<const uint8_t> in(data, size);
  const uint8_t flags = in[0];
  std::span<const uint8_t> bytes = in.subspan(1);
  const bool from_client = (flags & 1) != 0;
  const uint16_t version = (flags & 2) != 0 ? 0x0304 : 0x0303;
  const hs::trace::MessageContext ctx{from_client, version};
  static constexpr uint8_t kTypes[] = {22, 21, 20};
  const unsigned selector = (flags >> 2) & 3;
  if (selector == 3) {
    std::span<const uint8_t> header = bytes.first(bytes.size() < 5 ? bytes.size() : 5);
    std::span<const uint8_t> fragment = bytes.subspan(header.size());
    if (!hs::trace::leaves_cover_exactly(hs::trace::annotate_record_header(header, true),
                                         header.size()) ||
        !hs::trace::leaves_cover_exactly(
            hs::trace::annotate_ciphertext(fragment, (flags & 16) != 0), fragment.size())) {
      std::abort();
    }
    return 0;
  }
  const uint8_t content_type = kTypes[selector];
  if (!hs::trace::leaves_cover_exactly(hs::trace::annotate_message(content_type, bytes, ctx),
                                       bytes.size())) {
    std::abort();
  }
  // The page over the same bytes, as a message our side sent or received.
  hs::trace::HtmlTraceRenderer page("fuzz");
  const auto now = std::chrono::steady_clock::now();
  const hs::Direction dir = from_client ? hs::Direction::out : hs::Direction::in;
  page.on_event({now, hs::RecordEvent{dir, content_type, 0x0303,
                                      static_cast<uint16_t>(bytes.size() & 0xFFFF), bytes}});
  page.on_event({now, hs::MessageEvent{dir, content_type, bytes.empty() ? uint8_t{0} : bytes[0],
                                       version, bytes, (flags & 32) != 0}});
  (void)page.render();
  return 0;
}

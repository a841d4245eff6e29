// PacketSource: the frames of a capture, one at a time, behind a small interface so the
// dissector never sees libpcap (and tests can feed frames they built).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "dissect/packet.h"

namespace hs::dissect {

// Frame is one captured frame; `data` stays valid until the next call to next().
struct Frame {
  double time = 0;  // seconds since the epoch
  std::span<const uint8_t> data;
  uint32_t original_length = 0;  // on the wire; larger than data.size() when cut by the snaplen
};

class PacketSource {
 public:
  // timeout: a live capture saw no frame within its read timeout (the caller checks its stop
  // conditions and asks again); files never return it.
  enum class Status : uint8_t { frame, end, error, timeout };
  virtual ~PacketSource() = default;
  virtual LinkType link_type() const = 0;
  // next reads the next frame. `error` means the capture is damaged from here on (a truncated
  // file, say); error_message() says what libpcap reported. Frames before it stay valid.
  virtual Status next(Frame& frame) = 0;
  virtual const std::string& error_message() const = 0;
};

// open_capture_file opens a pcap or pcapng file with libpcap. On failure returns null and sets
// `error` (the file is missing, not a capture, or of a link type we cannot read).
std::unique_ptr<PacketSource> open_capture_file(const std::string& path, std::string& error);

// LiveCaptureOptions says what open_live_capture listens to.
struct LiveCaptureOptions {
  std::string interface;         // "lo", "eth0", "any"
  std::optional<uint16_t> port;  // BPF filter "tcp port N"; without it "tcp"
  int read_timeout_ms = 100;     // how long next() waits before returning Status::timeout
};

// open_live_capture captures on an interface (pcap_create, immediate mode so each frame comes
// as soon as it is seen, pcap_activate, then the BPF filter). On failure returns null and sets
// `error` to a sentence naming the cause: no such interface, no permission to capture (root or
// the CAP_NET_RAW and CAP_NET_ADMIN capabilities are needed), interface down, a link type we
// cannot read. Implemented in pcap_live.cc.
std::unique_ptr<PacketSource> open_live_capture(const LiveCaptureOptions& options,
                                                std::string& error);

}  // namespace hs::dissect

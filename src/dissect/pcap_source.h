// PacketSource: the frames of a capture, one at a time, behind a small interface so the
// dissector never sees libpcap (and tests can feed frames they built).
#pragma once

#include <cstdint>
#include <memory>
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
  enum class Status : uint8_t { frame, end, error };
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

}  // namespace hs::dissect

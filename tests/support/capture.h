// LoopbackCapture: dumpcap recording one TCP port on the loopback interface, for tests that check
// what went over the wire (key-log decryption with tshark, `hs dissect`).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "support/process.h"

namespace hs::test {

// LoopbackCapture starts `dumpcap -i lo -f "tcp port PORT or udp dst port PORT+1" -w FILE`
// (pcapng) and waits until it is capturing, proved by an empty UDP probe datagram to PORT+1
// showing up in the file (ready() is false when none does within 10 s; output() says why:
// usually not being root or dumpcap missing). The capture thus holds a few UDP probes besides
// the TCP connection, which TCP and TLS dissection ignore. stop() waits until the file stops
// growing, so the last segments of a conversation that has just ended are in it, then ends dumpcap
// with SIGTERM, which makes it flush and close the file. The destructor stops it too.
class LoopbackCapture {
 public:
  LoopbackCapture(std::filesystem::path file, uint16_t port);
  ~LoopbackCapture();
  LoopbackCapture(const LoopbackCapture&) = delete;
  LoopbackCapture& operator=(const LoopbackCapture&) = delete;

  bool ready() const { return ready_; }
  const std::filesystem::path& file() const { return file_; }
  // stop returns dumpcap's exit code (0 when it stopped cleanly on SIGTERM).
  int stop();
  std::string output() const { return process_->output(); }

 private:
  std::filesystem::path file_;
  std::unique_ptr<Process> process_;
  bool ready_ = false;
  bool stopped_ = false;
  int exit_code_ = -1;
};

}  // namespace hs::test

#include "support/capture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <system_error>
#include <thread>
#include <vector>

namespace hs::test {

namespace {

uintmax_t size_of(const std::filesystem::path& file) {
  std::error_code ec;
  uintmax_t n = std::filesystem::file_size(file, ec);
  return ec ? 0 : n;
}

// send_probe sends one empty UDP datagram to 127.0.0.1:port (nobody needs to listen: the packet
// crosses the loopback interface either way).
void send_probe(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    return;
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)::sendto(fd, "", 0, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  ::close(fd);
}

}  // namespace

LoopbackCapture::LoopbackCapture(std::filesystem::path file, uint16_t port)
    : file_(std::move(file)) {
  // The filter also takes UDP datagrams to a probe port. dumpcap prints "Capturing on" before
  // it has opened the interface, so that line is no sign of readiness; instead we send probe
  // datagrams until one shows up in the file. A packet that made it into the capture proves the
  // socket and the filter are in place, so everything the test sends afterwards is captured.
  // Tools reading the capture ignore the probes (they are not TCP).
  uint16_t probe_port = port == 65535 ? 65534 : static_cast<uint16_t>(port + 1);
  process_ = std::make_unique<Process>(std::vector<std::string>{
      "dumpcap", "-q", "-i", "lo", "-f",
      "tcp port " + std::to_string(port) + " or udp dst port " + std::to_string(probe_port), "-w",
      file_.string()});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  uintmax_t first_size = 0;
  while (std::chrono::steady_clock::now() < deadline && process_->running()) {
    uintmax_t now = size_of(file_);
    if (first_size == 0) {
      first_size = now;  // the section header (and perhaps a probe) has been written
    } else if (now > first_size) {
      ready_ = true;  // a probe sent after the header was captured
      return;
    }
    send_probe(probe_port);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

LoopbackCapture::~LoopbackCapture() { stop(); }

int LoopbackCapture::stop() {
  if (stopped_) {
    return exit_code_;
  }
  stopped_ = true;
  // dumpcap writes what it has read at its update interval (100 ms by default); wait until the
  // file has not grown for three of them, at most 3 s.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  uintmax_t last = size_of(file_);
  auto stable_since = std::chrono::steady_clock::now();
  while (ready_ && std::chrono::steady_clock::now() < deadline &&
         std::chrono::steady_clock::now() - stable_since < std::chrono::milliseconds(300)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    uintmax_t now = size_of(file_);
    if (now != last) {
      last = now;
      stable_since = std::chrono::steady_clock::now();
    }
  }
  exit_code_ = process_->stop(std::chrono::seconds(5));
  return exit_code_;
}

}  // namespace hs::test

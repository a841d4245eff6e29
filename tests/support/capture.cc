#include "support/capture.h"

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

}  // namespace

LoopbackCapture::LoopbackCapture(std::filesystem::path file, uint16_t port)
    : file_(std::move(file)) {
  process_ = std::make_unique<Process>(std::vector<std::string>{
      "dumpcap", "-q", "-i", "lo", "-f", "tcp port " + std::to_string(port), "-w", file_.string()});
  // dumpcap prints "Capturing on 'Loopback: lo'" once the filter is installed and the socket
  // is reading, so a packet sent after this line is in the capture.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline && process_->running()) {
    if (process_->stderr_text().find("Capturing on") != std::string::npos) {
      ready_ = true;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
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

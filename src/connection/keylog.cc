// The NSS key-log line format and the SSLKEYLOGFILE sink.
#include <hs/keylog.h>

#include <cstdio>
#include <mutex>

#include "common/hex.h"

namespace hs {

namespace {

// KeyLogFile appends one line per secret and flushes it at once, so a capture tool reading the
// file sees the keys while the connection is still running.
class KeyLogFile final : public KeyLogSink {
 public:
  explicit KeyLogFile(std::FILE* f) : file_(f) {}
  ~KeyLogFile() override { std::fclose(file_); }
  KeyLogFile(const KeyLogFile&) = delete;
  KeyLogFile& operator=(const KeyLogFile&) = delete;

  void log(std::string_view label, std::span<const uint8_t> client_random,
           std::span<const uint8_t> secret) override {
    std::string line = format_key_log_line(label, client_random, secret);
    line.push_back('\n');
    std::lock_guard<std::mutex> lock(mu_);
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
  }

 private:
  std::FILE* file_;
  std::mutex mu_;
};

}  // namespace

std::string format_key_log_line(std::string_view label, std::span<const uint8_t> client_random,
                                std::span<const uint8_t> secret) {
  std::string line;
  line.reserve(label.size() + 2 + 2 * (client_random.size() + secret.size()));
  line.append(label);
  line.push_back(' ');
  append_hex(line, client_random);
  line.push_back(' ');
  append_hex(line, secret);
  return line;
}

std::unique_ptr<KeyLogSink> open_key_log_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) {
    return nullptr;
  }
  return std::make_unique<KeyLogFile>(f);
}

}  // namespace hs

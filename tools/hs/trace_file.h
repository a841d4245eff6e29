// JsonTraceFile: `--trace-json FILE` for a command that traces many connections into one file
// (`hs server`): one JSON object per event, rendered by trace::JsonTraceRenderer, each naming
// its connection, all timed from when the file was opened.
#pragma once

#include <hs/events.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hs::tool {

// write_trace_page writes one whole rendered trace (an SVG ladder, an HTML page) to `path`, for
// every --trace-* option of every subcommand. On failure it prints "hs: cannot write OPTION
// file PATH" to stderr and returns false.
bool write_trace_page(std::string_view option, const std::string& path, std::string_view page);

class JsonTraceFile {
 public:
  // open creates (or truncates) `path`; null when it cannot be written. Lines are flushed as
  // they are written, so the file can be read while the server runs.
  static std::unique_ptr<JsonTraceFile> open(const std::string& path);

  // renderer returns the observer for connection `id`. The file must outlive it.
  std::unique_ptr<Observer> renderer(uint64_t id);

 private:
  explicit JsonTraceFile(std::FILE* file) : file_(file, &std::fclose) {}

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// OwnedTee passes every event to each observer it owns, in order.
class OwnedTee : public Observer {
 public:
  explicit OwnedTee(std::vector<std::unique_ptr<Observer>> observers)
      : observers_(std::move(observers)) {}
  void on_event(const Event& event) override {
    for (const auto& o : observers_) {
      o->on_event(event);
    }
  }

 private:
  std::vector<std::unique_ptr<Observer>> observers_;
};

}  // namespace hs::tool

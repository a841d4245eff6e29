// curl's progress meter (lib/progress.c in curl 7.88), shown on stderr while a body is written to
// a file with -o/-O.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace hs::tool {

// ProgressMeter prints curl's two header lines at start(), one "\r"-led status line at most once
// per second from update(), and a last status line ended by "\n" from finish().
class ProgressMeter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ProgressMeter(std::FILE* out) : out_(out) {}

  void start(Clock::time_point now);
  // expect sets the body size announced by Content-Length (the "% Total" column's base).
  void expect(uint64_t total) { expected_ = total; }
  // update records `downloaded` body bytes so far and redraws when a second has passed.
  void update(uint64_t downloaded, Clock::time_point now);
  // finish draws the final line; later calls do nothing.
  void finish(Clock::time_point now);

  // line renders one status line (without the leading '\r') for `downloaded` bytes out of
  // `expected` after `elapsed`, with `current_speed` bytes/s; public for the unit test.
  static std::string line(uint64_t downloaded, std::optional<uint64_t> expected,
                          std::chrono::microseconds elapsed, uint64_t current_speed);
  // max5 is curl's max5data: a byte count in five columns ("12345", " 123k", "12.3M").
  static std::string max5(uint64_t bytes);
  // time_text is curl's time2str: "--:--:--", " 0:01:02" or "  3d 04h".
  static std::string time_text(int64_t seconds);

 private:
  void draw(Clock::time_point now);

  std::FILE* out_;
  bool started_ = false;
  bool finished_ = false;
  Clock::time_point start_{};
  Clock::time_point last_draw_{};
  std::optional<uint64_t> expected_;
  uint64_t downloaded_ = 0;
  // For the "Current Speed" column: the byte count a second or more ago.
  Clock::time_point speed_mark_{};
  uint64_t speed_mark_bytes_ = 0;
  uint64_t current_speed_ = 0;
};

}  // namespace hs::tool

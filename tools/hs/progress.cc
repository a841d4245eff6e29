// curl's progress meter, column for column (curl 7.88 lib/progress.c: progress_meter, max5data,
// time2str).
#include "progress.h"

#include <fmt/core.h>

namespace hs::tool {

namespace {

constexpr uint64_t kKilo = 1024;
constexpr uint64_t kMega = 1024 * kKilo;
constexpr uint64_t kGiga = 1024 * kMega;
constexpr uint64_t kTera = 1024 * kGiga;

uint64_t speed_of(uint64_t bytes, std::chrono::microseconds elapsed) {
  // curl divides by at least a millisecond.
  const double secs = static_cast<double>(std::max<int64_t>(elapsed.count(), 1000)) / 1e6;
  return static_cast<uint64_t>(static_cast<double>(bytes) / secs);
}

uint64_t percent(uint64_t part, uint64_t whole) {
  if (whole > 10000) {
    return part / (whole / 100);
  }
  return whole > 0 ? part * 100 / whole : 0;
}

}  // namespace

std::string ProgressMeter::max5(uint64_t bytes) {
  if (bytes < 100000) {
    return fmt::format("{:5}", bytes);
  }
  if (bytes < 10000 * kKilo) {
    return fmt::format("{:4}k", bytes / kKilo);
  }
  if (bytes < 100 * kMega) {
    return fmt::format("{:2}.{}M", bytes / kMega, (bytes % kMega) / (kMega / 10));
  }
  if (bytes < 10000 * kMega) {
    return fmt::format("{:4}M", bytes / kMega);
  }
  if (bytes < 100 * kGiga) {
    return fmt::format("{:2}.{}G", bytes / kGiga, (bytes % kGiga) / (kGiga / 10));
  }
  if (bytes < 10000 * kGiga) {
    return fmt::format("{:4}G", bytes / kGiga);
  }
  if (bytes < 10000 * kTera) {
    return fmt::format("{:4}T", bytes / kTera);
  }
  return fmt::format("{:4}P", bytes / (1024 * kTera));
}

std::string ProgressMeter::time_text(int64_t seconds) {
  if (seconds <= 0) {
    return "--:--:--";
  }
  int64_t h = seconds / 3600;
  if (h <= 99) {
    const int64_t m = (seconds - h * 3600) / 60;
    const int64_t s = seconds - h * 3600 - m * 60;
    return fmt::format("{:2}:{:02}:{:02}", h, m, s);
  }
  const int64_t d = seconds / 86400;
  h = (seconds - d * 86400) / 3600;
  if (d <= 999) {
    return fmt::format("{:3}d {:02}h", d, h);
  }
  return fmt::format("{:7}d", d);
}

std::string ProgressMeter::line(uint64_t downloaded, std::optional<uint64_t> expected,
                                std::chrono::microseconds elapsed, uint64_t current_speed) {
  const uint64_t dlspeed = speed_of(downloaded, elapsed);
  const int64_t spent = elapsed.count() / 1000000;
  int64_t estimate = 0;
  uint64_t dl_percent = 0;
  if (expected && dlspeed > 0) {
    estimate = static_cast<int64_t>(*expected / dlspeed);
    dl_percent = percent(downloaded, *expected);
  }
  const uint64_t total = expected ? *expected : downloaded;
  return fmt::format("{:3} {}  {:3} {}  {:3} {}  {}  {} {} {} {} {}", percent(downloaded, total),
                     max5(total), dl_percent, max5(downloaded), 0, max5(0), max5(dlspeed), max5(0),
                     time_text(estimate), time_text(spent),
                     time_text(estimate > 0 ? estimate - spent : 0), max5(current_speed));
}

void ProgressMeter::start(Clock::time_point now) {
  if (started_) {
    return;
  }
  started_ = true;
  start_ = now;
  speed_mark_ = now;
  std::fputs(
      "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
      "                                 Dload  Upload   Total   Spent    Left  Speed\n",
      out_);
  draw(now);
}

void ProgressMeter::update(uint64_t downloaded, Clock::time_point now) {
  downloaded_ = downloaded;
  if (!started_ || finished_ || now - last_draw_ < std::chrono::seconds(1)) {
    return;
  }
  draw(now);
}

void ProgressMeter::finish(Clock::time_point now) {
  if (!started_ || finished_) {
    return;
  }
  draw(now);
  std::fputc('\n', out_);
  std::fflush(out_);
  finished_ = true;
}

void ProgressMeter::draw(Clock::time_point now) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  // The current speed: over the last second or more (the whole transfer until a second passed).
  const auto window = duration_cast<microseconds>(now - speed_mark_);
  current_speed_ = speed_of(downloaded_ - speed_mark_bytes_, window);
  if (window >= std::chrono::seconds(1)) {
    speed_mark_ = now;
    speed_mark_bytes_ = downloaded_;
  }
  last_draw_ = now;
  const std::string text = "\r" + line(downloaded_, expected_,
                                       duration_cast<microseconds>(now - start_), current_speed_);
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
}

}  // namespace hs::tool

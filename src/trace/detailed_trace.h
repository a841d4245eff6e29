// DetailedTraceRenderer: the `-vv` view. Every message is shown with every field decoded
// (randoms, session id, offered and chosen suites, each extension through the src/messages
// parsers, key share group, signature scheme), plus states, key changes, notes, alerts, record
// headers, and timings per flight. Unlike curl it names messages truthfully ("Server hello done
// (14)"). It never prints secrets: key changes name the secret, Finished shows its length.
#pragma once

#include <hs/events.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "trace/annotate.h"
#include "trace/curl_trace.h"

namespace hs::trace {

class DetailedTraceRenderer : public Observer {
 public:
  explicit DetailedTraceRenderer(LineSink sink);
  ~DetailedTraceRenderer() override;

  void on_event(const Event& event) override;
  // finish closes the last open flight (its timing line); also called by the destructor.
  void finish();

 private:
  void line(std::string text);
  void close_flight(std::chrono::steady_clock::time_point now);

  LineSink sink_;
  std::optional<std::chrono::steady_clock::time_point> start_;
  // The flight in progress: consecutive messages in one direction.
  std::optional<Direction> flight_dir_;
  std::chrono::steady_clock::time_point flight_start_{};
  std::chrono::steady_clock::time_point flight_last_{};
  size_t flight_messages_ = 0;
  size_t flight_bytes_ = 0;
  int flight_number_ = 0;
  bool suite_is_sha384_ = false;
};

// describe_message renders a MessageEvent's content, one string per line (without the
// leading "*  " the renderer adds). Exposed for tests.
std::vector<std::string> describe_message(const MessageEvent& m);

}  // namespace hs::trace

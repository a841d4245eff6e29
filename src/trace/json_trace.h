// JsonTraceRenderer: the event stream as JSON Lines (`hs client --trace-json FILE`), one object
// per event, for tools and for diagrams drawn from a real handshake. Like every renderer it
// sees only events, so it never holds secret bytes: a key change names its secret, messages are
// described by type and size, never dumped.
#pragma once

#include <hs/events.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "trace/curl_trace.h"

namespace hs::trace {

// JsonTraceRenderer writes each event to `sink` as one line:
//   {"t":0.000123,"event":"message","direction":"out","content_type":"handshake",
//    "handshake_type":1,"name":"client_hello","length":512,"version":"0x0304","encrypted":false}
//   {"t":...,"event":"record","direction":"in","content_type":"application_data","version":"0x0303","length":4096}
//   {"t":...,"event":"state","state":"client13::ExpectEncryptedExtensions"}
//   {"t":...,"event":"key_change","direction":"in","secret":"server_handshake_traffic_secret"}
//   {"t":...,"event":"alert","direction":"in","level":"warning","description":"close_notify"}
//   {"t":...,"event":"note","text":"..."}
// `t` is seconds since the first event this renderer saw, or since `start` when given.
//
// A server traces many connections into one file: it gives each connection's renderer the
// connection's id, written as `"connection":N` right after `t`, and one shared `start` so the
// times of all connections are on one clock.
class JsonTraceRenderer : public Observer {
 public:
  explicit JsonTraceRenderer(LineSink sink) : sink_(std::move(sink)) {}
  JsonTraceRenderer(LineSink sink, uint64_t connection, std::chrono::steady_clock::time_point start)
      : sink_(std::move(sink)), connection_(connection), start_(start) {}
  void on_event(const Event& event) override;

 private:
  LineSink sink_;
  std::optional<uint64_t> connection_;
  std::optional<std::chrono::steady_clock::time_point> start_;
};

// TeeObserver passes every event to each non-null observer, in order (a text trace on stderr and
// a JSON trace in a file, say). It does not own them.
class TeeObserver : public Observer {
 public:
  explicit TeeObserver(std::vector<Observer*> observers) : observers_(std::move(observers)) {}
  void on_event(const Event& event) override;

 private:
  std::vector<Observer*> observers_;
};

}  // namespace hs::trace

// Events: the structured stream a connection emits while it works. Every text trace (curl's
// -v lines, the detailed -vv view, JSON) is a renderer of these events. Events never carry
// secret bytes: a key change names the secret, nothing more.
#pragma once

#include <hs/alert.h>
#include <hs/wire.h>

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace hs {

enum class Direction : uint8_t { in, out };

// RecordEvent: one record header crossed the wire (as OpenSSL's msg_callback reports
// SSL3_RT_HEADER). `content_type` is the outer type on the wire; `version` the record's
// legacy_version field; `length` the fragment length.
struct RecordEvent {
  Direction direction;
  uint8_t content_type;
  uint16_t version;
  uint16_t length;
};

// MessageEvent: one protocol message (handshake message, change_cipher_spec, alert, or a chunk
// of application data) was sent or received. `version` is the protocol version in force for
// the connection when the message went by (the record version before one is negotiated), as
// curl's trace prints it. `bytes` is the plaintext message (handshake header included) and is
// only valid during the callback. `encrypted` says whether it travelled under a record key.
struct MessageEvent {
  Direction direction;
  uint8_t content_type;    // ContentType value
  uint8_t handshake_type;  // HandshakeType for handshake messages, else 0
  uint16_t version;
  std::span<const uint8_t> bytes;
  bool encrypted;
};

// StateEvent: the state machine entered a state ("client12::ExpectServerHello").
struct StateEvent {
  std::string_view state;
};

// KeyChangeEvent: a direction switched keys; `secret` names the secret ("master secret",
// "client_handshake_traffic_secret").
struct KeyChangeEvent {
  Direction direction;
  std::string_view secret;
};

// AlertEvent: an alert was sent or received.
struct AlertEvent {
  Direction direction;
  AlertLevel level;
  AlertDescription description;
};

// NoteEvent: a decision worth showing in a detailed trace ("extended master secret
// negotiated", "chosen suite ...", "certificate verification skipped (--insecure)").
struct NoteEvent {
  std::string text;
};

using EventBody =
    std::variant<RecordEvent, MessageEvent, StateEvent, KeyChangeEvent, AlertEvent, NoteEvent>;

struct Event {
  std::chrono::steady_clock::time_point time;
  EventBody body;
};

// Observer receives events synchronously on the thread that drives the connection.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_event(const Event& event) = 0;
};

}  // namespace hs

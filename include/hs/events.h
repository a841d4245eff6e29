// Events: the structured stream a connection emits while it works. Every text trace (curl's
// -v lines, the detailed -vv view, JSON) is a renderer of these events. Events never carry
// secret bytes: a key change names the secret, nothing more.
#pragma once

#include <hs/alert.h>
#include <hs/export.h>
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
// SSL3_RT_HEADER, which curl prints as "} [5 bytes data]" / "{ [5 bytes data]" and dumps with
// --trace). `content_type` is the outer type on the wire; `version` the record's
// legacy_version field exactly as sent or received (0x0301 in our client's first ClientHello
// record, as OpenSSL sends it; 0x0303 afterwards); `length` the fragment length on the wire
// (ciphertext length, explicit nonce and tag included, once protected). The five header bytes
// are content_type, version (big-endian), length (big-endian). Record events come before the
// MessageEvent of the message the records carry, in wire order. `fragment` is the record's
// `length` bytes as they crossed the wire (ciphertext once protected: never secret), valid only
// during the callback; empty when the connection was made without an observer and one was
// installed later, or when the record was cut short by an error.
struct RecordEvent {
  Direction direction;
  uint8_t content_type;
  uint16_t version;
  uint16_t length;
  std::span<const uint8_t> fragment{};
};

// MessageEvent: one protocol message (handshake message, change_cipher_spec, alert, or a chunk
// of application data) was sent or received; curl -v prints one line per non-application-data
// message: "* TLSv1.2 (OUT), TLS handshake, Client hello (1):" and then "} [N bytes data]" with
// N = bytes.size(). `version` is what OpenSSL reports as the message's version: the negotiated
// version once the ServerHello has been processed; before that the highest version the client
// offers (so a 1.2-only client's ClientHello and the ServerHello answering it show 0x0303, a
// client offering 1.3 shows 0x0304 for both, as curl 7.88 prints). It is never the record
// version. `bytes` is the plaintext message (for handshake messages the 4-byte header included;
// for alerts the 2 bytes level, description; for change_cipher_spec the byte 0x01) and is only
// valid during the callback. `encrypted` says whether it travelled under a record key.
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
class HS_API Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_event(const Event& event) = 0;
};

}  // namespace hs

// Ladder: the handshake as the figures that explain TLS draw it -- a client column, a server
// column, one arrow per message (name, size), grouped into flights and round trips with measured
// times, the point where each direction starts encrypting, HelloRetryRequest, resumption and
// alerts marked. One model, several renderers: `hs client/server --trace-svg` build it from the
// connection's events (LadderRecorder), `hs dissect --trace-svg` from a capture's decoded
// messages (dissect::ladder_from_report), and render_ladder_svg (and the --trace-html page)
// draw it. Like every trace it holds no secret bytes: message names and sizes, secret names.
//
// The rules, in one place (build_ladder applies them to both sources):
// - A flight is a maximal run of consecutive messages from one side.
// - Consecutive application data messages from one side are merged into one arrow ("Application
//   Data", the sizes summed, `count` records how many).
// - Round trips are counted up to the client's first application data (or the end, when it
//   never sends any): a round trip completes each time the flow turns from a server flight back
//   to a client flight, where the server flight is one the client waits on -- it holds a
//   handshake message other than NewSessionTicket / KeyUpdate, a ChangeCipherSpec or a fatal
//   alert (a handshake the server refuses took 1 round trip). So a TLS 1.2 full handshake
//   takes 2 round trips (ClientHello | ServerHello..ServerHelloDone | ClientKeyExchange..Finished
//   | ChangeCipherSpec Finished | data), a TLS 1.3 full handshake 1 (the client's Finished and
//   its first data travel together), a HelloRetryRequest adds one, a TLS 1.2 resumption
//   (abbreviated handshake) takes 1, a TLS 1.3 resumption 1, and 0-RTT data sent with the
//   ClientHello is sent after 0 round trips (Ladder::round_trips counts the handshake's round
//   trips, which stay 1; Ladder::data_after_round_trips says when the first data left).
// - Arrows of round trip k (1-based) are those from the client flight that opens it through the
//   server flight that answers it; arrows after the client's first application data have
//   round_trip 0 (the application phase).
// - A round trip's measured time runs from the first message of its client flight to the first
//   message of the next client flight (what the client waited), or to the last message of the
//   round trip when no client flight follows.
// - Times are seconds since the first message (event timestamps on the live side; capture
//   timestamps, so the capture point's view, for dissect).
#pragma once

#include <hs/connection.h>
#include <hs/events.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hs::trace {

enum class LadderSide : uint8_t { client, server };

enum class LadderKind : uint8_t {
  handshake,
  change_cipher_spec,
  alert,
  application_data,
  encrypted,  // a protected record that could not be opened (dissect without a key log)
};

// LadderMessage is one message as a source saw it, before grouping (the builders' input).
struct LadderMessage {
  LadderSide from = LadderSide::client;
  LadderKind kind = LadderKind::handshake;
  uint8_t handshake_type = 0;  // LadderKind::handshake
  bool hello_retry = false;    // a ServerHello carrying the HelloRetryRequest random
  bool early_data = false;     // 0-RTT application data (or EndOfEarlyData)
  std::string alert;           // LadderKind::alert: "close_notify (warning)"; "" when unknown
  bool fatal = false;          // LadderKind::alert: a fatal alert
  size_t size = 0;             // bytes: handshake messages with their 4-byte header, the
                               // plaintext of alerts and data, the ciphertext of unopened records
  double time = 0;             // seconds (any origin; build_ladder makes it relative)
  bool encrypted = false;      // travelled under a record key
  std::string key;             // the secret that protected it, when known (for the marker)
  std::string label;           // a name to show instead of the usual one ("Encrypted Handshake
                               // Message" for a record a capture could not open)
};

// LadderArrow is one arrow of the diagram.
struct LadderArrow {
  LadderSide from = LadderSide::client;
  LadderKind kind = LadderKind::handshake;
  uint8_t handshake_type = 0;
  std::string name;  // "ClientHello", "HelloRetryRequest", "ChangeCipherSpec",
                     // "Alert close_notify (warning)", "Application Data", "Encrypted Record"
  size_t size = 0;   // bytes (merged arrows: the sum)
  size_t count = 1;  // messages merged into this arrow (application data)
  double time = 0;   // seconds since the first message
  bool encrypted = false;
  bool early_data = false;
  bool hello_retry = false;
  bool fatal = false;  // a fatal alert
  // encryption_starts: the first encrypted arrow in its direction; `key` names the secret when
  // the source knew it ("client_handshake_traffic_secret", "master secret").
  bool encryption_starts = false;
  std::string key;
  // note: what this arrow means in the handshake's story, when it is worth saying
  // ("HelloRetryRequest: ...", "resumed: ...", "0-RTT: ...", "fatal alert: ..."), else "".
  std::string note;
  size_t flight = 0;      // 1-based index into Ladder::flights
  size_t round_trip = 0;  // 1-based handshake round trip; 0 = application phase
};

struct LadderFlight {
  LadderSide from = LadderSide::client;
  size_t first = 0;  // index of its first arrow
  size_t last = 0;   // index of its last arrow
  double start = 0;  // time of the first arrow
  double end = 0;    // time of the last arrow
};

struct LadderRoundTrip {
  size_t first = 0;  // arrow indices
  size_t last = 0;
  double start = 0;
  double duration = 0;  // seconds, see the rule above
};

// LadderSummary is the legend: what was negotiated (empty strings when unknown).
struct LadderSummary {
  std::string version;  // "TLS 1.3"
  std::string cipher_suite;
  std::string group;
  std::string alpn;
  std::string sni;
  bool resumed = false;
  bool hello_retry = false;
  std::string early_data;  // "", "accepted", "rejected"
};

struct Ladder {
  std::string title;         // "TLS 1.3 handshake, hs client" -- renderers add nothing to it
  std::string client_label;  // "Client", "hs client", "127.0.0.1:40122"
  std::string server_label;
  std::string viewpoint;  // whose clock measured the times: "client", "server", "capture"
  LadderSummary summary;
  std::vector<LadderArrow> arrows;
  std::vector<LadderFlight> flights;
  std::vector<LadderRoundTrip> round_trips;  // the handshake's round trips, in order
  // data_after_round_trips: how many round trips had completed when the client's first
  // application data left (0 with 0-RTT); nullopt when it sent none.
  std::optional<size_t> data_after_round_trips;
  std::vector<std::string> notes;  // free text shown under the diagram
};

// build_ladder groups `messages` (in order) into arrows, flights and round trips, and marks
// where encryption starts per direction. `summary.hello_retry` is also set when a message is a
// HelloRetryRequest.
Ladder build_ladder(std::vector<LadderMessage> messages, LadderSummary summary);

// ladder_message_name is the RFC spelling of a handshake message ("ClientHello"), or
// "HandshakeType(N)".
std::string ladder_message_name(uint8_t handshake_type);

// ladder_summary turns a connection's SessionInfo into the legend.
LadderSummary ladder_summary(const SessionInfo& info);

// LadderRecorder observes one connection's events (as `client` or `server`) and keeps the
// messages; ladder() builds the diagram with what the caller learnt after the handshake.
class LadderRecorder : public Observer {
 public:
  explicit LadderRecorder(LadderSide self) : self_(self) {}
  void on_event(const Event& event) override;

  // ladder builds the diagram; the recorder can keep recording afterwards.
  Ladder ladder(const LadderSummary& summary) const;
  const std::vector<LadderMessage>& messages() const { return messages_; }

 private:
  LadderSide self_;
  std::optional<std::chrono::steady_clock::time_point> start_;
  std::vector<LadderMessage> messages_;
  // The last secret installed per direction (out, in), for the encryption marker.
  std::string key_out_;
  std::string key_in_;
  bool early_out_ = false;  // client: 0-RTT keys installed and Finished not yet sent
};

// render_ladder_svg draws the ladder as one standalone SVG document (UTF-8, no external
// resources, no script). The root element carries data-round-trips (Ladder::round_trips.size())
// and data-arrows; each arrow is a <g class="arrow"> with data-name, data-from, data-size,
// data-flight, data-round-trip and data-encrypted, so tests and the --trace-html page can read
// it back.
std::string render_ladder_svg(const Ladder& ladder);

// render_ladder_svg_element is the same drawing as one <svg> element without the XML
// declaration, for inline use in an HTML page; `id_prefix` is put before every id it defines
// (its arrow-head markers), so several diagrams can share one page.
std::string render_ladder_svg_element(const Ladder& ladder, const std::string& id_prefix);

// ladder_file_name is where connection `number` of a run writes its diagram: `file` for the
// first connection (`first_number`), else `file` with "-<number>" before its extension
// ("ladder.svg", "ladder-2.svg").
std::string ladder_file_name(const std::string& file, uint64_t number, uint64_t first_number);

}  // namespace hs::trace

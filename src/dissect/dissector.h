// Dissector: TCP connections in a capture, reassembled, with their TLS records and handshake
// messages decoded by the library's own codecs and, given a key log, decrypted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "crypto/provider.h"
#include "dissect/keylog_file.h"
#include "dissect/packet.h"
#include "dissect/tcp_reassembler.h"

namespace hs::dissect {

enum class Direction : uint8_t { client_to_server, server_to_client };

// FlowItem is one thing seen in one direction, in stream order: a handshake message, a change
// of cipher spec, an alert, or an application data record.
struct FlowItem {
  enum class Kind : uint8_t { handshake, change_cipher_spec, alert, application_data, encrypted };
  Direction from = Direction::client_to_server;
  Kind kind = Kind::handshake;
  uint8_t handshake_type = 0;  // Kind::handshake
  std::string name;            // "Client Hello", "Change Cipher Spec", "Alert", ...
  size_t length = 0;           // message body, alert, or plaintext/ciphertext length
  bool encrypted = false;      // arrived under record protection
  double time = 0;             // capture time (seconds since the epoch) of the completing packet
  // fields are the decoded fields as (name, value) pairs, in wire order.
  std::vector<std::pair<std::string, std::string>> fields;
};

// WireItem is one record as it crossed the wire, or one message it carried, with its bytes: what
// the byte-level page (`hs dissect --trace-html`, src/dissect/html_report.h) explains. Records
// come before the messages they complete, in stream order per direction.
struct WireItem {
  enum class Kind : uint8_t { record, message };
  Kind kind = Kind::record;
  Direction from = Direction::client_to_server;
  double time = 0;
  uint8_t content_type = 0;  // record: the header's type; message: its (inner) content type
  // record: legacy_record_version; message: 0x0304 once TLS 1.3 was negotiated, else 0x0303
  uint16_t version = 0;
  // record: the fragment as on the wire; message: the message, a handshake message with its
  // 4-byte header
  std::vector<uint8_t> bytes;
  bool encrypted = false;  // record: protected; message: arrived protected
  bool opened = false;     // record: protected and opened with the key log
};

// ConnectionReport is what was understood of one TCP connection.
struct ConnectionReport {
  size_t index = 0;  // 1-based, in order of first packet
  Endpoint client;   // the SYN's sender, else the sender of the first segment
  Endpoint server;
  std::string version;       // "TLSv1.3", "TLSv1.2", or "" before a ServerHello
  std::string cipher_suite;  // IANA name
  std::string group;         // key exchange group, when seen
  bool resumed = false;
  bool hello_retry = false;
  bool tls = false;        // at least one TLS record was recognised
  bool decrypted = false;  // some protected record was opened with the key log
  // early_data is the TLS 1.3 0-RTT outcome (RFC 8446, 4.2.10): "" when the client offered
  // none, else "offered" (the capture does not say more), "accepted" or "rejected".
  std::string early_data;
  std::vector<FlowItem> items;
  // Decrypted application data per direction (plaintext, concatenated).
  std::vector<uint8_t> client_data;
  std::vector<uint8_t> server_data;
  // The client's 0-RTT data, decrypted with CLIENT_EARLY_TRAFFIC_SECRET; not in client_data,
  // since a server that rejects it never reads it (the client sends it again after the
  // handshake).
  std::vector<uint8_t> early_data_plaintext;
  // notes are human-readable problems: gaps, undecryptable records, truncation.
  std::vector<std::string> notes;
  // wire holds the records and messages with their bytes, only when the Dissector keeps them
  // (set_keep_bytes), up to kMaxWireBytes per connection; wire_dropped counts the records past
  // that budget (the flow above still has them).
  std::vector<WireItem> wire;
  size_t wire_dropped = 0;
  std::vector<uint8_t> client_random;  // from the ClientHello, empty before one
};

// kMaxWireBytes bounds ConnectionReport::wire per connection, so a large download does not
// make a page of megabytes.
inline constexpr size_t kMaxWireBytes = size_t{256} << 10;

// Dissector consumes the frames of one capture, in capture order, and builds one report per
// TCP connection. TLS is recognised on any port (or only on `port` when set). The key log is
// optional; without it protected records are reported as encrypted with their sizes.
class Dissector {
 public:
  Dissector(LinkType link, const KeyLogFile* keylog, const crypto::Provider& provider,
            std::optional<uint16_t> port = std::nullopt);
  ~Dissector();
  Dissector(const Dissector&) = delete;
  Dissector& operator=(const Dissector&) = delete;

  // add_frame decodes one captured frame taken at `time`. Frames that are not TCP (or not on
  // the port) are counted and ignored.
  void add_frame(std::span<const uint8_t> frame, double time);

  // finish ends the capture: notes what stayed incomplete (gaps, partial records) and returns
  // the reports in order of each connection's first packet.
  std::vector<ConnectionReport> finish();

  size_t frames() const { return frames_; }
  size_t ignored_frames() const { return ignored_; }

  // set_keep_bytes makes the reports carry their records' and messages' bytes
  // (ConnectionReport::wire). Call before the first frame.
  void set_keep_bytes(bool keep) { keep_bytes_ = keep; }

  class Connection;

 private:
  LinkType link_;
  const KeyLogFile* keylog_;
  const crypto::Provider* provider_;
  std::optional<uint16_t> port_;
  std::map<std::pair<Endpoint, Endpoint>, std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> order_;
  std::vector<std::unique_ptr<Connection>> closed_;
  size_t frames_ = 0;
  size_t ignored_ = 0;
  bool keep_bytes_ = false;
};

// dissect_frames is the fuzzing and testing entry point: every frame of `frames` through one
// Dissector (with `keylog` when not null), returning the reports.
std::vector<ConnectionReport> dissect_frames(LinkType link,
                                             const std::vector<std::span<const uint8_t>>& frames,
                                             const KeyLogFile* keylog,
                                             const crypto::Provider& provider);

}  // namespace hs::dissect

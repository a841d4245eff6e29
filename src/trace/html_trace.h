// HtmlTraceRenderer: `hs client --trace-html FILE`. One self-contained HTML page (inline CSS, a
// few lines of optional JS for linked hover, no external resources) that explains every byte of
// every record and message of this very handshake, in the manner of the hand-made "Illustrated
// TLS Connection" pages: per record its header, per message its hex with each field coloured,
// its name, decoded value and meaning (from src/trace/annotate.h); encrypted records as
// ciphertext followed by the decrypted message (our own connection knows the plaintext); and
// the key derivation steps in order. Secret bytes appear only when a key log is being written:
// the application installs key_log_tee() next to its key-log file, and only secrets that pass
// through that tee reach the page. Without it the page names the secrets and shows no bytes.
// Each connection's section opens with its ladder diagram (src/trace/ladder.h), built from the
// same events and embedded as an image (a data: URI, so the page stays one file that HTML4
// parsers such as `xmllint --html` accept). Certificates are also shown decoded (subject,
// issuer, validity, subject alternative names) by the library's own X.509 parser.
//
// The page itself is rendered from a model (HtmlPage) so that `hs dissect --trace-html` builds
// the same page from a capture (src/dissect/html_report.h) instead of from live events.
#pragma once

#include <hs/events.h>
#include <hs/keylog.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "trace/ladder.h"

namespace hs::trace {

// KeyLogLine is one secret as the key log records it (label as in the NSS format). Move-only:
// the secret stays in a SecretBytes, wiped when the line goes, and reaches the page only
// through the key-log tee that filled it.
struct KeyLogLine {
  std::string label;
  std::vector<uint8_t> client_random;
  SecretBytes secret;
};

// make_key_log_tee returns a sink that forwards each secret to `next` (may be null) and appends
// it to `store`, for pages made with that store.
std::shared_ptr<KeyLogSink> make_key_log_tee(std::shared_ptr<KeyLogSink> next,
                                             std::shared_ptr<std::vector<KeyLogLine>> store);

// HtmlItem is one event as the page needs it, bytes copied (events only live during the call).
// Direction::out is the side the page is written from: the client for `hs client` and for a
// capture (HtmlConnection::we_are_client), the server for `hs server`.
struct HtmlItem {
  enum class Kind : uint8_t { record, message, key_change, alert, note, state };
  Kind kind = Kind::note;
  std::chrono::steady_clock::time_point time{};
  Direction direction = Direction::out;
  uint8_t content_type = 0;
  uint16_t version = 0;  // record: legacy_record_version; message: MessageEvent::version
  uint16_t length = 0;
  // message: arrived protected. record: protected (a capture says so; live pages learn it
  // from the message the record carries).
  bool encrypted = false;
  bool opaque = false;         // record: protected, and no key to open it (a capture)
  std::vector<uint8_t> bytes;  // record: the fragment; message: the plaintext message
  size_t size = 0;             // message: its size (bytes may be dropped, see `hidden`)
  bool hidden = false;         // application data past what the page shows: size only
  std::string text;            // key change: the secret's name; note/state text
};

// HtmlConnection is one connection's section of the page: built from the live events by
// HtmlTraceRenderer, or from a capture by dissect::html_page_from_reports
// (src/dissect/html_report.h). The renderer learns version, suite, randoms and certificates
// from the messages themselves, so both sources give the same explanations.
struct HtmlConnection {
  std::string heading;  // "Connection 1", "Connection 2: 127.0.0.1:40312 -> 127.0.0.1:8443"
  Ladder ladder;        // drawn first
  bool we_are_client = true;
  std::vector<HtmlItem> items;  // in order: records before the messages they complete
  // keys_shown: a key log is there, so secret bytes from `keys` (matched by client random)
  // appear in the key schedule. key_log_lines are shown verbatim under `key_log_source` (a
  // capture: the lines of the user's own key log that name this connection).
  bool keys_shown = false;
  std::vector<KeyLogLine> keys;
  std::vector<SecretBytes> key_log_lines;  // the user's key-log lines: secrets until rendered
  std::string key_log_source;
  std::string no_key_log_text;  // why no secret bytes show (empty: the live page's reason)
  // notes: what the page could not show (where the capture breaks, records not opened).
  std::vector<std::string> notes;
};

// HtmlPage is the whole page: a title ("hs client https://localhost:8443/"), the sentence that
// says what it shows, page-wide notes (a damaged capture) and the connections.
struct HtmlPage {
  std::string title;
  std::string intro;
  std::vector<std::string> notes;
  std::vector<HtmlConnection> connections;
  std::vector<std::string> closing_notes;  // after the last connection
};

// render_html_page renders the page: per connection its ladder, a summary, every record and
// message byte by byte (src/trace/annotate.h), certificates decoded (src/x509), and the key
// schedule.
std::string render_html_page(const HtmlPage& page);

class HtmlTraceRenderer : public Observer {
 public:
  // `title` names what was traced ("hs client https://localhost:8443/"). `key_store`, when not
  // null, is where a key-log tee (make_key_log_tee) puts the secrets of many connections (a
  // server's): the page picks its own by client random, and shows secret bytes at all only
  // when it has a store.
  explicit HtmlTraceRenderer(std::string title,
                             std::shared_ptr<std::vector<KeyLogLine>> key_store = nullptr);

  void on_event(const Event& event) override;

  // key_log_tee returns a sink that forwards each secret to `next` (the key-log file; may be
  // null) and keeps it for the page. Install it only when a key log is being written.
  std::shared_ptr<KeyLogSink> key_log_tee(std::shared_ptr<KeyLogSink> next);

  // render returns the whole page for everything seen so far.
  std::string render() const;

  // release_keys drops from the key store the lines of the connections this page shows (by
  // client random). A server shares one store among all its connections' pages: call it once
  // the page is written, so the store holds only the connections still to be written.
  void release_keys();

  using Item = HtmlItem;

 private:
  std::string title_;
  std::vector<Item> items_;
  size_t app_data_bytes_ = 0;
  size_t app_data_items_ = 0;
  std::shared_ptr<std::vector<KeyLogLine>> keys_;
};

}  // namespace hs::trace

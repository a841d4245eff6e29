// RecordDecoder: turns transport bytes into checked, decrypted records (sans-IO).
#pragma once

#include <hs/result.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "codec/plain_buffer.h"
#include "codec/wire.h"
#include "record/protection.h"

namespace hs::record {

// Record is one received record after protection was removed. `type` is the real content type
// (for TLS 1.3 the inner type), `version` the legacy record version from the header, and
// `fragment` the plaintext. `fragment` points into the decoder's buffer and stays valid until
// the next call to feed(), next() or set_protection() on that decoder.
struct Record {
  ContentType type;
  uint16_t version;
  std::span<const uint8_t> fragment;
  // in_dest: the record was opened into the `dest` passed to next() (fragment is its prefix).
  bool in_dest = false;
};

// RecordDecoder buffers transport bytes and hands out whole records, decrypted in place with the
// current read protection (initially NullProtection). Records are decrypted only when next()
// returns them, so bytes already buffered when the keys change are opened with the new keys
// after set_protection().
//
// Memory: one buffer, compacted on feed(); no allocation per record in steady state. The
// decoder never waits for a record longer than the protection allows: a header announcing
// more fails at once with record_overflow. Callers feed what they read (a bounded read) and
// drain next() until it returns nullopt, so the buffer stays within one maximum record plus
// one read.
//
// Checks on each record, in order (errors carry context "record"):
//   - content type not one of change_cipher_spec, alert, handshake, application_data:
//     unexpected_message (RFC 8446 §5: "If a TLS implementation receives an unexpected record
//     type, it MUST terminate the connection with an "unexpected_message" alert.");
//   - record version major byte != 3: decode_error (the bytes are not a TLS record; the minor
//     byte is the caller's to judge, RFC 8446 §5.1 says legacy_record_version is ignored);
//   - length > protection max_ciphertext_len(): record_overflow;
//   - the protection's own checks (bad_record_mac, record_overflow, unexpected_message);
//   - a zero-length handshake, alert or change_cipher_spec fragment after decryption:
//     unexpected_message (RFC 8446 §5.1: "Implementations MUST NOT send zero-length fragments
//     of Handshake types, even if those fragments contain padding.").
// Under TLS 1.3 protection (hides_content_type()), a change_cipher_spec record is passed
// through unprotected (no sequence number used) and any other outer type than
// application_data is unexpected_message; the caller checks the CCS is the single byte 0x01
// and arrives when RFC 8446 §5 allows it. Zero-length application_data records are returned
// (RFC 8446 §5.1 allows them).
//
// Errors are sticky: after one, next() keeps returning it.
class RecordDecoder {
 public:
  RecordDecoder();

  // feed appends transport bytes. Invalidates the last returned Record's fragment.
  void feed(std::span<const uint8_t> bytes);
  // attach is feed() without the copy: the decoder reads `bytes` where they are, after what it
  // has buffered, until retain(), which the caller must call before `bytes` go away (it copies
  // whatever next() did not consume). Records wholly inside `bytes` are opened from there
  // straight into the sink or `dest` passed to next(): no copy of the ciphertext, none of the
  // plaintext. A record cut by the transport (its start kept by retain()) is opened from its
  // two pieces, the kept part and the rest in `bytes` (RecordProtection::open_split_to): only
  // the part kept from the earlier read is ever copied.
  void attach(std::span<const uint8_t> bytes);
  void retain();
  // next returns the next complete record, nullopt when more bytes are needed, or an error
  // (see the class comment). Invalidates the previously returned Record's fragment.
  //
  // With a `sink`, a protected record is decrypted into bytes appended to it, and the
  // returned fragment is exactly those bytes: the last fragment.size() bytes of *sink (the
  // caller keeps them as received application data, or drops them with resize()). Without
  // one, it is decrypted in place in the decoder's buffer. Unprotected records are never
  // copied to the sink.
  //
  // With a non-empty `dest`, a protected record whose plaintext_room() fits in `dest` is
  // opened into its start instead (Record::in_dest; the fragment is a prefix of `dest`, and
  // for TLS 1.3 the inner type byte and padding follow it there). On failure the bytes it
  // wrote to `dest` are zeroed: unauthenticated plaintext never stays there. A record that
  // does not fit goes to the sink, or is opened in place.
  Result<std::optional<Record>> next(codec::PlainBuffer* sink = nullptr,
                                     std::span<uint8_t> dest = {});

  // set_protection installs the read protection for the records that follow (a key change).
  // `protection` must not be null.
  void set_protection(std::unique_ptr<RecordProtection> protection);
  const RecordProtection& protection() const { return *protection_; }
  // allow_plaintext_alerts lets unprotected alert records through under the current TLS 1.3
  // protection until the first protected record opens or the protection changes. A TLS 1.3
  // server calls it when it starts reading under the client's handshake keys: a client that
  // fails on the server's flight has not switched its write side yet (RFC 8446 §6: alerts are
  // "encrypted as specified by the current connection state") and sends its alert in the clear,
  // which OpenSSL's server accepts too (ENC_READ_STATE_ALLOW_PLAIN_ALERTS).
  void allow_plaintext_alerts() { plaintext_alerts_ = true; }
  // limit_plaintext calls set_plaintext_limit(limit) on the current protection (RFC 8449: our
  // record_size_limit, once it applies to the records being read).
  void limit_plaintext(size_t limit) { protection_->set_plaintext_limit(limit); }

  // release_memory frees the buffer's capacity when nothing is buffered (the buffer grows
  // again for the next record cut by the transport). Invalidates the last returned Record.
  void release_memory();
  // has_buffered_bytes is true when unconsumed bytes (a partial or an unread record) remain.
  bool has_buffered_bytes() const { return start_ < buf_.size() || !view_.empty(); }
  // skip_undecryptable_records switches on RFC 8446 §4.2.10 early-data skipping for a server
  // that declines 0-RTT: up to `budget` bytes of records (their TLSCiphertext lengths) that
  // fail to open with bad_record_mac, or that arrive as application_data while unprotected
  // (after a HelloRetryRequest), are dropped instead of failing. The first record that opens
  // (other than a ChangeCipherSpec) ends the mode; a record beyond the budget is bad_record_mac.
  // Skipping is recursive per record, so the budget bounds the depth.
  void skip_undecryptable_records(size_t budget);
  // take_skipped_count returns how many records were skipped since the last call.
  size_t take_skipped_count();
  // buffered_size is the number of unconsumed bytes.
  size_t buffered_size() const { return buf_.size() - start_ + view_.size(); }
  // bytes_needed is how many more bytes complete the next record (at least 1 when no header
  // is buffered yet; 0 when a whole record is ready for next()). It looks at the buffer only,
  // not at attached bytes (it is meant for between receive calls).
  size_t bytes_needed() const;

 private:
  // complete_buffered_header moves bytes from view_ to buf_ until buf_ holds the header of the
  // record it has begun (or view_ is used up).
  void complete_buffered_header();
  // complete_buffered_record moves bytes from view_ to buf_ until buf_ holds the whole record
  // it has begun (or view_ is used up).
  void complete_buffered_record();
  // open_record opens one protected record: into `dest` when it is not empty (it holds the
  // record's plaintext_room()), else into `sink` when there is one, else in place
  // (`buffered_fragment`, the same bytes in buf_).
  Result<OpenedRecord> open_record(ContentType type, uint16_t version, Pieces fragment,
                                   std::span<uint8_t> buffered_fragment, codec::PlainBuffer* sink,
                                   std::span<uint8_t> dest);

  std::vector<uint8_t> buf_;
  size_t start_ = 0;  // first unconsumed byte of buf_
  // Attached bytes not yet consumed (they follow buf_'s); empty outside attach()..retain().
  std::span<const uint8_t> view_;
  std::unique_ptr<RecordProtection> protection_;
  std::optional<Error> failed_;
  size_t skip_budget_ = 0;
  bool plaintext_alerts_ = false;
  size_t skipped_ = 0;
};

}  // namespace hs::record

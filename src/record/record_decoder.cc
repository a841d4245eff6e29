#include "record/record_decoder.h"

#include <algorithm>
#include <utility>

#include "codec/reader.h"

namespace hs::record {
namespace {

bool known_content_type(ContentType type) {
  switch (type) {
    case ContentType::change_cipher_spec:
    case ContentType::alert:
    case ContentType::handshake:
    case ContentType::application_data:
      return true;
    case ContentType::invalid:
      return false;
  }
  return false;
}

}  // namespace

RecordDecoder::RecordDecoder() : protection_(std::make_unique<NullProtection>()) {}

void RecordDecoder::feed(std::span<const uint8_t> bytes) {
  if (failed_) {
    return;  // the connection is over; nothing more will be read
  }
  // Compact once per feed rather than once per record: moves only the unconsumed tail and
  // keeps the buffer's capacity, so steady state allocates nothing.
  if (start_ == buf_.size()) {
    buf_.clear();
  } else if (start_ > 0) {
    std::shift_left(buf_.begin(), buf_.end(), static_cast<std::ptrdiff_t>(start_));
    buf_.resize(buf_.size() - start_);
  }
  start_ = 0;
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

void RecordDecoder::attach(std::span<const uint8_t> bytes) {
  if (failed_) {
    return;
  }
  retain();  // at most one attached span at a time
  view_ = bytes;
}

void RecordDecoder::retain() {
  const auto rest = view_;
  view_ = {};
  if (!rest.empty()) {
    feed(rest);
  }
}

void RecordDecoder::release_memory() {
  if (start_ == buf_.size() && view_.empty()) {
    std::vector<uint8_t>().swap(buf_);
    start_ = 0;
  }
}

void RecordDecoder::complete_buffered_header() {
  const size_t have = buf_.size() - start_;
  if (have < kRecordHeaderLen && !view_.empty()) {
    const auto take = view_.first(std::min(kRecordHeaderLen - have, view_.size()));
    view_ = view_.subspan(take.size());
    buf_.insert(buf_.end(), take.begin(), take.end());
  }
}

void RecordDecoder::complete_buffered_record() {
  // bytes_needed() looks at buf_ alone: first the header, then the body it announces.
  for (size_t need = bytes_needed(); need > 0 && !view_.empty(); need = bytes_needed()) {
    const auto take = view_.first(std::min(need, view_.size()));
    view_ = view_.subspan(take.size());
    buf_.insert(buf_.end(), take.begin(), take.end());
  }
}

void RecordDecoder::set_protection(std::unique_ptr<RecordProtection> protection) {
  protection_ = std::move(protection);
  plaintext_alerts_ = false;
}

size_t RecordDecoder::bytes_needed() const {
  const size_t have = buf_.size() - start_;  // attached bytes are not counted (see attach)
  if (have < kRecordHeaderLen) {
    return kRecordHeaderLen - have;
  }
  codec::Reader r(std::span<const uint8_t>(buf_).subspan(start_));
  uint8_t type = 0;
  uint16_t version = 0;
  uint16_t length = 0;
  if (!r.read_u8(type) || !r.read_u16(version) || !r.read_u16(length)) {
    return 0;  // unreachable: five bytes are present
  }
  const size_t total = kRecordHeaderLen + length;
  return have >= total ? 0 : total - have;
}

Result<std::optional<Record>> RecordDecoder::next(codec::PlainBuffer* sink,
                                                  std::span<uint8_t> dest) {
  if (failed_) {
    return *failed_;
  }
  auto fail = [this](Error e) -> Error {
    failed_ = e;
    return e;
  };
  // Without a sink (or without protection) a record is opened in place or handed out where
  // it is: that needs it in buf_.
  if ((sink == nullptr && dest.empty()) || !protection_->encrypted()) {
    retain();
  }
  // A record begun in buf_ gets its header completed there (at most five bytes copied); its
  // body is completed there, or opened from its two pieces (below). Otherwise the next record is
  // read from the attached bytes where they are.
  if (start_ < buf_.size()) {
    complete_buffered_header();
  } else if (!view_.empty()) {
    buf_.clear();
    start_ = 0;
  }
  const bool from_view = start_ == buf_.size() && !view_.empty();
  const std::span<const uint8_t> source =
      from_view ? view_ : std::span<const uint8_t>(buf_).subspan(start_);

  codec::Reader r(source);
  ContentType type = ContentType::invalid;
  uint16_t version = 0;
  uint16_t length = 0;
  if (!r.read_enum8(type) || !r.read_u16(version) || !r.read_u16(length)) {
    return std::optional<Record>();
  }
  // Header checks happen before waiting for the body, so a hostile length cannot make us
  // buffer more than one maximum record.
  //
  // RFC 8446 §5: "If a TLS implementation receives an unexpected record type, it MUST
  // terminate the connection with an "unexpected_message" alert."
  if (!known_content_type(type)) {
    return fail(Error(ErrorCode::unexpected_message, "record: unknown content type"));
  }
  // Every TLS version has major byte 3 (RFC 5246 §6.2.1, RFC 8446 §5.1); anything else is not
  // a TLS record (an SSLv2 hello, another protocol), so the bytes cannot be decoded.
  if ((version >> 8) != 3) {
    return fail(Error(ErrorCode::decode_error, "record: version"));
  }
  // RFC 8446 §5: an unprotected change_cipher_spec may arrive while TLS 1.3 protection is
  // active (middlebox compatibility); it is a TLSPlaintext record. So is an alert while
  // allow_plaintext_alerts() holds.
  const bool unprotected =
      protection_->hides_content_type() && (type == ContentType::change_cipher_spec ||
                                            (plaintext_alerts_ && type == ContentType::alert));
  const size_t limit = unprotected ? kMaxPlaintext : protection_->max_ciphertext_len();
  if (length > limit) {
    return fail(Error(ErrorCode::record_overflow, "record"));
  }
  const bool to_dest = !dest.empty() && !unprotected && protection_->encrypted() &&
                       dest.size() >= protection_->plaintext_room(length);
  // A record cut by the transport: its first part is in buf_ (kept from an earlier read), the
  // rest may be in the attached bytes. When it is opened into `dest` or the sink, it is opened
  // from the two pieces where they are (RecordProtection::open_split_to) instead of being
  // completed in buf_ first; otherwise the rest is appended to buf_.
  std::span<const uint8_t> tail;
  if (!from_view && r.remaining() < length) {
    const size_t missing = length - r.remaining();
    const bool split = !unprotected && protection_->encrypted() && (to_dest || sink != nullptr);
    if (!split || view_.size() < missing) {
      if (view_.empty()) {
        return std::optional<Record>();
      }
      complete_buffered_record();  // buf_ may move: read the header again
      return next(sink, dest);
    }
    tail = view_.first(missing);
    view_ = view_.subspan(missing);
  } else if (r.remaining() < length) {
    return std::optional<Record>();
  }
  if (from_view && !to_dest && sink == nullptr) {
    // It has to be opened in place after all: in buf_ (once; the retry finds it there).
    retain();
    return next(sink, dest);
  }

  // The fragment stays where it is: in buf_ (mutable, for opening in place), in the attached
  // bytes (opened into the sink or `dest`), or in both (`fragment` then `tail`).
  const auto fragment = source.subspan(kRecordHeaderLen, static_cast<size_t>(length) - tail.size());
  std::span<uint8_t> buffered_fragment;
  if (from_view) {
    view_ = view_.subspan(kRecordHeaderLen + length);
  } else if (!tail.empty()) {
    start_ = buf_.size();
  } else {
    buffered_fragment =
        std::span<uint8_t>(buf_).subspan(start_ + kRecordHeaderLen, static_cast<size_t>(length));
    start_ += kRecordHeaderLen + length;
  }

  // RFC 8446 §4.2.10: a server that declines 0-RTT "ignores early data by skipping all records
  // with an external content type of "application_data" (indicating that they are encrypted),
  // up to the configured max_early_data_size" (after a HelloRetryRequest, still unprotected) or
  // "by attempting to deprotect received records using the handshake traffic key, and
  // discarding records which fail deprotection (up to the configured max_early_data_size)".
  // "If the server ... fails deprotection beyond that ... it MUST terminate the connection with
  // a "bad_record_mac" alert."
  if (skip_budget_ > 0 && !unprotected && !protection_->encrypted() &&
      type == ContentType::application_data) {
    if (length > skip_budget_) {
      return fail(Error(ErrorCode::bad_record_mac, "record: early data beyond the limit"));
    }
    skip_budget_ -= length;
    ++skipped_;
    return next(sink, dest);
  }
  std::span<const uint8_t> plaintext = fragment;
  ContentType opened_type = type;
  if (!unprotected) {
    Result<OpenedRecord> result =
        open_record(type, version, Pieces{fragment, tail}, buffered_fragment, sink,
                    to_dest ? dest : std::span<uint8_t>());
    if (!result.ok()) {
      if (skip_budget_ > 0 && result.error().code() == ErrorCode::bad_record_mac &&
          length <= skip_budget_) {
        skip_budget_ -= length;
        ++skipped_;
        return next(sink, dest);
      }
      return fail(std::move(result).error());
    }
    plaintext = result.value().plaintext;
    opened_type = result.value().type;
    // The first record that opens ends the early data, except a ChangeCipherSpec: after a
    // HelloRetryRequest a 0-RTT client's middlebox-compatibility CCS (RFC 8446 Appendix D.4)
    // comes unprotected between its ClientHello and its early data.
    if (opened_type != ContentType::change_cipher_spec) {
      skip_budget_ = 0;
    }
    // ... and the peer's unprotected alerts (allow_plaintext_alerts).
    plaintext_alerts_ = false;
  }
  // The inner type of a TLS 1.3 record is checked like an outer one.
  if (!known_content_type(opened_type)) {
    return fail(Error(ErrorCode::unexpected_message, "record: unknown content type"));
  }
  // RFC 8446 §5.1: "Implementations MUST NOT send zero-length fragments of Handshake types,
  // even if those fragments contain padding." and an Alert record "MUST contain exactly one
  // message"; a change_cipher_spec record carries exactly one byte. Only application_data
  // may be empty.
  if (plaintext.empty() && opened_type != ContentType::application_data) {
    return fail(Error(ErrorCode::unexpected_message, "record: zero-length fragment"));
  }
  return std::optional<Record>(Record{opened_type, version, plaintext, to_dest});
}

Result<OpenedRecord> RecordDecoder::open_record(ContentType type, uint16_t version, Pieces fragment,
                                                std::span<uint8_t> buffered_fragment,
                                                codec::PlainBuffer* sink, std::span<uint8_t> dest) {
  if (!dest.empty()) {
    const auto out = dest.first(protection_->plaintext_room(fragment.size()));
    auto result = protection_->open_split_to(type, version, fragment.head, fragment.tail, out);
    if (!result.ok()) {
      std::ranges::fill(out, uint8_t{0});  // the AEAD may have written unauthenticated bytes
    }
    return result;
  }
  if (sink == nullptr || !protection_->encrypted()) {
    // next() retained the attached bytes first, so the record is in buf_.
    return protection_->open(type, version, buffered_fragment);
  }
  const size_t at = sink->size();
  sink->resize(at + fragment.size());
  auto result = protection_->open_split_to(type, version, fragment.head, fragment.tail,
                                           std::span<uint8_t>(*sink).subspan(at));
  // Keep exactly the plaintext (a prefix of what was added); nothing on failure.
  sink->resize(at + (result.ok() ? result.value().plaintext.size() : 0));
  return result;
}

void RecordDecoder::skip_undecryptable_records(size_t budget) { skip_budget_ = budget; }

size_t RecordDecoder::take_skipped_count() {
  size_t n = skipped_;
  skipped_ = 0;
  return n;
}

}  // namespace hs::record

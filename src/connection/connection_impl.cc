#include "connection/connection_impl.h"

#include <algorithm>
#include <string>
#include <utility>

#include "codec/reader.h"
#include "messages/alert.h"
#include "messages/change_cipher_spec.h"
#include "messages/key_update.h"

namespace hs::detail {

// ---- RecordHeaderTracker ----

void RecordHeaderTracker::feed(std::span<const uint8_t> bytes, bool keep_fragments) {
  codec::Reader in(bytes);
  while (!in.empty()) {
    if (skip_ > 0) {
      size_t n = std::min(skip_, in.remaining());
      std::span<const uint8_t> part;
      if (!in.read_bytes(n, part)) {
        return;
      }
      if (keep_fragments && filling_ && !headers_.empty()) {
        headers_.back().fragment.insert(headers_.back().fragment.end(), part.begin(), part.end());
      }
      skip_ -= n;
      continue;
    }
    uint8_t b = 0;
    if (!in.read_u8(b)) {
      return;
    }
    partial_[partial_len_++] = b;
    if (partial_len_ == kRecordHeaderLen) {
      codec::Reader h(partial_);
      WireHeader header{};
      if (h.read_u8(header.content_type) && h.read_u16(header.version) &&
          h.read_u16(header.length)) {
        headers_.push_back(header);
        skip_ = header.length;
        filling_ = true;
      }
      partial_len_ = 0;
    }
  }
}

std::optional<WireHeader> RecordHeaderTracker::pop() {
  if (head_ == headers_.size()) {
    return std::nullopt;
  }
  if (headers_.size() - head_ == 1) {
    filling_ = false;  // the record being filled leaves the queue (an error cut it short)
  }
  WireHeader h = std::move(headers_[head_++]);
  if (head_ == headers_.size()) {
    headers_.clear();
    head_ = 0;
  }
  return h;
}

Result<void> check_record_limits(uint16_t record_size_limit, uint64_t key_update_after_records,
                                 const char* context) {
  if (record_size_limit != 0 && (record_size_limit < 64 || record_size_limit > kMaxPlaintext + 1)) {
    return Error(ErrorCode::invalid_config, context, "record_size_limit must be 0 or 64..16385");
  }
  if (key_update_after_records == 0) {
    return Error(ErrorCode::invalid_config, context, "key_update_after_records must be at least 1");
  }
  return ok_result();
}

// ---- ConnectionImpl ----

ConnectionImpl::ConnectionImpl(bool is_client, const crypto::Provider& provider,
                               std::shared_ptr<KeyLogSink> key_log,
                               std::unique_ptr<HandshakeDriver> driver, Observer* observer)
    : is_client_(is_client),
      provider_(provider),
      key_log_(std::move(key_log)),
      driver_(std::move(driver)),
      observer_(observer) {
  if (is_client_) {
    // The first ClientHello travels in a record marked TLS 1.0, as OpenSSL sends it: RFC 8446
    // §5.1 allows 0x0301 "for compatibility purposes" and some servers reject anything newer
    // in the first record. set_version() switches to 0x0303 once the server answered.
    encoder_.set_version(static_cast<uint16_t>(ProtocolVersion::tls1_0));
  }
}

Result<void> ConnectionImpl::start() {
  auto r = driver_->start(*this);
  if (!r.ok()) {
    return fail(std::move(r).error());
  }
  return ok_result();
}

void ConnectionImpl::emit(EventBody body) {
  if (observer_ != nullptr) {
    observer_->on_event(Event{std::chrono::steady_clock::now(), std::move(body)});
  }
}

void ConnectionImpl::emit_pending_headers_in() {
  while (auto h = headers_in_.pop()) {
    emit(RecordEvent{Direction::in, h->content_type, h->version, h->length, h->fragment});
  }
}

Error ConnectionImpl::fail(Error e) {
  if (failed_) {
    return *failed_;
  }
  if (auto alert = e.alert()) {
    // RFC 8446 §6.2 / RFC 5246 §7.2.2: errors are reported with a fatal alert, sent under the
    // current write protection; then the connection is closed.
    messages::AlertMessage msg{AlertLevel::fatal, *alert};
    std::vector<uint8_t> body;
    (void)messages::serialize(msg, body);
    emit(AlertEvent{Direction::out, AlertLevel::fatal, *alert});
    (void)write_records(ContentType::alert, body, 0);
  }
  failed_ = e;
  return e;
}

size_t ConnectionImpl::max_fragment() const {
  if (!peer_record_limit_) {
    return kMaxPlaintext;
  }
  // RFC 8449 §4: the value "includes the content type and padding added in TLS 1.3 (that is,
  // the complete length of TLSInnerPlaintext)" (we add no padding), and "Even if a larger
  // record size limit is provided by a peer, an endpoint MUST NOT send records larger than the
  // protocol-defined limit". The parser refused values below 64.
  if (version_ == ProtocolVersion::tls1_3 && encoder_.protection().encrypted()) {
    return std::min<size_t>(*peer_record_limit_, kMaxPlaintext + 1) - 1;
  }
  // "Unprotected messages are not subject to this limit", but smaller records are always
  // allowed, and gnutls 3.7 does enforce the limit on the unprotected TLS 1.2 server flight
  // ("Received packet with illegal length"), so once we know the limit it caps every record.
  return std::min<size_t>(*peer_record_limit_, kMaxPlaintext);
}

Result<void> ConnectionImpl::write_records(ContentType type, std::span<const uint8_t> data,
                                           uint8_t handshake_type) {
  size_t before = out_.size();
  HS_TRY(encoder_.set_max_fragment(max_fragment()));
  auto r = encoder_.write(type, data, out_);
  // RFC 8446 §5.1: legacy_record_version "MUST be set to 0x0303 for all records generated by
  // a TLS 1.3 implementation other than an initial ClientHello (i.e., one not generated after a
  // HelloRetryRequest), where it MAY also be 0x0301". Only the client's first write is that
  // ClientHello: an alert refusing the ServerHello, before set_version() runs, goes out as
  // 0x0303 too, which TLS 1.2 peers check once the ServerHello fixed the version (Go 1.19
  // dropped our handshake_failure as "received record with version 301").
  encoder_.set_version(static_cast<uint16_t>(ProtocolVersion::tls1_2));
  // Report each record header we produced, parsed back from what the encoder appended.
  codec::Reader records(std::span<const uint8_t>(out_).subspan(before));
  while (!records.empty()) {
    uint8_t ct = 0;
    uint16_t version = 0;
    uint16_t length = 0;
    std::span<const uint8_t> fragment;
    if (!records.read_u8(ct) || !records.read_u16(version) || !records.read_u16(length) ||
        !records.read_bytes(length, fragment)) {
      break;
    }
    emit(RecordEvent{Direction::out, ct, version, length, fragment});
  }
  if (!r.ok()) {
    out_.resize(before);
    return r;
  }
  emit(MessageEvent{Direction::out, static_cast<uint8_t>(type), handshake_type, trace_version_,
                    data, encoder_.protection().encrypted()});
  if (type == ContentType::application_data) {
    key_update_reply_pending_ = false;
  } else if (type == ContentType::handshake &&
             handshake_type == static_cast<uint8_t>(HandshakeType::key_update) && data.size() > 4 &&
             data[4] == static_cast<uint8_t>(messages::KeyUpdateRequest::update_not_requested)) {
    key_update_reply_pending_ = true;
  }
  return ok_result();
}

Result<void> ConnectionImpl::send_handshake(std::span<const uint8_t> raw) {
  if (raw.size() < kHandshakeHeaderLen) {
    return Error(ErrorCode::internal_error, "send_handshake");
  }
  return write_records(ContentType::handshake, raw, raw[0]);
}

Result<void> ConnectionImpl::send_change_cipher_spec() {
  std::vector<uint8_t> body;
  (void)messages::serialize(messages::ChangeCipherSpec{}, body);
  return write_records(ContentType::change_cipher_spec, body, 0);
}

Result<void> ConnectionImpl::send_alert(AlertLevel level, AlertDescription description) {
  messages::AlertMessage msg{level, description};
  std::vector<uint8_t> body;
  (void)messages::serialize(msg, body);
  emit(AlertEvent{Direction::out, level, description});
  return write_records(ContentType::alert, body, 0);
}

void ConnectionImpl::set_write_protection(std::unique_ptr<record::RecordProtection> p,
                                          std::string_view secret_name) {
  encoder_.set_protection(std::move(p));
  emit(KeyChangeEvent{Direction::out, secret_name});
}

Result<void> ConnectionImpl::set_read_protection(std::unique_ptr<record::RecordProtection> p,
                                                 std::string_view secret_name) {
  // RFC 8446 §5.1: "Handshake messages MUST NOT span key changes. Implementations MUST verify
  // that all messages immediately preceding a key change align with a record boundary; if not,
  // then they MUST terminate the connection with an "unexpected_message" alert."
  if (!reassembler_.empty()) {
    return Error(ErrorCode::unexpected_message, "key change",
                 "handshake message spans a key change");
  }
  if (own_record_limit_ && p->encrypted()) {
    p->set_plaintext_limit(*own_record_limit_);
  }
  decoder_.set_protection(std::move(p));
  if (!is_client_ && secret_name == "client_handshake_traffic_secret") {
    decoder_.allow_plaintext_alerts();
  }
  emit(KeyChangeEvent{Direction::in, secret_name});
  return ok_result();
}

void ConnectionImpl::set_own_record_size_limit(uint16_t limit, bool current_keys) {
  own_record_limit_ = limit;
  if (current_keys && decoder_.protection().encrypted()) {
    decoder_.limit_plaintext(limit);
  }
}

void ConnectionImpl::set_version(ProtocolVersion v) {
  version_ = v;
  trace_version_ = static_cast<uint16_t>(v);
  // RFC 8446 §5.1: legacy_record_version "MUST be set to 0x0303 for all records generated by
  // a TLS 1.3 implementation other than an initial ClientHello"; TLS 1.2 uses 0x0303 anyway.
  encoder_.set_version(static_cast<uint16_t>(ProtocolVersion::tls1_2));
  info_.version = v;
}

void ConnectionImpl::set_trace_version(ProtocolVersion v) {
  if (!version_) {
    trace_version_ = static_cast<uint16_t>(v);
  }
}

void ConnectionImpl::key_log(std::string_view label, std::span<const uint8_t> client_random,
                             const SecretBytes& secret) {
  if (key_log_) {
    key_log_->log(label, client_random, secret.expose());
  }
}

void ConnectionImpl::emit_state(std::string_view state) { emit(StateEvent{state}); }

void ConnectionImpl::note(std::string_view text) {
  if (observer_ != nullptr) {
    emit(NoteEvent{std::string(text)});
  }
}

void ConnectionImpl::consume_output(size_t n) {
  n = std::min(n, out_.size());
  out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(n));
  // Counted as the newest bytes: they leave the count only once everything before them went.
  provoked_out_ = std::min(provoked_out_, out_.size());
}

Result<void> ConnectionImpl::receive(std::span<const uint8_t> data) {
  if (failed_) {
    return *failed_;
  }
  if (peer_closed_) {
    // RFC 8446 §6.1: "Any data received after a closure alert has been received MUST be
    // ignored." (RFC 5246 §7.2.1 says the same.)
    return ok_result();
  }
  // An application that keeps calling receive() without read() while records already wait
  // behind a full plaintext buffer would make the decoder grow without bound.
  if (readable() > kMaxBufferedPlaintext &&
      decoder_.buffered_size() + data.size() > kMaxBufferedCiphertext) {
    return fail(Error(ErrorCode::record_overflow, "receive",
                      "too much unread data buffered: read() the received data before passing "
                      "more bytes to receive()"));
  }
  // The same bound while the handshake waits for an offloaded signature: a client has little
  // to send before our flight is complete, a flooding one is stopped here.
  if (signature_request_ && decoder_.buffered_size() + data.size() > kMaxBufferedCiphertext) {
    return fail(Error(ErrorCode::record_overflow, "receive",
                      "too much data received while waiting for the signature"));
  }
  headers_in_.feed(data, observer_ != nullptr);
  // Once connected, records are opened from `data` where it is straight into plaintext_ (see
  // pump()); only a partial record at the end is copied, by retain().
  decoder_.attach(data);
  auto r = pump_bounded();
  decoder_.retain();
  release_idle_buffers();
  return r;
}

void ConnectionImpl::release_idle_buffers() {
  if (driver_->is_connected()) {
    // Idle memory: an established connection holds no empty receive buffer (a record cut by
    // the transport still costs a buffer until it is complete).
    decoder_.release_memory();
    headers_in_.release_memory();
  }
}

Result<size_t> ConnectionImpl::receive_into(std::span<const uint8_t> data, std::span<uint8_t> out) {
  if (failed_) {
    return *failed_;
  }
  // Data decrypted earlier comes first.
  const size_t buffered = take_plaintext(out);
  app_out_ = out;
  app_out_len_ = buffered;
  auto r = receive(data);
  const size_t n = app_out_len_;
  app_out_ = {};
  app_out_len_ = 0;
  if (!r.ok()) {
    // What reached `out` before the failing record is still the peer's data: it goes back to
    // read(), as after a receive() that failed. The failing record left nothing (the decoder
    // zeroes what it opened into `out` when the tag does not verify).
    const auto delivered = out.first(n);
    plaintext_.insert(plaintext_.begin() + static_cast<std::ptrdiff_t>(plaintext_pos_),
                      delivered.begin(), delivered.end());
    return std::move(r).error();
  }
  // Records that did not fit where they belonged were opened into plaintext_: as much of them
  // as fits is copied after the rest.
  return n + take_plaintext(out.subspan(n));
}

Result<void> ConnectionImpl::pump_bounded() {
  const size_t out_before = out_.size();
  auto r = pump();
  if (!r.ok()) {
    return r;
  }
  provoked_out_ += out_.size() - std::min(out_before, out_.size());
  if (provoked_out_ > kMaxProvokedOutput) {
    return fail(Error(ErrorCode::unexpected_message, "receive",
                      "the peer keeps provoking answers that are never sent: flush output()"));
  }
  return ok_result();
}

Result<void> ConnectionImpl::pump() {
  while (!failed_ && !peer_closed_) {
    if (readable() > kMaxBufferedPlaintext) {
      return ok_result();  // resumed by read()
    }
    if (signature_request_) {
      return ok_result();  // resumed by provide_signature()
    }
    // Established: protected records are opened into plaintext_ directly (application data,
    // the bulk of them, stays there for read()), but only where plaintext_ already has room for
    // a whole record: during the handshake, and for the first records after it (a
    // NewSessionTicket, the first application data), they are opened in place in the decoder,
    // so plaintext_ grows only for application data (idle memory).
    if (plaintext_pos_ > 0 && plaintext_pos_ == plaintext_.size()) {
      plaintext_.clear();
      plaintext_pos_ = 0;
    }
    const bool direct = driver_->is_connected() && plaintext_.capacity() - plaintext_.size() >=
                                                       decoder_.protection().max_ciphertext_len();
    // receive_into(): application data goes to the caller's buffer while nothing waits before
    // it in plaintext_.
    const bool to_caller =
        driver_->is_connected() && readable() == 0 && app_out_len_ < app_out_.size();
    const size_t plaintext_before = plaintext_.size();
    auto next = decoder_.next(direct ? &plaintext_ : nullptr,
                              to_caller ? app_out_.subspan(app_out_len_) : std::span<uint8_t>());
    if (!next.ok()) {
      emit_pending_headers_in();
      return fail(std::move(next).error());
    }
    if (!next.value()) {
      return ok_result();
    }
    record::Record rec = *next.value();
    // Records the decoder dropped as declined early data (RFC 8446 §4.2.10) still crossed the
    // wire: report their headers first so the rest stay aligned.
    for (size_t skipped = decoder_.take_skipped_count(); skipped > 0; --skipped) {
      if (auto h = headers_in_.pop()) {
        emit(RecordEvent{Direction::in, h->content_type, h->version, h->length, h->fragment});
      }
      note("early data record skipped (0-RTT declined)");
    }
    auto header = headers_in_.pop();
    if (header) {
      emit(RecordEvent{Direction::in, header->content_type, header->version, header->length,
                       header->fragment});
    }
    // Read protection may change while this record is dispatched; the record itself came in
    // under the protection that was current when it was opened. Under TLS 1.3 protection a
    // record whose outer type is change_cipher_spec was passed through unprotected (RFC 8446
    // §5, middlebox compatibility); every protected record travels as application_data.
    bool encrypted = decoder_.protection().encrypted();
    if (decoder_.protection().hides_content_type() && header &&
        header->content_type != static_cast<uint8_t>(ContentType::application_data)) {
      encrypted = false;  // a CCS or an allowed plaintext alert passed through unprotected
    }
    const bool in_plaintext = plaintext_.size() != plaintext_before;
    const Landing landing = rec.in_dest    ? Landing::caller
                            : in_plaintext ? Landing::plaintext
                                           : Landing::decoder;
    auto r = dispatch(rec, encrypted, landing);
    if (in_plaintext && (rec.type != ContentType::application_data || !r.ok())) {
      plaintext_.resize(plaintext_before);
    }
    if (!r.ok()) {
      return fail(std::move(r).error());
    }
  }
  if (failed_) {
    return *failed_;
  }
  return ok_result();
}

Result<void> ConnectionImpl::dispatch(const record::Record& rec, bool encrypted, Landing landing) {
  // RFC 5246 §6.2.1 lets a handshake message span records, and RFC 8446 §5.1: "Handshake
  // messages MUST NOT be interleaved with other record types. That is, if a handshake message
  // is split over two or more records, there MUST NOT be any other records between them."
  if (rec.type != ContentType::handshake && !reassembler_.empty()) {
    return Error(ErrorCode::unexpected_message, "record",
                 "record interleaved with a fragmented handshake message");
  }
  switch (rec.type) {
    case ContentType::handshake:
      return on_handshake_fragment(rec.fragment, encrypted);
    case ContentType::change_cipher_spec: {
      // RFC 5246 §7.1: the message "consists of a single byte of value 1".
      auto ccs = messages::parse_change_cipher_spec(rec.fragment);
      if (!ccs.ok()) {
        // RFC 8446 §5: "An implementation which receives any other change_cipher_spec value
        // ... MUST abort the handshake with an "unexpected_message" alert." TLS 1.2 has no
        // such rule; there a malformed message is a decode_error.
        return Error(version_ == ProtocolVersion::tls1_3 ? ErrorCode::unexpected_message
                                                         : ErrorCode::decode_error,
                     "change_cipher_spec", "ChangeCipherSpec must be the single byte 0x01");
      }
      emit(MessageEvent{Direction::in, static_cast<uint8_t>(ContentType::change_cipher_spec), 0,
                        trace_version_, rec.fragment, encrypted});
      // RFC 8446 §5: "An implementation which receives any other change_cipher_spec value or
      // which receives a protected change_cipher_spec record MUST abort the handshake with an
      // "unexpected_message" alert." (Whether an unprotected one is acceptable at this point is
      // the state machine's call.)
      if (encrypted && version_ == ProtocolVersion::tls1_3) {
        return Error(ErrorCode::unexpected_message, "change_cipher_spec",
                     "protected ChangeCipherSpec under TLS 1.3");
      }
      return driver_->on_change_cipher_spec(*this);
    }
    case ContentType::alert:
      return on_alert(rec.fragment, encrypted);
    case ContentType::application_data:
      // RFC 5246 §7.4.9 / RFC 8446 §4.4.4: application data flows only after the Finished
      // messages; before that it is an unexpected record, unless it is 0-RTT data the server
      // accepted (RFC 8446 §4.2.10), which the driver counts against max_early_data_size.
      if (!driver_->is_connected()) {
        HS_TRY(driver_->on_early_data(*this, rec.fragment.size()));
        emit(MessageEvent{Direction::in, static_cast<uint8_t>(ContentType::application_data), 0,
                          trace_version_, rec.fragment, encrypted});
        if (early_in_pos_ > 0 && early_in_pos_ == early_in_.size()) {
          early_in_.clear();
          early_in_pos_ = 0;
        }
        early_in_.insert(early_in_.end(), rec.fragment.begin(), rec.fragment.end());
        return ok_result();
      }
      emit(MessageEvent{Direction::in, static_cast<uint8_t>(ContentType::application_data), 0,
                        trace_version_, rec.fragment, encrypted});
      if (landing == Landing::caller) {
        app_out_len_ += rec.fragment.size();  // opened where receive_into()'s caller wants it
        return ok_result();
      }
      if (landing == Landing::plaintext) {
        return ok_result();  // opened where read() takes it from
      }
      if (plaintext_pos_ > 0 && plaintext_pos_ == plaintext_.size()) {
        plaintext_.clear();
        plaintext_pos_ = 0;
      }
      plaintext_.insert(plaintext_.end(), rec.fragment.begin(), rec.fragment.end());
      return ok_result();
    case ContentType::invalid:
      break;
  }
  return Error(ErrorCode::unexpected_message, "record", "unknown record content type");
}

Result<void> ConnectionImpl::on_handshake_fragment(std::span<const uint8_t> fragment,
                                                   bool encrypted) {
  HS_TRY(reassembler_.add(fragment));
  while (!failed_) {
    auto next = HS_TRY(reassembler_.next());
    if (!next) {
      break;
    }
    emit(MessageEvent{Direction::in, static_cast<uint8_t>(ContentType::handshake),
                      static_cast<uint8_t>(next->type), trace_version_, next->raw, encrypted});
    HandshakeMessageView view{next->type, next->body, next->raw};
    HS_TRY(driver_->on_handshake(*this, view));
    if (early_resend_ && driver_->is_connected()) {
      HS_TRY(resend_rejected_early_data());
    }
  }
  if (driver_->is_connected()) {
    reassembler_.release_memory();  // idle memory: post-handshake messages are rare
  }
  return ok_result();
}

void ConnectionImpl::open_early_data(size_t max) {
  // RFC 8446 §5.1: only the initial ClientHello may go out as 0x0301; the early data (and the
  // dummy ChangeCipherSpec before it) use 0x0303.
  encoder_.set_version(static_cast<uint16_t>(ProtocolVersion::tls1_2));
  early_open_ = true;
  early_room_ = max;
  info_.early_data = EarlyDataStatus::offered;
}

void ConnectionImpl::close_early_data(bool accepted) {
  if (info_.early_data != EarlyDataStatus::offered) {
    return;
  }
  early_open_ = false;
  early_room_ = 0;
  info_.early_data = accepted ? EarlyDataStatus::accepted : EarlyDataStatus::rejected;
  if (accepted) {
    early_sent_.clear();
  } else {
    early_resend_ = !early_sent_.empty();
    note("early data rejected by the server" +
         std::string(early_resend_ ? "; it will be sent again after the handshake" : ""));
  }
}

Result<void> ConnectionImpl::resend_rejected_early_data() {
  early_resend_ = false;
  std::vector<uint8_t> data = std::move(early_sent_);
  early_sent_.clear();
  note("sending the " + std::to_string(data.size()) +
       " bytes of rejected early data as 1-RTT data");
  return write_records(ContentType::application_data, data, 0);
}

Result<size_t> ConnectionImpl::write_early_data(std::span<const uint8_t> data) {
  if (failed_) {
    return *failed_;
  }
  if (!early_open_) {
    return Error(ErrorCode::internal_error, "write_early_data",
                 "early data cannot be sent on this connection (not offered, or the server "
                 "already answered)");
  }
  const size_t n = std::min(data.size(), early_room_);
  if (n == 0) {
    return size_t{0};
  }
  auto chunk = data.first(n);
  auto r = write_records(ContentType::application_data, chunk, 0);
  if (!r.ok()) {
    return fail(std::move(r).error());
  }
  early_room_ -= n;
  early_sent_.insert(early_sent_.end(), chunk.begin(), chunk.end());
  return n;
}

size_t ConnectionImpl::read_early_data(std::span<uint8_t> out) {
  size_t n = std::min(out.size(), early_data_readable());
  std::copy_n(early_in_.begin() + static_cast<std::ptrdiff_t>(early_in_pos_), n, out.begin());
  early_in_pos_ += n;
  if (early_in_pos_ == early_in_.size()) {
    early_in_.clear();
    early_in_pos_ = 0;
  }
  return n;
}

Result<void> ConnectionImpl::on_alert(std::span<const uint8_t> fragment, bool encrypted) {
  auto parsed = messages::parse_alert(fragment);
  if (!parsed.ok()) {
    return Error(ErrorCode::decode_error, "alert", "an alert record must hold exactly 2 bytes");
  }
  messages::AlertMessage alert = parsed.value();
  emit(MessageEvent{Direction::in, static_cast<uint8_t>(ContentType::alert), 0, trace_version_,
                    fragment, encrypted});
  emit(AlertEvent{Direction::in, alert.level, alert.description});
  if (alert.description == AlertDescription::close_notify) {
    // RFC 8446 §6.1: close_notify "notifies the recipient that the sender will not send any
    // more messages on this connection".
    peer_closed_ = true;
    return ok_result();
  }
  bool tls13 = version_ == ProtocolVersion::tls1_3;
  bool ignorable_warning = alert.level == AlertLevel::warning &&
                           (alert.description == AlertDescription::user_canceled ||
                            (!tls13 && alert.description == AlertDescription::no_renegotiation));
  if (ignorable_warning) {
    note(std::string("ignored warning alert ") + std::string(alert_name(alert.description)));
    return ok_result();
  }
  // RFC 8446 §6: "Unknown Alert types MUST be treated as error alerts", and §6.2 treats every
  // error alert as fatal whatever its level. For TLS 1.2 we likewise refuse to continue after
  // any warning other than the two above: none of them can be safely ignored during a
  // handshake we run to completion.
  return Error::from_peer_alert(alert.description);
}

size_t ConnectionImpl::read(std::span<uint8_t> out) {
  const size_t n = take_plaintext(out);
  // Records may have been left in the decoder while the buffer was full. An error here is
  // remembered and returned by the next receive() or receive_eof().
  if (n > 0 && !failed_ && decoder_.has_buffered_bytes()) {
    (void)pump_bounded();
  }
  return n;
}

size_t ConnectionImpl::take_plaintext(std::span<uint8_t> out) {
  size_t n = std::min(out.size(), readable());
  std::copy_n(plaintext_.begin() + static_cast<std::ptrdiff_t>(plaintext_pos_), n, out.begin());
  plaintext_pos_ += n;
  if (plaintext_pos_ == plaintext_.size()) {
    plaintext_.clear();
    plaintext_pos_ = 0;
  } else if (plaintext_pos_ > kMaxBufferedPlaintext) {
    plaintext_.erase(plaintext_.begin(),
                     plaintext_.begin() + static_cast<std::ptrdiff_t>(plaintext_pos_));
    plaintext_pos_ = 0;
  }
  return n;
}

Result<void> ConnectionImpl::write(std::span<const uint8_t> data) {
  if (failed_) {
    return *failed_;
  }
  if (sent_close_notify_) {
    return Error(ErrorCode::internal_error, "write", "write after close()");
  }
  if (!driver_->is_connected()) {
    return Error(ErrorCode::internal_error, "write", "write before the handshake finished");
  }
  while (!data.empty()) {
    size_t n = data.size();
    if (version_ == ProtocolVersion::tls1_3) {
      // RFC 8446 §5.5: "Implementations SHOULD NOT allow more than [the limit] to be processed
      // with the same key; ... implementations SHOULD do a key update using KeyUpdate
      // (Section 4.6.3) prior to reaching these limits." (AES-GCM: 2^24.5 full-size records.)
      uint64_t sealed = encoder_.protection().sequence_number();
      if (sealed >= key_update_after_records_) {
        auto r = driver_->send_key_update(*this, /*request_peer_update=*/false);
        if (!r.ok()) {
          return fail(std::move(r).error());
        }
        note("KeyUpdate sent: " + std::to_string(sealed) +
             " records sealed under the previous key");
        sealed = encoder_.protection().sequence_number();
      }
      // Write no more records than the key has left, then update before the rest.
      const uint64_t left = key_update_after_records_ - std::min(sealed, key_update_after_records_);
      const size_t fragment = max_fragment();
      if (left < (n + fragment - 1) / fragment) {
        n = static_cast<size_t>(left) * fragment;
      }
    }
    auto r = write_records(ContentType::application_data, data.first(n), 0);
    if (!r.ok()) {
      return fail(std::move(r).error());
    }
    data = data.subspan(n);
  }
  return ok_result();
}

Result<SecretBytes> ConnectionImpl::export_keying_material(
    std::string_view label, size_t length, std::optional<std::span<const uint8_t>> context) const {
  if (failed_) {
    return *failed_;
  }
  // RFC 5705 and RFC 8446 §7.5 define exporters over the secrets of a finished handshake: a
  // TLS 1.3 server has its exporter_master_secret once it sent its Finished, but the client is
  // not authenticated until its own Finished verifies, so exports wait for that on both sides.
  if (!driver_->is_connected() || !exporter_) {
    return Error(ErrorCode::internal_error, "exporter",
                 "keying material is exported once the handshake has completed");
  }
  return exporter_->derive(provider_, label, context, length);
}

Result<SecretBytes> ConnectionImpl::export_early_keying_material(
    std::string_view label, size_t length, std::optional<std::span<const uint8_t>> context) const {
  if (failed_) {
    return *failed_;
  }
  // RFC 8446 §7.5: the early_exporter_master_secret "is defined for use in settings where an
  // exporter is needed for 0-RTT data": a client that offered early data (and was not refused),
  // a server that accepted it.
  const bool in_use = info_.early_data == EarlyDataStatus::accepted ||
                      (is_client_ && info_.early_data == EarlyDataStatus::offered);
  if (!early_exporter_ || !in_use) {
    return Error(ErrorCode::internal_error, "early exporter",
                 "no 0-RTT data on this connection: use export_keying_material");
  }
  return early_exporter_->derive(provider_, label, context, length);
}

Result<void> ConnectionImpl::key_update(bool request_peer_update) {
  if (failed_) {
    return *failed_;
  }
  if (sent_close_notify_) {
    return Error(ErrorCode::internal_error, "key_update", "key_update after close()");
  }
  // RFC 8446 §4.6.3: KeyUpdate "can be sent by either peer after it has sent a Finished
  // message"; we send it only once the handshake is complete, under TLS 1.3.
  if (!driver_->is_connected() || version_ != ProtocolVersion::tls1_3) {
    return Error(ErrorCode::internal_error, "key_update",
                 "KeyUpdate needs an established TLS 1.3 connection");
  }
  auto r = driver_->send_key_update(*this, request_peer_update);
  if (!r.ok()) {
    return fail(std::move(r).error());
  }
  return ok_result();
}

Result<void> ConnectionImpl::request_signature(SignatureScheme scheme, std::vector<uint8_t> message,
                                               size_t certificate) {
  if (signature_request_) {
    return Error(ErrorCode::internal_error, "signature", "a signature is already awaited");
  }
  signature_request_ =
      std::make_unique<SignatureRequest>(SignatureRequest{scheme, std::move(message), certificate});
  if (wants_notes()) {
    note("waiting for the application's " + std::string(signature_scheme_name(scheme)) +
         " signature (offloaded key)");
  }
  return ok_result();
}

Result<void> ConnectionImpl::provide_signature(std::span<const uint8_t> signature) {
  if (failed_) {
    return *failed_;
  }
  if (!signature_request_) {
    return Error(ErrorCode::internal_error, "signature",
                 "provide_signature without a signature_request()");
  }
  signature_request_.reset();
  if (signature.empty()) {
    return fail(Error(ErrorCode::internal_error, "signature", "the application could not sign"));
  }
  auto r = driver_->on_signature(*this, signature);
  if (!r.ok()) {
    return fail(std::move(r).error());
  }
  // What receive() kept meanwhile (a middlebox-compatibility ChangeCipherSpec, an alert, the
  // server's data during a client's post-handshake answer).
  auto p = decoder_.has_buffered_bytes() ? pump_bounded() : ok_result();
  release_idle_buffers();
  return p;
}

Result<void> ConnectionImpl::request_client_certificate(ClientAuth mode) {
  if (failed_) {
    return *failed_;
  }
  if (sent_close_notify_) {
    return Error(ErrorCode::internal_error, "certificate_request",
                 "request_client_certificate after close()");
  }
  if (!driver_->is_connected() || version_ != ProtocolVersion::tls1_3) {
    return Error(ErrorCode::internal_error, "certificate_request",
                 "post-handshake authentication needs an established TLS 1.3 connection");
  }
  if (mode == ClientAuth::none) {
    return Error(ErrorCode::internal_error, "certificate_request",
                 "request_client_certificate needs ClientAuth::request or ::require");
  }
  // Refusals (the client did not offer post_handshake_auth, a request is outstanding) leave the
  // connection as it was; only a failure to send fails it.
  return driver_->request_client_certificate(*this, mode == ClientAuth::require);
}

void ConnectionImpl::close() {
  if (failed_ || sent_close_notify_) {
    return;
  }
  sent_close_notify_ = true;
  // A handshake waiting for an offloaded signature ends here: nothing may follow close_notify.
  signature_request_.reset();
  // RFC 8446 §6.1: "Each party MUST send a "close_notify" alert before closing its write side
  // of the connection".
  auto r = send_alert(AlertLevel::warning, AlertDescription::close_notify);
  if (!r.ok()) {
    (void)fail(std::move(r).error());
  }
}

Result<void> ConnectionImpl::receive_eof() {
  if (failed_) {
    return *failed_;
  }
  if (peer_closed_) {
    return ok_result();
  }
  // RFC 5246 §7.2.1 / RFC 8446 §6.1: without close_notify the data may have been truncated by
  // an attacker.
  return fail(Error(ErrorCode::truncated, "connection",
                    is_client_ ? "server closed the connection without close_notify (possible "
                                 "truncation attack)"
                               : "client closed the connection without close_notify (possible "
                                 "truncation attack)"));
}

}  // namespace hs::detail

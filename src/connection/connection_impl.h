// ConnectionImpl: the record layer, buffers, alerts and events around one role's handshake
// driver. hs::Connection forwards to it; the state machines see it as a HandshakeContext.
#pragma once

#include <hs/connection.h>
#include <hs/events.h>
#include <hs/keylog.h>
#include <hs/result.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/plain_buffer.h"
#include "handshake/common/driver.h"
#include "record/handshake_reassembler.h"
#include "record/record_decoder.h"
#include "record/record_encoder.h"

namespace hs::detail {

// WireHeader is one record header as it crossed the wire (before decryption).
struct WireHeader {
  uint8_t content_type;
  uint16_t version;
  uint16_t length;
  // fragment: the record's bytes as received (ciphertext once protected), kept only when the
  // tracker was fed with keep_fragments (an observer is installed), for RecordEvent::fragment.
  std::vector<uint8_t> fragment;
};

// RecordHeaderTracker follows the transport byte stream record by record and remembers each
// record header, so RecordEvents can report the header as it was on the wire (outer type,
// legacy version, ciphertext length) although the decoder hands out decrypted records. It
// relies only on the framing (5-byte header, then `length` bytes); the decoder does the checks.
class RecordHeaderTracker {
 public:
  // feed follows `bytes`; with `keep_fragments` each header also keeps its record's bytes.
  void feed(std::span<const uint8_t> bytes, bool keep_fragments);
  // pop returns the oldest complete header not yet popped.
  std::optional<WireHeader> pop();
  // release_memory frees the queue's capacity when every header was popped.
  void release_memory() {
    if (headers_.empty()) {
      std::vector<WireHeader>().swap(headers_);
    }
  }

 private:
  std::array<uint8_t, kRecordHeaderLen> partial_{};
  size_t partial_len_ = 0;
  size_t skip_ = 0;       // body bytes of the current record still to pass
  bool filling_ = false;  // headers_.back() is the current record and collects its fragment
  // Headers not yet popped are headers_[head_...]; a vector (empty: no allocation, where a
  // std::deque allocates about 600 bytes up front), cleared once all were popped.
  std::vector<WireHeader> headers_;
  size_t head_ = 0;
};

// check_record_limits validates ClientConfig/ServerConfig::record_size_limit (0, or 64..2^14+1:
// RFC 8449 §4 "Endpoints MUST NOT send a "record_size_limit" extension with a value smaller
// than 64" and "MUST NOT send a value higher than the protocol-defined maximum record size")
// and key_update_after_records (at least 1). invalid_config otherwise.
Result<void> check_record_limits(uint16_t record_size_limit, uint64_t key_update_after_records,
                                 const char* context);

class ConnectionImpl final : public HandshakeContext {
 public:
  // kMaxBufferedPlaintext bounds unread application data: above it, records stay undecrypted
  // in the decoder until read() makes room.
  static constexpr size_t kMaxBufferedPlaintext = 64 * 1024;
  // kMaxBufferedCiphertext bounds the bytes receive() accepts into the record decoder while
  // unread plaintext is at kMaxBufferedPlaintext (records pending behind it): the application
  // keeps calling receive() without read(). Four full-size TLSCiphertext records of slack.
  static constexpr size_t kMaxBufferedCiphertext = kMaxBufferedPlaintext + 4 * (5 + 16384 + 256);
  // kMaxProvokedOutput bounds the output that receive() produced (handshake flights, KeyUpdate
  // answers, no_renegotiation warnings) and the application has not taken with
  // consume_output(): a peer that keeps provoking answers while we never flush. write() output
  // does not count.
  static constexpr size_t kMaxProvokedOutput = 1024 * 1024;

  ConnectionImpl(bool is_client, const crypto::Provider& provider,
                 std::shared_ptr<KeyLogSink> key_log, std::unique_ptr<HandshakeDriver> driver,
                 Observer* observer);

  // start runs the driver's start() (a client queues its ClientHello).
  Result<void> start();

  Result<void> receive(std::span<const uint8_t> data);
  Result<void> receive_eof();
  std::span<const uint8_t> output() const { return out_; }
  void consume_output(size_t n);

  bool is_handshaking() const { return !failed_ && !driver_->is_connected(); }
  bool is_connected() const { return !failed_ && driver_->is_connected(); }
  bool peer_closed() const { return peer_closed_; }
  bool failed() const { return failed_.has_value(); }

  Result<size_t> receive_into(std::span<const uint8_t> data, std::span<uint8_t> out);
  size_t read(std::span<uint8_t> out);
  size_t readable() const { return plaintext_.size() - plaintext_pos_; }
  Result<void> write(std::span<const uint8_t> data);
  void close();
  // key_update sends a TLS 1.3 KeyUpdate (see Connection::key_update).
  Result<void> key_update(bool request_peer_update);
  // export_keying_material: see Connection::export_keying_material.
  Result<SecretBytes> export_keying_material(std::string_view label, size_t length,
                                             std::optional<std::span<const uint8_t>> context) const;
  // export_early_keying_material: see Connection::export_early_keying_material.
  Result<SecretBytes> export_early_keying_material(
      std::string_view label, size_t length, std::optional<std::span<const uint8_t>> context) const;
  // request_client_certificate: see Connection::request_client_certificate.
  Result<void> request_client_certificate(ClientAuth mode);
  bool client_certificate_pending() const {
    return !failed_ && driver_->client_certificate_pending();
  }
  // Offloaded signing: see Connection::signature_request / provide_signature.
  const SignatureRequest* signature_request() const {
    return failed_ ? nullptr : signature_request_.get();
  }
  Result<void> provide_signature(std::span<const uint8_t> signature);
  // set_key_update_after_records sets how many records one TLS 1.3 sending key seals before
  // write() sends a KeyUpdate (ClientConfig/ServerConfig::key_update_after_records; at least 1).
  void set_key_update_after_records(uint64_t records) {
    key_update_after_records_ = records == 0 ? 1 : records;
  }

  // 0-RTT (see hs::Connection).
  Result<size_t> write_early_data(std::span<const uint8_t> data);
  size_t early_data_room() const { return early_open_ ? early_room_ : 0; }
  size_t read_early_data(std::span<uint8_t> out);
  size_t early_data_readable() const { return early_in_.size() - early_in_pos_; }

  const SessionInfo& session() const { return info_; }
  void set_observer(Observer* observer) { observer_ = observer; }

  // HandshakeContext.
  const crypto::Provider& provider() const override { return provider_; }
  Result<void> send_handshake(std::span<const uint8_t> raw) override;
  Result<void> send_change_cipher_spec() override;
  void set_write_protection(std::unique_ptr<record::RecordProtection> p,
                            std::string_view secret_name) override;
  Result<void> set_read_protection(std::unique_ptr<record::RecordProtection> p,
                                   std::string_view secret_name) override;
  void set_version(ProtocolVersion v) override;
  void set_trace_version(ProtocolVersion v) override;
  Result<void> send_alert(AlertLevel level, AlertDescription description) override;
  void set_peer_record_size_limit(uint16_t limit) override { peer_record_limit_ = limit; }
  void set_own_record_size_limit(uint16_t limit, bool current_keys) override;
  void skip_early_data(size_t budget) override { decoder_.skip_undecryptable_records(budget); }
  void open_early_data(size_t max) override;
  void close_early_data(bool accepted) override;
  Result<void> request_signature(SignatureScheme scheme, std::vector<uint8_t> message,
                                 size_t certificate) override;
  void key_log(std::string_view label, std::span<const uint8_t> client_random,
               const SecretBytes& secret) override;
  void set_exporter(Exporter exporter) override { exporter_.emplace(std::move(exporter)); }
  void set_early_exporter(Exporter exporter) override {
    early_exporter_.emplace(std::move(exporter));
  }
  void emit_state(std::string_view state) override;
  void note(std::string_view text) override;
  bool wants_notes() const override { return observer_ != nullptr; }
  bool key_update_reply_pending() const override { return key_update_reply_pending_; }
  SessionInfo& info() override { return info_; }
  const Limits& limits() const override { return limits_; }
  // set_limits installs the configuration's Limits (before the first receive()).
  void set_limits(const Limits& limits) {
    limits_ = limits;
    reassembler_.set_limits(limits.max_handshake_message_size, limits.max_certificate_message_size);
  }

 private:
  // pump decrypts and dispatches buffered records until the decoder needs more bytes, the
  // plaintext buffer is full, or the peer closed.
  Result<void> pump();
  // pump_bounded runs pump() and counts the output it produced against kMaxProvokedOutput.
  Result<void> pump_bounded();
  // release_idle_buffers frees the receive buffers an established connection holds empty.
  void release_idle_buffers();
  // Landing is where the decoder opened a record: in its own buffer, straight into
  // plaintext_ (its last rec.fragment.size() bytes), or into the caller's buffer of
  // receive_into() (app_out_, at app_out_len_).
  enum class Landing : uint8_t { decoder, plaintext, caller };
  // dispatch handles one record. Application data opened into plaintext_ or the caller's
  // buffer stays there; any other record opened into plaintext_ is dropped from there after it
  // was handled (in the caller's buffer it is simply not counted).
  Result<void> dispatch(const record::Record& rec, bool encrypted, Landing landing);
  // take_plaintext copies buffered application data into `out` (read() without the pump).
  size_t take_plaintext(std::span<uint8_t> out);
  Result<void> on_handshake_fragment(std::span<const uint8_t> fragment, bool encrypted);
  Result<void> on_alert(std::span<const uint8_t> fragment, bool encrypted);
  // resend_rejected_early_data writes the early data the server declined as application data,
  // once the handshake is done.
  Result<void> resend_rejected_early_data();
  // fail records `e` as the connection's fatal error, queues the alert it maps to (if any) and
  // returns it.
  Error fail(Error e);
  // write_records fragments `data` into records in out_ and emits a RecordEvent per record and
  // then one MessageEvent (unless `message` is false: application data chunks get one too).
  Result<void> write_records(ContentType type, std::span<const uint8_t> data,
                             uint8_t handshake_type);
  void emit(EventBody body);
  void emit_pending_headers_in();
  // max_fragment is the plaintext cap for the next record sent: 2^14, or less under protection
  // when the peer sent record_size_limit (RFC 8449 §4; for TLS 1.3 the limit counts the inner
  // content type byte).
  size_t max_fragment() const;

  bool is_client_;
  const crypto::Provider& provider_;
  std::shared_ptr<KeyLogSink> key_log_;
  std::unique_ptr<HandshakeDriver> driver_;
  Observer* observer_;

  record::RecordDecoder decoder_;
  record::RecordEncoder encoder_;
  record::HandshakeReassembler reassembler_;
  RecordHeaderTracker headers_in_;

  codec::PlainBuffer out_;  // records are sealed into room that is not zero-filled first
  // Received application data not yet read; records are opened straight into it (pump()).
  codec::PlainBuffer plaintext_;
  size_t plaintext_pos_ = 0;
  // During receive_into(): the caller's buffer and how much application data it holds.
  // Records are opened into it while nothing is buffered in plaintext_ (order is kept).
  std::span<uint8_t> app_out_;
  size_t app_out_len_ = 0;

  // Server: the offloaded signature the handshake waits for (null: none). No record is read
  // while it is set (pump() stops; receive() keeps the bytes).
  std::unique_ptr<SignatureRequest> signature_request_;

  // Server: accepted 0-RTT data not yet read.
  std::vector<uint8_t> early_in_;
  size_t early_in_pos_ = 0;
  // Client: early data may be written (early_open_) up to early_room_ more bytes; a copy is
  // kept until the server's answer, to send again if it declines.
  bool early_open_ = false;
  size_t early_room_ = 0;
  std::vector<uint8_t> early_sent_;
  bool early_resend_ = false;

  uint16_t trace_version_ = 0x0303;
  std::optional<ProtocolVersion> version_;
  SessionInfo info_;
  Limits limits_;
  bool peer_closed_ = false;
  bool sent_close_notify_ = false;
  std::optional<Error> failed_;
  // The secret keying material exporters derive from (set_exporter), kept from the point the
  // handshake derives it; export_keying_material() uses it once the handshake completed.
  std::optional<Exporter> exporter_;
  std::optional<Exporter> early_exporter_;  // TLS 1.3 with 0-RTT data (set_early_exporter)
  // RFC 8449 record_size_limit values, once negotiated: the peer's caps what we send, ours is
  // enforced on what we receive (both only on protected records).
  std::optional<uint16_t> peer_record_limit_;
  std::optional<uint16_t> own_record_limit_;
  uint64_t key_update_after_records_ = uint64_t{1} << 24;
  // A KeyUpdate(update_not_requested) went out after our last application data record.
  bool key_update_reply_pending_ = false;
  // Bytes at the end of out_ that receive() produced (see kMaxProvokedOutput).
  size_t provoked_out_ = 0;
};

// check_client_config / check_server_config refuse a configuration that cannot work
// (invalid_config, naming what is wrong): versions out of range or inverted, empty suite, group
// or scheme lists, bad ALPN names, a client certificate without a chain or key; a server without
// a certificate, or one that asks for client certificates (ClientAuth::request/require) with no
// client_verifier to check them. Defined in config.cc.
Result<void> check_client_config(const ClientConfig& config);
Result<void> check_server_config(const ServerConfig& config);

}  // namespace hs::detail

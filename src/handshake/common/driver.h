// The seam between the connection (records, buffers, events, alerts) and a role's handshake
// state machine. The connection owns the record layer; a state machine only sees this context.
#pragma once

#include <hs/connection.h>
#include <hs/events.h>
#include <hs/result.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "codec/wire.h"
#include "crypto/provider.h"
#include "crypto/secret.h"
#include "handshake/common/exporter.h"

namespace hs::record {
class RecordProtection;
}

namespace hs::detail {

// HandshakeMessageView is one complete handshake message as the reassembler hands it over:
// `raw` is header + body (what the transcript hashes), `body` the part after the 4-byte header.
// Both are borrowed for the duration of the call.
struct HandshakeMessageView {
  HandshakeType type;
  std::span<const uint8_t> body;
  std::span<const uint8_t> raw;
};

// HandshakeContext is what a state machine may do to its connection.
class HandshakeContext {
 public:
  virtual ~HandshakeContext() = default;

  virtual const crypto::Provider& provider() const = 0;

  // send_handshake queues one complete handshake message (`raw` = header + body) under the
  // current write protection and emits its MessageEvent. The state machine adds `raw` to its
  // own transcript.
  virtual Result<void> send_handshake(std::span<const uint8_t> raw) = 0;
  // send_change_cipher_spec queues the one-byte ChangeCipherSpec record.
  virtual Result<void> send_change_cipher_spec() = 0;

  // set_write_protection / set_read_protection switch keys for one direction; the sequence
  // number restarts at 0 (a new protection object). set_read_protection fails with
  // unexpected_message if a partial handshake message is buffered (RFC 8446 §5.1: "Handshake
  // messages MUST NOT span key changes").
  virtual void set_write_protection(std::unique_ptr<record::RecordProtection> p,
                                    std::string_view secret_name) = 0;
  virtual Result<void> set_read_protection(std::unique_ptr<record::RecordProtection> p,
                                           std::string_view secret_name) = 0;
  // set_version records the negotiated version: the record layer's legacy_version and the
  // version shown in events follow it.
  virtual void set_version(ProtocolVersion v) = 0;

  // set_trace_version sets the version shown in events until set_version() is called. A client
  // shows the highest version it offers (OpenSSL's message callback reports the ClientHello and
  // the ServerHello under the client's maximum, which is what curl -v prints).
  virtual void set_trace_version(ProtocolVersion v) { (void)v; }
  // send_alert queues one alert record under the current write protection and emits its events.
  // For warnings such as no_renegotiation; fatal alerts are sent by returning an Error.
  virtual Result<void> send_alert(AlertLevel level, AlertDescription description) {
    (void)level;
    (void)description;
    return Error(ErrorCode::internal_error, "send_alert");
  }

  // set_peer_record_size_limit applies the peer's record_size_limit (RFC 8449 §4): "an endpoint
  // MUST NOT generate a protected record with plaintext that is larger than the RecordSizeLimit
  // value it receives from its peer". It caps every record sent from now on: protected TLS 1.3
  // records to limit - 1 bytes of content (the limit counts the inner content type byte), every
  // other record to the limit (unprotected ones too, which RFC 8449 allows and gnutls needs).
  virtual void set_peer_record_size_limit(uint16_t limit) { (void)limit; }
  // set_own_record_size_limit enforces the limit we advertised (RFC 8449 §4) on the protected
  // records read under every later read protection, and under the current one when
  // `current_keys` (and it decrypts): larger records fail with record_overflow.
  virtual void set_own_record_size_limit(uint16_t limit, bool current_keys) {
    (void)limit;
    (void)current_keys;
  }

  // skip_early_data tells the record layer that we declined the client's 0-RTT data: up to
  // `budget` bytes of records that do not open under the current read keys (or arrive as
  // application_data while unprotected) are dropped (RFC 8446 §4.2.10). Default: no skipping.
  virtual void skip_early_data(size_t budget) { (void)budget; }

  // open_early_data (client) lets the application write up to `max` bytes of 0-RTT data
  // (under the client early traffic key, installed next) and moves the record version to
  // 0x0303. close_early_data ends that:
  // `accepted` says whether the server took it (RFC 8446 §4.2.10); rejected data is sent again
  // as application data once the handshake is done. Defaults: nothing (a server).
  virtual void open_early_data(size_t max) { (void)max; }
  virtual void close_early_data(bool accepted) { (void)accepted; }

  // request_signature (server) asks the application for the signature of an offloaded key
  // (crypto::PrivateKey::offloaded), that of ServerConfig::certificates[certificate]: `message`
  // is the whole content to sign under `scheme`. The
  // state machine then returns a state that waits for HandshakeDriver::on_signature; the
  // connection reads no further records until then. Default: internal_error (contexts that
  // cannot wait, such as the fuzz and test harnesses).
  virtual Result<void> request_signature(SignatureScheme scheme, std::vector<uint8_t> message,
                                         size_t certificate) {
    (void)scheme;
    (void)message;
    (void)certificate;
    return Error(ErrorCode::internal_error, "signature", "this connection cannot wait for one");
  }

  // key_log passes a secret to the application's KeyLogSink, if one is installed.
  virtual void key_log(std::string_view label, std::span<const uint8_t> client_random,
                       const SecretBytes& secret) = 0;
  // set_exporter keeps the secret Connection::export_keying_material derives from: the TLS 1.3
  // exporter_master_secret, or the TLS 1.2 master secret and randoms. A state machine sets it
  // where it derives that secret; exports are refused until the handshake completes. Default:
  // dropped (contexts without exporters, such as the fuzz and test harnesses).
  virtual void set_exporter(Exporter exporter) { (void)exporter; }
  // set_early_exporter keeps the TLS 1.3 early_exporter_master_secret of a connection with
  // 0-RTT data (Connection::export_early_keying_material). Default: dropped.
  virtual void set_early_exporter(Exporter exporter) { (void)exporter; }

  // emit_state and note feed the trace. note copies `text` only when someone reads the notes
  // (wants_notes()), so a literal costs nothing in a connection without an observer.
  virtual void emit_state(std::string_view state) = 0;
  virtual void note(std::string_view text) = 0;
  // wants_notes says whether notes are read at all: a note that has to be built (numbers, names)
  // is built only then. Default: true.
  virtual bool wants_notes() const { return true; }
  // key_update_reply_pending is true when a KeyUpdate(update_not_requested) was sent after our
  // last application data record: a further update_requested needs no new answer (RFC 8446
  // §4.6.3 asks for one KeyUpdate "prior to sending its next Application Data record").
  // Default: false (always answer).
  virtual bool key_update_reply_pending() const { return false; }

  // info is the negotiated session, filled in by the state machine as it learns things.
  virtual SessionInfo& info() = 0;

  // limits are the configuration's Limits (defaults for contexts without a configuration).
  virtual const Limits& limits() const {
    static const Limits kDefaults;
    return kDefaults;
  }
};

// HandshakeDriver is one role's handshake (client or server; it picks TLS 1.2 or 1.3 itself).
class HandshakeDriver {
 public:
  virtual ~HandshakeDriver() = default;
  // start runs once when the connection is created (a client sends its ClientHello here).
  virtual Result<void> start(HandshakeContext& ctx) = 0;
  // on_handshake handles one complete handshake message, during or after the handshake. The
  // first thing each state does is reject message types it does not expect
  // (unexpected_message).
  virtual Result<void> on_handshake(HandshakeContext& ctx, const HandshakeMessageView& msg) = 0;
  // on_change_cipher_spec handles a (validated, one-byte) ChangeCipherSpec record.
  virtual Result<void> on_change_cipher_spec(HandshakeContext& ctx) = 0;
  // on_early_data is called for each application_data record received before is_connected():
  // ok means it is 0-RTT data the handshake accepted (RFC 8446 §4.2.10) and the connection
  // hands it to read_early_data(); an Error (default: unexpected_message) ends the connection.
  virtual Result<void> on_early_data(HandshakeContext& ctx, size_t length) {
    (void)ctx;
    (void)length;
    return Error(ErrorCode::unexpected_message, "application_data",
                 "application data before the handshake finished");
  }
  // on_signature continues a handshake that waits for an offloaded signature
  // (HandshakeContext::request_signature) with `signature`, in the TLS wire form; empty means
  // the application could not sign (internal_error). Default: internal_error (no such wait).
  virtual Result<void> on_signature(HandshakeContext& ctx, std::span<const uint8_t> signature) {
    (void)ctx;
    (void)signature;
    return Error(ErrorCode::internal_error, "signature", "no signature was asked for");
  }
  // is_connected: application data may flow (both Finished verified).
  virtual bool is_connected() const = 0;
  // send_key_update sends a TLS 1.3 KeyUpdate and switches to the next sending key (RFC 8446
  // §4.6.3); `request_peer_update` asks the peer to update its sending key too. Only once
  // connected under TLS 1.3; internal_error otherwise.
  virtual Result<void> send_key_update(HandshakeContext& ctx, bool request_peer_update) {
    (void)ctx;
    (void)request_peer_update;
    return Error(ErrorCode::internal_error, "key_update", "KeyUpdate needs a TLS 1.3 connection");
  }
  // request_client_certificate (server) sends a TLS 1.3 post-handshake CertificateRequest (RFC
  // 8446 §4.6.2), after which an empty Certificate is certificate_required when `required`;
  // internal_error when the connection cannot ask for one.
  virtual Result<void> request_client_certificate(HandshakeContext& ctx, bool required) {
    (void)ctx;
    (void)required;
    return Error(ErrorCode::internal_error, "certificate_request",
                 "post-handshake authentication is asked for by a TLS 1.3 server");
  }
  // client_certificate_pending (server): a post-handshake CertificateRequest is unanswered.
  virtual bool client_certificate_pending() const { return false; }
  // state_name is the current state's name for the trace ("client12::ExpectServerHelloDone").
  virtual std::string_view state_name() const = 0;
};

// make_client_driver / make_server_driver are defined by the client and server state machines.
std::unique_ptr<HandshakeDriver> make_client_driver(std::shared_ptr<const ClientConfig> config,
                                                    std::string server_name);
std::unique_ptr<HandshakeDriver> make_server_driver(std::shared_ptr<const ServerConfig> config);

}  // namespace hs::detail

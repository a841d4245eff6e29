// Connection: one TLS connection, client or server, without I/O. Bytes from the transport go in
// through receive(); bytes for the transport come out of output(). Application data is read and
// written through read() and write() once the handshake is done.
#pragma once

#include <hs/config.h>
#include <hs/events.h>
#include <hs/export.h>
#include <hs/result.h>
#include <hs/secret.h>
#include <hs/wire.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hs {

// EarlyDataStatus is what became of TLS 1.3 0-RTT data (RFC 8446 §2.3, §4.2.10).
enum class EarlyDataStatus : uint8_t {
  none,      // not offered (or TLS 1.2, or not resuming)
  offered,   // client: offered; the server's answer has not arrived yet
  accepted,  // the server accepted the early data
  rejected,  // the server declined it (a client sends it again as 1-RTT data)
};

// SignatureRequest is the signature a handshake waits for when its certificate's key is
// offloaded (certified_key_for_offload): `message` signed under `scheme`, as Signer::sign, with
// the key of ServerConfig::certificates[certificate] (the one the handshake chose) on a server,
// of ClientConfig::client_certificate on a client (`certificate` 0).
struct SignatureRequest {
  SignatureScheme scheme{};
  std::vector<uint8_t> message;
  size_t certificate = 0;
};

// SessionInfo is what was negotiated; fields are filled in as the handshake learns them.
struct SessionInfo {
  std::optional<ProtocolVersion> version;
  std::optional<CipherSuite> cipher_suite;
  std::optional<NamedGroup> group;
  // signature_scheme is the scheme of the PEER's handshake signature, the one this side
  // verified, in both versions: on a client the server's (TLS 1.3 CertificateVerify, TLS 1.2
  // ServerKeyExchange), on a server the client's CertificateVerify (unset without client
  // authentication). OpenSSL's SSL_get_peer_signature_type_nid, s_client's "Peer signature
  // type". Unset on a resumed handshake (no signature). After TLS 1.3 post-handshake
  // authentication it is the latest exchange's (the client's last CertificateVerify), as
  // peer_chain is that exchange's chain.
  std::optional<SignatureScheme> signature_scheme;
  // own_signature_scheme is the scheme of the signature THIS side made: on a server its TLS 1.3
  // CertificateVerify or TLS 1.2 ServerKeyExchange, on a client its CertificateVerify (client
  // authentication, the latest one after post-handshake requests). OpenSSL's
  // SSL_get_signature_type_nid.
  std::optional<SignatureScheme> own_signature_scheme;
  std::string alpn;                        // empty when none was agreed
  std::string server_name;                 // SNI sent (client) or received (server)
  std::vector<CertificateDer> peer_chain;  // leaf first
  // ocsp_response (clients that set ClientConfig::ocsp_stapling): the DER OCSPResponse the
  // server stapled for its leaf, checked; empty when none was stapled.
  std::vector<uint8_t> ocsp_response;
  bool extended_master_secret = false;
  bool resumed = false;
  EarlyDataStatus early_data = EarlyDataStatus::none;
  bool peer_verified = false;  // chain and name checked by the verifier
  // post_handshake_auth: the TLS 1.3 ClientHello offered post_handshake_auth (RFC 8446 §4.2.6),
  // so the server may ask for a client certificate after the handshake
  // (Connection::request_client_certificate).
  bool post_handshake_auth = false;
  // psk_identity: the identity of the external PSK (ExternalPsk) that authenticated the TLS 1.3
  // handshake, empty otherwise (certificates, or a resumed session: `resumed`).
  std::vector<uint8_t> psk_identity;
  std::vector<uint8_t> session_id;
};

namespace detail {
class ConnectionImpl;
}

class HS_API Connection {
 public:
  // client creates a client connection for `server_name` (a DNS name or an IP literal, used
  // for SNI and the certificate check) and queues its ClientHello in output().
  static Result<std::unique_ptr<Connection>> client(std::shared_ptr<const ClientConfig> config,
                                                    std::string server_name);
  // server creates a server connection waiting for a ClientHello.
  static Result<std::unique_ptr<Connection>> server(std::shared_ptr<const ServerConfig> config);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // receive processes bytes read from the transport. On a fatal error it returns the Error,
  // queues the matching alert in output() (flush it, then close the transport), and every later
  // call returns the same error.
  //
  // Memory per connection is bounded (a slow or flooding peer cannot grow it without end):
  // - Unread application data: once more than 64 KiB are decrypted and unread, further records
  //   stay encrypted until read() makes room. A receive() that would then leave more than
  //   64 KiB + 4 full-size records (about 130 KiB) undecrypted fails with
  //   ErrorCode::record_overflow (alert record_overflow: more records than we hold). The
  //   application must read() what is readable() before passing more bytes. Bytes passed to a
  //   receive() while the plaintext buffer has room are always accepted, however many.
  // - Output that receive() produces (handshake flights, KeyUpdate answers, no_renegotiation
  //   warnings) and that was not yet taken with consume_output(): above 1 MiB receive() fails
  //   with ErrorCode::unexpected_message (the peer keeps sending messages that demand answers
  //   it never reads). The application must flush output() after every receive(). Output
  //   queued by write(), key_update() and close() does not count and is never refused.
  // - TLS 1.3 KeyUpdate(update_requested) gets one answer before our next application data
  //   record however many requests arrive (RFC 8446 §4.6.3).
  Result<void> receive(std::span<const uint8_t> data);
  // receive_into is receive() and read() in one, without read()'s copy: application data
  // records in `data` are decrypted straight into `out` (as picotls' ptls_receive() takes a
  // decryptbuf), so the plaintext crosses memory once, as with a bare EVP_DecryptUpdate into
  // the application's buffer. It returns how many bytes of `out` hold application data, in
  // order: first what was already readable(), then the records of `data`. `data` is consumed
  // entirely, as by receive() (flush output() afterwards: handshake messages, KeyUpdate and
  // alerts are handled as there), and `out` may be of any size:
  // - a record goes straight into `out` when its whole decrypted body fits in what is left of
  //   `out` (TLS 1.2: its data; TLS 1.3: the TLSInnerPlaintext, i.e. its data, the content
  //   type byte and any padding, one byte or more beyond the data). A 16 KiB record of TLS 1.3
  //   thus needs 16 KiB + 1 free bytes, 16 KiB under TLS 1.2;
  // - records that do not fit, and all after them in `data`, are decrypted into the internal
  //   buffer instead and as much of them as fits is copied into `out`; the rest stays
  //   readable() (read() or the next receive_into() returns it). receive_into({}, out) just
  //   takes what is buffered;
  // - a record that is not application data (TLS 1.3 hides the type until it is decrypted)
  //   may have been decrypted into `out` too: the bytes of `out` after the returned count are
  //   unspecified, whatever was there before (they are used as scratch space). Nothing that
  //   failed authentication stays there: a record whose tag does not verify is zeroed.
  // Nothing is kept pointing at `out` after the call returns.
  // Errors are those of receive(), returned after the alert was queued; application data that
  // had reached `out` before the failing record is then given back to read() (not lost), so the
  // count of a failed call is zero. Before the handshake completes it is receive() and returns
  // 0 (a server's accepted 0-RTT data still goes to read_early_data()); after close_notify
  // `data` is ignored and only what was buffered is returned.
  Result<size_t> receive_into(std::span<const uint8_t> data, std::span<uint8_t> out);
  // receive_eof tells the connection the transport reached end of file. Without a prior
  // close_notify this is truncation (ErrorCode::truncated); after one, it is ok.
  Result<void> receive_eof();

  // output returns the bytes waiting to be sent; consume_output(n) drops the first n of them.
  std::span<const uint8_t> output() const;
  void consume_output(size_t n);
  bool wants_write() const { return !output().empty(); }

  bool is_handshaking() const;
  bool is_connected() const;
  // peer_closed: the peer sent close_notify; no more application data will arrive.
  bool peer_closed() const;
  // failed: a fatal error happened (sent or received); the connection is unusable.
  bool failed() const;

  // read copies decrypted application data into `out` and returns how many bytes it copied
  // (0 when none is buffered). receive_into() saves this copy for bulk data.
  size_t read(std::span<uint8_t> out);
  size_t readable() const;
  // write protects `data` into records queued in output(). Only once connected.
  Result<void> write(std::span<const uint8_t> data);
  // ---- 0-RTT early data (RFC 8446 §2.3) ----
  // Early data is sent before the handshake has finished, under keys derived only from the
  // resumption PSK. An attacker who recorded it can send it again (RFC 8446 §8, "replay"):
  // our server accepts each ticket's early data once (ServerConfig::early_data_guard), but
  // servers that share ticket keys without sharing that guard, or a captured ClientHello sent
  // to another server first, defeat it. Put only what is safe to repeat in early data (a GET,
  // RFC 8470), and never treat it as coming from the peer the handshake later authenticates
  // more than the ticket does.
  //
  // write_early_data (client): queues `data` as 0-RTT data, right after Connection::client()
  // and before the server's answer arrives, when ClientConfig::enable_early_data is set and the
  // resumed TLS 1.3 ticket allows early data. It takes at most early_data_room() bytes and
  // returns how many it took; internal_error when early data cannot be sent (not offered, or
  // the server already answered). If the server declines, the taken bytes are sent again as
  // ordinary application data right after the handshake, before anything write() adds, and
  // info().early_data says rejected; the caller need not resend them.
  Result<size_t> write_early_data(std::span<const uint8_t> data);
  // early_data_room (client): how many more bytes write_early_data takes (0 when it cannot).
  size_t early_data_room() const;
  // read_early_data (server): copies 0-RTT data received from the client into `out` and returns
  // how many bytes it copied (0 when none is buffered). These bytes are replayable (see above)
  // and arrive before the handshake is complete; read() never returns them. They are
  // available from the receive() that decrypted them (info().early_data == accepted).
  size_t read_early_data(std::span<uint8_t> out);
  size_t early_data_readable() const;

  // close queues close_notify (RFC 8446 §6.1); write() fails afterwards.
  void close();
  // key_update queues a TLS 1.3 KeyUpdate and switches to the next sending key (RFC 8446
  // §4.6.3); with `request_peer_update` the peer must answer with its own KeyUpdate, so both
  // directions change keys. write() also does this by itself every key_update_after_records
  // records (see ClientConfig). internal_error before the handshake finished or under TLS 1.2
  // (which has no rekeying).
  Result<void> key_update(bool request_peer_update = false);
  // export_keying_material derives `length` bytes of keying material bound to this
  // connection, for a protocol on top that needs keys or a channel binding of its own (RFC 5705
  // "Keying Material Exporters"; TLS 1.3: RFC 8446 §7.5; tls-exporter channel binding: RFC
  // 9266), as OpenSSL's SSL_export_keying_material and Go's ExportKeyingMaterial. Both peers get
  // the same bytes for the same `label` and `context`; anyone without the connection's secrets
  // cannot predict them. Labels should begin with "EXPORTER" ("EXPERIMENTAL" for private use);
  // the value depends on the label, so two uses must never share one (RFC 5705 §5).
  //
  // `context` std::nullopt is "no context": under TLS 1.2 that differs from an empty context
  // (RFC 5705 §4), under TLS 1.3 it is the same (RFC 8446 §7.5, which asks new uses to always
  // give one). Available once the handshake completed (is_connected(), and after close() or the
  // peer's close_notify), also on resumed connections; always from the exporter master secret,
  // never the early one. Errors, the connection unchanged:
  // - internal_error: the handshake has not completed; an empty label; TLS 1.3: a label over 249
  //   bytes or `length` over 255 * the suite's hash length (8160 bytes with SHA-256); TLS 1.2: a
  //   label RFC 5705 §6 reserves ("client finished", "server finished", "master secret",
  //   "key expansion"), a context or `length` over 65535 bytes;
  // - extended_master_secret_required: a TLS 1.2 connection without the extended master secret
  //   (RFC 7627 §5.4: the endpoints "MUST NOT export any key material" then);
  // - after a fatal error, that error.
  Result<SecretBytes> export_keying_material(
      std::string_view label, size_t length,
      std::optional<std::span<const uint8_t>> context = std::nullopt) const;
  // export_early_keying_material is the TLS 1.3 early exporter (RFC 8446 §7.5: the
  // early_exporter_master_secret, "for use in settings where an exporter is needed for 0-RTT
  // data"; the RFC recommends this separate call so that neither is used for the other), for
  // protocols that bind 0-RTT data. Available on a client from the moment its ClientHello offered
  // early data (write_early_data()) until the server declines it, and on a server that accepted
  // it (info().early_data == accepted), during and after the handshake. Like the early data, it
  // has no forward secrecy and can be replayed. Errors as export_keying_material's (TLS 1.3
  // rules), and internal_error on a connection without such 0-RTT data.
  Result<SecretBytes> export_early_keying_material(
      std::string_view label, size_t length,
      std::optional<std::span<const uint8_t>> context = std::nullopt) const;
  // request_client_certificate (server, TLS 1.3) asks the client for a certificate after the
  // handshake (RFC 8446 §4.6.2), as a web server does for one protected location. The client
  // must have offered post_handshake_auth (info().post_handshake_auth), and
  // ServerConfig::client_verifier checks the answer, which arrives through receive(): once the
  // client's Finished verifies, info().peer_chain holds its chain and info().peer_verified is
  // true. An empty answer leaves them unchanged with ClientAuth::request, and fails the
  // connection with certificate_required with ClientAuth::require (RFC 8446 §4.4.2.4); a chain
  // client_verifier refuses fails it with the verifier's alert. internal_error, the connection
  // unchanged, when it cannot ask: not a connected TLS 1.3 server, no post_handshake_auth, no
  // client_verifier, ClientAuth::none, or a request still unanswered.
  Result<void> request_client_certificate(ClientAuth mode = ClientAuth::require);
  // client_certificate_pending (server): a request_client_certificate() whose answer has not
  // yet been received in full; an application that holds a request until the client is
  // authenticated waits for it to turn false (then info() tells the outcome).
  bool client_certificate_pending() const;

  // ---- Offloaded signing (certified_key_for_offload) ----
  // signature_request: non-null while the handshake waits for the application's signature.
  // The receive() that asked for it queued what comes before the signature (a server's
  // ServerHello .. Certificate, a client's Certificate: flush it) and returned ok; until
  // provide_signature(), receive() keeps the bytes it is given (up to about 130 KiB, then
  // record_overflow) without processing them, and nothing times out by itself. A client asked
  // after the handshake (TLS 1.3 post-handshake authentication) stays connected and may write
  // meanwhile.
  const SignatureRequest* signature_request() const;
  // provide_signature continues the handshake with the signature of signature_request(), in the
  // TLS wire form, and then processes what receive() kept; flush output() afterwards. The
  // library does not check it: a wrong signature fails at the peer (decrypt_error). An empty
  // `signature` says the application could not sign: the handshake fails with internal_error
  // (alert queued). internal_error, the connection unchanged, when no signature is awaited;
  // after a fatal error, that error.
  Result<void> provide_signature(std::span<const uint8_t> signature);

  const SessionInfo& info() const;
  // set_observer installs an event observer (not owned; may be null). Install it before the
  // first receive() — a client's ClientHello events are emitted by client() before any
  // observer exists, so client() takes the observer too through the overload below.
  void set_observer(Observer* observer);
  static Result<std::unique_ptr<Connection>> client(std::shared_ptr<const ClientConfig> config,
                                                    std::string server_name, Observer* observer);

 private:
  explicit Connection(std::unique_ptr<detail::ConnectionImpl> impl);
  std::unique_ptr<detail::ConnectionImpl> impl_;
};

}  // namespace hs

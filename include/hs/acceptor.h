// Acceptor: a server connection's first step, before any ServerConfig is chosen. It reads the
// client's bytes up to the end of the ClientHello and shows what the client asked for (the
// server name, ALPN, versions, suites, signature schemes, groups: ClientHelloInfo); the
// application then picks the configuration for that client — a certificate loaded on demand,
// a per-tenant ALPN list, a TLS 1.2-only host — and accept() turns the Acceptor into the
// Connection, which answers the ClientHello as if it had read the bytes itself. Sans-IO like
// Connection: bytes go in through receive(), an alert comes out of output(). Go's
// GetConfigForClient, rustls's Acceptor and OpenSSL's client_hello callback serve the same
// purpose; here the choice may also take as long as the application likes (a database, a
// certificate store over the network): nothing waits inside the library.
//
//   hs::Acceptor acceptor;
//   auto ready = acceptor.receive(bytes);          // false: read more and call again
//   if (!ready.ok()) { send(acceptor.output()); close(); }
//   if (*ready) {
//     auto config = pick(acceptor.client_hello());  // any ServerConfig
//     auto conn = acceptor.accept(config);          // flush conn->output() as usual
//   }
#pragma once

#include <hs/config.h>
#include <hs/connection.h>
#include <hs/export.h>
#include <hs/result.h>
#include <hs/wire.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hs {

// ClientHelloInfo is what a ClientHello offers, as sent (unknown and GREASE values included,
// in the client's order). An extension whose body does not parse leaves its field empty here;
// the Connection judges it when it reads the same ClientHello (and refuses it if it must).
struct ClientHelloInfo {
  // server_name: the SNI host_name (RFC 6066 §3), empty when none was sent.
  std::string server_name;
  // alpn: the protocols offered (RFC 7301), empty when the extension is absent.
  std::vector<std::string> alpn;
  // versions: supported_versions (RFC 8446 §4.2.1) when present, else the legacy_version alone
  // (a TLS 1.2 client).
  std::vector<ProtocolVersion> versions;
  std::vector<CipherSuite> cipher_suites;
  // signature_schemes: signature_algorithms (RFC 8446 §4.2.3), empty when absent.
  std::vector<SignatureScheme> signature_schemes;
  // groups: supported_groups (RFC 8446 §4.2.7), empty when absent.
  std::vector<NamedGroup> groups;
};

class HS_API Acceptor {
 public:
  // `limits` bound what is buffered before a configuration exists: the ClientHello may be up to
  // limits.max_certificate_message_size (as Connection allows). The Connection applies its own
  // configuration's limits again when accept() hands it the bytes.
  explicit Acceptor(Limits limits = {});
  ~Acceptor();
  Acceptor(Acceptor&&) noexcept;
  Acceptor& operator=(Acceptor&&) noexcept;

  // receive buffers transport bytes and returns true once a whole ClientHello has arrived
  // (client_hello() is then set, and later calls only buffer what follows it), false while
  // more bytes are needed. Malformed input fails as a Connection would fail on it, and
  // output() then holds the fatal alert to send before closing the transport:
  // - a record the record layer refuses (its version, its length: decode_error,
  //   record_overflow; RFC 8446 §5.1);
  // - a change_cipher_spec, application_data or unknown record, or a handshake message other
  //   than ClientHello, before the ClientHello: unexpected_message;
  // - a ClientHello that does not parse (decode_error; illegal_parameter for an extension
  //   sent twice) or is longer than the limit (decode_error).
  // An alert from the client before its ClientHello ends the connection with peer_alert (no
  // answer is sent). Errors are sticky.
  Result<bool> receive(std::span<const uint8_t> data);

  // client_hello: what the ClientHello offers, once receive() returned true; null before.
  const ClientHelloInfo* client_hello() const;

  // output: the alert to send after receive() failed; empty otherwise.
  std::span<const uint8_t> output() const;

  // accept creates the server connection with `config` (Connection::server), runs `prepare`
  // on it when set (before any byte reaches it: Connection::set_observer belongs there, so the
  // observer sees the ClientHello too) and passes it every byte received so far. The Acceptor is
  // used up: its buffer moves into the connection. The ClientHello is judged by the connection:
  // when it refuses it, the returned connection has failed() and holds the alert in output()
  // (flush it, as after any receive()). Errors: invalid_config from Connection::server (the
  // Acceptor stays as it was: another configuration may be given); internal_error when no
  // ClientHello is complete yet, after a failure, or when called twice.
  Result<std::unique_ptr<Connection>> accept(std::shared_ptr<const ServerConfig> config,
                                             const std::function<void(Connection&)>& prepare = {});

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hs

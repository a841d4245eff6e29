// Stream: a TLS connection over a connected socket, with blocking calls. It drives the sans-IO
// Connection (include <hs/connection.h>) for you: it sends what output() holds, feeds what the
// socket delivers to receive(), and turns the transport's end of file into receive_eof(). Use
// it for a client or a server that is happy with one thread per connection; use Connection
// directly (or <hs/asio/stream.h>) for an event loop.
//
//   auto s = hs::Stream::connect("example.com", 443, config);   // TCP connect + ClientHello
//   if (!s) { report(s.error().message()); }
//   if (auto r = s->handshake(); !r) { ... }                     // r.error().detail(): curl's text
//   s->write(request); s->read(buffer); s->shutdown();
//
// Errors are hs::Error (never exceptions) worded as curl words them: "Could not resolve host:
// example.invalid", "Failed to connect to example.com port 443: Couldn't connect to server",
// "Operation timed out after 30000 milliseconds", and for certificate problems the verifier's
// "SSL certificate problem: ..." text. A Stream is used by one thread at a time.
#pragma once

#include <hs/acceptor.h>
#include <hs/config.h>
#include <hs/connection.h>
#include <hs/export.h>
#include <hs/result.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace hs {

// FdOwnership says whether a Stream closes its socket when destroyed.
enum class FdOwnership : uint8_t {
  owned,     // the Stream closes the descriptor in its destructor
  borrowed,  // the caller keeps the descriptor and closes it after the Stream is gone
};

class HS_API Stream {
 public:
  // no_timeout makes a call wait as long as it takes (the default for read and write).
  static constexpr std::chrono::milliseconds no_timeout{-1};

  // connect resolves `host` (a DNS name or an IP literal; IPv4 addresses are tried first, as
  // curl does), connects over TCP within `timeout`, and returns an owning client Stream whose
  // ClientHello is queued; call handshake() next. `host` is also the SNI name and the name the
  // certificate is checked against. Errors: io_error "Could not resolve host: <host>" or
  // "Failed to connect to <host> port <port>: Couldn't connect to server", timeout, and
  // invalid_config from Connection::client for a configuration it refuses.
  static Result<Stream> connect(const std::string& host, uint16_t port,
                                std::shared_ptr<const ClientConfig> config,
                                std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // client wraps a connected stream socket `fd` (blocking or not) in a client connection for
  // `server_name` (SNI and the certificate check; see Connection::client).
  static Result<Stream> client(int fd, std::shared_ptr<const ClientConfig> config,
                               std::string server_name, FdOwnership ownership);

  // server wraps an accepted socket `fd` in a server connection waiting for a ClientHello.
  static Result<Stream> server(int fd, std::shared_ptr<const ServerConfig> config,
                               FdOwnership ownership);

  // accept is server() for a server that picks its configuration per client (<hs/acceptor.h>):
  // it reads the ClientHello from `fd` within `timeout`, calls `choose` with it, and returns
  // the server Stream whose connection has read the hello with the configuration chosen; call
  // handshake() next. A malformed first flight gets its alert (as Acceptor::receive says) and
  // the error; so does a hello the chosen configuration refuses. `choose` returning null, or a
  // configuration Connection::server refuses, is invalid_config (nothing is sent). An owned
  // `fd` is closed on every error.
  using ConfigChooser =
      std::function<std::shared_ptr<const ServerConfig>(const ClientHelloInfo& hello)>;
  static Result<Stream> accept(int fd, const ConfigChooser& choose, FdOwnership ownership,
                               std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Stream takes a connection made with Connection::client or Connection::server and the
  // socket it talks over. Nothing is sent until the first call.
  Stream(int fd, std::unique_ptr<Connection> connection, FdOwnership ownership);

  // The destructor closes an owned socket. It does not send close_notify: call shutdown()
  // first for an orderly close (without one, the peer sees truncation).
  ~Stream();
  Stream(Stream&& other) noexcept;
  Stream& operator=(Stream&& other) noexcept;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // handshake sends and receives until the handshake is complete. On failure it sends the alert
  // the connection queued for the error and returns the Error: the protocol failure itself
  // (e.g. unknown_ca with curl's "SSL certificate problem: unable to get local issuer
  // certificate"), peer_alert for the peer's fatal alert, truncated when the peer closed the
  // transport mid-handshake, timeout, or io_error for a socket failure. The stream is unusable
  // after a failure.
  Result<void> handshake(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // read waits until application data arrives and copies up to out.size() bytes of it into
  // `out`, returning how many. It returns 0 at the end of the stream: the peer sent
  // close_notify. A transport end of file without close_notify is ErrorCode::truncated (a
  // truncation attack or a crashed peer); timeout when nothing arrived in time (the stream
  // stays usable after a timeout).
  Result<size_t> read(std::span<uint8_t> out, std::chrono::milliseconds timeout = no_timeout);

  // write sends all of `data` as application data (after the handshake). timeout when the
  // socket took no bytes in time; io_error for a socket failure ("Connection reset by peer"),
  // except that when the peer reset the connection after sending a fatal alert (a TLS 1.3
  // server refusing our certificate, say), the alert still in the socket is read and write
  // returns peer_alert for it.
  Result<void> write(std::span<const uint8_t> data, std::chrono::milliseconds timeout = no_timeout);

  // shutdown sends close_notify (RFC 8446 §6.1) and shuts down the sending side of the socket;
  // the peer then reads the end of the stream. It does not wait for the peer's close_notify
  // (read() until it returns 0 for that). Nothing is sent after a failure.
  Result<void> shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // connection is the sans-IO connection: info() for what was negotiated, set_observer(),
  // key_update(). Do not pass it bytes yourself while the Stream drives it.
  Connection& connection();
  const Connection& connection() const;

  // fd is the socket's descriptor (owned or not, per the constructor).
  int fd() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hs

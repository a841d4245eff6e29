// ServerLoop: a single-threaded, non-blocking poll() event loop serving many hs::Connection
// objects. It accepts, feeds each connection's bytes to its sans-IO Connection, flushes
// output(), enforces a handshake timeout and an idle timeout, and on shutdown sends
// close_notify to every open connection. Every socket is non-blocking and each poll round reads
// at most one buffer per connection, so one slow or silent client never stalls the others.
#pragma once

#include <hs/acceptor.h>
#include <hs/config.h>
#include <hs/connection.h>
#include <hs/result.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "io/socket.h"

namespace hs::io {

using namespace std::chrono_literals;

// ConfigChoice is what ServerLoopOptions::config_for_client answers: a configuration now (null:
// the loop's own), or `later`: the loop keeps the client waiting (its handshake timeout
// running, what it sends meanwhile buffered by the Acceptor) until ServerLoop::provide_config
// brings the configuration for its session from any thread: a certificate fetched from a store
// over the network need not block the loop.
struct ConfigChoice {
  ConfigChoice() = default;
  // Implicit, so that config_for_client may return a configuration (or nullptr) as it is.
  template <class Config>
  ConfigChoice(std::shared_ptr<Config> chosen)  // NOLINT(google-explicit-constructor)
      : config(std::move(chosen)) {}
  ConfigChoice(std::nullptr_t) {}  // NOLINT(google-explicit-constructor)
  static ConfigChoice decide_later() {
    ConfigChoice c;
    c.later = true;
    return c;
  }
  std::shared_ptr<const ServerConfig> config;
  bool later = false;
};

struct ServerLoopOptions {
  // handshake_timeout closes a connection whose handshake has not finished in time (a client
  // that sends half a record and goes silent).
  std::chrono::milliseconds handshake_timeout = 10s;
  // idle_timeout closes an established connection with no traffic for this long.
  std::chrono::milliseconds idle_timeout = 60s;
  // max_connections: beyond it, the listening socket is not polled until one closes.
  size_t max_connections = 4096;
  // shutdown_grace bounds how long run() keeps flushing close_notify after a stop request.
  std::chrono::milliseconds shutdown_grace = 1s;
  // linger: how long a connection we ended (close_notify or a fatal alert sent, then our write
  // side shut down) keeps reading and dropping what the peer still sends before its socket is
  // closed. A socket closed with the peer's bytes still arriving answers them with a reset, which
  // can reach the peer before it has read our alert (RFC 9112 §9.6 closes in stages for the same
  // reason). Lingering ends early at the peer's end of stream or after kMaxLingerBytes; 0 closes
  // at once. At most max_connections sockets linger; past that a socket closes at once.
  std::chrono::milliseconds linger = 2s;
  // config_for_client, when set, chooses each connection's configuration from its ClientHello
  // (hs::Acceptor): the loop reads the hello first, calls it with the session's id, and serves
  // the client with what it returns (see ConfigChoice: now, or later through provide_config).
  // Until then the connection has no Connection and the handler hears nothing of it: on_accept
  // runs once the Connection exists (still before it reads a byte), and a client refused before
  // that (a malformed first flight, which gets the Acceptor's alert, a silent client, end of
  // stream, the handshake timeout) never reaches the handler. Called on the loop's thread.
  std::function<ConfigChoice(uint64_t session_id, const ClientHelloInfo&)> config_for_client;
};

// ServerSession is the loop's handle on one connection, given to the handler.
class ServerSession {
 public:
  uint64_t id() const { return id_; }
  // peer is "127.0.0.1:54321".
  const std::string& peer() const { return peer_; }
  Connection& tls() { return *tls_; }
  // send writes application data; the loop flushes it.
  Result<void> send(std::span<const uint8_t> data) { return tls_->write(data); }
  // close sends close_notify; the socket closes once it is flushed.
  void close();
  bool closing() const { return closing_; }

 private:
  friend class ServerLoop;
  uint64_t id_ = 0;
  std::string peer_;
  Fd fd_;
  std::unique_ptr<Connection> conn_;
  // tls_ is conn_, and already the new connection while Acceptor::accept prepares it (on_accept
  // runs then, before conn_ is set). Null while acceptor_ reads the ClientHello.
  Connection* tls_ = nullptr;
  std::unique_ptr<Acceptor> acceptor_;  // ServerLoopOptions::config_for_client
  std::chrono::steady_clock::time_point accepted_{};
  std::chrono::steady_clock::time_point last_activity_{};
  bool handshake_done_ = false;
  bool closing_ = false;
  bool dead_ = false;
  bool linger_ = false;           // ended by us: linger before the socket closes
  bool signature_asked_ = false;  // on_signature_request ran for the pending request
  bool config_deferred_ = false;  // config_for_client answered ConfigChoice::decide_later()
};

// ServerHandler is the application. All calls happen on the loop's thread.
class ServerHandler {
 public:
  virtual ~ServerHandler() = default;
  // on_accept runs once the Connection exists, before any byte is received (install an
  // observer here).
  virtual void on_accept(ServerSession& /*session*/) {}
  virtual void on_handshake_done(ServerSession& /*session*/) {}
  // on_data delivers decrypted application data.
  virtual void on_data(ServerSession& session, std::span<const uint8_t> data) = 0;
  // on_early_data delivers TLS 1.3 0-RTT data (ServerConfig::max_early_data_size), before
  // on_handshake_done. It is replayable (see Connection::read_early_data); the default drops it.
  virtual void on_early_data(ServerSession& /*session*/, std::span<const uint8_t> /*data*/) {}
  // on_signature_request: the handshake waits for the signature of an offloaded key
  // (certified_key_for_offload; Connection::signature_request). The handler starts the signing
  // (a worker thread, a request to a signing service) and hands the result to
  // ServerLoop::provide_signature from any thread; the connection's handshake timeout keeps
  // running meanwhile. The default has nothing to sign with: the handshake fails
  // (internal_error).
  virtual void on_signature_request(ServerSession& session, const SignatureRequest& request);
  // on_received runs after the bytes of each read were processed (after on_data), for a
  // handler waiting on progress that carries no application data: the client's answer to
  // Connection::request_client_certificate.
  virtual void on_received(ServerSession& /*session*/) {}
  // on_close runs once per session as it goes away; `error` is null for an orderly close,
  // else why (handshake timeout -> ErrorCode::timeout, TLS failures, transport errors).
  virtual void on_close(ServerSession& /*session*/, const Error* /*error*/) {}
};

class ServerLoop {
 public:
  // create binds `address:port` (port 0 picks a free one) and listens.
  static Result<std::unique_ptr<ServerLoop>> create(const std::string& address, uint16_t port,
                                                    std::shared_ptr<const ServerConfig> config,
                                                    ServerHandler& handler,
                                                    ServerLoopOptions options = {});
  ~ServerLoop();
  ServerLoop(const ServerLoop&) = delete;
  ServerLoop& operator=(const ServerLoop&) = delete;

  uint16_t port() const { return port_; }
  // run serves until request_stop(), then sends close_notify to every open connection, flushes
  // for up to shutdown_grace and closes them all.
  Result<void> run();
  // request_stop is async-signal-safe (it writes one byte to a pipe) and thread-safe.
  void request_stop();
  size_t connection_count() const { return sessions_.size(); }
  // provide_signature hands the loop the signature a handler was asked for
  // (ServerHandler::on_signature_request) for session `session_id`; thread-safe, like
  // request_stop. Empty: the signing failed (the handshake fails with internal_error). A
  // signature for a session that is gone by then is dropped.
  void provide_signature(uint64_t session_id, std::vector<uint8_t> signature);
  // provide_config hands the loop the configuration config_for_client deferred
  // (ConfigChoice::decide_later) for session `session_id`; thread-safe, like provide_signature.
  // Null: the loop's own configuration. One for a session that is gone, or that asked for
  // none, is dropped.
  void provide_config(uint64_t session_id, std::shared_ptr<const ServerConfig> config);

 private:
  ServerLoop(Fd listener, uint16_t port, Fd wake_read, Fd wake_write,
             std::shared_ptr<const ServerConfig> config, ServerHandler& handler,
             ServerLoopOptions options);
  void accept_all();
  void on_readable(ServerSession& s);
  // read_hello feeds an Acceptor session's bytes to it and, once the ClientHello is whole,
  // makes the Connection with the configuration config_for_client chooses.
  void read_hello(ServerSession& s, std::span<const uint8_t> bytes);
  // start_connection makes an Acceptor session's Connection with `config` (null: the loop's)
  // and lets it answer the ClientHello.
  void start_connection(ServerSession& s, std::shared_ptr<const ServerConfig> config);
  // take_queued applies what provide_signature() and provide_config() queued.
  void take_queued();
  // after_progress tells the handler what receive() or provide_signature() moved forward: a
  // signature to make, early data, the end of the handshake, application data.
  void after_progress(ServerSession& s);
  void take_signatures();
  void take_configs();
  // wake makes run()'s poll() return (one byte into the wake pipe).
  void wake();
  // live_session is the session `id` while it is not dead, else null.
  ServerSession* live_session(uint64_t id);
  void flush(ServerSession& s);
  void fail(ServerSession& s, const Error& e);
  void finish(ServerSession& s, const Error* e);
  void check_timers(std::chrono::steady_clock::time_point now);
  void reap();
  // drain reads and drops what a lingering socket has; false when it is done (end of stream,
  // an error or kMaxLingerBytes).
  bool drain(int fd, size_t& drained);

  // Lingering is the socket of a connection that is gone, read until `until` (see
  // ServerLoopOptions::linger).
  struct Lingering {
    Fd fd;
    std::chrono::steady_clock::time_point until;
    size_t drained = 0;
  };
  static constexpr size_t kMaxLingerBytes = 256 * 1024;

  Fd listener_;
  uint16_t port_;
  Fd wake_read_;
  Fd wake_write_;
  std::shared_ptr<const ServerConfig> config_;
  ServerHandler& handler_;
  ServerLoopOptions options_;
  std::atomic<bool> stop_{false};
  // Signatures from provide_signature() and configurations from provide_config(), by session
  // id, until the loop's thread takes them.
  std::mutex queue_mutex_;
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> signatures_;
  std::vector<std::pair<uint64_t, std::shared_ptr<const ServerConfig>>> configs_;
  uint64_t next_id_ = 1;
  std::unordered_map<int, std::unique_ptr<ServerSession>> sessions_;
  std::vector<Lingering> lingering_;
  std::vector<uint8_t> buf_;
};

}  // namespace hs::io

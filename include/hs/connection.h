// Connection: one TLS connection, client or server, without I/O. Bytes from the transport go in
// through receive(); bytes for the transport come out of output(). Application data is read and
// written through read() and write() once the handshake is done.
#pragma once

#include <hs/config.h>
#include <hs/events.h>
#include <hs/result.h>
#include <hs/wire.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hs {

// SessionInfo is what was negotiated; fields are filled in as the handshake learns them.
struct SessionInfo {
  std::optional<ProtocolVersion> version;
  std::optional<CipherSuite> cipher_suite;
  std::optional<NamedGroup> group;
  std::optional<SignatureScheme> signature_scheme;  // the peer's handshake signature
  std::string alpn;                                 // empty when none was agreed
  std::string server_name;                          // SNI sent (client) or received (server)
  std::vector<CertificateDer> peer_chain;           // leaf first
  bool extended_master_secret = false;
  bool resumed = false;
  bool peer_verified = false;  // chain and name checked by the verifier
  std::vector<uint8_t> session_id;
};

namespace detail {
class ConnectionImpl;
}

class Connection {
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
  Result<void> receive(std::span<const uint8_t> data);
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
  // (0 when none is buffered).
  size_t read(std::span<uint8_t> out);
  size_t readable() const;
  // write protects `data` into records queued in output(). Only once connected.
  Result<void> write(std::span<const uint8_t> data);
  // close queues close_notify (RFC 8446 §6.1); write() fails afterwards.
  void close();

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

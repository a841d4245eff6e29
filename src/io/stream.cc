// hs::Stream: the one blocking loop around a Connection (client and server). tools/hs drives it
// through io::ClientStream, applications through <hs/stream.h>.
#include <hs/stream.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "io/socket.h"

namespace hs {

namespace {

using Clock = std::chrono::steady_clock;

// Deadline is a point in time, or none (no_timeout).
struct Deadline {
  explicit Deadline(std::chrono::milliseconds timeout)
      : limited(timeout.count() >= 0),
        at(Clock::now() + (limited ? timeout : timeout.zero())),
        total(timeout) {}
  // poll_ms is the poll() timeout: what is left, or -1 for none.
  int poll_ms() const {
    if (!limited) {
      return -1;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at - Clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
  }
  // expired is curl's exit-28 text: "Operation timed out after 3000 milliseconds".
  Error expired(const char* context) const {
    return Error(ErrorCode::timeout, context,
                 "Operation timed out after " + std::to_string(total.count()) + " milliseconds");
  }
  bool limited;
  Clock::time_point at;
  std::chrono::milliseconds total;
};

// wait_for polls `fd` for `events` until the deadline: true when ready.
Result<bool> wait_for(int fd, short events, const Deadline& deadline) {
  pollfd p{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, deadline.poll_ms());
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    return Error(ErrorCode::io_error, "poll", std::strerror(errno));
  }
  return rc > 0;
}

// read_some waits until `fd` is readable (or the deadline passes) and reads once into `buf`:
// the byte count, 0 at the end of stream.
Result<size_t> read_some(int fd, std::span<uint8_t> buf, const Deadline& deadline) {
  for (;;) {
    if (!HS_TRY(wait_for(fd, POLLIN, deadline))) {
      return deadline.expired("recv");
    }
    ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
      continue;
    }
    if (n < 0) {
      return Error(ErrorCode::io_error, "recv", std::strerror(errno));
    }
    return static_cast<size_t>(n);
  }
}

}  // namespace

struct Stream::State {
  State(int socket, std::unique_ptr<Connection> connection, FdOwnership ownership)
      : fd(socket),
        owned(ownership == FdOwnership::owned),
        conn(std::move(connection)),
        buf(16 * 1024 + 2048) {}
  ~State() {
    if (owned && fd >= 0) {
      ::close(fd);
    }
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  // flush sends everything the connection has queued.
  Result<void> flush(const Deadline& deadline) {
    while (conn->wants_write()) {
      std::span<const uint8_t> out = conn->output();
      ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          if (!HS_TRY(wait_for(fd, POLLOUT, deadline))) {
            return deadline.expired("send");
          }
          continue;
        }
        const int send_errno = errno;
        if (send_errno == EPIPE || send_errno == ECONNRESET) {
          HS_TRY(receive_what_is_left());
        }
        return Error(ErrorCode::io_error, "send", std::strerror(send_errno));
      }
      conn->consume_output(static_cast<size_t>(n));
    }
    return ok_result();
  }

  // receive_what_is_left feeds the connection what the socket still holds after the peer
  // reset it, and returns the error that gives (its fatal alert), if any. A peer that refuses
  // us once our side of the handshake is done (a TLS 1.3 server judging our certificate,
  // RFC 8446 4.4.2.4: "abort the handshake with a "certificate_required" alert") sends its
  // alert and closes; closing with our records unread resets the connection, so our next send
  // fails while the alert, which says why, waits readable in the socket (NSS's selfserv does
  // this). Application data goes to the connection's buffer.
  Result<void> receive_what_is_left() {
    for (;;) {
      ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return ok_result();
      }
      HS_TRY(conn->receive(std::span<const uint8_t>(buf).first(static_cast<size_t>(n))));
    }
  }

  // pump reads once from the socket (waiting until the deadline), feeds the connection and
  // sends what it answered (its next flight, or the alert for a failure). Application data
  // goes straight into `out` (Connection::receive_into); `got` says how much.
  Result<void> pump(const Deadline& deadline) {
    size_t got = 0;
    return pump(deadline, {}, got);
  }
  Result<void> pump(const Deadline& deadline, std::span<uint8_t> out, size_t& got) {
    got = 0;
    if (eof) {
      return conn->receive_eof();
    }
    const size_t n = HS_TRY(read_some(fd, buf, deadline));
    if (n == 0) {
      eof = true;
      auto r = conn->receive_eof();
      (void)flush(deadline);
      return r;
    }
    auto r = conn->receive_into(std::span<const uint8_t>(buf).first(n), out);
    if (r.ok() && conn->signature_request() != nullptr) {
      // A blocking Stream has nobody to ask for an offloaded key's signature (in the
      // handshake, or for a TLS 1.3 post-handshake CertificateRequest): the peer gets
      // internal_error instead of a connection that hangs.
      (void)conn->provide_signature({});
      (void)flush(deadline);
      return Error(ErrorCode::internal_error, "signature",
                   "the certificate's key is offloaded (certified_key_for_offload): a Stream "
                   "cannot wait for its signature; drive the Connection instead "
                   "(Connection::provide_signature)");
    }
    auto f = flush(deadline);
    if (!r.ok()) {
      return std::move(r).error();
    }
    got = *r;
    return f;
  }

  int fd;
  bool owned;
  std::unique_ptr<Connection> conn;
  bool eof = false;
  std::vector<uint8_t> buf;
};

Stream::Stream(int fd, std::unique_ptr<Connection> connection, FdOwnership ownership)
    : state_(std::make_unique<State>(fd, std::move(connection), ownership)) {}
Stream::~Stream() = default;
Stream::Stream(Stream&& other) noexcept = default;
Stream& Stream::operator=(Stream&& other) noexcept = default;

Result<Stream> Stream::connect(const std::string& host, uint16_t port,
                               std::shared_ptr<const ClientConfig> config,
                               std::chrono::milliseconds timeout) {
  io::ConnectOptions options;
  options.host = host;
  options.port = port;
  options.timeout = timeout.count() >= 0 ? timeout : std::chrono::hours(24);
  auto connected = io::tcp_connect(options);
  if (auto* failed = std::get_if<io::ConnectError>(&connected)) {
    return Error(
        failed->failure == io::ConnectFailure::timeout ? ErrorCode::timeout : ErrorCode::io_error,
        "connect", failed->message);
  }
  io::Fd fd = std::move(std::get<io::Connected>(connected).fd);
  auto conn = HS_TRY(Connection::client(std::move(config), host));
  return Stream(fd.release(), std::move(conn), FdOwnership::owned);
}

Result<Stream> Stream::client(int fd, std::shared_ptr<const ClientConfig> config,
                              std::string server_name, FdOwnership ownership) {
  auto conn = Connection::client(std::move(config), std::move(server_name));
  if (!conn.ok()) {
    if (ownership == FdOwnership::owned) {
      ::close(fd);
    }
    return std::move(conn).error();
  }
  return Stream(fd, std::move(conn).value(), ownership);
}

Result<Stream> Stream::server(int fd, std::shared_ptr<const ServerConfig> config,
                              FdOwnership ownership) {
  auto conn = Connection::server(std::move(config));
  if (!conn.ok()) {
    if (ownership == FdOwnership::owned) {
      ::close(fd);
    }
    return std::move(conn).error();
  }
  return Stream(fd, std::move(conn).value(), ownership);
}

Result<Stream> Stream::accept(int fd, const ConfigChooser& choose, FdOwnership ownership,
                              std::chrono::milliseconds timeout) {
  // The socket is closed on every error when owned: a Stream owns it only once made.
  io::Fd owned(ownership == FdOwnership::owned ? fd : -1);
  Deadline deadline(timeout);
  Acceptor acceptor;
  std::vector<uint8_t> buf(16 * 1024 + 2048);
  bool ready = false;
  while (!ready) {
    const size_t n = HS_TRY(read_some(fd, buf, deadline));
    if (n == 0) {
      return Error(ErrorCode::truncated, "handshake", "connection closed before the ClientHello");
    }
    auto r = acceptor.receive(std::span<const uint8_t>(buf).first(n));
    if (!r.ok()) {
      const auto alert = acceptor.output();
      if (!alert.empty()) {
        (void)::send(fd, alert.data(), alert.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      }
      return std::move(r).error();
    }
    ready = *r;
  }
  std::shared_ptr<const ServerConfig> config = choose ? choose(*acceptor.client_hello()) : nullptr;
  if (!config) {
    return Error(ErrorCode::invalid_config, "accept", "no configuration chosen for the client");
  }
  auto conn = HS_TRY(acceptor.accept(std::move(config)));
  (void)owned.release();  // the Stream closes an owned socket from here on
  Stream stream(fd, std::move(conn), ownership);
  if (stream.connection().failed()) {
    // The configuration chosen refused the ClientHello: its alert goes out, then the error.
    auto error = stream.connection().receive({});
    (void)stream.state_->flush(deadline);
    return std::move(error).error();
  }
  return stream;
}

Result<void> Stream::handshake(std::chrono::milliseconds timeout) {
  State& s = *state_;
  Deadline deadline(timeout);
  HS_TRY(s.flush(deadline));
  while (!s.conn->is_connected()) {
    if (s.conn->failed()) {
      return Error(ErrorCode::internal_error, "handshake", "connection failed");
    }
    auto r = s.pump(deadline);
    if (!r.ok()) {
      (void)s.flush(deadline);
      return r;
    }
    if (s.eof && !s.conn->is_connected()) {
      return Error(ErrorCode::truncated, "handshake", "connection closed during the handshake");
    }
  }
  return s.flush(deadline);
}

Result<size_t> Stream::read(std::span<uint8_t> out, std::chrono::milliseconds timeout) {
  State& s = *state_;
  Deadline deadline(timeout);
  while (s.conn->readable() == 0) {
    if (s.conn->peer_closed()) {
      return size_t{0};
    }
    // The records that arrive are decrypted straight into `out` (no copy through read()).
    size_t got = 0;
    auto r = s.pump(deadline, out, got);
    if (!r.ok()) {
      (void)s.flush(deadline);
      return std::move(r).error();
    }
    if (got > 0) {
      return got;
    }
    if (s.eof && s.conn->readable() == 0) {
      // receive_eof succeeded: close_notify came first.
      return size_t{0};
    }
  }
  return s.conn->read(out);
}

Result<void> Stream::write(std::span<const uint8_t> data, std::chrono::milliseconds timeout) {
  HS_TRY(state_->conn->write(data));
  return state_->flush(Deadline(timeout));
}

Result<void> Stream::shutdown(std::chrono::milliseconds timeout) {
  State& s = *state_;
  Result<void> sent = ok_result();
  if (!s.conn->failed()) {
    s.conn->close();
    sent = s.flush(Deadline(timeout));
  }
  ::shutdown(s.fd, SHUT_WR);
  return sent;
}

Connection& Stream::connection() { return *state_->conn; }
const Connection& Stream::connection() const { return *state_->conn; }
int Stream::fd() const { return state_->fd; }

}  // namespace hs

// ServerLoop: poll() over the listener, a wake pipe and every connection.
#include "io/server_loop.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace hs::io {

namespace {

using Clock = std::chrono::steady_clock;

std::string peer_name(const sockaddr_storage& ss) {
  std::array<char, INET6_ADDRSTRLEN> host{};
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &in->sin_addr, host.data(), host.size());
    return std::string(host.data()) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, host.data(), host.size());
    return "[" + std::string(host.data()) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return "?";
}

// take_all empties `queue` under `mutex` and returns what it held (provide_* fill it from
// other threads).
template <class T>
std::vector<T> take_all(std::mutex& mutex, std::vector<T>& queue) {
  std::vector<T> taken;
  std::lock_guard<std::mutex> lock(mutex);
  taken.swap(queue);
  return taken;
}

}  // namespace

void ServerHandler::on_signature_request(ServerSession& session,
                                         const SignatureRequest& /*request*/) {
  (void)session.tls().provide_signature({});
}

void ServerSession::close() {
  if (!closing_) {
    closing_ = true;
    if (tls_ != nullptr && !tls_->failed()) {
      tls_->close();
    }
  }
}

ServerLoop::ServerLoop(Fd listener, uint16_t port, Fd wake_read, Fd wake_write,
                       std::shared_ptr<const ServerConfig> config, ServerHandler& handler,
                       ServerLoopOptions options)
    : listener_(std::move(listener)),
      port_(port),
      wake_read_(std::move(wake_read)),
      wake_write_(std::move(wake_write)),
      config_(std::move(config)),
      handler_(handler),
      options_(options),
      buf_(16 * 1024 + 2048) {}

ServerLoop::~ServerLoop() = default;

Result<std::unique_ptr<ServerLoop>> ServerLoop::create(const std::string& address, uint16_t port,
                                                       std::shared_ptr<const ServerConfig> config,
                                                       ServerHandler& handler,
                                                       ServerLoopOptions options) {
  if (!config) {
    return Error(ErrorCode::invalid_config, "server loop", "no configuration");
  }
  Fd listener = HS_TRY(tcp_listen(address, port));
  uint16_t bound = local_port(listener.get());
  std::array<int, 2> pipe_fds{};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
    return Error(ErrorCode::io_error, "server loop", std::string("pipe: ") + std::strerror(errno));
  }
  return std::unique_ptr<ServerLoop>(new ServerLoop(std::move(listener), bound, Fd(pipe_fds[0]),
                                                    Fd(pipe_fds[1]), std::move(config), handler,
                                                    options));
}

void ServerLoop::request_stop() {
  stop_.store(true);
  wake();
}

void ServerLoop::provide_signature(uint64_t session_id, std::vector<uint8_t> signature) {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    signatures_.emplace_back(session_id, std::move(signature));
  }
  wake();
}

void ServerLoop::provide_config(uint64_t session_id, std::shared_ptr<const ServerConfig> config) {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    configs_.emplace_back(session_id, std::move(config));
  }
  wake();
}

void ServerLoop::wake() {
  uint8_t one = 1;
  // write() is async-signal-safe; a full pipe already wakes the loop.
  ssize_t ignored = ::write(wake_write_.get(), &one, 1);
  (void)ignored;
}

ServerSession* ServerLoop::live_session(uint64_t id) {
  auto it = std::find_if(sessions_.begin(), sessions_.end(),
                         [id](const auto& entry) { return entry.second->id_ == id; });
  return it == sessions_.end() || it->second->dead_ ? nullptr : it->second.get();
}

void ServerLoop::take_queued() {
  take_configs();
  take_signatures();
}

void ServerLoop::take_configs() {
  for (auto& [id, config] : take_all(queue_mutex_, configs_)) {
    ServerSession* s = live_session(id);
    if (s == nullptr || !s->config_deferred_) {
      continue;
    }
    s->config_deferred_ = false;
    start_connection(*s, std::move(config));
    if (!s->dead_) {
      flush(*s);
    }
  }
}

void ServerLoop::take_signatures() {
  for (auto& [id, signature] : take_all(queue_mutex_, signatures_)) {
    ServerSession* found = live_session(id);
    if (found == nullptr || !found->conn_) {
      continue;
    }
    ServerSession& s = *found;
    auto r = s.conn_->provide_signature(signature);
    if (!r.ok()) {
      fail(s, r.error());
      continue;
    }
    after_progress(s);
    if (!s.dead_) {
      flush(s);
    }
  }
}

void ServerLoop::accept_all() {
  while (sessions_.size() < options_.max_connections) {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    int fd = ::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&ss), &len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      return;  // EAGAIN, or a transient error (ECONNABORTED, EMFILE): retry next round
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto s = std::make_unique<ServerSession>();
    if (options_.config_for_client) {
      // The configuration comes with the ClientHello (read_hello); so does the handler.
      s->acceptor_ = std::make_unique<Acceptor>();
    } else {
      auto conn = Connection::server(config_);
      if (!conn.ok()) {
        ::close(fd);
        continue;
      }
      s->conn_ = std::move(conn).value();
      s->tls_ = s->conn_.get();
    }
    s->id_ = next_id_++;
    s->peer_ = peer_name(ss);
    s->fd_ = Fd(fd);
    s->accepted_ = s->last_activity_ = Clock::now();
    ServerSession& ref = *s;
    sessions_.emplace(fd, std::move(s));
    if (ref.conn_) {
      handler_.on_accept(ref);
    }
  }
}

void ServerLoop::finish(ServerSession& s, const Error* e) {
  if (s.dead_) {
    return;
  }
  s.dead_ = true;
  if (s.conn_) {
    handler_.on_close(s, e);  // the handler never heard of a client refused before its hello
  }
}

void ServerLoop::fail(ServerSession& s, const Error& e) {
  // The connection queued its alert (if any): one best-effort non-blocking send, then close.
  // RFC 8446 §6.2: "Upon transmission or receipt of a fatal alert message, both parties MUST
  // immediately close the connection." The TLS connection is over; the socket lingers (reap)
  // so that the rest of the peer's flight, already on its way, does not reset the connection
  // before the peer reads the alert (JSSE, writing its TLS 1.2 ClientKeyExchange, CCS and
  // Finished one by one, reported "Broken pipe" instead of our handshake_failure).
  flush(s);
  if (!s.dead_) {
    ::shutdown(s.fd_.get(), SHUT_WR);
    s.linger_ = true;
  }
  finish(s, &e);
}

void ServerLoop::flush(ServerSession& s) {
  while (s.conn_ && s.conn_->wants_write()) {
    std::span<const uint8_t> out = s.conn_->output();
    ssize_t n = ::send(s.fd_.get(), out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK && !s.dead_) {
        Error e(ErrorCode::io_error, "send", std::strerror(errno));
        finish(s, &e);
      }
      return;
    }
    s.conn_->consume_output(static_cast<size_t>(n));
  }
  if (s.closing_ && !s.dead_) {
    // Everything, close_notify included, is on the wire. The peer may still send (its own
    // close_notify, say): linger for it (reap).
    ::shutdown(s.fd_.get(), SHUT_WR);
    s.linger_ = true;
    finish(s, nullptr);
  }
}

void ServerLoop::on_readable(ServerSession& s) {
  ssize_t n;
  do {
    n = ::recv(s.fd_.get(), buf_.data(), buf_.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    }
    Error e(ErrorCode::io_error, "recv", std::strerror(errno));
    finish(s, &e);
    return;
  }
  s.last_activity_ = Clock::now();
  if (!s.conn_) {
    if (n == 0) {
      Error e(ErrorCode::truncated, "eof", "the client closed before its ClientHello");
      finish(s, &e);
      return;
    }
    read_hello(s, std::span<const uint8_t>(buf_).first(static_cast<size_t>(n)));
    return;
  }
  if (n == 0) {
    auto r = s.conn_->receive_eof();
    if (!r.ok() && !s.closing_) {
      finish(s, &r.error());
    } else {
      finish(s, nullptr);
    }
    return;
  }
  auto r = s.conn_->receive(std::span<const uint8_t>(buf_).first(static_cast<size_t>(n)));
  if (!r.ok()) {
    fail(s, r.error());
    return;
  }
  after_progress(s);
}

void ServerLoop::read_hello(ServerSession& s, std::span<const uint8_t> bytes) {
  auto ready = s.acceptor_->receive(bytes);
  if (!ready.ok()) {
    // One best-effort send of the Acceptor's alert, then the socket lingers as after fail().
    const auto alert = s.acceptor_->output();
    if (!alert.empty()) {
      (void)::send(s.fd_.get(), alert.data(), alert.size(), MSG_NOSIGNAL);
    }
    ::shutdown(s.fd_.get(), SHUT_WR);
    s.linger_ = true;
    finish(s, &ready.error());
    return;
  }
  if (!ready.value() || s.config_deferred_) {
    return;  // more to read, or the configuration is still being chosen (provide_config)
  }
  ConfigChoice choice = options_.config_for_client(s.id_, *s.acceptor_->client_hello());
  if (choice.later) {
    s.config_deferred_ = true;
    return;
  }
  start_connection(s, std::move(choice.config));
}

void ServerLoop::start_connection(ServerSession& s, std::shared_ptr<const ServerConfig> config) {
  auto conn = s.acceptor_->accept(config ? std::move(config) : config_, [&](Connection& c) {
    s.tls_ = &c;
    handler_.on_accept(s);
  });
  if (!conn.ok()) {
    // The configuration chosen was refused (invalid_config): nothing can answer this client.
    s.tls_ = nullptr;
    finish(s, &conn.error());
    return;
  }
  s.conn_ = std::move(conn).value();
  s.acceptor_.reset();
  if (s.conn_->failed()) {
    fail(s, s.conn_->receive({}).error());  // the connection refused the ClientHello
    return;
  }
  after_progress(s);
}

void ServerLoop::after_progress(ServerSession& s) {
  const SignatureRequest* request = s.conn_->signature_request();
  if (request == nullptr) {
    s.signature_asked_ = false;
  } else if (!s.signature_asked_) {
    s.signature_asked_ = true;
    // Flush ServerHello .. Certificate first: the client can work on them meanwhile.
    flush(s);
    handler_.on_signature_request(s, *request);
    if (s.conn_->failed()) {
      fail(s, Error(ErrorCode::internal_error, "signature", "the handler could not sign"));
      return;
    }
  }
  while (!s.dead_ && s.conn_->early_data_readable() > 0) {
    size_t got = s.conn_->read_early_data(buf_);
    if (got == 0) {
      break;
    }
    handler_.on_early_data(s, std::span<const uint8_t>(buf_).first(got));
  }
  if (!s.dead_ && !s.handshake_done_ && s.conn_->is_connected()) {
    s.handshake_done_ = true;
    handler_.on_handshake_done(s);
  }
  while (!s.dead_ && s.conn_->readable() > 0) {
    size_t got = s.conn_->read(buf_);
    if (got == 0) {
      break;
    }
    handler_.on_data(s, std::span<const uint8_t>(buf_).first(got));
  }
  if (!s.dead_ && s.handshake_done_) {
    handler_.on_received(s);
  }
  if (!s.dead_ && s.conn_->peer_closed()) {
    // RFC 8446 §6.1 / RFC 5246 §7.2.1: answer close_notify with our own.
    s.close();
  }
}

void ServerLoop::check_timers(Clock::time_point now) {
  for (auto& [fd, s] : sessions_) {
    if (s->dead_) {
      continue;
    }
    if (!s->handshake_done_ && now - s->accepted_ >= options_.handshake_timeout) {
      Error e(ErrorCode::timeout, "handshake", "handshake not finished in time");
      finish(*s, &e);
    } else if (s->handshake_done_ && now - s->last_activity_ >= options_.idle_timeout) {
      s->close();
      flush(*s);
      if (!s->dead_) {
        Error e(ErrorCode::timeout, "idle", "connection idle");
        finish(*s, &e);
      }
    }
  }
}

bool ServerLoop::drain(int fd, size_t& drained) {
  while (drained <= kMaxLingerBytes) {
    ssize_t n = ::recv(fd, buf_.data(), buf_.size(), 0);
    if (n > 0) {
      drained += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
  return false;
}

void ServerLoop::reap() {
  const auto now = Clock::now();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second->dead_) {
      // Lingering sockets are bounded like live connections: a peer that connects and is refused
      // in a loop must not collect descriptors faster than they are released.
      if (it->second->linger_ && options_.linger.count() > 0 &&
          lingering_.size() < options_.max_connections) {
        lingering_.push_back(Lingering{std::move(it->second->fd_), now + options_.linger});
      }
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<void> ServerLoop::run() {
  std::vector<pollfd> fds;
  std::vector<ServerSession*> owners;
  while (!stop_.load()) {
    fds.clear();
    owners.clear();
    fds.push_back(pollfd{wake_read_.get(), POLLIN, 0});
    owners.push_back(nullptr);
    bool accepting = sessions_.size() < options_.max_connections;
    if (accepting) {
      fds.push_back(pollfd{listener_.get(), POLLIN, 0});
      owners.push_back(nullptr);
    }
    auto now = Clock::now();
    auto next = now + 1s;
    for (auto& [fd, s] : sessions_) {
      short events = POLLIN;
      if (s->conn_ && s->conn_->wants_write()) {
        events = static_cast<short>(events | POLLOUT);
      }
      fds.push_back(pollfd{fd, events, 0});
      owners.push_back(s.get());
      next = std::min(next, s->handshake_done_ ? s->last_activity_ + options_.idle_timeout
                                               : s->accepted_ + options_.handshake_timeout);
    }
    const size_t first_lingering = fds.size();
    for (const Lingering& l : lingering_) {
      fds.push_back(pollfd{l.fd.get(), POLLIN, 0});
      owners.push_back(nullptr);
      next = std::min(next, l.until);
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now);
    int timeout = static_cast<int>(std::clamp<int64_t>(wait.count() + 1, 0, 1000));
    int rc = ::poll(fds.data(), fds.size(), timeout);
    if (rc < 0 && errno != EINTR) {
      return Error(ErrorCode::io_error, "poll", std::strerror(errno));
    }
    if (rc > 0) {
      for (size_t i = first_lingering; i < fds.size(); ++i) {
        Lingering& l = lingering_[i - first_lingering];
        if (fds[i].revents != 0 && !drain(l.fd.get(), l.drained)) {
          l.fd.reset();
        }
      }
      for (size_t i = 0; i < first_lingering; ++i) {
        if (fds[i].revents == 0) {
          continue;
        }
        if (owners[i] == nullptr) {
          if (fds[i].fd == listener_.get()) {
            accept_all();
          } else {
            std::array<uint8_t, 64> drain{};
            while (::read(wake_read_.get(), drain.data(), drain.size()) > 0) {
            }
            take_queued();
          }
          continue;
        }
        ServerSession& s = *owners[i];
        if (s.dead_) {
          continue;
        }
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
          on_readable(s);
        }
        if (!s.dead_) {
          flush(s);
        }
      }
    }
    check_timers(Clock::now());
    std::erase_if(lingering_,
                  [t = Clock::now()](const Lingering& l) { return !l.fd.valid() || t >= l.until; });
    reap();
  }
  lingering_.clear();

  // Shutdown: close_notify to everyone, flush for a bounded time.
  for (auto& [fd, s] : sessions_) {
    if (!s->dead_) {
      s->close();
      flush(*s);
    }
  }
  auto deadline = Clock::now() + options_.shutdown_grace;
  while (Clock::now() < deadline) {
    reap();
    if (sessions_.empty()) {
      break;
    }
    fds.clear();
    owners.clear();
    for (auto& [fd, s] : sessions_) {
      fds.push_back(pollfd{fd, POLLOUT, 0});
      owners.push_back(s.get());
    }
    ::poll(fds.data(), fds.size(), 50);
    for (ServerSession* s : owners) {
      flush(*s);
    }
  }
  for (auto& [fd, s] : sessions_) {
    if (!s->dead_) {
      Error e(ErrorCode::timeout, "shutdown", "close_notify not flushed in time");
      finish(*s, &e);
    }
  }
  sessions_.clear();
  return ok_result();
}

}  // namespace hs::io

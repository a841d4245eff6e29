// ClientStream: the blocking loop around a client Connection.
#include "io/client_stream.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace hs::io {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

ClientStream::ClientStream(Fd fd, std::unique_ptr<Connection> conn)
    : fd_(std::move(fd)), conn_(std::move(conn)), buf_(16 * 1024 + 2048) {}

Result<void> ClientStream::flush() {
  while (conn_->wants_write()) {
    std::span<const uint8_t> out = conn_->output();
    ssize_t n = ::send(fd_.get(), out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return Error(ErrorCode::io_error, "send", std::strerror(errno));
    }
    conn_->consume_output(static_cast<size_t>(n));
  }
  return ok_result();
}

Result<void> ClientStream::pump(std::chrono::milliseconds timeout) {
  if (eof_) {
    return conn_->receive_eof();
  }
  pollfd p{fd_.get(), POLLIN, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    return Error(ErrorCode::io_error, "poll", std::strerror(errno));
  }
  if (rc == 0) {
    return Error(ErrorCode::timeout, "read", "Operation timed out");
  }
  ssize_t n;
  do {
    n = ::recv(fd_.get(), buf_.data(), buf_.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    return Error(ErrorCode::io_error, "recv", std::strerror(errno));
  }
  if (n == 0) {
    eof_ = true;
    return conn_->receive_eof();
  }
  auto r = conn_->receive(std::span<const uint8_t>(buf_).first(static_cast<size_t>(n)));
  // Flush whatever the connection queued (its next flight, or the alert for a failure).
  auto f = flush();
  if (!r.ok()) {
    return r;
  }
  return f;
}

Result<void> ClientStream::handshake(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  HS_TRY(flush());
  while (!conn_->is_connected()) {
    if (conn_->failed()) {
      return Error(ErrorCode::internal_error, "handshake", "connection failed");
    }
    auto r = pump(std::chrono::milliseconds(remaining_ms(deadline)));
    if (!r.ok()) {
      (void)flush();
      return r;
    }
    if (eof_ && !conn_->is_connected()) {
      return Error(ErrorCode::truncated, "handshake", "connection closed during the handshake");
    }
  }
  return flush();
}

Result<void> ClientStream::write(std::span<const uint8_t> data) {
  HS_TRY(conn_->write(data));
  return flush();
}

Result<size_t> ClientStream::read(std::span<uint8_t> out, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (conn_->readable() == 0) {
    if (conn_->peer_closed()) {
      return size_t{0};
    }
    auto r = pump(std::chrono::milliseconds(remaining_ms(deadline)));
    if (!r.ok()) {
      (void)flush();
      return std::move(r).error();
    }
    if (eof_ && conn_->readable() == 0) {
      // receive_eof succeeded: close_notify came first.
      return size_t{0};
    }
  }
  return conn_->read(out);
}

void ClientStream::close() {
  if (!conn_->failed()) {
    conn_->close();
    (void)flush();
  }
  ::shutdown(fd_.get(), SHUT_WR);
}

}  // namespace hs::io

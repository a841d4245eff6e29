// ClientStream: a blocking TLS client over a connected TCP socket and an hs::Connection. It
// drives the sans-IO connection: flushes output(), feeds received bytes to receive(), and turns
// transport EOF into receive_eof().
#pragma once

#include <hs/connection.h>
#include <hs/result.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "io/socket.h"

namespace hs::io {

class ClientStream {
 public:
  // ClientStream takes a connected blocking socket and a client Connection whose ClientHello
  // is queued in output().
  ClientStream(Fd fd, std::unique_ptr<Connection> conn);

  // handshake runs until the connection is established. On failure it flushes the alert the
  // connection queued and returns the Error (timeout -> ErrorCode::timeout, transport errors ->
  // io_error, EOF during the handshake -> the connection's truncation error).
  Result<void> handshake(std::chrono::milliseconds timeout);

  // write sends all of `data` as application data.
  Result<void> write(std::span<const uint8_t> data);

  // read blocks until application data arrives and copies up to out.size() bytes; returns 0 at
  // the end of the stream (close_notify received). EOF without close_notify is the
  // connection's truncation error (ErrorCode::truncated).
  Result<size_t> read(std::span<uint8_t> out, std::chrono::milliseconds timeout);

  // close sends close_notify and shuts down the sending side.
  void close();

  Connection& connection() { return *conn_; }
  int fd() const { return fd_.get(); }

 private:
  Result<void> flush();
  // pump reads once from the socket (waiting up to `timeout`) and feeds the connection.
  Result<void> pump(std::chrono::milliseconds timeout);

  Fd fd_;
  std::unique_ptr<Connection> conn_;
  bool eof_ = false;
  std::vector<uint8_t> buf_;
};

}  // namespace hs::io

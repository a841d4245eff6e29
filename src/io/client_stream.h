// ClientStream: hs::Stream (include/hs/stream.h, the one blocking loop) as tools/hs holds it: an
// owning io::Fd, and close() that sends close_notify and ignores a failure to send it.
#pragma once

#include <hs/connection.h>
#include <hs/stream.h>

#include <memory>
#include <utility>

#include "io/socket.h"

namespace hs::io {

class ClientStream : public Stream {
 public:
  // ClientStream takes a connected socket and a client Connection whose ClientHello is queued
  // in output().
  ClientStream(Fd fd, std::unique_ptr<Connection> conn)
      : Stream(fd.release(), std::move(conn), FdOwnership::owned) {}

  // close sends close_notify and shuts down the sending side.
  void close() { (void)shutdown(); }
};

}  // namespace hs::io

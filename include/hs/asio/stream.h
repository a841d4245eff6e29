// hs::asio::stream<NextLayer>: a TLS stream for standalone asio in the shape of
// asio::ssl::stream. It owns an hs::Connection (client or server, made with its config) and a
// next layer (usually asio::ip::tcp::socket), and runs the sans-IO connection with asynchronous
// reads and writes on that layer:
//
//   auto conn = hs::Connection::client(config, "example.com");
//   hs::asio::stream<asio::ip::tcp::socket> tls(std::move(*conn), io_context);
//   co_await / callback style:
//   tls.async_handshake(hs::asio::stream_base::client, handler);     // void(std::error_code)
//   tls.async_write_some(asio::buffer(data), handler);   // void(std::error_code, std::size_t)
//   tls.async_read_some(asio::buffer(buf), handler);     // void(std::error_code, std::size_t)
//   tls.async_shutdown(handler);                         // void(std::error_code)
//
// The free asio::async_read / async_write / async_read_until work on it (it is an
// AsyncReadStream and AsyncWriteStream). As with asio::ssl::stream, at most one handshake or
// read and at most one write may be outstanding at a time, and the stream is not thread-safe:
// use a strand when several threads run the executor.
//
// Errors: TLS failures complete with an error_code in hs::asio::error_category() whose value is
// the hs::ErrorCode (last_error() keeps the full hs::Error with its detail); a close_notify from
// the peer ends reads with asio::error::eof; transport errors pass through unchanged.
//
// Header-only on standalone asio (Debian's libasio-dev); the application links asio's needs
// (threads) itself.
#pragma once

#include <hs/connection.h>
#include <hs/error.h>
#include <hs/result.h>

#include <algorithm>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/buffer.hpp>
#include <asio/compose.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace hs::asio {

// error_category is the std::error_category of hs::ErrorCode values ("hs"); message() is the
// enumerator's name.
inline const std::error_category& error_category() {
  struct Category final : std::error_category {
    const char* name() const noexcept override { return "hs"; }
    std::string message(int value) const override {
      return std::string(error_code_name(static_cast<ErrorCode>(value)));
    }
  };
  static const Category category;
  return category;
}

// make_error_code turns an hs::ErrorCode into a std::error_code of error_category().
inline std::error_code make_error_code(ErrorCode code) {
  return std::error_code(static_cast<int>(code), error_category());
}

// stream_base mirrors asio::ssl::stream_base: the role passed to async_handshake.
struct stream_base {
  enum handshake_type { client, server };
};

template <class NextLayer>
class stream : public stream_base {
 public:
  using next_layer_type = std::remove_reference_t<NextLayer>;
  using lowest_layer_type = typename next_layer_type::lowest_layer_type;
  using executor_type = typename next_layer_type::executor_type;

  // stream takes the connection (from Connection::client or Connection::server, or
  // Acceptor::accept; not null) and constructs the next layer from `args` (an io_context or
  // executor for a socket, or the socket itself by move). A connection that has already failed
  // (an accepted ClientHello its configuration refused) flushes its alert in the first
  // operation, which completes with that failure's code.
  template <class... Args>
  explicit stream(std::unique_ptr<Connection> connection, Args&&... args)
      : next_(std::forward<Args>(args)...), conn_(std::move(connection)), rbuf_(kReadSize) {
    if (conn_->failed()) {
      if (auto r = conn_->receive({}); !r) {
        last_error_ = r.error();  // failures are sticky: receive() returns this one again
      }
    }
  }

  stream(stream&&) = default;
  stream& operator=(stream&&) = default;

  executor_type get_executor() noexcept { return next_.get_executor(); }
  next_layer_type& next_layer() { return next_; }
  const next_layer_type& next_layer() const { return next_; }
  lowest_layer_type& lowest_layer() { return next_.lowest_layer(); }
  // connection gives the sans-IO connection: info() for what was negotiated, set_observer()
  // for events.
  Connection& connection() { return *conn_; }
  const Connection& connection() const { return *conn_; }
  // last_error is the hs::Error behind the last TLS failure an operation completed with.
  const std::optional<Error>& last_error() const { return last_error_; }

  // async_handshake runs the handshake to the end; completes with void(std::error_code). The
  // role is the connection's (Connection::client or ::server); `type` is taken for
  // asio::ssl::stream's signature and should name the same role.
  template <class Token>
  auto async_handshake(handshake_type /*type*/, Token&& token) {
    return ::asio::async_compose<Token, void(std::error_code)>(
        Op<HandshakeAction>{this, HandshakeAction{}}, token, next_);
  }

  // async_read_some completes with void(std::error_code, std::size_t) once at least one byte of
  // application data is copied into `buffers` (or with asio::error::eof after close_notify).
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return ::asio::async_compose<Token, void(std::error_code, std::size_t)>(
        Op<ReadAction<MutableBuffers>>{this, ReadAction<MutableBuffers>{buffers}}, token, next_);
  }

  // async_write_some protects up to kWriteSize bytes of `buffers` into records and completes
  // with void(std::error_code, std::size_t) once they are handed to the next layer.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return ::asio::async_compose<Token, void(std::error_code, std::size_t)>(
        Op<WriteAction<ConstBuffers>>{this, WriteAction<ConstBuffers>{buffers}}, token, next_);
  }

  // async_shutdown sends close_notify and waits for the peer's (RFC 8446 §6.1: "Each party MUST
  // send a "close_notify" alert before closing its write side of the connection"); completes
  // with void(std::error_code). Application data still arriving meanwhile is dropped.
  template <class Token>
  auto async_shutdown(Token&& token) {
    return ::asio::async_compose<Token, void(std::error_code)>(
        Op<ShutdownAction>{this, ShutdownAction{}}, token, next_);
  }

  // kReadSize is the transport read size; kWriteSize bounds one async_write_some (four full
  // records).
  static constexpr std::size_t kReadSize = 16 * 1024 + 512;
  static constexpr std::size_t kWriteSize = 4 * 16 * 1024;

 private:
  // Each operation is the same loop (flush what the connection wants to send, check whether
  // the operation is done, otherwise read more from the next layer) with its own start and
  // done conditions, in an Action.
  struct HandshakeAction {
    std::error_code start(stream&) { return {}; }
    bool done(stream& s) const { return !s.conn_->is_handshaking(); }
    static constexpr bool kReads = true;
    template <class Self>
    void complete(Self& self, std::error_code ec) {
      self.complete(ec);
    }
  };

  template <class MutableBuffers>
  struct ReadAction {
    MutableBuffers buffers;
    std::size_t copied = 0;
    std::error_code start(stream& s) {
      if (s.conn_->is_handshaking()) {
        return make_error_code(ErrorCode::internal_error);
      }
      return {};
    }
    bool done(stream& s) {
      if (::asio::buffer_size(buffers) == 0) {
        return true;
      }
      if (s.conn_->readable() > 0) {
        for (auto it = ::asio::buffer_sequence_begin(buffers);
             it != ::asio::buffer_sequence_end(buffers); ++it) {
          ::asio::mutable_buffer b = *it;
          copied += s.conn_->read(std::span<uint8_t>(static_cast<uint8_t*>(b.data()), b.size()));
        }
        return true;
      }
      return s.conn_->peer_closed();
    }
    static constexpr bool kReads = true;
    template <class Self>
    void complete(Self& self, std::error_code ec) {
      if (!ec && copied == 0 && ::asio::buffer_size(buffers) != 0) {
        ec = ::asio::error::eof;  // close_notify received: the end of the stream
      }
      self.complete(ec, copied);
    }
  };

  template <class ConstBuffers>
  struct WriteAction {
    ConstBuffers buffers;
    std::size_t written = 0;
    std::error_code start(stream& s) {
      std::vector<uint8_t> data;
      for (auto it = ::asio::buffer_sequence_begin(buffers);
           it != ::asio::buffer_sequence_end(buffers) && data.size() < kWriteSize; ++it) {
        ::asio::const_buffer b = *it;
        std::span<const uint8_t> bytes(static_cast<const uint8_t*>(b.data()), b.size());
        bytes = bytes.first(std::min(bytes.size(), kWriteSize - data.size()));
        data.insert(data.end(), bytes.begin(), bytes.end());
      }
      if (data.empty()) {
        return {};
      }
      if (auto r = s.conn_->write(data); !r) {
        return s.fail(r.error());
      }
      written = data.size();
      return {};
    }
    // Done once flushed: records another operation is still writing go out when it finishes.
    bool done(stream&) const { return true; }
    static constexpr bool kReads = false;
    template <class Self>
    void complete(Self& self, std::error_code ec) {
      self.complete(ec, ec ? std::size_t{0} : written);
    }
  };

  struct ShutdownAction {
    std::error_code start(stream& s) {
      s.conn_->close();
      return {};
    }
    bool done(stream& s) {
      // Drop application data that arrives before the peer's close_notify.
      std::vector<uint8_t> sink(4096);
      while (s.conn_->read(sink) > 0) {
      }
      return s.conn_->peer_closed();
    }
    static constexpr bool kReads = true;
    template <class Self>
    void complete(Self& self, std::error_code ec) {
      self.complete(ec);
    }
  };

  enum class Step : uint8_t { start, wrote, read, posted };

  template <class Action>
  struct Op {
    stream* s;
    Action action;
    Step step = Step::start;
    std::error_code ec{};
    bool own_write = false;

    template <class Self>
    void operator()(Self& self, std::error_code io_ec = {}, std::size_t n = 0) {
      Connection& conn = *s->conn_;
      bool first = step == Step::start;
      switch (step) {
        case Step::start:
          ec = action.start(*s);
          break;
        case Step::wrote:
          s->writing_ = false;
          own_write = false;
          if (io_ec) {
            return action.complete(self, io_ec);
          }
          break;
        case Step::read:
          if (io_ec == ::asio::error::eof) {
            if (auto r = conn.receive_eof(); !r) {
              ec = s->fail(r.error());
            }
          } else if (io_ec) {
            return action.complete(self, io_ec);
          } else if (auto r = conn.receive(std::span<const uint8_t>(s->rbuf_).first(n)); !r) {
            ec = s->fail(r.error());
          } else if (conn.signature_request() != nullptr) {
            // An offloaded key (certified_key_for_offload) needs its application to sign: this
            // stream cannot, so the peer gets internal_error rather than a handshake that hangs.
            ec = s->fail(conn.provide_signature({}).error());
          }
          break;
        case Step::posted:
          return action.complete(self, ec);
      }
      // Flush: a failed connection still sends its alert before the operation reports it.
      if (conn.wants_write() && !s->writing_) {
        std::span<const uint8_t> out = conn.output();
        s->wbuf_.assign(out.begin(), out.end());
        conn.consume_output(out.size());
        s->writing_ = true;
        own_write = true;
        step = Step::wrote;
        return ::asio::async_write(s->next_, ::asio::buffer(s->wbuf_), std::move(self));
      }
      if (!ec && conn.failed()) {
        // An earlier operation failed the connection: every later one reports the same error.
        ec = s->last_error_ ? make_error_code(s->last_error_->code())
                            : make_error_code(ErrorCode::internal_error);
      }
      if (ec || action.done(*s) || !Action::kReads) {
        if (first) {
          // Never complete inside the initiating function: asio's rule for handlers.
          step = Step::posted;
          return ::asio::post(s->next_.get_executor(), std::move(self));
        }
        return action.complete(self, ec);
      }
      step = Step::read;
      s->next_.async_read_some(::asio::buffer(s->rbuf_), std::move(self));
    }
  };

  std::error_code fail(Error error) {
    std::error_code code = make_error_code(error.code());
    last_error_ = std::move(error);
    return code;
  }

  NextLayer next_;
  std::unique_ptr<Connection> conn_;
  std::vector<uint8_t> rbuf_;
  std::vector<uint8_t> wbuf_;
  bool writing_ = false;
  std::optional<Error> last_error_;
};

}  // namespace hs::asio

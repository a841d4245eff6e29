// hs::asio::async_read_client_hello: the asynchronous form of hs::Acceptor's loop, for a server
// on standalone asio that picks its ServerConfig per client (<hs/acceptor.h>):
//
//   hs::Acceptor acceptor;
//   co_await hs::asio::async_read_client_hello(socket, acceptor, asio::use_awaitable);
//   auto config = pick(*acceptor.client_hello());         // any ServerConfig, chosen any way
//   auto conn = acceptor.accept(config);                   // the connection has read the hello
//   hs::asio::stream<asio::ip::tcp::socket> tls(std::move(*conn), std::move(socket));
//   co_await tls.async_handshake(hs::asio::stream_base::server, asio::use_awaitable);
//
// It reads from `next` until the Acceptor holds a whole ClientHello and completes with
// void(std::error_code): empty once the hello is whole; a transport error (asio::error::eof when
// the client closed first) as it came; for a first flight the Acceptor refuses, its alert is
// written first and the code is the hs::ErrorCode in hs::asio::error_category(). At most one may
// be outstanding per Acceptor; `next` and `acceptor` must outlive it.
#pragma once

#include <hs/acceptor.h>
#include <hs/asio/stream.h>

#include <asio/async_result.hpp>
#include <asio/buffer.hpp>
#include <asio/compose.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>
#include <vector>

namespace hs::asio {

namespace detail {

template <class AsyncStream>
struct ReadClientHelloOp {
  enum class Step : uint8_t { start, read, alert_written, posted };

  AsyncStream& next;
  Acceptor& acceptor;
  std::unique_ptr<std::vector<uint8_t>> buf;
  Step step = Step::start;
  std::error_code result{};

  template <class Self>
  void operator()(Self& self, std::error_code ec = {}, std::size_t n = 0) {
    switch (step) {
      case Step::start:
        if (acceptor.client_hello() != nullptr) {
          // Already whole: complete, but never inside the initiating function (asio's rule).
          step = Step::posted;
          return ::asio::post(next.get_executor(), std::move(self));
        }
        break;
      case Step::read: {
        if (ec) {
          return self.complete(ec);
        }
        auto ready = acceptor.receive(std::span<const uint8_t>(*buf).first(n));
        if (!ready.ok()) {
          result = make_error_code(ready.error().code());
          const std::span<const uint8_t> alert = acceptor.output();
          if (alert.empty()) {
            return self.complete(result);  // the client's own alert: nothing to answer
          }
          step = Step::alert_written;
          return ::asio::async_write(next, ::asio::buffer(alert.data(), alert.size()),
                                     std::move(self));
        }
        if (*ready) {
          return self.complete({});
        }
        break;
      }
      case Step::alert_written:
        return self.complete(result);
      case Step::posted:
        return self.complete({});
    }
    step = Step::read;
    next.async_read_some(::asio::buffer(*buf), std::move(self));
  }
};

}  // namespace detail

template <class AsyncStream, class Token>
auto async_read_client_hello(AsyncStream& next, Acceptor& acceptor, Token&& token) {
  // One record and its header at a time is enough; the Acceptor buffers the rest.
  auto buf = std::make_unique<std::vector<uint8_t>>(16 * 1024 + 512);
  return ::asio::async_compose<Token, void(std::error_code)>(
      detail::ReadClientHelloOp<AsyncStream>{next, acceptor, std::move(buf)}, token, next);
}

}  // namespace hs::asio

// Sockets for the io adapters: an owning file descriptor, TCP connect with a timeout, and a
// listening socket. tools/ and src/io/ are the only code that opens sockets.
#pragma once

#include <hs/result.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace hs::io {

// Fd owns a file descriptor and closes it on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset(other.release());
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// ConnectFailure says which step of tcp_connect failed (curl exit codes 6, 7 and 28).
enum class ConnectFailure : uint8_t { resolve, connect, timeout };

struct ConnectError {
  ConnectFailure failure;
  std::string message;  // curl-like: "Could not resolve host: example.invalid"
};

// ConnectOptions: what to connect to. `address` overrides name resolution (curl's --resolve);
// `on_trying` is called with "127.0.0.1:443" or "[::1]:443" before each attempt, and
// `on_failed` with curl's "connect to 127.0.0.1 port 443 failed: Connection refused" text.
struct ConnectOptions {
  std::string host;
  uint16_t port = 443;
  std::optional<std::string> address;
  std::chrono::milliseconds timeout{std::chrono::seconds(300)};
  std::function<void(std::string_view)> on_trying;
  std::function<void(std::string_view)> on_failed;
};

struct Connected {
  Fd fd;
  std::string address;  // numeric address connected to ("127.0.0.1", "::1")
};

// tcp_connect resolves `host` (unless `address` is set), then tries each address in turn with
// a non-blocking connect bounded by the remaining timeout. The returned socket is blocking,
// with TCP_NODELAY set.
std::variant<Connected, ConnectError> tcp_connect(const ConnectOptions& options);

// tcp_listen binds and listens on `address:port` (numeric IPv4 or IPv6; port 0 picks a free
// one), non-blocking, SO_REUSEADDR. Returns io_error with the errno text on failure.
Result<Fd> tcp_listen(const std::string& address, uint16_t port, int backlog = 512);

// local_port returns the port a bound socket listens on (0 on failure).
uint16_t local_port(int fd);

// set_nonblocking switches `fd` to non-blocking mode.
bool set_nonblocking(int fd);

}  // namespace hs::io

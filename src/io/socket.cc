// TCP connect/listen helpers for the io adapters.
#include "io/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace hs::io {

void Fd::reset(int fd) {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  fd_ = fd;
}

bool set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

namespace {

bool set_blocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0;
}

std::string numeric_host(const sockaddr* sa, socklen_t len) {
  std::array<char, NI_MAXHOST> host{};
  if (::getnameinfo(sa, len, host.data(), host.size(), nullptr, 0, NI_NUMERICHOST) != 0) {
    return "?";
  }
  return std::string(host.data());
}

struct Address {
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family = AF_INET;
  std::string text;
};

// resolve returns the addresses for host:port, IPv4 first as curl tries them.
std::vector<Address> resolve(const std::string& host, uint16_t port, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  std::string name = host;
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  int rc = ::getaddrinfo(name.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) {
    error = ::gai_strerror(rc);
    return {};
  }
  std::vector<Address> v4;
  std::vector<Address> v6;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof(sockaddr_storage)) {
      continue;
    }
    Address a;
    if (ai->ai_family == AF_INET) {
      *reinterpret_cast<sockaddr_in*>(&a.storage) =
          *reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
    } else if (ai->ai_family == AF_INET6) {
      *reinterpret_cast<sockaddr_in6*>(&a.storage) =
          *reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
    } else {
      continue;
    }
    a.len = ai->ai_addrlen;
    a.family = ai->ai_family;
    a.text = numeric_host(ai->ai_addr, ai->ai_addrlen);
    (ai->ai_family == AF_INET6 ? v6 : v4).push_back(std::move(a));
  }
  ::freeaddrinfo(res);
  v4.insert(v4.end(), std::make_move_iterator(v6.begin()), std::make_move_iterator(v6.end()));
  return v4;
}

}  // namespace

std::variant<Connected, ConnectError> tcp_connect(const ConnectOptions& options) {
  std::string error;
  std::vector<Address> addrs =
      resolve(options.address ? *options.address : options.host, options.port, error);
  if (addrs.empty()) {
    return ConnectError{ConnectFailure::resolve, "Could not resolve host: " + options.host};
  }
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  std::string last_error = "Connection refused";
  for (const Address& a : addrs) {
    std::string shown = a.family == AF_INET6 ? "[" + a.text + "]" : a.text;
    if (options.on_trying) {
      options.on_trying(shown + ":" + std::to_string(options.port));
    }
    Fd fd(::socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid() || !set_nonblocking(fd.get())) {
      last_error = std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a.storage), a.len);
    int err = rc == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        return ConnectError{ConnectFailure::timeout, "Connection timed out"};
      }
      pollfd p{fd.get(), POLLOUT, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n == 0) {
        return ConnectError{
            ConnectFailure::timeout,
            "Failed to connect to " + options.host + " port " + std::to_string(options.port) +
                " after " + std::to_string(options.timeout.count()) + " ms: Timeout was reached"};
      }
      socklen_t len = sizeof(err);
      if (n < 0 || ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        err = errno;
      }
    }
    if (err != 0) {
      last_error = std::strerror(err);
      if (options.on_failed) {
        options.on_failed("connect to " + a.text + " port " + std::to_string(options.port) +
                          " failed: " + last_error);
      }
      continue;
    }
    set_blocking(fd.get());
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return Connected{std::move(fd), a.text};
  }
  return ConnectError{ConnectFailure::connect, "Failed to connect to " + options.host + " port " +
                                                   std::to_string(options.port) +
                                                   ": Couldn't connect to server"};
}

Result<Fd> tcp_listen(const std::string& address, uint16_t port, int backlog) {
  std::string error;
  std::vector<Address> addrs = resolve(address, port, error);
  if (addrs.empty()) {
    return Error(ErrorCode::io_error, "listen", "cannot resolve " + address + ": " + error);
  }
  const Address& a = addrs.front();
  Fd fd(::socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return Error(ErrorCode::io_error, "listen", std::string("socket: ") + std::strerror(errno));
  }
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a.storage), a.len) != 0) {
    return Error(ErrorCode::io_error, "listen",
                 "bind " + address + ":" + std::to_string(port) + ": " + std::strerror(errno));
  }
  if (::listen(fd.get(), backlog) != 0 || !set_nonblocking(fd.get())) {
    return Error(ErrorCode::io_error, "listen", std::string("listen: ") + std::strerror(errno));
  }
  return fd;
}

uint16_t local_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return 0;
  }
  if (ss.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
  }
  if (ss.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port);
  }
  return 0;
}

}  // namespace hs::io

// The load and fault test (issue #8, item 5): a few hundred concurrent clients of our own — the
// library's sans-IO Connection driven by poll() — against `hs server` on loopback, doing full
// and resumed TLS 1.2 and TLS 1.3 handshakes and one HTTP request each, for HS_LOAD_SECONDS
// (default 45). Mixed in: clients that reset the connection mid-ClientHello, clients that vanish
// after the server's flight, half-closed connections, silent connections and slowloris clients
// (one ClientHello byte per second) that only the server's handshake timeout ends.
//
// Asserted: no good connection fails; every slowloris and silent connection is closed by the
// server within its handshake timeout (plus slack); afterwards the server still answers, its open
// file descriptors (/proc/PID/fd) are back to the baseline and its RSS is bounded relative to
// before. The figures are printed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/session.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/hs_server.h"
#include "support/pki.h"

namespace hs::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kHandshakeTimeoutS = 10;  // hs server --handshake-timeout

size_t env_size(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && std::atoi(v) > 0 ? static_cast<size_t>(std::atoi(v)) : fallback;
}

size_t count_fds(pid_t pid) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

size_t rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return static_cast<size_t>(std::atol(line.c_str() + 6));
    }
  }
  return 0;
}

int connect_to(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 &&
      errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void reset_and_close(int fd) {
  linger l{1, 0};  // close() sends RST
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  ::close(fd);
}

enum class Kind { good, reset_mid_hello, vanish_after_flight, half_close, silent, slowloris };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::good:
      return "good";
    case Kind::reset_mid_hello:
      return "reset mid-ClientHello";
    case Kind::vanish_after_flight:
      return "vanished after the server flight";
    case Kind::half_close:
      return "half-closed mid-ClientHello";
    case Kind::silent:
      return "silent";
    case Kind::slowloris:
      return "slowloris";
  }
  return "?";
}

struct Profile {
  std::shared_ptr<ClientConfig> config;
  const char* name;
};

struct Stats {
  size_t good_ok = 0, good_failed = 0, resumed = 0, tls12 = 0, tls13 = 0;
  size_t faults = 0, timeouts_ok = 0, timeouts_bad = 0;
  std::vector<std::string> failures;
};

class Client {
 public:
  Client(Kind kind, const Profile& profile, uint16_t port, Clock::time_point now)
      : kind_(kind), started_(now) {
    fd_ = connect_to(port);
    auto c = Connection::client(profile.config, "localhost");
    if (fd_ < 0 || !c.ok()) {
      error_ = "cannot start";
      done_ = true;
      return;
    }
    conn_ = std::move(c).value();
    hello_.assign(conn_->output().begin(), conn_->output().end());
  }
  ~Client() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

  int fd() const { return fd_; }
  bool done() const { return done_; }
  Kind kind() const { return kind_; }
  const std::string& error() const { return error_; }
  Connection& conn() { return *conn_; }
  double age_s(Clock::time_point now) const {
    return std::chrono::duration<double>(now - started_).count();
  }
  bool closed_by_server() const { return closed_by_server_; }

  short events() const {
    if (done_) {
      return 0;
    }
    short ev = POLLIN;
    if (kind_ == Kind::good && conn_->wants_write()) {
      ev = static_cast<short>(ev | POLLOUT);
    }
    if (!connected_) {
      ev = static_cast<short>(ev | POLLOUT);
    }
    return ev;
  }

  // tick runs timers (slowloris bytes, good-client deadline) at `now`.
  void tick(Clock::time_point now) {
    if (done_) {
      return;
    }
    if (kind_ == Kind::slowloris && connected_ && now >= next_byte_ && sent_ < hello_.size()) {
      if (::send(fd_, &hello_[sent_], 1, MSG_NOSIGNAL) == 1) {
        ++sent_;
      }
      next_byte_ = now + 1s;
    }
    if (kind_ == Kind::good && age_s(now) > 60) {
      finish("no answer within 60 s");
    }
    if ((kind_ == Kind::silent || kind_ == Kind::slowloris) &&
        age_s(now) > kHandshakeTimeoutS + 20) {
      finish("the server did not close it");
    }
  }

  void on_event(short revents, Clock::time_point now) {
    if (done_) {
      return;
    }
    if (!connected_ && (revents & (POLLOUT | POLLERR | POLLHUP))) {
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        finish(std::string("connect: ") + std::strerror(err));
        return;
      }
      connected_ = true;
      start_fault(now);
      if (done_) {
        return;
      }
    }
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
      on_readable();
    }
    if (!done_ && kind_ == Kind::good && (revents & POLLOUT)) {
      flush();
    }
  }

 private:
  void start_fault(Clock::time_point now) {
    const size_t half = hello_.size() / 2;
    switch (kind_) {
      case Kind::good:
        flush();
        break;
      case Kind::reset_mid_hello:
        (void)::send(fd_, hello_.data(), half, MSG_NOSIGNAL);
        reset_and_close(fd_);
        fd_ = -1;
        finish_fault();
        break;
      case Kind::half_close:
        (void)::send(fd_, hello_.data(), half, MSG_NOSIGNAL);
        ::shutdown(fd_, SHUT_WR);
        break;  // the server closes on EOF: we read until then
      case Kind::vanish_after_flight:
        flush();
        break;  // closes once the server's flight arrives
      case Kind::silent:
        break;
      case Kind::slowloris:
        next_byte_ = now;
        break;
    }
  }

  void flush() {
    while (conn_->wants_write()) {
      auto out = conn_->output();
      ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
          return;
        }
        finish(std::string("send: ") + std::strerror(errno));
        return;
      }
      conn_->consume_output(static_cast<size_t>(n));
    }
  }

  void on_readable() {
    std::vector<uint8_t> buf(16 * 1024 + 512);
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      return;
    }
    if (kind_ != Kind::good) {
      if (kind_ == Kind::vanish_after_flight && n > 0) {
        ::close(fd_);  // the server's flight arrived: go away without a word
        fd_ = -1;
        finish_fault();
        return;
      }
      if (n <= 0) {  // EOF or reset: the server closed it
        closed_by_server_ = true;
        finish_fault();
      }
      return;  // an alert or the server's flight: keep waiting for the close
    }
    if (n <= 0) {
      auto r = conn_->receive_eof();
      if (!response_complete()) {
        finish(n == 0 ? "EOF before the response" : std::string("recv: ") + std::strerror(errno));
      } else {
        finish("");
      }
      (void)r;
      return;
    }
    auto r = conn_->receive(std::span<const uint8_t>(buf).first(static_cast<size_t>(n)));
    if (!r.ok()) {
      finish("TLS: " + r.error().message());
      return;
    }
    if (conn_->is_connected() && !request_sent_) {
      static const std::string kRequest =
          "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
      auto w = conn_->write(std::span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(kRequest.data()), kRequest.size()));
      if (!w.ok()) {
        finish("write: " + w.error().message());
        return;
      }
      request_sent_ = true;
    }
    while (conn_->readable() > 0) {
      std::vector<uint8_t> app(conn_->readable());
      size_t got = conn_->read(app);
      response_.append(app.begin(), app.begin() + static_cast<std::ptrdiff_t>(got));
    }
    if (conn_->peer_closed()) {
      finish(response_complete() ? "" : "close_notify before the response");
      return;
    }
    flush();
  }

  bool response_complete() const { return response_.rfind("HTTP/1.1 200", 0) == 0; }

  void finish_fault() { done_ = true; }
  void finish(std::string error) {
    error_ = std::move(error);
    done_ = true;
  }

  Kind kind_;
  Clock::time_point started_;
  int fd_ = -1;
  std::unique_ptr<Connection> conn_;
  std::vector<uint8_t> hello_;
  size_t sent_ = 0;
  Clock::time_point next_byte_{};
  bool connected_ = false;
  bool request_sent_ = false;
  bool closed_by_server_ = false;
  bool done_ = false;
  std::string error_;
  std::string response_;
};

std::shared_ptr<ClientConfig> client_config(ProtocolVersion max,
                                            std::shared_ptr<ClientSessionStore> store) {
  auto c = std::make_shared<ClientConfig>();
  c->max_version = max;
  c->alpn = {"http/1.1"};
  c->dangerous_skip_verification = true;  // the load, not the chain, is under test here
  c->sessions = std::move(store);
  c->session_key = "load";
  return c;
}

// run_all drives `clients` with poll() until every one is done or `limit` has passed.
void run_all(std::vector<std::unique_ptr<Client>>& clients,
             std::chrono::milliseconds limit = std::chrono::milliseconds(120000)) {
  const auto deadline = Clock::now() + limit;
  std::vector<pollfd> fds;
  while (Clock::now() < deadline) {
    auto now = Clock::now();
    fds.clear();
    std::vector<Client*> owners;
    for (auto& c : clients) {
      c->tick(now);
      if (!c->done() && c->fd() >= 0) {
        fds.push_back(pollfd{c->fd(), c->events(), 0});
        owners.push_back(c.get());
      }
    }
    if (fds.empty()) {
      return;
    }
    ::poll(fds.data(), fds.size(), 100);
    now = Clock::now();
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents != 0) {
        owners[i]->on_event(fds[i].revents, now);
      }
    }
  }
}

// hs server --max-connections N delays (does not refuse) connection N+1: it waits in the listen
// backlog until one of the N closes, then completes.
TEST(Load, MaxConnectionsDelaysTheConnectionBeyondTheLimit) {
  HsServerProcess server(HsServerProcess::cert_args(shared_test_pki()), {"--max-connections", "2"});
  ASSERT_NE(server.port(), 0) << server.output();
  const pid_t pid = server.process().pid();
  const size_t fds_idle = count_fds(pid);
  int a = connect_to(server.port());
  int b = connect_to(server.port());
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  for (auto deadline = Clock::now() + 5s;
       count_fds(pid) < fds_idle + 2 && Clock::now() < deadline;) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(count_fds(pid), fds_idle + 2);
  const Profile p{client_config(ProtocolVersion::tls1_3, nullptr), "TLS 1.3 full"};
  std::vector<std::unique_ptr<Client>> third;
  third.push_back(std::make_unique<Client>(Kind::good, p, server.port(), Clock::now()));
  run_all(third, 1500ms);
  EXPECT_FALSE(third.back()->done()) << "served beyond --max-connections 2";
  EXPECT_EQ(count_fds(pid), fds_idle + 2);
  ::close(a);
  ::close(b);
  run_all(third);
  ASSERT_TRUE(third.back()->done());
  EXPECT_TRUE(third.back()->error().empty()) << third.back()->error();
}

TEST(Load, HundredsOfClientsWithFaultsLeaveTheServerAsItWas) {
  const size_t seconds = env_size("HS_LOAD_SECONDS", 45);
  const size_t concurrency = env_size("HS_LOAD_CONCURRENCY", 200);
  const TestPki& pki = shared_test_pki();
  ProcessOptions popts;
  // Under ASan a small quarantine keeps freed memory from counting as RSS.
  popts.env = {{"ASAN_OPTIONS", "quarantine_size_mb=4:detect_leaks=0"}};
  HsServerProcess server(
      HsServerProcess::cert_args(pki),
      {"--handshake-timeout", std::to_string(kHandshakeTimeoutS), "--idle-timeout", "5"}, popts);
  ASSERT_NE(server.port(), 0) << server.output();
  const pid_t pid = server.process().pid();
  const uint16_t port = server.port();

  auto store13 = std::make_shared<InMemorySessionStore>();
  auto store12 = std::make_shared<InMemorySessionStore>();
  const std::vector<Profile> profiles = {
      {client_config(ProtocolVersion::tls1_3, nullptr), "TLS 1.3 full"},
      {client_config(ProtocolVersion::tls1_3, store13), "TLS 1.3 resumed"},
      {client_config(ProtocolVersion::tls1_2, nullptr), "TLS 1.2 full"},
      {client_config(ProtocolVersion::tls1_2, store12), "TLS 1.2 resumed"},
  };

  Stats stats;
  auto account = [&](Client& c) {
    if (c.kind() == Kind::good) {
      if (c.error().empty()) {
        ++stats.good_ok;
        const auto& info = c.conn().info();
        stats.resumed += info.resumed ? 1 : 0;
        (info.version == ProtocolVersion::tls1_2 ? stats.tls12 : stats.tls13)++;
      } else {
        ++stats.good_failed;
        if (stats.failures.size() < 10) {
          stats.failures.push_back(c.error());
        }
      }
      return;
    }
    ++stats.faults;
    if (c.kind() == Kind::silent || c.kind() == Kind::slowloris) {
      const double age = c.age_s(Clock::now());
      if (c.error().empty() && c.closed_by_server() && age < kHandshakeTimeoutS + 5) {
        ++stats.timeouts_ok;
      } else {
        ++stats.timeouts_bad;
        stats.failures.push_back(std::string(kind_name(c.kind())) + ": " + c.error() + " after " +
                                 std::to_string(age) + " s");
      }
    }
  };

  // Warm-up: one of each profile (fills the session stores), then the baseline.
  {
    std::vector<std::unique_ptr<Client>> warm;
    for (const auto& p : profiles) {
      warm.push_back(std::make_unique<Client>(Kind::good, p, port, Clock::now()));
      run_all(warm);
      ASSERT_TRUE(warm.back()->error().empty()) << p.name << ": " << warm.back()->error();
    }
  }
  std::this_thread::sleep_for(300ms);
  const size_t fds_before = count_fds(pid);
  const size_t rss_before = rss_kib(pid);

  // Load: keep `concurrency` clients busy; every 16th slot is a fault, and a handful of silent
  // and slowloris connections is kept open throughout.
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  std::vector<std::unique_ptr<Client>> live;
  size_t spawned = 0;
  size_t slow_spawned = 0;
  std::vector<pollfd> fds;
  while (true) {
    auto now = Clock::now();
    for (auto& c : live) {
      c->tick(now);
    }
    for (auto it = live.begin(); it != live.end();) {
      if ((*it)->done()) {
        account(**it);
        it = live.erase(it);
      } else {
        ++it;
      }
    }
    const bool loading = now < end;
    if (!loading && live.empty()) {
      break;
    }
    size_t slow_live = 0;
    for (auto& c : live) {
      slow_live += (c->kind() == Kind::silent || c->kind() == Kind::slowloris) ? 1 : 0;
    }
    // Timed-out faults only start while their timeout can still end inside the run.
    while (loading && slow_live < 6 && now + std::chrono::seconds(kHandshakeTimeoutS) < end) {
      Kind k = (slow_spawned++ % 2 == 0) ? Kind::slowloris : Kind::silent;
      live.push_back(std::make_unique<Client>(k, profiles[0], port, now));
      ++slow_live;
    }
    while (loading && live.size() < concurrency + slow_live) {
      Kind k = Kind::good;
      switch (spawned % 16) {
        case 5:
          k = Kind::reset_mid_hello;
          break;
        case 10:
          k = Kind::vanish_after_flight;
          break;
        case 15:
          k = Kind::half_close;
          break;
        default:
          break;
      }
      live.push_back(std::make_unique<Client>(k, profiles[spawned % profiles.size()], port, now));
      ++spawned;
    }
    fds.clear();
    std::vector<Client*> owners;
    for (auto& c : live) {
      if (!c->done() && c->fd() >= 0) {
        fds.push_back(pollfd{c->fd(), c->events(), 0});
        owners.push_back(c.get());
      }
    }
    ::poll(fds.data(), fds.size(), 100);
    now = Clock::now();
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents != 0) {
        owners[i]->on_event(fds[i].revents, now);
      }
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  // The server closes what it still holds; wait for its descriptors to come back.
  size_t fds_after = count_fds(pid);
  for (auto deadline = Clock::now() + 20s; fds_after > fds_before && Clock::now() < deadline;) {
    std::this_thread::sleep_for(100ms);
    fds_after = count_fds(pid);
  }
  const size_t rss_after = rss_kib(pid);

  // Still answering.
  std::vector<std::unique_ptr<Client>> last;
  last.push_back(std::make_unique<Client>(Kind::good, profiles[1], port, Clock::now()));
  run_all(last);
  const std::string last_error = last.back()->error();

  std::printf(
      "load: %.1f s, %zu concurrent; good connections %zu ok / %zu failed (%zu TLS 1.3, %zu TLS "
      "1.2, %zu resumed), %.1f handshakes/s; faults %zu (timeouts closed in time %zu, not %zu)\n"
      "server fds before %zu after %zu; RSS before %zu KiB after %zu KiB\n",
      elapsed, concurrency, stats.good_ok, stats.good_failed, stats.tls13, stats.tls12,
      stats.resumed, static_cast<double>(stats.good_ok) / elapsed, stats.faults, stats.timeouts_ok,
      stats.timeouts_bad, fds_before, fds_after, rss_before, rss_after);
  std::fflush(stdout);
  for (const auto& f : stats.failures) {
    ADD_FAILURE() << f;
  }
  EXPECT_EQ(stats.good_failed, 0u);
  EXPECT_EQ(stats.timeouts_bad, 0u);
  EXPECT_GT(stats.good_ok, concurrency);
  EXPECT_GT(stats.resumed, 0u);
  EXPECT_GT(stats.timeouts_ok, 0u);
  EXPECT_TRUE(last_error.empty()) << "the server no longer answers: " << last_error;
  EXPECT_LE(fds_after, fds_before);
  // Bounded: allocator caches may keep some of the peak, but not a leak per connection.
  EXPECT_LE(rss_after, 2 * rss_before + 64 * 1024);
  EXPECT_TRUE(server.process().running()) << server.output();
}

}  // namespace
}  // namespace hs::test

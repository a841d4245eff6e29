// Child processes, ports and peer programs for tests that talk to real processes over loopback
// (openssl s_server/s_client, gnutls-serv/gnutls-cli, curl, our own `hs`).
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/temp_dir.h"

namespace hs::test {

using namespace std::chrono_literals;

// free_port binds a TCP socket to 127.0.0.1:0, reads the port the kernel chose, closes the socket
// and returns the port. Another process may take it before the caller binds it, which is rare
// enough for tests. Returns 0 when no socket could be bound.
uint16_t free_port();

// port_is_open reports whether a TCP connection to 127.0.0.1:port succeeds right now.
bool port_is_open(uint16_t port);

// ProcessOptions tunes how a Process starts.
struct ProcessOptions {
  // stdin_data is fed to the child's standard input, followed by end-of-file. When empty the
  // child reads /dev/null.
  std::string stdin_data;
  // keep_stdin_open holds the child's standard input open after stdin_data (at most 64 KiB, a
  // pipe's buffer) instead of ending it, until the child exits or is stopped: for programs that
  // close their connection at end-of-file, such as botan tls_client.
  bool keep_stdin_open = false;
  // cwd is the child's working directory; empty inherits the test's.
  std::filesystem::path cwd;
  // env holds NAME, VALUE pairs added to (or replacing in) the inherited environment.
  std::vector<std::pair<std::string, std::string>> env;
};

// Process runs `args` (args[0] is looked up in PATH like execvp) as a child in its own process
// group, with stdout and stderr captured to files in a private TempDir. The destructor stops the
// child (stop()) so a failing test never leaks a server. Not copyable or movable; hold it in a
// std::optional or std::unique_ptr when it must be started later.
class Process {
 public:
  explicit Process(std::vector<std::string> args, ProcessOptions options = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // started is false when fork or exec failed (a missing program, say); error() says why.
  bool started() const { return start_error_.empty(); }
  const std::string& error() const { return start_error_; }
  pid_t pid() const { return pid_; }

  // running reports whether the child has not exited yet (reaping it if it has).
  bool running();

  // wait_for_port polls 127.0.0.1:port until it accepts a connection and returns true; returns
  // false once `timeout` passes or as soon as the child exits without opening the port.
  bool wait_for_port(uint16_t port, std::chrono::milliseconds timeout = 10s);

  // wait waits up to `timeout` for the child to exit and returns its exit code (128 + signal
  // number if a signal killed it), or std::nullopt if it is still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout = 30s);

  // stop sends SIGTERM to the child's process group, waits up to `grace` for it to exit, then
  // sends SIGKILL and reaps it. Returns the exit code as wait() does. Safe to call repeatedly.
  int stop(std::chrono::milliseconds grace = 2s);

  // stdout_text and stderr_text return what the child has written so far.
  std::string stdout_text() const;
  std::string stderr_text() const;
  // output returns the command line, stdout and stderr in one block, for failure messages:
  // EXPECT_TRUE(ok) << server.output();
  std::string output() const;
  // command_line returns the arguments joined by spaces.
  std::string command_line() const;

 private:
  bool reap(int options);

  std::vector<std::string> args_;
  TempDir dir_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string start_error_;
  bool group_killed_ = false;
  int stdin_fd_ = -1;  // write end of the child's stdin pipe (keep_stdin_open), or -1
};

// CommandResult is what run_command returns.
struct CommandResult {
  // exit_code is the exit status, 128 + signal when a signal ended it, -1 when it could not
  // start or timed out.
  int exit_code = -1;
  std::string out;
  std::string err;
  bool timed_out = false;
  // output returns the command line, exit code, stdout and stderr for failure messages.
  std::string output() const;
  std::string command_line;
};

// run_command runs `args` to completion (see Process), feeding it `stdin_data`, and kills it
// after `timeout`.
CommandResult run_command(std::vector<std::string> args, std::chrono::milliseconds timeout = 30s,
                          std::string stdin_data = {});

// find_program returns the full path of `name` found in PATH (or `name` itself if it contains a
// slash and is executable), or std::nullopt.
std::optional<std::filesystem::path> find_program(std::string_view name);

// require_program succeeds when `name` is found in PATH. Otherwise it fails with a message naming
// the Debian package that provides it and scripts/setup.sh. Missing peers must FAIL tests, never
// skip them, so use it as ASSERT_TRUE(require_program("gnutls-serv"));
::testing::AssertionResult require_program(std::string_view name);

}  // namespace hs::test

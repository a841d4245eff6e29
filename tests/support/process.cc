#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <thread>

extern char** environ;

namespace hs::test {
namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

int decode_status(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

std::string join(const std::vector<std::string>& args) {
  std::string line;
  for (const std::string& arg : args) {
    if (!line.empty()) {
      line += ' ';
    }
    line += arg;
  }
  return line;
}

// The child writes errno here when exec fails; the pipe is close-on-exec, so the parent reads EOF
// when exec succeeds.
[[noreturn]] void child_fail(int fd, int err) {
  ssize_t ignored = write(fd, &err, sizeof err);
  (void)ignored;
  _exit(127);
}

}  // namespace

uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return 0;
  }
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool port_is_open(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in addr = loopback(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

Process::Process(std::vector<std::string> args, ProcessOptions options) : args_(std::move(args)) {
  if (args_.empty()) {
    start_error_ = "Process: no arguments";
    return;
  }
  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls are allowed.
  std::filesystem::path in_path = "/dev/null";
  int in_pipe[2] = {-1, -1};
  if (options.keep_stdin_open) {
    if (options.stdin_data.size() > 65536 || pipe2(in_pipe, O_CLOEXEC) != 0) {
      start_error_ = "Process: cannot make a stdin pipe for keep_stdin_open";
      return;
    }
    // Written before the fork, while this process still holds the read end: it fits the pipe's
    // buffer, so this never waits, and a child that exits early cannot make it raise SIGPIPE.
    ssize_t written = write(in_pipe[1], options.stdin_data.data(), options.stdin_data.size());
    (void)written;
    stdin_fd_ = in_pipe[1];
  } else if (!options.stdin_data.empty()) {
    in_path = dir_.write_file("stdin", options.stdin_data);
  }
  std::string out_path = (dir_ / "stdout").string();
  std::string err_path = (dir_ / "stderr").string();
  std::string in_str = in_path.string();
  std::string cwd = options.cwd.string();

  std::vector<char*> argv;
  for (std::string& arg : args_) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);

  std::map<std::string, std::string> env_map;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string_view::npos) {
      env_map[std::string(entry.substr(0, eq))] = std::string(entry.substr(eq + 1));
    }
  }
  for (auto& [name, value] : options.env) {
    env_map[name] = value;
  }
  std::vector<std::string> env_strings;
  for (auto& [name, value] : env_map) {
    env_strings.push_back(name + "=" + value);
  }
  std::vector<char*> envp;
  for (std::string& s : env_strings) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);

  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    start_error_ = std::string("pipe2: ") + std::strerror(errno);
    if (in_pipe[0] >= 0) {
      close(in_pipe[0]);
      close(in_pipe[1]);
      stdin_fd_ = -1;
    }
    return;
  }
  pid_ = fork();
  if (pid_ < 0) {
    start_error_ = std::string("fork: ") + std::strerror(errno);
    close(report[0]);
    close(report[1]);
    if (in_pipe[0] >= 0) {
      close(in_pipe[0]);
      close(in_pipe[1]);
      stdin_fd_ = -1;
    }
    return;
  }
  if (pid_ == 0) {
    // Own process group, so stop() also ends anything the child starts.
    setpgid(0, 0);
    int in = in_pipe[0] >= 0 ? in_pipe[0] : open(in_str.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
      child_fail(report[1], errno);
    }
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) {
      child_fail(report[1], errno);
    }
    signal(SIGPIPE, SIG_DFL);
    execvpe(argv[0], argv.data(), envp.data());
    child_fail(report[1], errno);
  }
  // Also set the group from the parent, so kill(-pid) works even before the child ran setpgid.
  setpgid(pid_, pid_);
  if (in_pipe[0] >= 0) {
    close(in_pipe[0]);
  }
  close(report[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n > 0) {
    start_error_ = "cannot start '" + args_[0] + "': " + std::strerror(child_errno);
    reap(0);
  }
}

Process::~Process() { stop(); }

bool Process::reap(int options) {
  if (pid_ <= 0 || exit_code_) {
    return true;
  }
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, options);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    exit_code_ = decode_status(status);
    if (stdin_fd_ >= 0) {
      close(stdin_fd_);
      stdin_fd_ = -1;
    }
    return true;
  }
  if (r < 0) {
    if (stdin_fd_ >= 0) {
      close(stdin_fd_);
      stdin_fd_ = -1;
    }
    exit_code_ = -1;  // Not our child any more (already reaped elsewhere).
    return true;
  }
  return false;
}

bool Process::running() { return pid_ > 0 && !reap(WNOHANG); }

bool Process::wait_for_port(uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) {
      return false;
    }
    if (port_is_open(port)) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) {
    return -1;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reap(WNOHANG)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(10ms);
  }
  return exit_code_;
}

int Process::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) {
    return -1;
  }
  if (!reap(WNOHANG)) {
    kill(-pid_, SIGTERM);
    if (!wait(grace)) {
      kill(-pid_, SIGKILL);
      reap(0);
    }
  }
  if (!group_killed_) {
    // Children the process left behind in its group go too. Only once: afterwards the group id
    // could in principle be reused.
    kill(-pid_, SIGKILL);
    group_killed_ = true;
  }
  return exit_code_.value_or(-1);
}

std::string Process::stdout_text() const { return read_file(dir_ / "stdout"); }
std::string Process::stderr_text() const { return read_file(dir_ / "stderr"); }
std::string Process::command_line() const { return join(args_); }

std::string Process::output() const {
  std::ostringstream s;
  s << "$ " << command_line() << "\n";
  if (!start_error_.empty()) {
    s << "start error: " << start_error_ << "\n";
  }
  if (exit_code_) {
    s << "exit code: " << *exit_code_ << "\n";
  }
  s << "--- stdout ---\n" << stdout_text() << "\n--- stderr ---\n" << stderr_text() << "\n";
  return s.str();
}

std::string CommandResult::output() const {
  std::ostringstream s;
  s << "$ " << command_line << "\n"
    << "exit code: " << exit_code << (timed_out ? " (timed out)" : "") << "\n"
    << "--- stdout ---\n"
    << out << "\n--- stderr ---\n"
    << err << "\n";
  return s.str();
}

CommandResult run_command(std::vector<std::string> args, std::chrono::milliseconds timeout,
                          std::string stdin_data) {
  CommandResult result;
  result.command_line = join(args);
  ProcessOptions options;
  options.stdin_data = std::move(stdin_data);
  Process p(std::move(args), std::move(options));
  if (!p.started()) {
    result.err = p.error();
    return result;
  }
  std::optional<int> code = p.wait(timeout);
  if (code) {
    result.exit_code = *code;
  } else {
    result.timed_out = true;
    p.stop();
  }
  result.out = p.stdout_text();
  result.err = p.stderr_text();
  return result;
}

std::optional<std::filesystem::path> find_program(std::string_view name) {
  if (name.empty()) {
    return std::nullopt;
  }
  if (name.find('/') != std::string_view::npos) {
    std::filesystem::path p(name);
    if (access(p.c_str(), X_OK) == 0) {
      return p;
    }
    return std::nullopt;
  }
  const char* path_env = std::getenv("PATH");
  std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  std::istringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

::testing::AssertionResult require_program(std::string_view name) {
  if (find_program(name)) {
    return ::testing::AssertionSuccess();
  }
  static const std::map<std::string, std::string, std::less<>> kPackages = {
      {"openssl", "openssl"},
      {"curl", "curl"},
      {"gnutls-serv", "gnutls-bin"},
      {"gnutls-cli", "gnutls-bin"},
      {"nginx", "nginx"},
      {"tshark", "tshark"},
      {"dumpcap", "tshark"},  // wireshark-common, pulled in by tshark
      {"bash", "bash"},
      {"go", "golang-go"},
      {"tstclnt", "libnss3-tools"},
      {"selfserv", "libnss3-tools"},
      {"certutil", "libnss3-tools"},
      {"pk12util", "libnss3-tools"},
      {"botan", "botan"},
      {"java", "openjdk-17-jre-headless"},
      {"chromium", "chromium"},
      {"testssl", "testssl.sh"},
  };
  auto it = kPackages.find(name);
  std::string package = it != kPackages.end() ? it->second : "?";
  return ::testing::AssertionFailure()
         << "required peer program '" << name << "' is not in PATH (Debian package '" << package
         << "'); run ./scripts/setup.sh. Interop tests fail rather than skip when a peer is "
            "missing, so a missing peer is never mistaken for a pass.";
}

}  // namespace hs::test

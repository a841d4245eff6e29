// Tests of tests/support itself: if these fail, interop failures elsewhere mean nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "support/paths.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace hs::test {
namespace {

// process_gone reports whether `pid` no longer exists or is only a zombie.
bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) {
    return true;
  }
  std::string line;
  std::getline(stat, line);
  size_t paren = line.rfind(')');
  return paren == std::string::npos || line.substr(paren + 2, 1) == "Z";
}

bool eventually_gone(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    if (process_gone(pid)) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(HarnessTest, FreePortIsNotListening) {
  uint16_t port = free_port();
  ASSERT_NE(port, 0);
  EXPECT_FALSE(port_is_open(port));
}

TEST(HarnessTest, RunCommandCapturesStdoutStderrAndExitCode) {
  CommandResult r = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3) << r.output();
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.timed_out);
}

TEST(HarnessTest, RunCommandFeedsStdin) {
  CommandResult r = run_command({"cat"}, 10s, "hello\nworld\n");
  EXPECT_EQ(r.exit_code, 0) << r.output();
  EXPECT_EQ(r.out, "hello\nworld\n");
}

// keep_stdin_open: the child reads stdin_data and then waits for more instead of seeing
// end-of-file, so `cat` cannot exit on its own; stop() ends it.
TEST(HarnessTest, KeepStdinOpenWithholdsEndOfFile) {
  ProcessOptions options;
  options.stdin_data = "hello\n";
  options.keep_stdin_open = true;
  Process p({"cat"}, options);
  ASSERT_TRUE(p.started()) << p.error();
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       p.stdout_text().empty() && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(p.stdout_text(), "hello\n");
  EXPECT_TRUE(p.running());
  EXPECT_EQ(p.stop(), 128 + SIGTERM);
}

TEST(HarnessTest, RunCommandKillsOnTimeout) {
  auto start = std::chrono::steady_clock::now();
  CommandResult r = run_command({"sleep", "30"}, 200ms);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(HarnessTest, SignalledProcessReports128PlusSignal) {
  CommandResult r = run_command({"sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.output();
}

TEST(HarnessTest, MissingProgramDoesNotStart) {
  Process p({"hs-no-such-program-xyz"});
  EXPECT_FALSE(p.started());
  EXPECT_NE(p.error().find("hs-no-such-program-xyz"), std::string::npos) << p.error();
  CommandResult r = run_command({"hs-no-such-program-xyz"});
  EXPECT_EQ(r.exit_code, -1);
}

TEST(HarnessTest, RequireProgramFailsWithAClearMessage) {
  EXPECT_TRUE(require_program("sh"));
  ::testing::AssertionResult missing = require_program("hs-no-such-program-xyz");
  EXPECT_FALSE(missing);
  EXPECT_NE(std::string(missing.message()).find("not in PATH"), std::string::npos);
  EXPECT_TRUE(find_program("sh").has_value());
}

TEST(HarnessTest, ProcessEnvironmentAndWorkingDirectory) {
  TempDir dir;
  ProcessOptions options;
  options.cwd = dir.path();
  options.env = {{"HS_HARNESS_VALUE", "42"}};
  Process p({"sh", "-c", "echo $HS_HARNESS_VALUE; pwd"}, options);
  ASSERT_TRUE(p.started()) << p.error();
  ASSERT_EQ(p.wait(10s), 0) << p.output();
  EXPECT_EQ(p.stdout_text(), "42\n" + std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST(HarnessTest, WaitForPortGivesUpWhenTheProcessExits) {
  Process p({"sh", "-c", "exit 0"});
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(p.wait_for_port(free_port(), 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(HarnessTest, WaitForPortSeesAListener) {
  ASSERT_TRUE(require_program("python3"));
  uint16_t port = free_port();
  Process server({"python3", "-c",
                  "import socket,time\n"
                  "s=socket.socket()\n"
                  "s.bind(('127.0.0.1'," +
                      std::to_string(port) +
                      "))\n"
                      "s.listen()\n"
                      "time.sleep(30)\n"});
  ASSERT_TRUE(server.wait_for_port(port, 10s)) << server.output();
  EXPECT_TRUE(server.running());
}

TEST(HarnessTest, DestructorStopsTheProcessGroup) {
  pid_t child = 0;
  pid_t grandchild = 0;
  {
    Process p({"sh", "-c", "sleep 30 & echo $!; wait"});
    ASSERT_TRUE(p.started());
    child = p.pid();
    for (int i = 0; i < 200 && p.stdout_text().empty(); ++i) {
      std::this_thread::sleep_for(10ms);
    }
    grandchild = std::stoi(p.stdout_text());
    EXPECT_TRUE(p.running());
  }
  EXPECT_TRUE(eventually_gone(child));
  EXPECT_TRUE(eventually_gone(grandchild));
}

TEST(HarnessTest, StopEscalatesToSigkill) {
  Process p({"sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done"});
  for (int i = 0; i < 200 && p.stdout_text().empty(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(p.stop(300ms), 128 + SIGKILL);
  EXPECT_FALSE(p.running());
}

TEST(HarnessTest, TempDirIsRemovedOnDestruction) {
  std::filesystem::path path;
  {
    TempDir dir;
    path = dir.path();
    std::filesystem::path file = dir.write_file("a.txt", "abc");
    EXPECT_EQ(read_file(file), "abc");
    TempDir moved = std::move(dir);
    EXPECT_TRUE(dir.path().empty());
    EXPECT_EQ(moved.path(), path);
    EXPECT_TRUE(std::filesystem::is_directory(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(HarnessTest, PathsPointAtThisBuild) {
  EXPECT_TRUE(std::filesystem::exists(source_dir() / "scripts" / "make-test-pki.sh"));
  EXPECT_EQ(build_dir(), std::filesystem::path(HS_BUILD_DIR));
  EXPECT_EQ(hs_binary(), std::filesystem::path(HS_BUILD_DIR) / "tools" / "hs" / "hs");
}

}  // namespace
}  // namespace hs::test

// Helpers for the x509 tests: a scratch directory, running the openssl CLI, reading files.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "x509/certificate.h"
#include "x509/pem.h"

namespace hs::x509::testing {

// TempDir is a fresh directory removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hs_x509_XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    const char* made = mkdtemp(buf.data());
    path_ = made ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// CommandResult is the exit status and standard output of a shell command.
struct CommandResult {
  int status = -1;
  std::string out;
};

// run executes `cmd` through the shell, capturing stdout (stderr is discarded).
inline CommandResult run(const std::string& cmd) {
  CommandResult r;
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) {
    return r;
  }
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) {
    r.out.append(buf.data(), n);
  }
  r.status = pclose(p);
  return r;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::string s = read_file(path);
  return std::vector<uint8_t>(s.begin(), s.end());
}

inline std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
    s.pop_back();
  }
  return s;
}

// GeneratedCert is a self-signed certificate made by `openssl req -x509`.
struct GeneratedCert {
  std::string cert_path;  // PEM
  std::string key_path;   // PEM, unencrypted PKCS#8
  std::vector<uint8_t> der;
};

// make_cert runs `openssl req -x509 -newkey <newkey> -subj <subj> <extra>` in `dir` and
// converts the result to DER. Fails the test (and returns empty DER) if openssl fails.
inline GeneratedCert make_cert(const TempDir& dir, const std::string& name,
                               const std::string& newkey, const std::string& subj,
                               const std::string& extra) {
  GeneratedCert g;
  g.cert_path = dir.file(name + ".pem");
  g.key_path = dir.file(name + ".key");
  std::string der_path = dir.file(name + ".der");
  std::string cmd = "openssl req -x509 -nodes -newkey " + newkey + " -keyout '" + g.key_path +
                    "' -out '" + g.cert_path + "' -subj '" + subj + "' " + extra;
  CommandResult r = run(cmd);
  EXPECT_EQ(r.status, 0) << cmd;
  r = run("openssl x509 -in '" + g.cert_path + "' -outform DER -out '" + der_path + "'");
  EXPECT_EQ(r.status, 0);
  g.der = read_bytes(der_path);
  return g;
}

inline bool have_openssl() { return run("openssl version").status == 0; }

}  // namespace hs::x509::testing

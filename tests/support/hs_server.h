// HsServerProcess: our `hs server` started on a free loopback port for interop tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/pki.h"
#include "support/process.h"

namespace hs::test {

// HsServerProcess runs `hs server --listen 127.0.0.1:0 ARGS... EXTRA...` and reads the port from
// the "listening on 127.0.0.1:PORT" line it prints (port() stays 0 when it never prints it within
// 10 s). `options` sets its environment (SSLKEYLOGFILE, say). The process is stopped when the
// object goes away.
class HsServerProcess {
 public:
  explicit HsServerProcess(std::vector<std::string> args, std::vector<std::string> extra = {},
                           ProcessOptions options = {});

  // cert_args is "--cert rsa --key rsa_key" plus the ECDSA pair when `with_ecdsa`.
  static std::vector<std::string> cert_args(const TestPki& pki, bool with_ecdsa = true);

  uint16_t port() const { return port_; }
  Process& process() { return *process_; }
  std::string output() const { return process_->output(); }
  std::string url(const std::string& path = "/") const;
  // resolve is curl's --resolve value for localhost:PORT; connect is s_client's -connect.
  std::string resolve() const;
  std::string connect() const;

 private:
  std::unique_ptr<Process> process_;
  uint16_t port_ = 0;
};

}  // namespace hs::test

#include "support/hs_server.h"

#include <chrono>
#include <thread>

#include "support/paths.h"

namespace hs::test {

HsServerProcess::HsServerProcess(std::vector<std::string> args, std::vector<std::string> extra,
                                 ProcessOptions options) {
  std::vector<std::string> argv = {hs_binary().string(), "server", "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), extra.begin(), extra.end());
  process_ = std::make_unique<Process>(std::move(argv), std::move(options));
  const std::string marker = "listening on 127.0.0.1:";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline && process_->running()) {
    std::string out = process_->stdout_text();
    size_t at = out.find(marker);
    size_t nl = at == std::string::npos ? std::string::npos : out.find('\n', at);
    if (nl != std::string::npos) {
      port_ =
          static_cast<uint16_t>(std::stoi(out.substr(at + marker.size(), nl - at - marker.size())));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<std::string> HsServerProcess::cert_args(const TestPki& pki, bool with_ecdsa) {
  std::vector<std::string> args = {"--cert", pki.rsa_cert.string(), "--key", pki.rsa_key.string()};
  if (with_ecdsa) {
    args.insert(args.end(), {"--cert", pki.ecdsa_cert.string(), "--key", pki.ecdsa_key.string()});
  }
  return args;
}

std::string HsServerProcess::url(const std::string& path) const {
  return "https://localhost:" + std::to_string(port_) + path;
}

std::string HsServerProcess::resolve() const {
  return "localhost:" + std::to_string(port_) + ":127.0.0.1";
}

std::string HsServerProcess::connect() const { return "127.0.0.1:" + std::to_string(port_); }

}  // namespace hs::test

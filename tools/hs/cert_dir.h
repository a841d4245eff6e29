// CertDirectory: `hs server --cert-dir DIR` picks the certificate by the client's server name
// (SNI) and reads it when a client first asks for that name, as nginx's
// `ssl_certificate $ssl_server_name` does: DIR/NAME.crt (chain, leaf first) and DIR/NAME.key.
// The loop reads each ClientHello first (io::ServerLoopOptions::config_for_client, hs::Acceptor)
// and serves the client with the configuration this returns.
#pragma once

#include <hs/acceptor.h>
#include <hs/config.h>

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

namespace hs::tool {

class CertDirectory {
 public:
  // `base` is the configuration every name shares but for its certificate; `verbose` prints
  // each certificate read (and each one that cannot be) to stderr.
  CertDirectory(std::string dir, std::shared_ptr<const ServerConfig> base, int verbose);

  // config_for is `base` with the name's certificate, or null (the loop's own configuration,
  // with the --cert ones) when the client sent no server name, a name that is not a plain host
  // name, or one without both files. Read once, then kept (up to kMaxNames names).
  std::shared_ptr<const ServerConfig> config_for(const ClientHelloInfo& hello);

  static constexpr size_t kMaxNames = 10000;

 private:
  std::string dir_;
  std::shared_ptr<const ServerConfig> base_;
  int verbose_;
  std::unordered_map<std::string, std::shared_ptr<const ServerConfig>> loaded_;
};

// file_name_for is the lowercase `server_name` when it can name files in the directory: letters,
// digits, '-' and '.' only, no empty label (so no "..", no leading dot), at most 253 bytes;
// otherwise empty.
std::string file_name_for(const std::string& server_name);

}  // namespace hs::tool

#include "cert_dir.h"

#include <cstdio>
#include <utility>

#include "options.h"

namespace hs::tool {

std::string file_name_for(const std::string& server_name) {
  if (server_name.empty() || server_name.size() > 253) {
    return {};
  }
  std::string out;
  out.reserve(server_name.size());
  char previous = '.';  // a name may not start with '.'
  for (char c : server_name) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !digit && c != '-' && c != '.') {
      return {};
    }
    if (c == '.' && previous == '.') {
      return {};  // an empty label: "..", or a leading dot
    }
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    previous = c;
  }
  return out;
}

CertDirectory::CertDirectory(std::string dir, std::shared_ptr<const ServerConfig> base, int verbose)
    : dir_(std::move(dir)), base_(std::move(base)), verbose_(verbose) {}

std::shared_ptr<const ServerConfig> CertDirectory::config_for(const ClientHelloInfo& hello) {
  const std::string name = file_name_for(hello.server_name);
  if (name.empty()) {
    return nullptr;
  }
  if (auto it = loaded_.find(name); it != loaded_.end()) {
    return it->second;
  }
  const std::string cert_path = dir_ + "/" + name + ".crt";
  const std::string key_path = dir_ + "/" + name + ".key";
  auto chain = read_text(cert_path);
  auto key = read_text(key_path);
  if (!chain || !key) {
    return nullptr;  // not one of ours (yet): the --cert certificates answer
  }
  auto loaded = load_server_certificate(*chain, *key);
  if (!loaded.ok()) {
    std::fprintf(stderr, "hs server: %s: %s\n", cert_path.c_str(),
                 loaded.error().message().c_str());
    return nullptr;
  }
  if (verbose_ > 0) {
    std::fprintf(stderr, "hs server: certificate for %s read from %s\n", name.c_str(),
                 cert_path.c_str());
  }
  auto config = std::make_shared<ServerConfig>(*base_);
  config->certificates = {std::move(loaded).value()};
  if (loaded_.size() < kMaxNames) {
    loaded_.emplace(name, config);
  }
  return config;
}

}  // namespace hs::tool

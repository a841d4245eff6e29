// URL parsing and the curl/OpenSSL names of suites and groups.
#include "options.h"

#include <hs/secret.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "common/hex.h"

namespace hs::tool {

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

constexpr std::array kAllSuites = {
    CipherSuite::TLS_AES_128_GCM_SHA256,
    CipherSuite::TLS_AES_256_GCM_SHA384,
    CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::vector<std::string> split(std::string_view text, std::string_view separators) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (separators.find(c) != std::string_view::npos) {
      if (!cur.empty()) {
        out.push_back(cur);
      }
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) {
    out.push_back(cur);
  }
  return out;
}

std::optional<Url> parse_url(std::string_view text, std::string& error) {
  Url url;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    // curl guesses http:// for a bare host; we only speak https.
    error = "only https:// URLs are supported";
    return std::nullopt;
  }
  url.scheme = std::string(text.substr(0, sep));
  std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (url.scheme != "https") {
    error = "only https:// URLs are supported";
    return std::nullopt;
  }
  std::string_view rest = text.substr(sep + 3);
  size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    size_t hash = path.find('#');
    path = path.substr(0, hash);
    url.path = path.empty() || path.front() != '/' ? "/" + std::string(path) : std::string(path);
  }
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "URL using bad/illegal format or missing URL";
      return std::nullopt;
    }
    url.host = std::string(authority.substr(1, close - 1));
    url.ipv6_literal = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = "URL using bad/illegal format or missing URL";
        return std::nullopt;
      }
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  if (url.host.empty()) {
    error = "URL using bad/illegal format or missing URL";
    return std::nullopt;
  }
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      error = "Port number was not a decimal number between 0 and 65535";
      return std::nullopt;
    }
    url.port = static_cast<uint16_t>(value);
    url.explicit_port = true;
  }
  return url;
}

std::string host_header(const Url& url) {
  std::string h = url.ipv6_literal ? "[" + url.host + "]" : url.host;
  if (url.port != 443) {
    h += ":" + std::to_string(url.port);
  }
  return h;
}

Result<std::vector<CipherSuite>> parse_cipher_list(std::string_view list) {
  std::vector<CipherSuite> out;
  for (const std::string& name : split(list, ":, ")) {
    for (CipherSuite s : kAllSuites) {
      if ((iequals(name, suite_openssl_name(s)) || iequals(name, suite_name(s))) &&
          std::find(out.begin(), out.end(), s) == out.end()) {
        out.push_back(s);
      }
    }
  }
  if (out.empty()) {
    return Error(ErrorCode::invalid_config, "--ciphers",
                 "failed setting cipher list: " + std::string(list));
  }
  return out;
}

Result<std::vector<NamedGroup>> parse_curve_list(std::string_view list) {
  struct Alias {
    std::string_view name;
    NamedGroup group;
  };
  static constexpr std::array kAliases = {
      Alias{"x25519", NamedGroup::x25519},
      Alias{"p-256", NamedGroup::secp256r1},
      Alias{"prime256v1", NamedGroup::secp256r1},
      Alias{"secp256r1", NamedGroup::secp256r1},
      Alias{"p-384", NamedGroup::secp384r1},
      Alias{"secp384r1", NamedGroup::secp384r1},
      Alias{"p-521", NamedGroup::secp521r1},
      Alias{"secp521r1", NamedGroup::secp521r1},
      Alias{"x448", NamedGroup::x448},
      Alias{"ffdhe2048", NamedGroup::ffdhe2048},
      Alias{"ffdhe3072", NamedGroup::ffdhe3072},
      Alias{"ffdhe4096", NamedGroup::ffdhe4096},
      Alias{"ffdhe6144", NamedGroup::ffdhe6144},
      Alias{"ffdhe8192", NamedGroup::ffdhe8192},
  };
  std::vector<NamedGroup> out;
  for (const std::string& name : split(list, ":, ")) {
    bool known = false;
    for (const Alias& a : kAliases) {
      if (iequals(name, a.name)) {
        known = true;
        if (std::find(out.begin(), out.end(), a.group) == out.end()) {
          out.push_back(a.group);
        }
      }
    }
    if (!known) {
      // OpenSSL refuses the whole list for an unknown group name.
      return Error(ErrorCode::invalid_config, "--curves", "failed setting curves list: " + name);
    }
  }
  if (out.empty()) {
    return Error(ErrorCode::invalid_config, "--curves", "failed setting curves list");
  }
  return out;
}

std::optional<ProtocolVersion> parse_tls_version(std::string_view v) {
  if (v == "1.2") {
    return ProtocolVersion::tls1_2;
  }
  if (v == "1.3") {
    return ProtocolVersion::tls1_3;
  }
  return std::nullopt;
}

Result<std::shared_ptr<const ExternalPsk>> parse_psk(const std::string& text) {
  const std::vector<std::string> parts = split(text, ":");
  auto bad = [&] {
    return Error(ErrorCode::invalid_config, "--psk",
                 "expected IDENTITY:HEXKEY[:sha256|:sha384], got \"" + text + "\"");
  };
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
    return bad();
  }
  auto psk = std::make_shared<ExternalPsk>();
  psk->identity.assign(parts[0].begin(), parts[0].end());
  std::vector<uint8_t> key(parts[1].size() / 2);
  const bool decoded = decode_hex(parts[1], key);
  if (decoded) {
    psk->key = SecretBytes(key);
  }
  crypto::secure_wipe(key);
  if (!decoded) {
    return bad();
  }
  if (parts.size() == 3) {
    if (parts[2] == "sha384") {
      psk->hash = PskHash::sha384;
    } else if (parts[2] != "sha256") {
      return bad();
    }
  }
  return std::shared_ptr<const ExternalPsk>(std::move(psk));
}

}  // namespace hs::tool

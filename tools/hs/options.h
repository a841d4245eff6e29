// Helpers shared by the hs subcommands: URL parsing and the curl/OpenSSL spellings of cipher
// suites and groups.
#pragma once

#include <hs/config.h>
#include <hs/result.h>
#include <hs/wire.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hs::tool {

// read_text returns the whole file at `path` (bytes as they are), or nullopt when it cannot be
// read.
std::optional<std::string> read_text(const std::string& path);

// Url is an https:// URL split into its parts; `host` keeps IPv6 brackets off.
struct Url {
  std::string scheme;
  std::string host;
  uint16_t port = 443;
  bool explicit_port = false;
  std::string path = "/";
  bool ipv6_literal = false;
};

// parse_url splits "https://host[:port][/path]". Returns nullopt with `error` set when the URL
// is malformed.
std::optional<Url> parse_url(std::string_view text, std::string& error);

// host_header renders the Host header value: "localhost:8443", or "localhost" for port 443.
std::string host_header(const Url& url);

// parse_cipher_list maps curl's --ciphers list (OpenSSL names joined by ':' ',' or ' ', IANA
// names accepted too) to suites, in order. Unknown names are skipped, as OpenSSL does; an
// empty result is an error.
Result<std::vector<CipherSuite>> parse_cipher_list(std::string_view list);

// parse_curve_list maps --curves ("X25519:P-256:P-384", "x25519:secp256r1", "prime256v1").
Result<std::vector<NamedGroup>> parse_curve_list(std::string_view list);

// parse_tls_version maps "1.2"/"1.3" (curl's --tls-max) to a version.
std::optional<ProtocolVersion> parse_tls_version(std::string_view v);

// parse_psk reads --psk IDENTITY:HEXKEY[:sha256|:sha384], a TLS 1.3 external PSK (openssl's
// -psk_identity and -psk in one option, so that a server can be given several).
Result<std::shared_ptr<const ExternalPsk>> parse_psk(const std::string& text);

// split splits `text` on any of `separators`, dropping empty pieces.
std::vector<std::string> split(std::string_view text, std::string_view separators);

}  // namespace hs::tool

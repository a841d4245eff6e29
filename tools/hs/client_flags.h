// The curl flags of `hs client` that need more than a field: --help in curl's layout,
// --connect-to, -O's file name, -L's Location resolution, --tls13-ciphers, and the OpenSSL
// verify code curl reports as %{ssl_verify_result}.
#pragma once

#include <hs/error.h>
#include <hs/result.h>
#include <hs/wire.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options.h"

namespace hs::tool {

// client_help is `hs client --help` for the options registered on `app`: curl's "Usage:" line
// and one " -x, --long <arg>  text" line per flag, the option column as wide as the longest
// option (curl's tool_help.c layout).
std::string client_help(const CLI::App& app);

// ConnectTarget is where --connect-to sends a connection for HOST:PORT.
struct ConnectTarget {
  std::string host;
  uint16_t port = 0;
};

// connect_to applies the first matching --connect-to HOST1:PORT1:HOST2:PORT2 entry (an empty
// HOST1 or PORT1 matches any; an empty HOST2 or PORT2 keeps the original). `error` is set, and
// nullopt returned, for a malformed entry.
std::optional<ConnectTarget> connect_to(const std::vector<std::string>& entries,
                                        const std::string& host, uint16_t port, std::string& error);

// remote_name is -O's file name: the URL path's last segment (query and fragment dropped).
// Empty when the path ends in '/'.
std::string remote_name(const Url& url);

// resolve_location turns a Location header into an absolute URL against `base` (absolute,
// scheme-relative "//host/p", absolute path "/p", or relative to base's directory).
std::string resolve_location(const Url& base, std::string_view location);

// url_text renders a Url back to text ("https://host:port/path", the port only when given).
std::string url_text(const Url& url);

// parse_tls13_cipher_list maps --tls13-ciphers ("TLS_AES_128_GCM_SHA256:TLS_CHACHA20_..."; the
// OpenSSL and IANA names are the same) to TLS 1.3 suites; anything else in the list is skipped
// as OpenSSL does, and an empty result is an error (curl's exit 59).
Result<std::vector<CipherSuite>> parse_tls13_cipher_list(std::string_view list);

// openssl_verify_code maps a verification failure to the X509_V_ERR_* number OpenSSL (and so
// curl's %{ssl_verify_result}) reports for it: 10 expired, 20 unknown issuer, 62 host mismatch.
long openssl_verify_code(const Error& e);

}  // namespace hs::tool

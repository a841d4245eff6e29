// curl's -w/--write-out: a format string with %{variable}s, rendered after the transfer.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hs::tool {

// TransferInfo is what -w can print about the finished transfer, in curl's terms. Times are
// measured from the start of the command; an unset time prints as 0.000000, as curl does for a
// stage never reached.
struct TransferInfo {
  int exit_code = 0;
  std::string error_message;  // curl's errormsg: the text after "(N) ", empty on success
  int http_code = 0;          // 0: no response
  std::string http_version;   // "1.1", "2" ("0": no response)
  std::string scheme;         // "HTTPS" once a URL was used (curl 7.88 spells it upper-case)
  std::string url_effective;
  std::string remote_ip;
  uint16_t remote_port = 0;
  uint16_t local_port = 0;
  int num_connects = 0;
  int num_redirects = 0;
  std::string redirect_url;    // the Location not followed (no -L), as curl's %{redirect_url}
  long ssl_verify_result = 0;  // OpenSSL's X509_V_* code, as curl reports it (0: ok)
  uint64_t size_download = 0;  // body bytes of the last response
  uint64_t size_header = 0;    // header bytes of every response
  uint64_t size_request = 0;   // request bytes sent
  std::chrono::microseconds time_namelookup{0};
  std::chrono::microseconds time_connect{0};
  std::chrono::microseconds time_appconnect{0};
  std::chrono::microseconds time_pretransfer{0};
  std::chrono::microseconds time_starttransfer{0};
  std::chrono::microseconds time_redirect{0};
  std::chrono::microseconds time_total{0};
  // The headers of the last response, in order (name as sent), for %{header_json} and
  // %header{name}.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;
};

// WriteOut is the rendered text: what goes to stdout, what goes to stderr (%{stderr} switches
// streams), and curl's warnings for unknown variables.
struct WriteOut {
  struct Piece {
    bool to_stderr = false;
    std::string text;
  };
  std::vector<Piece> pieces;
  std::vector<std::string> warnings;  // "unknown --write-out variable: 'x'"
};

// render_write_out expands `format` as curl's tool_writeout.c does: %{var}, %header{name}, %%,
// and the escapes \n \r \t \\ (any other backslash pair is kept as is).
WriteOut render_write_out(std::string_view format, const TransferInfo& info);

// load_write_out_format resolves curl's "@file" (and "@-" for stdin) form of -w; other
// arguments are the format itself. Returns nullopt when the file cannot be read.
std::optional<std::string> load_write_out_format(const std::string& arg);

// header_json renders the headers as curl's %{header_json}: names lower-cased, each with the
// list of its values in order.
std::string header_json(const std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace hs::tool

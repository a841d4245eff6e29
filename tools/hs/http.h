// Minimal HTTP/1.1 message handling for `hs client` and `hs server`.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hs::tool {

// ResponseHead is a parsed status line and header block.
struct ResponseHead {
  std::string raw;                 // status line and headers, CRLFs included, up to the blank line
  std::vector<std::string> lines;  // each line without its CRLF (status line first)
  int http_minor = 1;
  int status = 0;
  std::optional<size_t> content_length;
  bool chunked = false;
  bool connection_close = false;
};

// parse_response_head parses `head` (everything up to and including the blank line). Returns
// nullopt when the status line is not HTTP/1.x.
std::optional<ResponseHead> parse_response_head(std::string_view head);

// RequestHead is what `hs server` needs from a request.
struct RequestHead {
  std::string method;
  std::string target;
  std::string version;
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = true;
};

std::optional<RequestHead> parse_request_head(std::string_view head);

// request_head_end returns the length of the request head at the start of `buffered`, up to and
// including the empty line that ends it, or nullopt while it is incomplete. RFC 9112 §2.2: "a
// recipient MAY recognize a single LF as a line terminator and ignore any preceding CR", so
// "\n\n" ends a head as "\r\n\r\n" does (test clients such as tlsfuzzer send
// "GET / HTTP/1.0\n\n").
std::optional<size_t> request_head_end(std::string_view buffered);

// HttpResponse is what `hs server` answers, before it is written as HTTP/1.1 or HTTP/2. For
// HEAD the body is still filled in (its length is the Content-Length) and not sent.
struct HttpResponse {
  int status = 200;
  std::string reason;  // HTTP/1.1 only: HTTP/2 has no reason phrase
  std::string content_type;
  std::string body;
  std::string location;  // a Location header when not empty (hs server --redirect)
};

// header_value returns the first value of `name` (case-insensitive), or nullopt.
std::optional<std::string> header_value(const std::vector<std::pair<std::string, std::string>>& h,
                                        std::string_view name);

// ChunkedDecoder decodes a chunked body incrementally (RFC 9112 §7.1).
class ChunkedDecoder {
 public:
  // feed consumes bytes and appends decoded data to `out`; returns false on malformed input.
  bool feed(std::string_view in, std::string& out);
  bool done() const { return state_ == State::done; }

 private:
  enum class State { size, data, data_crlf, trailer, done };
  State state_ = State::size;
  std::string line_;
  size_t left_ = 0;
};

}  // namespace hs::tool

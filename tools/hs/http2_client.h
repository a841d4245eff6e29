// `hs client` over HTTP/2: one GET or HEAD on stream 1 of a TLS connection whose ALPN is "h2",
// with the -v lines curl 7.88 prints for it ("* using HTTP/2", "* h2h3 [...]", "* Using Stream
// ID: 1 (easy handle 0x...)", "> GET / HTTP/2", "< HTTP/2 200 ").
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "http.h"
#include "io/client_stream.h"

namespace hs::tool {

struct Http2Request {
  bool head = false;      // HEAD instead of GET
  std::string path;       // :path
  std::string authority;  // :authority (what Host: says over HTTP/1.1)
  std::string user_agent;
};

// Http2ClientHooks is how the transfer reaches the rest of the client.
struct Http2ClientHooks {
  std::function<void(std::string_view)> verbose;  // one -v line (not called without -v)
  bool verbose_on = false;
  std::function<std::chrono::milliseconds()> left;  // time left for the transfer (-m)
  // fail prints curl's error line and returns `code`; timed_out(received) is curl's exit 28.
  std::function<int(int code, const std::string& message)> fail;
  std::function<int(size_t received)> timed_out;
  // on_head sees the final response head: raw is "HTTP/2 200 \r\nname: value\r\n...\r\n", as
  // curl -I prints it. A positive return ends the transfer with that exit code; -1 ends it
  // successfully without reading the body (-L following a redirect).
  std::function<int(const ResponseHead&)> on_head;
  std::function<void(std::string_view)> on_body;
};

// http2_transfer runs the request on `stream` (ALPN h2, handshake done) and returns curl's exit
// code: 0, 16 (HTTP/2 framing error), 92 (stream not closed cleanly), 28 (timeout), 55/56 (TLS
// send/receive failure). After the stream it sends GOAWAY; the caller then closes the TLS
// connection.
int http2_transfer(io::ClientStream& stream, const Http2Request& request,
                   const Http2ClientHooks& hooks);

}  // namespace hs::tool

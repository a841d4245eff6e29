// The client side of HTTP/2 over an established TLS connection (see http2_client.h).
#include "http2_client.h"

#include <fmt/core.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "http2_session.h"

namespace hs::tool {

namespace {

// ClientHandler collects the response of our one stream.
class ClientHandler : public Http2Handler {
 public:
  ClientHandler(const Http2ClientHooks& hooks) : hooks_(hooks) {}

  void on_headers(int32_t stream, const HeaderList& headers, bool /*end_stream*/) override {
    if (stream != stream_ || head_done_) {
      return;  // trailers, or another stream
    }
    const std::string* status = find_header(headers, ":status");
    if (status == nullptr || status->size() != 3 || status->front() == '1') {
      return;  // an informational (1xx) head; nghttp2 refuses one without :status
    }
    head_done_ = true;
    ResponseHead head;
    head.http_minor = 0;
    head.status = std::stoi(*status);
    // curl prints the status line as "HTTP/2 200 " (an empty reason phrase after the space).
    std::string line = "HTTP/2 " + *status + " ";
    head.lines.push_back(line);
    head.raw = line + "\r\n";
    for (const HeaderField& f : headers) {
      if (!f.name.empty() && f.name.front() == ':') {
        continue;
      }
      line = f.name + ": " + f.value;
      head.lines.push_back(line);
      head.raw += line + "\r\n";
      if (f.name == "content-length") {
        head.content_length = std::stoull(f.value);  // nghttp2 checked it is a number
      }
    }
    head.raw += "\r\n";
    if (hooks_.verbose_on) {
      for (const std::string& l : head.lines) {
        hooks_.verbose("< " + l);
      }
      hooks_.verbose("< ");
    }
    if (int rc = hooks_.on_head(head); rc != 0) {
      abort_code_ = rc;
    }
  }

  void on_data(int32_t stream, std::string_view data, bool /*end_stream*/) override {
    // The end-of-stream call carries no bytes (and may carry no pointer: fwrite must not see it).
    if (stream == stream_ && abort_code_ == 0 && !data.empty()) {
      received_ += data.size();
      hooks_.on_body(data);
    }
  }

  void on_stream_close(int32_t stream, uint32_t error_code) override {
    if (stream == stream_) {
      closed_ = true;
      error_code_ = error_code;
    }
  }

  int32_t stream_ = -1;
  bool head_done_ = false;
  bool closed_ = false;
  uint32_t error_code_ = 0;
  int abort_code_ = 0;
  size_t received_ = 0;

 private:
  const Http2ClientHooks& hooks_;
};

std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

int http2_transfer(io::ClientStream& stream, const Http2Request& request,
                   const Http2ClientHooks& hooks) {
  auto verbose = [&hooks](std::string_view line) {
    if (hooks.verbose_on) {
      hooks.verbose(line);
    }
  };
  verbose("* using HTTP/2");
  ClientHandler handler(hooks);
  auto session = Http2Session::create(Http2Session::Role::client, handler);
  if (!session) {
    return hooks.fail(16, "Could not initialize nghttp2");
  }
  const HeaderList fields = {
      {":method", request.head ? "HEAD" : "GET"},
      {":path", request.path},
      {":scheme", "https"},
      {":authority", request.authority},
      {"user-agent", request.user_agent},
      {"accept", "*/*"},
  };
  for (const HeaderField& f : fields) {
    verbose(fmt::format("* h2h3 [{}: {}]", f.name, f.value));
  }
  handler.stream_ = session->submit_request(fields);
  if (handler.stream_ < 0) {
    return hooks.fail(16, "Failed sending HTTP/2 request");
  }
  // curl names its easy handle; ours is the request.
  verbose(fmt::format("* Using Stream ID: {} (easy handle {})", handler.stream_,
                      static_cast<const void*>(&request)));
  verbose(fmt::format("> {} {} HTTP/2", request.head ? "HEAD" : "GET", request.path));
  verbose("> Host: " + request.authority);
  verbose("> user-agent: " + request.user_agent);
  verbose("> accept: */*");
  verbose("> ");

  std::string error;
  auto flush = [&]() -> int {
    std::string out;
    if (!session->drain(out, error)) {
      return hooks.fail(16, "HTTP/2 error: " + error);
    }
    if (!out.empty()) {
      if (auto w = stream.write(bytes_of(out)); !w.ok()) {
        return hooks.fail(55, "Failed sending data to the peer: " + w.error().message());
      }
    }
    return 0;
  };
  if (int rc = flush(); rc != 0) {
    return rc;
  }
  std::vector<uint8_t> chunk(16384);
  size_t received = 0;
  while (!handler.closed_ && handler.abort_code_ == 0) {
    auto n = stream.read(chunk, hooks.left());
    if (!n.ok()) {
      if (n.error().code() == ErrorCode::timeout) {
        return hooks.timed_out(received);
      }
      if (n.error().code() == ErrorCode::truncated) {
        return hooks.fail(56, "TLS connection closed without close_notify (truncated)");
      }
      return hooks.fail(56, "Failure when receiving data from the peer: " + n.error().message());
    }
    if (*n == 0) {
      return hooks.fail(92, fmt::format("HTTP/2 stream {} was not closed cleanly before end of "
                                        "the underlying stream",
                                        handler.stream_));
    }
    received += *n;
    if (!session->feed(std::span<const uint8_t>(chunk).first(*n), error)) {
      (void)flush();  // the GOAWAY nghttp2 queued
      return hooks.fail(16, "Error in the HTTP2 framing layer: " + error);
    }
    if (int rc = flush(); rc != 0) {
      return rc;
    }
  }
  if (handler.abort_code_ > 0) {
    return handler.abort_code_;
  }
  if (handler.abort_code_ < 0) {  // the caller wants no more of this stream
    session->submit_goaway();
    (void)flush();
    return 0;
  }
  if (handler.error_code_ != 0 || !handler.head_done_) {
    return hooks.fail(
        92, fmt::format("HTTP/2 stream {} was not closed cleanly: {} (err {})", handler.stream_,
                        h2_error_name(handler.error_code_), handler.error_code_));
  }
  session->submit_goaway();
  (void)flush();
  return 0;
}

}  // namespace hs::tool

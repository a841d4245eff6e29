// Http2Session: the part of HTTP/2 (RFC 9113) that `hs client` and `hs server` share, a thin
// wrapper over an nghttp2 session. It is sans-IO like the TLS core: feed() takes the
// application bytes the TLS connection received, drain() hands back the frames to write to it,
// and complete header blocks, body bytes and stream closes come out as Http2Handler calls.
// nghttp2 does the framing, HPACK, flow control and the protocol checks (RFC 9113 §8.1.1: a
// malformed message is a stream error; nghttp2 enforces content-length and the pseudo-headers).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct nghttp2_session;

namespace hs::tool {

struct HeaderField {
  std::string name;  // lower case on the wire (RFC 9113 §8.2.1)
  std::string value;
};
using HeaderList = std::vector<HeaderField>;

// find_header returns the value of the first field named `name`, or nullptr.
const std::string* find_header(const HeaderList& headers, std::string_view name);

class Http2Handler {
 public:
  virtual ~Http2Handler() = default;
  // A complete header block arrived on `stream` (request or response head, or trailers);
  // `end_stream` is set when the peer sends no body after it.
  virtual void on_headers(int32_t stream, const HeaderList& headers, bool end_stream) = 0;
  // Body bytes of `stream`; `end_stream` comes as an empty call with end_stream set.
  virtual void on_data(int32_t stream, std::string_view data, bool end_stream) = 0;
  // The stream is gone: error_code 0 (NO_ERROR) for a clean close, else the RST_STREAM /
  // GOAWAY error code.
  virtual void on_stream_close(int32_t stream, uint32_t error_code) = 0;
};

class Http2Session {
 public:
  enum class Role { client, server };

  // create sets up the session and queues our SETTINGS (the client's connection preface
  // included). Returns nullptr when nghttp2 cannot allocate.
  static std::unique_ptr<Http2Session> create(Role role, Http2Handler& handler);
  ~Http2Session();
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  // feed processes bytes received from the peer. False (with `error` set) when nghttp2 finds a
  // connection error; it has queued a GOAWAY then, so drain() once more before closing.
  bool feed(std::span<const uint8_t> in, std::string& error);
  // drain appends the frames waiting to be sent to `out`. False on a fatal nghttp2 error.
  bool drain(std::string& out, std::string& error);

  // submit_request opens a stream with a bodiless request; returns its id, or a negative
  // nghttp2 error code.
  int32_t submit_request(const HeaderList& headers);
  // submit_response answers `stream` with `headers` and `body` (no DATA frame when `body` is
  // empty, as for HEAD).
  bool submit_response(int32_t stream, const HeaderList& headers, std::string body);
  // submit_goaway says we are done with the connection (NO_ERROR).
  void submit_goaway();

  // want_io is false once both sides are finished: a GOAWAY went both ways, or a fatal error.
  bool want_io() const;

 private:
  Http2Session(Http2Handler& handler) : handler_(handler) {}
  friend struct Http2Callbacks;

  struct Body {
    std::string bytes;
    size_t sent = 0;
  };

  nghttp2_session* session_ = nullptr;
  Http2Handler& handler_;
  std::unordered_map<int32_t, HeaderList> headers_;  // header blocks being received
  std::unordered_map<int32_t, Body> bodies_;         // response bodies being sent
  std::string out_;
};

// h2_error_name is RFC 9113 §7's name of an error code ("PROTOCOL_ERROR").
std::string h2_error_name(uint32_t error_code);

}  // namespace hs::tool

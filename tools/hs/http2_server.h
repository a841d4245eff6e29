// `hs server` over HTTP/2: the requests of one TLS connection whose ALPN is "h2", answered
// with the same HttpResponse the HTTP/1.1 path writes (server.cc decides what to answer).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>

#include "http.h"
#include "http2_session.h"

namespace hs::tool {

class Http2ServerConnection : private Http2Handler {
 public:
  // Answer maps a request (method, :path as target, "HTTP/2", the fields with :authority as
  // "host") to the response.
  using Answer = std::function<HttpResponse(const RequestHead&)>;

  // create returns the connection with the server preface (SETTINGS) queued, or nullptr.
  static std::unique_ptr<Http2ServerConnection> create();

  // receive feeds bytes from the client, answering each complete request with `answer`, and
  // appends what to send to `out`. False when the connection must close (a connection error:
  // `out` then holds the GOAWAY, and `error` says why).
  bool receive(std::span<const uint8_t> in, const Answer& answer, std::string& out,
               std::string& error);
  // flush appends pending frames (the preface, say) to `out`.
  bool flush(std::string& out, std::string& error);
  // done: both sides have finished (GOAWAY exchanged or the session failed).
  bool done() const { return !session_->want_io(); }

 private:
  Http2ServerConnection() = default;
  void on_headers(int32_t stream, const HeaderList& headers, bool end_stream) override;
  void on_data(int32_t stream, std::string_view data, bool end_stream) override;
  void on_stream_close(int32_t stream, uint32_t error_code) override;
  void answer(int32_t stream);

  std::unique_ptr<Http2Session> session_;
  std::unordered_map<int32_t, RequestHead> requests_;  // heads waiting for END_STREAM
  const Answer* answer_ = nullptr;                     // set during receive()
};

}  // namespace hs::tool

// The server side of HTTP/2 for `hs server` (see http2_server.h).
#include "http2_server.h"

#include <fmt/core.h>

namespace hs::tool {

std::unique_ptr<Http2ServerConnection> Http2ServerConnection::create() {
  std::unique_ptr<Http2ServerConnection> c(new Http2ServerConnection());
  c->session_ = Http2Session::create(Http2Session::Role::server, *c);
  if (!c->session_) {
    return nullptr;
  }
  return c;
}

bool Http2ServerConnection::receive(std::span<const uint8_t> in, const Answer& answer,
                                    std::string& out, std::string& error) {
  answer_ = &answer;
  const bool ok = session_->feed(in, error);
  answer_ = nullptr;
  // After a connection error nghttp2 has queued a GOAWAY: send it before closing.
  std::string drain_error;
  const bool drained = session_->drain(out, drain_error);
  if (ok && !drained) {
    error = drain_error;
  }
  return ok && drained;
}

bool Http2ServerConnection::flush(std::string& out, std::string& error) {
  return session_->drain(out, error);
}

void Http2ServerConnection::on_headers(int32_t stream, const HeaderList& headers, bool end_stream) {
  if (requests_.count(stream) != 0) {
    return;  // trailers: the head came already
  }
  // nghttp2 has checked the request's pseudo-header fields (RFC 9113 §8.3.1: exactly one
  // :method, :scheme and :path, no unknown ones) before this is called.
  RequestHead req;
  req.version = "HTTP/2";
  for (const HeaderField& f : headers) {
    if (f.name == ":method") {
      req.method = f.value;
    } else if (f.name == ":path") {
      req.target = f.value;
    } else if (f.name == ":authority") {
      req.headers.emplace_back("host", f.value);
    } else if (f.name.empty() || f.name.front() != ':') {
      req.headers.emplace_back(f.name, f.value);
    }
  }
  requests_[stream] = std::move(req);
  if (end_stream) {
    answer(stream);
  }
}

void Http2ServerConnection::on_data(int32_t stream, std::string_view /*data*/, bool end_stream) {
  // Request bodies are not used (GET and HEAD only); nghttp2 still counts them for flow control.
  if (end_stream) {
    answer(stream);
  }
}

void Http2ServerConnection::on_stream_close(int32_t stream, uint32_t /*error_code*/) {
  requests_.erase(stream);
}

void Http2ServerConnection::answer(int32_t stream) {
  auto it = requests_.find(stream);
  if (it == requests_.end() || answer_ == nullptr) {
    return;
  }
  const bool head = it->second.method == "HEAD";
  HttpResponse r = (*answer_)(it->second);
  HeaderList fields = {
      {":status", std::to_string(r.status)},
      {"server", "hs/0.1"},
      {"content-type", r.content_type},
      {"content-length", std::to_string(r.body.size())},
  };
  if (!r.location.empty()) {
    fields.push_back({"location", r.location});
  }
  (void)session_->submit_response(stream, fields, head ? std::string() : std::move(r.body));
}

}  // namespace hs::tool

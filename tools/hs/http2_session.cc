// Http2Session over nghttp2's session API: nghttp2_session_{client,server}_new with a send
// callback that collects frames in memory, and nghttp2_session_mem_recv for received bytes.
#include "http2_session.h"

#include <fmt/core.h>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>

namespace hs::tool {

namespace {

// A header block larger than this (names and values, as HTTP/1.x's 64 KiB head limit in
// `hs server`) resets its stream instead of growing without bound.
constexpr size_t kMaxHeaderBytes = 64 * 1024;

std::string_view view_of(const uint8_t* data, size_t len) {
  return {reinterpret_cast<const char*>(data), len};
}

// nv points nghttp2 at a field; nghttp2 copies names and values when the request or response is
// submitted, so the HeaderList only has to outlive the submit call.
nghttp2_nv nv(const HeaderField& f) {
  return nghttp2_nv{const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(f.name.data())),
                    const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(f.value.data())),
                    f.name.size(), f.value.size(), NGHTTP2_NV_FLAG_NONE};
}

std::vector<nghttp2_nv> nvs(const HeaderList& headers) {
  std::vector<nghttp2_nv> out;
  out.reserve(headers.size());
  for (const HeaderField& f : headers) {
    out.push_back(nv(f));
  }
  return out;
}

}  // namespace

// Http2Callbacks holds nghttp2's C callbacks; each gets the Http2Session as user_data.
struct Http2Callbacks {
  static Http2Session& self(void* user_data) { return *static_cast<Http2Session*>(user_data); }

  static ssize_t send(nghttp2_session* /*session*/, const uint8_t* data, size_t length,
                      int /*flags*/, void* user_data) {
    self(user_data).out_.append(view_of(data, length));
    return static_cast<ssize_t>(length);
  }

  static int begin_headers(nghttp2_session* /*session*/, const nghttp2_frame* frame,
                           void* user_data) {
    if (frame->hd.type == NGHTTP2_HEADERS) {
      self(user_data).headers_[frame->hd.stream_id].clear();
    }
    return 0;
  }

  static int header(nghttp2_session* /*session*/, const nghttp2_frame* frame, const uint8_t* name,
                    size_t namelen, const uint8_t* value, size_t valuelen, uint8_t /*flags*/,
                    void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) {
      return 0;  // PUSH_PROMISE: push is disabled in our SETTINGS, nghttp2 refuses it
    }
    HeaderList& list = self(user_data).headers_[frame->hd.stream_id];
    size_t total = namelen + valuelen;
    for (const HeaderField& f : list) {
      total += f.name.size() + f.value.size();
    }
    if (total > kMaxHeaderBytes) {
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // resets this stream only
    }
    list.push_back(
        HeaderField{std::string(view_of(name, namelen)), std::string(view_of(value, valuelen))});
    return 0;
  }

  static int frame_recv(nghttp2_session* /*session*/, const nghttp2_frame* frame, void* user_data) {
    Http2Session& s = self(user_data);
    const bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (frame->hd.type == NGHTTP2_HEADERS) {
      auto it = s.headers_.find(frame->hd.stream_id);
      if (it != s.headers_.end()) {
        HeaderList headers = std::move(it->second);
        s.headers_.erase(it);
        s.handler_.on_headers(frame->hd.stream_id, headers, end_stream);
      }
    } else if (frame->hd.type == NGHTTP2_DATA && end_stream) {
      s.handler_.on_data(frame->hd.stream_id, {}, true);
    }
    return 0;
  }

  static int data_chunk(nghttp2_session* /*session*/, uint8_t /*flags*/, int32_t stream_id,
                        const uint8_t* data, size_t len, void* user_data) {
    self(user_data).handler_.on_data(stream_id, view_of(data, len), false);
    return 0;
  }

  static int stream_close(nghttp2_session* /*session*/, int32_t stream_id, uint32_t error_code,
                          void* user_data) {
    Http2Session& s = self(user_data);
    s.headers_.erase(stream_id);
    s.bodies_.erase(stream_id);
    s.handler_.on_stream_close(stream_id, error_code);
    return 0;
  }

  static ssize_t read_body(nghttp2_session* /*session*/, int32_t stream_id, uint8_t* buf,
                           size_t length, uint32_t* data_flags, nghttp2_data_source* /*source*/,
                           void* user_data) {
    Http2Session& s = self(user_data);
    auto it = s.bodies_.find(stream_id);
    if (it == s.bodies_.end()) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      return 0;
    }
    Http2Session::Body& body = it->second;
    const size_t n = std::min(length, body.bytes.size() - body.sent);
    std::string_view chunk = std::string_view(body.bytes).substr(body.sent, n);
    std::span<uint8_t> dst(buf, length);
    std::copy(chunk.begin(), chunk.end(), dst.begin());
    body.sent += n;
    if (body.sent == body.bytes.size()) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      s.bodies_.erase(it);
    }
    return static_cast<ssize_t>(n);
  }
};

const std::string* find_header(const HeaderList& headers, std::string_view name) {
  for (const HeaderField& f : headers) {
    if (f.name == name) {
      return &f.value;
    }
  }
  return nullptr;
}

std::unique_ptr<Http2Session> Http2Session::create(Role role, Http2Handler& handler) {
  std::unique_ptr<Http2Session> s(new Http2Session(handler));
  nghttp2_session_callbacks* cbs = nullptr;
  if (nghttp2_session_callbacks_new(&cbs) != 0) {
    return nullptr;
  }
  nghttp2_session_callbacks_set_send_callback(cbs, &Http2Callbacks::send);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, &Http2Callbacks::begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, &Http2Callbacks::header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &Http2Callbacks::frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &Http2Callbacks::data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &Http2Callbacks::stream_close);
  int rv = role == Role::client ? nghttp2_session_client_new(&s->session_, cbs, s.get())
                                : nghttp2_session_server_new(&s->session_, cbs, s.get());
  nghttp2_session_callbacks_del(cbs);
  if (rv != 0) {
    return nullptr;
  }
  // RFC 9113 §3.4: each side's preface ends with a SETTINGS frame. We never push (ENABLE_PUSH
  // 0 from the client) and serve up to 100 streams at once.
  std::array<nghttp2_settings_entry, 2> settings{{
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
  }};
  const size_t count = role == Role::client ? 2 : 1;
  if (nghttp2_submit_settings(s->session_, NGHTTP2_FLAG_NONE, settings.data(), count) != 0) {
    return nullptr;
  }
  return s;
}

Http2Session::~Http2Session() { nghttp2_session_del(session_); }

bool Http2Session::feed(std::span<const uint8_t> in, std::string& error) {
  ssize_t n = nghttp2_session_mem_recv(session_, in.data(), in.size());
  if (n < 0) {
    error = nghttp2_strerror(static_cast<int>(n));
    return false;
  }
  return true;
}

bool Http2Session::drain(std::string& out, std::string& error) {
  int rv = nghttp2_session_send(session_);
  out.append(out_);
  out_.clear();
  if (rv != 0) {
    error = nghttp2_strerror(rv);
    return false;
  }
  return true;
}

int32_t Http2Session::submit_request(const HeaderList& headers) {
  std::vector<nghttp2_nv> list = nvs(headers);
  return nghttp2_submit_request(session_, nullptr, list.data(), list.size(), nullptr, this);
}

bool Http2Session::submit_response(int32_t stream, const HeaderList& headers, std::string body) {
  std::vector<nghttp2_nv> list = nvs(headers);
  if (body.empty()) {
    return nghttp2_submit_response(session_, stream, list.data(), list.size(), nullptr) == 0;
  }
  bodies_[stream] = Body{std::move(body), 0};
  nghttp2_data_provider provider{};
  provider.read_callback = &Http2Callbacks::read_body;
  if (nghttp2_submit_response(session_, stream, list.data(), list.size(), &provider) != 0) {
    bodies_.erase(stream);
    return false;
  }
  return true;
}

void Http2Session::submit_goaway() {
  (void)nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                              nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                              nullptr, 0);
}

bool Http2Session::want_io() const {
  return nghttp2_session_want_read(session_) != 0 || nghttp2_session_want_write(session_) != 0;
}

std::string h2_error_name(uint32_t error_code) {
  switch (error_code) {
    case NGHTTP2_NO_ERROR:
      return "NO_ERROR";
    case NGHTTP2_PROTOCOL_ERROR:
      return "PROTOCOL_ERROR";
    case NGHTTP2_INTERNAL_ERROR:
      return "INTERNAL_ERROR";
    case NGHTTP2_FLOW_CONTROL_ERROR:
      return "FLOW_CONTROL_ERROR";
    case NGHTTP2_SETTINGS_TIMEOUT:
      return "SETTINGS_TIMEOUT";
    case NGHTTP2_STREAM_CLOSED:
      return "STREAM_CLOSED";
    case NGHTTP2_FRAME_SIZE_ERROR:
      return "FRAME_SIZE_ERROR";
    case NGHTTP2_REFUSED_STREAM:
      return "REFUSED_STREAM";
    case NGHTTP2_CANCEL:
      return "CANCEL";
    case NGHTTP2_COMPRESSION_ERROR:
      return "COMPRESSION_ERROR";
    case NGHTTP2_CONNECT_ERROR:
      return "CONNECT_ERROR";
    case NGHTTP2_ENHANCE_YOUR_CALM:
      return "ENHANCE_YOUR_CALM";
    case NGHTTP2_INADEQUATE_SECURITY:
      return "INADEQUATE_SECURITY";
    case NGHTTP2_HTTP_1_1_REQUIRED:
      return "HTTP_1_1_REQUIRED";
    default:
      return fmt::format("unknown error 0x{:x}", error_code);
  }
}

}  // namespace hs::tool

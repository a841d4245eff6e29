// HTTP/1.x head parsing and chunked decoding.
#include "http.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "options.h"

namespace hs::tool {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> lines_of(std::string_view head) {
  std::vector<std::string_view> out;
  while (!head.empty()) {
    size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      break;
    }
    out.push_back(line);
    if (nl == std::string_view::npos) {
      break;
    }
    head.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace

std::optional<ResponseHead> parse_response_head(std::string_view head) {
  ResponseHead r;
  r.raw = std::string(head);
  auto lines = lines_of(head);
  if (lines.empty() || lines[0].substr(0, 7) != "HTTP/1.") {
    return std::nullopt;
  }
  std::string_view status = lines[0];
  r.http_minor = status.size() > 7 && status[7] == '0' ? 0 : 1;
  if (status.size() >= 12) {
    int code = 0;
    std::from_chars(status.data() + 9, status.data() + 12, code);
    r.status = code;
  }
  r.connection_close = r.http_minor == 0;
  for (std::string_view line : lines) {
    r.lines.emplace_back(line);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    std::string name = lower(trim(line.substr(0, colon)));
    std::string value = lower(trim(line.substr(colon + 1)));
    if (name == "content-length") {
      size_t n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec == std::errc() && p == value.data() + value.size()) {
        r.content_length = n;
      }
    } else if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) {
      r.chunked = true;
    } else if (name == "connection") {
      if (value == "close") {
        r.connection_close = true;
      } else if (value == "keep-alive") {
        r.connection_close = false;
      }
    }
  }
  return r;
}

std::optional<RequestHead> parse_request_head(std::string_view head) {
  auto lines = lines_of(head);
  if (lines.empty()) {
    return std::nullopt;
  }
  auto parts = split(lines[0], " ");
  if (parts.size() != 3 || parts[2].substr(0, 5) != "HTTP/") {
    return std::nullopt;
  }
  RequestHead r;
  r.method = parts[0];
  r.target = parts[1];
  r.version = parts[2];
  r.keep_alive = r.version != "HTTP/1.0";
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == std::string_view::npos) {
      return std::nullopt;
    }
    std::string name(trim(lines[i].substr(0, colon)));
    std::string value(trim(lines[i].substr(colon + 1)));
    if (lower(name) == "connection") {
      if (lower(value) == "close") {
        r.keep_alive = false;
      } else if (lower(value) == "keep-alive") {
        r.keep_alive = true;
      }
    }
    r.headers.emplace_back(std::move(name), std::move(value));
  }
  return r;
}

std::optional<size_t> request_head_end(std::string_view buffered) {
  for (size_t nl = buffered.find('\n'); nl != std::string_view::npos;
       nl = buffered.find('\n', nl + 1)) {
    // An empty line: the LF follows the previous LF directly or after one CR.
    const size_t next = nl + 1;
    if (next < buffered.size() && buffered[next] == '\n') {
      return next + 1;
    }
    if (next + 1 < buffered.size() && buffered[next] == '\r' && buffered[next + 1] == '\n') {
      return next + 2;
    }
  }
  return std::nullopt;
}

std::optional<std::string> header_value(const std::vector<std::pair<std::string, std::string>>& h,
                                        std::string_view name) {
  for (const auto& [n, v] : h) {
    if (lower(n) == lower(name)) {
      return v;
    }
  }
  return std::nullopt;
}

bool ChunkedDecoder::feed(std::string_view in, std::string& out) {
  while (!in.empty() && state_ != State::done) {
    switch (state_) {
      case State::size:
      case State::data_crlf:
      case State::trailer: {
        size_t nl = in.find('\n');
        line_.append(in.substr(0, nl));
        if (nl == std::string_view::npos) {
          if (line_.size() > 4096) {
            return false;
          }
          return true;
        }
        in.remove_prefix(nl + 1);
        std::string line = std::move(line_);
        line_.clear();
        if (!line.empty() && line.back() == '\r') {
          line.pop_back();
        }
        if (state_ == State::data_crlf) {
          if (!line.empty()) {
            return false;
          }
          state_ = State::size;
        } else if (state_ == State::trailer) {
          if (line.empty()) {
            state_ = State::done;
          }
        } else {
          size_t semi = line.find(';');
          std::string_view hex = trim(std::string_view(line).substr(0, semi));
          size_t n = 0;
          auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), n, 16);
          if (hex.empty() || ec != std::errc() || p != hex.data() + hex.size()) {
            return false;
          }
          left_ = n;
          state_ = n == 0 ? State::trailer : State::data;
        }
        break;
      }
      case State::data: {
        size_t take = std::min(left_, in.size());
        out.append(in.substr(0, take));
        in.remove_prefix(take);
        left_ -= take;
        if (left_ == 0) {
          state_ = State::data_crlf;
        }
        break;
      }
      case State::done:
        break;
    }
  }
  return true;
}

}  // namespace hs::tool

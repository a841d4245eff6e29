// -w/--write-out rendering, after curl 7.88's src/tool_writeout.c.
#include "write_out.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <iterator>

namespace hs::tool {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// time_text is curl's writeTime: seconds with six decimals.
std::string time_text(std::chrono::microseconds us) {
  const auto n = us.count() < 0 ? 0 : us.count();
  return fmt::format("{}.{:06}", n / 1000000, n % 1000000);
}

// json_string is curl's jsonWriteString: quotes, the JSON escapes, \uXXXX below 0x20.
std::string json_string(std::string_view s, bool lowercase) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += lowercase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
        }
    }
  }
  return out + "\"";
}

// variable renders one %{name}; nullopt for a name curl would not know either.
std::optional<std::string> variable(std::string_view name, const TransferInfo& i) {
  if (name == "http_code" || name == "response_code") {
    return fmt::format("{:03}", i.http_code);
  }
  if (name == "http_version") {
    return i.http_version.empty() ? std::string("0") : i.http_version;
  }
  if (name == "ssl_verify_result") {
    return std::to_string(i.ssl_verify_result);
  }
  if (name == "time_namelookup") {
    return time_text(i.time_namelookup);
  }
  if (name == "time_connect") {
    return time_text(i.time_connect);
  }
  if (name == "time_appconnect") {
    return time_text(i.time_appconnect);
  }
  if (name == "time_pretransfer") {
    return time_text(i.time_pretransfer);
  }
  if (name == "time_starttransfer") {
    return time_text(i.time_starttransfer);
  }
  if (name == "time_redirect") {
    return time_text(i.time_redirect);
  }
  if (name == "time_total") {
    return time_text(i.time_total);
  }
  if (name == "size_download") {
    return std::to_string(i.size_download);
  }
  if (name == "size_header") {
    return std::to_string(i.size_header);
  }
  if (name == "size_request") {
    return std::to_string(i.size_request);
  }
  if (name == "size_upload" || name == "speed_upload") {
    return std::string("0");  // hs sends no request bodies
  }
  if (name == "speed_download") {
    // curl: bytes per second over the whole transfer, as an integer.
    const auto us = i.time_total.count();
    return std::to_string(us > 0 ? static_cast<uint64_t>(static_cast<double>(i.size_download) *
                                                         1e6 / static_cast<double>(us))
                                 : 0);
  }
  if (name == "num_connects") {
    return std::to_string(i.num_connects);
  }
  if (name == "num_redirects") {
    return std::to_string(i.num_redirects);
  }
  if (name == "redirect_url") {
    return i.redirect_url;
  }
  if (name == "url_effective" || name == "url") {
    return i.url_effective;
  }
  if (name == "scheme") {
    return i.scheme;
  }
  if (name == "exitcode") {
    return std::to_string(i.exit_code);
  }
  if (name == "errormsg") {
    return i.error_message;
  }
  if (name == "remote_ip") {
    return i.remote_ip;
  }
  if (name == "remote_port") {
    return std::to_string(i.remote_port);
  }
  if (name == "local_port") {
    return std::to_string(i.local_port);
  }
  if (name == "content_type") {
    return i.content_type;
  }
  if (name == "header_json") {
    return header_json(i.headers);
  }
  return std::nullopt;
}

}  // namespace

std::string header_json(const std::vector<std::pair<std::string, std::string>>& headers) {
  // curl lists each name once, at its first position, with all its values.
  std::string out = "{";
  std::vector<std::string> done;
  for (const auto& [name, value] : headers) {
    std::string key = lower(name);
    if (std::find(done.begin(), done.end(), key) != done.end()) {
      continue;
    }
    if (!done.empty()) {
      out += ",\n";
    }
    done.push_back(key);
    out += json_string(key, false) + ":[";
    bool first = true;
    for (const auto& [n, v] : headers) {
      if (lower(n) == key) {
        out += (first ? "" : ",") + json_string(v, false);
        first = false;
      }
    }
    out += "]";
  }
  return out + "\n}";
}

WriteOut render_write_out(std::string_view format, const TransferInfo& info) {
  WriteOut out;
  out.pieces.push_back({});
  auto emit = [&out](std::string_view s) { out.pieces.back().text.append(s); };
  size_t i = 0;
  while (i < format.size()) {
    const char c = format[i];
    if (c == '%' && i + 1 < format.size()) {
      if (format[i + 1] == '%') {
        emit("%");
        i += 2;
        continue;
      }
      if (format[i + 1] == '{') {
        size_t close = format.find('}', i + 2);
        if (close == std::string_view::npos) {
          emit(format.substr(i));  // curl prints an unterminated %{ as is
          break;
        }
        std::string_view name = format.substr(i + 2, close - i - 2);
        i = close + 1;
        if (name == "stdout" || name == "stderr") {
          out.pieces.push_back({name == "stderr", {}});
          continue;
        }
        if (auto value = variable(name, info)) {
          emit(*value);
        } else {
          out.warnings.push_back(fmt::format("unknown --write-out variable: '{}'", name));
        }
        continue;
      }
      if (format.substr(i + 1, 7) == "header{") {
        size_t close = format.find('}', i + 8);
        if (close != std::string_view::npos) {
          std::string want = lower(format.substr(i + 8, close - i - 8));
          std::string values;
          for (const auto& [n, v] : info.headers) {
            if (lower(n) == want) {
              values += (values.empty() ? "" : ", ") + v;
            }
          }
          emit(values);
          i = close + 1;
          continue;
        }
      }
      emit("%");
      ++i;
      continue;
    }
    if (c == '\\' && i + 1 < format.size()) {
      switch (format[i + 1]) {
        case 'n':
          emit("\n");
          break;
        case 'r':
          emit("\r");
          break;
        case 't':
          emit("\t");
          break;
        case '\\':
          emit("\\");
          break;
        default:
          emit(format.substr(i, 2));
      }
      i += 2;
      continue;
    }
    emit(format.substr(i, 1));
    ++i;
  }
  return out;
}

std::optional<std::string> load_write_out_format(const std::string& arg) {
  if (arg.empty() || arg.front() != '@') {
    return arg;
  }
  const std::string path = arg.substr(1);
  if (path == "-") {
    return std::string((std::istreambuf_iterator<char>(std::cin)),
                       std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace hs::tool

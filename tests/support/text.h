// Text checks on the output of processes and the pages they write.
#pragma once

#include <cstddef>
#include <map>
#include <sstream>
#include <string>

namespace hs::test {

// contains reports whether `needle` occurs in `haystack`.
inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// count_of counts the occurrences of `needle` in `haystack`, overlapping ones included.
inline size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// fields reads the "key=value key=value" line of a peer's output that starts with `prefix`
// (for example "conn=2 "; the Go and C peers print such lines); empty when there is none.
inline std::map<std::string, std::string> fields(const std::string& out,
                                                 const std::string& prefix) {
  std::map<std::string, std::string> f;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) != 0) {
      continue;
    }
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      size_t eq = word.find('=');
      if (eq != std::string::npos) {
        f[word.substr(0, eq)] = word.substr(eq + 1);
      }
    }
    break;
  }
  return f;
}

// response returns what a peer client printed between "--- response N ---" and
// "--- end N ---".
inline std::string response(const std::string& out, int n) {
  const std::string begin = "--- response " + std::to_string(n) + " ---\n";
  const std::string end = "--- end " + std::to_string(n) + " ---";
  size_t a = out.find(begin);
  size_t b = a == std::string::npos ? a : out.find(end, a);
  return b == std::string::npos ? std::string()
                                : out.substr(a + begin.size(), b - a - begin.size());
}

// page_field returns a field of the status page `hs server` serves ("Group     : x25519").
inline std::string page_field(const std::string& page, const std::string& name) {
  size_t at = page.find("\n" + name);
  size_t colon = at == std::string::npos ? at : page.find(": ", at);
  size_t nl = colon == std::string::npos ? colon : page.find('\n', colon);
  return nl == std::string::npos ? std::string() : page.substr(colon + 2, nl - colon - 2);
}

}  // namespace hs::test

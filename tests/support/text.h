// Text checks on the output of processes and the pages they write.
#pragma once

#include <cstddef>
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

}  // namespace hs::test

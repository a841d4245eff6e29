// xml_escape (see escape.h).
#include "trace/escape.h"

namespace hs::trace {

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') ||
            static_cast<unsigned char>(c) >= 0x80) {
          out += '?';
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

}  // namespace hs::trace

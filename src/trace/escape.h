// xml_escape: text for an HTML page or an SVG (XML) document, the one escaping both trace
// renderers use (src/trace/html_trace.cc, src/trace/ladder_svg.cc).
#pragma once

#include <string>
#include <string_view>

namespace hs::trace {

// xml_escape returns `s` with & < > " ' as character references (&#39; for the apostrophe:
// HTML4 has no &apos;), safe in element text and in quoted attribute values of both HTML and
// XML. Control characters other than tab and newline (not allowed in XML 1.0) and bytes >= 0x80
// (peer bytes need not be UTF-8; the documents are) become '?'.
std::string xml_escape(std::string_view s);

}  // namespace hs::trace

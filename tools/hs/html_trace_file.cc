// HtmlTraceFile: writes the illustrated page (see html_trace_file.h).
#include "html_trace_file.h"

#include "trace_file.h"

namespace hs::tool {

bool write_trace_html(const std::string& path, const trace::HtmlTraceRenderer& page) {
  return write_trace_page("--trace-html", path, page.render());
}

bool HtmlTraceFile::write() const { return write_trace_html(path_, renderer_); }

}  // namespace hs::tool

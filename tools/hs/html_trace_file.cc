// HtmlTraceFile: writes the illustrated page (see html_trace_file.h).
#include "html_trace_file.h"

#include <fstream>

namespace hs::tool {

bool HtmlTraceFile::write() const {
  std::ofstream out(path_, std::ios::binary | std::ios::trunc);
  if (!out) {
    return false;
  }
  const std::string page = renderer_.render();
  out.write(page.data(), static_cast<std::streamsize>(page.size()));
  return static_cast<bool>(out.flush());
}

}  // namespace hs::tool

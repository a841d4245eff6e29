#include "trace_svg.h"

#include "trace_file.h"

namespace hs::tool {

bool write_trace_svg(const std::string& path, const trace::Ladder& ladder) {
  return write_trace_page("--trace-svg", path, trace::render_ladder_svg(ladder));
}

}  // namespace hs::tool

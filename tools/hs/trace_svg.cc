#include "trace_svg.h"

#include <cstdio>
#include <memory>

namespace hs::tool {

bool write_trace_svg(const std::string& path, const trace::Ladder& ladder) {
  std::string svg = trace::render_ladder_svg(ladder);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "w"), &std::fclose);
  if (!f || std::fwrite(svg.data(), 1, svg.size(), f.get()) != svg.size()) {
    std::fprintf(stderr, "hs: cannot write --trace-svg file %s\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace hs::tool

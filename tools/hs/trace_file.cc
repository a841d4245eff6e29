#include "trace_file.h"

#include <string_view>

#include "trace/json_trace.h"

namespace hs::tool {

std::unique_ptr<JsonTraceFile> JsonTraceFile::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    return nullptr;
  }
  std::setvbuf(f, nullptr, _IOLBF, 0);
  return std::unique_ptr<JsonTraceFile>(new JsonTraceFile(f));
}

std::unique_ptr<Observer> JsonTraceFile::renderer(uint64_t id) {
  std::FILE* f = file_.get();
  return std::make_unique<trace::JsonTraceRenderer>(
      [f](std::string_view line) {
        std::fwrite(line.data(), 1, line.size(), f);
        std::fputc('\n', f);
      },
      id, start_);
}

}  // namespace hs::tool

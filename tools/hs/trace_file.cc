#include "trace_file.h"

#include <cstdio>
#include <memory>
#include <string_view>

#include "trace/json_trace.h"

namespace hs::tool {

bool write_trace_page(std::string_view option, const std::string& path, std::string_view page) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f || std::fwrite(page.data(), 1, page.size(), f.get()) != page.size() ||
      std::fflush(f.get()) != 0) {
    std::fprintf(stderr, "hs: cannot write %.*s file %s\n", static_cast<int>(option.size()),
                 option.data(), path.c_str());
    return false;
  }
  return true;
}

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

// Fuzz target: parse_extensions (one uint16-prefixed block). A parsed block is written back with
// write_extensions, must re-parse to the same list, and must contain no duplicate types.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "messages/extensions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hs::codec::Reader in(std::span<const uint8_t>(data, size));
  auto first = hs::messages::parse_extensions(in);
  if (!first.ok()) {
    return 0;
  }
  const auto& exts = first.value();
  for (size_t i = 0; i < exts.size(); ++i) {
    for (size_t j = i + 1; j < exts.size(); ++j) {
      if (exts[i].type == exts[j].type) {
        std::abort();
      }
    }
    if (hs::messages::find_extension(exts, exts[i].type) != &exts[i]) {
      std::abort();
    }
  }
  std::vector<uint8_t> out;
  {
    hs::codec::Writer w(out);
    hs::messages::write_extensions(exts, w);
    if (!w.ok()) {
      std::abort();
    }
  }
  hs::codec::Reader again(out);
  auto second = hs::messages::parse_extensions(again);
  if (!second.ok() || !again.empty() || !(second.value() == exts)) {
    std::abort();
  }
  return 0;
}

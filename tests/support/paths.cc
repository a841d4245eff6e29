#include "support/paths.h"

#include <unistd.h>

namespace hs::test {

std::filesystem::path source_dir() { return HS_TEST_SUPPORT_SOURCE_DIR; }
std::filesystem::path build_dir() { return HS_TEST_SUPPORT_BUILD_DIR; }
std::filesystem::path hs_binary() { return build_dir() / "tools" / "hs" / "hs"; }

::testing::AssertionResult require_hs_binary() {
  std::filesystem::path hs = hs_binary();
  if (access(hs.c_str(), X_OK) == 0) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "the hs tool is not built at " << hs << "; build the target `hs` in " << build_dir()
         << " (cmake --build " << build_dir().string() << " --target hs)";
}

}  // namespace hs::test

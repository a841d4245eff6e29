// Where the tests find the source tree, the build tree and the `hs` tool.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

namespace hs::test {

// source_dir returns the repository root this build was configured from.
std::filesystem::path source_dir();
// build_dir returns the CMake build directory (e.g. build/dev); tools live under it.
std::filesystem::path build_dir();
// hs_binary returns build_dir()/tools/hs/hs, whether or not it has been built.
std::filesystem::path hs_binary();
// require_hs_binary succeeds when hs_binary() exists and is executable; otherwise it fails with
// a message saying how to build it. Use as ASSERT_TRUE(require_hs_binary());
::testing::AssertionResult require_hs_binary();

}  // namespace hs::test

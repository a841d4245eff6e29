// html_lints_clean: whether xmllint reads a --trace-html page (or several) without a complaint.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

namespace hs::test {

// html_lints_clean runs `xmllint --html --noout PAGES...`: success when it exits 0 and writes
// nothing to stderr (xmllint reports HTML errors there without failing).
::testing::AssertionResult html_lints_clean(const std::vector<std::filesystem::path>& pages);

}  // namespace hs::test

#include "support/html_lint.h"

#include <string>

#include "support/process.h"

namespace hs::test {

::testing::AssertionResult html_lints_clean(const std::vector<std::filesystem::path>& pages) {
  std::vector<std::string> args = {"xmllint", "--html", "--noout"};
  for (const auto& page : pages) {
    args.push_back(page.string());
  }
  CommandResult lint = run_command(std::move(args));
  if (lint.exit_code != 0 || !lint.err.empty()) {
    return ::testing::AssertionFailure()
           << "xmllint complains (exit " << lint.exit_code << "): " << lint.output();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace hs::test

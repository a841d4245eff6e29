// json_string (src/common/json.h) is the one JSON quoting routine of hs_base; these are the
// escapes RFC 8259 §7 requires.
#include "common/json.h"

#include <gtest/gtest.h>

#include <string>

namespace hs {
namespace {

TEST(JsonString, QuotesPlainText) {
  EXPECT_EQ(json_string("CN=example.com"), "\"CN=example.com\"");
}

TEST(JsonString, EscapesQuoteAndBackslash) { EXPECT_EQ(json_string(R"(a"b\c)"), R"("a\"b\\c")"); }

TEST(JsonString, EscapesEveryControlCharacter) {
  std::string all;
  for (int c = 0; c < 0x20; ++c) {
    all += static_cast<char>(c);
  }
  std::string quoted = json_string(all);
  // 32 escapes of six characters each, between two quotes.
  ASSERT_EQ(quoted.size(), 2 + 32 * 6);
  EXPECT_EQ(quoted.substr(1, 6), "\\u0000");
  EXPECT_EQ(quoted.substr(1 + 10 * 6, 6), "\\u000a");
  EXPECT_EQ(quoted.substr(1 + 31 * 6, 6), "\\u001f");
}

TEST(JsonString, PassesUtf8AndDelThrough) {
  EXPECT_EQ(json_string("caf\xc3\xa9\x7f"), "\"caf\xc3\xa9\x7f\"");
  EXPECT_EQ(json_string(""), "\"\"");
}

}  // namespace
}  // namespace hs

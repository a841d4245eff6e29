// xml_escape, the one escaping of the HTML page and the SVG ladder: markup characters become
// references valid in both HTML4 and XML, and what would make either document invalid (control
// characters, bytes that are not ASCII and so maybe not UTF-8) becomes '?'.
#include "trace/escape.h"

#include <gtest/gtest.h>

#include <string>

namespace hs::trace {
namespace {

TEST(XmlEscape, MarkupCharactersBecomeReferences) {
  EXPECT_EQ(xml_escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
  EXPECT_EQ(xml_escape("plain text_1.2"), "plain text_1.2");
  EXPECT_EQ(xml_escape(""), "");
}

TEST(XmlEscape, ControlAndNonAsciiBytesBecomeQuestionMarks) {
  EXPECT_EQ(xml_escape(std::string("tab\tnl\nnul") + '\0' + "\x01\x1f\x7f"), "tab\tnl\nnul???\x7f");
  EXPECT_EQ(xml_escape("\xc3\xa9\xff"), "???");
}

}  // namespace
}  // namespace hs::trace

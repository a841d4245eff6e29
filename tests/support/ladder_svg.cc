#include "support/ladder_svg.h"

#include "support/process.h"
#include "support/temp_dir.h"

namespace hs::test {

namespace {

std::string attribute(const std::string& text, size_t from, const std::string& name) {
  size_t at = text.find(" " + name + "=\"", from);
  if (at == std::string::npos) {
    return "";
  }
  at += name.size() + 3;
  return text.substr(at, text.find('"', at) - at);
}

bool is_handshake_name(const std::string& name) {
  return name != "ChangeCipherSpec" && name.rfind("Application Data", 0) != 0 &&
         name.rfind("Alert", 0) != 0 && name.rfind("Early Data", 0) != 0 &&
         name.rfind("Encrypted ", 0) != 0;
}

}  // namespace

SvgLadder read_svg_ladder(const std::filesystem::path& path) {
  std::string text = read_file(path);
  SvgLadder l;
  size_t root = text.find("<svg ");
  if (root == std::string::npos) {
    return l;
  }
  l.round_trips = std::stoi("0" + attribute(text, root, "data-round-trips"));
  l.resumed = attribute(text, root, "data-resumed") == "true";
  l.hello_retry = attribute(text, root, "data-hello-retry") == "true";
  for (size_t at = text.find("<g class=\"arrow\""); at != std::string::npos;
       at = text.find("<g class=\"arrow\"", at + 1)) {
    std::string name = attribute(text, at, "data-name");
    std::string arrow = attribute(text, at, "data-from") + ":" + name;
    l.arrows.push_back(arrow);
    if (is_handshake_name(name)) {
      l.handshake.push_back(arrow);
    }
  }
  return l;
}

::testing::AssertionResult svg_renders(const std::filesystem::path& svg) {
  if (!std::filesystem::exists(svg)) {
    return ::testing::AssertionFailure() << svg << " was not written";
  }
  CommandResult lint = run_command({"xmllint", "--noout", svg.string()}, 20s);
  if (lint.exit_code != 0) {
    return ::testing::AssertionFailure() << "xmllint " << svg << ": " << lint.output();
  }
  std::filesystem::path png = svg;
  png.replace_extension(".png");
  CommandResult conv = run_command({"rsvg-convert", svg.string(), "-o", png.string()}, 20s);
  std::string bytes = read_file(png);
  if (conv.exit_code != 0 || bytes.size() < 1000 || bytes.rfind("\x89PNG", 0) != 0) {
    return ::testing::AssertionFailure() << "rsvg-convert " << svg << ": exit " << conv.exit_code
                                         << ", " << bytes.size() << " bytes: " << conv.output();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace hs::test

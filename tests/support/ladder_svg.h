// Reading back a --trace-svg ladder diagram in tests: its data-* attributes (src/trace/ladder.h
// documents them) and whether xmllint and rsvg-convert accept it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace hs::test {

struct SvgLadder {
  int round_trips = -1;  // data-round-trips; -1 when the file holds no <svg>
  bool resumed = false;
  bool hello_retry = false;
  std::vector<std::string> handshake;  // "client:ClientHello", ... handshake messages only
  std::vector<std::string> arrows;     // every arrow, "server:Application Data"
};

SvgLadder read_svg_ladder(const std::filesystem::path& path);

// svg_renders: `xmllint --noout` accepts the file and `rsvg-convert` turns it into a non-empty
// PNG (written next to it).
::testing::AssertionResult svg_renders(const std::filesystem::path& svg);

}  // namespace hs::test

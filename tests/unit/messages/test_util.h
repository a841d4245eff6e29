// Helpers shared by the messages unit tests: hex vectors, truncation loops, round trips.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "codec/reader.h"
#include "messages/handshake.h"

namespace hs::messages::testing {

// hex decodes whitespace-separated hex ("01 02 0a" or "01020a").
inline std::vector<uint8_t> hex(std::string_view text) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : text) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      continue;
    }
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

// load_vector reads tests/vectors/messages/<name>.hex (lines starting with '#' are comments).
inline std::vector<uint8_t> load_vector(const std::string& name) {
  std::ifstream f(std::string(HS_SOURCE_DIR) + "/tests/vectors/messages/" + name + ".hex");
  EXPECT_TRUE(f.good()) << name;
  std::string line;
  std::string text;
  while (std::getline(f, line)) {
    if (!line.empty() && line[0] != '#') {
      text += line + " ";
    }
  }
  return hex(text);
}

// split_message parses the handshake header of a full message vector, checks its type, and
// returns the body.
inline std::vector<uint8_t> body_of(const std::vector<uint8_t>& full, HandshakeType type) {
  codec::Reader r(full);
  auto msg = parse_handshake_header(r);
  EXPECT_TRUE(msg.ok());
  if (!msg.ok()) {
    return {};
  }
  EXPECT_EQ(msg->type, type);
  EXPECT_TRUE(r.empty());
  return {msg->body.begin(), msg->body.end()};
}

// expect_prefixes_fail checks that every strict prefix of `valid` fails to parse with
// decode_error, except the lengths in `allowed` (prefixes that are themselves valid encodings,
// such as a hello without its optional extension block).
template <typename Parse>
void expect_prefixes_fail(const std::vector<uint8_t>& valid, Parse parse,
                          std::set<size_t> allowed = {}) {
  for (size_t n = 0; n < valid.size(); ++n) {
    if (allowed.count(n) != 0) {
      continue;
    }
    auto prefix = std::span<const uint8_t>(valid).first(n);
    auto r = parse(prefix);
    ASSERT_FALSE(r.ok()) << "prefix of length " << n << " parsed";
    EXPECT_EQ(r.error().code(), ErrorCode::decode_error) << "prefix of length " << n;
  }
}

// expect_trailing_byte_fails checks that `valid` followed by one extra byte is decode_error.
template <typename Parse>
void expect_trailing_byte_fails(std::vector<uint8_t> valid, Parse parse) {
  valid.push_back(0x00);
  auto r = parse(std::span<const uint8_t>(valid));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::decode_error);
}

// expect_error checks that parsing `bytes` fails with `code`.
template <typename Parse>
void expect_error(const std::vector<uint8_t>& bytes, Parse parse, ErrorCode code) {
  auto r = parse(std::span<const uint8_t>(bytes));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), code) << error_code_name(r.error().code());
}

// round_trip serializes `msg`, parses the body back and checks equality; returns the body.
template <typename M, typename Parse>
std::vector<uint8_t> round_trip(const M& msg, Parse parse) {
  std::vector<uint8_t> body;
  auto s = serialize(msg, body);
  EXPECT_TRUE(s.ok());
  auto back = parse(std::span<const uint8_t>(body));
  EXPECT_TRUE(back.ok());
  if (back.ok()) {
    EXPECT_TRUE(back.value() == msg);
  }
  return body;
}

}  // namespace hs::messages::testing

// KeyLines: a KeyLogSink for tests that keeps the latest secret of each key-log label and the
// ClientHello.random of the latest line (test only: secrets leave the library through the sink,
// and the tests compare both sides' or derive from them).
#pragma once

#include <hs/keylog.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hs::test {

class KeyLines final : public KeyLogSink {
 public:
  void log(std::string_view label, std::span<const uint8_t> client_random,
           std::span<const uint8_t> secret) override {
    lines[std::string(label)] = std::vector<uint8_t>(secret.begin(), secret.end());
    random.assign(client_random.begin(), client_random.end());
  }
  std::map<std::string, std::vector<uint8_t>> lines;
  std::vector<uint8_t> random;
};

}  // namespace hs::test

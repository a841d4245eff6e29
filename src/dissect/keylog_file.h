// KeyLogFile: the secrets of an NSS key log (SSLKEYLOGFILE) read back, for decrypting captures.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/secret.h"

namespace hs::dissect {

// KeyLogFile holds the lines of an NSS key log ("LABEL <client_random hex> <secret hex>"),
// indexed by label and client random. Comment lines (#), blank lines and malformed lines are
// skipped and counted. The secrets stay in SecretBytes and leave only through find().
class KeyLogFile {
 public:
  // parse reads the text of a key log (the caller opened the file).
  static KeyLogFile parse(std::string_view text);

  // find returns the secret logged under `label` for `client_random`, or nullptr.
  const SecretBytes* find(std::string_view label, std::span<const uint8_t> client_random) const;

  // dangerous_lines_for returns the lines logged for `client_random`, verbatim (without the line
  // break), in file order: the page of `hs dissect --trace-html` shows the user the lines of
  // their own key log that opened a connection. They hold secrets, so they stay SecretBytes
  // until the page is written.
  std::vector<SecretBytes> dangerous_lines_for(std::span<const uint8_t> client_random) const;

  size_t size() const { return secrets_.size(); }
  size_t malformed_lines() const { return malformed_; }

 private:
  std::map<std::pair<std::string, std::array<uint8_t, 32>>, SecretBytes> secrets_;
  // lines_ keeps each well-formed line's text, by client random, wiped like the secrets.
  std::map<std::array<uint8_t, 32>, std::vector<SecretBytes>> lines_;
  size_t malformed_ = 0;
};

}  // namespace hs::dissect

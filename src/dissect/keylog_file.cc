#include "dissect/keylog_file.h"

#include <vector>

#include "common/hex.h"

namespace hs::dissect {

namespace {

std::string_view next_field(std::string_view& line) {
  size_t start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) {
    line = {};
    return {};
  }
  line.remove_prefix(start);
  size_t end = line.find_first_of(" \t");
  std::string_view field = line.substr(0, end);
  line.remove_prefix(end == std::string_view::npos ? line.size() : end);
  return field;
}

}  // namespace

KeyLogFile KeyLogFile::parse(std::string_view text) {
  KeyLogFile log;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.find_first_not_of(" \t") == std::string_view::npos || line.front() == '#') {
      continue;
    }
    const std::string_view whole = line;
    std::string_view label = next_field(line);
    std::string_view random_hex = next_field(line);
    std::string_view secret_hex = next_field(line);
    std::array<uint8_t, 32> key{};
    std::vector<uint8_t> secret(secret_hex.size() / 2);
    if (label.empty() || !next_field(line).empty() || !decode_hex(random_hex, key) ||
        secret.empty() || !decode_hex(secret_hex, secret)) {
      crypto::secure_wipe(secret);
      ++log.malformed_;
      continue;
    }
    log.secrets_.insert_or_assign({std::string(label), key}, SecretBytes(secret));
    std::vector<uint8_t> text_bytes(whole.begin(), whole.end());
    log.lines_[key].emplace_back(text_bytes);
    crypto::secure_wipe(text_bytes);
    crypto::secure_wipe(secret);
  }
  return log;
}

const SecretBytes* KeyLogFile::find(std::string_view label,
                                    std::span<const uint8_t> client_random) const {
  if (client_random.size() != 32) {
    return nullptr;
  }
  std::array<uint8_t, 32> key{};
  for (size_t i = 0; i < key.size(); ++i) {
    key[i] = client_random[i];
  }
  auto it = secrets_.find({std::string(label), key});
  return it == secrets_.end() ? nullptr : &it->second;
}

std::vector<SecretBytes> KeyLogFile::dangerous_lines_for(
    std::span<const uint8_t> client_random) const {
  std::vector<SecretBytes> out;
  if (client_random.size() != 32) {
    return out;
  }
  std::array<uint8_t, 32> key{};
  for (size_t i = 0; i < key.size(); ++i) {
    key[i] = client_random[i];
  }
  auto it = lines_.find(key);
  if (it == lines_.end()) {
    return out;
  }
  out.reserve(it->second.size());
  for (const SecretBytes& line : it->second) {
    out.push_back(line.clone());
  }
  return out;
}

}  // namespace hs::dissect

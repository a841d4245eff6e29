#include "pinned_key.h"

#include <algorithm>
#include <vector>

#include "crypto/provider.h"
#include "options.h"
#include "x509/certificate.h"
#include "x509/pem.h"

namespace hs::tool {
namespace {

constexpr std::string_view kSha256Prefix = "sha256//";

// file_matches reports whether the --pinnedpubkey file at `path` holds `spki`: the file itself
// (DER), else its "PUBLIC KEY" PEM block, as curl reads it.
bool file_matches(const std::string& path, std::span<const uint8_t> spki) {
  auto text = read_text(path);
  if (!text) {
    return false;
  }
  const std::span<const uint8_t> raw(reinterpret_cast<const uint8_t*>(text->data()), text->size());
  if (std::ranges::equal(raw, spki)) {
    return true;
  }
  auto blocks = x509::parse_pem(*text);
  if (!blocks.ok()) {
    return false;
  }
  for (const x509::PemBlock& block : *blocks) {
    if (block.label == "PUBLIC KEY") {
      return std::ranges::equal(block.der, spki);
    }
  }
  return false;
}

}  // namespace

std::string public_key_pin(std::span<const uint8_t> spki) {
  auto hash = crypto::default_provider().make_hash(crypto::HashAlg::sha256);
  std::vector<uint8_t> digest(crypto::hash_len(crypto::HashAlg::sha256));
  hash->update(spki);
  hash->current(digest);
  return std::string(kSha256Prefix) + x509::base64_encode(digest);
}

PinCheck check_pinned_key(std::string_view pin, std::span<const uint8_t> leaf) {
  PinCheck check;
  auto cert = x509::parse_certificate(leaf);
  if (!cert.ok()) {
    return check;
  }
  const std::span<const uint8_t> spki = cert->spki_raw;
  if (!pin.starts_with(kSha256Prefix)) {
    check.matches = file_matches(std::string(pin), spki);
    return check;
  }
  const std::string pin_of_leaf = public_key_pin(spki);
  const std::string ours = pin_of_leaf.substr(kSha256Prefix.size());
  check.hash_line = " public key hash: " + pin_of_leaf;
  // curl splits at ";sha256//", so each pin is the base64 text up to the next one.
  std::string_view rest = pin.substr(kSha256Prefix.size());
  while (true) {
    const size_t next = rest.find(";sha256//");
    if (rest.substr(0, next) == ours) {
      check.matches = true;
      break;
    }
    if (next == std::string_view::npos) {
      break;
    }
    rest = rest.substr(next + 1 + kSha256Prefix.size());
  }
  return check;
}

}  // namespace hs::tool

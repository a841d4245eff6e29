// --pinnedpubkey for hs client: the server's public key checked against a key file or SHA-256
// hashes, as curl checks it (lib/vtls/vtls.c, Curl_pin_peer_pubkey), with curl's exit 90.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hs::tool {

// PinCheck is the verdict on one connection. hash_line is curl's verbose line for a hash pin
// (" public key hash: sha256//<base64 of SHA-256(SubjectPublicKeyInfo)>"), printed whatever
// the verdict.
struct PinCheck {
  bool matches = false;
  std::optional<std::string> hash_line;
};

// public_key_pin is curl's hash form of a public key: "sha256//" and the base64 of the SHA-256
// of `spki` (a SubjectPublicKeyInfo, DER), what --pinnedpubkey takes.
std::string public_key_pin(std::span<const uint8_t> spki);

// check_pinned_key compares the SubjectPublicKeyInfo of `leaf` (the server's certificate, DER)
// with `pin`, curl's --pinnedpubkey value: "sha256//<base64>" hashes separated by ';', or the
// path of a file holding one public key, DER or PEM ("-----BEGIN PUBLIC KEY-----"). A file that
// cannot be read, holds no such key, or a leaf that does not parse never matches.
PinCheck check_pinned_key(std::string_view pin, std::span<const uint8_t> leaf);

}  // namespace hs::tool

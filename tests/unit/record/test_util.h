// Helpers shared by the record-layer tests.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "common/hex.h"
#include "crypto/provider.h"
#include "record/protection.h"

namespace hs::record::testing {

// from_hex decodes test vectors; malformed hex is a bug in the test, thrown.
inline std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out(hex.size() / 2);
  if (!decode_hex(hex, out)) {
    throw std::invalid_argument("from_hex: not an even run of hex digits");
  }
  return out;
}

inline std::vector<uint8_t> bytes_of(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

inline std::vector<uint8_t> pattern(size_t n, uint8_t seed = 0) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = static_cast<uint8_t>(i * 31 + seed);
  }
  return v;
}

// A fixed key/iv per algorithm: round-trip tests only (known answers use RFC 8448).
inline std::vector<uint8_t> test_key(crypto::AeadAlg alg) {
  return pattern(crypto::aead_key_len(alg), 0x11);
}

inline std::unique_ptr<crypto::Aead> make_aead(crypto::AeadAlg alg, std::span<const uint8_t> key) {
  auto aead = crypto::default_provider().make_aead(alg, key);
  if (!aead.ok()) {
    throw std::runtime_error("make_aead");
  }
  return std::move(aead).value();
}

inline size_t tls12_iv_len(crypto::AeadAlg alg) {
  return alg == crypto::AeadAlg::chacha20_poly1305 ? 12 : 4;
}

inline std::unique_ptr<Tls12AeadProtection> tls12(crypto::AeadAlg alg) {
  const auto key = test_key(alg);
  const auto iv = pattern(tls12_iv_len(alg), 0x77);
  return std::make_unique<Tls12AeadProtection>(make_aead(alg, key), alg, iv);
}

inline std::unique_ptr<Tls13AeadProtection> tls13(crypto::AeadAlg alg) {
  const auto key = test_key(alg);
  const auto iv = pattern(12, 0x55);
  return std::make_unique<Tls13AeadProtection>(make_aead(alg, key), iv);
}

// protection returns TLS 1.3's (v13) or TLS 1.2's protection for `alg` with the fixed test keys.
inline std::unique_ptr<RecordProtection> protection(bool v13, crypto::AeadAlg alg) {
  if (v13) {
    return tls13(alg);
  }
  return tls12(alg);
}

inline constexpr crypto::AeadAlg kAllAeads[] = {
    crypto::AeadAlg::aes_128_gcm, crypto::AeadAlg::aes_256_gcm, crypto::AeadAlg::chacha20_poly1305};

}  // namespace hs::record::testing

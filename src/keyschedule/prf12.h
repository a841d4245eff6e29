// The TLS 1.2 pseudorandom function (RFC 5246 §5).
#pragma once

#include <hs/result.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "crypto/provider.h"

namespace hs::keyschedule {

// Prf12 is PRF(secret, ., .) with the HMAC keyed once: every output a TLS 1.2 connection takes
// from one secret (the key block and both Finished messages from the master secret) costs its
// HMAC tags only, not a new key each. Move-only; a moved-from Prf12 must not be used.
class Prf12 {
 public:
  // make keys the PRF with `secret`; internal_error only if the provider fails.
  static Result<Prf12> make(const crypto::Provider& provider, crypto::HashAlg hash,
                            std::span<const uint8_t> secret);

  // derive computes PRF(secret, label, seed) = P_<hash>(secret, label + seed), truncated to
  // `out_len` bytes. The label is ASCII without a length byte or trailing NUL.
  SecretBytes derive(std::string_view label, std::span<const uint8_t> seed, size_t out_len);

  crypto::HashAlg hash() const { return mac_->alg(); }

 private:
  explicit Prf12(std::unique_ptr<crypto::Hmac> mac) : mac_(std::move(mac)) {}
  std::unique_ptr<crypto::Hmac> mac_;
};

// prf12 computes PRF(secret, label, seed) = P_<hash>(secret, label + seed), truncated to
// `out_len` bytes. `hash` is the cipher suite's PRF hash (SHA-256 unless the suite says
// otherwise). The label is ASCII without a length byte or trailing NUL. Returns
// internal_error only if the provider fails. For one output of a secret; Prf12 for several.
Result<SecretBytes> prf12(const crypto::Provider& provider, crypto::HashAlg hash,
                          std::span<const uint8_t> secret, std::string_view label,
                          std::span<const uint8_t> seed, size_t out_len);

}  // namespace hs::keyschedule

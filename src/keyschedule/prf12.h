// The TLS 1.2 pseudorandom function (RFC 5246 §5).
#pragma once

#include <hs/result.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/provider.h"

namespace hs::keyschedule {

// prf12 computes PRF(secret, label, seed) = P_<hash>(secret, label + seed), truncated to
// `out_len` bytes. `hash` is the cipher suite's PRF hash (SHA-256 unless the suite says
// otherwise). The label is ASCII without a length byte or trailing NUL. Returns
// internal_error only if the provider fails.
Result<SecretBytes> prf12(const crypto::Provider& provider, crypto::HashAlg hash,
                          std::span<const uint8_t> secret, std::string_view label,
                          std::span<const uint8_t> seed, size_t out_len);

}  // namespace hs::keyschedule

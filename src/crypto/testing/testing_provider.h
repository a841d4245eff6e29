// TestingProvider: the libcrypto provider with repeatable randomness, for unit tests and fuzzing.
// Never use it in a release build: its "random" bytes are a function of a public seed.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <span>

#include "crypto/openssl/openssl_provider.h"

namespace hs::crypto {

// TestingProvider overrides random() with a deterministic stream: block i is
// SHA-256(seed as 8 little-endian bytes || i as 8 little-endian bytes), and bytes are handed
// out in order across calls. Key shares, client/server randoms and anything else drawn through
// random() are therefore the same for the same seed and the same sequence of calls.
// Thread-safe (the stream is guarded by a mutex), though concurrent callers see an order that
// depends on scheduling.
class TestingProvider : public OpenSslProvider {
 public:
  explicit TestingProvider(uint64_t seed = 0) : seed_(seed) {}

  Result<void> random(std::span<uint8_t> out) const override;

 private:
  uint64_t seed_;
  mutable std::mutex mu_;
  mutable uint64_t counter_ = 0;             // next block index
  mutable std::array<uint8_t, 32> block_{};  // current block
  mutable size_t used_ = 32;                 // bytes of block_ already handed out
};

}  // namespace hs::crypto

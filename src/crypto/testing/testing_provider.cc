#include "crypto/testing/testing_provider.h"

#include <array>

namespace hs::crypto {

Result<void> TestingProvider::random(std::span<uint8_t> out) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (uint8_t& byte : out) {
    if (used_ == block_.size()) {
      std::array<uint8_t, 16> input{};
      for (size_t i = 0; i < 8; ++i) {
        input[i] = static_cast<uint8_t>(seed_ >> (8 * i));
        input[8 + i] = static_cast<uint8_t>(counter_ >> (8 * i));
      }
      ++counter_;
      auto h = make_hash(HashAlg::sha256);
      h->update(input);
      h->current(block_);
      used_ = 0;
    }
    byte = block_[used_++];
  }
  return ok_result();
}

}  // namespace hs::crypto

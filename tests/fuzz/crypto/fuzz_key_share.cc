// Fuzz target: a peer's key share value (RFC 8446 §4.2.8) for every group we implement, derived
// against one fixed share of ours. The first byte picks the group, the rest is the peer's
// key_exchange bytes. A value is either refused with illegal_parameter (wrong length, off the
// curve, Y outside (1, p-1), an all-zero X25519/X448 result) or gives a secret of the group's
// fixed length; anything else, or a crash or leak, is a bug. The seeds (corpus/key_share/, one
// valid value per group) are written and checked by KeyShareSeeds.MatchTheFuzzCorpus.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

#include "crypto/testing/testing_provider.h"

namespace {

struct Group {
  hs::NamedGroup group;
  size_t secret_len;  // X coordinate, X25519/X448 output, or Z padded to p
};

constexpr std::array<Group, 10> kGroups = {{
    {hs::NamedGroup::x25519, 32},
    {hs::NamedGroup::x448, 56},
    {hs::NamedGroup::secp256r1, 32},
    {hs::NamedGroup::secp384r1, 48},
    {hs::NamedGroup::secp521r1, 66},
    {hs::NamedGroup::ffdhe2048, 256},
    {hs::NamedGroup::ffdhe3072, 384},
    {hs::NamedGroup::ffdhe4096, 512},
    {hs::NamedGroup::ffdhe6144, 768},
    {hs::NamedGroup::ffdhe8192, 1024},
}};

// ours returns the fixed share for group `i`, made once from the seeded provider.
hs::crypto::KeyShare& ours(size_t i) {
  static std::array<std::unique_ptr<hs::crypto::KeyShare>, kGroups.size()> shares;
  if (shares[i] == nullptr) {
    hs::crypto::TestingProvider provider(static_cast<uint64_t>(i));
    auto share = provider.generate_key_share(kGroups[i].group);
    if (!share.ok()) {
      std::abort();
    }
    shares[i] = std::move(share).value();
  }
  return *shares[i];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  const size_t i = data[0] % kGroups.size();
  auto secret = ours(i).derive(std::span<const uint8_t>(data + 1, size - 1));
  if (secret.ok()) {
    if (secret->expose().size() != kGroups[i].secret_len) {
      std::abort();
    }
  } else if (secret.error().code() != hs::ErrorCode::illegal_parameter) {
    std::abort();
  }
  return 0;
}

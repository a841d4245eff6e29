#include "keyschedule/prf12.h"

#include <algorithm>
#include <array>

namespace hs::keyschedule {

Result<SecretBytes> prf12(const crypto::Provider& provider, crypto::HashAlg hash,
                          std::span<const uint8_t> secret, std::string_view label,
                          std::span<const uint8_t> seed, size_t out_len) {
  // RFC 5246, 5:
  //   P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
  //                          HMAC_hash(secret, A(2) + seed) + ...
  //   A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
  //   PRF(secret, label, seed) = P_<hash>(secret, label + seed)
  // Here "seed" for P_hash is label + seed; it is fed to HMAC in two pieces, never copied.
  const auto label_bytes =
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(label.data()), label.size());
  const size_t n = crypto::hash_len(hash);
  auto mac = provider.make_hmac(hash, secret);
  if (mac == nullptr) {
    return Error(ErrorCode::internal_error, "prf12", "no HMAC");
  }

  std::array<uint8_t, crypto::kMaxHashLen> a{};  // A(i)
  std::array<uint8_t, crypto::kMaxHashLen> block{};
  const std::span<uint8_t> a_i = std::span<uint8_t>(a).first(n);
  const std::span<uint8_t> block_i = std::span<uint8_t>(block).first(n);

  // A(1) = HMAC(secret, A(0)) with A(0) = label + seed.
  mac->update(label_bytes);
  mac->update(seed);
  mac->finish(a_i);

  SecretBytes out(out_len);
  size_t done = 0;
  while (done < out_len) {
    mac->update(a_i);
    mac->update(label_bytes);
    mac->update(seed);
    mac->finish(block_i);
    const size_t take = std::min(n, out_len - done);
    std::copy_n(block_i.begin(), take, out.expose_mut().subspan(done).begin());
    done += take;
    if (done < out_len) {
      mac->update(a_i);
      mac->finish(a_i);  // A(i+1) = HMAC(secret, A(i))
    }
  }
  crypto::secure_wipe(a);
  crypto::secure_wipe(block);
  return out;
}

}  // namespace hs::keyschedule

#include "keyschedule/prf12.h"

#include <algorithm>
#include <array>

namespace hs::keyschedule {

Result<Prf12> Prf12::make(const crypto::Provider& provider, crypto::HashAlg hash,
                          std::span<const uint8_t> secret) {
  auto mac = provider.make_hmac(hash, secret);
  if (mac == nullptr) {
    return Error(ErrorCode::internal_error, "prf12", "no HMAC");
  }
  return Prf12(std::move(mac));
}

SecretBytes Prf12::derive(std::string_view label, std::span<const uint8_t> seed, size_t out_len) {
  // RFC 5246, 5:
  //   P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
  //                          HMAC_hash(secret, A(2) + seed) + ...
  //   A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
  //   PRF(secret, label, seed) = P_<hash>(secret, label + seed)
  // "P_hash can be iterated as many times as necessary to produce the required quantity of
  // data": only ceil(out_len / hash_len) blocks are computed, and A(i+1) only when another
  // block follows. finish() leaves the HMAC keyed for the next tag and the next derive().
  //
  // `buf` holds A(i) + label + seed side by side, so each tag is one HMAC update: A(1) over
  // label + seed, each output block over the whole of it, A(i+1) over A(i). Inputs longer than
  // the buffer (never from TLS: seeds are two randoms or a hash) go in pieces.
  crypto::Hmac& mac = *mac_;
  const auto label_bytes =
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(label.data()), label.size());
  const size_t n = crypto::hash_len(mac.alg());

  std::array<uint8_t, crypto::kMaxHashLen + 128> buf{};
  std::array<uint8_t, crypto::kMaxHashLen> block{};
  const std::span<uint8_t> a_i = std::span<uint8_t>(buf).first(n);  // A(i)
  const std::span<uint8_t> block_i = std::span<uint8_t>(block).first(n);
  const bool joined = n + label_bytes.size() + seed.size() <= buf.size();
  std::span<const uint8_t> label_seed;  // label + seed, right after A(i) in buf
  std::span<const uint8_t> whole;       // A(i) + label + seed
  if (joined) {
    const std::span<uint8_t> rest = std::span<uint8_t>(buf).subspan(n);
    std::copy(seed.begin(), seed.end(),
              std::copy(label_bytes.begin(), label_bytes.end(), rest.begin()));
    label_seed = rest.first(label_bytes.size() + seed.size());
    whole = std::span<const uint8_t>(buf).first(n + label_seed.size());
  }

  // A(1) = HMAC(secret, A(0)) with A(0) = label + seed.
  if (joined) {
    mac.update(label_seed);
  } else {
    mac.update(label_bytes);
    mac.update(seed);
  }
  mac.finish(a_i);

  SecretBytes out(out_len);
  size_t done = 0;
  while (done < out_len) {
    if (joined) {
      mac.update(whole);
    } else {
      mac.update(a_i);
      mac.update(label_bytes);
      mac.update(seed);
    }
    mac.finish(block_i);
    const size_t take = std::min(n, out_len - done);
    std::copy_n(block_i.begin(), take, out.expose_mut().subspan(done).begin());
    done += take;
    if (done < out_len) {
      mac.update(a_i);
      mac.finish(a_i);  // A(i+1) = HMAC(secret, A(i))
    }
  }
  crypto::secure_wipe(buf);
  crypto::secure_wipe(block);
  return out;
}

Result<SecretBytes> prf12(const crypto::Provider& provider, crypto::HashAlg hash,
                          std::span<const uint8_t> secret, std::string_view label,
                          std::span<const uint8_t> seed, size_t out_len) {
  auto prf = HS_TRY(Prf12::make(provider, hash, secret));
  return prf.derive(label, seed, out_len);
}

}  // namespace hs::keyschedule

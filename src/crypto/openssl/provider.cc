#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <climits>

#include "crypto/openssl/common.h"
#include "crypto/openssl/openssl_provider.h"

namespace hs::crypto {

std::unique_ptr<Hash> OpenSslProvider::make_hash(HashAlg alg) const {
  return detail::make_evp_hash(alg);
}

std::array<uint8_t, 20> OpenSslProvider::sha1_identifier(std::span<const uint8_t> data) const {
  // Fetched once for the process (as the other digests, detail::algorithms()); kept apart from
  // HashAlg so that SHA-1 cannot reach a transcript, a signature or a key derivation.
  static EVP_MD* const kSha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  std::array<uint8_t, 20> out{};
  unsigned int len = 0;
  detail::require(kSha1 != nullptr &&
                  EVP_Digest(data.data(), data.size(), out.data(), &len, kSha1, nullptr) == 1 &&
                  len == out.size());
  return out;
}

std::unique_ptr<Hmac> OpenSslProvider::make_hmac(HashAlg alg, std::span<const uint8_t> key) const {
  return detail::make_evp_hmac(alg, key);
}

SecretBytes OpenSslProvider::hkdf_extract(HashAlg alg, std::span<const uint8_t> salt,
                                          std::span<const uint8_t> ikm) const {
  // RFC 5869, 2.2: "salt: optional salt value (a non-secret random value); if not provided,
  // it is set to a string of HashLen zeros."
  const std::array<uint8_t, kMaxHashLen> zeros{};
  std::span<const uint8_t> key = salt;
  if (key.empty()) {
    key = std::span<const uint8_t>(zeros).first(hash_len(alg));
  }
  // PRK = HMAC-Hash(salt, IKM)
  auto mac = make_hmac(alg, key);
  mac->update(ikm);
  SecretBytes prk(hash_len(alg));
  mac->finish(prk.expose_mut());
  return prk;
}

Result<SecretBytes> OpenSslProvider::hkdf_expand(HashAlg alg, std::span<const uint8_t> prk,
                                                 std::span<const uint8_t> info, size_t len) const {
  const size_t n = hash_len(alg);
  // RFC 5869, 2.3: "L  length of output keying material in octets (<= 255*HashLen)"
  if (len > 255 * n) {
    return Error(ErrorCode::internal_error, "hkdf_expand", "output too long");
  }
  // T(i) = HMAC-Hash(PRK, T(i-1) | info | i), OKM = first L octets of T(1) | T(2) | ...
  auto mac = make_hmac(alg, prk);
  SecretBytes okm(len);
  std::array<uint8_t, kMaxHashLen> t{};
  size_t done = 0;
  for (uint8_t i = 1; done < len; ++i) {
    if (i > 1) {
      mac->update(std::span<const uint8_t>(t).first(n));
    }
    mac->update(info);
    const uint8_t counter[1] = {i};
    mac->update(counter);
    mac->finish(std::span<uint8_t>(t).first(n));
    const size_t take = std::min(n, len - done);
    std::copy_n(t.begin(), take, okm.expose_mut().subspan(done).begin());
    done += take;
  }
  secure_wipe(t);
  return okm;
}

Result<std::unique_ptr<Aead>> OpenSslProvider::make_aead(AeadAlg alg,
                                                         std::span<const uint8_t> key) const {
  return detail::make_evp_aead(alg, key);
}

Result<std::unique_ptr<KeyShare>> OpenSslProvider::generate_key_share(NamedGroup group) const {
  if (group == NamedGroup::x25519 || group == NamedGroup::x448) {
    // RFC 7748, 6.1: "Alice generates 32 random bytes in a[0] to a[31]"; X25519 clamps them.
    // §6.2 likewise for X448 with 56 bytes.
    SecretBytes priv(group == NamedGroup::x25519 ? 32 : 56);
    HS_TRY(random(priv.expose_mut()));
    return key_share_from_private(group, priv.expose());
  }
  if (auto bits = detail::ffdhe_exponent_bits(group)) {
    // RFC 7919 §5.2: a secret exponent of exactly `bits` bits (top bit set), at least the size
    // Appendix A gives for the group's security level, far below p.
    const size_t len = static_cast<size_t>((*bits + 7) / 8);
    SecretBytes priv(len);
    HS_TRY(random(priv.expose_mut()));
    const int excess = static_cast<int>(len * 8) - *bits;
    priv.expose_mut()[0] =
        static_cast<uint8_t>((priv.expose()[0] & (0xFF >> excess)) | (0x80 >> excess));
    return key_share_from_private(group, priv.expose());
  }
  const EC_GROUP* curve = detail::ec_group(group);
  if (curve == nullptr) {
    return Error(ErrorCode::internal_error, "key_share", "unsupported group");
  }
  // A uniform scalar in [1, n-1] by rejection sampling: draw as many bits as n has and retry
  // when the value is out of range (at most a few times in practice for these curves).
  const BIGNUM* order = EC_GROUP_get0_order(curve);
  const int order_bits = BN_num_bits(order);
  const size_t scalar_len = static_cast<size_t>((order_bits + 7) / 8);
  const int excess_bits = static_cast<int>(scalar_len * 8) - order_bits;
  const auto top_mask = static_cast<uint8_t>(0xFF >> excess_bits);
  SecretBytes priv(scalar_len);
  for (int attempt = 0; attempt < 128; ++attempt) {
    HS_TRY(random(priv.expose_mut()));
    priv.expose_mut()[0] &= top_mask;
    auto share = key_share_from_private(group, priv.expose());
    if (share.ok() || share.error().code() != ErrorCode::illegal_parameter) {
      return share;
    }
  }
  return Error(ErrorCode::internal_error, "key_share", "no scalar in range");
}

Result<std::unique_ptr<KeyShare>> OpenSslProvider::key_share_from_private(
    NamedGroup group, std::span<const uint8_t> private_key) const {
  if (group == NamedGroup::x25519) {
    return detail::make_x25519_share(private_key);
  }
  if (group == NamedGroup::x448) {
    return detail::make_x448_share(private_key);
  }
  if (detail::ffdhe_exponent_bits(group)) {
    return detail::make_ffdhe_share(group, private_key);
  }
  return detail::make_ec_share(group, private_key);
}

Result<std::unique_ptr<PublicKey>> OpenSslProvider::parse_public_key(
    std::span<const uint8_t> spki_der) const {
  return detail::parse_evp_public_key(spki_der);
}

Result<std::unique_ptr<PrivateKey>> OpenSslProvider::parse_private_key(
    std::span<const uint8_t> der) const {
  return detail::parse_evp_private_key(der);
}

Result<void> OpenSslProvider::random(std::span<uint8_t> out) const {
  while (!out.empty()) {
    const size_t chunk = std::min<size_t>(out.size(), INT_MAX);
    if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) {
      return Error(ErrorCode::internal_error, "random", "RAND_bytes failed");
    }
    out = out.subspan(chunk);
  }
  return ok_result();
}

const Provider& default_provider() {
  static const OpenSslProvider kProvider;
  return kProvider;
}

}  // namespace hs::crypto

// Hash and Hmac on EVP_MD_CTX and EVP_MAC_CTX.
#include <algorithm>
#include <array>

#include "crypto/openssl/common.h"

namespace hs::crypto::detail {
namespace {

// The largest digest block: 128 bytes for SHA-384 and SHA-512.
constexpr size_t kMaxBlockLen = 128;

class EvpHash final : public Hash {
 public:
  EvpHash(HashAlg alg, MdCtxPtr ctx) : alg_(alg), ctx_(std::move(ctx)) {}

  HashAlg alg() const override { return alg_; }

  void update(std::span<const uint8_t> data) override {
    if (!data.empty()) {
      require(EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) == 1);
    }
  }

  void current(std::span<uint8_t> out) const override {
    // Finish a copy so the running hash keeps absorbing (transcript hashes are read midway).
    require(out.size() >= hash_len(alg_));
    if (!scratch_) {
      scratch_.reset(EVP_MD_CTX_new());
      require(scratch_ != nullptr);
    }
    require(EVP_MD_CTX_copy_ex(scratch_.get(), ctx_.get()) == 1);
    unsigned int len = 0;
    require(EVP_DigestFinal_ex(scratch_.get(), out.data(), &len) == 1);
  }

  std::unique_ptr<Hash> clone() const override {
    MdCtxPtr copy(EVP_MD_CTX_new());
    require(copy != nullptr && EVP_MD_CTX_copy_ex(copy.get(), ctx_.get()) == 1);
    return std::make_unique<EvpHash>(alg_, std::move(copy));
  }

 private:
  HashAlg alg_;
  MdCtxPtr ctx_;
  mutable MdCtxPtr scratch_;  // reused by current() to avoid an allocation per call
};

// EvpHmac is HMAC (RFC 2104) on EVP_MD_CTX rather than EVP_MAC: the key is absorbed once into
// an inner and an outer digest state, and each tag starts from copies of those. OpenSSL 3.0's
// EVP_MAC HMAC fetches the digest by name and allocates three digest contexts whenever a key
// is set, which cost more than the hashing for the short inputs of the key schedules (one
// HMAC per HKDF label, PRF block and Finished).
class EvpHmac final : public Hmac {
 public:
  EvpHmac(HashAlg alg, MdCtxPtr inner, MdCtxPtr outer, MdCtxPtr work)
      : alg_(alg), inner_(std::move(inner)), outer_(std::move(outer)), work_(std::move(work)) {}

  HashAlg alg() const override { return alg_; }

  void update(std::span<const uint8_t> data) override {
    if (!data.empty()) {
      require(EVP_DigestUpdate(work_.get(), data.data(), data.size()) == 1);
    }
  }

  void finish(std::span<uint8_t> out) override {
    // RFC 2104, 2: H(K XOR opad, H(K XOR ipad, text)).
    const size_t n = hash_len(alg_);
    require(out.size() >= n);
    std::array<uint8_t, kMaxHashLen> inner_hash{};
    unsigned int len = 0;
    require(EVP_DigestFinal_ex(work_.get(), inner_hash.data(), &len) == 1);
    require(EVP_MD_CTX_copy_ex(work_.get(), outer_.get()) == 1);
    require(EVP_DigestUpdate(work_.get(), inner_hash.data(), n) == 1);
    require(EVP_DigestFinal_ex(work_.get(), out.data(), &len) == 1);
    // Restart with the same key for the next tag.
    require(EVP_MD_CTX_copy_ex(work_.get(), inner_.get()) == 1);
  }

 private:
  HashAlg alg_;
  MdCtxPtr inner_;  // after absorbing K XOR ipad
  MdCtxPtr outer_;  // after absorbing K XOR opad
  MdCtxPtr work_;   // the tag being computed
};

}  // namespace

std::unique_ptr<Hash> make_evp_hash(HashAlg alg) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  require(ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), md(alg), nullptr) == 1);
  return std::make_unique<EvpHash>(alg, std::move(ctx));
}

std::unique_ptr<Hmac> make_evp_hmac(HashAlg alg, std::span<const uint8_t> key) {
  const EVP_MD* digest = md(alg);
  const int block_len = EVP_MD_get_block_size(digest);
  require(block_len > 0 && static_cast<size_t>(block_len) <= kMaxBlockLen);
  const auto block = static_cast<size_t>(block_len);
  // RFC 2104, 2: keys longer than the block are hashed first; shorter ones are padded with
  // zeros to the block length.
  std::array<uint8_t, kMaxBlockLen> padded{};
  if (key.size() > block) {
    unsigned int len = 0;
    require(EVP_Digest(key.data(), key.size(), padded.data(), &len, digest, nullptr) == 1);
  } else {
    std::copy(key.begin(), key.end(), padded.begin());
  }
  MdCtxPtr inner(EVP_MD_CTX_new());
  MdCtxPtr outer(EVP_MD_CTX_new());
  MdCtxPtr work(EVP_MD_CTX_new());
  require(inner != nullptr && outer != nullptr && work != nullptr);
  std::array<uint8_t, kMaxBlockLen> pad{};
  for (size_t i = 0; i < block; ++i) {
    pad[i] = static_cast<uint8_t>(padded[i] ^ 0x36);  // ipad
  }
  require(EVP_DigestInit_ex2(inner.get(), digest, nullptr) == 1 &&
          EVP_DigestUpdate(inner.get(), pad.data(), block) == 1);
  for (size_t i = 0; i < block; ++i) {
    pad[i] = static_cast<uint8_t>(padded[i] ^ 0x5c);  // opad
  }
  require(EVP_DigestInit_ex2(outer.get(), digest, nullptr) == 1 &&
          EVP_DigestUpdate(outer.get(), pad.data(), block) == 1);
  secure_wipe(padded);
  secure_wipe(pad);
  require(EVP_MD_CTX_copy_ex(work.get(), inner.get()) == 1);
  return std::make_unique<EvpHmac>(alg, std::move(inner), std::move(outer), std::move(work));
}

}  // namespace hs::crypto::detail

// Hash and Hmac on EVP_MD_CTX and EVP_MAC_CTX.
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "crypto/openssl/common.h"

namespace hs::crypto::detail {
namespace {

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

class EvpHmac final : public Hmac {
 public:
  EvpHmac(HashAlg alg, MacCtxPtr ctx) : alg_(alg), ctx_(std::move(ctx)) {}

  HashAlg alg() const override { return alg_; }

  void update(std::span<const uint8_t> data) override {
    if (!data.empty()) {
      require(EVP_MAC_update(ctx_.get(), data.data(), data.size()) == 1);
    }
  }

  void finish(std::span<uint8_t> out) override {
    require(out.size() >= hash_len(alg_));
    size_t len = 0;
    require(EVP_MAC_final(ctx_.get(), out.data(), &len, out.size()) == 1);
    // A null key re-initialises HMAC with the key it already holds (no new key schedule).
    require(EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) == 1);
  }

 private:
  HashAlg alg_;
  MacCtxPtr ctx_;
};

}  // namespace

std::unique_ptr<Hash> make_evp_hash(HashAlg alg) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  require(ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), md(alg), nullptr) == 1);
  return std::make_unique<EvpHash>(alg, std::move(ctx));
}

std::unique_ptr<Hmac> make_evp_hmac(HashAlg alg, std::span<const uint8_t> key) {
  MacCtxPtr ctx(EVP_MAC_CTX_new(algorithms().hmac));
  require(ctx != nullptr);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(md_name(alg)), 0),
      OSSL_PARAM_construct_end(),
  };
  // An empty key is legal HMAC (it is zero-padded to the block size), but a null pointer would
  // mean "keep the previous key", so pass a non-null pointer with length 0.
  require(EVP_MAC_init(ctx.get(), nonnull_data(key), key.size(), params) == 1);
  return std::make_unique<EvpHmac>(alg, std::move(ctx));
}

}  // namespace hs::crypto::detail

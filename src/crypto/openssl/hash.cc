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

// EvpHmac is libcrypto's HMAC (EVP_MAC). Setting a key on a fresh EVP_MAC_CTX makes OpenSSL
// 3.0 fetch the digest by name, which costs more than the hashing for the short inputs of the
// key schedules (one HMAC per HKDF label, PRF block and Finished). So each context starts as a
// duplicate of a per-digest prototype that already holds the digest (hmac_prototype), and only
// the key is set on it. After finish() the context restarts with the key it already holds, on
// the next use: most contexts compute their last tag and are freed, and need no restart.
class EvpHmac final : public Hmac {
 public:
  EvpHmac(HashAlg alg, MacCtxPtr ctx) : alg_(alg), ctx_(std::move(ctx)) {}

  HashAlg alg() const override { return alg_; }

  void update(std::span<const uint8_t> data) override {
    restart_if_finished();
    if (!data.empty()) {
      require(EVP_MAC_update(ctx_.get(), data.data(), data.size()) == 1);
    }
  }

  void finish(std::span<uint8_t> out) override {
    require(out.size() >= hash_len(alg_));
    restart_if_finished();
    size_t len = 0;
    require(EVP_MAC_final(ctx_.get(), out.data(), &len, out.size()) == 1);
    finished_ = true;
  }

  void rekey(std::span<const uint8_t> key) override {
    // A non-null key replaces the old one and discards the pending input (HMAC_Init_ex).
    require(EVP_MAC_init(ctx_.get(), nonnull_data(key), key.size(), nullptr) == 1);
    finished_ = false;
  }

 private:
  void restart_if_finished() {
    if (finished_) {
      // A null key re-initialises HMAC with the key it already holds (no new key schedule).
      require(EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) == 1);
      finished_ = false;
    }
  }

  HashAlg alg_;
  MacCtxPtr ctx_;
  bool finished_ = false;
};

// make_prototype returns an HMAC context with `alg`'s digest and an empty key: EVP_MAC_CTX_dup
// copies the digest contexts, so the prototype must be keyed (with anything) to be copyable.
EVP_MAC_CTX* make_prototype(HashAlg alg) {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(algorithms().hmac);
  require(ctx != nullptr);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(md_name(alg)), 0),
      OSSL_PARAM_construct_end(),
  };
  // An empty key is legal HMAC (it is zero-padded to the block size), but a null pointer would
  // mean "keep the previous key", so pass a non-null pointer with length 0.
  require(EVP_MAC_init(ctx, nonnull_data({}), 0, params) == 1);
  return ctx;
}

// hmac_prototype: one per digest for the process, made on first use (thread-safe static
// initialisation), only ever read (EVP_MAC_CTX_dup) afterwards, never freed.
const EVP_MAC_CTX* hmac_prototype(HashAlg alg) {
  static EVP_MAC_CTX* const kSha256 = make_prototype(HashAlg::sha256);
  static EVP_MAC_CTX* const kSha384 = make_prototype(HashAlg::sha384);
  static EVP_MAC_CTX* const kSha512 = make_prototype(HashAlg::sha512);
  switch (alg) {
    case HashAlg::sha256:
      return kSha256;
    case HashAlg::sha384:
      return kSha384;
    case HashAlg::sha512:
      return kSha512;
  }
  return kSha256;
}

}  // namespace

std::unique_ptr<Hash> make_evp_hash(HashAlg alg) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  require(ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), md(alg), nullptr) == 1);
  return std::make_unique<EvpHash>(alg, std::move(ctx));
}

std::unique_ptr<Hmac> make_evp_hmac(HashAlg alg, std::span<const uint8_t> key) {
  MacCtxPtr ctx(EVP_MAC_CTX_dup(hmac_prototype(alg)));
  require(ctx != nullptr);
  require(EVP_MAC_init(ctx.get(), nonnull_data(key), key.size(), nullptr) == 1);
  return std::make_unique<EvpHmac>(alg, std::move(ctx));
}

}  // namespace hs::crypto::detail

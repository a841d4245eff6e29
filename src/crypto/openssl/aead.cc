// Aead on EVP_CIPHER_CTX: the key schedule is set up once; each operation only sets the nonce.
#include <climits>
#include <cstring>

#include "crypto/openssl/common.h"

namespace hs::crypto::detail {
namespace {

bool fits_int(size_t n) { return n <= static_cast<size_t>(INT_MAX); }

class EvpAead final : public Aead {
 public:
  EvpAead(AeadAlg alg, CipherCtxPtr ctx) : alg_(alg), ctx_(std::move(ctx)) {}

  AeadAlg alg() const override { return alg_; }

  bool seal_to(std::span<const uint8_t> nonce, std::span<const uint8_t> aad,
               std::span<const uint8_t> in, std::span<const uint8_t> trailer,
               std::span<uint8_t> out, std::span<uint8_t> tag) override {
    if (nonce.size() != kAeadNonceLen || tag.size() < kAeadTagLen || !fits_int(aad.size()) ||
        !fits_int(in.size()) || !fits_int(trailer.size()) ||
        out.size() != in.size() + trailer.size()) {
      return false;
    }
    if (!set_nonce(nonce, 1) || !absorb(aad, in, out.first(in.size())) ||
        !absorb({}, trailer, out.subspan(in.size()))) {
      return false;
    }
    int len = 0;
    uint8_t final_block[16];
    if (EVP_CipherFinal_ex(ctx_.get(), final_block, &len) != 1 || len != 0) {
      return false;
    }
    return EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagLen),
                               tag.data()) == 1;
  }

  bool open_to(std::span<const uint8_t> nonce, std::span<const uint8_t> aad,
               std::span<const uint8_t> in, std::span<uint8_t> out,
               std::span<const uint8_t> tag) override {
    return open_split_to(nonce, aad, in, {}, out, tag);
  }

  bool open_split_to(std::span<const uint8_t> nonce, std::span<const uint8_t> aad,
                     std::span<const uint8_t> head, std::span<const uint8_t> tail,
                     std::span<uint8_t> out, std::span<const uint8_t> tag) override {
    if (nonce.size() != kAeadNonceLen || tag.size() != kAeadTagLen || !fits_int(aad.size()) ||
        !fits_int(head.size()) || !fits_int(tail.size()) ||
        out.size() != head.size() + tail.size()) {
      return false;
    }
    // The ctrl takes a non-const pointer; hand it a copy rather than casting const away.
    uint8_t expected[kAeadTagLen];
    std::memcpy(expected, tag.data(), kAeadTagLen);
    // Two EVP_DecryptUpdate calls continue one stream (GCM and ChaCha20-Poly1305 keep the
    // partial block between them), so the pieces need not be joined.
    if (!set_nonce(nonce, 0) ||
        EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTagLen),
                            expected) != 1 ||
        !absorb(aad, head, out.first(head.size())) || !absorb({}, tail, out.subspan(head.size()))) {
      return false;
    }
    int len = 0;
    uint8_t final_block[16];
    // The tag is checked here, in constant time, by libcrypto.
    return EVP_CipherFinal_ex(ctx_.get(), final_block, &len) == 1 && len == 0;
  }

 private:
  // set_nonce starts one operation: only the nonce and direction change, the key schedule set
  // up by make_evp_aead is kept.
  bool set_nonce(std::span<const uint8_t> nonce, int enc) {
    return EVP_CipherInit_ex2(ctx_.get(), nullptr, nullptr, nonce.data(), enc, nullptr) == 1;
  }

  // absorb feeds the additional data, then transforms `in` into `out`.
  bool absorb(std::span<const uint8_t> aad, std::span<const uint8_t> in, std::span<uint8_t> out) {
    int len = 0;
    if (!aad.empty() && EVP_CipherUpdate(ctx_.get(), nullptr, &len, aad.data(),
                                         static_cast<int>(aad.size())) != 1) {
      return false;
    }
    if (!in.empty()) {
      if (EVP_CipherUpdate(ctx_.get(), out.data(), &len, in.data(), static_cast<int>(in.size())) !=
              1 ||
          static_cast<size_t>(len) != in.size()) {
        return false;
      }
    }
    return true;
  }

  AeadAlg alg_;
  CipherCtxPtr ctx_;
};

const EVP_CIPHER* cipher(AeadAlg alg) {
  const Algorithms& a = algorithms();
  switch (alg) {
    case AeadAlg::aes_128_gcm:
      return a.aes_128_gcm;
    case AeadAlg::aes_256_gcm:
      return a.aes_256_gcm;
    case AeadAlg::chacha20_poly1305:
      return a.chacha20_poly1305;
  }
  return nullptr;
}

}  // namespace

Result<std::unique_ptr<Aead>> make_evp_aead(AeadAlg alg, std::span<const uint8_t> key) {
  if (key.size() != aead_key_len(alg)) {
    return Error(ErrorCode::internal_error, "aead", "wrong key length");
  }
  const EVP_CIPHER* c = cipher(alg);
  if (c == nullptr) {
    return Error(ErrorCode::internal_error, "aead", "cipher unavailable in libcrypto");
  }
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  // The direction is set again by each seal/open; the key schedule computed here is kept.
  if (ctx == nullptr || EVP_CipherInit_ex2(ctx.get(), c, key.data(), nullptr, 1, nullptr) != 1) {
    return Error(ErrorCode::internal_error, "aead", "cipher init failed");
  }
  return std::unique_ptr<Aead>(std::make_unique<EvpAead>(alg, std::move(ctx)));
}

}  // namespace hs::crypto::detail

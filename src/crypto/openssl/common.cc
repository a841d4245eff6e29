#include "crypto/openssl/common.h"

#include <openssl/crypto.h>
#include <openssl/obj_mac.h>

#include <cstdlib>

#include "crypto/secret.h"

namespace hs::crypto {

void secure_wipe(std::span<uint8_t> bytes) {
  if (!bytes.empty()) {
    OPENSSL_cleanse(bytes.data(), bytes.size());
  }
}

bool constant_time_equal(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  // Lengths are public; only the contents are compared in constant time.
  if (a.size() != b.size()) {
    return false;
  }
  if (a.empty()) {
    return true;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace detail {

namespace {

Algorithms fetch_all() {
  Algorithms a;
  a.sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  a.sha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
  a.sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  a.hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  // Digests and HMAC back the transcript hash and every key derivation: without them nothing
  // works, so their absence is fatal rather than an error each caller would have to handle.
  require(a.sha256 != nullptr && a.sha384 != nullptr && a.sha512 != nullptr && a.hmac != nullptr);
  a.aes_128_gcm = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  a.aes_256_gcm = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  a.chacha20_poly1305 = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  a.p256 = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  a.p384 = EC_GROUP_new_by_curve_name(NID_secp384r1);
  a.p521 = EC_GROUP_new_by_curve_name(NID_secp521r1);
  return a;
}

}  // namespace

const Algorithms& algorithms() {
  static const Algorithms kAlgorithms = fetch_all();
  return kAlgorithms;
}

const EVP_MD* md(HashAlg alg) {
  const Algorithms& a = algorithms();
  switch (alg) {
    case HashAlg::sha256:
      return a.sha256;
    case HashAlg::sha384:
      return a.sha384;
    case HashAlg::sha512:
      return a.sha512;
  }
  return a.sha256;
}

const char* md_name(HashAlg alg) {
  switch (alg) {
    case HashAlg::sha256:
      return "SHA2-256";
    case HashAlg::sha384:
      return "SHA2-384";
    case HashAlg::sha512:
      return "SHA2-512";
  }
  return "SHA2-256";
}

void require(bool ok) {
  if (!ok) {
    std::abort();
  }
}

const uint8_t* nonnull_data(std::span<const uint8_t> bytes) {
  static const uint8_t kEmpty = 0;
  return bytes.empty() ? &kEmpty : bytes.data();
}

Result<PkeyPtr> pkey_fromdata(const char* key_type, OSSL_PARAM_BLD* bld, int selection) {
  std::unique_ptr<OSSL_PARAM, OsslDeleter<OSSL_PARAM_free>> params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, key_type, nullptr));
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return key_share_internal("fromdata init");
  }
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &pkey, selection, params.get()) != 1) {
    return key_share_error();
  }
  return PkeyPtr(pkey);
}

const EC_GROUP* ec_group(NamedGroup group) {
  const Algorithms& a = algorithms();
  switch (group) {
    case NamedGroup::secp256r1:
      return a.p256;
    case NamedGroup::secp384r1:
      return a.p384;
    case NamedGroup::secp521r1:
      return a.p521;
    case NamedGroup::x25519:
    case NamedGroup::x448:
    case NamedGroup::ffdhe2048:
    case NamedGroup::ffdhe3072:
    case NamedGroup::ffdhe4096:
    case NamedGroup::ffdhe6144:
    case NamedGroup::ffdhe8192:
    case NamedGroup::X25519MLKEM768:
      return nullptr;
  }
  return nullptr;
}

}  // namespace detail
}  // namespace hs::crypto

// Internal to src/crypto/openssl/: OpenSSL handle owners and the algorithms fetched once per
// process. Nothing outside this directory includes it.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>

#include "crypto/provider.h"

namespace hs::crypto::detail {

template <auto Free>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<EVP_MD_CTX_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, OsslDeleter<EVP_MAC_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OsslDeleter<EVP_CIPHER_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<EVP_PKEY_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, OsslDeleter<BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, OsslDeleter<BN_CTX_free>>;
using EcPointPtr = std::unique_ptr<EC_POINT, OsslDeleter<EC_POINT_clear_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslDeleter<OSSL_PARAM_BLD_free>>;

// Algorithms holds every EVP algorithm the provider uses, fetched once (thread-safe static
// initialisation) and never freed: the objects live for the process.
struct Algorithms {
  EVP_MD* sha256 = nullptr;
  EVP_MD* sha384 = nullptr;
  EVP_MD* sha512 = nullptr;
  EVP_MAC* hmac = nullptr;
  EVP_CIPHER* aes_128_gcm = nullptr;
  EVP_CIPHER* aes_256_gcm = nullptr;
  EVP_CIPHER* chacha20_poly1305 = nullptr;  // null when the loaded providers lack it
  EC_GROUP* p256 = nullptr;
  EC_GROUP* p384 = nullptr;
  EC_GROUP* p521 = nullptr;
};
const Algorithms& algorithms();

// md returns the fetched digest for `alg`; md_name its OpenSSL name ("SHA2-256").
const EVP_MD* md(HashAlg alg);
const char* md_name(HashAlg alg);

// require aborts the process when a libcrypto call that cannot fail on valid inputs fails
// (allocation failure): the interfaces that call it have no error channel, and continuing
// with a half-computed digest or MAC would be worse.
void require(bool ok);

// nonnull_data returns bytes.data(), or a pointer to a static byte when `bytes` is empty:
// several libcrypto calls reject a null pointer even with a zero length.
const uint8_t* nonnull_data(std::span<const uint8_t> bytes);

// Factories for the objects behind the Provider interface (one .cc each).
std::unique_ptr<Hash> make_evp_hash(HashAlg alg);
std::unique_ptr<Hmac> make_evp_hmac(HashAlg alg, std::span<const uint8_t> key);
Result<std::unique_ptr<Aead>> make_evp_aead(AeadAlg alg, std::span<const uint8_t> key);
// The errors of key shares (key_share.cc, ffdhe.cc): a peer value or private key we refuse
// (illegal_parameter, RFC 8446 §4.2.8), or libcrypto failing.
inline Error key_share_error() { return Error(ErrorCode::illegal_parameter, "key_share"); }
inline Error key_share_internal(const char* detail) {
  return Error(ErrorCode::internal_error, "key_share", detail);
}
// pkey_fromdata imports what `bld` holds (a group name, a public value and, when `selection` is
// EVP_PKEY_KEYPAIR, a private value) as a `key_type` ("EC", "DH") EVP_PKEY: internal_error when
// libcrypto cannot set up the import, key_share_error() when it refuses the key itself.
Result<PkeyPtr> pkey_fromdata(const char* key_type, OSSL_PARAM_BLD* bld, int selection);
Result<std::unique_ptr<KeyShare>> make_x25519_share(std::span<const uint8_t> private_key);
Result<std::unique_ptr<KeyShare>> make_x448_share(std::span<const uint8_t> private_key);
// make_ffdhe_share: an RFC 7919 group (ffdhe.cc) from the big-endian secret exponent, which must
// lie in [2, p-2]; ffdhe_exponent_bits is the exponent size generate_key_share draws for it
// (RFC 7919 Appendix A), nullopt for a group that is not FFDHE.
Result<std::unique_ptr<KeyShare>> make_ffdhe_share(NamedGroup group,
                                                   std::span<const uint8_t> private_key);
std::optional<int> ffdhe_exponent_bits(NamedGroup group);
Result<std::unique_ptr<KeyShare>> make_ec_share(NamedGroup group,
                                                std::span<const uint8_t> private_key);
// ec_group returns the curve for a NIST group, or null for any other group.
const EC_GROUP* ec_group(NamedGroup group);
Result<std::unique_ptr<PublicKey>> parse_evp_public_key(std::span<const uint8_t> spki_der);
Result<std::unique_ptr<PrivateKey>> parse_evp_private_key(std::span<const uint8_t> der);

}  // namespace hs::crypto::detail

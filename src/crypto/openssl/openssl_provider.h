// OpenSslProvider: crypto::Provider on OpenSSL 3 libcrypto (EVP). This header names no OpenSSL
// type, so it can be included (and subclassed, see crypto/testing/) from anywhere.
#pragma once

#include <array>
#include <span>

#include "crypto/provider.h"

namespace hs::crypto {

// OpenSslProvider implements every Provider operation on EVP. Algorithms (EVP_MD, EVP_MAC,
// EVP_CIPHER) are fetched once per process on first use and shared by all instances; the
// provider itself holds no state, so one instance may be used from many threads.
//
// Key shares draw their private keys through the virtual random(), so a subclass that
// overrides random() (TestingProvider) gets reproducible key shares.
class OpenSslProvider : public Provider {
 public:
  OpenSslProvider() = default;
  ~OpenSslProvider() override = default;

  std::unique_ptr<Hash> make_hash(HashAlg alg) const override;
  std::array<uint8_t, 20> sha1_identifier(std::span<const uint8_t> data) const override;
  std::unique_ptr<Hmac> make_hmac(HashAlg alg, std::span<const uint8_t> key) const override;
  SecretBytes hkdf_extract(HashAlg alg, std::span<const uint8_t> salt,
                           std::span<const uint8_t> ikm) const override;
  Result<SecretBytes> hkdf_expand(HashAlg alg, std::span<const uint8_t> prk,
                                  std::span<const uint8_t> info, size_t len) const override;
  Result<std::unique_ptr<Aead>> make_aead(AeadAlg alg, std::span<const uint8_t> key) const override;
  Result<std::unique_ptr<KeyShare>> generate_key_share(NamedGroup group) const override;
  Result<std::unique_ptr<PublicKey>> parse_public_key(
      std::span<const uint8_t> spki_der) const override;
  Result<std::unique_ptr<PrivateKey>> parse_private_key(
      std::span<const uint8_t> der) const override;
  Result<void> random(std::span<uint8_t> out) const override;

  // key_share_from_private builds the key share for `group` from a fixed private key: the
  // 32-byte scalar for x25519 and the 56-byte one for x448 (clamped by the functions
  // themselves, RFC 7748 §5), the big-endian scalar of the curve order's length for NIST
  // curves, which must lie in [1, n-1], the big-endian exponent in [2, p-2] for the RFC 7919
  // groups. generate_key_share uses it with random bytes; known-answer tests (RFC 7748 §6.1,
  // §6.2) use it with published keys.
  // Returns illegal_parameter for a scalar of the wrong length or out of range, and
  // internal_error when libcrypto fails.
  Result<std::unique_ptr<KeyShare>> key_share_from_private(
      NamedGroup group, std::span<const uint8_t> private_key) const;
};

}  // namespace hs::crypto

// crypto::Provider: the one narrow interface through which the protocol reaches primitives.
// The core knows only this header; src/crypto/openssl/ implements it on libcrypto's EVP API
// and src/crypto/testing/ gives a deterministic variant for tests and fuzzing.
#pragma once

#include <hs/result.h>
#include <hs/wire.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "crypto/secret.h"

namespace hs::crypto {

enum class HashAlg : uint8_t { sha256, sha384, sha512 };

// hash_len returns the digest size of `alg` in bytes.
constexpr size_t hash_len(HashAlg alg) {
  switch (alg) {
    case HashAlg::sha256:
      return 32;
    case HashAlg::sha384:
      return 48;
    case HashAlg::sha512:
      return 64;
  }
  return 0;
}
inline constexpr size_t kMaxHashLen = 64;

// Hash is an incremental digest. current() returns the digest of everything absorbed so far
// without ending the computation, as a running transcript hash needs.
class Hash {
 public:
  virtual ~Hash() = default;
  virtual HashAlg alg() const = 0;
  virtual void update(std::span<const uint8_t> data) = 0;
  // current writes hash_len(alg()) bytes into `out` (which must be at least that long).
  virtual void current(std::span<uint8_t> out) const = 0;
  virtual std::unique_ptr<Hash> clone() const = 0;
};

// Hmac is keyed once and reused: finish() writes the tag and resets to the keyed initial state.
class Hmac {
 public:
  virtual ~Hmac() = default;
  virtual HashAlg alg() const = 0;
  virtual void update(std::span<const uint8_t> data) = 0;
  // finish writes hash_len(alg()) bytes into `out` and restarts with the same key.
  virtual void finish(std::span<uint8_t> out) = 0;
  // rekey drops the key and any pending input and starts over with `key`, as a context made
  // with it would: a chain of HMAC computations (the TLS 1.3 key schedule's stages) can run on
  // one context instead of making and freeing one per key.
  virtual void rekey(std::span<const uint8_t> key) = 0;
};

enum class AeadAlg : uint8_t { aes_128_gcm, aes_256_gcm, chacha20_poly1305 };
constexpr size_t aead_key_len(AeadAlg alg) { return alg == AeadAlg::aes_128_gcm ? 16 : 32; }
inline constexpr size_t kAeadNonceLen = 12;
inline constexpr size_t kAeadTagLen = 16;

// Aead holds one key, set once; only the nonce changes per operation. seal_to/open_to transform
// `in` into `out` (out.size() == in.size()), where `out` is either exactly `in` (in place) or
// does not overlap it: a record is sealed from the caller's plaintext straight into the output
// buffer, and opened from the received bytes straight into the plaintext buffer, with no copy.
class Aead {
 public:
  virtual ~Aead() = default;
  virtual AeadAlg alg() const = 0;
  // seal_to encrypts `in` followed by `trailer` into `out` (out.size() == in.size() +
  // trailer.size()) and writes kAeadTagLen bytes into `tag`. `trailer` is either separate from
  // `out` or exactly its last trailer.size() bytes (encrypted in place): a TLS 1.3 record's
  // content type and padding after the caller's plaintext. The nonce is kAeadNonceLen bytes.
  // Returns false only on an internal failure.
  [[nodiscard]] virtual bool seal_to(std::span<const uint8_t> nonce, std::span<const uint8_t> aad,
                                     std::span<const uint8_t> in, std::span<const uint8_t> trailer,
                                     std::span<uint8_t> out, std::span<uint8_t> tag) = 0;
  // open_to decrypts `in` into `out`; false when the tag does not verify (`out` is then
  // unspecified and must not be used).
  [[nodiscard]] virtual bool open_to(std::span<const uint8_t> nonce, std::span<const uint8_t> aad,
                                     std::span<const uint8_t> in, std::span<uint8_t> out,
                                     std::span<const uint8_t> tag) = 0;
  // open_split_to is open_to() for a ciphertext in two pieces: `head` followed by `tail` (either
  // may be empty) is decrypted into `out` (out.size() == head.size() + tail.size(); `out`
  // overlaps neither piece, or is exactly `head` with `tail` empty). A record cut by the transport
  // is opened from the part kept from the earlier read and the rest where the new read left it,
  // without joining them first. False when the tag does not verify (`out` is then unspecified and
  // must not be used).
  [[nodiscard]] virtual bool open_split_to(std::span<const uint8_t> nonce,
                                           std::span<const uint8_t> aad,
                                           std::span<const uint8_t> head,
                                           std::span<const uint8_t> tail, std::span<uint8_t> out,
                                           std::span<const uint8_t> tag) = 0;
  // seal and open work in place.
  [[nodiscard]] bool seal(std::span<const uint8_t> nonce, std::span<const uint8_t> aad,
                          std::span<uint8_t> in_out, std::span<uint8_t> tag) {
    return seal_to(nonce, aad, in_out, {}, in_out, tag);
  }
  [[nodiscard]] bool open(std::span<const uint8_t> nonce, std::span<const uint8_t> aad,
                          std::span<uint8_t> in_out, std::span<const uint8_t> tag) {
    return open_to(nonce, aad, in_out, in_out, tag);
  }
};

// KeyShare is one ephemeral (EC)DH key pair for `group`.
class KeyShare {
 public:
  virtual ~KeyShare() = default;
  virtual NamedGroup group() const = 0;
  // public_key is the wire encoding: 32 bytes for x25519, 56 for x448, the uncompressed point
  // (0x04 || X || Y) for the NIST curves (RFC 8422 §5.4.1, RFC 8446 §4.2.8.2), Y padded to the
  // size of p for FFDHE (RFC 8446 §4.2.8.1).
  virtual std::span<const uint8_t> public_key() const = 0;
  // derive computes the shared secret with the peer's public key in the same encoding: the
  // X coordinate for NIST curves (RFC 8422 §5.10), the X25519 / X448 output, Z padded to the
  // size of p for FFDHE (RFC 8446 §7.4.1). A malformed or off-curve point, an all-zero X25519 /
  // X448 result (RFC 7748 §6) or an FFDHE Y outside (1, p-1) is illegal_parameter.
  virtual Result<SecretBytes> derive(std::span<const uint8_t> peer_public) = 0;
};

// SignatureAlgorithm is how a signature is computed, independent of the TLS code point: the
// TLS layer maps SignatureScheme to it (signature.h) and X.509 maps algorithm OIDs to it.
enum class SignatureAlgorithm : uint8_t {
  rsa_pkcs1_sha256,
  rsa_pkcs1_sha384,
  rsa_pkcs1_sha512,
  rsa_pss_sha256,  // MGF1 with the same hash, salt length = hash length (RFC 8446 §4.2.3)
  rsa_pss_sha384,
  rsa_pss_sha512,
  ecdsa_sha256,  // DER-encoded ECDSA-Sig-Value
  ecdsa_sha384,
  ecdsa_sha512,
  ed25519,
  ed448,  // PureEdDSA (RFC 8032 §5.2), no context
};

enum class KeyType : uint8_t { rsa, rsa_pss, ec_p256, ec_p384, ec_p521, ed25519, ed448 };

// PublicKey is a parsed SubjectPublicKeyInfo.
class PublicKey {
 public:
  virtual ~PublicKey() = default;
  virtual KeyType type() const = 0;
  virtual size_t bits() const = 0;
  // verify reports whether `signature` over `message` is valid under `alg`. A key type that
  // does not fit `alg` is simply not valid (false).
  [[nodiscard]] virtual bool verify(SignatureAlgorithm alg, std::span<const uint8_t> message,
                                    std::span<const uint8_t> signature) const = 0;
};

// PrivateKey signs; it never hands out its bytes.
class PrivateKey {
 public:
  virtual ~PrivateKey() = default;
  virtual KeyType type() const = 0;
  virtual size_t bits() const = 0;
  virtual Result<std::vector<uint8_t>> sign(SignatureAlgorithm alg,
                                            std::span<const uint8_t> message) const = 0;
  // can_sign reports whether sign(alg, ...) is possible at all: the key type fits `alg` and,
  // for an RSASSA-PSS key with parameters (RFC 4055 §3.1, "the parameters ... restrict the
  // use of the key"), `alg` uses the hash, the MGF1 hash and at least the salt length they allow.
  // Handshakes choose among these algorithms only (crypto::signable_schemes).
  virtual bool can_sign(SignatureAlgorithm alg) const = 0;
  // public_key_info returns the DER SubjectPublicKeyInfo, to match a key with its certificate.
  virtual std::vector<uint8_t> public_key_info() const = 0;
  // offloaded: the application makes this key's signatures asynchronously
  // (certified_key_for_offload); sign() fails and the handshake asks the connection for the
  // signature instead (HandshakeContext::request_signature).
  virtual bool offloaded() const { return false; }
};

// Provider makes the objects above. Objects it returns are independent of each other and of the
// provider's lifetime, except that the provider must outlive nothing: implementations keep
// their fetched EVP algorithms for the life of the process.
class Provider {
 public:
  virtual ~Provider() = default;

  virtual std::unique_ptr<Hash> make_hash(HashAlg alg) const = 0;
  // sha1_identifier is SHA-1 for identifiers only, never for a signature or a MAC: an OCSP
  // CertID names the issuer by SHA-1 hashes of its name and key (RFC 6960 §4.1.1; what openssl
  // ocsp and curl compute), and a byKey ResponderID is the SHA-1 of the responder's key.
  virtual std::array<uint8_t, 20> sha1_identifier(std::span<const uint8_t> data) const = 0;
  virtual std::unique_ptr<Hmac> make_hmac(HashAlg alg, std::span<const uint8_t> key) const = 0;
  // hkdf_extract and hkdf_expand are RFC 5869 §2.2 and §2.3.
  virtual SecretBytes hkdf_extract(HashAlg alg, std::span<const uint8_t> salt,
                                   std::span<const uint8_t> ikm) const = 0;
  virtual Result<SecretBytes> hkdf_expand(HashAlg alg, std::span<const uint8_t> prk,
                                          std::span<const uint8_t> info, size_t len) const = 0;
  virtual Result<std::unique_ptr<Aead>> make_aead(AeadAlg alg,
                                                  std::span<const uint8_t> key) const = 0;
  virtual Result<std::unique_ptr<KeyShare>> generate_key_share(NamedGroup group) const = 0;
  // parse_public_key takes a DER SubjectPublicKeyInfo.
  virtual Result<std::unique_ptr<PublicKey>> parse_public_key(
      std::span<const uint8_t> spki_der) const = 0;
  // parse_private_key takes DER: PKCS#8 PrivateKeyInfo (RFC 5958), or a traditional
  // RSAPrivateKey / ECPrivateKey. Encrypted keys are refused by the PEM layer before this.
  virtual Result<std::unique_ptr<PrivateKey>> parse_private_key(
      std::span<const uint8_t> der) const = 0;
  // random fills `out` from a CSPRNG.
  virtual Result<void> random(std::span<uint8_t> out) const = 0;
};

// default_provider is the libcrypto provider (src/crypto/openssl/).
const Provider& default_provider();

}  // namespace hs::crypto

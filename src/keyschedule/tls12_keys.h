// TLS 1.2 key derivation: master secret (RFC 5246 §8.1), extended master secret (RFC 7627
// §4), key block (RFC 5246 §6.3 with the AEAD IVs of RFC 5288 §3 and RFC 7905 §2), and the
// Finished verify_data (RFC 5246 §7.4.9).
#pragma once

#include <hs/result.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/provider.h"
#include "keyschedule/prf12.h"

namespace hs::keyschedule {

inline constexpr size_t kMasterSecretLen = 48;
inline constexpr size_t kRandomLen = 32;
inline constexpr size_t kVerifyDataLen12 = 12;

// master_secret computes PRF(pre_master_secret, "master secret", client_random +
// server_random)[0..47]. Randoms must be 32 bytes each (internal_error otherwise).
Result<SecretBytes> master_secret(const crypto::Provider& provider, crypto::HashAlg hash,
                                  std::span<const uint8_t> pre_master_secret,
                                  std::span<const uint8_t> client_random,
                                  std::span<const uint8_t> server_random);

// extended_master_secret computes PRF(pre_master_secret, "extended master secret",
// session_hash)[0..47] (RFC 7627, 4), where session_hash is the handshake hash up to and
// including the ClientKeyExchange.
Result<SecretBytes> extended_master_secret(const crypto::Provider& provider, crypto::HashAlg hash,
                                           std::span<const uint8_t> pre_master_secret,
                                           std::span<const uint8_t> session_hash);

// fixed_iv_len12 is the write-IV length taken from the key block for an AEAD suite: the 4-byte
// salt of AES-GCM (RFC 5288, 3) or the 12-byte IV of ChaCha20-Poly1305 (RFC 7905, 2).
constexpr size_t fixed_iv_len12(crypto::AeadAlg aead) {
  return aead == crypto::AeadAlg::chacha20_poly1305 ? 12 : 4;
}

// KeyBlock12 is the key material of one TLS 1.2 AEAD connection. AEAD suites have no MAC keys
// (RFC 5246, 6.3: mac_key_length is 0).
struct KeyBlock12 {
  SecretBytes client_write_key;
  SecretBytes server_write_key;
  SecretBytes client_write_iv;  // fixed_iv_len12(aead) bytes
  SecretBytes server_write_iv;
};

// key_block expands PRF(master_secret, "key expansion", server_random + client_random) and
// splits it in the order of RFC 5246, 6.3. Randoms must be 32 bytes, master_secret 48.
Result<KeyBlock12> key_block(const crypto::Provider& provider, crypto::HashAlg hash,
                             crypto::AeadAlg aead, std::span<const uint8_t> master_secret,
                             std::span<const uint8_t> client_random,
                             std::span<const uint8_t> server_random);

// key_block with the PRF already keyed on the master secret (Prf12::make).
Result<KeyBlock12> key_block(Prf12& master_prf, crypto::AeadAlg aead,
                             std::span<const uint8_t> client_random,
                             std::span<const uint8_t> server_random);

// Sender says whose Finished is computed.
enum class Sender : uint8_t { client, server };

// finished_verify_data12 computes PRF(master_secret, finished_label, handshake_hash)[0..11],
// with "client finished" or "server finished". The result stays secret until the caller
// declassifies it for the wire; compare received values with crypto::constant_time_equal.
Result<SecretBytes> finished_verify_data12(const crypto::Provider& provider, crypto::HashAlg hash,
                                           std::span<const uint8_t> master_secret, Sender sender,
                                           std::span<const uint8_t> handshake_hash);
// finished_verify_data12 with the PRF already keyed on the master secret.
SecretBytes finished_verify_data12(Prf12& master_prf, Sender sender,
                                   std::span<const uint8_t> handshake_hash);

}  // namespace hs::keyschedule

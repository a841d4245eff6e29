// TLS 1.2 key derivation as the server needs it: master secret (standard or extended), key
// block and Finished verify_data (RFC 5246 §5, §6.3, §7.4.9, §8.1; RFC 7627 §4).
#pragma once

#include <hs/result.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/provider.h"
#include "crypto/secret.h"

namespace hs::server12 {

// KeyBlock is the AEAD part of the RFC 5246 §6.3 key block (no MAC keys for AEAD suites):
// client_write_key, server_write_key, client_write_IV, server_write_IV.
struct KeyBlock {
  SecretBytes client_key;
  SecretBytes server_key;
  SecretBytes client_iv;  // 4 bytes (GCM salt) or 12 (ChaCha20-Poly1305)
  SecretBytes server_iv;
};

// derive_master_secret computes the 48-byte master secret: with `extended` the RFC 7627 §4
// form PRF(pre_master, "extended master secret", session_hash), else the RFC 5246 §8.1 form
// PRF(pre_master, "master secret", client_random + server_random).
Result<SecretBytes> derive_master_secret(const crypto::Provider& provider, crypto::HashAlg prf,
                                         const SecretBytes& pre_master, bool extended,
                                         std::span<const uint8_t> session_hash,
                                         std::span<const uint8_t, 32> client_random,
                                         std::span<const uint8_t, 32> server_random);

// derive_key_block computes PRF(master, "key expansion", server_random + client_random) and
// splits it for an AEAD suite.
Result<KeyBlock> derive_key_block(const crypto::Provider& provider, crypto::HashAlg prf,
                                  crypto::AeadAlg aead, const SecretBytes& master,
                                  std::span<const uint8_t, 32> client_random,
                                  std::span<const uint8_t, 32> server_random);

// compute_verify_data is PRF(master, "client finished" or "server finished",
// Hash(handshake_messages))[0..11] (RFC 5246 §7.4.9).
Result<SecretBytes> compute_verify_data(const crypto::Provider& provider, crypto::HashAlg prf,
                                        const SecretBytes& master, bool client,
                                        std::span<const uint8_t> transcript_hash);

}  // namespace hs::server12

#include "keyschedule/tls12_keys.h"

#include <array>

#include "keyschedule/prf12.h"

namespace hs::keyschedule {
namespace {

// concat_randoms writes a || b (two 32-byte randoms) into a fixed buffer.
std::array<uint8_t, 2 * kRandomLen> concat_randoms(std::span<const uint8_t> a,
                                                   std::span<const uint8_t> b) {
  std::array<uint8_t, 2 * kRandomLen> out{};
  std::copy(a.begin(), a.end(), out.begin());
  std::copy(b.begin(), b.end(), std::span<uint8_t>(out).subspan(kRandomLen).begin());
  return out;
}

// take moves the next `n` bytes of `block` into a SecretBytes.
SecretBytes take(std::span<const uint8_t>& block, size_t n) {
  SecretBytes out(block.first(n));
  block = block.subspan(n);
  return out;
}

}  // namespace

Result<SecretBytes> master_secret(const crypto::Provider& provider, crypto::HashAlg hash,
                                  std::span<const uint8_t> pre_master_secret,
                                  std::span<const uint8_t> client_random,
                                  std::span<const uint8_t> server_random) {
  if (client_random.size() != kRandomLen || server_random.size() != kRandomLen) {
    return Error(ErrorCode::internal_error, "master_secret", "random length");
  }
  // RFC 5246, 8.1: master_secret = PRF(pre_master_secret, "master secret",
  //                                    ClientHello.random + ServerHello.random)[0..47];
  const auto seed = concat_randoms(client_random, server_random);
  return prf12(provider, hash, pre_master_secret, "master secret", seed, kMasterSecretLen);
}

Result<SecretBytes> extended_master_secret(const crypto::Provider& provider, crypto::HashAlg hash,
                                           std::span<const uint8_t> pre_master_secret,
                                           std::span<const uint8_t> session_hash) {
  // RFC 7627, 4: master_secret = PRF(pre_master_secret, "extended master secret",
  //                                  session_hash)[0..47];
  return prf12(provider, hash, pre_master_secret, "extended master secret", session_hash,
               kMasterSecretLen);
}

Result<KeyBlock12> key_block(const crypto::Provider& provider, crypto::HashAlg hash,
                             crypto::AeadAlg aead, std::span<const uint8_t> master_secret,
                             std::span<const uint8_t> client_random,
                             std::span<const uint8_t> server_random) {
  if (master_secret.size() != kMasterSecretLen) {
    return Error(ErrorCode::internal_error, "key_block", "input length");
  }
  auto prf = HS_TRY(Prf12::make(provider, hash, master_secret));
  return key_block(prf, aead, client_random, server_random);
}

Result<KeyBlock12> key_block(Prf12& master_prf, crypto::AeadAlg aead,
                             std::span<const uint8_t> client_random,
                             std::span<const uint8_t> server_random) {
  if (client_random.size() != kRandomLen || server_random.size() != kRandomLen) {
    return Error(ErrorCode::internal_error, "key_block", "input length");
  }
  // RFC 5246, 6.3: key_block = PRF(SecurityParameters.master_secret, "key expansion",
  //                                SecurityParameters.server_random +
  //                                SecurityParameters.client_random);
  // partitioned as client_write_MAC_key, server_write_MAC_key (empty for AEAD),
  // client_write_key, server_write_key, client_write_IV, server_write_IV.
  const size_t key_len = crypto::aead_key_len(aead);
  const size_t iv_len = fixed_iv_len12(aead);
  const auto seed = concat_randoms(server_random, client_random);
  SecretBytes block = master_prf.derive("key expansion", seed, 2 * key_len + 2 * iv_len);
  std::span<const uint8_t> rest = block.expose();
  KeyBlock12 keys;
  keys.client_write_key = take(rest, key_len);
  keys.server_write_key = take(rest, key_len);
  keys.client_write_iv = take(rest, iv_len);
  keys.server_write_iv = take(rest, iv_len);
  return keys;
}

Result<SecretBytes> finished_verify_data12(const crypto::Provider& provider, crypto::HashAlg hash,
                                           std::span<const uint8_t> master_secret, Sender sender,
                                           std::span<const uint8_t> handshake_hash) {
  auto prf = HS_TRY(Prf12::make(provider, hash, master_secret));
  return finished_verify_data12(prf, sender, handshake_hash);
}

SecretBytes finished_verify_data12(Prf12& master_prf, Sender sender,
                                   std::span<const uint8_t> handshake_hash) {
  // RFC 5246, 7.4.9: verify_data = PRF(master_secret, finished_label,
  //                                    Hash(handshake_messages))[0..verify_data_length-1];
  // "For Finished messages sent by the client, the string "client finished". For Finished
  // messages sent by the server, the string "server finished"." verify_data_length is 12
  // for every suite we implement.
  const char* label = sender == Sender::client ? "client finished" : "server finished";
  return master_prf.derive(label, handshake_hash, kVerifyDataLen12);
}

}  // namespace hs::keyschedule

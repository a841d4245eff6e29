#include "handshake/server12/keys.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace hs::server12 {

namespace {

constexpr size_t kMasterSecretLen = 48;

// prf is the TLS 1.2 PRF (RFC 5246 §5): P_hash(secret, label + seed) with
//   A(0) = label + seed, A(i) = HMAC_hash(secret, A(i-1)),
//   P_hash = HMAC_hash(secret, A(1) + label + seed) + HMAC_hash(secret, A(2) + label + seed) ...
Result<SecretBytes> prf(const crypto::Provider& provider, crypto::HashAlg alg,
                        std::span<const uint8_t> secret, std::string_view label,
                        std::span<const std::span<const uint8_t>> seeds, size_t len) {
  auto hmac = provider.make_hmac(alg, secret);
  if (!hmac) {
    return Error(ErrorCode::internal_error, "prf", "HMAC unavailable");
  }
  const size_t n = crypto::hash_len(alg);
  std::array<uint8_t, crypto::kMaxHashLen> a_buf{};
  std::array<uint8_t, crypto::kMaxHashLen> block_buf{};
  std::span<uint8_t> a(a_buf.data(), n);
  std::span<uint8_t> block(block_buf.data(), n);
  const std::vector<uint8_t> label_bytes(label.begin(), label.end());
  auto absorb_seed = [&] {
    hmac->update(label_bytes);
    for (auto s : seeds) {
      hmac->update(s);
    }
  };
  absorb_seed();
  hmac->finish(a);  // A(1)
  SecretBytes out(len);
  size_t done = 0;
  while (done < len) {
    hmac->update(a);
    absorb_seed();
    hmac->finish(block);
    const size_t take = std::min(n, len - done);
    std::ranges::copy(block.first(take), out.expose_mut().subspan(done, take).begin());
    done += take;
    hmac->update(a);
    hmac->finish(a);  // A(i+1)
  }
  crypto::secure_wipe(a_buf);
  crypto::secure_wipe(block_buf);
  return out;
}

}  // namespace

Result<SecretBytes> derive_master_secret(const crypto::Provider& provider, crypto::HashAlg alg,
                                         const SecretBytes& pre_master, bool extended,
                                         std::span<const uint8_t> session_hash,
                                         std::span<const uint8_t, 32> client_random,
                                         std::span<const uint8_t, 32> server_random) {
  if (extended) {
    const std::span<const uint8_t> seeds[] = {session_hash};
    return prf(provider, alg, pre_master.expose(), "extended master secret", seeds,
               kMasterSecretLen);
  }
  const std::span<const uint8_t> seeds[] = {client_random, server_random};
  return prf(provider, alg, pre_master.expose(), "master secret", seeds, kMasterSecretLen);
}

Result<KeyBlock> derive_key_block(const crypto::Provider& provider, crypto::HashAlg alg,
                                  crypto::AeadAlg aead, const SecretBytes& master,
                                  std::span<const uint8_t, 32> client_random,
                                  std::span<const uint8_t, 32> server_random) {
  const size_t key_len = crypto::aead_key_len(aead);
  // RFC 5288 §3: fixed_iv_length 4 (the salt); RFC 7905 §2: 12 for ChaCha20-Poly1305.
  const size_t iv_len = aead == crypto::AeadAlg::chacha20_poly1305 ? 12 : 4;
  const std::span<const uint8_t> seeds[] = {server_random, client_random};
  auto block =
      HS_TRY(prf(provider, alg, master.expose(), "key expansion", seeds, 2 * key_len + 2 * iv_len));
  auto bytes = block.expose();
  KeyBlock kb;
  kb.client_key = SecretBytes(bytes.subspan(0, key_len));
  kb.server_key = SecretBytes(bytes.subspan(key_len, key_len));
  kb.client_iv = SecretBytes(bytes.subspan(2 * key_len, iv_len));
  kb.server_iv = SecretBytes(bytes.subspan(2 * key_len + iv_len, iv_len));
  return kb;
}

Result<SecretBytes> compute_verify_data(const crypto::Provider& provider, crypto::HashAlg alg,
                                        const SecretBytes& master, bool client,
                                        std::span<const uint8_t> transcript_hash) {
  const std::span<const uint8_t> seeds[] = {transcript_hash};
  return prf(provider, alg, master.expose(), client ? "client finished" : "server finished", seeds,
             12);
}

}  // namespace hs::server12

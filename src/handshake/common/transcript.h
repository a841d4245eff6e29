// Transcript: the running hash of the handshake messages (RFC 5246 §7.4.9 "handshake_messages",
// RFC 8446 §4.4.1 Transcript-Hash).
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "crypto/provider.h"

namespace hs::detail {

// Transcript absorbs whole handshake messages (header + body). Until the hash is known (a
// TLS 1.2 client learns it from the ServerHello's suite) it buffers them; set_hash() then hashes
// the buffer and from there on every message goes straight into the running hash. Move-only.
class Transcript {
 public:
  Transcript() = default;
  // Transcript(provider, alg) starts with the hash already chosen.
  Transcript(const crypto::Provider& provider, crypto::HashAlg alg);

  // add absorbs one message.
  void add(std::span<const uint8_t> raw);
  // set_hash picks the hash and absorbs what was buffered; internal_error if the provider has
  // no such hash or the hash was already set to a different algorithm.
  Result<void> set_hash(const crypto::Provider& provider, crypto::HashAlg alg);
  bool has_hash() const { return hash_ != nullptr; }
  // alg is the chosen hash; only valid when has_hash().
  crypto::HashAlg alg() const { return hash_->alg(); }

  // current returns the hash of every message absorbed so far (empty before set_hash()).
  std::vector<uint8_t> current() const;
  // clone copies the running state (e.g. to fork a HelloRetryRequest transcript).
  Transcript clone() const;

 private:
  std::unique_ptr<crypto::Hash> hash_;
  std::vector<uint8_t> buffered_;
};

}  // namespace hs::detail

// Transcript: the running hash of the handshake messages (RFC 5246 §7.4.9 "handshake_messages",
// RFC 8446 §4.4.1 Transcript-Hash).
#pragma once

#include <hs/result.h>

#include <array>
#include <cstddef>
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

  // keep_messages makes the transcript also keep every message it absorbs (and those still
  // buffered), for messages(). A TLS 1.2 CertificateVerify signs the handshake messages
  // themselves with the hash of its signature scheme (RFC 5246 §7.4.8), which need not be the
  // PRF hash, so the side that may sign or check one calls this before set_hash().
  void keep_messages() { keep_ = true; }
  // messages returns every message absorbed so far, concatenated; complete only when
  // keep_messages() was called before the hash was set (else empty once it is).
  std::span<const uint8_t> messages() const { return buffered_; }

  // current returns the hash of every message absorbed so far (empty before set_hash()). The
  // value is kept until the next add(): the schedules ask twice for the same point (TLS 1.3:
  // the application secrets and the client Finished both hash ClientHello..server Finished),
  // and each fresh value costs a copy of the hash state.
  std::vector<uint8_t> current() const;
  // clone copies the running state (e.g. to fork a HelloRetryRequest transcript).
  Transcript clone() const;

 private:
  std::unique_ptr<crypto::Hash> hash_;
  // buffered_: the messages before set_hash(), and all of them with keep_.
  std::vector<uint8_t> buffered_;
  bool keep_ = false;
  // current()'s last value, valid while last_len_ is not 0.
  mutable std::array<uint8_t, crypto::kMaxHashLen> last_{};
  mutable size_t last_len_ = 0;
};

}  // namespace hs::detail

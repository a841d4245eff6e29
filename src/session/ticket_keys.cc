// TicketKeys: the named AES-256-GCM key ring that seals session tickets for both versions.
#include <hs/session.h>

#include <algorithm>
#include <mutex>

#include "codec/reader.h"
#include "codec/writer.h"
#include "crypto/provider.h"

namespace hs {

namespace {

std::span<const uint8_t> as_bytes(std::string_view s) {
  return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Aad is the additional data key_name || purpose, on the stack for the purposes we use (a
// longer purpose still works, from the heap).
class Aad {
 public:
  Aad(std::span<const uint8_t> name, std::string_view purpose) {
    const auto p = as_bytes(purpose);
    if (name.size() + p.size() <= small_.size()) {
      auto rest = std::copy(name.begin(), name.end(), small_.begin());
      std::copy(p.begin(), p.end(), rest);
      bytes_ = std::span<const uint8_t>(small_).first(name.size() + p.size());
    } else {
      large_.assign(name.begin(), name.end());
      large_.insert(large_.end(), p.begin(), p.end());
      bytes_ = large_;
    }
  }
  Aad(const Aad&) = delete;
  Aad& operator=(const Aad&) = delete;
  std::span<const uint8_t> bytes() const { return bytes_; }

 private:
  std::array<uint8_t, 64> small_{};
  std::vector<uint8_t> large_;
  std::span<const uint8_t> bytes_;
};

}  // namespace

// AeadPool is one ticket key with its keyed AES-256-GCM contexts: the key schedule is set up
// once per context, not per ticket, and each seal or open only sets the nonce. A context is used
// by one call at a time (an EVP_CIPHER_CTX must not be shared between threads): a call takes an
// idle context out of the pool under the pool's mutex, or keys a new one when none is idle,
// seals or opens with no lock held, and puts it back; at most kMaxIdle stay, enough for the
// threads of a busy server, and a key rotated out of the ring frees its contexts with the pool.
struct TicketKeys::AeadPool {
  static constexpr size_t kMaxIdle = 8;

  explicit AeadPool(std::span<const uint8_t> k) : key(k) {}

  Result<std::unique_ptr<crypto::Aead>> take(const crypto::Provider& provider) {
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        std::unique_ptr<crypto::Aead> aead = std::move(idle.back());
        idle.pop_back();
        return aead;
      }
    }
    return provider.make_aead(crypto::AeadAlg::aes_256_gcm, key.expose());
  }

  void give_back(std::unique_ptr<crypto::Aead> aead) {
    std::lock_guard lock(mu);
    if (idle.size() < kMaxIdle) {
      idle.push_back(std::move(aead));
    }
  }

  const SecretBytes key;
  std::mutex mu;
  std::vector<std::unique_ptr<crypto::Aead>> idle;
};

TicketKeys::TicketKeys(const crypto::Provider* provider, size_t max_keys)
    : provider_(provider), max_keys_(max_keys == 0 ? 1 : max_keys) {}

const crypto::Provider& TicketKeys::provider() const {
  return provider_ != nullptr ? *provider_ : crypto::default_provider();
}

Result<std::shared_ptr<TicketKeys>> TicketKeys::generate(const crypto::Provider* provider,
                                                         size_t max_keys) {
  auto keys = std::make_shared<TicketKeys>(provider, max_keys);
  HS_TRY(keys->rotate());
  return keys;
}

Result<std::shared_ptr<TicketKeys>> TicketKeys::from_bytes(std::span<const uint8_t> bytes,
                                                           const crypto::Provider* provider,
                                                           size_t max_keys) {
  if (bytes.empty() || bytes.size() % kEntryLen != 0) {
    return Error(ErrorCode::invalid_config, "ticket keys",
                 "ticket key data must be a multiple of 48 bytes (16-byte name, 32-byte key)");
  }
  const size_t count = bytes.size() / kEntryLen;
  auto keys = std::make_shared<TicketKeys>(provider, max_keys < count ? count : max_keys);
  codec::Reader in(bytes);
  std::vector<std::pair<std::span<const uint8_t>, std::span<const uint8_t>>> entries;
  for (size_t i = 0; i < count; ++i) {
    std::span<const uint8_t> name;
    std::span<const uint8_t> key;
    if (!in.read_bytes(kNameLen, name) || !in.read_bytes(kKeyLen, key)) {
      return Error(ErrorCode::invalid_config, "ticket keys", "truncated ticket key");
    }
    entries.emplace_back(name, key);
  }
  // add_key makes each key current in turn: add the oldest first so the first entry ends current.
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    HS_TRY(keys->add_key(it->first, it->second));
  }
  return keys;
}

Result<void> TicketKeys::rotate() {
  std::array<uint8_t, kNameLen> name{};
  std::vector<uint8_t> key(kKeyLen);
  HS_TRY(provider().random(name));
  auto r = provider().random(key);
  if (!r.ok()) {
    crypto::secure_wipe(key);
    return r;
  }
  auto added = add_key(name, key);
  crypto::secure_wipe(key);
  return added;
}

Result<void> TicketKeys::add_key(std::span<const uint8_t> name, std::span<const uint8_t> key) {
  if (name.size() != kNameLen || key.size() != kKeyLen) {
    return Error(ErrorCode::invalid_config, "ticket keys", "wrong ticket key size");
  }
  Key k;
  std::copy(name.begin(), name.end(), k.name.begin());
  k.pool = std::make_shared<AeadPool>(key);
  std::lock_guard lock(mu_);
  // A name already in the ring is replaced, so reloading a key file does not duplicate it.
  std::erase_if(keys_, [&](const Key& e) { return e.name == k.name; });
  keys_.insert(keys_.begin(), std::move(k));
  while (keys_.size() > max_keys_) {
    keys_.pop_back();
  }
  return ok_result();
}

Result<std::vector<uint8_t>> TicketKeys::seal(std::span<const uint8_t> plaintext,
                                              std::string_view purpose) const {
  std::array<uint8_t, kNameLen> name{};
  std::shared_ptr<AeadPool> pool;
  {
    std::lock_guard lock(mu_);
    if (keys_.empty()) {
      return Error(ErrorCode::internal_error, "session ticket", "no ticket key");
    }
    name = keys_.front().name;
    pool = keys_.front().pool;
  }
  auto aead = HS_TRY(pool->take(provider()));
  // RFC 5077 §4 (AEAD form): key_name || iv || encrypted_state || tag, sealed in place.
  std::vector<uint8_t> ticket(kOverhead + plaintext.size());
  const std::span<uint8_t> out(ticket);
  std::copy(name.begin(), name.end(), out.begin());
  const std::span<uint8_t> iv = out.subspan(kNameLen, crypto::kAeadNonceLen);
  const std::span<uint8_t> body = out.subspan(kNameLen + crypto::kAeadNonceLen, plaintext.size());
  const std::span<uint8_t> tag = out.last(crypto::kAeadTagLen);
  HS_TRY(provider().random(iv));
  const Aad aad(name, purpose);
  if (!aead->seal_to(iv, aad.bytes(), plaintext, {}, body, tag)) {
    crypto::secure_wipe(ticket);
    return Error(ErrorCode::internal_error, "session ticket", "sealing failed");
  }
  pool->give_back(std::move(aead));
  return ticket;
}

std::optional<SecretBytes> TicketKeys::open(std::span<const uint8_t> ticket,
                                            std::string_view purpose) const {
  if (ticket.size() < kOverhead) {
    return std::nullopt;
  }
  codec::Reader in(ticket);
  std::span<const uint8_t> name;
  std::span<const uint8_t> iv;
  std::span<const uint8_t> body;
  std::span<const uint8_t> tag;
  if (!in.read_bytes(kNameLen, name) || !in.read_bytes(crypto::kAeadNonceLen, iv) ||
      !in.read_bytes(in.remaining() - crypto::kAeadTagLen, body) ||
      !in.read_bytes(crypto::kAeadTagLen, tag) || !in.expect_end()) {
    return std::nullopt;
  }
  std::shared_ptr<AeadPool> pool;
  {
    std::lock_guard lock(mu_);
    for (const Key& k : keys_) {
      // Key names are public (they travel in the clear); a plain comparison is fine.
      if (std::equal(k.name.begin(), k.name.end(), name.begin(), name.end())) {
        pool = k.pool;
        break;
      }
    }
  }
  if (pool == nullptr) {
    return std::nullopt;
  }
  auto aead = pool->take(provider());
  if (!aead.ok()) {
    return std::nullopt;
  }
  SecretBytes plain(body.size());
  if (!aead.value()->open_to(iv, Aad(name, purpose).bytes(), body, plain.expose_mut(), tag)) {
    // A context whose open failed is dropped rather than reused: forged tickets cost a key
    // set-up each, as they did before the pool.
    return std::nullopt;
  }
  pool->give_back(std::move(aead).value());
  return plain;
}

size_t TicketKeys::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

std::array<uint8_t, TicketKeys::kNameLen> TicketKeys::current_name() const {
  std::lock_guard lock(mu_);
  return keys_.empty() ? std::array<uint8_t, kNameLen>{} : keys_.front().name;
}

}  // namespace hs

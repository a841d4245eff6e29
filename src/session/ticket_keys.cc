// TicketKeys: the named AES-256-GCM key ring that seals session tickets for both versions.
#include <hs/session.h>

#include "codec/reader.h"
#include "codec/writer.h"
#include "crypto/provider.h"

namespace hs {

namespace {

std::span<const uint8_t> as_bytes(std::string_view s) {
  return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::vector<uint8_t> make_aad(std::span<const uint8_t> name, std::string_view purpose) {
  std::vector<uint8_t> aad(name.begin(), name.end());
  auto p = as_bytes(purpose);
  aad.insert(aad.end(), p.begin(), p.end());
  return aad;
}

}  // namespace

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
  k.key = SecretBytes(key);
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
  SecretBytes key;
  {
    std::lock_guard lock(mu_);
    if (keys_.empty()) {
      return Error(ErrorCode::internal_error, "session ticket", "no ticket key");
    }
    name = keys_.front().name;
    key = keys_.front().key.clone();
  }
  auto aead = HS_TRY(provider().make_aead(crypto::AeadAlg::aes_256_gcm, key.expose()));
  std::array<uint8_t, crypto::kAeadNonceLen> iv{};
  HS_TRY(provider().random(iv));
  std::array<uint8_t, crypto::kAeadTagLen> tag{};
  std::vector<uint8_t> body(plaintext.begin(), plaintext.end());
  if (!aead->seal(iv, make_aad(name, purpose), body, tag)) {
    crypto::secure_wipe(body);
    return Error(ErrorCode::internal_error, "session ticket", "sealing failed");
  }
  // RFC 5077 §4 (AEAD form): key_name || iv || encrypted_state || tag.
  std::vector<uint8_t> ticket;
  ticket.reserve(kOverhead + body.size());
  ticket.insert(ticket.end(), name.begin(), name.end());
  ticket.insert(ticket.end(), iv.begin(), iv.end());
  ticket.insert(ticket.end(), body.begin(), body.end());
  ticket.insert(ticket.end(), tag.begin(), tag.end());
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
  SecretBytes key;
  {
    std::lock_guard lock(mu_);
    for (const Key& k : keys_) {
      // Key names are public (they travel in the clear); a plain comparison is fine.
      if (std::equal(k.name.begin(), k.name.end(), name.begin(), name.end())) {
        key = k.key.clone();
        break;
      }
    }
  }
  if (key.empty()) {
    return std::nullopt;
  }
  auto aead = provider().make_aead(crypto::AeadAlg::aes_256_gcm, key.expose());
  if (!aead.ok()) {
    return std::nullopt;
  }
  SecretBytes plain(body);
  if (!aead.value()->open(iv, make_aad(name, purpose), plain.expose_mut(), tag)) {
    return std::nullopt;
  }
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

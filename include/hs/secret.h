// SecretBytes and SecretArray<N>: key material that wipes itself and never prints. Public
// because StoredSession (<hs/session.h>) carries its resumption secret in a SecretBytes;
// secure_wipe is implemented in the library on OPENSSL_cleanse.
#pragma once

#include <hs/export.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace hs::crypto {

// secure_wipe overwrites `bytes` in a way the compiler cannot elide (OPENSSL_cleanse).
HS_API void secure_wipe(std::span<uint8_t> bytes);

// constant_time_equal compares two byte strings in time independent of their contents
// (lengths are public). Use it for every MAC, Finished, binder and secret comparison.
HS_API bool constant_time_equal(std::span<const uint8_t> a, std::span<const uint8_t> b);

}  // namespace hs::crypto

namespace hs {

// SecretBytes owns heap key material. Move-only; wiped on destruction and on move-from. Bytes
// are reachable only through expose(); there is no stream operator.
class HS_API SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : bytes_(n) {}
  explicit SecretBytes(std::span<const uint8_t> bytes) : bytes_(bytes.begin(), bytes.end()) {}
  ~SecretBytes() { crypto::secure_wipe(bytes_); }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {
    other.bytes_.clear();
  }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      crypto::secure_wipe(bytes_);
      bytes_ = std::move(other.bytes_);
      other.bytes_.clear();
    }
    return *this;
  }

  // clone makes an explicit copy (secrets are never copied implicitly).
  SecretBytes clone() const { return SecretBytes(std::span<const uint8_t>(bytes_)); }

  std::span<const uint8_t> expose() const { return bytes_; }
  std::span<uint8_t> expose_mut() { return bytes_; }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  // resize keeps the prefix; shrinking wipes the cut bytes first.
  void resize(size_t n) {
    if (n < bytes_.size()) {
      crypto::secure_wipe(std::span<uint8_t>(bytes_).subspan(n));
    }
    bytes_.resize(n);
  }

 private:
  std::vector<uint8_t> bytes_;
};

// SecretArray<N> is SecretBytes with inline storage of a fixed size.
template <size_t N>
class SecretArray {
 public:
  SecretArray() : bytes_{} {}
  ~SecretArray() { crypto::secure_wipe(bytes_); }
  SecretArray(const SecretArray&) = delete;
  SecretArray& operator=(const SecretArray&) = delete;
  SecretArray(SecretArray&& other) noexcept : bytes_(other.bytes_) {
    crypto::secure_wipe(other.bytes_);
  }
  SecretArray& operator=(SecretArray&& other) noexcept {
    bytes_ = other.bytes_;
    crypto::secure_wipe(other.bytes_);
    return *this;
  }
  std::span<const uint8_t, N> expose() const { return bytes_; }
  std::span<uint8_t, N> expose_mut() { return bytes_; }
  static constexpr size_t size() { return N; }

 private:
  std::array<uint8_t, N> bytes_;
};

// declassify copies secret bytes into a public vector. Every call site says why the bytes may
// become public (a Finished verify_data going on the wire, a key-log line).
inline std::vector<uint8_t> declassify(std::span<const uint8_t> secret) {
  return std::vector<uint8_t>(secret.begin(), secret.end());
}

}  // namespace hs

// SecretBytes and SecretArray<N>: key material that wipes itself and never prints. Public
// because StoredSession (<hs/session.h>) carries its resumption secret in a SecretBytes;
// secure_wipe is implemented in the library on OPENSSL_cleanse.
#pragma once

#include <hs/export.h>

#include <algorithm>
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

// SecretBytes owns key material. Move-only; wiped on destruction and on move-from. Bytes are
// reachable only through expose(); there is no stream operator. Up to kInline bytes (every hash
// output, key, IV and TLS secret) live inside the object, so deriving a key allocates nothing;
// longer ones (a key block, an exporter's output) go to the heap.
class HS_API SecretBytes {
 public:
  static constexpr size_t kInline = 64;

  SecretBytes() = default;
  explicit SecretBytes(size_t n) { allocate(n); }
  explicit SecretBytes(std::span<const uint8_t> bytes) {
    allocate(bytes.size());
    if (!bytes.empty()) {
      std::copy(bytes.begin(), bytes.end(), data());
    }
  }
  ~SecretBytes() { release(); }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept { take(other); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }

  // clone makes an explicit copy (secrets are never copied implicitly).
  SecretBytes clone() const { return SecretBytes(expose()); }

  std::span<const uint8_t> expose() const { return {data(), size_}; }
  std::span<uint8_t> expose_mut() { return {data(), size_}; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // resize keeps the prefix (new bytes are zero); shrinking wipes the cut bytes first.
  void resize(size_t n) {
    if (n <= size_) {
      crypto::secure_wipe(expose_mut().subspan(n));
      size_ = n;
      return;
    }
    if (n > capacity()) {
      SecretBytes grown(n);
      std::copy_n(data(), size_, grown.data());
      *this = std::move(grown);
      size_ = n;
      return;
    }
    std::fill(data() + size_, data() + n, uint8_t{0});
    size_ = n;
  }

 private:
  uint8_t* data() { return heap_ != nullptr ? heap_.get() : inline_.data(); }
  const uint8_t* data() const { return heap_ != nullptr ? heap_.get() : inline_.data(); }
  size_t capacity() const { return heap_ != nullptr ? heap_size_ : kInline; }
  void allocate(size_t n) {
    if (n > kInline) {
      heap_ = std::make_unique<uint8_t[]>(n);  // zeroed
      heap_size_ = n;
    }
    size_ = n;
  }
  // release wipes every byte this object ever held and frees the heap block.
  void release() {
    if (heap_ != nullptr) {
      crypto::secure_wipe({heap_.get(), heap_size_});
      heap_.reset();
      heap_size_ = 0;
    } else if (size_ != 0) {
      crypto::secure_wipe(std::span<uint8_t>(inline_).first(size_));
    }
    size_ = 0;
  }
  // take moves `other`'s bytes here (this object is empty) and leaves `other` empty and wiped.
  void take(SecretBytes& other) noexcept {
    size_ = other.size_;
    if (other.heap_ != nullptr) {
      heap_ = std::move(other.heap_);
      heap_size_ = other.heap_size_;
      other.heap_size_ = 0;
    } else if (size_ != 0) {
      std::copy_n(other.inline_.data(), size_, inline_.data());
      crypto::secure_wipe(std::span<uint8_t>(other.inline_).first(size_));
    }
    other.size_ = 0;
  }

  size_t size_ = 0;
  size_t heap_size_ = 0;
  std::unique_ptr<uint8_t[]> heap_;
  std::array<uint8_t, kInline> inline_{};
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

// PlainBuffer: a byte vector whose resize() leaves new bytes uninitialised, for buffers that are
// grown only to be overwritten at once (received records are decrypted straight into one). A
// std::vector<uint8_t> would zero every byte first: one more pass over each record.
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace hs::codec {

// DefaultInitAllocator default-initialises (for bytes: leaves as is) where std::allocator
// value-initialises (zeroes); everything else is std::allocator's.
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() noexcept = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>& /*other*/) noexcept {}

  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// Bytes a caller reads must have been written first: resize() grows with unspecified contents.
using PlainBuffer = std::vector<uint8_t, DefaultInitAllocator<uint8_t>>;

}  // namespace hs::codec

// endpoint.h: hs_bench's Endpoint, one side of one connection in any library (ours, OpenSSL's
// libssl in bench.cc, GnuTLS in gnutls_side.cc), so each library implements it once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace bench {

using Bytes = std::vector<uint8_t>;

// Endpoint is one side of one connection, either library. drive() feeds the peer's bytes in,
// advances, and appends what the side wants to send to `out`.
class Endpoint {
 public:
  virtual ~Endpoint() = default;
  virtual bool drive(std::span<const uint8_t> in, Bytes& out) = 0;
  virtual bool connected() const = 0;
  virtual bool resumed() const = 0;
  virtual bool write(std::span<const uint8_t> data, Bytes& out) = 0;
  // read_into feeds `in` and appends all the plaintext it yields to `plain`.
  virtual bool read_into(std::span<const uint8_t> in, Bytes& plain) = 0;

  // The bulk scenarios move bytes as a socket application would, so that the harness's own
  // copies are not charged to either library: write_view() seals `data` and returns the records
  // where the library left them (what send() would take them from; ours: output(), OpenSSL: its
  // memory BIO's bytes), release_output() drops them once the peer has read them, and
  // read_to() feeds `in` and reads the plaintext into `dest` from offset `got` on (a buffer
  // allocated once, as a recv loop's, so no zero-filling per call).
  virtual std::optional<std::span<const uint8_t>> write_view(std::span<const uint8_t> data) = 0;
  virtual void release_output() = 0;
  virtual bool read_to(std::span<const uint8_t> in, std::span<uint8_t> dest, size_t& got) = 0;
};

}  // namespace bench

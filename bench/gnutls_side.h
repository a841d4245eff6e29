// gnutls_side.h: GnuTLS 3.7 as hs_bench's second baseline (bench.cc adapts it to its Endpoint and
// Library). Self-contained on purpose: bench.cc's harness types stay where they are, and this
// header names none of them. GnuTLS, like libssl, is a bench-only dependency.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gnutls_side {

using Bytes = std::vector<uint8_t>;

enum class Resume { none, session_id, ticket };

struct Config {
  bool tls13 = false;
  // A GnuTLS priority string naming exactly the scenario's suite (see cipher_priority()).
  std::string cipher;  // e.g. "+AES-128-GCM"
  std::string kx;      // TLS 1.2: "+ECDHE-ECDSA" or "+ECDHE-RSA"; empty for TLS 1.3
  std::string cert_pem;
  std::string key_pem;  // PKCS#8
  std::string ca_pem;   // the root the client verifies the chain against
  Resume resume = Resume::none;
};

// Heap counting. GnuTLS 3.7 allocates with libc's malloc directly (gnutls_global_set_mem_functions
// is a no-op since 3.3.0), as do nettle, gmp and libtasn1 under it, so gnutls_side.cc interposes
// malloc/calloc/realloc/free for the whole program and, while a counting endpoint's call runs,
// charges blocks requested from outside the hs_bench executable (i.e. by the shared libraries) to
// `*side` through `charge`. hs_bench's own allocator (operator new, libcrypto's functions) calls
// malloc from inside the executable and is never counted twice. Unavailable under sanitizers.
struct HeapHooks {
  const uint32_t* side = nullptr;
  void (*charge)(uint32_t side, int64_t delta) = nullptr;
};
bool heap_counting_available();

// Session is one side of one connection; the calls mirror hs_bench's Endpoint.
class Session {
 public:
  virtual ~Session() = default;
  virtual bool drive(std::span<const uint8_t> in, Bytes& out) = 0;
  virtual bool connected() const = 0;
  virtual bool resumed() const = 0;
  virtual bool write(std::span<const uint8_t> data, Bytes& out) = 0;
  virtual bool read_into(std::span<const uint8_t> in, Bytes& plain) = 0;
  virtual std::optional<std::span<const uint8_t>> write_view(std::span<const uint8_t> data) = 0;
  virtual void release_output() = 0;
  virtual bool read_to(std::span<const uint8_t> in, std::span<uint8_t> dest, size_t& got) = 0;
  // What was negotiated, e.g. "TLS1.3 AES-128-GCM X25519 ECDSA-SECP256R1-SHA256" (smoke output).
  virtual std::string describe() const = 0;
};

// Context holds one scenario's credentials, priorities, ticket key and server session cache.
class Context {
 public:
  virtual ~Context() = default;
  virtual std::unique_ptr<Session> client() = 0;
  virtual std::unique_ptr<Session> server() = 0;
};

// make_context exits the program when GnuTLS rejects the configuration (as bench.cc does for
// ours). `hooks`: count this context's heap (the memory scenario only; it costs a table update
// per allocation, so timed runs leave it off).
std::unique_ptr<Context> make_context(const Config& config, const HeapHooks* hooks = nullptr);

const char* version();

}  // namespace gnutls_side

// gnutls_side.h: GnuTLS 3.7 as hs_bench's second baseline; its sessions are bench::Endpoints
// (endpoint.h) and bench.cc wraps the context in its Library. GnuTLS, like libssl, is a bench-only
// dependency.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "endpoint.h"

namespace gnutls_side {

using bench::Bytes;

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

// A GnuTLS session is one of hs_bench's endpoints.
using Session = bench::Endpoint;

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

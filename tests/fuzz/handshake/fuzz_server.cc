// fuzz_server: our server (RSA and ECDSA certificates from test_keys.h, TLS 1.2 and 1.3,
// deterministic provider) fed the input as the client's bytes, through the public sans-IO API.
// The seed corpus (tests/fuzz/corpus/server/) is what our clients sent this exact server in
// real in-memory handshakes.
#include <hs/connection.h>

#include "crypto/testing/testing_provider.h"
#include "fuzz/handshake/drive.h"
#include "fuzz/handshake/loopback.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs;
  static const ServerConfig base = fuzzing::fuzz_server_config();
  crypto::TestingProvider provider(fuzzing::kServerSeed);
  auto config = std::make_shared<ServerConfig>(base);
  config->provider = &provider;
  auto conn = Connection::server(config);
  fuzzing::check(conn.ok());
  fuzzing::drive(*conn.value(), std::span<const uint8_t>(data, size));
  return 0;
}

// fuzz_client: our client (TLS 1.2 and 1.3 offered, verification off, deterministic provider)
// fed the input as the server's bytes, through the public sans-IO API. The seed corpus
// (tests/fuzz/corpus/client/) is what our server sent this exact client in real in-memory
// handshakes, so mutations start from complete, valid handshakes.
#include <hs/connection.h>

#include "crypto/testing/testing_provider.h"
#include "fuzz/handshake/drive.h"
#include "fuzz/handshake/loopback.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs;
  crypto::TestingProvider provider(fuzzing::kClientSeed);
  auto config = std::make_shared<ClientConfig>(fuzzing::fuzz_client_config());
  config->provider = &provider;
  auto conn = Connection::client(config, fuzzing::kServerName);
  fuzzing::check(conn.ok());
  fuzzing::drive(*conn.value(), std::span<const uint8_t>(data, size));
  return 0;
}

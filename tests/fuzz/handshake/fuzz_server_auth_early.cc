// fuzz_server_auth_early: our server asking for a client certificate and accepting 0-RTT on
// tickets of a fixed key (auth_early.h), fed the input as the client's bytes. It reaches what
// fuzz_server never does: the client's Certificate and CertificateVerify (TLS 1.2 and 1.3),
// PSK binders, early data and EndOfEarlyData. The seeds (tests/fuzz/corpus/server_auth_early/,
// seeds.h) are what our clients sent this exact server: a 0-RTT resumption, full handshakes
// with and without a client certificate.
#include <hs/connection.h>

#include "crypto/testing/testing_provider.h"
#include "fuzz/handshake/auth_early.h"
#include "fuzz/handshake/drive.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  hs::fuzzing::pin_clock();  // the seeds' tickets were issued at the pinned time
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs;
  static const ServerConfig base = fuzzing::auth_early_server_config();
  crypto::TestingProvider provider(fuzzing::kServerSeed);
  auto config = std::make_shared<ServerConfig>(base);
  config->provider = &provider;
  config->early_data_guard = std::make_shared<InMemoryReplayGuard>(4);  // one ticket use per input
  auto conn = Connection::server(config);
  fuzzing::check(conn.ok());
  fuzzing::drive(*conn.value(), std::span<const uint8_t>(data, size));
  uint8_t buf[256];
  while (conn.value()->read_early_data(buf) > 0) {
  }
  return 0;
}

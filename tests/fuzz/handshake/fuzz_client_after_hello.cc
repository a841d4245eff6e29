// fuzz_client_after_hello: fuzz_client with the input spliced after a valid ServerHello, so
// mutations land in the states after it (Certificate, ServerKeyExchange, ServerHelloDone,
// ChangeCipherSpec, Finished, application data) instead of dying in the ServerHello parser.
// At start-up our server answers the fuzz client once per server variant (seeds.h); the first
// input byte picks which ServerHello record is replayed, the rest goes through drive().
#include <hs/connection.h>

#include "crypto/testing/testing_provider.h"
#include "fuzz/handshake/drive.h"
#include "fuzz/handshake/seeds.h"

namespace {
const std::vector<hs::fuzzing::Bytes>* g_prefixes = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_prefixes = new std::vector<hs::fuzzing::Bytes>(hs::fuzzing::server_hello_prefixes());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs;
  if (size < 1) {
    return 0;
  }
  const fuzzing::Bytes& prefix = (*g_prefixes)[data[0] % g_prefixes->size()];
  crypto::TestingProvider provider(fuzzing::kClientSeed);
  auto config = std::make_shared<ClientConfig>(fuzzing::fuzz_client_config());
  config->provider = &provider;
  auto conn = Connection::client(config, fuzzing::kServerName);
  fuzzing::check(conn.ok());
  fuzzing::drain(*conn.value());
  if (!conn.value()->receive(prefix).ok()) {
    return 0;  // a variant whose handshake fails at the ServerHello (see seeds.h)
  }
  fuzzing::drive(*conn.value(), std::span<const uint8_t>(data, size).subspan(1));
  return 0;
}

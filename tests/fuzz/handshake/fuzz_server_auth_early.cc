// fuzz_server_auth_early: our server asking for a client certificate, accepting 0-RTT on
// tickets of a fixed key and one external PSK (auth_early.h), fed the input as the client's
// bytes. It reaches what fuzz_server never does: the client's Certificate and CertificateVerify
// (TLS 1.2 and 1.3, in the handshake and after it), ticket and external PSK binders, psk_ke,
// early data and EndOfEarlyData. The seeds (tests/fuzz/corpus/server_auth_early/, seeds.h) are
// what our clients sent this exact server: a 0-RTT resumption, an external PSK, full handshakes
// with and without a client certificate, and a post-handshake answer.
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
  // Once connected, ask again after the handshake (RFC 8446 §4.6.2); refused, and so a no-op,
  // unless the client offered post_handshake_auth over TLS 1.3.
  bool asked = false;
  fuzzing::drive<Connection>(*conn.value(), std::span<const uint8_t>(data, size),
                             [&asked](Connection& c) {
                               if (!asked && c.is_connected()) {
                                 asked = true;
                                 (void)c.request_client_certificate(ClientAuth::request);
                               }
                             });
  uint8_t buf[256];
  while (conn.value()->read_early_data(buf) > 0) {
  }
  return 0;
}

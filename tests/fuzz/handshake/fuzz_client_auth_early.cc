// fuzz_client_auth_early: our client with an Ed25519 client certificate, offering post-handshake
// authentication, resuming a TLS 1.3 session with 0-RTT data (auth_early.h), fed the input as
// the server's bytes. It reaches what fuzz_client never does: CertificateRequest handling and
// the client's Certificate and CertificateVerify (TLS 1.2 and 1.3, in the handshake and after
// it), the PSK offer, and early data accepted or rejected. The seeds
// (tests/fuzz/corpus/client_auth_early/, seeds.h) are what our server sent this exact client:
// 0-RTT accepted, 0-RTT declined, full handshakes with a CertificateRequest, and one followed by
// a post-handshake CertificateRequest.
//
// The first input byte's top bit picks the client: clear, it resumes the session with 0-RTT
// data; set, it holds no session (a full handshake; it offered early data, it would send the
// dummy ChangeCipherSpec at once, which a TLS 1.2 server refuses). The byte's low 7 bits then
// cut the rest into receive() calls as drive.h does.
#include <hs/connection.h>

#include "crypto/testing/testing_provider.h"
#include "fuzz/handshake/auth_early.h"
#include "fuzz/handshake/drive.h"

namespace {
const hs::StoredSession* g_session = nullptr;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static const std::optional<hs::StoredSession> session = hs::fuzzing::first_session();
  hs::fuzzing::check(session.has_value());
  g_session = &*session;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs;
  fuzzing::Bytes input(data, data + size);
  const bool resume = input.empty() || (input[0] & 0x80) == 0;
  if (!input.empty()) {
    input[0] &= 0x7F;
  }
  crypto::TestingProvider provider(fuzzing::kClientSeed);
  auto config = std::make_shared<ClientConfig>(
      fuzzing::auth_early_client_config(resume ? g_session : nullptr));
  config->provider = &provider;
  auto conn = Connection::client(config, fuzzing::kServerName);
  fuzzing::check(conn.ok());
  if (resume) {
    auto early = conn.value()->write_early_data(fuzzing::early_data_bytes());
    fuzzing::check(early.ok() && early.value() == fuzzing::kEarlyData.size());
  }
  fuzzing::drive(*conn.value(), std::span<const uint8_t>(input));
  return 0;
}

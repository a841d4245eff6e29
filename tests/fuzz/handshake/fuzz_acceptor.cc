// fuzz_acceptor: hs::Acceptor fed the input as a client's first bytes, cut into receive() calls
// as fuzzing::drive cuts them (the first byte picks the chunk size). Whatever it reports must
// hold together: an error is sticky and leaves at most one alert record to send, a complete
// ClientHello shows its info, and the connection accept() makes from the same bytes (the fuzz
// server's configuration) is driven on like fuzz_server's. The seed corpus
// (tests/fuzz/corpus/acceptor/) is fuzz_server's: what our clients sent that server.
#include <hs/acceptor.h>
#include <hs/connection.h>

#include "crypto/testing/testing_provider.h"
#include "fuzz/handshake/drive.h"
#include "fuzz/handshake/loopback.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs;
  if (size == 0) {
    return 0;
  }
  static const ServerConfig base = fuzzing::fuzz_server_config();
  const std::span<const uint8_t> input(data, size);
  size_t chunk = input[0];
  std::span<const uint8_t> rest = input.subspan(1);
  if (chunk == 0) {
    chunk = rest.empty() ? 1 : rest.size();
  }
  Acceptor acceptor;
  std::optional<ErrorCode> failed;
  bool ready = false;
  while (!rest.empty()) {
    const size_t n = chunk < rest.size() ? chunk : rest.size();
    auto r = acceptor.receive(rest.first(n));
    rest = rest.subspan(n);
    if (!r.ok()) {
      fuzzing::check(!failed || r.error().code() == *failed);  // sticky
      failed = r.error().code();
      // One alert record (5-byte header, level and description), or nothing for the
      // client's own alert.
      fuzzing::check(r.error().alert() ? acceptor.output().size() == 7 && acceptor.output()[0] == 21
                                       : acceptor.output().empty());
      continue;
    }
    fuzzing::check(!failed);
    // Once complete, the ClientHello stays complete.
    fuzzing::check(!ready || r.value());
    ready = r.value();
    fuzzing::check(ready == (acceptor.client_hello() != nullptr));
  }
  crypto::TestingProvider provider(fuzzing::kServerSeed);
  auto config = std::make_shared<ServerConfig>(base);
  config->provider = &provider;
  auto conn = acceptor.accept(config);
  fuzzing::check(conn.ok() == (ready && !failed));
  if (!conn.ok()) {
    return 0;
  }
  Connection& c = *conn.value();
  if (c.failed()) {
    // Refused while reading what the Acceptor kept: its alert is queued (the seeds hold whole
    // client flights, whose Finished does not match a server of another random).
    fuzzing::check(!fuzzing::split_records(c.output()).empty());
    fuzzing::drain(c);
    return 0;
  }
  fuzzing::drain(c);
  // Drive on with the input again, as more bytes from the same client.
  fuzzing::drive(c, input);
  return 0;
}

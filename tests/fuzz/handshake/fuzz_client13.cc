// fuzz_client13: our TLS 1.3 client made to send RFC 8448 §3's ClientHello byte for byte (the
// RFC's random and x25519 key through a scripted provider, client::TestHooks for the RFC's
// extension list, as tests/unit/handshake/client13/rfc8448_test.cc does), fed the input as the
// server's bytes. The seeds (tests/fuzz/corpus/client13/) are the RFC's server records, which
// are valid for exactly this client, so the fuzzer starts from a complete TLS 1.3 handshake
// (EncryptedExtensions .. Finished, NewSessionTicket, application data, close_notify) while
// there is no TLS 1.3 server of ours to record against.
#include <hs/connection.h>

#include <string_view>

#include "fuzz/handshake/drive.h"
#include "fuzz/handshake/rfc8448_client.h"
#include "messages/messages.h"

namespace {

using hs::fuzzing::Bytes;

constexpr std::string_view kClientHello =  // RFC 8448 §3 ClientHello (196 octets)
    "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef"
    "6283024dece7000006130113031302010000910000000b000900000673657276"
    "6572ff01000100000a00140012001d0017001800190100010101020103010400"
    "230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e"
    "51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603"
    "020308040805080604010501060102010402050206020202002d00020101001c"
    "00024001";
constexpr std::string_view kClientPrivate =  // the client's x25519 private key
    "49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005";

Bytes from_hex(std::string_view hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    out.push_back(static_cast<uint8_t>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return out;
}

struct Rfc {
  Bytes hello_raw;
  hs::messages::ClientHello hello;
  Bytes priv;
};
const Rfc* g_rfc = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto* rfc = new Rfc;
  rfc->hello_raw = from_hex(kClientHello);
  auto hello =
      hs::messages::parse_client_hello(std::span<const uint8_t>(rfc->hello_raw).subspan(4));
  hs::fuzzing::check(hello.ok());
  rfc->hello = std::move(hello).value();
  rfc->priv = from_hex(kClientPrivate);
  g_rfc = rfc;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs;
  fuzzing::Rfc8448Client client(g_rfc->hello, g_rfc->priv);
  fuzzing::check(client.started());
  fuzzing::drive(client.conn(), std::span<const uint8_t>(data, size));
  return 0;
}

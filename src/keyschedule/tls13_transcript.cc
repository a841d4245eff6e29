#include "keyschedule/tls13_transcript.h"

#include "codec/wire.h"
#include "codec/writer.h"

namespace hs::keyschedule {

std::vector<uint8_t> message_hash_message(std::span<const uint8_t> client_hello1_hash) {
  // RFC 8446, 4.4.1:
  //   Transcript-Hash(ClientHello1, HelloRetryRequest, ... Mn) =
  //       Hash(message_hash ||        /* Handshake type */
  //            00 00 Hash.length  ||  /* Handshake message length (bytes) */
  //            Hash(ClientHello1) ||  /* Hash of ClientHello1 */
  //            HelloRetryRequest  || ... || Mn)
  std::vector<uint8_t> out;
  {
    codec::Writer w(out);
    w.write_enum8(HandshakeType::message_hash);
    w.write_prefixed_bytes(codec::Len::u24, client_hello1_hash);
  }
  return out;
}

std::vector<uint8_t> message_hash_of(const crypto::Provider& provider, crypto::HashAlg hash,
                                     std::span<const uint8_t> client_hello1) {
  std::vector<uint8_t> digest(crypto::hash_len(hash));
  auto h = provider.make_hash(hash);
  h->update(client_hello1);
  h->current(digest);
  return message_hash_message(digest);
}

}  // namespace hs::keyschedule

// The synthetic "message_hash" handshake message that replaces ClientHello1 in the transcript
// after a HelloRetryRequest (RFC 8446, 4.4.1).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/provider.h"

namespace hs::keyschedule {

// message_hash_message builds the synthetic handshake message
//   message_hash (254) || 00 00 Hash.length || Hash(ClientHello1)
// from `client_hello1_hash` (1..255 bytes; callers pass Hash(ClientHello1)). A server doing a
// stateless HelloRetryRequest rebuilds the transcript from this and the cookie.
std::vector<uint8_t> message_hash_message(std::span<const uint8_t> client_hello1_hash);

// message_hash_of hashes the whole ClientHello1 message (header included) with `hash` and
// returns message_hash_message() of the result. Feed it to a fresh transcript in place of
// ClientHello1, then add HelloRetryRequest, ClientHello2, ...
std::vector<uint8_t> message_hash_of(const crypto::Provider& provider, crypto::HashAlg hash,
                                     std::span<const uint8_t> client_hello1);

}  // namespace hs::keyschedule

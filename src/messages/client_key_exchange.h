// ClientKeyExchange, ECDHE form only (RFC 8422 §5.7).
//
//   struct { ECPoint ecdh_Yc; } ClientECDiffieHellmanPublic;   opaque point <1..2^8-1>;
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"

namespace hs::messages {

struct ClientKeyExchangeEcdhe {
  static constexpr HandshakeType kType = HandshakeType::client_key_exchange;
  std::vector<uint8_t> public_key;  // 1..255 bytes (uncompressed point or X25519 key)
  bool operator==(const ClientKeyExchangeEcdhe&) const = default;
};

// parse_client_key_exchange_ecdhe parses the body; malformed -> decode_error. The point itself is
// validated by the key share when it is used.
Result<ClientKeyExchangeEcdhe> parse_client_key_exchange_ecdhe(std::span<const uint8_t> body);

Result<void> serialize(const ClientKeyExchangeEcdhe& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

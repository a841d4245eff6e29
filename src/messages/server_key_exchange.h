// ServerKeyExchange, ECDHE form only (RFC 8422 §5.4, RFC 5246 §7.4.3).
//
//   enum { explicit_prime (1), explicit_char2 (2), named_curve (3), reserved(248..255) }
//       ECCurveType;
//   struct { ECCurveType curve_type; NamedCurve namedcurve; } ECParameters;  (named_curve only)
//   struct { ECParameters curve_params; ECPoint public; } ServerECDHParams;
//   opaque point <1..2^8-1>;  (ECPoint)
//   struct { ServerECDHParams params; digitally-signed { ... } signed_params; } ServerKeyExchange;
//   digitally-signed: SignatureAndHashAlgorithm algorithm; opaque signature<0..2^16-1>;
#pragma once

#include <hs/result.h>
#include <hs/wire.h>

#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"

namespace hs::messages {

inline constexpr uint8_t kCurveTypeNamedCurve = 3;

// ServerKeyExchangeEcdhe is the ECDHE ServerKeyExchange. A server fills every field but
// `signature`, signs ske_signed_content(), then sets `signature` and serializes.
struct ServerKeyExchangeEcdhe {
  static constexpr HandshakeType kType = HandshakeType::server_key_exchange;
  uint8_t curve_type = kCurveTypeNamedCurve;
  NamedGroup group{};
  std::vector<uint8_t> public_key;  // 1..255 bytes
  SignatureScheme scheme{};
  std::vector<uint8_t> signature;  // 0..2^16-1 bytes
  bool operator==(const ServerKeyExchangeEcdhe&) const = default;
};

// parse_server_key_exchange_ecdhe parses the body. curve_type other than named_curve(3) ->
// illegal_parameter (RFC 8422 §5.4 deprecates explicit curves, and the rest of such a message
// could not be parsed by us); malformed -> decode_error. Group and scheme pass through unchecked.
Result<ServerKeyExchangeEcdhe> parse_server_key_exchange_ecdhe(std::span<const uint8_t> body);

Result<void> serialize(const ServerKeyExchangeEcdhe& msg, std::vector<uint8_t>& body_out);

// ske_params_bytes returns the encoded ServerECDHParams (curve_type, group, uint8-prefixed point).
std::vector<uint8_t> ske_params_bytes(const ServerKeyExchangeEcdhe& msg);

// ske_signed_content returns what the signature covers (RFC 8422 §5.4 / RFC 5246 §7.4.3):
// ClientHello.random + ServerHello.random + ServerECDHParams.
std::vector<uint8_t> ske_signed_content(std::span<const uint8_t, 32> client_random,
                                        std::span<const uint8_t, 32> server_random,
                                        const ServerKeyExchangeEcdhe& msg);

}  // namespace hs::messages

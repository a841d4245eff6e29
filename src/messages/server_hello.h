// ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3).
//
//   struct {
//       ProtocolVersion legacy_version = 0x0303;
//       Random random;
//       opaque legacy_session_id_echo<0..32>;
//       CipherSuite cipher_suite;
//       uint8 legacy_compression_method = 0;
//       Extension extensions<6..2^16-1>;     (TLS 1.2: optional, <0..2^16-1>)
//   } ServerHello;
#pragma once

#include <hs/result.h>
#include <hs/wire.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "codec/wire.h"
#include "messages/extensions.h"

namespace hs::messages {

// ServerHello owns all its fields; a HelloRetryRequest is a ServerHello whose random is
// kHelloRetryRequestRandom.
struct ServerHello {
  static constexpr HandshakeType kType = HandshakeType::server_hello;
  ProtocolVersion legacy_version = ProtocolVersion::tls1_2;
  std::array<uint8_t, 32> random{};
  std::vector<uint8_t> legacy_session_id;  // 0..32 bytes (the echo)
  CipherSuite cipher_suite{};
  uint8_t compression_method = 0;
  std::vector<Extension> extensions;
  bool operator==(const ServerHello&) const = default;
};

// kHelloRetryRequestRandom is SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
inline constexpr std::array<uint8_t, 32> kHelloRetryRequestRandom = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

// Downgrade sentinels: the last 8 bytes of ServerHello.random (RFC 8446 §4.1.3) when a TLS 1.3
// server negotiates TLS 1.2 (kDowngradeTls12) or below (kDowngradeTls11).
inline constexpr std::array<uint8_t, 8> kDowngradeTls12 = {0x44, 0x4F, 0x57, 0x4E,
                                                           0x47, 0x52, 0x44, 0x01};
inline constexpr std::array<uint8_t, 8> kDowngradeTls11 = {0x44, 0x4F, 0x57, 0x4E,
                                                           0x47, 0x52, 0x44, 0x00};

// is_hello_retry_request reports whether `sh` is a HelloRetryRequest (random equals
// kHelloRetryRequestRandom).
bool is_hello_retry_request(const ServerHello& sh);

enum class DowngradeSentinel : uint8_t { none, tls12, tls11 };
// downgrade_sentinel reports which sentinel, if any, ends `server_random`.
DowngradeSentinel downgrade_sentinel(const std::array<uint8_t, 32>& server_random);

// parse_server_hello parses a ServerHello (or HelloRetryRequest) body. A body ending after
// compression_method has no extensions. Malformed -> decode_error; duplicate extension ->
// duplicate_extension.
Result<ServerHello> parse_server_hello(std::span<const uint8_t> body);

// serialize appends the ServerHello body; the extension block is omitted when empty (RFC 5246
// servers must not send extensions the client did not offer, and some TLS 1.2 clients reject
// an empty block).
Result<void> serialize(const ServerHello& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

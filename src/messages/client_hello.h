// ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).
//
//   struct {
//       ProtocolVersion legacy_version = 0x0303;
//       Random random;
//       opaque legacy_session_id<0..32>;
//       CipherSuite cipher_suites<2..2^16-2>;
//       opaque legacy_compression_methods<1..2^8-1>;
//       Extension extensions<8..2^16-1>;     (TLS 1.2: optional, <0..2^16-1>)
//   } ClientHello;
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

// ClientHello owns all its fields. Cipher suites unknown to us (and GREASE) keep their numeric
// value in the open CipherSuite enum; versions likewise.
struct ClientHello {
  static constexpr HandshakeType kType = HandshakeType::client_hello;
  ProtocolVersion legacy_version = ProtocolVersion::tls1_2;
  std::array<uint8_t, 32> random{};
  std::vector<uint8_t> legacy_session_id;    // 0..32 bytes
  std::vector<CipherSuite> cipher_suites;    // 1..32767 suites
  std::vector<uint8_t> compression_methods;  // 1..255 bytes; {0} in every hello we accept
  std::vector<Extension> extensions;
  bool operator==(const ClientHello&) const = default;
};

// parse_client_hello parses a ClientHello body. A body that ends after compression_methods
// yields no extensions (RFC 5246 §7.4.1.2 allows this); otherwise the extension block must
// consume the rest exactly. Malformed -> decode_error; duplicate extension -> duplicate_extension.
// Nothing is validated beyond the grammar (null compression, versions, suites: logic's job).
Result<ClientHello> parse_client_hello(std::span<const uint8_t> body);

// serialize appends the ClientHello body. The extension block is omitted when `extensions` is
// empty. Fails (internal_error) on out-of-bounds vectors (e.g. no cipher suites, a 33-byte
// session id).
Result<void> serialize(const ClientHello& msg, std::vector<uint8_t>& body_out);

}  // namespace hs::messages

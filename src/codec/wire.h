// Wire enums that stay inside the library: record content types, handshake types, extensions.
// Enumerators are spelled as in the RFCs. Unknown values pass through the parsers unchanged and
// are rejected by logic, not by the parser.
#pragma once

#include <hs/alert.h>
#include <hs/wire.h>

#include <cstdint>
#include <string_view>

namespace hs {

// ContentType: RFC 8446 §5.1.
enum class ContentType : uint8_t {
  invalid = 0,
  change_cipher_spec = 20,
  alert = 21,
  handshake = 22,
  application_data = 23,
};

// HandshakeType: RFC 8446 §4 and RFC 5246 §7.4.
enum class HandshakeType : uint8_t {
  hello_request = 0,
  client_hello = 1,
  server_hello = 2,
  new_session_ticket = 4,
  end_of_early_data = 5,
  encrypted_extensions = 8,
  certificate = 11,
  server_key_exchange = 12,
  certificate_request = 13,
  server_hello_done = 14,
  certificate_verify = 15,
  client_key_exchange = 16,
  finished = 20,
  certificate_status = 22,
  key_update = 24,
  message_hash = 254,
};

// ExtensionType: RFC 8446 §4.2 plus the TLS 1.2 extensions we speak.
enum class ExtensionType : uint16_t {
  server_name = 0,
  max_fragment_length = 1,
  status_request = 5,
  supported_groups = 10,
  ec_point_formats = 11,
  signature_algorithms = 13,
  use_srtp = 14,
  heartbeat = 15,
  application_layer_protocol_negotiation = 16,
  signed_certificate_timestamp = 18,
  padding = 21,
  encrypt_then_mac = 22,
  extended_master_secret = 23,
  record_size_limit = 28,
  session_ticket = 35,
  pre_shared_key = 41,
  early_data = 42,
  supported_versions = 43,
  cookie = 44,
  psk_key_exchange_modes = 45,
  certificate_authorities = 47,
  oid_filters = 48,
  post_handshake_auth = 49,
  signature_algorithms_cert = 50,
  key_share = 51,
  renegotiation_info = 0xFF01,
};

// Record and handshake size limits (RFC 8446 §5.1, §5.2; RFC 5246 §6.2).
inline constexpr size_t kMaxPlaintext = 1 << 14;
inline constexpr size_t kMaxCiphertext12 = (1 << 14) + 2048;
inline constexpr size_t kMaxCiphertext13 = (1 << 14) + 256;
inline constexpr size_t kRecordHeaderLen = 5;
inline constexpr size_t kHandshakeHeaderLen = 4;

// Names for traces: RFC spellings; "" when unknown.
std::string_view content_type_name(ContentType t);
std::string_view handshake_type_name(HandshakeType t);
std::string_view extension_type_name(ExtensionType t);

}  // namespace hs

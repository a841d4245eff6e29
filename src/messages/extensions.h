// Extensions: the generic block (RFC 8446 §4.2, RFC 5246 §7.4.1.4) and typed extension bodies.
//
//   struct {
//       ExtensionType extension_type;
//       opaque extension_data<0..2^16-1>;
//   } Extension;
//
// Unknown extension types and GREASE values pass through parse_extensions as raw Extension
// values; whether an extension is allowed in a message is decided by the handshake logic, not
// here. The typed parse_* functions take an Extension's `data` and return decode_error for any
// malformed body (illegal_parameter only where the RFC says so); serialize_* APPEND the body to
// `out` and fail with internal_error when a value does not fit its RFC bounds.
#pragma once

#include <hs/result.h>
#include <hs/wire.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/reader.h"
#include "codec/wire.h"
#include "codec/writer.h"

namespace hs::messages {

// Extension is one extension with its undecoded body (owned).
struct Extension {
  ExtensionType type;
  std::vector<uint8_t> data;
  bool operator==(const Extension&) const = default;
};

// parse_extensions reads a uint16-prefixed extension block `Extension extensions<0..2^16-1>`
// from `in` (consuming the prefix and the block). The block must be consumed exactly by its
// entries (decode_error otherwise). A type seen twice is Error(ErrorCode::duplicate_extension)
// (RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type in a given
// extension block."). TLS 1.2 hellos may omit the block entirely: callers check `in.empty()`
// before calling. The tighter TLS 1.3 minimums (8 for ClientHello, 6 for ServerHello) are left
// to the logic since the hellos are shared with TLS 1.2.
Result<std::vector<Extension>> parse_extensions(codec::Reader& in);

// write_extensions writes `exts` as a uint16-prefixed block (in the given order). Overflow marks
// `w` failed.
void write_extensions(const std::vector<Extension>& exts, codec::Writer& w);

// find_extension returns the first extension of `type` in `exts`, or nullptr. The pointer is
// into `exts`.
const Extension* find_extension(const std::vector<Extension>& exts, ExtensionType type);

// ---- server_name (RFC 6066 §3) ----
//   struct { NameType name_type; select (name_type) { case host_name: HostName; } name; }
//   ServerName; enum { host_name(0), (255) } NameType;  opaque HostName<1..2^16-1>; struct {
//   ServerName server_name_list<1..2^16-1> } ServerNameList;
// parse_server_name parses the ClientHello form and returns the host_name (bytes as sent, no
// validation of DNS syntax), or "" when the list holds no host_name entry (only unknown types,
// which are skipped: RFC 6066 §3 "all future data structures associated with new NameTypes MUST
// begin with a 16-bit length field"). Two entries of the same name_type -> decode_error (RFC 6066
// §3: "The ServerNameList MUST NOT contain more than one name of the same name_type."; the RFC
// names no alert, so this is treated as a malformed list); an empty name -> decode_error.
Result<std::string> parse_server_name(std::span<const uint8_t> data);
// serialize_server_name writes a list with one host_name entry (`host` non-empty).
Result<void> serialize_server_name(std::string_view host, std::vector<uint8_t>& out);
// parse_server_name_ack checks the ServerHello / EncryptedExtensions form, whose
// "extension_data" field "SHALL be empty" (RFC 6066 §3). Non-empty -> decode_error.
Result<void> parse_server_name_ack(std::span<const uint8_t> data);

// ---- supported_groups (RFC 8446 §4.2.7, RFC 8422 §5.1.1) ----
//   struct { NamedGroup named_group_list<2..2^16-1>; } NamedGroupList;   (even length)
// Unknown and GREASE groups pass through.
Result<std::vector<NamedGroup>> parse_supported_groups(std::span<const uint8_t> data);
Result<void> serialize_supported_groups(const std::vector<NamedGroup>& groups,
                                        std::vector<uint8_t>& out);

// ---- ec_point_formats (RFC 8422 §5.1.2) ----
//   struct { ECPointFormat ec_point_format_list<1..2^8-1> } ECPointFormatList;
inline constexpr uint8_t kEcPointFormatUncompressed = 0;
Result<std::vector<uint8_t>> parse_ec_point_formats(std::span<const uint8_t> data);
Result<void> serialize_ec_point_formats(const std::vector<uint8_t>& formats,
                                        std::vector<uint8_t>& out);

// ---- signature_algorithms / signature_algorithms_cert (RFC 8446 §4.2.3) ----
//   struct { SignatureScheme supported_signature_algorithms<2..2^16-2>; } SignatureSchemeList;
// Both extensions share this body. Unknown schemes pass through.
Result<std::vector<SignatureScheme>> parse_signature_algorithms(std::span<const uint8_t> data);
Result<void> serialize_signature_algorithms(const std::vector<SignatureScheme>& schemes,
                                            std::vector<uint8_t>& out);
inline Result<std::vector<SignatureScheme>> parse_signature_algorithms_cert(
    std::span<const uint8_t> data) {
  return parse_signature_algorithms(data);
}
inline Result<void> serialize_signature_algorithms_cert(const std::vector<SignatureScheme>& s,
                                                        std::vector<uint8_t>& out) {
  return serialize_signature_algorithms(s, out);
}

// ---- application_layer_protocol_negotiation (RFC 7301 §3.1) ----
//   opaque ProtocolName<1..2^8-1>;
//   struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
// parse_alpn parses the ClientHello form (protocol names as byte strings, in order).
Result<std::vector<std::string>> parse_alpn(std::span<const uint8_t> data);
Result<void> serialize_alpn(const std::vector<std::string>& protocols, std::vector<uint8_t>& out);
// parse_alpn_server parses the server's form: the "ProtocolNameList MUST contain exactly one
// "ProtocolName"" (RFC 7301 §3.1). Zero or several names -> decode_error.
Result<std::string> parse_alpn_server(std::span<const uint8_t> data);
Result<void> serialize_alpn_server(std::string_view protocol, std::vector<uint8_t>& out);

// ---- supported_versions (RFC 8446 §4.2.1) ----
//   ClientHello:  ProtocolVersion versions<2..254>;
//   ServerHello / HelloRetryRequest:  ProtocolVersion selected_version;
// Unknown and GREASE versions pass through as numeric values.
Result<std::vector<ProtocolVersion>> parse_supported_versions_client(std::span<const uint8_t> data);
Result<void> serialize_supported_versions_client(const std::vector<ProtocolVersion>& versions,
                                                 std::vector<uint8_t>& out);
Result<ProtocolVersion> parse_supported_versions_server(std::span<const uint8_t> data);
Result<void> serialize_supported_versions_server(ProtocolVersion version,
                                                 std::vector<uint8_t>& out);

// ---- key_share (RFC 8446 §4.2.8) ----
//   struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;
//   ClientHello:       KeyShareEntry client_shares<0..2^16-1>;
//   HelloRetryRequest: NamedGroup selected_group;
//   ServerHello:       KeyShareEntry server_share;
struct KeyShareEntry {
  NamedGroup group;
  std::vector<uint8_t> key_exchange;
  bool operator==(const KeyShareEntry&) const = default;
};
// parse_key_share_client parses client_shares. Two entries for one group -> illegal_parameter
// (RFC 8446 §4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same group.
// ... Servers MAY check for violations of these rules and abort the handshake with an
// "illegal_parameter" alert if one is violated.").
Result<std::vector<KeyShareEntry>> parse_key_share_client(std::span<const uint8_t> data);
Result<void> serialize_key_share_client(const std::vector<KeyShareEntry>& shares,
                                        std::vector<uint8_t>& out);
Result<KeyShareEntry> parse_key_share_server(std::span<const uint8_t> data);
Result<void> serialize_key_share_server(const KeyShareEntry& share, std::vector<uint8_t>& out);
Result<NamedGroup> parse_key_share_hrr(std::span<const uint8_t> data);
Result<void> serialize_key_share_hrr(NamedGroup group, std::vector<uint8_t>& out);

// ---- renegotiation_info (RFC 5746 §3.2) ----
//   struct { opaque renegotiated_connection<0..255>; } RenegotiationInfo;
// Returns renegotiated_connection (empty on an initial handshake; checking that is logic's job).
Result<std::vector<uint8_t>> parse_renegotiation_info(std::span<const uint8_t> data);
Result<void> serialize_renegotiation_info(std::span<const uint8_t> renegotiated_connection,
                                          std::vector<uint8_t>& out);

// ---- empty-bodied extensions ----
// extended_master_secret (RFC 7627 §5.1: "The "extension_data" field of this extension is
// empty."), encrypt_then_mac (RFC 7366), post_handshake_auth, early_data outside
// NewSessionTicket, and server_name in a server's reply. Non-empty -> decode_error.
Result<void> parse_empty_extension(std::span<const uint8_t> data);
inline Result<void> parse_extended_master_secret(std::span<const uint8_t> data) {
  return parse_empty_extension(data);
}
inline Result<void> parse_encrypt_then_mac(std::span<const uint8_t> data) {
  return parse_empty_extension(data);
}

// ---- session_ticket (RFC 5077 §3.2) ----
// The body is the opaque ticket itself (any length, empty when asking for a new ticket). There is
// nothing to parse: use the Extension's `data` directly.

// ---- status_request (RFC 6066 §8) ----
// See messages/certificate_status.h (parse_status_request, CertificateStatus).

// ---- psk_key_exchange_modes (RFC 8446 §4.2.9) ----
//   enum { psk_ke(0), psk_dhe_ke(1), (255) } PskKeyExchangeMode;
//   struct { PskKeyExchangeMode ke_modes<1..255>; } PskKeyExchangeModes;
enum class PskKeyExchangeMode : uint8_t { psk_ke = 0, psk_dhe_ke = 1 };
Result<std::vector<PskKeyExchangeMode>> parse_psk_key_exchange_modes(std::span<const uint8_t> data);
Result<void> serialize_psk_key_exchange_modes(const std::vector<PskKeyExchangeMode>& modes,
                                              std::vector<uint8_t>& out);

// ---- cookie (RFC 8446 §4.2.2) ----
//   struct { opaque cookie<1..2^16-1>; } Cookie;
Result<std::vector<uint8_t>> parse_cookie(std::span<const uint8_t> data);
Result<void> serialize_cookie(std::span<const uint8_t> cookie, std::vector<uint8_t>& out);

// ---- pre_shared_key (RFC 8446 §4.2.11) ----
//   struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity;
//   opaque PskBinderEntry<32..255>;
//   struct { PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>; } OfferedPsks;
//   ClientHello: OfferedPsks;  ServerHello: uint16 selected_identity;
struct PskIdentity {
  std::vector<uint8_t> identity;
  uint32_t obfuscated_ticket_age;
  bool operator==(const PskIdentity&) const = default;
};
struct OfferedPsks {
  std::vector<PskIdentity> identities;
  std::vector<std::vector<uint8_t>> binders;
  bool operator==(const OfferedPsks&) const = default;
};
// parse_pre_shared_key_client parses OfferedPsks. The counts of identities and binders must
// match (the binders are "one for each value in the identities list", RFC 8446 §4.2.11);
// a mismatch -> illegal_parameter. Whether the extension is last in the ClientHello is checked
// by the logic.
Result<OfferedPsks> parse_pre_shared_key_client(std::span<const uint8_t> data);
Result<void> serialize_pre_shared_key_client(const OfferedPsks& psks, std::vector<uint8_t>& out);
// psk_binders_size returns the encoded size of the binders list, including its uint16 prefix.
// Since pre_shared_key is the last extension, the binders list is the last psk_binders_size()
// bytes of the ClientHello; Truncate(ClientHello) of RFC 8446 §4.2.11.2 is the message's `raw`
// minus that many trailing bytes. (This is the "binders offset": data.size() - psk_binders_size()
// within the extension body.)
size_t psk_binders_size(const OfferedPsks& psks);
Result<uint16_t> parse_pre_shared_key_server(std::span<const uint8_t> data);
Result<void> serialize_pre_shared_key_server(uint16_t selected_identity, std::vector<uint8_t>& out);

// ---- early_data (RFC 8446 §4.2.10) ----
//   NewSessionTicket: uint32 max_early_data_size;  ClientHello / EncryptedExtensions: empty.
// Use parse_empty_extension for the empty forms.
Result<uint32_t> parse_early_data_nst(std::span<const uint8_t> data);
Result<void> serialize_early_data_nst(uint32_t max_early_data_size, std::vector<uint8_t>& out);

// ---- record_size_limit (RFC 8449 §4) ----
//   uint16 RecordSizeLimit;
// A value below 64 -> illegal_parameter ("Endpoints MUST NOT send a "record_size_limit"
// extension with a value smaller than 64. An endpoint MUST treat receipt of a smaller value as
// a fatal error and generate an "illegal_parameter" alert.").
Result<uint16_t> parse_record_size_limit(std::span<const uint8_t> data);
Result<void> serialize_record_size_limit(uint16_t limit, std::vector<uint8_t>& out);

// make_extension is a helper for building hellos: runs `serialize_body` into a fresh Extension of
// `type`. Example: HS_TRY(make_extension(ExtensionType::supported_groups,
//     [&](auto& out) { return serialize_supported_groups(groups, out); }))
template <typename F>
Result<Extension> make_extension(ExtensionType type, F&& serialize_body) {
  Extension ext{type, {}};
  auto r = serialize_body(ext.data);
  if (!r.ok()) {
    return std::move(r).error();
  }
  return ext;
}

}  // namespace hs::messages

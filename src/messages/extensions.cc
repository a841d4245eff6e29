#include "messages/extensions.h"

#include <algorithm>
#include <bitset>
#include <memory>

#include "messages/common.h"

namespace hs::messages {

namespace {

using detail::finish;
using detail::forbidden;
using detail::malformed;
using detail::unencodable;

std::vector<uint8_t> to_vector(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }
std::string to_string(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }
// as_bytes copies a name's chars into wire bytes (names are short; no casts needed).
std::vector<uint8_t> as_bytes(std::string_view s) { return {s.begin(), s.end()}; }

// parse_u16_list reads `Len::u16`-prefixed list of uint16 enums with the given byte bounds, even
// length, and nothing after it.
template <typename E>
Result<std::vector<E>> parse_u16_list(std::span<const uint8_t> data, size_t min, size_t max,
                                      const char* context) {
  codec::Reader in(data);
  codec::Reader list;
  if (!in.read_prefixed(codec::Len::u16, min, max, list) || !in.expect_end() ||
      list.remaining() % 2 != 0) {
    return malformed(context);
  }
  std::vector<E> out;
  out.reserve(list.remaining() / 2);
  while (!list.empty()) {
    E v;
    if (!list.read_enum16(v)) {
      return malformed(context);
    }
    out.push_back(v);
  }
  return out;
}

template <typename E>
Result<void> serialize_u16_list(const std::vector<E>& values, size_t min, size_t max,
                                std::vector<uint8_t>& out, const char* context) {
  if (values.size() * 2 < min) {
    return unencodable(context);
  }
  codec::Writer w(out);
  {
    auto list = w.open_prefixed(codec::Len::u16, max);
    for (E v : values) {
      list.write_enum16(v);
    }
  }
  return finish(w, context);
}

// parse_opaque reads one `len`-prefixed opaque<min..max> that fills `data` exactly.
Result<std::vector<uint8_t>> parse_opaque(std::span<const uint8_t> data, codec::Len len, size_t min,
                                          size_t max, const char* context) {
  codec::Reader in(data);
  std::span<const uint8_t> field;
  if (!in.read_prefixed_bytes(len, min, max, field) || !in.expect_end()) {
    return malformed(context);
  }
  return to_vector(field);
}

Result<void> serialize_opaque(std::span<const uint8_t> value, codec::Len len, size_t min,
                              size_t max, std::vector<uint8_t>& out, const char* context) {
  if (value.size() < min) {
    return unencodable(context);
  }
  codec::Writer w(out);
  {
    auto field = w.open_prefixed(len, max);
    field.write_bytes(value);
  }
  return finish(w, context);
}

// read_key_share_entry reads `struct { NamedGroup group; opaque key_exchange<1..2^16-1>; }`.
bool read_key_share_entry(codec::Reader& in, KeyShareEntry& entry) {
  std::span<const uint8_t> key;
  if (!in.read_enum16(entry.group) || !in.read_prefixed_bytes(codec::Len::u16, 1, 0xFFFF, key)) {
    return false;
  }
  entry.key_exchange = to_vector(key);
  return true;
}

void write_key_share_entry(const KeyShareEntry& entry, codec::Writer& w) {
  w.write_enum16(entry.group);
  w.write_prefixed_bytes(codec::Len::u16, entry.key_exchange);
}

}  // namespace

namespace {
// Room reserved for a block's extensions, and the count past which duplicates are looked up in a
// bitset rather than by comparison.
constexpr size_t kUsualExtensions = 24;
}  // namespace

Result<std::vector<Extension>> parse_extensions(codec::Reader& in) {
  codec::Reader block;
  if (!in.read_prefixed(codec::Len::u16, 0, 0xFFFF, block)) {
    return malformed("extensions");
  }
  std::vector<Extension> exts;
  exts.reserve(kUsualExtensions);
  // A hello carries about a dozen extensions: duplicates are found by comparing with those read
  // so far. Past kUsualExtensions, one bit per type (a ClientHello may carry 16383 empty
  // extensions, and a pairwise search over them would cost 10^8 comparisons).
  std::unique_ptr<std::bitset<0x10000>> seen;
  while (!block.empty()) {
    Extension ext;
    std::span<const uint8_t> data;
    if (!block.read_enum16(ext.type) ||
        !block.read_prefixed_bytes(codec::Len::u16, 0, 0xFFFF, data)) {
      return malformed("extensions");
    }
    // RFC 8446, 4.2: "There MUST NOT be more than one extension of the same type in a given
    // extension block."
    if (!seen && exts.size() == kUsualExtensions) {
      seen = std::make_unique<std::bitset<0x10000>>();
      for (const Extension& e : exts) {
        seen->set(static_cast<size_t>(e.type));
      }
    }
    const auto code = static_cast<size_t>(ext.type);
    const bool duplicate =
        seen ? seen->test(code) : std::any_of(exts.begin(), exts.end(), [&](const Extension& e) {
          return e.type == ext.type;
        });
    if (duplicate) {
      return Error(ErrorCode::duplicate_extension, "extensions");
    }
    if (seen) {
      seen->set(code);
    }
    ext.data = to_vector(data);
    exts.push_back(std::move(ext));
  }
  return exts;
}

void write_extensions(const std::vector<Extension>& exts, codec::Writer& w) {
  auto block = w.open_prefixed(codec::Len::u16);
  for (const Extension& ext : exts) {
    block.write_enum16(ext.type);
    block.write_prefixed_bytes(codec::Len::u16, ext.data);
  }
}

const Extension* find_extension(const std::vector<Extension>& exts, ExtensionType type) {
  auto it =
      std::find_if(exts.begin(), exts.end(), [type](const Extension& e) { return e.type == type; });
  return it == exts.end() ? nullptr : &*it;
}

// ---- server_name ----

Result<std::string> parse_server_name(std::span<const uint8_t> data) {
  constexpr const char* kContext = "server_name";
  codec::Reader in(data);
  codec::Reader list;
  if (!in.read_prefixed(codec::Len::u16, 1, 0xFFFF, list) || !in.expect_end()) {
    return malformed(kContext);
  }
  std::string host;
  std::vector<uint8_t> seen_types;
  while (!list.empty()) {
    uint8_t name_type;
    std::span<const uint8_t> name;
    // HostName<1..2^16-1>; other name types also begin with a 16-bit length (RFC 6066 §3).
    if (!list.read_u8(name_type) || !list.read_prefixed_bytes(codec::Len::u16, 1, 0xFFFF, name)) {
      return malformed(kContext);
    }
    // RFC 6066, 3: "The ServerNameList MUST NOT contain more than one name of the same
    // name_type."
    if (std::find(seen_types.begin(), seen_types.end(), name_type) != seen_types.end()) {
      return malformed(kContext);
    }
    seen_types.push_back(name_type);
    if (name_type == 0) {  // host_name
      host = to_string(name);
    }
  }
  return host;
}

Result<void> serialize_server_name(std::string_view host, std::vector<uint8_t>& out) {
  if (host.empty()) {
    return unencodable("server_name");
  }
  codec::Writer w(out);
  {
    auto list = w.open_prefixed(codec::Len::u16);
    list.write_u8(0);  // host_name
    list.write_prefixed_bytes(codec::Len::u16, as_bytes(host));
  }
  return finish(w, "server_name");
}

Result<void> parse_server_name_ack(std::span<const uint8_t> data) {
  if (!data.empty()) {
    return malformed("server_name");
  }
  return ok_result();
}

// ---- supported_groups ----

Result<std::vector<NamedGroup>> parse_supported_groups(std::span<const uint8_t> data) {
  return parse_u16_list<NamedGroup>(data, 2, 0xFFFF, "supported_groups");
}

Result<void> serialize_supported_groups(const std::vector<NamedGroup>& groups,
                                        std::vector<uint8_t>& out) {
  return serialize_u16_list(groups, 2, 0xFFFF, out, "supported_groups");
}

// ---- ec_point_formats ----

Result<std::vector<uint8_t>> parse_ec_point_formats(std::span<const uint8_t> data) {
  return parse_opaque(data, codec::Len::u8, 1, 0xFF, "ec_point_formats");
}

Result<void> serialize_ec_point_formats(const std::vector<uint8_t>& formats,
                                        std::vector<uint8_t>& out) {
  return serialize_opaque(formats, codec::Len::u8, 1, 0xFF, out, "ec_point_formats");
}

// ---- signature_algorithms ----

Result<std::vector<SignatureScheme>> parse_signature_algorithms(std::span<const uint8_t> data) {
  return parse_u16_list<SignatureScheme>(data, 2, 0xFFFE, "signature_algorithms");
}

Result<void> serialize_signature_algorithms(const std::vector<SignatureScheme>& schemes,
                                            std::vector<uint8_t>& out) {
  return serialize_u16_list(schemes, 2, 0xFFFE, out, "signature_algorithms");
}

// ---- ALPN ----

Result<std::vector<std::string>> parse_alpn(std::span<const uint8_t> data) {
  constexpr const char* kContext = "application_layer_protocol_negotiation";
  codec::Reader in(data);
  codec::Reader list;
  if (!in.read_prefixed(codec::Len::u16, 2, 0xFFFF, list) || !in.expect_end()) {
    return malformed(kContext);
  }
  std::vector<std::string> names;
  while (!list.empty()) {
    std::span<const uint8_t> name;
    if (!list.read_prefixed_bytes(codec::Len::u8, 1, 0xFF, name)) {
      return malformed(kContext);
    }
    names.push_back(to_string(name));
  }
  return names;
}

Result<void> serialize_alpn(const std::vector<std::string>& protocols, std::vector<uint8_t>& out) {
  constexpr const char* kContext = "application_layer_protocol_negotiation";
  if (protocols.empty()) {
    return unencodable(kContext);
  }
  codec::Writer w(out);
  {
    auto list = w.open_prefixed(codec::Len::u16);
    for (const std::string& p : protocols) {
      if (p.empty()) {
        return unencodable(kContext);
      }
      list.write_prefixed_bytes(codec::Len::u8, as_bytes(p));
    }
  }
  return finish(w, kContext);
}

Result<std::string> parse_alpn_server(std::span<const uint8_t> data) {
  auto names = HS_TRY(parse_alpn(data));
  // RFC 7301, 3.1: the server's "ProtocolNameList" MUST contain exactly one "ProtocolName".
  if (names.size() != 1) {
    return malformed("application_layer_protocol_negotiation");
  }
  return std::move(names.front());
}

Result<void> serialize_alpn_server(std::string_view protocol, std::vector<uint8_t>& out) {
  return serialize_alpn({std::string(protocol)}, out);
}

// ---- supported_versions ----

Result<std::vector<ProtocolVersion>> parse_supported_versions_client(
    std::span<const uint8_t> data) {
  constexpr const char* kContext = "supported_versions";
  codec::Reader in(data);
  codec::Reader list;
  if (!in.read_prefixed(codec::Len::u8, 2, 254, list) || !in.expect_end() ||
      list.remaining() % 2 != 0) {
    return malformed(kContext);
  }
  std::vector<ProtocolVersion> versions;
  while (!list.empty()) {
    ProtocolVersion v;
    if (!list.read_enum16(v)) {
      return malformed(kContext);
    }
    versions.push_back(v);
  }
  return versions;
}

Result<void> serialize_supported_versions_client(const std::vector<ProtocolVersion>& versions,
                                                 std::vector<uint8_t>& out) {
  if (versions.empty()) {
    return unencodable("supported_versions");
  }
  codec::Writer w(out);
  {
    auto list = w.open_prefixed(codec::Len::u8, 254);
    for (ProtocolVersion v : versions) {
      list.write_enum16(v);
    }
  }
  return finish(w, "supported_versions");
}

Result<ProtocolVersion> parse_supported_versions_server(std::span<const uint8_t> data) {
  codec::Reader in(data);
  ProtocolVersion v;
  if (!in.read_enum16(v) || !in.expect_end()) {
    return malformed("supported_versions");
  }
  return v;
}

Result<void> serialize_supported_versions_server(ProtocolVersion version,
                                                 std::vector<uint8_t>& out) {
  codec::Writer w(out);
  w.write_enum16(version);
  return finish(w, "supported_versions");
}

// ---- key_share ----

Result<std::vector<KeyShareEntry>> parse_key_share_client(std::span<const uint8_t> data) {
  constexpr const char* kContext = "key_share";
  codec::Reader in(data);
  codec::Reader list;
  if (!in.read_prefixed(codec::Len::u16, 0, 0xFFFF, list) || !in.expect_end()) {
    return malformed(kContext);
  }
  std::vector<KeyShareEntry> shares;
  while (!list.empty()) {
    KeyShareEntry entry;
    if (!read_key_share_entry(list, entry)) {
      return malformed(kContext);
    }
    // RFC 8446, 4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same
    // group. ... Servers MAY check for violations of these rules and abort the handshake with
    // an "illegal_parameter" alert if one is violated."
    for (const KeyShareEntry& prev : shares) {
      if (prev.group == entry.group) {
        return forbidden(kContext);
      }
    }
    shares.push_back(std::move(entry));
  }
  return shares;
}

Result<void> serialize_key_share_client(const std::vector<KeyShareEntry>& shares,
                                        std::vector<uint8_t>& out) {
  codec::Writer w(out);
  {
    auto list = w.open_prefixed(codec::Len::u16);
    for (const KeyShareEntry& e : shares) {
      if (e.key_exchange.empty()) {
        return unencodable("key_share");
      }
      write_key_share_entry(e, list);
    }
  }
  return finish(w, "key_share");
}

Result<KeyShareEntry> parse_key_share_server(std::span<const uint8_t> data) {
  codec::Reader in(data);
  KeyShareEntry entry;
  if (!read_key_share_entry(in, entry) || !in.expect_end()) {
    return malformed("key_share");
  }
  return entry;
}

Result<void> serialize_key_share_server(const KeyShareEntry& share, std::vector<uint8_t>& out) {
  if (share.key_exchange.empty()) {
    return unencodable("key_share");
  }
  codec::Writer w(out);
  write_key_share_entry(share, w);
  return finish(w, "key_share");
}

Result<NamedGroup> parse_key_share_hrr(std::span<const uint8_t> data) {
  codec::Reader in(data);
  NamedGroup group;
  if (!in.read_enum16(group) || !in.expect_end()) {
    return malformed("key_share");
  }
  return group;
}

Result<void> serialize_key_share_hrr(NamedGroup group, std::vector<uint8_t>& out) {
  codec::Writer w(out);
  w.write_enum16(group);
  return finish(w, "key_share");
}

// ---- renegotiation_info ----

Result<std::vector<uint8_t>> parse_renegotiation_info(std::span<const uint8_t> data) {
  return parse_opaque(data, codec::Len::u8, 0, 0xFF, "renegotiation_info");
}

Result<void> serialize_renegotiation_info(std::span<const uint8_t> renegotiated_connection,
                                          std::vector<uint8_t>& out) {
  return serialize_opaque(renegotiated_connection, codec::Len::u8, 0, 0xFF, out,
                          "renegotiation_info");
}

// ---- empty extensions ----

Result<void> parse_empty_extension(std::span<const uint8_t> data) {
  if (!data.empty()) {
    return malformed("empty extension");
  }
  return ok_result();
}

// ---- psk_key_exchange_modes ----

Result<std::vector<PskKeyExchangeMode>> parse_psk_key_exchange_modes(
    std::span<const uint8_t> data) {
  auto bytes = HS_TRY(parse_opaque(data, codec::Len::u8, 1, 0xFF, "psk_key_exchange_modes"));
  std::vector<PskKeyExchangeMode> modes;
  for (uint8_t b : bytes) {
    modes.push_back(static_cast<PskKeyExchangeMode>(b));  // unknown modes pass through
  }
  return modes;
}

Result<void> serialize_psk_key_exchange_modes(const std::vector<PskKeyExchangeMode>& modes,
                                              std::vector<uint8_t>& out) {
  if (modes.empty()) {
    return unencodable("psk_key_exchange_modes");
  }
  codec::Writer w(out);
  {
    auto list = w.open_prefixed(codec::Len::u8);
    for (PskKeyExchangeMode m : modes) {
      list.write_enum8(m);
    }
  }
  return finish(w, "psk_key_exchange_modes");
}

// ---- cookie ----

Result<std::vector<uint8_t>> parse_cookie(std::span<const uint8_t> data) {
  return parse_opaque(data, codec::Len::u16, 1, 0xFFFF, "cookie");
}

Result<void> serialize_cookie(std::span<const uint8_t> cookie, std::vector<uint8_t>& out) {
  return serialize_opaque(cookie, codec::Len::u16, 1, 0xFFFF, out, "cookie");
}

// ---- pre_shared_key ----

Result<OfferedPsks> parse_pre_shared_key_client(std::span<const uint8_t> data) {
  constexpr const char* kContext = "pre_shared_key";
  codec::Reader in(data);
  codec::Reader identities;
  codec::Reader binders;
  if (!in.read_prefixed(codec::Len::u16, 7, 0xFFFF, identities) ||
      !in.read_prefixed(codec::Len::u16, 33, 0xFFFF, binders) || !in.expect_end()) {
    return malformed(kContext);
  }
  OfferedPsks psks;
  while (!identities.empty()) {
    PskIdentity id;
    std::span<const uint8_t> identity;
    if (!identities.read_prefixed_bytes(codec::Len::u16, 1, 0xFFFF, identity) ||
        !identities.read_u32(id.obfuscated_ticket_age)) {
      return malformed(kContext);
    }
    id.identity = to_vector(identity);
    psks.identities.push_back(std::move(id));
  }
  while (!binders.empty()) {
    std::span<const uint8_t> binder;
    if (!binders.read_prefixed_bytes(codec::Len::u8, 32, 0xFF, binder)) {
      return malformed(kContext);
    }
    psks.binders.push_back(to_vector(binder));
  }
  // RFC 8446, 4.2.11: binders are "A series of HMAC values, one for each value in the
  // identities list and in the same order". A count mismatch is well-formed but forbidden.
  if (psks.binders.size() != psks.identities.size()) {
    return forbidden(kContext);
  }
  return psks;
}

Result<void> serialize_pre_shared_key_client(const OfferedPsks& psks, std::vector<uint8_t>& out) {
  constexpr const char* kContext = "pre_shared_key";
  if (psks.identities.empty() || psks.binders.size() != psks.identities.size()) {
    return unencodable(kContext);
  }
  codec::Writer w(out);
  {
    auto ids = w.open_prefixed(codec::Len::u16);
    for (const PskIdentity& id : psks.identities) {
      if (id.identity.empty()) {
        return unencodable(kContext);
      }
      ids.write_prefixed_bytes(codec::Len::u16, id.identity);
      ids.write_u32(id.obfuscated_ticket_age);
    }
  }
  {
    auto list = w.open_prefixed(codec::Len::u16);
    for (const auto& b : psks.binders) {
      if (b.size() < 32) {
        return unencodable(kContext);
      }
      list.write_prefixed_bytes(codec::Len::u8, b);
    }
  }
  return finish(w, kContext);
}

size_t psk_binders_size(const OfferedPsks& psks) {
  size_t n = 2;
  for (const auto& b : psks.binders) {
    n += 1 + b.size();
  }
  return n;
}

Result<uint16_t> parse_pre_shared_key_server(std::span<const uint8_t> data) {
  codec::Reader in(data);
  uint16_t selected;
  if (!in.read_u16(selected) || !in.expect_end()) {
    return malformed("pre_shared_key");
  }
  return selected;
}

Result<void> serialize_pre_shared_key_server(uint16_t selected_identity,
                                             std::vector<uint8_t>& out) {
  codec::Writer w(out);
  w.write_u16(selected_identity);
  return finish(w, "pre_shared_key");
}

// ---- early_data ----

Result<uint32_t> parse_early_data_nst(std::span<const uint8_t> data) {
  codec::Reader in(data);
  uint32_t max_size;
  if (!in.read_u32(max_size) || !in.expect_end()) {
    return malformed("early_data");
  }
  return max_size;
}

Result<void> serialize_early_data_nst(uint32_t max_early_data_size, std::vector<uint8_t>& out) {
  codec::Writer w(out);
  w.write_u32(max_early_data_size);
  return finish(w, "early_data");
}

// ---- record_size_limit ----

Result<uint16_t> parse_record_size_limit(std::span<const uint8_t> data) {
  codec::Reader in(data);
  uint16_t limit;
  if (!in.read_u16(limit) || !in.expect_end()) {
    return malformed("record_size_limit");
  }
  // RFC 8449, 4: "An endpoint MUST treat receipt of a smaller value as a fatal error and
  // generate an "illegal_parameter" alert."
  if (limit < 64) {
    return forbidden("record_size_limit");
  }
  return limit;
}

Result<void> serialize_record_size_limit(uint16_t limit, std::vector<uint8_t>& out) {
  if (limit < 64) {
    return unencodable("record_size_limit");
  }
  codec::Writer w(out);
  w.write_u16(limit);
  return finish(w, "record_size_limit");
}

}  // namespace hs::messages

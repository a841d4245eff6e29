// Field annotator: the byte-by-byte explanation of records and messages (see annotate.h).
#include "trace/annotate.h"

#include <hs/alert.h>
#include <hs/wire.h>

#include <array>
#include <cstdio>
#include <string_view>
#include <utility>

#include "codec/reader.h"
#include "codec/wire.h"
#include "trace/curl_trace.h"
#include "x509/ocsp.h"

namespace hs::trace {

namespace {

using codec::Len;

std::string hex16(uint16_t v) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "0x%04x", static_cast<unsigned>(v));
  return std::string(buf.data());
}

std::string hex8(uint8_t v) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "0x%02x", static_cast<unsigned>(v));
  return std::string(buf.data());
}

std::string labelled(std::string_view name, uint16_t v) {
  if (is_grease(v)) {
    return "GREASE (" + hex16(v) + ")";
  }
  if (name.empty()) {
    return "unknown (" + hex16(v) + ")";
  }
  return std::string(name) + " (" + hex16(v) + ")";
}

std::string bytes_value(std::span<const uint8_t> b) {
  if (b.empty()) {
    return "(empty)";
  }
  if (b.size() <= 32) {
    return hex(b, 32);
  }
  return std::to_string(b.size()) + " bytes";
}

// printable renders bytes as a quoted string when they are printable ASCII, else as hex.
std::string printable(std::span<const uint8_t> b) {
  std::string s = "\"";
  for (uint8_t c : b) {
    if (c < 0x20 || c > 0x7e) {
      return bytes_value(b);
    }
    s.push_back(static_cast<char>(c));
  }
  return s + "\"";
}

// text_preview renders the first `max` bytes as a quoted string with C escapes for CR, LF and
// other bytes outside printable ASCII.
std::string text_preview(std::span<const uint8_t> b, size_t max) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "\"";
  size_t n = b.size() < max ? b.size() : max;
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = b[i];
    if (c == '\r') {
      s += "\\r";
    } else if (c == '\n') {
      s += "\\n";
    } else if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      s += "\\x";
      s.push_back(kDigits[c >> 4]);
      s.push_back(kDigits[c & 0xF]);
    } else {
      s.push_back(static_cast<char>(c));
    }
  }
  s += "\"";
  if (n < b.size()) {
    s += "...";
  }
  return s;
}

// Cursor is a Reader plus the absolute offset of its first byte, so fields carry offsets into
// the annotated message although read_prefixed hands out readers that start at 0.
struct Cursor {
  codec::Reader in;
  size_t base = 0;
  size_t pos() const { return base + in.position(); }
};

// Node builds one group: leaves and subgroups appended in wire order.
struct Node {
  std::vector<Field>& out;

  void leaf(size_t offset, size_t length, std::string name, std::string value,
            std::string meaning) {
    Field f;
    f.offset = offset;
    f.length = length;
    f.name = std::move(name);
    f.value = std::move(value);
    f.meaning = std::move(meaning);
    out.push_back(std::move(f));
  }

  bool u8(Cursor& c, std::string name, std::string meaning, uint8_t& v,
          std::string (*render)(uint8_t) = nullptr) {
    size_t at = c.pos();
    if (!c.in.read_u8(v)) {
      return false;
    }
    leaf(at, 1, std::move(name), render != nullptr ? render(v) : std::to_string(v),
         std::move(meaning));
    return true;
  }
  bool u16(Cursor& c, std::string name, std::string meaning, uint16_t& v,
           std::string (*render)(uint16_t) = nullptr) {
    size_t at = c.pos();
    if (!c.in.read_u16(v)) {
      return false;
    }
    leaf(at, 2, std::move(name), render != nullptr ? render(v) : std::to_string(v),
         std::move(meaning));
    return true;
  }
  bool u32(Cursor& c, std::string name, std::string meaning, uint32_t& v, std::string unit = "") {
    size_t at = c.pos();
    if (!c.in.read_u32(v)) {
      return false;
    }
    leaf(at, 4, std::move(name), std::to_string(v) + unit, std::move(meaning));
    return true;
  }
  bool bytes(Cursor& c, size_t n, std::string name, std::string meaning,
             std::span<const uint8_t>& v) {
    size_t at = c.pos();
    if (!c.in.read_bytes(n, v)) {
      return false;
    }
    leaf(at, n, std::move(name), bytes_value(v), std::move(meaning));
    return true;
  }
  // prefixed reads a length prefix as its own leaf ("<name> length") and hands back a cursor
  // over exactly the body.
  bool prefixed(Cursor& c, Len len, size_t min, size_t max, const std::string& name, Cursor& body) {
    size_t at = c.pos();
    codec::Reader r;
    if (!c.in.read_prefixed(len, min, max, r)) {
      return false;
    }
    size_t width = static_cast<size_t>(len);
    body = Cursor{r, at + width};
    leaf(at, width, name + " length", std::to_string(r.remaining()) + " bytes",
         "length of the " + name + " that follows");
    return true;
  }
  // opaque reads a length-prefixed byte string as two leaves: the length and the bytes (the
  // bytes leaf is omitted when empty).
  bool opaque(Cursor& c, Len len, size_t min, size_t max, const std::string& name,
              std::string meaning, std::span<const uint8_t>& v, bool text = false) {
    Cursor body;
    if (!prefixed(c, len, min, max, name, body)) {
      return false;
    }
    size_t at = body.pos();
    v = body.in.take_rest();
    if (!v.empty()) {
      leaf(at, v.size(), name, text ? printable(v) : bytes_value(v), std::move(meaning));
    }
    return true;
  }
  // group starts a subgroup at the cursor's position; finish it with close().
  Field& group(size_t offset, std::string name, std::string value, std::string meaning) {
    Field f;
    f.offset = offset;
    f.name = std::move(name);
    f.value = std::move(value);
    f.meaning = std::move(meaning);
    out.push_back(std::move(f));
    return out.back();
  }
};

// rest covers whatever the grammar did not consume with one "undecoded" leaf, so the leaves
// always cover the message; a walk that stopped early on malformed bytes ends up here.
void rest(Cursor& c, std::vector<Field>& out, std::string meaning = "") {
  if (c.in.empty()) {
    return;
  }
  size_t at = c.pos();
  auto b = c.in.take_rest();
  Field f;
  f.offset = at;
  f.length = b.size();
  f.name = "undecoded";
  f.value = bytes_value(b);
  f.meaning = meaning.empty() ? "bytes that do not fit the grammar of this structure" : meaning;
  out.push_back(std::move(f));
}

// close sets a group's length from its children (which the walk appended in order).
void close(Field& g) {
  if (g.children.empty()) {
    g.length = 0;
    return;
  }
  g.offset = g.children.front().offset;
  g.length = g.children.back().offset + g.children.back().length - g.offset;
}

std::string suite_v(uint16_t v) { return suite_label(v); }
std::string group_v(uint16_t v) { return group_label(v); }
std::string scheme_v(uint16_t v) { return scheme_label(v); }
std::string version_v(uint16_t v) { return version_label(v); }
std::string type_v(uint8_t v) { return message_label(v); }
std::string hex8_v(uint8_t v) { return hex8(v); }

std::string content_type_v(uint8_t v) {
  std::string_view n = content_type_name(static_cast<ContentType>(v));
  return (n.empty() ? std::string("unknown") : std::string(n)) + " (" + std::to_string(v) + ")";
}

// Which message an extension block belongs to: extension bodies differ by message.
enum class ExtIn : uint8_t {
  client_hello,
  server_hello,
  hello_retry_request,
  encrypted_extensions,
  certificate,
  certificate_request,
  new_session_ticket,
};

// u16_list: a vector<2..> of 16-bit code points (suites, groups, schemes) as one leaf each.
void u16_list(Node& n, Cursor& c, Len len, const std::string& list_name,
              const std::string& item_name, const std::string& item_meaning,
              std::string (*render)(uint16_t)) {
  Cursor body;
  if (!n.prefixed(c, len, 0, 0xFFFF, list_name, body)) {
    return;
  }
  Field& g = n.group(body.pos(), list_name, std::to_string(body.in.remaining() / 2) + " entries",
                     item_meaning);
  Node gn{g.children};
  uint16_t v = 0;
  // The list row carries the meaning; repeating it on every entry only adds noise.
  while (!body.in.empty() && gn.u16(body, item_name, "", v, render)) {
  }
  rest(body, g.children);
  close(g);
  if (g.children.empty()) {
    n.out.pop_back();
  }
}

void extension_body(Node& n, Cursor& c, uint16_t type, ExtIn where) {
  const bool ch = where == ExtIn::client_hello;
  switch (static_cast<ExtensionType>(type)) {
    case ExtensionType::server_name: {
      if (!ch) {
        break;  // empty acknowledgement
      }
      Cursor list;
      if (!n.prefixed(c, Len::u16, 1, 0xFFFF, "server_name_list", list)) {
        break;
      }
      Node ln{n.out};
      while (!list.in.empty()) {
        uint8_t name_type = 0;
        std::span<const uint8_t> host;
        if (!ln.u8(list, "name_type", "0 = host_name", name_type) ||
            !ln.opaque(list, Len::u16, 1, 0xFFFF, "host_name",
                       "the server name the client wants (SNI)", host, true)) {
          break;
        }
      }
      rest(list, n.out);
      break;
    }
    case ExtensionType::supported_groups:
      u16_list(n, c, Len::u16, "named_group_list", "group",
               "a key exchange group the client supports, in preference order", group_v);
      break;
    case ExtensionType::signature_algorithms:
    case ExtensionType::signature_algorithms_cert:
      u16_list(n, c, Len::u16, "supported_signature_algorithms", "scheme",
               "a signature scheme the sender accepts, in preference order", scheme_v);
      break;
    case ExtensionType::ec_point_formats: {
      Cursor list;
      if (!n.prefixed(c, Len::u8, 1, 0xFF, "ec_point_format_list", list)) {
        break;
      }
      uint8_t f = 0;
      while (!list.in.empty() &&
             n.u8(list, "ec_point_format", "0 = uncompressed points (the only one in use)", f)) {
      }
      rest(list, n.out);
      break;
    }
    case ExtensionType::application_layer_protocol_negotiation: {
      Cursor list;
      if (!n.prefixed(c, Len::u16, 2, 0xFFFF, "protocol_name_list", list)) {
        break;
      }
      while (!list.in.empty()) {
        std::span<const uint8_t> p;
        if (!n.opaque(list, Len::u8, 1, 0xFF, "protocol_name",
                      ch ? "an application protocol the client offers (ALPN)"
                         : "the application protocol the server selected (ALPN)",
                      p, true)) {
          break;
        }
      }
      rest(list, n.out);
      break;
    }
    case ExtensionType::supported_versions: {
      uint16_t v = 0;
      if (ch) {
        u16_list(n, c, Len::u8, "versions", "version",
                 "a TLS version the client supports (TLS 1.3 is only negotiated here)", version_v);
      } else {
        (void)n.u16(c, "selected_version", "the version the server chose", v, version_v);
      }
      break;
    }
    case ExtensionType::key_share: {
      uint16_t g = 0;
      std::span<const uint8_t> key;
      if (where == ExtIn::hello_retry_request) {
        (void)n.u16(c, "selected_group", "the group the server wants a key share for", g, group_v);
      } else if (ch) {
        Cursor list;
        if (!n.prefixed(c, Len::u16, 0, 0xFFFF, "client_shares", list)) {
          break;
        }
        while (!list.in.empty()) {
          if (!n.u16(list, "group", "the group of this key share", g, group_v) ||
              !n.opaque(list, Len::u16, 1, 0xFFFF, "key_exchange",
                        "the client's ephemeral public key for this group", key)) {
            break;
          }
        }
        rest(list, n.out);
      } else if (n.u16(c, "group", "the group the server chose", g, group_v)) {
        (void)n.opaque(c, Len::u16, 1, 0xFFFF, "key_exchange",
                       "the server's ephemeral public key; with the client's share it gives the "
                       "(EC)DHE shared secret",
                       key);
      }
      break;
    }
    case ExtensionType::renegotiation_info: {
      std::span<const uint8_t> v;
      (void)n.opaque(c, Len::u8, 0, 0xFF, "renegotiated_connection",
                     "empty on an initial handshake (RFC 5746)", v);
      break;
    }
    case ExtensionType::psk_key_exchange_modes: {
      Cursor list;
      if (!n.prefixed(c, Len::u8, 1, 0xFF, "ke_modes", list)) {
        break;
      }
      uint8_t m = 0;
      while (!list.in.empty() &&
             n.u8(list, "ke_mode", "1 = psk_dhe_ke (resumption with a fresh (EC)DHE), 0 = psk_ke",
                  m)) {
      }
      rest(list, n.out);
      break;
    }
    case ExtensionType::record_size_limit: {
      uint16_t v = 0;
      (void)n.u16(c, "record_size_limit", "the largest record plaintext the sender accepts", v);
      break;
    }
    case ExtensionType::cookie: {
      std::span<const uint8_t> v;
      (void)n.opaque(c, Len::u16, 1, 0xFFFF, "cookie",
                     "state the server asks the client to echo in its second ClientHello", v);
      break;
    }
    case ExtensionType::early_data: {
      uint32_t v = 0;
      if (where == ExtIn::new_session_ticket) {
        (void)n.u32(c, "max_early_data_size", "how much 0-RTT data the ticket allows", v, " bytes");
      }
      break;
    }
    case ExtensionType::pre_shared_key: {
      if (!ch) {
        uint16_t v = 0;
        (void)n.u16(c, "selected_identity", "which offered PSK the server accepted", v);
        break;
      }
      Cursor ids;
      if (!n.prefixed(c, Len::u16, 7, 0xFFFF, "identities", ids)) {
        break;
      }
      while (!ids.in.empty()) {
        std::span<const uint8_t> id;
        uint32_t age = 0;
        if (!n.opaque(ids, Len::u16, 1, 0xFFFF, "identity",
                      "the session ticket the client resumes with", id) ||
            !n.u32(ids, "obfuscated_ticket_age", "ticket age plus the server's age_add, mod 2^32",
                   age)) {
          break;
        }
      }
      rest(ids, n.out);
      Cursor binders;
      if (!n.prefixed(c, Len::u16, 33, 0xFFFF, "binders", binders)) {
        break;
      }
      while (!binders.in.empty()) {
        std::span<const uint8_t> b;
        if (!n.opaque(binders, Len::u8, 32, 0xFF, "binder",
                      "HMAC over the partial ClientHello: proves the client holds the PSK", b)) {
          break;
        }
      }
      rest(binders, n.out);
      break;
    }
    case ExtensionType::session_ticket: {
      std::span<const uint8_t> v = c.in.peek_rest();
      if (!v.empty()) {
        (void)n.bytes(c, v.size(), "ticket", "the TLS 1.2 session ticket offered for resumption",
                      v);
      }
      break;
    }
    case ExtensionType::padding: {
      std::span<const uint8_t> v = c.in.peek_rest();
      if (!v.empty()) {
        (void)n.bytes(c, v.size(), "zeros", "padding that makes the ClientHello a chosen size", v);
      }
      break;
    }
    case ExtensionType::extended_master_secret:
    case ExtensionType::encrypt_then_mac:
    case ExtensionType::post_handshake_auth:
    case ExtensionType::max_fragment_length:
    case ExtensionType::status_request:
    case ExtensionType::use_srtp:
    case ExtensionType::heartbeat:
    case ExtensionType::signed_certificate_timestamp:
    case ExtensionType::certificate_authorities:
    case ExtensionType::oid_filters:
      break;
  }
  rest(c, n.out, "extension data (not decoded further)");
}

std::string extension_meaning(uint16_t type, ExtIn where) {
  const bool ch = where == ExtIn::client_hello;
  switch (static_cast<ExtensionType>(type)) {
    case ExtensionType::server_name:
      return ch ? "Server Name Indication: which host the client wants"
                : "the server used the name the client sent";
    case ExtensionType::supported_groups:
      return "key exchange groups the client supports";
    case ExtensionType::ec_point_formats:
      return "EC point formats (TLS 1.2; uncompressed only)";
    case ExtensionType::signature_algorithms:
      return "signature schemes accepted in CertificateVerify / ServerKeyExchange";
    case ExtensionType::signature_algorithms_cert:
      return "signature schemes accepted in certificates";
    case ExtensionType::application_layer_protocol_negotiation:
      return ch ? "ALPN: application protocols the client offers"
                : "ALPN: the protocol the server selected";
    case ExtensionType::supported_versions:
      return ch ? "TLS versions the client supports" : "the TLS version the server chose";
    case ExtensionType::key_share:
      return where == ExtIn::hello_retry_request ? "the group the server asks a new share for"
             : ch                                ? "the client's ephemeral (EC)DHE public keys"
                                                 : "the server's ephemeral (EC)DHE public key";
    case ExtensionType::renegotiation_info:
      return "secure renegotiation (RFC 5746); we never renegotiate";
    case ExtensionType::extended_master_secret:
      return "extended master secret (RFC 7627): the master secret covers the handshake hash";
    case ExtensionType::encrypt_then_mac:
      return "encrypt-then-MAC (CBC only; irrelevant for AEAD)";
    case ExtensionType::post_handshake_auth:
      return "the client would authenticate after the handshake if asked";
    case ExtensionType::session_ticket:
      return "TLS 1.2 session tickets (RFC 5077)";
    case ExtensionType::psk_key_exchange_modes:
      return "how a resumed TLS 1.3 session may derive keys";
    case ExtensionType::pre_shared_key:
      return ch ? "tickets offered for resumption, with binders" : "the ticket the server accepted";
    case ExtensionType::early_data:
      return where == ExtIn::new_session_ticket ? "the ticket allows 0-RTT data"
             : ch                               ? "the client sends 0-RTT data"
                                                : "the server accepted the 0-RTT data";
    case ExtensionType::record_size_limit:
      return "the largest record the sender wants to receive (RFC 8449)";
    case ExtensionType::cookie:
      return "HelloRetryRequest cookie";
    case ExtensionType::status_request:
      return "OCSP stapling request";
    case ExtensionType::padding:
      return "padding (RFC 7685)";
    case ExtensionType::max_fragment_length:
    case ExtensionType::use_srtp:
    case ExtensionType::heartbeat:
    case ExtensionType::signed_certificate_timestamp:
    case ExtensionType::certificate_authorities:
    case ExtensionType::oid_filters:
      break;
  }
  if (is_grease(type)) {
    return "GREASE: a reserved value that checks the peer ignores unknown extensions";
  }
  return "an extension this library does not decode";
}

// extensions reads extensions<2> (or nothing when the message ends before them and they are
// optional).
void extensions(Node& n, Cursor& c, ExtIn where, bool optional) {
  if (optional && c.in.empty()) {
    return;
  }
  Cursor list;
  if (!n.prefixed(c, Len::u16, 0, 0xFFFF, "extensions", list)) {
    return;
  }
  while (!list.in.empty()) {
    size_t at = list.pos();
    uint16_t type = 0;
    if (!list.in.read_u16(type)) {
      break;
    }
    Field& g = n.group(at, "extension", extension_label(type), extension_meaning(type, where));
    Node gn{g.children};
    gn.leaf(at, 2, "extension_type", extension_label(type), "which extension this is");
    Cursor body;
    if (gn.prefixed(list, Len::u16, 0, 0xFFFF, "extension_data", body)) {
      extension_body(gn, body, type, where);
    }
    close(g);
    if (gn.out.size() == 1) {
      break;  // the length was missing: the rest is undecoded
    }
  }
  rest(list, n.out);
}

void random_field(Node& n, Cursor& c, bool client) {
  std::span<const uint8_t> r;
  if (n.bytes(c, 32, "random", "", r)) {
    Field& f = n.out.back();
    f.value = hex(r);
    f.meaning = client ? "32 random bytes from the client; they name the connection in the key log"
                       : "32 random bytes from the server";
    static constexpr std::array<uint8_t, 32> kHrr = {
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
        0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
        0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
    bool hrr = !client;
    for (size_t i = 0; hrr && i < kHrr.size(); ++i) {
      hrr = r[i] == kHrr[i];
    }
    if (hrr) {
      f.meaning = "SHA-256(\"HelloRetryRequest\"): this ServerHello is a HelloRetryRequest";
    }
  }
}

void session_id(Node& n, Cursor& c, bool client) {
  std::span<const uint8_t> v;
  (void)n.opaque(c, Len::u8, 0, 32, "legacy_session_id",
                 client ? "a session ID (TLS 1.2 resumption, or random for middlebox "
                          "compatibility in TLS 1.3)"
                        : "the session ID (echoed in TLS 1.3)",
                 v);
}

void client_hello(Node& n, Cursor& c) {
  uint16_t v = 0;
  if (!n.u16(c, "legacy_version",
             "always TLS 1.2 (0x0303); newer versions go in supported_versions", v, version_v)) {
    return;
  }
  random_field(n, c, true);
  session_id(n, c, true);
  if (n.out.size() < 3) {
    return;
  }
  u16_list(n, c, Len::u16, "cipher_suites", "cipher_suite",
           "a cipher suite the client offers, in preference order", suite_v);
  std::span<const uint8_t> comp;
  if (!n.opaque(c, Len::u8, 1, 0xFF, "legacy_compression_methods",
                "compression methods: only 0 (none) is allowed", comp)) {
    return;
  }
  extensions(n, c, ExtIn::client_hello, true);
}

void server_hello(Node& n, Cursor& c) {
  uint16_t v = 0;
  if (!n.u16(c, "legacy_version", "TLS 1.2 (0x0303); TLS 1.3 is chosen in supported_versions", v,
             version_v)) {
    return;
  }
  random_field(n, c, false);
  bool hrr = !n.out.empty() && n.out.back().meaning.find("HelloRetryRequest") != std::string::npos;
  session_id(n, c, false);
  uint16_t suite = 0;
  uint8_t comp = 0;
  if (n.out.size() < 3 ||
      !n.u16(c, "cipher_suite", "the cipher suite the server chose", suite, suite_v) ||
      !n.u8(c, "legacy_compression_method", "0 = no compression", comp)) {
    return;
  }
  extensions(n, c, hrr ? ExtIn::hello_retry_request : ExtIn::server_hello, true);
}

void certificate(Node& n, Cursor& c, bool tls13) {
  std::span<const uint8_t> v;
  if (tls13 && !n.opaque(c, Len::u8, 0, 0xFF, "certificate_request_context",
                         "empty in the server's Certificate", v)) {
    return;
  }
  Cursor list;
  if (!n.prefixed(c, Len::u24, 0, 0xFFFFFF, "certificate_list", list)) {
    return;
  }
  size_t index = 0;
  while (!list.in.empty()) {
    size_t at = list.pos();
    Field& g = n.group(at, "certificate [" + std::to_string(index) + "]", "",
                       index == 0 ? "the end-entity (leaf) certificate"
                                  : "a CA certificate on the way to a trust anchor");
    Node gn{g.children};
    std::span<const uint8_t> der;
    bool ok = gn.opaque(list, Len::u24, 1, 0xFFFFFF, tls13 ? "cert_data" : "ASN.1Cert",
                        "the X.509 certificate, DER encoded", der);
    if (ok) {
      g.value = std::to_string(der.size()) + " bytes DER";
    }
    if (ok && tls13) {
      extensions(gn, list, ExtIn::certificate, false);
    }
    close(g);
    if (g.children.empty()) {
      n.out.pop_back();
    }
    if (!ok) {
      break;
    }
    ++index;
  }
  rest(list, n.out);
}

void certificate_request(Node& n, Cursor& c, bool tls13) {
  std::span<const uint8_t> v;
  if (tls13) {
    if (n.opaque(c, Len::u8, 0, 0xFF, "certificate_request_context",
                 "echoed in the client's Certificate", v)) {
      extensions(n, c, ExtIn::certificate_request, false);
    }
    return;
  }
  if (!n.opaque(c, Len::u8, 1, 0xFF, "certificate_types",
                "1 = rsa_sign, 64 = ecdsa_sign: key types the client may use", v)) {
    return;
  }
  u16_list(n, c, Len::u16, "supported_signature_algorithms", "scheme",
           "a signature scheme the server accepts from the client", scheme_v);
  Cursor cas;
  if (!n.prefixed(c, Len::u16, 0, 0xFFFF, "certificate_authorities", cas)) {
    return;
  }
  while (!cas.in.empty()) {
    if (!n.opaque(cas, Len::u16, 1, 0xFFFF, "DistinguishedName",
                  "a CA name the server trusts for client certificates", v)) {
      break;
    }
  }
  rest(cas, n.out);
}

void server_key_exchange(Node& n, Cursor& c) {
  uint8_t curve_type = 0;
  uint16_t group = 0;
  uint16_t scheme = 0;
  std::span<const uint8_t> v;
  if (!n.u8(c, "curve_type", "3 = named_curve", curve_type) ||
      !n.u16(c, "named_curve", "the group of the server's ephemeral key", group, group_v) ||
      !n.opaque(c, Len::u8, 1, 0xFF, "public",
                "the server's ephemeral ECDHE public key (with the client's it gives the "
                "pre-master secret)",
                v) ||
      !n.u16(c, "signature_scheme", "how the server signed the parameters", scheme, scheme_v)) {
    return;
  }
  (void)n.opaque(c, Len::u16, 1, 0xFFFF, "signature",
                 "the server's signature over client_random + server_random + the ECDH "
                 "parameters, with its certificate key",
                 v);
}

void new_session_ticket(Node& n, Cursor& c, bool tls13) {
  uint32_t lifetime = 0;
  std::span<const uint8_t> v;
  if (!tls13) {
    if (n.u32(c, "ticket_lifetime_hint", "how long the client may keep the ticket", lifetime,
              " s")) {
      (void)n.opaque(c, Len::u16, 0, 0xFFFF, "ticket",
                     "the session state, encrypted under a key only the server knows", v);
    }
    return;
  }
  uint32_t age_add = 0;
  if (!n.u32(c, "ticket_lifetime", "how long the client may keep the ticket", lifetime, " s") ||
      !n.u32(c, "ticket_age_add", "hides the ticket's age on the wire", age_add) ||
      !n.opaque(c, Len::u8, 0, 0xFF, "ticket_nonce",
                "makes the PSK of each ticket from this connection different", v) ||
      !n.opaque(c, Len::u16, 1, 0xFFFF, "ticket",
                "the session state, encrypted under a key only the server knows", v)) {
    return;
  }
  extensions(n, c, ExtIn::new_session_ticket, false);
}

// body walks a handshake body by message type.
void handshake_body(Node& n, Cursor& c, uint8_t type, const MessageContext& ctx) {
  const bool tls13 = ctx.version == 0x0304;
  std::span<const uint8_t> v;
  switch (static_cast<HandshakeType>(type)) {
    case HandshakeType::client_hello:
      client_hello(n, c);
      break;
    case HandshakeType::server_hello:
      server_hello(n, c);
      break;
    case HandshakeType::encrypted_extensions:
      extensions(n, c, ExtIn::encrypted_extensions, false);
      break;
    case HandshakeType::certificate:
      certificate(n, c, tls13);
      break;
    case HandshakeType::certificate_request:
      certificate_request(n, c, tls13);
      break;
    case HandshakeType::server_key_exchange:
      server_key_exchange(n, c);
      break;
    case HandshakeType::client_key_exchange:
      (void)n.opaque(c, Len::u8, 1, 0xFF, "public",
                     "the client's ephemeral ECDHE public key (with the server's it gives the "
                     "pre-master secret)",
                     v);
      break;
    case HandshakeType::certificate_verify: {
      uint16_t scheme = 0;
      if (n.u16(c, "algorithm", "the signature scheme", scheme, scheme_v)) {
        (void)n.opaque(c, Len::u16, 1, 0xFFFF, "signature",
                       tls13 ? "signature over the transcript hash: proves the sender holds the "
                               "certificate's private key"
                             : "signature over all handshake messages so far, with the client "
                               "certificate's key",
                       v);
      }
      break;
    }
    case HandshakeType::finished:
      if (!c.in.empty()) {
        (void)n.bytes(c, c.in.remaining(), "verify_data",
                      tls13 ? "HMAC of the transcript hash under the finished key: proves the "
                              "handshake was not tampered with"
                            : "PRF(master secret, finished label, handshake hash): proves the "
                              "handshake was not tampered with",
                      v);
      }
      break;
    case HandshakeType::new_session_ticket:
      new_session_ticket(n, c, tls13);
      break;
    case HandshakeType::key_update: {
      uint8_t r = 0;
      (void)n.u8(c, "request_update", "1 = the peer should update its keys too", r);
      break;
    }
    case HandshakeType::certificate_status: {
      // RFC 6066 §8: status_type ocsp(1), then the DER OCSPResponse.
      uint8_t status_type = 0;
      Cursor body;
      if (n.u8(c, "status_type", "1 = ocsp", status_type) &&
          n.prefixed(c, Len::u24, 1, 0xFFFFFF, "response", body)) {
        const size_t at = body.pos();
        const std::span<const uint8_t> response = body.in.take_rest();
        n.leaf(at, response.size(), "response", x509::ocsp_summary(response),
               "the DER OCSPResponse (RFC 6960): what it states; its signature is the client's "
               "to check");
      }
      break;
    }
    case HandshakeType::hello_request:
    case HandshakeType::end_of_early_data:
    case HandshakeType::server_hello_done:
    case HandshakeType::message_hash:
      break;
  }
  rest(c, n.out);
}

std::string message_meaning(uint8_t type, const MessageContext& ctx) {
  const bool tls13 = ctx.version == 0x0304;
  switch (static_cast<HandshakeType>(type)) {
    case HandshakeType::client_hello:
      return "the client's offer: versions, cipher suites, groups and key shares, extensions";
    case HandshakeType::server_hello:
      return "the server's choice of version, cipher suite and key exchange";
    case HandshakeType::encrypted_extensions:
      return "the server's remaining extension answers, already encrypted";
    case HandshakeType::certificate:
      return ctx.from_client ? "the client's certificate chain"
                             : "the server's certificate chain, leaf first";
    case HandshakeType::certificate_request:
      return "the server asks the client for a certificate";
    case HandshakeType::server_key_exchange:
      return "the server's ephemeral ECDHE key, signed with its certificate key";
    case HandshakeType::server_hello_done:
      return "the server's first flight is complete";
    case HandshakeType::client_key_exchange:
      return "the client's ephemeral ECDHE key";
    case HandshakeType::certificate_verify:
      return tls13 ? "a signature over the handshake so far with the certificate's key"
                   : "the client proves it holds its certificate's key";
    case HandshakeType::finished:
      return "a MAC over the whole handshake: the first message under the new keys";
    case HandshakeType::new_session_ticket:
      return "a ticket the client can use to resume this session later";
    case HandshakeType::key_update:
      return "the sender switches to its next traffic secret";
    case HandshakeType::end_of_early_data:
      return "the client's 0-RTT data is over";
    case HandshakeType::certificate_status:
      return "the server's stapled OCSP response for its certificate";
    case HandshakeType::hello_request:
    case HandshakeType::message_hash:
      break;
  }
  return "a handshake message";
}

}  // namespace

Field annotate_handshake(std::span<const uint8_t> message, const MessageContext& ctx) {
  Field root;
  root.offset = 0;
  root.length = message.size();
  Cursor c{codec::Reader(message), 0};
  Node n{root.children};
  uint8_t type = 0;
  root.name = "handshake";
  if (!n.u8(c, "msg_type", "the handshake message type", type, type_v)) {
    rest(c, root.children);
    return root;
  }
  root.name = message_label(type);
  root.meaning = message_meaning(type, ctx);
  size_t at = c.pos();
  codec::Reader body_reader;
  if (!c.in.read_prefixed(Len::u24, 0, 0xFFFFFF, body_reader)) {
    rest(c, root.children, "a truncated handshake message header or body");
    return root;
  }
  Cursor body{body_reader, at + 3};
  n.leaf(at, 3, "length", std::to_string(body_reader.remaining()) + " bytes",
         "length of the message body that follows");
  if (!body.in.empty()) {
    Field& g = n.group(body.pos(), "body", std::to_string(body.in.remaining()) + " bytes", "");
    Node gn{g.children};
    handshake_body(gn, body, type, ctx);
    close(g);
  }
  rest(c, root.children, "bytes after the end of the handshake message");
  root.value = std::to_string(message.size()) + " bytes";
  return root;
}

Field annotate_message(uint8_t content_type, std::span<const uint8_t> bytes,
                       const MessageContext& ctx) {
  switch (static_cast<ContentType>(content_type)) {
    case ContentType::handshake:
      return annotate_handshake(bytes, ctx);
    case ContentType::alert: {
      Field root;
      root.name = "Alert";
      root.length = bytes.size();
      root.meaning = "a warning or a fatal error; close_notify ends the connection cleanly";
      Cursor c{codec::Reader(bytes), 0};
      Node n{root.children};
      uint8_t level = 0;
      uint8_t desc = 0;
      if (n.u8(c, "level", "1 = warning, 2 = fatal", level,
               [](uint8_t v) -> std::string {
                 return v == 1 ? "warning (1)" : v == 2 ? "fatal (2)" : std::to_string(v);
               }) &&
          n.u8(c, "description", "what happened", desc, [](uint8_t v) -> std::string {
            std::string_view name = alert_name(static_cast<AlertDescription>(v));
            return (name.empty() ? std::string("unknown") : std::string(name)) + " (" +
                   std::to_string(v) + ")";
          })) {
        root.value = root.children.back().value;
      }
      rest(c, root.children);
      return root;
    }
    case ContentType::change_cipher_spec: {
      Field root;
      root.name = "ChangeCipherSpec";
      root.length = bytes.size();
      root.meaning = ctx.version == 0x0304
                         ? "a dummy message for middlebox compatibility (RFC 8446 D.4); no effect"
                         : "from now on the sender's records are encrypted";
      Cursor c{codec::Reader(bytes), 0};
      Node n{root.children};
      uint8_t v = 0;
      (void)n.u8(c, "type", "always 1 (change_cipher_spec)", v, hex8_v);
      rest(c, root.children);
      return root;
    }
    case ContentType::application_data: {
      Field root;
      root.name = "Application data";
      root.length = bytes.size();
      root.value = std::to_string(bytes.size()) + " bytes";
      root.meaning = "the application's bytes (here: HTTP)";
      if (!bytes.empty()) {
        Field f;
        f.length = bytes.size();
        f.name = "data";
        f.value = text_preview(bytes, 48);
        f.meaning = "application data";
        root.children.push_back(std::move(f));
      }
      return root;
    }
    case ContentType::invalid:
      break;
  }
  Field root;
  root.name = "content type " + std::to_string(content_type);
  root.length = bytes.size();
  Cursor c{codec::Reader(bytes), 0};
  rest(c, root.children, "a content type this library does not know");
  return root;
}

Field annotate_record_header(std::span<const uint8_t> header, bool encrypted) {
  Field root;
  root.name = "Record header";
  root.length = header.size();
  root.meaning = "every TLS record starts with these 5 bytes";
  Cursor c{codec::Reader(header), 0};
  Node n{root.children};
  uint8_t type = 0;
  uint16_t version = 0;
  uint16_t length = 0;
  const bool outer_23 = !header.empty() && header[0] == 23;
  if (n.u8(c, "content_type",
           !encrypted ? "what the record carries"
           : outer_23 ? "application data (TLS 1.2), or any protected TLS 1.3 record: its real "
                        "type is the last byte of the decrypted plaintext"
                      : "what the record carries (TLS 1.2 keeps the type outside; the fragment "
                        "is encrypted)",
           type, content_type_v) &&
      n.u16(c, "legacy_record_version", "0x0303 (0x0301 in a first ClientHello); not checked",
            version, version_v) &&
      n.u16(c, "length", "length of the fragment that follows", length)) {
    root.children.back().value += " bytes";
    root.value = content_type_v(type) + ", " + std::to_string(length) + " bytes";
  }
  rest(c, root.children);
  return root;
}

Field annotate_ciphertext(std::span<const uint8_t> fragment, bool explicit_nonce) {
  Field root;
  root.name = "Encrypted fragment";
  root.length = fragment.size();
  root.value = std::to_string(fragment.size()) + " bytes";
  root.meaning = "AEAD ciphertext: only the peer's keys can open it";
  Cursor c{codec::Reader(fragment), 0};
  Node n{root.children};
  constexpr size_t kTag = 16;
  std::span<const uint8_t> v;
  if (explicit_nonce && fragment.size() >= 8 + kTag) {
    (void)n.bytes(c, 8, "explicit_nonce",
                  "the per-record part of the AES-GCM nonce (TLS 1.2), sent in the clear", v);
  }
  if (c.in.remaining() >= kTag) {
    size_t body = c.in.remaining() - kTag;
    if (body > 0) {
      (void)n.bytes(c, body, "encrypted_data",
                    "the encrypted message (TLS 1.3: plus its real content type)", v);
    }
    (void)n.bytes(c, kTag, "auth_tag", "the AEAD tag: any change to the record is detected", v);
  }
  rest(c, root.children, "ciphertext");
  return root;
}

namespace {
bool covers(const Field& f, size_t& next) {
  if (f.is_leaf()) {
    if (f.offset != next || f.length == 0) {
      return false;
    }
    next += f.length;
    return true;
  }
  if (f.offset != next) {
    return false;
  }
  for (const Field& c : f.children) {
    if (!covers(c, next)) {
      return false;
    }
  }
  return next == f.offset + f.length;
}
}  // namespace

bool leaves_cover_exactly(const Field& root, size_t size) {
  if (root.is_leaf()) {
    return size == 0 ? root.length == 0 : (root.offset == 0 && root.length == size);
  }
  size_t next = 0;
  for (const Field& c : root.children) {
    if (!covers(c, next)) {
      return false;
    }
  }
  return next == size;
}

std::string hex(std::span<const uint8_t> bytes, size_t max) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  size_t n = bytes.size() < max ? bytes.size() : max;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xF]);
  }
  if (n < bytes.size()) {
    out += "...(" + std::to_string(bytes.size()) + " bytes)";
  }
  return out;
}

std::string suite_label(uint16_t v) { return labelled(suite_name(static_cast<CipherSuite>(v)), v); }
std::string group_label(uint16_t v) { return labelled(group_name(static_cast<NamedGroup>(v)), v); }
std::string scheme_label(uint16_t v) {
  return labelled(signature_scheme_name(static_cast<SignatureScheme>(v)), v);
}
std::string extension_label(uint16_t v) {
  return labelled(extension_type_name(static_cast<ExtensionType>(v)), v);
}
std::string version_label(uint16_t v) {
  std::string name = curl_version_name(v);
  if (name.empty() || name.front() == '(') {
    name.clear();
  }
  return labelled(name, v);
}

std::string message_label(uint8_t t) {
  std::string_view name;
  switch (t) {
    case 0:
      name = "Hello request";
      break;
    case 1:
      name = "Client hello";
      break;
    case 2:
      name = "Server hello";
      break;
    case 4:
      name = "New session ticket";
      break;
    case 5:
      name = "End of early data";
      break;
    case 8:
      name = "Encrypted extensions";
      break;
    case 11:
      name = "Certificate";
      break;
    case 12:
      name = "Server key exchange";
      break;
    case 13:
      name = "Certificate request";
      break;
    case 14:
      name = "Server hello done";
      break;
    case 15:
      name = "Certificate verify";
      break;
    case 16:
      name = "Client key exchange";
      break;
    case 20:
      name = "Finished";
      break;
    case 22:
      name = "Certificate status";
      break;
    case 24:
      name = "Key update";
      break;
    case 254:
      name = "Message hash";
      break;
    default:
      name = "Unknown";
      break;
  }
  return std::string(name) + " (" + std::to_string(t) + ")";
}

}  // namespace hs::trace

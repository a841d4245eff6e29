// Field annotator: walks the bytes of one record header or protocol message (handshake message,
// alert, change_cipher_spec) with codec::Reader and returns a tree of fields, each with its
// offset, length, name, decoded value and a one-line meaning. It is the byte-level explanation
// behind `hs client --trace-html` (src/trace/html_trace.h) and is built to be shown to a person:
// every byte of the input is covered by exactly one leaf field, also when the bytes are
// malformed (what does not fit the grammar becomes an "undecoded" leaf). It never trusts the
// bytes: every length goes through read_prefixed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hs::trace {

// Field is one node of the tree. A leaf (no children) covers [offset, offset + length) of the
// annotated bytes; a group's children cover exactly its own range, in order, without gaps.
// Offsets are relative to the start of the span given to the annotate_* function.
struct Field {
  size_t offset = 0;
  size_t length = 0;
  std::string name;     // grammar name: "cipher_suite", "extension_type", "key_exchange"
  std::string value;    // decoded: "TLS_AES_128_GCM_SHA256 (0x1301)", "32 bytes", "\"localhost\""
  std::string meaning;  // one line: "the suite the server chose"
  std::vector<Field> children;

  bool is_leaf() const { return children.empty(); }
};

// MessageContext: what the annotator needs to know besides the bytes, because some grammars
// depend on the sender and on the negotiated version (TLS 1.2 and 1.3 Certificate,
// CertificateRequest and NewSessionTicket differ; extension bodies differ between ClientHello
// and ServerHello).
struct MessageContext {
  bool from_client = true;
  uint16_t version = 0x0303;  // the negotiated version (MessageEvent::version)
};

// annotate_handshake explains one handshake message, its 4-byte header included.
Field annotate_handshake(std::span<const uint8_t> message, const MessageContext& ctx);

// annotate_message explains one message by content type: handshake (22), alert (21),
// change_cipher_spec (20), application_data (23, one opaque leaf); other types are opaque.
Field annotate_message(uint8_t content_type, std::span<const uint8_t> bytes,
                       const MessageContext& ctx);

// annotate_record_header explains a 5-byte record header (content type, legacy_record_version,
// length); `encrypted` adjusts the meaning (TLS 1.3 protected records travel as
// application_data).
Field annotate_record_header(std::span<const uint8_t> header, bool encrypted);

// annotate_ciphertext explains a protected record's fragment: for TLS 1.2 AEAD suites with an
// explicit nonce (AES-GCM) the 8-byte nonce, then the encrypted data, then the 16-byte tag.
// `explicit_nonce` says whether the suite sends one.
Field annotate_ciphertext(std::span<const uint8_t> fragment, bool explicit_nonce);

// leaves_cover_exactly reports whether the leaves of `root` cover [0, size) exactly once, in
// order, and every group's children cover exactly the group (the annotator's invariant; used
// by tests and the fuzz target).
bool leaves_cover_exactly(const Field& root, size_t size);

// Names with their numbers, as the detailed trace prints them: "x25519 (0x001d)",
// "GREASE (0x0a0a)", "unknown (0x1234)".
std::string suite_label(uint16_t v);
std::string group_label(uint16_t v);
std::string scheme_label(uint16_t v);
std::string extension_label(uint16_t v);
std::string version_label(uint16_t v);
// message_label is the truthful handshake message name: "Server hello done (14)".
std::string message_label(uint8_t handshake_type);
// hex renders bytes as lowercase hex; long values are cut after `max` bytes with "...(N bytes)".
std::string hex(std::span<const uint8_t> bytes, size_t max = 64);

}  // namespace hs::trace

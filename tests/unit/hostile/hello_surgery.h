// hello_surgery.h: byte edits on handshake messages (4-byte header + body) and on a ClientHello's
// cipher suites and extensions, for the hostile table and the conformance tests. The edits keep
// every length field consistent, so what they make is malformed only where a test wants it.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hs::fuzzing::surgery {

using Bytes = std::vector<uint8_t>;

inline size_t get_u16(const Bytes& m, size_t at) { return (size_t{m[at]} << 8) | m[at + 1]; }
inline void put_u16(Bytes& m, size_t at, size_t v) {
  m[at] = static_cast<uint8_t>(v >> 8);
  m[at + 1] = static_cast<uint8_t>(v);
}
// fix_header rewrites the handshake header's u24 length after the body changed.
inline void fix_header(Bytes& m) {
  const size_t len = m.size() - 4;
  m[1] = static_cast<uint8_t>(len >> 16);
  m[2] = static_cast<uint8_t>(len >> 8);
  m[3] = static_cast<uint8_t>(len);
}

// Offsets inside hellos: 4 header + 2 version + 32 random, then the session id.
inline constexpr size_t kSessionIdLen = 38;
inline size_t client_hello_suites(const Bytes& m) { return kSessionIdLen + 1 + m[kSessionIdLen]; }
inline size_t client_hello_compression(const Bytes& m) {
  const size_t s = client_hello_suites(m);
  return s + 2 + get_u16(m, s);
}
inline size_t client_hello_extensions(const Bytes& m) {
  const size_t c = client_hello_compression(m);
  return c + 1 + m[c];
}

// add_suite puts `suite` first in a ClientHello's cipher_suites (`last`: at the end).
inline void add_suite(Bytes& m, uint16_t suite, bool last = false) {
  const size_t at = client_hello_suites(m);
  const size_t where = last ? at + 2 + get_u16(m, at) : at + 2;
  const Bytes code = {static_cast<uint8_t>(suite >> 8), static_cast<uint8_t>(suite)};
  m.insert(m.begin() + static_cast<std::ptrdiff_t>(where), code.begin(), code.end());
  put_u16(m, at, get_u16(m, at) + 2);
  fix_header(m);
}

// find_ext returns the offset of extension `type` in the block whose u16 length is at `block`,
// SIZE_MAX when absent.
inline size_t find_ext(const Bytes& m, size_t block, uint16_t type) {
  const size_t end = block + 2 + get_u16(m, block);
  for (size_t at = block + 2; at + 4 <= end; at += 4 + get_u16(m, at + 2)) {
    if (get_u16(m, at) == type) {
      return at;
    }
  }
  return SIZE_MAX;
}
inline void remove_ext(Bytes& m, uint16_t type) {
  const size_t block = client_hello_extensions(m);
  const size_t at = find_ext(m, block, type);
  if (at == SIZE_MAX) {
    ADD_FAILURE() << "no extension " << type;
    return;
  }
  const size_t n = 4 + get_u16(m, at + 2);
  m.erase(m.begin() + static_cast<std::ptrdiff_t>(at),
          m.begin() + static_cast<std::ptrdiff_t>(at + n));
  put_u16(m, block, get_u16(m, block) - n);
  fix_header(m);
}
// append_ext adds an extension at the end of the block.
inline void append_ext(Bytes& m, uint16_t type, const Bytes& body) {
  const size_t block = client_hello_extensions(m);
  const size_t end = block + 2 + get_u16(m, block);
  Bytes ext = {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type),
               static_cast<uint8_t>(body.size() >> 8), static_cast<uint8_t>(body.size())};
  ext.insert(ext.end(), body.begin(), body.end());
  m.insert(m.begin() + static_cast<std::ptrdiff_t>(end), ext.begin(), ext.end());
  put_u16(m, block, get_u16(m, block) + ext.size());
  fix_header(m);
}
// set_ext replaces an extension's body (it moves to the end of the block).
inline void set_ext(Bytes& m, uint16_t type, const Bytes& body) {
  remove_ext(m, type);
  append_ext(m, type, body);
}
// ext_body returns the body of extension `type` (empty, and a test failure, when absent).
inline Bytes ext_body(const Bytes& m, uint16_t type) {
  const size_t at = find_ext(m, client_hello_extensions(m), type);
  if (at == SIZE_MAX) {
    ADD_FAILURE() << "no extension " << type;
    return {};
  }
  return Bytes(m.begin() + static_cast<std::ptrdiff_t>(at + 4),
               m.begin() + static_cast<std::ptrdiff_t>(at + 4 + get_u16(m, at + 2)));
}

}  // namespace hs::fuzzing::surgery

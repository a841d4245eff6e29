#include "messages/client_hello.h"

#include <algorithm>

#include "messages/common.h"

namespace hs::messages {

namespace {
constexpr const char* kContext = "client_hello";
}

Result<ClientHello> parse_client_hello(std::span<const uint8_t> body) {
  codec::Reader in(body);
  ClientHello ch;
  std::span<const uint8_t> random;
  std::span<const uint8_t> session_id;
  codec::Reader suites;
  std::span<const uint8_t> compression;
  if (!in.read_enum16(ch.legacy_version) || !in.read_bytes(ch.random.size(), random) ||
      !in.read_prefixed_bytes(codec::Len::u8, 0, 32, session_id) ||
      !in.read_prefixed(codec::Len::u16, 2, 0xFFFE, suites) || suites.remaining() % 2 != 0 ||
      !in.read_prefixed_bytes(codec::Len::u8, 1, 0xFF, compression)) {
    return detail::malformed(kContext);
  }
  std::copy(random.begin(), random.end(), ch.random.begin());
  ch.legacy_session_id.assign(session_id.begin(), session_id.end());
  while (!suites.empty()) {
    CipherSuite s;
    if (!suites.read_enum16(s)) {
      return detail::malformed(kContext);
    }
    ch.cipher_suites.push_back(s);
  }
  ch.compression_methods.assign(compression.begin(), compression.end());
  // RFC 5246, 7.4.1.2: the client "MAY request extended functionality from servers by sending
  // data in the extensions field"; with no bytes left there is no extension block.
  if (!in.empty()) {
    ch.extensions = HS_TRY(parse_extensions(in));
    if (!in.expect_end()) {
      return detail::malformed(kContext);
    }
  }
  return ch;
}

Result<void> serialize(const ClientHello& msg, std::vector<uint8_t>& body_out) {
  if (msg.cipher_suites.empty() || msg.compression_methods.empty()) {
    return detail::unencodable(kContext);
  }
  codec::Writer w(body_out);
  w.write_enum16(msg.legacy_version);
  w.write_bytes(msg.random);
  {
    auto sid = w.open_prefixed(codec::Len::u8, 32);
    sid.write_bytes(msg.legacy_session_id);
  }
  {
    auto suites = w.open_prefixed(codec::Len::u16, 0xFFFE);
    for (CipherSuite s : msg.cipher_suites) {
      suites.write_enum16(s);
    }
  }
  {
    auto comp = w.open_prefixed(codec::Len::u8);
    comp.write_bytes(msg.compression_methods);
  }
  if (!msg.extensions.empty()) {
    write_extensions(msg.extensions, w);
  }
  return detail::finish(w, kContext);
}

}  // namespace hs::messages

#include "messages/server_key_exchange.h"

#include "codec/writer.h"
#include "messages/common.h"

namespace hs::messages {

namespace {
constexpr const char* kContext = "server_key_exchange";

void write_params(const ServerKeyExchangeEcdhe& msg, codec::Writer& w) {
  w.write_u8(msg.curve_type);
  w.write_enum16(msg.group);
  w.write_prefixed_bytes(codec::Len::u8, msg.public_key);
}
}  // namespace

Result<ServerKeyExchangeEcdhe> parse_server_key_exchange_ecdhe(std::span<const uint8_t> body) {
  codec::Reader in(body);
  ServerKeyExchangeEcdhe msg;
  if (!in.read_u8(msg.curve_type)) {
    return detail::malformed(kContext);
  }
  // RFC 8422, 5.4 deprecates explicit_prime and explicit_char2; only named_curve is defined
  // for use, and we could not parse the rest of any other form.
  if (msg.curve_type != kCurveTypeNamedCurve) {
    return detail::forbidden(kContext);
  }
  std::span<const uint8_t> point;
  std::span<const uint8_t> signature;
  if (!in.read_enum16(msg.group) || !in.read_prefixed_bytes(codec::Len::u8, 1, 0xFF, point) ||
      !in.read_enum16(msg.scheme) ||
      !in.read_prefixed_bytes(codec::Len::u16, 0, 0xFFFF, signature) || !in.expect_end()) {
    return detail::malformed(kContext);
  }
  msg.public_key.assign(point.begin(), point.end());
  msg.signature.assign(signature.begin(), signature.end());
  return msg;
}

Result<void> serialize(const ServerKeyExchangeEcdhe& msg, std::vector<uint8_t>& body_out) {
  if (msg.public_key.empty() || msg.curve_type != kCurveTypeNamedCurve) {
    return detail::unencodable(kContext);
  }
  codec::Writer w(body_out);
  write_params(msg, w);
  w.write_enum16(msg.scheme);
  w.write_prefixed_bytes(codec::Len::u16, msg.signature);
  return detail::finish(w, kContext);
}

std::vector<uint8_t> ske_params_bytes(const ServerKeyExchangeEcdhe& msg) {
  std::vector<uint8_t> out;
  codec::Writer w(out);
  write_params(msg, w);
  return out;
}

std::vector<uint8_t> ske_signed_content(std::span<const uint8_t, 32> client_random,
                                        std::span<const uint8_t, 32> server_random,
                                        const ServerKeyExchangeEcdhe& msg) {
  // RFC 8422, 5.4: signed_params covers "ClientHello.random + ServerHello.random +
  // ServerECDHParams".
  std::vector<uint8_t> out;
  codec::Writer w(out);
  w.write_bytes(client_random);
  w.write_bytes(server_random);
  write_params(msg, w);
  return out;
}

}  // namespace hs::messages

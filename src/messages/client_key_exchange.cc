#include "messages/client_key_exchange.h"

#include "messages/common.h"

namespace hs::messages {

Result<ClientKeyExchangeEcdhe> parse_client_key_exchange_ecdhe(std::span<const uint8_t> body) {
  codec::Reader in(body);
  std::span<const uint8_t> point;
  if (!in.read_prefixed_bytes(codec::Len::u8, 1, 0xFF, point) || !in.expect_end()) {
    return detail::malformed("client_key_exchange");
  }
  return ClientKeyExchangeEcdhe{{point.begin(), point.end()}};
}

Result<void> serialize(const ClientKeyExchangeEcdhe& msg, std::vector<uint8_t>& body_out) {
  if (msg.public_key.empty()) {
    return detail::unencodable("client_key_exchange");
  }
  codec::Writer w(body_out);
  w.write_prefixed_bytes(codec::Len::u8, msg.public_key);
  return detail::finish(w, "client_key_exchange");
}

}  // namespace hs::messages

#include "messages/new_session_ticket.h"

#include "messages/common.h"

namespace hs::messages {

namespace {
constexpr const char* kContext = "new_session_ticket";
}

Result<NewSessionTicket12> parse_new_session_ticket12(std::span<const uint8_t> body) {
  codec::Reader in(body);
  NewSessionTicket12 msg;
  std::span<const uint8_t> ticket;
  if (!in.read_u32(msg.lifetime_hint) ||
      !in.read_prefixed_bytes(codec::Len::u16, 0, 0xFFFF, ticket) || !in.expect_end()) {
    return detail::malformed(kContext);
  }
  msg.ticket.assign(ticket.begin(), ticket.end());
  return msg;
}

Result<void> serialize(const NewSessionTicket12& msg, std::vector<uint8_t>& body_out) {
  codec::Writer w(body_out);
  w.write_u32(msg.lifetime_hint);
  w.write_prefixed_bytes(codec::Len::u16, msg.ticket);
  return detail::finish(w, kContext);
}

Result<NewSessionTicket13> parse_new_session_ticket13(std::span<const uint8_t> body) {
  codec::Reader in(body);
  NewSessionTicket13 msg;
  std::span<const uint8_t> nonce;
  std::span<const uint8_t> ticket;
  if (!in.read_u32(msg.lifetime) || !in.read_u32(msg.age_add) ||
      !in.read_prefixed_bytes(codec::Len::u8, 0, 0xFF, nonce) ||
      !in.read_prefixed_bytes(codec::Len::u16, 1, 0xFFFF, ticket)) {
    return detail::malformed(kContext);
  }
  msg.nonce.assign(nonce.begin(), nonce.end());
  msg.ticket.assign(ticket.begin(), ticket.end());
  // Extension extensions<0..2^16-2>: an extension header is 4 bytes, so a block of 2^16-1 bytes
  // cannot be consumed exactly by its entries and already fails as malformed.
  msg.extensions = HS_TRY(parse_extensions(in));
  if (!in.expect_end()) {
    return detail::malformed(kContext);
  }
  return msg;
}

Result<void> serialize(const NewSessionTicket13& msg, std::vector<uint8_t>& body_out) {
  if (msg.ticket.empty()) {
    return detail::unencodable(kContext);
  }
  codec::Writer w(body_out);
  w.write_u32(msg.lifetime);
  w.write_u32(msg.age_add);
  w.write_prefixed_bytes(codec::Len::u8, msg.nonce);
  w.write_prefixed_bytes(codec::Len::u16, msg.ticket);
  write_extensions(msg.extensions, w);
  return detail::finish(w, kContext);
}

}  // namespace hs::messages

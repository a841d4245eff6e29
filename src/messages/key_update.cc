#include "messages/key_update.h"

#include "messages/common.h"

namespace hs::messages {

namespace {
bool is_known(KeyUpdateRequest r) {
  return r == KeyUpdateRequest::update_not_requested || r == KeyUpdateRequest::update_requested;
}
}  // namespace

Result<KeyUpdate> parse_key_update(std::span<const uint8_t> body) {
  codec::Reader in(body);
  KeyUpdate msg;
  if (!in.read_enum8(msg.request_update) || !in.expect_end()) {
    return detail::malformed("key_update");
  }
  // RFC 8446, 4.6.3: "If an implementation receives any other value, it MUST terminate the
  // connection with an "illegal_parameter" alert."
  if (!is_known(msg.request_update)) {
    return detail::forbidden("key_update");
  }
  return msg;
}

Result<void> serialize(const KeyUpdate& msg, std::vector<uint8_t>& body_out) {
  if (!is_known(msg.request_update)) {
    return detail::unencodable("key_update");
  }
  codec::Writer w(body_out);
  w.write_enum8(msg.request_update);
  return detail::finish(w, "key_update");
}

}  // namespace hs::messages

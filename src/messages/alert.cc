#include "messages/alert.h"

#include "codec/reader.h"
#include "codec/writer.h"
#include "messages/common.h"

namespace hs::messages {

Result<AlertMessage> parse_alert(std::span<const uint8_t> body) {
  codec::Reader in(body);
  AlertMessage msg;
  if (!in.read_enum8(msg.level) || !in.read_enum8(msg.description) || !in.expect_end()) {
    return detail::malformed("alert");
  }
  return msg;
}

Result<void> serialize(const AlertMessage& msg, std::vector<uint8_t>& body_out) {
  codec::Writer w(body_out);
  w.write_enum8(msg.level);
  w.write_enum8(msg.description);
  return detail::finish(w, "alert");
}

}  // namespace hs::messages

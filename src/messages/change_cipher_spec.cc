#include "messages/change_cipher_spec.h"

#include "codec/reader.h"
#include "codec/writer.h"
#include "messages/common.h"

namespace hs::messages {

Result<ChangeCipherSpec> parse_change_cipher_spec(std::span<const uint8_t> body) {
  codec::Reader in(body);
  uint8_t value;
  // RFC 5246, 7.1: the message "consists of a single byte of value 1".
  if (!in.read_u8(value) || value != kChangeCipherSpecValue || !in.expect_end()) {
    return detail::malformed("change_cipher_spec");
  }
  return ChangeCipherSpec{};
}

Result<void> serialize(const ChangeCipherSpec& /*msg*/, std::vector<uint8_t>& body_out) {
  codec::Writer w(body_out);
  w.write_u8(kChangeCipherSpecValue);
  return detail::finish(w, "change_cipher_spec");
}

}  // namespace hs::messages

#include "messages/encrypted_extensions.h"

#include "messages/common.h"

namespace hs::messages {

Result<EncryptedExtensions> parse_encrypted_extensions(std::span<const uint8_t> body) {
  codec::Reader in(body);
  EncryptedExtensions msg;
  msg.extensions = HS_TRY(parse_extensions(in));
  if (!in.expect_end()) {
    return detail::malformed("encrypted_extensions");
  }
  return msg;
}

Result<void> serialize(const EncryptedExtensions& msg, std::vector<uint8_t>& body_out) {
  codec::Writer w(body_out);
  write_extensions(msg.extensions, w);
  return detail::finish(w, "encrypted_extensions");
}

}  // namespace hs::messages

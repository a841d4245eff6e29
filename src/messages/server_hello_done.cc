#include "messages/server_hello_done.h"

#include "messages/common.h"

namespace hs::messages {

Result<ServerHelloDone> parse_server_hello_done(std::span<const uint8_t> body) {
  if (!body.empty()) {
    return detail::malformed("server_hello_done");
  }
  return ServerHelloDone{};
}

Result<void> serialize(const ServerHelloDone& /*msg*/, std::vector<uint8_t>& /*body_out*/) {
  return ok_result();
}

}  // namespace hs::messages

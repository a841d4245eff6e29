#include "messages/finished.h"

#include "messages/common.h"

namespace hs::messages {

Result<Finished> parse_finished(std::span<const uint8_t> body, size_t expected_len) {
  codec::Reader in(body);
  std::span<const uint8_t> verify_data;
  if (!in.read_bytes(expected_len, verify_data) || !in.expect_end()) {
    return detail::malformed("finished");
  }
  return Finished{{verify_data.begin(), verify_data.end()}};
}

Result<void> serialize(const Finished& msg, std::vector<uint8_t>& body_out) {
  if (msg.verify_data.empty()) {
    return detail::unencodable("finished");
  }
  codec::Writer w(body_out);
  w.write_bytes(msg.verify_data);
  return detail::finish(w, "finished");
}

}  // namespace hs::messages

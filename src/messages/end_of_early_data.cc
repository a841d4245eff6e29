#include "messages/end_of_early_data.h"

#include "messages/common.h"

namespace hs::messages {

Result<EndOfEarlyData> parse_end_of_early_data(std::span<const uint8_t> body) {
  if (!body.empty()) {
    return detail::malformed("end_of_early_data");
  }
  return EndOfEarlyData{};
}

Result<void> serialize(const EndOfEarlyData& /*msg*/, std::vector<uint8_t>& /*body_out*/) {
  return ok_result();
}

}  // namespace hs::messages

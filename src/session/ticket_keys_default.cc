#include "session/ticket_keys_default.h"

#include <mutex>

namespace hs::detail {

const TicketKeys& ticket_keys_for(const ServerConfig& config) {
  if (config.ticket_keys) {
    return *config.ticket_keys;
  }
  static std::shared_ptr<TicketKeys> process_ring;
  static std::once_flag once;
  std::call_once(once, [&] {
    auto made = TicketKeys::generate(config.provider);
    process_ring = made.ok() ? std::move(made).value() : std::make_shared<TicketKeys>();
  });
  return *process_ring;
}

}  // namespace hs::detail

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
    // The ring lives as long as the process, so it must not keep the provider of whichever
    // config happened to come first: that provider may be gone by the next handshake (a
    // per-connection testing provider, a fuzz iteration), and sealing a ticket through it is a
    // use after free. The process ring always draws from libcrypto.
    auto made = TicketKeys::generate(nullptr);
    process_ring = made.ok() ? std::move(made).value() : std::make_shared<TicketKeys>();
  });
  return *process_ring;
}

}  // namespace hs::detail

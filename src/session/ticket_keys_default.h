// ticket_keys_for: the ticket key ring a server uses, its configured one or a per-process ring.
#pragma once

#include <hs/config.h>
#include <hs/session.h>

namespace hs::detail {

// ticket_keys_for returns config.ticket_keys when set, else a ring made once per process with
// fresh random keys from libcrypto (never config.provider, which may not outlive the ring). Tickets
// sealed by the process ring are only valid within this process. Never null: when the provider
// cannot produce randomness the process ring is empty, seal() fails and open() finds nothing (full
// handshakes).
const TicketKeys& ticket_keys_for(const ServerConfig& config);

}  // namespace hs::detail

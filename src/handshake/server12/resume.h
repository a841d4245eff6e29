// TLS 1.2 server resumption: finding the session a ClientHello offers (session ID in the
// ServerSessionCache, or an RFC 5077 ticket sealed under the TicketKeys) and sealing new
// tickets. Pure decisions plus the ticket crypto; the state machine sends the messages.
#pragma once

#include <hs/config.h>
#include <hs/result.h>
#include <hs/session.h>

#include <optional>
#include <string>
#include <vector>

#include "handshake/server12/negotiation.h"
#include "messages/client_hello.h"

namespace hs::server12 {

// Resumption is a session the ClientHello may resume.
struct Resumption {
  StoredSession session;
  bool by_ticket = false;  // else by session ID
};

// client_session_ticket returns the ClientHello's session_ticket extension body (empty when the
// client asks for a new ticket), or nullopt when the client sent none (RFC 5077 §3.2).
std::optional<std::vector<uint8_t>> client_session_ticket(const messages::ClientHello& hello);

// find_resumption looks up what `hello` offers to resume: a ticket (when config.issue_tickets)
// that opens under our keys, else a session ID in config.session_cache. A session qualifies
// when it is TLS 1.2, not expired at `now_ms`, its suite is one the client offers and we still
// allow, and (with ClientAuth::require) its client presented a certificate. Anything that does not
// qualify (unknown, rotated-out key, tampered, expired) gives nullopt — a full handshake, never an
// error — with a note saying why. The one error is RFC 7627 §5.3: a known session whose EMS use
// differs in the abort direction (extended_master_secret_required, handshake_failure).
Result<std::optional<Resumption>> find_resumption(const messages::ClientHello& hello,
                                                  const ClientOffer& offer,
                                                  const ServerConfig& config, uint64_t now_ms,
                                                  std::vector<std::string>& notes);

// seal_ticket12 seals `session` (its secret is the master secret) into an RFC 5077 ticket
// under the server's ticket keys. internal_error when no key can seal.
Result<std::vector<uint8_t>> seal_ticket12(const ServerConfig& config,
                                           const StoredSession& session);

}  // namespace hs::server12

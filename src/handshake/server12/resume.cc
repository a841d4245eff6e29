#include "handshake/server12/resume.h"

#include <algorithm>

#include "messages/extensions.h"
#include "session/ticket_keys_default.h"

namespace hs::server12 {

std::optional<std::vector<uint8_t>> client_session_ticket(const messages::ClientHello& hello) {
  const messages::Extension* ext =
      messages::find_extension(hello.extensions, ExtensionType::session_ticket);
  if (ext == nullptr) {
    return std::nullopt;
  }
  return ext->data;
}

namespace {

// qualifies checks what makes a remembered session usable again, explaining a refusal in `why`.
bool qualifies(const StoredSession& s, const ClientOffer& offer, const ServerConfig& config,
               uint64_t now_ms, std::string& why) {
  if (s.version != ProtocolVersion::tls1_2) {
    why = "not a TLS 1.2 session";
    return false;
  }
  if (s.expired(now_ms)) {
    why = "session expired";
    return false;
  }
  // RFC 5246 §7.4.1.2: the resuming ClientHello "MUST include the cipher_suite from that
  // session"; we also require that we still allow it.
  if (std::ranges::find(offer.suites, s.suite) == offer.suites.end()) {
    why = "client no longer offers the session's cipher suite";
    return false;
  }
  if (std::ranges::find(config.cipher_suites, s.suite) == config.cipher_suites.end()) {
    why = "the session's cipher suite is no longer enabled";
    return false;
  }
  // A server that requires client certificates resumes only sessions whose client presented
  // a verified one; resuming any other would let a client skip authentication.
  if (config.client_auth == ClientAuth::require && s.peer_chain.empty()) {
    why = "the session has no client certificate and one is required";
    return false;
  }
  if (s.secret.size() != 48) {
    why = "bad master secret";
    return false;
  }
  return true;
}

}  // namespace

Result<std::optional<Resumption>> find_resumption(const messages::ClientHello& hello,
                                                  const ClientOffer& offer,
                                                  const ServerConfig& config, uint64_t now_ms,
                                                  std::vector<std::string>& notes) {
  std::optional<Resumption> found;
  std::string why;
  const auto ticket = client_session_ticket(hello);
  if (config.issue_tickets && ticket.has_value() && !ticket->empty()) {
    auto plain = detail::ticket_keys_for(config).open(*ticket, kTicketPurposeTls12);
    if (!plain.has_value()) {
      notes.emplace_back("session ticket not accepted (unknown key, tampered or damaged)");
    } else if (auto s = deserialize_session(plain->expose()); !s.ok()) {
      notes.emplace_back("session ticket not accepted (does not decode)");
    } else if (!qualifies(s.value(), offer, config, now_ms, why)) {
      notes.emplace_back("session ticket not accepted: " + why);
    } else {
      found = Resumption{std::move(s).value(), true};
    }
  }
  if (!found.has_value() && !offer.session_id.empty() && config.session_cache) {
    auto s = config.session_cache->get(offer.session_id, now_ms);
    if (!s.has_value()) {
      notes.emplace_back("session ID not in the cache (unknown or expired)");
    } else if (!qualifies(*s, offer, config, now_ms, why)) {
      notes.emplace_back("cached session not resumed: " + why);
    } else {
      found = Resumption{std::move(*s), false};
    }
  }
  if (!found.has_value()) {
    return std::optional<Resumption>();
  }
  const bool original_ems = found->session.extended_master_secret;
  if (!original_ems && offer.extended_master_secret) {
    // RFC 7627 §5.3: "If the original session did not use the "extended_master_secret"
    // extension but the new ClientHello contains the extension, then the server MUST NOT
    // perform the abbreviated handshake. Instead, it SHOULD continue with a full handshake".
    notes.emplace_back("session without extended master secret: full handshake (RFC 7627)");
    return std::optional<Resumption>();
  }
  if (original_ems && !offer.extended_master_secret) {
    // RFC 7627 §5.3: "If the original session used the "extended_master_secret" extension but
    // the new ClientHello does not contain it, the server MUST abort the abbreviated
    // handshake."
    return Error(ErrorCode::extended_master_secret_required, "client_hello",
                 "resuming an extended-master-secret session without the extension");
  }
  if (!original_ems && !offer.extended_master_secret) {
    // RFC 7627 §5.3: "If neither the original session nor the new ClientHello uses the
    // extension, the server SHOULD abort the handshake."
    return Error(ErrorCode::extended_master_secret_required, "client_hello",
                 "insecure resumption of a session without extended master secret");
  }
  return found;
}

Result<std::vector<uint8_t>> seal_ticket12(const ServerConfig& config,
                                           const StoredSession& session) {
  StoredSession state = session.clone();
  state.session_id.clear();  // the ticket replaces the ID; the client picks one to offer it
  state.ticket.clear();
  auto plain = HS_TRY(serialize_session(state));
  return detail::ticket_keys_for(config).seal(plain.expose(), kTicketPurposeTls12);
}

}  // namespace hs::server12

// Post-handshake messages (RFC 8446 §4.6): NewSessionTicket here, KeyUpdate in
// handshake/common/tls13_traffic.h; and the state table.
#include <string>
#include <utility>

#include "handshake/client13/client13.h"
#include "messages/extensions.h"
#include "messages/handshake.h"
#include "messages/new_session_ticket.h"

namespace hs::client13 {

namespace {

// RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)."
constexpr uint32_t kMaxTicketLifetime = 604800;

Result<void> handle_new_session_ticket(Connected& st, HandshakeContext& ctx,
                                       const HandshakeMessageView& msg) {
  auto nst = HS_TRY(messages::parse_new_session_ticket13(msg.body));
  if (nst.lifetime > kMaxTicketLifetime) {
    return Error(ErrorCode::illegal_parameter, "new_session_ticket",
                 "ticket_lifetime above 604800 seconds");
  }
  Ticket t;
  t.lifetime = nst.lifetime;
  t.age_add = nst.age_add;
  t.ticket = std::move(nst.ticket);
  for (const messages::Extension& e : nst.extensions) {
    // RFC 8446 §4.6.1: early_data is the one extension defined here; "Clients MUST ignore
    // unrecognized extensions."
    if (e.type == ExtensionType::early_data) {
      t.max_early_data = HS_TRY(messages::parse_early_data_nst(e.data));
    }
  }
  // RFC 8446 §4.6.1: the PSK is HKDF-Expand-Label(resumption_master_secret, "resumption",
  // ticket_nonce, Hash.length).
  t.psk = HS_TRY(keyschedule::psk_from_ticket(ctx.provider(), st.app.suite.hash,
                                              st.resumption_master_secret.expose(), nst.nonce));
  ++st.tickets_received;
  if (ctx.wants_notes()) {
    ctx.note("session ticket received (" + std::to_string(t.ticket.size()) + " bytes, lifetime " +
             std::to_string(t.lifetime) + " s)");
  }
  // RFC 8446 §4.6.1: "The value of zero indicates that the ticket should be discarded
  // immediately."
  if (st.store && t.lifetime > 0) {
    StoredSession s;
    s.version = ProtocolVersion::tls1_3;
    s.suite = st.app.suite.suite;
    s.secret = t.psk.clone();
    s.ticket = t.ticket;
    s.lifetime_s = t.lifetime;
    s.age_add = t.age_add;
    s.created_ms = session_now_ms();
    s.max_early_data = t.max_early_data.value_or(0);
    s.alpn = st.alpn;
    s.server_name = st.server_name;
    // The server's chain from the full handshake (restored on resumption, so carried on by
    // tickets a resumed connection receives).
    s.peer_chain = ctx.info().peer_chain;
    s.peer_verified = ctx.info().peer_verified;
    st.store->put(st.store_key, std::move(s));
    ctx.note("session stored (TLS 1.3 ticket)");
  }
  st.ticket = std::move(t);
  return ok_result();
}

}  // namespace

Result<State> handle(Connected&& st, HandshakeContext& ctx, const HandshakeMessageView& msg) {
  if (msg.type == HandshakeType::new_session_ticket) {
    HS_TRY(handle_new_session_ticket(st, ctx, msg));
    return std::move(st);
  }
  if (msg.type == HandshakeType::key_update) {
    HS_TRY(detail::handle_key_update13(st.app, ctx, msg));
    return std::move(st);
  }
  if (msg.type == HandshakeType::certificate_request) {
    HS_TRY(answer_post_handshake_request(st, ctx, msg));
    return std::move(st);
  }
  // Every other type has no place after the handshake (RFC 8446 §4: "a peer which receives a
  // handshake message in an unexpected order MUST abort the handshake with an
  // "unexpected_message" alert").
  return Error(ErrorCode::unexpected_message, "connected",
               "handshake message not allowed after the TLS 1.3 handshake");
}

Result<State> handle_message(State&& state, HandshakeContext& ctx,
                             const HandshakeMessageView& msg) {
  return std::visit([&](auto&& st) -> Result<State> { return handle(std::move(st), ctx, msg); },
                    std::move(state));
}

bool accepts_dummy_change_cipher_spec(const State& state) {
  return !std::holds_alternative<Connected>(state);
}

std::string_view state_name(const State& state) {
  struct Namer {
    std::string_view operator()(const ExpectServerHello&) const {
      return "client13::ExpectServerHello";
    }
    std::string_view operator()(const ExpectEncryptedExtensions&) const {
      return "client13::ExpectEncryptedExtensions";
    }
    std::string_view operator()(const ExpectCertificateOrRequest&) const {
      return "client13::ExpectCertificateOrRequest";
    }
    std::string_view operator()(const ExpectCertificate&) const {
      return "client13::ExpectCertificate";
    }
    std::string_view operator()(const ExpectCertificateVerify&) const {
      return "client13::ExpectCertificateVerify";
    }
    std::string_view operator()(const ExpectFinished&) const { return "client13::ExpectFinished"; }
    std::string_view operator()(const AwaitSignature&) const { return "client13::AwaitSignature"; }
    std::string_view operator()(const Connected&) const { return "client13::Connected"; }
  };
  return std::visit(Namer{}, state);
}

}  // namespace hs::client13

// Post-handshake messages (RFC 8446 §4.6): NewSessionTicket and KeyUpdate; and the state table.
#include <string>
#include <utility>

#include "handshake/client13/client13.h"
#include "messages/extensions.h"
#include "messages/handshake.h"
#include "messages/key_update.h"
#include "messages/new_session_ticket.h"
#include "record/protection.h"

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
  t.psk = HS_TRY(keyschedule::psk_from_ticket(ctx.provider(), st.suite.hash,
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
    s.suite = st.suite.suite;
    s.secret = t.psk.clone();
    s.ticket = t.ticket;
    s.lifetime_s = t.lifetime;
    s.age_add = t.age_add;
    s.created_ms = session_now_ms();
    s.max_early_data = t.max_early_data.value_or(0);
    s.alpn = st.alpn;
    s.server_name = st.server_name;
    st.store->put(st.store_key, std::move(s));
    ctx.note("session stored (TLS 1.3 ticket)");
  }
  st.ticket = std::move(t);
  return ok_result();
}

Result<void> handle_key_update(Connected& st, HandshakeContext& ctx,
                               const HandshakeMessageView& msg) {
  // parse_key_update: "If an implementation receives any other value, it MUST terminate the
  // connection with an "illegal_parameter" alert."
  auto ku = HS_TRY(messages::parse_key_update(msg.body));
  const crypto::Provider& provider = ctx.provider();
  // RFC 8446 §4.6.3: "Upon receiving a KeyUpdate, the receiver MUST update its receiving
  // keys." set_read_protection checks the KeyUpdate ended its record (§5.1).
  auto next_read = HS_TRY(keyschedule::next_application_traffic_secret(provider, st.server_app));
  auto read_keys = HS_TRY(keyschedule::traffic_keys(provider, next_read, st.suite.aead));
  auto read = HS_TRY(record::make_tls13_protection(provider, st.suite.aead, read_keys.key.expose(),
                                                   read_keys.iv.expose()));
  HS_TRY(ctx.set_read_protection(std::move(read), "server_application_traffic_secret_N+1"));
  st.server_app = std::move(next_read);
  ++st.key_updates_received;
  if (ku.request_update == messages::KeyUpdateRequest::update_requested) {
    // RFC 8446 §4.6.3: "If the request_update field is set to "update_requested", then the
    // receiver MUST send a KeyUpdate of its own with request_update set to
    // "update_not_requested" prior to sending its next Application Data record."
    // One answer owed before our next application data record covers every request received
    // until then: a peer that floods requests without reading gets one KeyUpdate, not one each
    // (BoringSSL coalesces the same way).
    if (ctx.key_update_reply_pending()) {
      ctx.note("KeyUpdate received (update_requested); our answer is already queued");
    } else {
      HS_TRY(send_key_update(st, ctx, /*request_peer_update=*/false));
      ctx.note("KeyUpdate received (update_requested); answered and updated both directions");
    }
  } else {
    ctx.note("KeyUpdate received; read key updated");
  }
  return ok_result();
}

}  // namespace

Result<void> send_key_update(Connected& st, HandshakeContext& ctx, bool request_peer_update) {
  const crypto::Provider& provider = ctx.provider();
  messages::KeyUpdate ku{request_peer_update ? messages::KeyUpdateRequest::update_requested
                                             : messages::KeyUpdateRequest::update_not_requested};
  std::vector<uint8_t> raw;
  HS_TRY(messages::serialize_message(ku, raw));
  // RFC 8446 §4.6.3: the KeyUpdate goes under the old key; "the sender MUST send all its
  // traffic using the next generation of keys" after it. It ends its record (§5.1): the next
  // record is sealed under the new key.
  HS_TRY(ctx.send_handshake(raw));
  auto next_write = HS_TRY(keyschedule::next_application_traffic_secret(provider, st.client_app));
  auto write_keys = HS_TRY(keyschedule::traffic_keys(provider, next_write, st.suite.aead));
  ctx.set_write_protection(
      HS_TRY(record::make_tls13_protection(provider, st.suite.aead, write_keys.key.expose(),
                                           write_keys.iv.expose())),
      "client_application_traffic_secret_N+1");
  st.client_app = std::move(next_write);
  ++st.key_updates_sent;
  return ok_result();
}

Result<State> handle(Connected&& st, HandshakeContext& ctx, const HandshakeMessageView& msg) {
  if (msg.type == HandshakeType::new_session_ticket) {
    HS_TRY(handle_new_session_ticket(st, ctx, msg));
    return std::move(st);
  }
  if (msg.type == HandshakeType::key_update) {
    HS_TRY(handle_key_update(st, ctx, msg));
    return std::move(st);
  }
  // RFC 8446 §4.6.2 post-handshake CertificateRequest needs "post_handshake_auth", which we do
  // not offer; every other type has no place after the handshake (RFC 8446 §4: "a peer which
  // receives a handshake message in an unexpected order MUST abort the handshake with an
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
    std::string_view operator()(const Connected&) const { return "client13::Connected"; }
  };
  return std::visit(Namer{}, state);
}

}  // namespace hs::client13

// The server's closing flight (NewSessionTicket, ChangeCipherSpec, Finished) and what may
// arrive once connected.
#include "messages/finished.h"

#include <utility>

#include "handshake/client12/client12.h"
#include "handshake/common/tls12_keys.h"
#include "messages/handshake.h"
#include "messages/new_session_ticket.h"

namespace hs::client12 {

namespace {

// store_session leaves the finished handshake's session in the client's store, when there is
// one and the server gave us a way back (a session ID or a ticket). A session without the
// extended master secret is never stored, so never resumed: RFC 7627 §5.3, "The client SHOULD
// NOT offer an abbreviated handshake to resume a session that does not use an extended master
// secret".
void store_session(const Negotiated& neg, const SecretBytes& master, HandshakeContext& ctx) {
  if (!neg.store || (neg.session_id.empty() && neg.ticket.empty()) || !neg.extended_master_secret) {
    return;
  }
  StoredSession s;
  s.version = ProtocolVersion::tls1_2;
  s.suite = neg.suite.suite;
  s.secret = master.clone();
  s.session_id = neg.session_id;
  s.ticket = neg.ticket;
  s.lifetime_s = neg.ticket_lifetime;
  s.created_ms = neg.created_ms;
  s.alpn = neg.alpn;
  s.server_name = neg.server_name;
  s.extended_master_secret = true;  // sessions without it are not stored (above)
  s.peer_chain = ctx.info().peer_chain;
  s.peer_verified = ctx.info().peer_verified;
  neg.store->put(neg.store_key, std::move(s));
  ctx.note(neg.ticket.empty() ? "session stored (session ID)" : "session stored (ticket)");
}

}  // namespace

Result<State> handle(ExpectNewSessionTicket&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::new_session_ticket) {
    // RFC 5077 §3.3: a server that sent the SessionTicket extension "MUST send the
    // NewSessionTicket handshake message" (with a zero-length ticket if it changed its mind).
    return Error(ErrorCode::unexpected_message, "new_session_ticket", "expected NewSessionTicket");
  }
  auto ticket = HS_TRY(messages::parse_new_session_ticket12(msg.body));
  st.transcript.add(msg.raw);
  if (ctx.wants_notes()) {
    ctx.note("session ticket received (" + std::to_string(ticket.ticket.size()) +
             " bytes, lifetime hint " + std::to_string(ticket.lifetime_hint) + " s)");
  }
  // RFC 5077 §3.3: a zero-length ticket means the server changed its mind; whatever ticket we
  // held is then no longer worth offering.
  st.neg.ticket = std::move(ticket.ticket);
  st.neg.ticket_lifetime = ticket.lifetime_hint;
  st.neg.created_ms = session_now_ms();
  return ExpectChangeCipherSpec{std::move(st.transcript),    st.neg,
                                std::move(st.master_secret), std::move(st.master_prf),
                                std::move(st.server_write),  std::move(st.client_write)};
}

Result<State> handle(ExpectChangeCipherSpec&&, HandshakeContext&, const HandshakeMessageView&) {
  // RFC 5246 §7.4.9: the Finished "is always sent immediately after a change cipher spec
  // message"; no handshake message may come first.
  return Error(ErrorCode::unexpected_message, "change_cipher_spec",
               "expected ChangeCipherSpec, got a handshake message");
}

Result<State> handle(ExpectFinished&& st, HandshakeContext& ctx, const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::finished) {
    return Error(ErrorCode::unexpected_message, "finished", "expected Finished");
  }
  auto fin = HS_TRY(messages::parse_finished(msg.body, messages::kVerifyDataLength12));
  auto expected = detail::tls12_verify_data(st.master_prf, false, st.transcript.current());
  // RFC 5246 §7.4.9: "Recipients of Finished messages MUST verify that the contents are
  // correct." A mismatch is decrypt_error (RFC 5246 §7.2.2: "a handshake cryptographic
  // operation failed, including being unable to ... validate a finished message").
  if (!crypto::constant_time_equal(fin.verify_data, expected)) {
    return Error(ErrorCode::bad_finished, "finished", "the server's Finished does not verify");
  }
  st.transcript.add(msg.raw);
  if (st.neg.abbreviated) {
    // RFC 5246 §7.3 (abbreviated handshake): after the server's ChangeCipherSpec and Finished,
    // "the client and server MUST send ChangeCipherSpec messages and proceed directly to
    // Finished messages"; ours is over the transcript including the server's Finished.
    messages::Finished ours;
    ours.verify_data = detail::tls12_verify_data(st.master_prf, true, st.transcript.current());
    HS_TRY(ctx.send_change_cipher_spec());
    ctx.set_write_protection(std::move(st.client_write), "master secret");
    std::vector<uint8_t> raw;
    HS_TRY(messages::serialize_message(ours, raw));
    HS_TRY(ctx.send_handshake(raw));
    st.transcript.add(raw);
  }
  ctx.note("server Finished verified; handshake complete");
  store_session(st.neg, st.master_secret, ctx);
  if (st.neg.store && st.neg.kx_hint.has_value()) {
    st.neg.store->set_kx_hint(st.neg.store_key, *st.neg.kx_hint);
  }
  return Connected{};
}

Result<State> handle(Connected&&, HandshakeContext& ctx, const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::hello_request) {
    return Error(ErrorCode::unexpected_message, "connected",
                 "handshake message after the handshake finished");
  }
  // RFC 5246 §7.4.1.1: HelloRequest asks us to renegotiate. We never renegotiate; RFC 5246
  // §7.2.2 lets us refuse with a no_renegotiation warning and carry on.
  if (!msg.body.empty()) {
    return Error(ErrorCode::decode_error, "hello_request", "HelloRequest must be empty");
  }
  HS_TRY(ctx.send_alert(AlertLevel::warning, AlertDescription::no_renegotiation));
  ctx.note("renegotiation refused (no_renegotiation warning sent)");
  return Connected{};
}

Result<State> handle_message(State&& state, HandshakeContext& ctx,
                             const HandshakeMessageView& msg) {
  return std::visit([&](auto&& st) -> Result<State> { return handle(std::move(st), ctx, msg); },
                    std::move(state));
}

Result<State> handle_change_cipher_spec(State&& state, HandshakeContext& ctx) {
  auto* st = std::get_if<ExpectChangeCipherSpec>(&state);
  if (st == nullptr) {
    // RFC 5246 §7.1: the server's ChangeCipherSpec comes after our Finished and only once; at
    // any other point (RFC 5246 §7.2.2) it is an unexpected message.
    return Error(ErrorCode::unexpected_message, "change_cipher_spec",
                 "ChangeCipherSpec not expected here");
  }
  // set_read_protection refuses a key change while a handshake message is half-received.
  HS_TRY(ctx.set_read_protection(std::move(st->server_write), "master secret"));
  return ExpectFinished{std::move(st->transcript), st->neg, std::move(st->master_secret),
                        std::move(st->master_prf), std::move(st->client_write)};
}

std::string_view state_name(const State& state) {
  struct Namer {
    std::string_view operator()(const AwaitSignature&) const { return "client12::AwaitSignature"; }
    std::string_view operator()(const ExpectServerHello&) const {
      return "client12::ExpectServerHello";
    }
    std::string_view operator()(const ExpectCertificate&) const {
      return "client12::ExpectCertificate";
    }
    std::string_view operator()(const ExpectServerKeyExchange&) const {
      return "client12::ExpectServerKeyExchange";
    }
    std::string_view operator()(const ExpectServerHelloDone&) const {
      return "client12::ExpectServerHelloDone";
    }
    std::string_view operator()(const ExpectNewSessionTicket&) const {
      return "client12::ExpectNewSessionTicket";
    }
    std::string_view operator()(const ExpectChangeCipherSpec&) const {
      return "client12::ExpectChangeCipherSpec";
    }
    std::string_view operator()(const ExpectFinished&) const { return "client12::ExpectFinished"; }
    std::string_view operator()(const Connected&) const { return "client12::Connected"; }
  };
  return std::visit(Namer{}, state);
}

}  // namespace hs::client12

// The client's Finished, the NewSessionTickets that follow it (RFC 8446 §4.4.4, §4.6.1) and the
// state table; post-handshake KeyUpdate is handshake/common/tls13_traffic.h.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "codec/reader.h"
#include "codec/writer.h"
#include "handshake/server13/server13.h"
#include "keyschedule/tls13_keylog.h"
#include "messages/extensions.h"
#include "messages/finished.h"
#include "messages/handshake.h"
#include "messages/new_session_ticket.h"

namespace hs::server13 {

Result<void> send_tickets(Connected& st, Env env, size_t count, std::string_view alpn,
                          std::string_view server_name) {
  HandshakeContext& ctx = env.ctx;
  const crypto::Provider& provider = ctx.provider();
  const uint32_t lifetime = std::min(env.config.ticket_lifetime, kMaxTicketLifetime);
  // The ticket carries the client's leaf certificate and must fit ticket<1..2^16-1> (RFC 8446
  // §4.6.1) with the rest of its state; a client authenticated with a larger certificate gets
  // no tickets rather than ones that forget it authenticated.
  if (st.client_leaf.size() > kMaxTicketClientLeaf) {
    ctx.note("client certificate too large to record in a session ticket; no tickets sent");
    return ok_result();
  }
  // RFC 8446 §4.6.1: ticket_age_add: "A securely generated, random 32-bit value ... The server
  // MUST generate a fresh value for each ticket it sends." ticket_nonce: "A per-ticket value
  // that is unique across all tickets issued on this connection." Every ticket's age_add comes
  // from one draw (each random() call costs a DRBG request and its locks).
  std::vector<uint8_t> age_adds(4 * count);
  if (!age_adds.empty()) {
    HS_TRY(provider.random(age_adds));
  }
  codec::Reader age_add_reader(age_adds);
  for (size_t i = 0; i < count; ++i) {
    messages::NewSessionTicket13 nst;
    nst.lifetime = lifetime;
    if (!age_add_reader.read_u32(nst.age_add)) {
      return Error(ErrorCode::internal_error, "new_session_ticket", "ticket_age_add");
    }
    {
      codec::Writer w(nst.nonce);
      w.write_u64(st.tickets_sent);
    }
    TicketState state;
    state.suite = st.app.suite.suite;
    state.psk = HS_TRY(keyschedule::psk_from_ticket(
        provider, st.app.suite.hash, st.resumption_master_secret.expose(), nst.nonce));
    state.created_ms = now_ms();
    state.age_add = nst.age_add;
    state.lifetime_s = lifetime;
    state.alpn = std::string(alpn);
    state.server_name = std::string(server_name);
    state.client_leaf = st.client_leaf;
    if (env.config.max_early_data_size > 0) {
      // RFC 8446 §4.6.1: early_data "indicat[es] that the ticket may be used to send 0-RTT
      // data", with max_early_data_size.
      state.max_early_data = env.config.max_early_data_size;
      nst.extensions.push_back(
          HS_TRY(messages::make_extension(ExtensionType::early_data, [&](auto& out) {
            return messages::serialize_early_data_nst(env.config.max_early_data_size, out);
          })));
    }
    nst.ticket = HS_TRY(seal_ticket(env.config, state));
    std::vector<uint8_t> raw;
    HS_TRY(messages::serialize_message(nst, raw));
    HS_TRY(ctx.send_handshake(raw));
    ++st.tickets_sent;
  }
  if (count > 0) {
    if (ctx.wants_notes()) {
      ctx.note("sent " + std::to_string(count) + " session ticket(s), lifetime " +
               std::to_string(lifetime) + " s");
    }
  }
  return ok_result();
}

Result<State> handle(ExpectFinished&& st, Env env, const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::finished) {
    return Error(ErrorCode::unexpected_message, "server13::ExpectFinished", "expected Finished");
  }
  HandshakeContext& ctx = env.ctx;
  const crypto::Provider& provider = ctx.provider();
  auto fin = HS_TRY(messages::parse_finished(msg.body, crypto::hash_len(st.suite.hash)));
  // RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that the contents are correct
  // and if incorrect MUST terminate the connection with a "decrypt_error" alert." Constant time.
  HS_TRY(keyschedule::verify_finished13(provider, st.client_hs, st.transcript.current(),
                                        fin.verify_data));
  st.transcript.add(msg.raw);
  // RFC 8446 §5.1: the Finished must end its record; set_read_protection checks.
  auto read_protection = HS_TRY(detail::tls13_protection(provider, st.client_app, st.suite.aead));
  HS_TRY(
      ctx.set_read_protection(std::move(read_protection), "client_application_traffic_secret_0"));
  // RFC 8446 §7.1: resumption_master_secret over ClientHello...client Finished. Only the
  // tickets below use it, so a server that issues none (ServerConfig::issue_tickets off)
  // does not derive it.
  SecretBytes resumption;
  if (env.config.issue_tickets) {
    resumption = HS_TRY(st.master.resumption_master_secret(st.transcript.current()));
  }
  Connected c{{st.suite, std::move(st.server_app), std::move(st.client_app)},
              std::move(resumption),
              0,
              std::move(st.client_leaf),
              std::nullopt,
              std::nullopt,
              0};
  // A client that offered post_handshake_auth may be asked for a certificate later: every such
  // request forks the transcript through the client Finished (RFC 8446 §4.4.1). Without a
  // client_verifier we could not check an answer, so nothing is kept for one.
  if (st.post_handshake_auth && env.config.client_verifier) {
    c.handshake_transcript = std::move(st.transcript);
  }
  ctx.note("client Finished verified; handshake complete");
  // ServerConfig::issue_tickets switches resumption off altogether.
  if (env.config.issue_tickets) {
    HS_TRY(send_tickets(c, env, env.config.tls13_session_tickets, st.alpn, st.server_name));
  }
  return c;
}

Result<State> handle(Connected&& st, Env env, const HandshakeMessageView& msg) {
  if (msg.type == HandshakeType::key_update) {
    HS_TRY(detail::handle_key_update13(st.app, env.ctx, msg));
    return std::move(st);
  }
  if (msg.type == HandshakeType::certificate || msg.type == HandshakeType::certificate_verify ||
      msg.type == HandshakeType::finished) {
    // Only in answer to our post-handshake CertificateRequest (unexpected_message otherwise).
    HS_TRY(handle_post_handshake_auth(st, env, msg));
    return std::move(st);
  }
  // RFC 8446 §4: "a peer which receives a handshake message in an unexpected order MUST abort
  // the handshake with an "unexpected_message" alert." A ClientHello here would be
  // renegotiation, which TLS 1.3 does not have.
  return Error(ErrorCode::unexpected_message, "server13::Connected",
               "handshake message not allowed after the TLS 1.3 handshake");
}

Result<State> handle_message(State&& state, Env env, const HandshakeMessageView& msg) {
  return std::visit([&](auto&& st) -> Result<State> { return handle(std::move(st), env, msg); },
                    std::move(state));
}

bool accepts_dummy_change_cipher_spec(const State& state) {
  return !std::holds_alternative<Connected>(state);
}

std::string_view state_name(const State& state) {
  struct Namer {
    std::string_view operator()(const ExpectClientHello&) const {
      return "server13::ExpectClientHello";
    }
    std::string_view operator()(const ExpectSecondClientHello&) const {
      return "server13::ExpectSecondClientHello";
    }
    std::string_view operator()(const AwaitSignature&) const { return "server13::AwaitSignature"; }
    std::string_view operator()(const ExpectClientCertificate&) const {
      return "server13::ExpectClientCertificate";
    }
    std::string_view operator()(const ExpectClientCertificateVerify&) const {
      return "server13::ExpectClientCertificateVerify";
    }
    std::string_view operator()(const ExpectEndOfEarlyData&) const {
      return "server13::ExpectEndOfEarlyData";
    }
    std::string_view operator()(const ExpectFinished&) const { return "server13::ExpectFinished"; }
    std::string_view operator()(const Connected&) const { return "server13::Connected"; }
  };
  return std::visit(Namer{}, state);
}

}  // namespace hs::server13

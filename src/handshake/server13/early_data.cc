// 0-RTT on the server (RFC 8446 §2.3, §4.2.10, §4.5, §8): whether to accept a client's early
// data, the early data itself, and the EndOfEarlyData that ends it.
#include <string>
#include <utility>

#include "handshake/server13/server13.h"
#include "keyschedule/tls13_schedule.h"
#include "messages/end_of_early_data.h"
#include "record/protection.h"
#include "session/replay_guard_default.h"

namespace hs::server13 {

bool accept_early_data(Env env, const messages::PskIdentity& identity, const TicketState& ticket,
                       CipherSuite suite, std::string_view alpn, std::string& why) {
  const ServerConfig& config = env.config;
  if (config.max_early_data_size == 0) {
    why = "0-RTT is not enabled";
    return false;
  }
  if (ticket.max_early_data == 0) {
    why = "the ticket does not allow early data";
    return false;
  }
  // RFC 8446 §4.2.10: "In order to accept early data, the server MUST have accepted a PSK
  // cipher suite and selected the first key offered in the client's "pre_shared_key" extension.
  // In addition, it MUST verify that the following values are the same as those associated
  // with the selected PSK: The TLS version number, The selected cipher suite, The selected ALPN
  // [RFC7301] protocol, if any." Our tickets are TLS 1.3 only; the PSK is identity 0.
  if (suite != ticket.suite) {
    why = "the cipher suite differs from the ticket's";
    return false;
  }
  if (alpn != ticket.alpn) {
    why = "the ALPN protocol differs from the ticket's";
    return false;
  }
  // RFC 8446 §8.3: "the server can determine the expected_arrival_time of the ClientHello as
  // ... ticket_creation_time + ... ticket age ... If the expected_arrival_time is in the window
  // around the current time, then the server can accept early data; otherwise, it should be
  // rejected." The client's view of the age is obfuscated_ticket_age - ticket_age_add
  // (mod 2^32, §4.2.11.1).
  const uint64_t now = now_ms();
  const uint32_t client_age = identity.obfuscated_ticket_age - ticket.age_add;
  const uint64_t our_age = now >= ticket.created_ms ? now - ticket.created_ms : 0;
  const uint64_t skew = client_age > our_age ? client_age - our_age : our_age - client_age;
  if (skew > kEarlyDataAgeWindowMs) {
    why = "the ticket age is off by " + std::to_string(skew) + " ms (window " +
          std::to_string(kEarlyDataAgeWindowMs) + " ms)";
    return false;
  }
  // RFC 8446 §8.1: "the server ... only allows each ticket to be used once". Last, so that a
  // ticket refused for another reason is not used up.
  const uint64_t expires = ticket.created_ms + uint64_t{ticket.lifetime_s} * 1000;
  if (!detail::replay_guard_for(config).first_use(identity.identity, expires, now)) {
    why = "the ticket was already used for early data (possible replay)";
    return false;
  }
  return true;
}

Result<void> on_early_data(State& state, size_t length) {
  auto* st = std::get_if<ExpectEndOfEarlyData>(&state);
  if (st == nullptr) {
    return Error(ErrorCode::unexpected_message, "application_data",
                 "application data before the handshake finished");
  }
  st->received += length;
  // RFC 8446 §4.2.10: "If the server receives more than max_early_data_size bytes of 0-RTT
  // data, it SHOULD terminate the connection with an "unexpected_message" alert."
  if (st->received > st->max_early_data) {
    return Error(ErrorCode::unexpected_message, "early_data",
                 "more early data than max_early_data_size (" + std::to_string(st->max_early_data) +
                     " bytes)");
  }
  return ok_result();
}

Result<State> handle(ExpectEndOfEarlyData&& st, Env env, const HandshakeMessageView& msg) {
  // RFC 8446 §4.5: EndOfEarlyData is the one handshake message sent under the early traffic
  // key; anything else here breaks the order.
  if (msg.type != HandshakeType::end_of_early_data) {
    return Error(ErrorCode::unexpected_message, "server13::ExpectEndOfEarlyData",
                 "expected EndOfEarlyData");
  }
  HS_TRY(messages::parse_end_of_early_data(msg.body));
  HandshakeContext& ctx = env.ctx;
  ExpectFinished next = std::move(st.next);
  next.transcript.add(msg.raw);
  // RFC 8446 §4.5: "This message indicates that all 0-RTT application_data messages, if any,
  // have been transmitted and that the following records are protected under handshake
  // traffic keys." set_read_protection checks it ended its record (§5.1).
  const crypto::Provider& provider = ctx.provider();
  auto p = HS_TRY(detail::tls13_protection(provider, next.client_hs, next.suite.aead));
  HS_TRY(ctx.set_read_protection(std::move(p), "client_handshake_traffic_secret"));
  if (ctx.wants_notes()) {
    ctx.note("EndOfEarlyData: " + std::to_string(st.received) + " bytes of early data received");
  }
  return next;
}

}  // namespace hs::server13

#include "handshake/common/tls13_traffic.h"

#include <string_view>
#include <utility>
#include <vector>

#include "messages/handshake.h"
#include "messages/key_update.h"

namespace hs::detail {

namespace {

// next_secret_name names the generation after `secret` for the trace.
std::string_view next_secret_name(const keyschedule::TrafficSecret& secret) {
  return secret.kind() == keyschedule::TrafficSecretKind::client_application
             ? "client_application_traffic_secret_N+1"
             : "server_application_traffic_secret_N+1";
}

}  // namespace

Result<std::unique_ptr<record::RecordProtection>> tls13_protection(
    const crypto::Provider& provider, const keyschedule::TrafficSecret& secret,
    crypto::AeadAlg alg) {
  auto keys = HS_TRY(keyschedule::traffic_keys(provider, secret, alg));
  return record::make_tls13_protection(provider, alg, keys.key.expose(), keys.iv.expose());
}

Result<void> send_key_update13(AppTraffic13& traffic, HandshakeContext& ctx,
                               bool request_peer_update) {
  const crypto::Provider& provider = ctx.provider();
  messages::KeyUpdate ku{request_peer_update ? messages::KeyUpdateRequest::update_requested
                                             : messages::KeyUpdateRequest::update_not_requested};
  std::vector<uint8_t> raw;
  HS_TRY(messages::serialize_message(ku, raw));
  // RFC 8446 §4.6.3: the KeyUpdate goes under the old key; "the sender MUST send all its
  // traffic using the next generation of keys" after it. It ends its record (§5.1): the next
  // record is sealed under the new key.
  HS_TRY(ctx.send_handshake(raw));
  auto next_write = HS_TRY(keyschedule::next_application_traffic_secret(provider, traffic.write));
  ctx.set_write_protection(HS_TRY(tls13_protection(provider, next_write, traffic.suite.aead)),
                           next_secret_name(traffic.write));
  traffic.write = std::move(next_write);
  ++traffic.key_updates_sent;
  return ok_result();
}

Result<void> handle_key_update13(AppTraffic13& traffic, HandshakeContext& ctx,
                                 const HandshakeMessageView& msg) {
  // parse_key_update: "If an implementation receives any other value, it MUST terminate the
  // connection with an "illegal_parameter" alert."
  auto ku = HS_TRY(messages::parse_key_update(msg.body));
  const crypto::Provider& provider = ctx.provider();
  // RFC 8446 §4.6.3: "Upon receiving a KeyUpdate, the receiver MUST update its receiving
  // keys." set_read_protection checks that the KeyUpdate ended its record (§5.1).
  auto next_read = HS_TRY(keyschedule::next_application_traffic_secret(provider, traffic.read));
  auto read = HS_TRY(tls13_protection(provider, next_read, traffic.suite.aead));
  HS_TRY(ctx.set_read_protection(std::move(read), next_secret_name(traffic.read)));
  traffic.read = std::move(next_read);
  ++traffic.key_updates_received;
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
      HS_TRY(send_key_update13(traffic, ctx, /*request_peer_update=*/false));
      ctx.note("KeyUpdate received (update_requested); answered and updated both directions");
    }
  } else {
    ctx.note("KeyUpdate received; read key updated");
  }
  return ok_result();
}

}  // namespace hs::detail

// TLS 1.3 traffic keys as both state machines use them: record protection from a traffic secret
// (RFC 8446 §7.3), and the application traffic secrets of a connected endpoint with KeyUpdate in
// both directions (RFC 8446 §4.6.3, §7.2). The client and the server differ only in which secret
// is theirs, so the post-handshake KeyUpdate logic lives here once.
#pragma once

#include <hs/result.h>

#include <cstddef>
#include <memory>

#include "crypto/provider.h"
#include "handshake/common/driver.h"
#include "handshake/common/suites.h"
#include "keyschedule/tls13_schedule.h"
#include "record/protection.h"

namespace hs::detail {

// tls13_protection derives the key and IV of `secret` (RFC 8446 §7.3) and makes the record
// protection for `alg`. Fails when the provider does.
Result<std::unique_ptr<record::RecordProtection>> tls13_protection(
    const crypto::Provider& provider, const keyschedule::TrafficSecret& secret,
    crypto::AeadAlg alg);

// AppTraffic13 is what a connected TLS 1.3 endpoint keeps of the key schedule: its own
// application traffic secret (`write`: client_application_traffic_secret_N for a client,
// server_application_traffic_secret_N for a server), the peer's (`read`), and how many
// KeyUpdates moved each one on.
struct AppTraffic13 {
  SuiteInfo suite{};
  keyschedule::TrafficSecret write;
  keyschedule::TrafficSecret read;
  size_t key_updates_received = 0;
  size_t key_updates_sent = 0;
};

// send_key_update13 sends a KeyUpdate (update_requested when `request_peer_update`) under the
// current key and switches to the next generation of `traffic.write` (RFC 8446 §4.6.3, §7.2).
Result<void> send_key_update13(AppTraffic13& traffic, HandshakeContext& ctx,
                               bool request_peer_update);

// handle_key_update13 handles the peer's KeyUpdate: the read key moves to the next generation,
// and a request for an update is answered once (send_key_update13) before our next application
// data. illegal_parameter for a bad request_update (parse_key_update); set_read_protection
// fails when the KeyUpdate did not end its record (RFC 8446 §5.1).
Result<void> handle_key_update13(AppTraffic13& traffic, HandshakeContext& ctx,
                                 const HandshakeMessageView& msg);

}  // namespace hs::detail

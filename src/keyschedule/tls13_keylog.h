// NSS key-log labels for the TLS 1.3 secrets (draft-ietf-tls-keylogfile-05, 2.1), for the
// KeyLogSink (include/hs/keylog.h). "These labels all appear in uppercase in the key log".
#pragma once

#include <string_view>

#include "keyschedule/tls13_schedule.h"

namespace hs::keyschedule {

inline constexpr std::string_view kKeyLogClientEarlyTrafficSecret = "CLIENT_EARLY_TRAFFIC_SECRET";
inline constexpr std::string_view kKeyLogEarlyExporterSecret = "EARLY_EXPORTER_SECRET";
inline constexpr std::string_view kKeyLogClientHandshakeTrafficSecret =
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
inline constexpr std::string_view kKeyLogServerHandshakeTrafficSecret =
    "SERVER_HANDSHAKE_TRAFFIC_SECRET";
inline constexpr std::string_view kKeyLogClientTrafficSecret0 = "CLIENT_TRAFFIC_SECRET_0";
inline constexpr std::string_view kKeyLogServerTrafficSecret0 = "SERVER_TRAFFIC_SECRET_0";
inline constexpr std::string_view kKeyLogExporterSecret = "EXPORTER_SECRET";

// keylog_label returns the label for a traffic secret of `kind`. For the application kinds it is
// the label of generation 0 (client_/server_application_traffic_secret_0); the draft defines no
// label for the secrets that follow a KeyUpdate, so those are not logged.
constexpr std::string_view keylog_label(TrafficSecretKind kind) {
  switch (kind) {
    case TrafficSecretKind::client_early:
      return kKeyLogClientEarlyTrafficSecret;
    case TrafficSecretKind::client_handshake:
      return kKeyLogClientHandshakeTrafficSecret;
    case TrafficSecretKind::server_handshake:
      return kKeyLogServerHandshakeTrafficSecret;
    case TrafficSecretKind::client_application:
      return kKeyLogClientTrafficSecret0;
    case TrafficSecretKind::server_application:
      return kKeyLogServerTrafficSecret0;
  }
  return {};
}

}  // namespace hs::keyschedule

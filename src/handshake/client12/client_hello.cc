// The ClientHello is built by the client front (handshake/client/client_hello.cc), one message
// for TLS 1.2 and 1.3; what stays here is the SNI rule it shares with the TLS 1.2 states.
#include <string_view>

#include "handshake/client12/client12.h"

namespace hs::client12 {

bool is_ip_literal(std::string_view host) {
  if (host.empty()) {
    return false;
  }
  if (host.find(':') != std::string_view::npos) {
    return true;  // IPv6 (a DNS name never holds ':')
  }
  // IPv4: four dot-separated decimal numbers.
  int dots = 0;
  bool digit_seen = false;
  for (char c : host) {
    if (c == '.') {
      if (!digit_seen) {
        return false;
      }
      ++dots;
      digit_seen = false;
    } else if (c >= '0' && c <= '9') {
      digit_seen = true;
    } else {
      return false;
    }
  }
  return dots == 3 && digit_seen;
}

}  // namespace hs::client12

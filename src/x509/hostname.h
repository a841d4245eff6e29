// Server identity check (RFC 6125 as browsers apply it) against a certificate's
// subjectAltName.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "x509/certificate.h"

namespace hs::x509 {

// HostMatch says whether and how `host` matched: `presented` is the SAN entry that matched,
// rendered as text (the dNSName as written, or the address for iPAddress entries).
struct HostMatch {
  bool matched = false;
  bool by_ip = false;
  std::string presented;
};

// match_host checks `host` against the certificate's subjectAltName only (no fallback to the
// subject CN, as CA/B Forum certificates and browsers require):
//  - an IPv4 dotted-quad or IPv6 literal (optionally in brackets) matches only iPAddress
//    entries, byte for byte, never a dNSName;
//  - any other host matches dNSName entries ASCII case-insensitively, ignoring one trailing
//    dot on either side;
//  - a wildcard is only the entire leftmost label ("*.example.com"), matches exactly one
//    non-empty label, and needs at least two labels after it ("*.com" never matches); any
//    other '*' ("f*.example.com", "a.*.example.com") makes the entry match nothing.
HostMatch match_host(const Certificate& cert, std::string_view host);

// matches_host is match_host(...).matched.
bool matches_host(const Certificate& cert, std::string_view host);

// match_dns_name applies the dNSName rules above to one presented identifier.
bool match_dns_name(std::string_view presented, std::string_view host);

// parse_ip_literal parses a dotted-quad IPv4 address (four decimal octets, no leading zeros) or
// an IPv6 address (RFC 4291 §2.2 text forms, optionally bracketed, no zone index); returns the
// 4 or 16 octets, or nullopt when `host` is not an IP literal.
std::optional<Bytes> parse_ip_literal(std::string_view host);

// describe_subject_alt_names lists the SAN entries for a trace, as `openssl x509 -text` does:
// "DNS:localhost, IP Address:127.0.0.1, IP Address:::1, email:a@b.c, URI:https://x/".
// Returns "" when the certificate has no subjectAltName.
std::string describe_subject_alt_names(const Certificate& cert);

}  // namespace hs::x509

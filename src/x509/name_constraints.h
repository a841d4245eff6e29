// Name constraints (RFC 5280 §4.2.1.10) for dNSName, iPAddress, directoryName, rfc822Name and
// uniformResourceIdentifier subtrees; constraints on other name forms refuse certificates that
// carry such names.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "x509/certificate.h"
#include "x509/verify_error.h"

namespace hs::x509 {

// dns_name_within reports whether dNSName `name` lies in the subtree `base`. RFC 5280
// §4.2.1.10: "DNS name restrictions are expressed as host.example.com. Any DNS name that can be
// constructed by simply adding zero or more labels to the left-hand side of the name satisfies
// the name constraint." A base with a leading dot (".example.com", a common extension that
// OpenSSL and browsers honour) matches only names below it. Comparison is ASCII
// case-insensitive; an empty base matches every name.
bool dns_name_within(std::string_view name, std::string_view base);

// dns_wildcard_reaches reports whether a wildcard dNSName `name` ("*.example.com") would match a
// host in the subtree `base` though `name` itself does not lie in it: `base` is one label over
// the wildcard's parent ("bar.example.com"). Used for excluded subtrees, so that a certificate
// for "*.example.com" under an excluded "bar.example.com" cannot serve bar.example.com
// (CVE-2025-61727 in Go's crypto/x509). False for names that are not wildcards and for bases
// with a leading dot (nothing strictly below bar.example.com matches *.example.com).
bool dns_wildcard_reaches(std::string_view name, std::string_view base);

// email_within reports whether rfc822Name `mailbox` lies in the subtree `base` (RFC 5280
// §4.2.1.10): a base with "@" is one mailbox (local part exact, host ASCII case-insensitive), a
// base with a leading dot every host below that domain, any other base that one host. nullopt
// when `mailbox` is no local@host address.
std::optional<bool> email_within(std::string_view mailbox, std::string_view base);

// uri_host returns the host of a URI with an authority ("https://user@host:port/path" ->
// "host"), the part RFC 5280 §4.2.1.10 constrains ("For URIs, the constraint applies to the host
// part of the name"). nullopt when there is no authority or the host is an address literal,
// which a domain-name constraint cannot be compared with.
std::optional<std::string_view> uri_host(std::string_view uri);

// uri_host_within reports whether a URI's host lies in the subtree `base` (RFC 5280
// §4.2.1.10): "When the constraint begins with a period, it MAY be expanded with one or more
// labels ... When the constraint does not begin with a period, it specifies a host."
bool uri_host_within(std::string_view host, std::string_view base);

// ip_within reports whether the 4 or 16 address octets `addr` lie in `subtree`, the constraint's
// address followed by its mask (8 or 32 octets). Different address families never match.
bool ip_within(std::span<const uint8_t> addr, std::span<const uint8_t> subtree);

// check_name_constraints applies `nc` to the names of `cert`'s subjectAltName and to its subject (a
// directoryName, when not empty; its emailAddress attributes as rfc822Names when there is no
// subjectAltName). For each name, RFC 5280 §6.1.3 (b) and (c): when permitted subtrees of its type
// exist it must lie in one (else permitted_subtree_violation), and it must lie in no excluded
// subtree (else excluded_subtree_violation). A directoryName lies in a subtree when its leading
// RDNs match the base's, attribute values compared ASCII case-insensitively with insignificant
// spaces ignored (RFC 4518 for ASCII); a URI by its host (uri_host_within). A name of a form that
// is constrained but not processed here (otherName, x400Address, ediPartyName, registeredID) is
// unsupported_constraint_type; a constrained rfc822Name or URI that cannot be read (no "@", no
// authority, an address literal) is unsupported_name_syntax. Returns VerifyStatus::ok when every
// name passes.
VerifyStatus check_name_constraints(const NameConstraints& nc, const Certificate& cert);

}  // namespace hs::x509

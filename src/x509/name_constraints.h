// Name constraints (RFC 5280 §4.2.1.10) for dNSName, iPAddress and directoryName subtrees.
#pragma once

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

// ip_within reports whether the 4 or 16 address octets `addr` lie in `subtree`, the constraint's
// address followed by its mask (8 or 32 octets). Different address families never match.
bool ip_within(std::span<const uint8_t> addr, std::span<const uint8_t> subtree);

// check_name_constraints applies `nc` to the dNSName, iPAddress and directoryName entries of
// `cert`'s subjectAltName and to its subject (a directoryName, when not empty). For each name,
// RFC 5280 §6.1.3 (b) and (c): when permitted subtrees of its type exist it must lie in one
// (else permitted_subtree_violation), and it must lie in no excluded subtree (else
// excluded_subtree_violation). A directoryName lies in a subtree when its leading RDNs match
// the base's, attribute values compared ASCII case-insensitively with insignificant spaces
// ignored (RFC 4518 for ASCII). rfc822Name and URI names are not checked. Returns
// VerifyStatus::ok when every name passes.
VerifyStatus check_name_constraints(const NameConstraints& nc, const Certificate& cert);

}  // namespace hs::x509

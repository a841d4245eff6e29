// The peer's leaf certificate as both sides first read it: parsed, with a key type we support.
#pragma once

#include <hs/config.h>
#include <hs/result.h>

#include <string_view>

#include "x509/certificate.h"

namespace hs::detail {

// parse_peer_leaf parses `leaf`, the first certificate the `peer` ("server" or "client") sent:
// bad_certificate when it does not parse, unsupported_certificate when its key is of a type
// we do not know. Its public key is parsed by the caller, whose checks come in between.
Result<x509::Certificate> parse_peer_leaf(const CertificateDer& leaf, std::string_view peer);

}  // namespace hs::detail

// The outer shape of an OCSP response (RFC 6960 §4.2.1), enough for a server to check that what
// it is about to staple is a successful response. The response itself (BasicOCSPResponse, its
// signature and certificate statuses) is for the client to verify and is not read here.
//
//   OCSPResponse ::= SEQUENCE {
//      responseStatus         OCSPResponseStatus,
//      responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
//   OCSPResponseStatus ::= ENUMERATED { successful (0), malformedRequest (1),
//      internalError (2), tryLater (3), sigRequired (5), unauthorized (6) }
//   ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <span>

namespace hs::x509 {

// check_ocsp_response accepts a DER OCSPResponse whose status is successful and which carries
// responseBytes of type id-pkix-ocsp-basic, with nothing after it. Otherwise bad_certificate,
// with the reason ("not an OCSPResponse", "status tryLater (3)", ...).
Result<void> check_ocsp_response(std::span<const uint8_t> der);

}  // namespace hs::x509

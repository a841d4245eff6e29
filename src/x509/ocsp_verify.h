// Checking a stapled OCSP response (RFC 6960, RFC 6066 §8) for the server's leaf, as curl's
// --cert-status does with OpenSSL (lib/vtls/openssl.c, verifystatus), with curl's words.
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/provider.h"
#include "x509/ocsp.h"

namespace hs::x509 {

// kOcspLeewaySeconds is the clock skew allowed on thisUpdate and nextUpdate: OpenSSL's
// OCSP_check_validity with the 5 minutes curl passes.
inline constexpr int64_t kOcspLeewaySeconds = 300;

// verify_stapled_ocsp checks `response`, a DER OCSPResponse the server stapled, for chain[0] at
// Unix time `now`, and returns the SingleResponse about it when it says "good". In order, each
// refusal with curl's text as the detail:
//  1. a successful id-pkix-ocsp-basic response: bad_certificate_status "Invalid OCSP
//     response", or "Invalid OCSP response status: trylater (3)";
//  2. the leaf's issuer is among the certificates the server sent (subject = the leaf's issuer,
//     its key verifies the leaf's signature), since the CertID is computed from it: "Error
//     computing OCSP ID";
//  3. signed by the issuer, or by a certificate the response carries that matches its
//     ResponderID, was signed by the issuer, is valid at `now` and has id-kp-OCSPSigning in its
//     extendedKeyUsage (RFC 6960 §4.2.2.2): "OCSP response verification failed";
//  4. a SingleResponse whose CertID names the leaf (SHA-1 or SHA-256 hashes of the issuer's
//     name and key, the leaf's serial): "Could not find certificate ID in OCSP response";
//  5. thisUpdate no later than now and nextUpdate, when present, no earlier, with
//     kOcspLeewaySeconds either way: "OCSP response has expired";
//  6. revoked: certificate_revoked "SSL certificate revocation reason: keyCompromise (1)";
//     unknown: bad_certificate_status "SSL certificate status: unknown (2)".
Result<OcspSingleResponse> verify_stapled_ocsp(const crypto::Provider& provider,
                                               std::span<const std::vector<uint8_t>> chain,
                                               std::span<const uint8_t> response, int64_t now);

}  // namespace hs::x509

// OCSP responses (RFC 6960 §4.2.1), as a server staples them: the outer OCSPResponse and the
// BasicOCSPResponse inside it, parsed strictly with the DER reader. Parsing checks shape only:
// the signature, the responder's authority and the times are for the verifier to judge.
//
//   OCSPResponse ::= SEQUENCE {
//      responseStatus         OCSPResponseStatus,
//      responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
//   OCSPResponseStatus ::= ENUMERATED { successful (0), malformedRequest (1),
//      internalError (2), tryLater (3), sigRequired (5), unauthorized (6) }
//   ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
//   BasicOCSPResponse ::= SEQUENCE {
//      tbsResponseData      ResponseData,
//      signatureAlgorithm   AlgorithmIdentifier,
//      signature            BIT STRING,
//      certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//   ResponseData ::= SEQUENCE {
//      version              [0] EXPLICIT Version DEFAULT v1,
//      responderID              ResponderID,
//      producedAt               GeneralizedTime,
//      responses                SEQUENCE OF SingleResponse,
//      responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
//   ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }
//   SingleResponse ::= SEQUENCE {
//      certID                       CertID,
//      certStatus                   CertStatus,
//      thisUpdate                   GeneralizedTime,
//      nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
//      singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
//   CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
//      issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
//   CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
//      unknown [2] IMPLICIT UnknownInfo }
//   RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime,
//      revocationReason [0] EXPLICIT CRLReason OPTIONAL }
// (The module uses explicit tagging: byName and byKey are [1] and [2] EXPLICIT.)
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "x509/certificate.h"

namespace hs::x509 {

enum class OcspCertStatus : uint8_t { good, revoked, unknown };

// ocsp_status_name: "good", "revoked", "unknown" (curl's "SSL certificate status: good (0)").
std::string_view ocsp_status_name(OcspCertStatus status);

struct OcspCertId {
  AlgorithmIdentifier hash_algorithm;
  Bytes issuer_name_hash;
  Bytes issuer_key_hash;
  Bytes serial;  // INTEGER contents octets, as Certificate::serial
};

struct OcspSingleResponse {
  OcspCertId cert_id;
  OcspCertStatus status = OcspCertStatus::unknown;
  int64_t revocation_time = 0;               // revoked only
  std::optional<uint8_t> revocation_reason;  // CRLReason (RFC 5280 §5.3.1), when given
  int64_t this_update = 0;
  std::optional<int64_t> next_update;
};

struct OcspResponse {
  Bytes tbs_response_data;  // ResponseData's whole DER: what the signature covers
  AlgorithmIdentifier signature_algorithm;
  Bytes signature;
  Bytes responder_name;      // byName: the Name's DER
  Bytes responder_key_hash;  // byKey: SHA-1 of the responder's public key
  int64_t produced_at = 0;
  std::vector<OcspSingleResponse> responses;  // at least one
  std::vector<Bytes> certs;                   // DER certificates the responder included
};

// ocsp_response_status reads an OCSPResponse's responseStatus alone (0 is successful):
// bad_certificate "not an OCSPResponse" when the outer shape is wrong.
Result<uint64_t> ocsp_response_status(std::span<const uint8_t> der);

// ocsp_response_status_name is OpenSSL's name for a responseStatus: "successful",
// "malformedrequest", "internalerror", "trylater", "sigrequired", "unauthorized" ("(UNKNOWN)"
// otherwise), as curl prints it ("Invalid OCSP response status: trylater (3)").
std::string_view ocsp_response_status_name(uint64_t status);

// parse_ocsp_response parses a DER OCSPResponse. Refusals are bad_certificate with the reason:
// "not an OCSPResponse", "status 3, not successful (0)", "a successful response without
// responseBytes", "responseType is not id-pkix-ocsp-basic", "malformed BasicOCSPResponse".
Result<OcspResponse> parse_ocsp_response(std::span<const uint8_t> der);

// ocsp_summary describes a response for the traces: "good, next update Dec  6 03:13:57 2026
// GMT", "revoked Nov  1 00:00:00 2026 GMT, keyCompromise (1)", or the parse error's reason. It
// is what the response says, not whether it verifies.
std::string ocsp_summary(std::span<const uint8_t> der);

// crl_reason_name is OpenSSL's name for a CRLReason (RFC 5280 §5.3.1): "keyCompromise", ...
std::string_view crl_reason_name(uint8_t reason);

// revocation_reason_text is a revocation reason as curl prints it, name and number:
// "keyCompromise (1)", and "(UNKNOWN) (-1)" when the response gives none.
std::string revocation_reason_text(std::optional<uint8_t> reason);

// check_ocsp_response is parse_ocsp_response for a server about to staple `der`.
Result<void> check_ocsp_response(std::span<const uint8_t> der);

}  // namespace hs::x509

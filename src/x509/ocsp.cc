#include "x509/ocsp.h"

#include <algorithm>
#include <array>
#include <string>

#include "x509/der.h"

namespace hs::x509 {

namespace {

using Span = std::span<const uint8_t>;

// id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1 (RFC 6960 §4.2.1).
constexpr std::array<uint8_t, 9> kOcspBasic = {0x2B, 0x06, 0x01, 0x05, 0x05,
                                               0x07, 0x30, 0x01, 0x01};

Error refused(const std::string& why) {
  return Error(ErrorCode::bad_certificate, "OCSP response", why);
}

// read_generalized_time reads a GeneralizedTime (RFC 6960 uses no UTCTime).
bool read_generalized_time(DerReader& in, int64_t& out) {
  uint8_t t = 0;
  return in.peek_tag(t) && t == tag::kGeneralizedTime && in.read_time(out);
}

bool read_cert_id(DerReader& in, OcspCertId& out) {
  DerReader id;
  Span raw;
  Tlv name_hash;
  Tlv key_hash;
  Span serial;
  if (!in.read_constructed(tag::kSequence, id) || !read_algorithm(id, out.hash_algorithm, raw) ||
      !id.read(tag::kOctetString, name_hash) || !id.read(tag::kOctetString, key_hash) ||
      !id.read_integer(serial) || !id.expect_end()) {
    return false;
  }
  out.issuer_name_hash = copy_octets(name_hash.value);
  out.issuer_key_hash = copy_octets(key_hash.value);
  out.serial = copy_octets(serial);
  return true;
}

bool read_cert_status(DerReader& in, OcspSingleResponse& out) {
  uint8_t t = 0;
  if (!in.peek_tag(t)) {
    return false;
  }
  if (t == tag::context_primitive(0) || t == tag::context_primitive(2)) {
    Tlv empty;  // good [0] IMPLICIT NULL, unknown [2] IMPLICIT NULL
    if (!in.read(t, empty) || !empty.value.empty()) {
      return false;
    }
    out.status = t == tag::context_primitive(0) ? OcspCertStatus::good : OcspCertStatus::unknown;
    return true;
  }
  DerReader revoked;
  if (!in.read_constructed(tag::context_constructed(1), revoked) ||
      !read_generalized_time(revoked, out.revocation_time)) {
    return false;
  }
  out.status = OcspCertStatus::revoked;
  if (!revoked.empty()) {
    DerReader reason;
    uint64_t value = 0;
    if (!revoked.read_constructed(tag::context_constructed(0), reason) ||
        !reason.read_small_uint(10, value, tag::kEnumerated) || !reason.expect_end()) {
      return false;
    }
    out.revocation_reason = static_cast<uint8_t>(value);
  }
  return revoked.expect_end();
}

bool read_single_response(DerReader& in, OcspSingleResponse& out) {
  DerReader single;
  if (!in.read_constructed(tag::kSequence, single) || !read_cert_id(single, out.cert_id) ||
      !read_cert_status(single, out) || !read_generalized_time(single, out.this_update)) {
    return false;
  }
  uint8_t t = 0;
  if (single.peek_tag(t) && t == tag::context_constructed(0)) {
    DerReader next;
    int64_t when = 0;
    if (!single.read_constructed(t, next) || !read_generalized_time(next, when) ||
        !next.expect_end()) {
      return false;
    }
    out.next_update = when;
  }
  std::optional<Tlv> extensions;  // singleExtensions: none we act on
  return single.read_optional(tag::context_constructed(1), extensions) && single.expect_end();
}

bool read_response_data(Tlv whole, OcspResponse& out) {
  DerReader data(whole.value);
  uint8_t t = 0;
  if (data.peek_tag(t) && t == tag::context_constructed(0)) {
    DerReader version;
    uint64_t v = 0;
    // DEFAULT v1, so DER leaves it out; an explicit v1 is tolerated, nothing else.
    if (!data.read_constructed(t, version) || !version.read_small_uint(0, v) ||
        !version.expect_end()) {
      return false;
    }
  }
  if (!data.peek_tag(t)) {
    return false;
  }
  DerReader responder;
  if (t == tag::context_constructed(1)) {
    Tlv name;
    if (!data.read_constructed(t, responder) || !responder.read(tag::kSequence, name)) {
      return false;
    }
    out.responder_name = copy_octets(name.raw);
  } else {
    Tlv key_hash;
    if (!data.read_constructed(tag::context_constructed(2), responder) ||
        !responder.read(tag::kOctetString, key_hash)) {
      return false;
    }
    out.responder_key_hash = copy_octets(key_hash.value);
  }
  DerReader responses;
  if (!responder.expect_end() || !read_generalized_time(data, out.produced_at) ||
      !data.read_constructed(tag::kSequence, responses)) {
    return false;
  }
  while (!responses.empty()) {
    OcspSingleResponse single;
    if (!read_single_response(responses, single)) {
      return false;
    }
    out.responses.push_back(std::move(single));
  }
  std::optional<Tlv> extensions;  // responseExtensions (a nonce): none we act on
  return !out.responses.empty() && data.read_optional(tag::context_constructed(1), extensions) &&
         data.expect_end();
}

bool read_basic_response(Span der, OcspResponse& out) {
  DerReader outer(der);
  DerReader basic;
  Tlv tbs;
  Span raw;
  Span signature;
  if (!outer.read_constructed(tag::kSequence, basic) || !outer.expect_end() ||
      !basic.read(tag::kSequence, tbs) || !read_response_data(tbs, out) ||
      !read_algorithm(basic, out.signature_algorithm, raw) ||
      !basic.read_bit_string_octets(signature)) {
    return false;
  }
  out.tbs_response_data = copy_octets(tbs.raw);
  out.signature = copy_octets(signature);
  if (!basic.empty()) {
    DerReader explicit_certs;
    DerReader certs;
    if (!basic.read_constructed(tag::context_constructed(0), explicit_certs) ||
        !explicit_certs.read_constructed(tag::kSequence, certs) || !explicit_certs.expect_end()) {
      return false;
    }
    while (!certs.empty()) {
      Tlv cert;
      if (!certs.read(tag::kSequence, cert)) {
        return false;
      }
      out.certs.push_back(copy_octets(cert.raw));
    }
  }
  return basic.expect_end();
}

}  // namespace

std::string_view ocsp_status_name(OcspCertStatus status) {
  switch (status) {
    case OcspCertStatus::good:
      return "good";
    case OcspCertStatus::revoked:
      return "revoked";
    case OcspCertStatus::unknown:
      return "unknown";
  }
  return "unknown";
}

namespace {

// read_response_status reads the OCSPResponse SEQUENCE and its responseStatus, leaving
// `response` at responseBytes.
bool read_response_status(std::span<const uint8_t> der, DerReader& response, uint64_t& status) {
  DerReader outer(der);
  return outer.read_constructed(tag::kSequence, response) && outer.expect_end() &&
         response.read_small_uint(255, status, tag::kEnumerated);
}

}  // namespace

Result<uint64_t> ocsp_response_status(std::span<const uint8_t> der) {
  DerReader response;
  uint64_t status = 0;
  if (!read_response_status(der, response, status)) {
    return refused("not an OCSPResponse");
  }
  return status;
}

std::string_view ocsp_response_status_name(uint64_t status) {
  switch (status) {
    case 0:
      return "successful";
    case 1:
      return "malformedrequest";
    case 2:
      return "internalerror";
    case 3:
      return "trylater";
    case 5:
      return "sigrequired";
    case 6:
      return "unauthorized";
    default:
      return "(UNKNOWN)";
  }
}

Result<OcspResponse> parse_ocsp_response(std::span<const uint8_t> der) {
  DerReader response;
  uint64_t status = 0;
  if (!read_response_status(der, response, status)) {
    return refused("not an OCSPResponse");
  }
  if (status != 0) {
    return refused("status " + std::to_string(status) + ", not successful (0)");
  }
  DerReader explicit_bytes;
  DerReader bytes;
  Span type;
  Tlv body;
  if (!response.read_constructed(tag::context_constructed(0), explicit_bytes) ||
      !response.expect_end() || !explicit_bytes.read_constructed(tag::kSequence, bytes) ||
      !explicit_bytes.expect_end() || !bytes.read_oid(type) ||
      !bytes.read(tag::kOctetString, body) || !bytes.expect_end()) {
    return refused("a successful response without responseBytes");
  }
  if (!std::ranges::equal(type, kOcspBasic)) {
    return refused("responseType is not id-pkix-ocsp-basic");
  }
  OcspResponse out;
  if (!read_basic_response(body.value, out)) {
    return refused("malformed BasicOCSPResponse");
  }
  return out;
}

std::string_view crl_reason_name(uint8_t reason) {
  switch (reason) {
    case 0:
      return "unspecified";
    case 1:
      return "keyCompromise";
    case 2:
      return "cACompromise";
    case 3:
      return "affiliationChanged";
    case 4:
      return "superseded";
    case 5:
      return "cessationOfOperation";
    case 6:
      return "certificateHold";
    case 8:
      return "removeFromCRL";
    case 9:
      return "privilegeWithdrawn";
    case 10:
      return "aACompromise";
    default:
      return "(UNKNOWN)";
  }
}

std::string revocation_reason_text(std::optional<uint8_t> reason) {
  if (!reason) {
    return "(UNKNOWN) (-1)";
  }
  return std::string(crl_reason_name(*reason)) + " (" + std::to_string(*reason) + ")";
}

std::string ocsp_summary(std::span<const uint8_t> der) {
  auto r = parse_ocsp_response(der);
  if (!r.ok()) {
    return r.error().detail();
  }
  std::string out;
  for (const OcspSingleResponse& s : r->responses) {
    if (!out.empty()) {
      out += "; ";
    }
    out += ocsp_status_name(s.status);
    if (s.status == OcspCertStatus::revoked) {
      out += " " + format_time(s.revocation_time);
      if (s.revocation_reason) {
        out += ", " + revocation_reason_text(s.revocation_reason);
      }
    }
    if (s.next_update) {
      out += ", next update " + format_time(*s.next_update);
    }
  }
  return out;
}

Result<void> check_ocsp_response(std::span<const uint8_t> der) {
  HS_TRY(parse_ocsp_response(der));
  return ok_result();
}

}  // namespace hs::x509

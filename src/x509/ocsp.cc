#include "x509/ocsp.h"

#include <algorithm>
#include <array>
#include <string>

#include "x509/der.h"

namespace hs::x509 {

namespace {

constexpr uint8_t kEnumerated = 0x0A;
// id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1 (RFC 6960 §4.2.1).
constexpr std::array<uint8_t, 9> kOcspBasic = {0x2B, 0x06, 0x01, 0x05, 0x05,
                                               0x07, 0x30, 0x01, 0x01};

Error refused(const std::string& why) {
  return Error(ErrorCode::bad_certificate, "OCSP response", why);
}

}  // namespace

Result<void> check_ocsp_response(std::span<const uint8_t> der) {
  DerReader outer(der);
  DerReader response;
  uint64_t status = 0;
  if (!outer.read_constructed(tag::kSequence, response) || !outer.expect_end() ||
      !response.read_small_uint(255, status, kEnumerated)) {
    return refused("not an OCSPResponse");
  }
  if (status != 0) {
    return refused("status " + std::to_string(status) + ", not successful (0)");
  }
  DerReader explicit_bytes;
  DerReader bytes;
  std::span<const uint8_t> type;
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
  return ok_result();
}

}  // namespace hs::x509

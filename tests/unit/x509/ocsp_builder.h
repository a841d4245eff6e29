// Hand-built OCSP responses (RFC 6960 §4.2.1) for the x509 and trace tests: a BasicOCSPResponse
// for serial 0x1234 with a byName responder and a placeholder signature (shape only: nothing
// here verifies).
#pragma once

#include <string>
#include <vector>

#include "unit/x509/cert_builder.h"

namespace hs::x509::testing {

inline const Der kOcspBasic = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};
inline const Der kSha1 = {0x2B, 0x0E, 0x03, 0x02, 0x1A};
inline const Der kSha256WithRsa = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B};

inline Der generalized(const std::string& t) { return tlv(0x18, text(t)); }

inline Der cert_id() {
  return seq({seq({oid(kSha1), tlv(0x05, {})}), tlv(0x04, Der(20, 0xAA)), tlv(0x04, Der(20, 0xBB)),
              integer(0x1234)});
}

// single builds a SingleResponse for serial 0x1234 with `status` (its whole CertStatus DER),
// thisUpdate `this_update` and, unless empty, nextUpdate `next_update` (GeneralizedTime text).
inline Der single(const Der& status, bool next_update = true,
                  const std::string& this_update = "20261129000000Z",
                  const std::string& next = "20261206000000Z") {
  Der body = cat({cert_id(), status, generalized(this_update)});
  if (next_update) {
    body = cat({body, tlv(0xA0, generalized(next))});
  }
  return tlv(0x30, body);
}

// response wraps SingleResponses in a signed-looking BasicOCSPResponse (byName responder) and the
// outer OCSPResponse.
inline Der response(const std::vector<Der>& singles, const Der& responder = tlv(0xA1, cn("ocsp"))) {
  Der responses;
  for (const Der& s : singles) {
    responses = cat({responses, s});
  }
  Der data = seq({responder, generalized("20261129000001Z"), tlv(0x30, responses)});
  Der basic = seq({data, seq({oid(kSha256WithRsa), tlv(0x05, {})}), tlv(0x03, {0x00, 0x01, 0x02})});
  return seq({tlv(0x0A, {0}), tlv(0xA0, seq({oid(kOcspBasic), tlv(0x04, basic)}))});
}

inline const Der kGood = tlv(0x80, {});

}  // namespace hs::x509::testing

// Fuzz target: OCSP stapling's two bodies (messages/certificate_status.h). The input is parsed
// as a CertificateStatus (serialized and re-parsed when it parses) and as a ClientHello
// status_request, whose OCSP form with empty lists must re-encode to the same bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "messages/certificate_status.h"
#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  hs::messages::fuzz::check_message(
      input, [](std::span<const uint8_t> b) { return hs::messages::parse_certificate_status(b); });
  auto request = hs::messages::parse_status_request(input);
  if (request.ok() && request.value() && size == 5) {
    std::vector<uint8_t> out;
    if (!hs::messages::serialize_status_request_ocsp(out).ok() ||
        !std::equal(out.begin(), out.end(), input.begin(), input.end())) {
      std::abort();
    }
  }
  return 0;
}

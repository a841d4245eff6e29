// fuzz_certificate: parses arbitrary bytes as a DER certificate and, when that succeeds,
// exercises everything the client prints or checks from it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "x509/certificate.h"
#include "x509/der.h"
#include "x509/hostname.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hs::x509;
  auto cert = parse_certificate(std::span<const uint8_t>(data, size));
  if (!cert.ok()) {
    return 0;
  }
  (void)to_string(cert->subject);
  (void)to_string(cert->issuer);
  (void)format_time(cert->not_before);
  (void)format_time(cert->not_after);
  (void)describe_subject_alt_names(*cert);
  (void)matches_host(*cert, "a.example.com");
  (void)matches_host(*cert, "127.0.0.1");
  (void)matches_host(*cert, "::1");
  for (const std::string& dns : cert->dns_names()) {
    (void)matches_host(*cert, dns);
  }
  // A certificate that parsed once parses again to the same bytes.
  auto again = parse_certificate(cert->der);
  if (!again.ok() || again->tbs_raw != cert->tbs_raw) {
    std::abort();
  }
  return 0;
}

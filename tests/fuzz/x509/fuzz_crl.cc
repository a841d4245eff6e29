// fuzz_crl: the input as a DER CertificateList (curl's --crlfile holds them, PEM-wrapped): parsed,
// and when it parses, used to check the fuzz RSA certificate, which is its own issuer, so the
// input reaches the scope, time, signature, critical-extension and serial checks. The same bytes
// are also read as a cRLDistributionPoints extension value. Seeds: CRLs `openssl ca -gencrl`
// signed with the fuzz key for that certificate (one empty, one revoking it, both valid for a
// century) and ones from another CA with entry reasons.
#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/provider.h"
#include "fuzz/handshake/test_keys.h"
#include "x509/certificate.h"
#include "x509/crl.h"
#include "x509/pem.h"
#include "x509/revocation.h"

namespace {

constexpr int64_t kNow = 1795953600;  // 2026-11-29 12:00:00 UTC: fixed, so runs repeat

const hs::x509::Certificate* certificate() {
  static const hs::x509::Certificate* const kCert = []() -> const hs::x509::Certificate* {
    auto chain = hs::x509::load_certificate_chain_pem(hs::fuzzing::kRsaCertPem);
    if (!chain.ok() || chain->empty()) {
      return nullptr;
    }
    auto cert = hs::x509::parse_certificate(chain->front());
    return cert.ok() ? new hs::x509::Certificate(std::move(cert).value()) : nullptr;
  }();
  return kCert;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  (void)hs::x509::parse_distribution_points(input);
  auto crl = hs::x509::parse_crl(input);
  const hs::x509::Certificate* cert = certificate();
  if (crl.ok() && cert != nullptr) {
    const hs::x509::Crl crls[] = {std::move(crl).value()};
    (void)hs::x509::check_revocation(*cert, cert, crls, kNow, hs::crypto::default_provider());
    (void)hs::x509::check_revocation(*cert, cert, crls, kNow, hs::crypto::default_provider(),
                                     /*require_crl_number=*/true);
  }
  return 0;
}

// fuzz_ocsp_verify: the input as a stapled OCSPResponse checked by verify_stapled_ocsp (what a
// client with ClientConfig::ocsp_stapling runs) for the fuzz RSA certificate, which is its own
// issuer, so the input reaches the signer, CertID, time and status checks. The seed corpus holds
// responses `openssl ocsp` signed with the fuzz key for that certificate (good and revoked, valid
// for a century) and real ones from another CA.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/provider.h"
#include "fuzz/handshake/test_keys.h"
#include "x509/ocsp_verify.h"
#include "x509/pem.h"

namespace {

constexpr int64_t kNow = 1795953600;  // 2026-11-29 12:00:00 UTC: fixed, so runs repeat

const std::vector<std::vector<uint8_t>>& chain() {
  static const auto* const kChain = [] {
    auto leaf = hs::x509::load_certificate_chain_pem(hs::fuzzing::kRsaCertPem);
    auto* c = new std::vector<std::vector<uint8_t>>();
    if (leaf.ok() && !leaf->empty()) {
      c->push_back(leaf->front());
      c->push_back(leaf->front());  // self-issued: its own issuer
    }
    return c;
  }();
  return *kChain;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)hs::x509::verify_stapled_ocsp(hs::crypto::default_provider(), chain(),
                                      std::span<const uint8_t>(data, size), kNow);
  return 0;
}

// TLS 1.2 key derivation as the state machines use it: extended master secret, key block to
// record protection, Finished verify_data. A thin layer over src/keyschedule/.
#pragma once

#include <hs/result.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "crypto/provider.h"
#include "crypto/secret.h"
#include "handshake/common/suites.h"
#include "keyschedule/prf12.h"
#include "record/protection.h"

namespace hs::detail {

// tls12_extended_master_secret is RFC 7627 §4:
//   master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47]
Result<SecretBytes> tls12_extended_master_secret(const crypto::Provider& provider,
                                                 crypto::HashAlg prf_hash,
                                                 const SecretBytes& premaster,
                                                 std::span<const uint8_t> session_hash);

// Tls12Protections is one connection's pair of record protections, from the key block (RFC 5246
// §6.3) of `master` for `suite`.
struct Tls12Protections {
  std::unique_ptr<record::RecordProtection> client_write;
  std::unique_ptr<record::RecordProtection> server_write;
};
// `master_prf` is the PRF keyed on the master secret (tls12_master_prf); the same keyed PRF
// then serves both Finished messages.
Result<Tls12Protections> tls12_protections(const crypto::Provider& provider, const SuiteInfo& suite,
                                           keyschedule::Prf12& master_prf,
                                           std::span<const uint8_t, 32> client_random,
                                           std::span<const uint8_t, 32> server_random);

// tls12_master_prf keys the PRF with the master secret once per connection.
Result<keyschedule::Prf12> tls12_master_prf(const crypto::Provider& provider,
                                            crypto::HashAlg prf_hash, const SecretBytes& master);

// tls12_verify_data is RFC 5246 §7.4.9: PRF(master_secret, finished_label,
// Hash(handshake_messages))[0..11], with "client finished" when `client` is true. The result is
// public once it is on the wire, so it is returned declassified.
std::vector<uint8_t> tls12_verify_data(keyschedule::Prf12& master_prf, bool client,
                                       std::span<const uint8_t> transcript_hash);

}  // namespace hs::detail

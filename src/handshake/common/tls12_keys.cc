#include "handshake/common/tls12_keys.h"

#include "keyschedule/tls12_keys.h"

namespace hs::detail {

Result<SecretBytes> tls12_extended_master_secret(const crypto::Provider& provider,
                                                 crypto::HashAlg prf_hash,
                                                 const SecretBytes& premaster,
                                                 std::span<const uint8_t> session_hash) {
  return keyschedule::extended_master_secret(provider, prf_hash, premaster.expose(), session_hash);
}

Result<Tls12Protections> tls12_protections(const crypto::Provider& provider, const SuiteInfo& suite,
                                           keyschedule::Prf12& master_prf,
                                           std::span<const uint8_t, 32> client_random,
                                           std::span<const uint8_t, 32> server_random) {
  auto kb = HS_TRY(keyschedule::key_block(master_prf, suite.aead, client_random, server_random));
  Tls12Protections out;
  out.client_write = HS_TRY(record::make_tls12_protection(
      provider, suite.aead, kb.client_write_key.expose(), kb.client_write_iv.expose()));
  out.server_write = HS_TRY(record::make_tls12_protection(
      provider, suite.aead, kb.server_write_key.expose(), kb.server_write_iv.expose()));
  return out;
}

Result<keyschedule::Prf12> tls12_master_prf(const crypto::Provider& provider,
                                            crypto::HashAlg prf_hash, const SecretBytes& master) {
  return keyschedule::Prf12::make(provider, prf_hash, master.expose());
}

std::vector<uint8_t> tls12_verify_data(keyschedule::Prf12& master_prf, bool client,
                                       std::span<const uint8_t> transcript_hash) {
  auto vd = keyschedule::finished_verify_data12(
      master_prf, client ? keyschedule::Sender::client : keyschedule::Sender::server,
      transcript_hash);
  // verify_data goes on the wire in the Finished message (ours) or is compared in constant
  // time against the peer's public bytes: it is not secret past this point.
  return declassify(vd.expose());
}

}  // namespace hs::detail

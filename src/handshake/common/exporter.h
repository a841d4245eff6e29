// Keying material exporters: what a connection keeps once its handshake has fixed the secrets,
// to answer Connection::export_keying_material (RFC 5705 for TLS 1.2, RFC 8446 §7.5 for TLS 1.3).
#pragma once

#include <hs/result.h>
#include <hs/wire.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "crypto/provider.h"
#include "crypto/secret.h"

namespace hs::detail {

// Exporter holds one connection's exporter secret: the TLS 1.3 exporter_master_secret, or the
// TLS 1.2 master secret with both randoms (the PRF's seed). Move-only; the secret wipes itself.
class Exporter {
 public:
  // tls13 keeps exporter_master_secret (RFC 8446 §7.1, "exp master") for `hash`.
  static Exporter tls13(crypto::HashAlg hash, SecretBytes exporter_master_secret);
  // tls12 copies the master secret and the two randoms; `extended_master_secret` says whether
  // the session's master secret came from RFC 7627's derivation (exports are refused otherwise).
  static Result<Exporter> tls12(crypto::HashAlg prf_hash, const SecretBytes& master_secret,
                                std::span<const uint8_t, 32> client_random,
                                std::span<const uint8_t, 32> server_random,
                                bool extended_master_secret);

  // derive computes `length` bytes for `label` and `context` (std::nullopt: no context, which
  // TLS 1.2 distinguishes from an empty one and TLS 1.3 does not). internal_error for an empty
  // label, a TLS 1.2 label RFC 5705 reserves, a TLS 1.2 context over 65535 bytes, a TLS 1.3
  // label over 249 bytes or length over 255 * Hash.length; extended_master_secret_required for
  // a TLS 1.2 session without the extended master secret (RFC 7627 §5.4).
  Result<SecretBytes> derive(const crypto::Provider& provider, std::string_view label,
                             std::optional<std::span<const uint8_t>> context, size_t length) const;

  ProtocolVersion version() const { return version_; }

 private:
  Exporter(ProtocolVersion version, crypto::HashAlg hash, SecretBytes material, bool ems)
      : material_(std::move(material)), version_(version), hash_(hash), ems_(ems) {}

  // TLS 1.3: exporter_master_secret. TLS 1.2: master_secret || client_random || server_random.
  SecretBytes material_;
  ProtocolVersion version_;
  crypto::HashAlg hash_;
  bool ems_;  // TLS 1.2: the master secret is an extended one
};

}  // namespace hs::detail

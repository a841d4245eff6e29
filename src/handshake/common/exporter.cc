#include "handshake/common/exporter.h"

#include <algorithm>
#include <array>
#include <vector>

#include "keyschedule/prf12.h"
#include "keyschedule/tls12_keys.h"
#include "keyschedule/tls13_schedule.h"

namespace hs::detail {
namespace {

constexpr size_t kRandomLen = 32;

// The TLS 1.2 PRF has no length limit of its own; 65535 bytes is far beyond any use (RFC 5705's
// users export 16 to 64) and bounds what one call allocates.
constexpr size_t kMaxExport12 = 0xFFFF;

// RFC 5705 §6: "client finished", "server finished", "master secret" and "key expansion" "are
// reserved and MUST NOT be used for the purpose described in RFC 5705, in order to avoid
// confusion with similar, but distinct, use in RFC 5246."
bool reserved_label12(std::string_view label) {
  static constexpr std::array<std::string_view, 4> kReserved = {
      "client finished", "server finished", "master secret", "key expansion"};
  return std::find(kReserved.begin(), kReserved.end(), label) != kReserved.end();
}

}  // namespace

Exporter Exporter::tls13(crypto::HashAlg hash, SecretBytes exporter_master_secret) {
  return Exporter(ProtocolVersion::tls1_3, hash, std::move(exporter_master_secret), true);
}

Result<Exporter> Exporter::tls12(crypto::HashAlg prf_hash, const SecretBytes& master_secret,
                                 std::span<const uint8_t, 32> client_random,
                                 std::span<const uint8_t, 32> server_random,
                                 bool extended_master_secret) {
  if (master_secret.size() != keyschedule::kMasterSecretLen) {
    return Error(ErrorCode::internal_error, "exporter", "master secret length");
  }
  SecretBytes material(keyschedule::kMasterSecretLen + 2 * kRandomLen);
  std::span<uint8_t> out = material.expose_mut();
  std::copy(master_secret.expose().begin(), master_secret.expose().end(), out.begin());
  std::copy(client_random.begin(), client_random.end(),
            out.begin() + keyschedule::kMasterSecretLen);
  std::copy(server_random.begin(), server_random.end(),
            out.begin() + keyschedule::kMasterSecretLen + kRandomLen);
  return Exporter(ProtocolVersion::tls1_2, prf_hash, std::move(material), extended_master_secret);
}

Result<SecretBytes> Exporter::derive(const crypto::Provider& provider, std::string_view label,
                                     std::optional<std::span<const uint8_t>> context,
                                     size_t length) const {
  if (label.empty()) {
    return Error(ErrorCode::internal_error, "exporter", "empty label");
  }
  if (version_ == ProtocolVersion::tls1_3) {
    // RFC 8446 §7.5: "If no context is provided, the context_value is zero length.
    // Consequently, providing no context computes the same value as providing an empty
    // context." The label travels in an HkdfLabel (at most 255 bytes with "tls13 ").
    return keyschedule::export_keying_material(provider, hash_, material_.expose(), label,
                                               context.value_or(std::span<const uint8_t>{}),
                                               length);
  }
  // RFC 7627 §5.4: after a full handshake without the extended master secret "the client or
  // server MUST NOT export any key material based on the new master secret for any subsequent
  // application-level authentication. In particular, it MUST disable [RFC5705]". Such sessions
  // are never resumed here, so this covers every connection whose master secret is legacy.
  if (!ems_) {
    return Error(ErrorCode::extended_master_secret_required, "exporter",
                 "TLS 1.2 session without the extended master secret (RFC 7627 §5.4)");
  }
  if (reserved_label12(label)) {
    return Error(ErrorCode::internal_error, "exporter",
                 "label \"" + std::string(label) + "\" is reserved (RFC 5705 §6)");
  }
  if (length > kMaxExport12) {
    return Error(ErrorCode::internal_error, "exporter", "length over 65535 bytes");
  }
  // RFC 5705 §4: PRF(master_secret, label, client_random + server_random
  //                  [+ context_value_length + context_value])[length], the length a uint16.
  if (context && context->size() > 0xFFFF) {
    return Error(ErrorCode::internal_error, "exporter", "context over 65535 bytes");
  }
  const std::span<const uint8_t> all = material_.expose();
  const std::span<const uint8_t> master = all.first(keyschedule::kMasterSecretLen);
  const std::span<const uint8_t> randoms = all.subspan(keyschedule::kMasterSecretLen);
  std::vector<uint8_t> seed(randoms.begin(), randoms.end());
  if (context) {
    seed.push_back(static_cast<uint8_t>(context->size() >> 8));
    seed.push_back(static_cast<uint8_t>(context->size()));
    seed.insert(seed.end(), context->begin(), context->end());
  }
  return keyschedule::prf12(provider, hash_, master, label, seed, length);
}

}  // namespace hs::detail

#include "keyschedule/tls13_schedule.h"

#include <array>
#include <memory>
#include <vector>

#include "keyschedule/hkdf13.h"

namespace hs::keyschedule {
namespace {

// zeros is RFC 8446, 7.1's "0-value consisting of a string of Hash.length bytes set to zeros".
std::vector<uint8_t> zeros(crypto::HashAlg hash) {
  return std::vector<uint8_t>(crypto::hash_len(hash), 0);
}

// derive_keyed is Derive-Secret(secret, label, transcript_hash) with `mac`, the stage's HMAC
// keyed with `secret`, made on first use: a stage derives two to four secrets from one key.
Result<SecretBytes> derive_keyed(std::unique_ptr<crypto::Hmac>& mac,
                                 const crypto::Provider& provider, crypto::HashAlg hash,
                                 const SecretBytes& secret, std::string_view label,
                                 std::span<const uint8_t> transcript_hash) {
  if (transcript_hash.size() != crypto::hash_len(hash)) {
    return Error(ErrorCode::internal_error, "derive_secret", "transcript hash length");
  }
  if (mac == nullptr) {
    mac = provider.make_hmac(hash, secret.expose());
    if (mac == nullptr) {
      return Error(ErrorCode::internal_error, "derive_secret", "no HMAC");
    }
  }
  return hkdf_expand_label(*mac, label, transcript_hash, crypto::hash_len(hash));
}

// HashConstants are the values of the schedule that depend on nothing but the hash: Hash(""),
// the Early Secret without a PSK (HKDF-Extract(0, 0)) and its Derive-Secret(., "derived", "").
// A full handshake would otherwise compute them every time (two HMAC keys, two tags, two
// hashes). Cached per thread, per hash and per provider (thread_local: no locking; the entry is
// recomputed when another provider asks), computed through the provider like everything else.
struct HashConstants {
  const crypto::Provider* provider = nullptr;
  std::vector<uint8_t> empty_hash;
  SecretBytes no_psk_early;
  SecretBytes no_psk_derived;
};

Result<const HashConstants*> hash_constants(const crypto::Provider& provider,
                                            crypto::HashAlg hash) {
  thread_local std::array<HashConstants, 3> cache;
  HashConstants& c = cache[static_cast<size_t>(hash)];
  if (c.provider != &provider) {
    c.provider = nullptr;
    c.empty_hash = empty_hash(provider, hash);
    const std::vector<uint8_t> zero = zeros(hash);
    // RFC 8446, 7.1: "if PSK is not in use, Early Secret will still be HKDF-Extract(0, 0)."
    c.no_psk_early = provider.hkdf_extract(hash, zero, zero);
    auto mac = provider.make_hmac(hash, c.no_psk_early.expose());
    if (mac == nullptr) {
      return Error(ErrorCode::internal_error, "derive_secret", "no HMAC");
    }
    c.no_psk_derived = HS_TRY(hkdf_expand_label(*mac, "derived", c.empty_hash, zero.size()));
    c.provider = &provider;
  }
  return &c;
}

// next_stage is HKDF-Extract(Derive-Secret(previous, "derived", ""), ikm), the step between two
// stages of the schedule; an empty `ikm` stands for the zero string. `mac` is the previous
// stage's HMAC, keyed with `previous` (or null when no label was derived from it); `derived`,
// when given, is Derive-Secret(previous, "derived", "") already. On return `mac` is keyed with
// the new stage's secret, for the new stage to use: one HMAC context serves the whole chain,
// rekeyed with the salt for the extract and then with its output, instead of one made and freed
// per extract and per stage (an EVP_MAC_CTX_dup and _free, about 5k instructions each time).
Result<SecretBytes> next_stage(std::unique_ptr<crypto::Hmac>& mac, const crypto::Provider& provider,
                               crypto::HashAlg hash, const SecretBytes& previous,
                               std::span<const uint8_t> ikm, const SecretBytes* derived = nullptr) {
  SecretBytes computed;
  if (derived == nullptr) {
    const HashConstants* constants = HS_TRY(hash_constants(provider, hash));
    computed =
        HS_TRY(derive_keyed(mac, provider, hash, previous, "derived", constants->empty_hash));
    derived = &computed;
  }
  // RFC 5869, 2.2: PRK = HMAC-Hash(salt, IKM), the salt being the "derived" secret.
  if (mac == nullptr) {
    mac = provider.make_hmac(hash, derived->expose());
    if (mac == nullptr) {
      return Error(ErrorCode::internal_error, "hkdf_extract", "no HMAC");
    }
  } else {
    mac->rekey(derived->expose());
  }
  const std::array<uint8_t, crypto::kMaxHashLen> zero{};
  mac->update(ikm.empty() ? std::span<const uint8_t>(zero).first(crypto::hash_len(hash)) : ikm);
  SecretBytes secret(crypto::hash_len(hash));
  mac->finish(secret.expose_mut());
  mac->rekey(secret.expose());
  return secret;
}

}  // namespace

// ---- TrafficSecret ----

Result<TrafficSecret> TrafficSecret::dangerous_from_bytes(TrafficSecretKind kind,
                                                          crypto::HashAlg hash,
                                                          std::span<const uint8_t> bytes) {
  if (bytes.size() != crypto::hash_len(hash)) {
    return Error(ErrorCode::internal_error, "traffic secret", "length is not Hash.length");
  }
  return TrafficSecret(kind, hash, SecretBytes(bytes));
}

// ---- EarlySecret ----

EarlySecret EarlySecret::make(const crypto::Provider& provider, crypto::HashAlg hash,
                              std::span<const uint8_t> psk) {
  // RFC 8446, 7.1: "if PSK is not in use, Early Secret will still be HKDF-Extract(0, 0)."
  const std::vector<uint8_t> salt = zeros(hash);
  if (psk.empty()) {
    auto constants = hash_constants(provider, hash);
    if (constants.ok()) {
      return EarlySecret(provider, hash, (*constants)->no_psk_early.clone(), /*no_psk=*/true);
    }
    return EarlySecret(provider, hash, provider.hkdf_extract(hash, salt, salt), /*no_psk=*/false);
  }
  return EarlySecret(provider, hash, provider.hkdf_extract(hash, salt, psk), /*no_psk=*/false);
}

Result<SecretBytes> EarlySecret::binder_key(PskKind kind) const {
  const std::string_view label = kind == PskKind::resumption ? "res binder" : "ext binder";
  const HashConstants* constants = HS_TRY(hash_constants(*provider_, hash_));
  return derive_keyed(mac_, *provider_, hash_, secret_, label, constants->empty_hash);
}

Result<TrafficSecret> EarlySecret::client_early_traffic_secret(
    std::span<const uint8_t> client_hello_hash) const {
  SecretBytes s =
      HS_TRY(derive_keyed(mac_, *provider_, hash_, secret_, "c e traffic", client_hello_hash));
  return TrafficSecret(TrafficSecretKind::client_early, hash_, std::move(s));
}

Result<SecretBytes> EarlySecret::early_exporter_master_secret(
    std::span<const uint8_t> client_hello_hash) const {
  return derive_keyed(mac_, *provider_, hash_, secret_, "e exp master", client_hello_hash);
}

// ---- HandshakeSecret ----

Result<HandshakeSecret> HandshakeSecret::derive(EarlySecret early,
                                                std::span<const uint8_t> shared_secret) {
  // `early` is a by-value parameter: its Early Secret is wiped when this returns.
  const SecretBytes* derived = nullptr;
  if (early.no_psk_) {
    const HashConstants* constants = HS_TRY(hash_constants(*early.provider_, early.hash_));
    derived = &constants->no_psk_derived;
  }
  SecretBytes secret = HS_TRY(
      next_stage(early.mac_, *early.provider_, early.hash_, early.secret_, shared_secret, derived));
  return HandshakeSecret(*early.provider_, early.hash_, std::move(secret), std::move(early.mac_));
}

Result<TrafficSecret> HandshakeSecret::client_handshake_traffic_secret(
    std::span<const uint8_t> ch_to_sh_hash) const {
  SecretBytes s =
      HS_TRY(derive_keyed(mac_, *provider_, hash_, secret_, "c hs traffic", ch_to_sh_hash));
  return TrafficSecret(TrafficSecretKind::client_handshake, hash_, std::move(s));
}

Result<TrafficSecret> HandshakeSecret::server_handshake_traffic_secret(
    std::span<const uint8_t> ch_to_sh_hash) const {
  SecretBytes s =
      HS_TRY(derive_keyed(mac_, *provider_, hash_, secret_, "s hs traffic", ch_to_sh_hash));
  return TrafficSecret(TrafficSecretKind::server_handshake, hash_, std::move(s));
}

// ---- MasterSecret ----

Result<MasterSecret> MasterSecret::derive(HandshakeSecret handshake) {
  // RFC 8446, 7.1: "0 -> HKDF-Extract = Master Secret" (the empty span stands for the zeros).
  SecretBytes secret = HS_TRY(
      next_stage(handshake.mac_, *handshake.provider_, handshake.hash_, handshake.secret_, {}));
  return MasterSecret(*handshake.provider_, handshake.hash_, std::move(secret),
                      std::move(handshake.mac_));
}

Result<TrafficSecret> MasterSecret::client_application_traffic_secret_0(
    std::span<const uint8_t> ch_to_server_finished_hash) const {
  SecretBytes s = HS_TRY(
      derive_keyed(mac_, *provider_, hash_, secret_, "c ap traffic", ch_to_server_finished_hash));
  return TrafficSecret(TrafficSecretKind::client_application, hash_, std::move(s));
}

Result<TrafficSecret> MasterSecret::server_application_traffic_secret_0(
    std::span<const uint8_t> ch_to_server_finished_hash) const {
  SecretBytes s = HS_TRY(
      derive_keyed(mac_, *provider_, hash_, secret_, "s ap traffic", ch_to_server_finished_hash));
  return TrafficSecret(TrafficSecretKind::server_application, hash_, std::move(s));
}

Result<SecretBytes> MasterSecret::exporter_master_secret(
    std::span<const uint8_t> ch_to_server_finished_hash) const {
  return derive_keyed(mac_, *provider_, hash_, secret_, "exp master", ch_to_server_finished_hash);
}

Result<SecretBytes> MasterSecret::resumption_master_secret(
    std::span<const uint8_t> ch_to_client_finished_hash) const {
  return derive_keyed(mac_, *provider_, hash_, secret_, "res master", ch_to_client_finished_hash);
}

// ---- Traffic keys, KeyUpdate, Finished, binders, tickets, exporters ----

Result<TrafficKeys> traffic_keys(const crypto::Provider& provider, const TrafficSecret& secret,
                                 crypto::AeadAlg alg) {
  // RFC 8446, 7.3:
  //   [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
  //   [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
  // One HMAC keyed with the secret serves both labels.
  auto mac = provider.make_hmac(secret.hash(), secret.secret().expose());
  if (mac == nullptr) {
    return Error(ErrorCode::internal_error, "traffic keys", "no HMAC");
  }
  TrafficKeys keys;
  keys.key = HS_TRY(hkdf_expand_label(*mac, "key", {}, crypto::aead_key_len(alg)));
  keys.iv = HS_TRY(hkdf_expand_label(*mac, "iv", {}, crypto::kAeadNonceLen));
  // A handshake traffic secret is also the BaseKey of its side's Finished (RFC 8446, 4.4.4):
  // derive finished_key now, with the HMAC already keyed, instead of keying another later.
  const bool handshake_secret = secret.kind() == TrafficSecretKind::client_handshake ||
                                secret.kind() == TrafficSecretKind::server_handshake;
  if (handshake_secret && secret.finished_key_.empty()) {
    secret.finished_key_ =
        HS_TRY(hkdf_expand_label(*mac, "finished", {}, crypto::hash_len(secret.hash())));
  }
  return keys;
}

Result<TrafficSecret> next_application_traffic_secret(const crypto::Provider& provider,
                                                      const TrafficSecret& current) {
  switch (current.kind()) {
    case TrafficSecretKind::client_application:
    case TrafficSecretKind::server_application:
      break;
    case TrafficSecretKind::client_early:
    case TrafficSecretKind::client_handshake:
    case TrafficSecretKind::server_handshake:
      // RFC 8446, 4.6.3: KeyUpdate "can be sent by either peer after it has sent a Finished
      // message"; only application traffic secrets have a next generation.
      return Error(ErrorCode::internal_error, "traffic update", "not an application secret");
  }
  // RFC 8446, 7.2: application_traffic_secret_N+1 =
  //   HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
  SecretBytes next = HS_TRY(hkdf_expand_label(provider, current.hash(), current.secret().expose(),
                                              "traffic upd", {}, crypto::hash_len(current.hash())));
  return TrafficSecret(current.kind(), current.hash(), std::move(next));
}

Result<SecretBytes> finished_key(const crypto::Provider& provider, crypto::HashAlg hash,
                                 std::span<const uint8_t> base_key) {
  // RFC 8446, 4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)
  return hkdf_expand_label(provider, hash, base_key, "finished", {}, crypto::hash_len(hash));
}

namespace {

// finished_mac is verify_data = HMAC(finished_key, transcript_hash) (RFC 8446, 4.4.4).
Result<SecretBytes> finished_mac(const crypto::Provider& provider, crypto::HashAlg hash,
                                 const SecretBytes& key, std::span<const uint8_t> transcript_hash) {
  if (transcript_hash.size() != crypto::hash_len(hash)) {
    return Error(ErrorCode::internal_error, "finished", "transcript hash length");
  }
  auto hmac = provider.make_hmac(hash, key.expose());
  if (hmac == nullptr) {
    return Error(ErrorCode::internal_error, "finished", "hmac");
  }
  hmac->update(transcript_hash);
  SecretBytes verify_data(crypto::hash_len(hash));
  hmac->finish(verify_data.expose_mut());
  return verify_data;
}

}  // namespace

Result<SecretBytes> finished_verify_data13(const crypto::Provider& provider, crypto::HashAlg hash,
                                           std::span<const uint8_t> base_key,
                                           std::span<const uint8_t> transcript_hash) {
  if (transcript_hash.size() != crypto::hash_len(hash)) {
    return Error(ErrorCode::internal_error, "finished", "transcript hash length");
  }
  // RFC 8446, 4.4.4:
  //   verify_data =
  //       HMAC(finished_key,
  //            Transcript-Hash(Handshake Context,
  //                            Certificate*, CertificateVerify*))
  const SecretBytes key = HS_TRY(finished_key(provider, hash, base_key));
  return finished_mac(provider, hash, key, transcript_hash);
}

Result<SecretBytes> finished_verify_data13(const crypto::Provider& provider,
                                           const TrafficSecret& base_key,
                                           std::span<const uint8_t> transcript_hash) {
  if (!base_key.finished_key().empty()) {
    return finished_mac(provider, base_key.hash(), base_key.finished_key(), transcript_hash);
  }
  return finished_verify_data13(provider, base_key.hash(), base_key.secret().expose(),
                                transcript_hash);
}

Result<void> verify_finished13(const crypto::Provider& provider, const TrafficSecret& base_key,
                               std::span<const uint8_t> transcript_hash,
                               std::span<const uint8_t> received) {
  const SecretBytes expected = HS_TRY(finished_verify_data13(provider, base_key, transcript_hash));
  // RFC 8446, 4.4.4: "Recipients of Finished messages MUST verify that the contents are correct
  // and if incorrect MUST terminate the connection with a "decrypt_error" alert."
  if (!crypto::constant_time_equal(expected.expose(), received)) {
    return Error(ErrorCode::bad_finished, "finished");
  }
  return ok_result();
}

Result<SecretBytes> psk_binder(const crypto::Provider& provider, crypto::HashAlg hash,
                               std::span<const uint8_t> binder_key,
                               std::span<const uint8_t> truncated_hello_hash) {
  // RFC 8446, 4.2.11.2: "The PskBinderEntry is computed in the same way as the Finished message
  // (Section 4.4.4) but with the BaseKey being the binder_key".
  return finished_verify_data13(provider, hash, binder_key, truncated_hello_hash);
}

Result<void> verify_psk_binder(const crypto::Provider& provider, crypto::HashAlg hash,
                               std::span<const uint8_t> binder_key,
                               std::span<const uint8_t> truncated_hello_hash,
                               std::span<const uint8_t> received) {
  const SecretBytes expected = HS_TRY(psk_binder(provider, hash, binder_key, truncated_hello_hash));
  // RFC 8446, 4.2.11: "If this value is not present or does not validate, the server MUST abort
  // the handshake."
  if (!crypto::constant_time_equal(expected.expose(), received)) {
    return Error(ErrorCode::bad_finished, "psk binder");
  }
  return ok_result();
}

Result<SecretBytes> psk_from_ticket(const crypto::Provider& provider, crypto::HashAlg hash,
                                    std::span<const uint8_t> resumption_master_secret,
                                    std::span<const uint8_t> ticket_nonce) {
  // RFC 8446, 4.6.1:
  //   HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)
  return hkdf_expand_label(provider, hash, resumption_master_secret, "resumption", ticket_nonce,
                           crypto::hash_len(hash));
}

Result<SecretBytes> export_keying_material(const crypto::Provider& provider, crypto::HashAlg hash,
                                           std::span<const uint8_t> exporter_secret,
                                           std::string_view label, std::span<const uint8_t> context,
                                           size_t length) {
  if (length > 255 * crypto::hash_len(hash)) {
    return Error(ErrorCode::internal_error, "exporter", "length over 255 * Hash.length");
  }
  // RFC 8446, 7.5:
  //   TLS-Exporter(label, context_value, key_length) =
  //       HKDF-Expand-Label(Derive-Secret(Secret, label, ""),
  //                         "exporter", Hash(context_value), key_length)
  const HashConstants* constants = HS_TRY(hash_constants(provider, hash));
  const SecretBytes per_label =
      HS_TRY(derive_secret(provider, hash, exporter_secret, label, constants->empty_hash));
  std::vector<uint8_t> context_hash(crypto::hash_len(hash));
  auto h = provider.make_hash(hash);
  if (h == nullptr) {
    return Error(ErrorCode::internal_error, "exporter", "hash");
  }
  h->update(context);
  h->current(context_hash);
  return hkdf_expand_label(provider, hash, per_label.expose(), "exporter", context_hash, length);
}

}  // namespace hs::keyschedule

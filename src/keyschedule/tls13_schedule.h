// The TLS 1.3 key schedule (RFC 8446 §7.1-7.5) as a chain of move-only stage types:
//
//   EarlySecret(PSK or 0) --(EC)DHE--> HandshakeSecret --0--> MasterSecret
//
// Each stage is built by consuming the one before it, so a traffic secret can only come from
// the stage that owns it (handshake traffic secrets from HandshakeSecret, application traffic
// secrets from MasterSecret), and the "derived" steps between stages happen inside. Stage
// secrets are SecretBytes: wiped when the stage is destroyed or consumed (RFC 8446, 7.1: "Once
// all the values which are to be derived from a given secret have been computed, that secret
// SHOULD be erased.").
//
// Every stage keeps a pointer to the crypto::Provider it was built with; the provider must
// outlive it. Transcript hashes are passed in as the running hash's current value and must be
// Hash.length bytes (internal_error otherwise).
#pragma once

#include <hs/result.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "crypto/provider.h"
#include "crypto/secret.h"

namespace hs::keyschedule {

// PskKind picks the binder_key label (RFC 8446, 7.1): "res binder" for resumption PSKs (from a
// NewSessionTicket), "ext binder" for externally provisioned PSKs. "The different labels
// prevent the substitution of one type of PSK for the other."
enum class PskKind : uint8_t { resumption, external };

// TrafficSecretKind names which traffic secret a TrafficSecret holds; it also picks the
// key-log label (tls13_keylog.h).
enum class TrafficSecretKind : uint8_t {
  client_early,        // client_early_traffic_secret ("c e traffic")
  client_handshake,    // client_handshake_traffic_secret ("c hs traffic")
  server_handshake,    // server_handshake_traffic_secret ("s hs traffic")
  client_application,  // client_application_traffic_secret_N ("c ap traffic", "traffic upd")
  server_application,  // server_application_traffic_secret_N ("s ap traffic", "traffic upd")
};

struct TrafficKeys;

// TrafficSecret is one direction's traffic secret, tagged with its kind and hash. Only the
// stages below (and next_application_traffic_secret) make them; dangerous_from_bytes exists for
// tests and for importing a secret from elsewhere. Move-only.
class TrafficSecret {
 public:
  TrafficSecretKind kind() const { return kind_; }
  crypto::HashAlg hash() const { return hash_; }
  // secret is the raw traffic secret (for the key log and the Finished base key).
  const SecretBytes& secret() const { return secret_; }
  // finished_key is HKDF-Expand-Label(secret, "finished", "", Hash.length) when traffic_keys()
  // has already derived it (handshake secrets only, with the HMAC it keys for "key" and "iv"),
  // else empty. A value cached from the secret, so it does not change what the secret is.
  const SecretBytes& finished_key() const { return finished_key_; }

  // dangerous_from_bytes wraps raw bytes as a traffic secret of `kind`. internal_error when
  // `bytes` is not hash_len(hash) long.
  static Result<TrafficSecret> dangerous_from_bytes(TrafficSecretKind kind, crypto::HashAlg hash,
                                                    std::span<const uint8_t> bytes);

 private:
  friend class EarlySecret;
  friend class HandshakeSecret;
  friend class MasterSecret;
  friend Result<TrafficSecret> next_application_traffic_secret(const crypto::Provider& provider,
                                                               const TrafficSecret& current);
  friend Result<TrafficKeys> traffic_keys(const crypto::Provider& provider,
                                          const TrafficSecret& secret, crypto::AeadAlg alg);
  TrafficSecret(TrafficSecretKind kind, crypto::HashAlg hash, SecretBytes secret)
      : kind_(kind), hash_(hash), secret_(std::move(secret)) {}

  TrafficSecretKind kind_;
  crypto::HashAlg hash_;
  SecretBytes secret_;
  mutable SecretBytes finished_key_;  // see finished_key()
};

// EarlySecret = HKDF-Extract(0, PSK) (RFC 8446, 7.1). Move-only; consumed by HandshakeSecret.
class EarlySecret {
 public:
  // make extracts the Early Secret from `psk`; an empty `psk` means no PSK, for which the RFC
  // says "the 0-value consisting of a string of Hash.length bytes set to zeros is used"
  // ("if PSK is not in use, Early Secret will still be HKDF-Extract(0, 0)").
  static EarlySecret make(const crypto::Provider& provider, crypto::HashAlg hash,
                          std::span<const uint8_t> psk = {});

  // binder_key is Derive-Secret(Early Secret, "ext binder" | "res binder", "").
  Result<SecretBytes> binder_key(PskKind kind) const;
  // client_early_traffic_secret is Derive-Secret(Early Secret, "c e traffic", ClientHello);
  // `client_hello_hash` is Transcript-Hash(ClientHello) (the full ClientHello, binders
  // included).
  Result<TrafficSecret> client_early_traffic_secret(
      std::span<const uint8_t> client_hello_hash) const;
  // early_exporter_master_secret is Derive-Secret(Early Secret, "e exp master", ClientHello).
  Result<SecretBytes> early_exporter_master_secret(
      std::span<const uint8_t> client_hello_hash) const;

  crypto::HashAlg hash() const { return hash_; }
  // dangerous_secret exposes the Early Secret itself (known-answer tests only).
  std::span<const uint8_t> dangerous_secret() const { return secret_.expose(); }

 private:
  friend class HandshakeSecret;
  EarlySecret(const crypto::Provider& provider, crypto::HashAlg hash, SecretBytes secret,
              bool no_psk)
      : provider_(&provider), hash_(hash), secret_(std::move(secret)), no_psk_(no_psk) {}

  const crypto::Provider* provider_;
  crypto::HashAlg hash_;
  SecretBytes secret_;
  // Without a PSK the Early Secret and its "derived" secret are constants of the hash, taken
  // from a per-thread cache instead of being computed per handshake.
  bool no_psk_;
  // HMAC keyed with secret_, made on first use and shared by every label derived from it.
  mutable std::unique_ptr<crypto::Hmac> mac_;
};

// HandshakeSecret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE).
// Move-only; consumed by MasterSecret.
class HandshakeSecret {
 public:
  // derive consumes `early` and mixes in the (EC)DHE shared secret; an empty `shared_secret`
  // (psk_ke mode) uses the Hash.length zero string, as RFC 8446, 7.1 requires for a missing
  // input. internal_error when the provider fails.
  static Result<HandshakeSecret> derive(EarlySecret early, std::span<const uint8_t> shared_secret);

  // client_handshake_traffic_secret is Derive-Secret(., "c hs traffic", ClientHello...ServerHello).
  Result<TrafficSecret> client_handshake_traffic_secret(
      std::span<const uint8_t> ch_to_sh_hash) const;
  // server_handshake_traffic_secret is Derive-Secret(., "s hs traffic", ClientHello...ServerHello).
  Result<TrafficSecret> server_handshake_traffic_secret(
      std::span<const uint8_t> ch_to_sh_hash) const;

  crypto::HashAlg hash() const { return hash_; }
  // dangerous_secret exposes the Handshake Secret itself (known-answer tests only).
  std::span<const uint8_t> dangerous_secret() const { return secret_.expose(); }

 private:
  friend class MasterSecret;
  // `mac`, when given, is an HMAC keyed with `secret` (the chain's context, see next_stage).
  HandshakeSecret(const crypto::Provider& provider, crypto::HashAlg hash, SecretBytes secret,
                  std::unique_ptr<crypto::Hmac> mac = nullptr)
      : provider_(&provider), hash_(hash), secret_(std::move(secret)), mac_(std::move(mac)) {}

  const crypto::Provider* provider_;
  crypto::HashAlg hash_;
  SecretBytes secret_;
  // HMAC keyed with secret_, made on first use and shared by every label derived from it.
  mutable std::unique_ptr<crypto::Hmac> mac_;
};

// MasterSecret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0). Move-only.
class MasterSecret {
 public:
  // derive consumes `handshake`. internal_error when the provider fails.
  static Result<MasterSecret> derive(HandshakeSecret handshake);

  // client_application_traffic_secret_0 is Derive-Secret(., "c ap traffic",
  // ClientHello...server Finished).
  Result<TrafficSecret> client_application_traffic_secret_0(
      std::span<const uint8_t> ch_to_server_finished_hash) const;
  // server_application_traffic_secret_0 is Derive-Secret(., "s ap traffic",
  // ClientHello...server Finished).
  Result<TrafficSecret> server_application_traffic_secret_0(
      std::span<const uint8_t> ch_to_server_finished_hash) const;
  // exporter_master_secret is Derive-Secret(., "exp master", ClientHello...server Finished).
  Result<SecretBytes> exporter_master_secret(
      std::span<const uint8_t> ch_to_server_finished_hash) const;
  // resumption_master_secret is Derive-Secret(., "res master", ClientHello...client Finished).
  Result<SecretBytes> resumption_master_secret(
      std::span<const uint8_t> ch_to_client_finished_hash) const;

  crypto::HashAlg hash() const { return hash_; }
  // dangerous_secret exposes the Master Secret itself (known-answer tests only).
  std::span<const uint8_t> dangerous_secret() const { return secret_.expose(); }

 private:
  // `mac`, when given, is an HMAC keyed with `secret` (the chain's context, see next_stage).
  MasterSecret(const crypto::Provider& provider, crypto::HashAlg hash, SecretBytes secret,
               std::unique_ptr<crypto::Hmac> mac = nullptr)
      : provider_(&provider), hash_(hash), secret_(std::move(secret)), mac_(std::move(mac)) {}

  const crypto::Provider* provider_;
  crypto::HashAlg hash_;
  SecretBytes secret_;
  // HMAC keyed with secret_, made on first use and shared by every label derived from it.
  mutable std::unique_ptr<crypto::Hmac> mac_;
};

// TrafficKeys is the record protection key and IV for one direction and epoch.
struct TrafficKeys {
  SecretBytes key;  // aead_key_len(alg) bytes
  SecretBytes iv;   // crypto::kAeadNonceLen (12) bytes
};

// traffic_keys derives (RFC 8446, 7.3)
//   [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
//   [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
// for `alg`. internal_error when the provider fails.
Result<TrafficKeys> traffic_keys(const crypto::Provider& provider, const TrafficSecret& secret,
                                 crypto::AeadAlg alg);

// next_application_traffic_secret is application_traffic_secret_N+1 =
// HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length) (RFC 8446,
// 7.2), of the same kind. internal_error when `current` is not an application traffic secret.
Result<TrafficSecret> next_application_traffic_secret(const crypto::Provider& provider,
                                                      const TrafficSecret& current);

// finished_key is HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446, 4.4.4).
Result<SecretBytes> finished_key(const crypto::Provider& provider, crypto::HashAlg hash,
                                 std::span<const uint8_t> base_key);

// finished_verify_data13 is verify_data = HMAC(finished_key(base_key), transcript_hash)
// (RFC 8446, 4.4.4). The base key is the sender's handshake traffic secret (or, after the
// handshake, its application traffic secret); `transcript_hash` is Transcript-Hash(Handshake
// Context, Certificate*, CertificateVerify*). Declassify the result before putting it on the
// wire. internal_error when the transcript hash is not Hash.length bytes.
Result<SecretBytes> finished_verify_data13(const crypto::Provider& provider, crypto::HashAlg hash,
                                           std::span<const uint8_t> base_key,
                                           std::span<const uint8_t> transcript_hash);
// finished_verify_data13 with the base key and hash taken from a traffic secret.
Result<SecretBytes> finished_verify_data13(const crypto::Provider& provider,
                                           const TrafficSecret& base_key,
                                           std::span<const uint8_t> transcript_hash);

// verify_finished13 recomputes verify_data and compares it with `received` in constant time.
// bad_finished (-> decrypt_error) on mismatch, internal_error when the provider fails.
Result<void> verify_finished13(const crypto::Provider& provider, const TrafficSecret& base_key,
                               std::span<const uint8_t> transcript_hash,
                               std::span<const uint8_t> received);

// psk_binder computes one PskBinderEntry (RFC 8446, 4.2.11.2): "computed in the same way as the
// Finished message (Section 4.4.4) but with the BaseKey being the binder_key".
// `truncated_hello_hash` is Transcript-Hash(Truncate(ClientHello1)) or, after a
// HelloRetryRequest, Transcript-Hash(ClientHello1, HelloRetryRequest, Truncate(ClientHello2)).
Result<SecretBytes> psk_binder(const crypto::Provider& provider, crypto::HashAlg hash,
                               std::span<const uint8_t> binder_key,
                               std::span<const uint8_t> truncated_hello_hash);

// verify_psk_binder recomputes the binder and compares it with `received` in constant time.
// RFC 8446, 4.2.11: "Prior to accepting PSK key establishment, the server MUST validate the
// corresponding binder value [...] If this value is not present or does not validate, the
// server MUST abort the handshake." bad_finished (-> decrypt_error) on mismatch.
Result<void> verify_psk_binder(const crypto::Provider& provider, crypto::HashAlg hash,
                               std::span<const uint8_t> binder_key,
                               std::span<const uint8_t> truncated_hello_hash,
                               std::span<const uint8_t> received);

// psk_from_ticket is HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce,
// Hash.length) (RFC 8446, 4.6.1). internal_error when the nonce is over 255 bytes.
Result<SecretBytes> psk_from_ticket(const crypto::Provider& provider, crypto::HashAlg hash,
                                    std::span<const uint8_t> resumption_master_secret,
                                    std::span<const uint8_t> ticket_nonce);

// export_keying_material is the TLS 1.3 exporter (RFC 8446, 7.5):
//   TLS-Exporter(label, context_value, key_length) =
//       HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value),
//                         key_length)
// where Secret is the exporter_master_secret (or early_exporter_master_secret for 0-RTT
// exporters). "providing no context computes the same value as providing an empty context."
// internal_error when the label is empty or over 249 bytes, or `length` is over 255 *
// Hash.length (HKDF-Expand's limit).
Result<SecretBytes> export_keying_material(const crypto::Provider& provider, crypto::HashAlg hash,
                                           std::span<const uint8_t> exporter_secret,
                                           std::string_view label, std::span<const uint8_t> context,
                                           size_t length);

}  // namespace hs::keyschedule

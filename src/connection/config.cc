// ClientConfig/ServerConfig defaults, their validation and the certificate loader.
#include <hs/config.h>

#include <algorithm>
#include <vector>

#include "connection/connection_impl.h"
#include "crypto/provider.h"
#include "crypto/secret.h"
#include "handshake/common/suites.h"
#include "x509/certificate.h"
#include "x509/ocsp.h"
#include "x509/pem.h"

namespace hs {

std::vector<CipherSuite> default_cipher_suites() {
  return {
      CipherSuite::TLS_AES_128_GCM_SHA256,
      CipherSuite::TLS_AES_256_GCM_SHA384,
      CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
      CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
      CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
      CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
      CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
      CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  };
}

std::vector<NamedGroup> default_groups() {
  // The first three are what browsers and most libraries use; X448, P-521 and two FFDHE groups
  // (TLS 1.3 only; Firefox lists these two) come last, for peers that offer nothing else.
  // ffdhe4096/6144/8192 are implemented but must be configured: a key pair and shared secret
  // cost 12, 29 and 52 ms here (X25519: 0.09 ms, ffdhe2048: 3 ms), work any client could make a
  // server do by offering only that group.
  return {NamedGroup::x25519,    NamedGroup::secp256r1, NamedGroup::secp384r1, NamedGroup::x448,
          NamedGroup::secp521r1, NamedGroup::ffdhe2048, NamedGroup::ffdhe3072};
}

std::vector<SignatureScheme> default_signature_schemes() {
  // SHA-1 schemes are never offered (RFC 8446 §4.2.3 forbids them in TLS 1.3 signatures; we
  // refuse them for TLS 1.2 too). The schemes a TLS 1.3 CertificateVerify may use come first
  // (ECDSA, RSA-PSS with rsaEncryption keys, Ed25519, Ed448, RSA-PSS with RSASSA-PSS keys), then
  // rsa_pkcs1_*, which RFC 8446 §4.2.3 leaves to certificates and TLS 1.2 signatures.
  return {
      SignatureScheme::ecdsa_secp256r1_sha256,
      SignatureScheme::ecdsa_secp384r1_sha384,
      SignatureScheme::ecdsa_secp521r1_sha512,
      SignatureScheme::rsa_pss_rsae_sha256,
      SignatureScheme::rsa_pss_rsae_sha384,
      SignatureScheme::rsa_pss_rsae_sha512,
      SignatureScheme::ed25519,
      SignatureScheme::ed448,
      SignatureScheme::rsa_pss_pss_sha256,
      SignatureScheme::rsa_pss_pss_sha384,
      SignatureScheme::rsa_pss_pss_sha512,
      SignatureScheme::rsa_pkcs1_sha256,
      SignatureScheme::rsa_pkcs1_sha384,
      SignatureScheme::rsa_pkcs1_sha512,
  };
}

Result<ServerCertificate> load_server_certificate(std::string_view chain_pem,
                                                  std::string_view key_pem,
                                                  const crypto::Provider* provider) {
  const crypto::Provider& p = provider != nullptr ? *provider : crypto::default_provider();
  ServerCertificate out;
  out.chain = HS_TRY(x509::load_certificate_chain_pem(chain_pem));
  auto key_der = HS_TRY(x509::load_private_key_pem(key_pem));
  // The DER is key material: keep it in a wiping buffer for as long as it lives.
  SecretBytes key_secret(key_der);
  crypto::secure_wipe(key_der);
  auto key = p.parse_private_key(key_secret.expose());
  if (!key.ok()) {
    return Error(ErrorCode::invalid_config, "private key", "the private key could not be parsed");
  }
  auto leaf = x509::parse_certificate(out.chain.front());
  if (!leaf.ok()) {
    return Error(ErrorCode::invalid_config, "certificate",
                 "the leaf certificate could not be parsed");
  }
  std::vector<uint8_t> key_spki = key.value()->public_key_info();
  if (key_spki != leaf->spki_raw) {
    return Error(ErrorCode::invalid_config, "private key",
                 "the private key does not match the leaf certificate's public key");
  }
  out.key = std::shared_ptr<const crypto::PrivateKey>(std::move(key).value());
  return out;
}

namespace detail {

namespace {

Result<void> check_versions(const char* who, ProtocolVersion min, ProtocolVersion max) {
  if (min != ProtocolVersion::tls1_2 && min != ProtocolVersion::tls1_3) {
    return Error(ErrorCode::invalid_config, who, "min_version must be TLS 1.2 or 1.3");
  }
  if (max != ProtocolVersion::tls1_2 && max != ProtocolVersion::tls1_3) {
    return Error(ErrorCode::invalid_config, who, "max_version must be TLS 1.2 or 1.3");
  }
  if (static_cast<uint16_t>(min) > static_cast<uint16_t>(max)) {
    return Error(ErrorCode::invalid_config, who, "min_version above max_version");
  }
  return ok_result();
}

Result<void> check_limits(const char* who, const Limits& limits) {
  constexpr size_t kMaxUint24 = 0xFFFFFF;
  if (limits.max_handshake_message_size == 0 || limits.max_certificates == 0 ||
      limits.max_certificate_message_size > kMaxUint24 ||
      limits.max_certificate_message_size < limits.max_handshake_message_size) {
    return Error(ErrorCode::invalid_config, who,
                 "limits: sizes must be 1..2^24-1 with the certificate bound at least the "
                 "general one, and max_certificates at least 1");
  }
  return ok_result();
}

// check_external_psk: RFC 8446 §4.2.11's identity<1..2^16-1> and a key.
Result<void> check_external_psk(const char* who, const ExternalPsk* psk) {
  if (psk == nullptr || psk->identity.empty() || psk->identity.size() > 0xFFFF ||
      psk->key.empty()) {
    return Error(ErrorCode::invalid_config, who,
                 "an external PSK needs an identity of 1 to 65535 bytes and a key");
  }
  return ok_result();
}

}  // namespace

Result<void> check_client_config(const ClientConfig& config) {
  HS_TRY(check_versions("client config", config.min_version, config.max_version));
  HS_TRY(check_limits("client config", config.limits));
  if (config.cipher_suites.empty() || config.groups.empty() || config.signature_schemes.empty()) {
    return Error(ErrorCode::invalid_config, "client config",
                 "cipher suites, groups and signature schemes must not be empty");
  }
  for (const std::string& p : config.alpn) {
    if (p.empty() || p.size() > 255) {
      return Error(ErrorCode::invalid_config, "client config",
                   "ALPN protocol names must be 1..255 bytes");
    }
  }
  if (config.client_certificate &&
      (config.client_certificate->chain.empty() || !config.client_certificate->key)) {
    return Error(ErrorCode::invalid_config, "client config",
                 "client_certificate needs a chain and its private key");
  }
  if (config.external_psk) {
    HS_TRY(check_external_psk("client config", config.external_psk.get()));
    const crypto::HashAlg hash = detail::hash_of(config.external_psk->hash);
    bool suite_of_its_hash = false;
    for (CipherSuite s : config.cipher_suites) {
      auto info = detail::suite_info(s);
      suite_of_its_hash = suite_of_its_hash || (detail::is_tls13_suite(s) && info->hash == hash);
    }
    if (!suite_of_its_hash || config.max_version != ProtocolVersion::tls1_3) {
      return Error(ErrorCode::invalid_config, "client config",
                   "external_psk needs TLS 1.3 and a TLS 1.3 cipher suite of its hash");
    }
  }
  HS_TRY(check_record_limits(config.record_size_limit, config.key_update_after_records,
                             "client config"));
  return ok_result();
}

Result<void> check_server_config(const ServerConfig& config) {
  if (static_cast<uint16_t>(config.min_version) > static_cast<uint16_t>(config.max_version)) {
    return Error(ErrorCode::invalid_config, "server config", "min_version above max_version");
  }
  for (const auto& psk : config.external_psks) {
    HS_TRY(check_external_psk("server config", psk.get()));
  }
  if (config.certificates.empty()) {
    if (config.external_psks.empty()) {
      return Error(ErrorCode::invalid_config, "server config", "no certificate configured");
    }
    // External PSKs exist only in TLS 1.3 here: a TLS 1.2 client would find nothing to use.
    if (config.min_version != ProtocolVersion::tls1_3) {
      return Error(ErrorCode::invalid_config, "server config",
                   "a server with external PSKs and no certificate must be TLS 1.3 only");
    }
  }
  for (size_t i = 0; i < config.certificates.size(); ++i) {
    const std::vector<uint8_t>& ocsp = config.certificates[i].ocsp_response;
    if (ocsp.empty()) {
      continue;
    }
    // RFC 6066 §8: opaque OCSPResponse<1..2^24-1>. Stapling a failed or garbled response would
    // make a client that checks it (curl --cert-status) refuse the server. The verdict is a
    // function of the bytes alone, and a server checks its config at every connection: the
    // responses that passed on this thread are kept (a few: one per certificate), and the same
    // bytes are not parsed again (a comparison instead of a walk of the whole BasicOCSPResponse
    // per connection).
    thread_local std::vector<std::vector<uint8_t>> passed;
    if (std::ranges::find(passed, ocsp) != passed.end()) {
      continue;
    }
    auto checked =
        ocsp.size() < (1u << 24)
            ? x509::check_ocsp_response(ocsp)
            : Result<void>(Error(ErrorCode::bad_certificate, "OCSP response", "too long"));
    if (!checked.ok()) {
      return Error(ErrorCode::invalid_config, "server config",
                   "certificate " + std::to_string(i) + ": " + checked.error().message());
    }
    if (passed.size() == 8) {
      passed.clear();  // a server's own responses come back at once; stale ones go
    }
    passed.push_back(ocsp);
  }
  HS_TRY(check_limits("server config", config.limits));
  // A server that asks for client certificates must be able to check them: accepting any
  // certificate a client presents would make client authentication meaningless.
  if (config.client_auth != ClientAuth::none && !config.client_verifier) {
    return Error(ErrorCode::invalid_config, "server config",
                 "client_auth request/require needs a client_verifier");
  }
  HS_TRY(check_record_limits(config.record_size_limit, config.key_update_after_records,
                             "server config"));
  return ok_result();
}

}  // namespace detail

}  // namespace hs

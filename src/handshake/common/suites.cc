#include "handshake/common/suites.h"

#include <hs/config.h>

namespace hs::detail {

namespace {

using crypto::AeadAlg;
using crypto::HashAlg;

constexpr SuiteInfo kSuites[] = {
    {CipherSuite::TLS_AES_128_GCM_SHA256, SuiteAuth::any, AeadAlg::aes_128_gcm, HashAlg::sha256,
     ProtocolVersion::tls1_3},
    {CipherSuite::TLS_AES_256_GCM_SHA384, SuiteAuth::any, AeadAlg::aes_256_gcm, HashAlg::sha384,
     ProtocolVersion::tls1_3},
    {CipherSuite::TLS_CHACHA20_POLY1305_SHA256, SuiteAuth::any, AeadAlg::chacha20_poly1305,
     HashAlg::sha256, ProtocolVersion::tls1_3},
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, SuiteAuth::ecdsa, AeadAlg::aes_128_gcm,
     HashAlg::sha256, ProtocolVersion::tls1_2},
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, SuiteAuth::ecdsa, AeadAlg::aes_256_gcm,
     HashAlg::sha384, ProtocolVersion::tls1_2},
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, SuiteAuth::ecdsa,
     AeadAlg::chacha20_poly1305, HashAlg::sha256, ProtocolVersion::tls1_2},
    {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, SuiteAuth::rsa, AeadAlg::aes_128_gcm,
     HashAlg::sha256, ProtocolVersion::tls1_2},
    {CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, SuiteAuth::rsa, AeadAlg::aes_256_gcm,
     HashAlg::sha384, ProtocolVersion::tls1_2},
    {CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, SuiteAuth::rsa,
     AeadAlg::chacha20_poly1305, HashAlg::sha256, ProtocolVersion::tls1_2},
};

bool is_ec(crypto::KeyType type) {
  return type == crypto::KeyType::ec_p256 || type == crypto::KeyType::ec_p384 ||
         type == crypto::KeyType::ec_p521;
}

}  // namespace

std::optional<SuiteInfo> suite_info(CipherSuite suite) {
  for (const SuiteInfo& info : kSuites) {
    if (info.suite == suite) {
      return info;
    }
  }
  return std::nullopt;
}

crypto::HashAlg hash_of(PskHash hash) {
  switch (hash) {
    case PskHash::sha256:
      return crypto::HashAlg::sha256;
    case PskHash::sha384:
      return crypto::HashAlg::sha384;
  }
  return crypto::HashAlg::sha256;
}

bool is_tls12_suite(CipherSuite suite) {
  auto info = suite_info(suite);
  return info && info->version == ProtocolVersion::tls1_2;
}

bool is_tls13_suite(CipherSuite suite) {
  auto info = suite_info(suite);
  return info && info->version == ProtocolVersion::tls1_3;
}

bool is_supported_group(NamedGroup group, ProtocolVersion version) {
  switch (group) {
    case NamedGroup::secp256r1:
    case NamedGroup::secp384r1:
    case NamedGroup::secp521r1:
    case NamedGroup::x25519:
    case NamedGroup::x448:
      return true;
    case NamedGroup::ffdhe2048:
    case NamedGroup::ffdhe3072:
    case NamedGroup::ffdhe4096:
    case NamedGroup::ffdhe6144:
    case NamedGroup::ffdhe8192:
      return version == ProtocolVersion::tls1_3;
    case NamedGroup::X25519MLKEM768:  // needs ML-KEM, which OpenSSL 3.0's libcrypto lacks
      return false;
  }
  return false;
}

bool suite_auth_fits_key(SuiteAuth auth, crypto::KeyType type) {
  switch (auth) {
    // An RSASSA-PSS key authenticates ECDHE_RSA suites: RFC 8446 §4.2.3 lets TLS 1.2 sign
    // with rsa_pss_pss_*, and RFC 4492/8422 ask only for an RSA signing key.
    case SuiteAuth::rsa:
      return type == crypto::KeyType::rsa || type == crypto::KeyType::rsa_pss;
    case SuiteAuth::ecdsa:
      return is_ec(type) || type == crypto::KeyType::ed25519 || type == crypto::KeyType::ed448;
    case SuiteAuth::any:
      return true;
  }
  return false;
}

}  // namespace hs::detail

#include "crypto/signature.h"

namespace hs::crypto {

std::optional<SchemeInfo> scheme_info(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::rsa_pkcs1_sha256:
      return SchemeInfo{SignatureAlgorithm::rsa_pkcs1_sha256, HashAlg::sha256, false, KeyType::rsa};
    case SignatureScheme::rsa_pkcs1_sha384:
      return SchemeInfo{SignatureAlgorithm::rsa_pkcs1_sha384, HashAlg::sha384, false, KeyType::rsa};
    case SignatureScheme::rsa_pkcs1_sha512:
      return SchemeInfo{SignatureAlgorithm::rsa_pkcs1_sha512, HashAlg::sha512, false, KeyType::rsa};
    case SignatureScheme::ecdsa_secp256r1_sha256:
      return SchemeInfo{SignatureAlgorithm::ecdsa_sha256, HashAlg::sha256, true, KeyType::ec_p256};
    case SignatureScheme::ecdsa_secp384r1_sha384:
      return SchemeInfo{SignatureAlgorithm::ecdsa_sha384, HashAlg::sha384, true, KeyType::ec_p384};
    case SignatureScheme::ecdsa_secp521r1_sha512:
      return SchemeInfo{SignatureAlgorithm::ecdsa_sha512, HashAlg::sha512, true, KeyType::ec_p521};
    case SignatureScheme::rsa_pss_rsae_sha256:
      return SchemeInfo{SignatureAlgorithm::rsa_pss_sha256, HashAlg::sha256, true, KeyType::rsa};
    case SignatureScheme::rsa_pss_rsae_sha384:
      return SchemeInfo{SignatureAlgorithm::rsa_pss_sha384, HashAlg::sha384, true, KeyType::rsa};
    case SignatureScheme::rsa_pss_rsae_sha512:
      return SchemeInfo{SignatureAlgorithm::rsa_pss_sha512, HashAlg::sha512, true, KeyType::rsa};
    case SignatureScheme::rsa_pss_pss_sha256:
      return SchemeInfo{SignatureAlgorithm::rsa_pss_sha256, HashAlg::sha256, true,
                        KeyType::rsa_pss};
    case SignatureScheme::rsa_pss_pss_sha384:
      return SchemeInfo{SignatureAlgorithm::rsa_pss_sha384, HashAlg::sha384, true,
                        KeyType::rsa_pss};
    case SignatureScheme::rsa_pss_pss_sha512:
      return SchemeInfo{SignatureAlgorithm::rsa_pss_sha512, HashAlg::sha512, true,
                        KeyType::rsa_pss};
    case SignatureScheme::ed25519:
      return SchemeInfo{SignatureAlgorithm::ed25519, std::nullopt, true, KeyType::ed25519};
    case SignatureScheme::ed448:
      return SchemeInfo{SignatureAlgorithm::ed448, std::nullopt, true, KeyType::ed448};
    // RFC 8446, 4.2.3: SHA-1 schemes "SHOULD NOT" be offered and we do not accept them.
    case SignatureScheme::rsa_pkcs1_sha1:
    case SignatureScheme::ecdsa_sha1:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<SignatureAlgorithm> scheme_algorithm(SignatureScheme scheme) {
  const std::optional<SchemeInfo> info = scheme_info(scheme);
  if (!info) {
    return std::nullopt;
  }
  return info->alg;
}

bool scheme_fits_key(SignatureScheme scheme, KeyType key, ProtocolVersion version) {
  const std::optional<SchemeInfo> info = scheme_info(scheme);
  if (!info) {
    return false;
  }
  const bool tls13 = version == ProtocolVersion::tls1_3;
  if (tls13 && !info->tls13_allowed) {
    return false;
  }
  switch (info->alg) {
    case SignatureAlgorithm::ecdsa_sha256:
    case SignatureAlgorithm::ecdsa_sha384:
    case SignatureAlgorithm::ecdsa_sha512:
      if (tls13) {
        return key == info->key_type;
      }
      return key == KeyType::ec_p256 || key == KeyType::ec_p384 || key == KeyType::ec_p521;
    case SignatureAlgorithm::rsa_pkcs1_sha256:
    case SignatureAlgorithm::rsa_pkcs1_sha384:
    case SignatureAlgorithm::rsa_pkcs1_sha512:
    case SignatureAlgorithm::rsa_pss_sha256:
    case SignatureAlgorithm::rsa_pss_sha384:
    case SignatureAlgorithm::rsa_pss_sha512:
    case SignatureAlgorithm::ed25519:
    case SignatureAlgorithm::ed448:
      return key == info->key_type;
  }
  return false;
}

std::optional<HashAlg> signature_hash(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::rsa_pkcs1_sha256:
    case SignatureAlgorithm::rsa_pss_sha256:
    case SignatureAlgorithm::ecdsa_sha256:
      return HashAlg::sha256;
    case SignatureAlgorithm::rsa_pkcs1_sha384:
    case SignatureAlgorithm::rsa_pss_sha384:
    case SignatureAlgorithm::ecdsa_sha384:
      return HashAlg::sha384;
    case SignatureAlgorithm::rsa_pkcs1_sha512:
    case SignatureAlgorithm::rsa_pss_sha512:
    case SignatureAlgorithm::ecdsa_sha512:
      return HashAlg::sha512;
    case SignatureAlgorithm::ed25519:
    case SignatureAlgorithm::ed448:
      return std::nullopt;
  }
  return std::nullopt;
}

std::vector<SignatureScheme> signable_schemes(std::span<const SignatureScheme> schemes,
                                              const PrivateKey& key) {
  std::vector<SignatureScheme> out;
  for (SignatureScheme s : schemes) {
    if (auto info = scheme_info(s); info && key.can_sign(info->alg)) {
      out.push_back(s);
    }
  }
  return out;
}

}  // namespace hs::crypto

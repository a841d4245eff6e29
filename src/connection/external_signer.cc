// certified_key_with_signer / certified_key_for_offload: a crypto::PrivateKey whose signatures
// an application's Signer (include/hs/signer.h) makes, or the application itself, later.
#include <hs/signer.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "crypto/provider.h"
#include "crypto/signature.h"
#include "x509/certificate.h"

namespace hs {
namespace {

// fits reports whether `scheme` can be signed with a key of `type` in some version: TLS 1.3's
// rule ties ECDSA schemes to their curve, TLS 1.2's does not (crypto::scheme_fits_key).
bool fits(SignatureScheme scheme, crypto::KeyType type) {
  return crypto::scheme_fits_key(scheme, type, ProtocolVersion::tls1_3) ||
         crypto::scheme_fits_key(scheme, type, ProtocolVersion::tls1_2);
}

// ExternalKey is the handshake's view of a Signer: the key type and size come from the leaf's
// SubjectPublicKeyInfo, each signature from the signer. The handshake asks for an algorithm
// (crypto::SignatureAlgorithm); the signer is asked for the scheme of its list that signs with
// it and fits the key. Without a signer the key is offloaded: the handshake asks the
// application through the connection instead of calling sign().
class ExternalKey final : public crypto::PrivateKey {
 public:
  ExternalKey(std::shared_ptr<const Signer> signer, std::vector<SignatureScheme> schemes,
              crypto::KeyType type, size_t bits, std::vector<uint8_t> spki)
      : signer_(std::move(signer)),
        schemes_(std::move(schemes)),
        type_(type),
        bits_(bits),
        spki_(std::move(spki)) {}

  crypto::KeyType type() const override { return type_; }
  size_t bits() const override { return bits_; }
  bool can_sign(crypto::SignatureAlgorithm alg) const override {
    return scheme_for(alg).has_value();
  }
  Result<std::vector<uint8_t>> sign(crypto::SignatureAlgorithm alg,
                                    std::span<const uint8_t> message) const override {
    if (signer_ == nullptr) {
      return Error(ErrorCode::internal_error, "signer",
                   "the key's signatures are offloaded to the application");
    }
    const std::optional<SignatureScheme> scheme = scheme_for(alg);
    if (!scheme) {
      return Error(ErrorCode::internal_error, "signer",
                   "no scheme of the signer for this algorithm");
    }
    auto signature = signer_->sign(*scheme, message);
    if (!signature.ok() || signature->empty()) {
      return Error(ErrorCode::internal_error, "signer", "the signer failed");
    }
    return signature;
  }
  std::vector<uint8_t> public_key_info() const override { return spki_; }
  bool offloaded() const override { return signer_ == nullptr; }

 private:
  std::optional<SignatureScheme> scheme_for(crypto::SignatureAlgorithm alg) const {
    for (SignatureScheme s : schemes_) {
      if (crypto::scheme_algorithm(s) == alg) {
        return s;
      }
    }
    return std::nullopt;
  }

  std::shared_ptr<const Signer> signer_;
  std::vector<SignatureScheme> schemes_;  // the signer's, those that fit the key
  crypto::KeyType type_;
  size_t bits_;
  std::vector<uint8_t> spki_;
};

// external_key makes the CertifiedKey of `chain` with an ExternalKey of `schemes` (those that
// fit the leaf's key) and `signer` (null: offloaded).
Result<CertifiedKey> external_key(std::vector<CertificateDer> chain,
                                  std::shared_ptr<const Signer> signer,
                                  const std::vector<SignatureScheme>& offered) {
  if (chain.empty()) {
    return Error(ErrorCode::invalid_config, "signer",
                 "a certificate chain and a signer are needed");
  }
  auto leaf = x509::parse_certificate(chain.front());
  if (!leaf.ok()) {
    return Error(ErrorCode::invalid_config, "certificate",
                 "the leaf certificate could not be parsed");
  }
  auto key = crypto::default_provider().parse_public_key(leaf->spki_raw);
  if (!key.ok()) {
    return Error(ErrorCode::invalid_config, "certificate",
                 "the leaf certificate's key type is not supported");
  }
  std::vector<SignatureScheme> schemes;
  for (SignatureScheme s : offered) {
    if (fits(s, (*key)->type()) && std::find(schemes.begin(), schemes.end(), s) == schemes.end()) {
      schemes.push_back(s);
    }
  }
  if (schemes.empty()) {
    return Error(ErrorCode::invalid_config, "signer",
                 "none of the signer's schemes fits the certificate's key");
  }
  CertifiedKey out;
  out.key = std::make_shared<ExternalKey>(std::move(signer), std::move(schemes), (*key)->type(),
                                          (*key)->bits(), leaf->spki_raw);
  out.chain = std::move(chain);
  return out;
}

}  // namespace

Result<CertifiedKey> certified_key_with_signer(std::vector<CertificateDer> chain,
                                               std::shared_ptr<const Signer> signer) {
  if (signer == nullptr) {
    return Error(ErrorCode::invalid_config, "signer",
                 "a certificate chain and a signer are needed");
  }
  const std::vector<SignatureScheme> schemes = signer->schemes();
  return external_key(std::move(chain), std::move(signer), schemes);
}

Result<CertifiedKey> certified_key_for_offload(std::vector<CertificateDer> chain,
                                               std::vector<SignatureScheme> schemes) {
  return external_key(std::move(chain), nullptr, schemes);
}

}  // namespace hs

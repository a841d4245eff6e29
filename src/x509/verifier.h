// x509::DefaultVerifier: the CertificateVerifier behind hs::make_default_verifier.
#pragma once

#include <hs/config.h>
#include <hs/x509.h>

#include <memory>
#include <span>
#include <string_view>

#include "x509/trust_store.h"
#include "x509/validate.h"

namespace hs::x509 {

// load_trust_store builds a store as TrustOptions describes (see include/hs/x509.h).
Result<std::shared_ptr<const TrustStore>> load_trust_store(const TrustOptions& options);

// VerifyOutcome is a chain check with its details, for tools that show them (`hs verify`).
struct VerifyOutcome {
  std::vector<Certificate> chain;  // the peer's certificates as parsed, leaf first
  ValidationResult validation;
  std::optional<VerifyFailure> failure;  // chain or host failure; empty when accepted
};

// DefaultVerifier validates a chain against a shared store, then checks the host name.
class DefaultVerifier final : public CertificateVerifier {
 public:
  DefaultVerifier(std::shared_ptr<const TrustStore> store, ValidationOptions options)
      : store_(std::move(store)), options_(options) {}

  // verify implements CertificateVerifier: Error from VerifyFailure::to_error() on refusal; a
  // chain whose certificates do not parse fails with bad_certificate.
  Result<void> verify(std::span<const CertificateDer> chain, std::string_view host) override;

  // verify_detailed does the same checks and returns everything found along the way.
  Result<VerifyOutcome> verify_detailed(std::span<const CertificateDer> chain,
                                        std::string_view host) const;

  const TrustStore& store() const { return *store_; }

 private:
  std::shared_ptr<const TrustStore> store_;
  ValidationOptions options_;
};

// validation_options converts the public TrustOptions.
ValidationOptions validation_options(const TrustOptions& options);

}  // namespace hs::x509

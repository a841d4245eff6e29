// x509::DefaultVerifier: the CertificateVerifier behind hs::make_default_verifier.
#pragma once

#include <hs/config.h>
#include <hs/x509.h>

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>

#include "x509/trust_store.h"
#include "x509/validate.h"

namespace hs::x509 {

// load_trust_store builds a store as TrustOptions describes (see include/hs/x509.h). Without
// `include_directory` only the CA file is loaded (the directory, when one applies, is still
// checked to be listable, so a bad --capath fails here as it would with it).
Result<std::shared_ptr<const TrustStore>> load_trust_store(const TrustOptions& options,
                                                           bool include_directory = true);

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
  // With `full`: `store` holds the CA file's anchors only, and a chain that does not validate
  // against them is validated again against the whole store `full` describes (file and
  // directory), loaded once, on the first such chain. A directory such as /etc/ssl/certs holds
  // hundreds of files, and OpenSSL (curl's CApath) also reads it only when looking an issuer up:
  // loading it for every hs client run that names its CA with --cacert cost more than the
  // handshake.
  DefaultVerifier(std::shared_ptr<const TrustStore> store, ValidationOptions options,
                  TrustOptions full)
      : store_(std::move(store)), options_(options), full_options_(std::move(full)) {}

  // verify implements CertificateVerifier: Error from VerifyFailure::to_error() on refusal; a
  // chain whose certificates do not parse fails with bad_certificate.
  Result<void> verify(std::span<const CertificateDer> chain, std::string_view host) override;

  // verify_detailed does the same checks and returns everything found along the way.
  Result<VerifyOutcome> verify_detailed(std::span<const CertificateDer> chain,
                                        std::string_view host) const;

  const TrustStore& store() const { return *store_; }

 private:
  // full_store loads the whole store on first use (thread-safe); nullptr when it cannot.
  const TrustStore* full_store() const;

  std::shared_ptr<const TrustStore> store_;
  ValidationOptions options_;
  std::optional<TrustOptions> full_options_;
  mutable std::once_flag full_once_;
  mutable std::shared_ptr<const TrustStore> full_;
};

// validation_options converts the public TrustOptions, loading the CRL file when one is named
// (load_crl_file's errors).
Result<ValidationOptions> validation_options(const TrustOptions& options);

}  // namespace hs::x509

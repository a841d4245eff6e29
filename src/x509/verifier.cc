#include "x509/verifier.h"

#include <filesystem>
#include <utility>

namespace hs::x509 {

Result<std::shared_ptr<const TrustStore>> load_trust_store(const TrustOptions& options,
                                                           bool include_directory) {
  auto store = std::make_shared<TrustStore>();
  std::string file = options.ca_file;
  std::string dir = options.ca_path;
  bool file_is_default = false;
  if (options.use_system_default && file.empty()) {
    file = kSystemCaFile;
    file_is_default = true;
  }
  if (options.use_system_default && dir.empty()) {
    dir = kSystemCaPath;
  }
  if (!file.empty()) {
    auto r = store->load_file(file);
    if (!r.ok() && !(file_is_default && !std::filesystem::exists(file))) {
      return std::move(r).error();
    }
  }
  // A CA directory that does not exist contributes nothing, as with curl, whose OpenSSL looks
  // CApath entries up lazily (curl --capath /nonexistent still runs and fails verification).
  if (!dir.empty()) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) {
      if (include_directory) {
        auto r = store->load_directory(dir);
        if (!r.ok()) {
          return std::move(r).error();
        }
      } else if (std::filesystem::directory_iterator(dir, ec); ec) {
        return Error(ErrorCode::invalid_config, "CA path", "cannot list " + dir);
      }
    }
  }
  return std::shared_ptr<const TrustStore>(std::move(store));
}

Result<ValidationOptions> validation_options(const TrustOptions& options) {
  ValidationOptions v;
  v.purpose =
      options.purpose == CertificatePurpose::server ? Purpose::server_auth : Purpose::client_auth;
  v.at_time = options.at_time;
  if (!options.crl_file.empty()) {
    v.crls = std::make_shared<const CrlSet>(HS_TRY(load_crl_file(options.crl_file)));
  }
  return v;
}

Result<VerifyOutcome> DefaultVerifier::verify_detailed(std::span<const CertificateDer> chain,
                                                       std::string_view host) const {
  if (chain.empty()) {
    return Error(ErrorCode::certificate_required, "certificate", "the peer sent no certificate");
  }
  VerifyOutcome out;
  for (const CertificateDer& der : chain) {
    out.chain.push_back(HS_TRY(parse_certificate(der)));
  }
  std::span<const Certificate> rest = std::span<const Certificate>(out.chain).subspan(1);
  out.validation = validate_chain(out.chain.front(), rest, *store_, options_);
  if (out.validation.failure && full_options_) {
    // Not anchored in the CA file: look in the directory as well (see the constructor).
    if (const TrustStore* full = full_store()) {
      out.validation = validate_chain(out.chain.front(), rest, *full, options_);
    }
  }
  if (out.validation.failure) {
    out.failure = out.validation.failure;
    return out;
  }
  // The name is checked after the chain, as curl does (ossl_verifyhost after
  // SSL_get_verify_result), so an untrusted certificate reports its chain problem first.
  if (!host.empty()) {
    out.failure = check_host(out.chain.front(), host);
    out.validation.checks.push_back(
        CheckRecord{0, "host", !out.failure.has_value(), std::string(host)});
  }
  return out;
}

const TrustStore* DefaultVerifier::full_store() const {
  std::call_once(full_once_, [this] {
    auto full = load_trust_store(*full_options_);
    if (full.ok()) {
      full_ = std::move(full).value();
    }
  });
  return full_.get();
}

Result<void> DefaultVerifier::verify(std::span<const CertificateDer> chain, std::string_view host) {
  auto outcome = HS_TRY(verify_detailed(chain, host));
  if (outcome.failure) {
    return outcome.failure->to_error();
  }
  return ok_result();
}

}  // namespace hs::x509

namespace hs {

Result<std::shared_ptr<CertificateVerifier>> make_default_verifier(const TrustOptions& options) {
  const bool has_directory = !options.ca_path.empty() || options.use_system_default;
  auto store = HS_TRY(x509::load_trust_store(options, /*include_directory=*/!has_directory));
  x509::ValidationOptions validation = HS_TRY(x509::validation_options(options));
  if (!has_directory) {
    return std::shared_ptr<CertificateVerifier>(
        std::make_shared<x509::DefaultVerifier>(std::move(store), std::move(validation)));
  }
  return std::shared_ptr<CertificateVerifier>(
      std::make_shared<x509::DefaultVerifier>(std::move(store), std::move(validation), options));
}

}  // namespace hs

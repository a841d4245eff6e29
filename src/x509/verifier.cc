#include "x509/verifier.h"

#include <filesystem>
#include <utility>

namespace hs::x509 {

Result<std::shared_ptr<const TrustStore>> load_trust_store(const TrustOptions& options) {
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
      auto r = store->load_directory(dir);
      if (!r.ok()) {
        return std::move(r).error();
      }
    }
  }
  return std::shared_ptr<const TrustStore>(std::move(store));
}

ValidationOptions validation_options(const TrustOptions& options) {
  ValidationOptions v;
  v.purpose =
      options.purpose == CertificatePurpose::server ? Purpose::server_auth : Purpose::client_auth;
  v.at_time = options.at_time;
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
  auto store = HS_TRY(x509::load_trust_store(options));
  return std::shared_ptr<CertificateVerifier>(
      std::make_shared<x509::DefaultVerifier>(std::move(store), x509::validation_options(options)));
}

}  // namespace hs

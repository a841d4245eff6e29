// x509::TrustStore: the trust anchors, loaded once from PEM files and directories and indexed
// by subject and by subject key identifier.
#pragma once

#include <hs/result.h>

#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "x509/certificate.h"
#include "x509/crl.h"

namespace hs::x509 {

// The system trust as curl on Debian uses it (curl -v prints "CAfile: ..." and "CApath: ...").
inline constexpr const char* kSystemCaFile = "/etc/ssl/certs/ca-certificates.crt";
inline constexpr const char* kSystemCaPath = "/etc/ssl/certs";

// LoadStats counts what one load added: certificates new to the store, duplicates (same DER
// already present) and entries skipped because they did not parse (a broken PEM file in a
// directory, a certificate our parser refuses).
struct LoadStats {
  size_t added = 0;
  size_t duplicates = 0;
  size_t skipped = 0;
};

// TrustStore owns its certificates; pointers it hands out stay valid for its lifetime (adding
// more certificates does not move the existing ones). Not thread-safe while being filled;
// const lookups may run concurrently.
class TrustStore {
 public:
  TrustStore() = default;
  TrustStore(const TrustStore&) = delete;
  TrustStore& operator=(const TrustStore&) = delete;
  TrustStore(TrustStore&&) = default;
  TrustStore& operator=(TrustStore&&) = default;

  // add_der adds one DER certificate. Fails with bad_certificate when it does not parse.
  // Returns true when it was new, false for a duplicate.
  Result<bool> add_der(std::span<const uint8_t> der);
  // add_pem adds every CERTIFICATE block of `text`, skipping (and counting) blocks that do not
  // parse as certificates. Fails with invalid_config when the PEM itself is malformed.
  Result<LoadStats> add_pem(std::string_view text);

  // load_file reads a PEM bundle (curl's --cacert, openssl's -CAfile). Fails with
  // invalid_config when the file cannot be read or is not PEM, or holds no certificate at all.
  Result<LoadStats> load_file(const std::string& path);
  // load_directory reads every regular file (or symlink to one) of `dir` named *.pem, *.crt or
  // like OpenSSL's hashed names (8 hex digits, '.', a decimal number); files that are not PEM
  // certificates are skipped and counted. Fails with invalid_config when `dir` cannot be listed.
  Result<LoadStats> load_directory(const std::string& dir);

  // find_by_subject returns the certificates whose subject DER equals `subject_der`.
  std::vector<const Certificate*> find_by_subject(std::span<const uint8_t> subject_der) const;
  // find_by_key_id returns the certificates whose subjectKeyIdentifier equals `ski`.
  std::vector<const Certificate*> find_by_key_id(std::span<const uint8_t> ski) const;
  // find_anchor returns the store certificate with the same subject and public key as `cert`
  // (the same CA, whatever validity or extensions the copy carries), or nullptr. An exact DER
  // match is preferred.
  const Certificate* find_anchor(const Certificate& cert) const;
  // contains_der is true when a certificate with exactly these DER bytes is in the store.
  bool contains_der(std::span<const uint8_t> der) const;

  size_t size() const { return certs_.size(); }
  const std::vector<std::unique_ptr<Certificate>>& certificates() const { return certs_; }

 private:
  std::vector<std::unique_ptr<Certificate>> certs_;
  std::multimap<Bytes, size_t> by_subject_;
  std::multimap<Bytes, size_t> by_key_id_;
  std::set<Bytes> der_;
};

// load_crl_file reads curl's --crlfile: the "X509 CRL" blocks of a PEM file (load_crls_pem).
// Fails with invalid_config, context "CRL file", when the file cannot be read, holds no CRL or
// one that does not parse.
Result<std::vector<Crl>> load_crl_file(const std::string& path);

}  // namespace hs::x509

// The default certificate verifier: RFC 5280 path validation against a trust store, then the
// server name (RFC 6125), with curl's error wording.
#pragma once

#include <hs/config.h>
#include <hs/export.h>
#include <hs/result.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace hs {

// CertificatePurpose is what the peer's leaf must be good for (its extendedKeyUsage).
enum class CertificatePurpose : uint8_t { server, client };

// TrustOptions says where the trust anchors come from and how chains are checked.
struct TrustOptions {
  // ca_file is a PEM bundle (curl's --cacert); ca_path a directory of PEM files, *.pem, *.crt
  // or OpenSSL hashed names (curl's --capath). Both may be given; their anchors are merged.
  std::string ca_file;
  std::string ca_path;
  // use_system_default fills whichever of ca_file / ca_path is empty with the system's
  // (/etc/ssl/certs/ca-certificates.crt and /etc/ssl/certs, as curl on Debian), so that
  // --cacert alone still keeps the default CApath, as curl does.
  bool use_system_default = true;
  CertificatePurpose purpose = CertificatePurpose::server;
  // at_time checks validity at this Unix time instead of now.
  std::optional<int64_t> at_time;
  // crl_file is a PEM file of CRLs (curl's --crlfile). When set, every certificate of the path,
  // the trust anchor included, must have a current CRL from its issuer that verifies and does
  // not list it, as OpenSSL checks under the flags curl sets (X509_V_FLAG_CRL_CHECK |
  // X509_V_FLAG_CRL_CHECK_ALL); refusals read "SSL certificate problem: certificate revoked",
  // "... unable to get certificate CRL", "... CRL has expired", ...
  std::string crl_file;
};

// make_default_verifier loads the trust anchors once and returns a verifier that checks the
// peer's chain (leaf first; the rest in any order) and then, when `host` is not empty, the
// leaf's subjectAltName against it. Refusals are Errors whose detail is curl's text
// ("SSL certificate problem: certificate has expired", "SSL: no alternative certificate subject
// name matches target host name 'example.com'") and whose note() names the failing certificate
// ("depth 0: CN=example.com"); codes: certificate_expired, unknown_ca, bad_certificate,
// unsupported_certificate, certificate_unknown or certificate_revoked (see
// src/x509/verify_error.h).
// Fails with invalid_config when an explicitly named ca_file cannot be read or holds no
// certificate (curl's exit 77, "error setting certificate file"), and with invalid_config,
// context "CRL file", when crl_file cannot be read, holds no CRL or one that does not parse
// (curl's exit 82, "error loading CRL file"). A ca_path that does not exist,
// and a system default that is missing, contribute nothing (curl carries on and then fails
// verification); unreadable or non-certificate files inside ca_path are skipped.
HS_API Result<std::shared_ptr<CertificateVerifier>> make_default_verifier(
    const TrustOptions& options);

}  // namespace hs

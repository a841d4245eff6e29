#include "handshake/common/server_chain.h"

#include <hs/session.h>

#include <utility>

#include "handshake/common/peer_leaf.h"
#include "x509/certificate.h"
#include "x509/ocsp_verify.h"

namespace hs::detail {

Result<ServerKey> accept_server_chain(HandshakeContext& ctx, const ClientConfig& config,
                                      const std::string& host, std::vector<CertificateDer> chain,
                                      std::optional<SuiteAuth> suite_auth) {
  auto leaf = parse_peer_leaf(chain.front(), "server");
  if (!leaf.ok()) {
    return std::move(leaf).error();
  }
  // RFC 5246 §7.4.2: "The end entity certificate's public key (and associated restrictions)
  // MUST be compatible with the selected key exchange algorithm."
  if (suite_auth && !suite_auth_fits_key(*suite_auth, *leaf->key_type)) {
    return Error(ErrorCode::unsupported_certificate, "certificate",
                 "the server's certificate key does not fit the chosen cipher suite");
  }
  auto key = ctx.provider().parse_public_key(leaf->spki_raw);
  if (!key.ok()) {
    return Error(ErrorCode::bad_certificate, "certificate",
                 "the server's public key could not be parsed");
  }
  SessionInfo& info = ctx.info();
  info.peer_chain = std::move(chain);
  if (config.dangerous_skip_verification) {
    ctx.note("certificate verification skipped (--insecure)");
  } else if (config.verifier) {
    // Verification fails early, at the Certificate message, before any key exchange (as curl
    // with OpenSSL reports it).
    HS_TRY(config.verifier->verify(info.peer_chain, host));
    info.peer_verified = true;
    if (ctx.wants_notes()) {
      ctx.note("certificate chain verified for " + host);
    }
  } else {
    return Error(ErrorCode::verification_disabled_refusal, "certificate",
                 "certificate chain validation is not available yet; use -k/--insecure to "
                 "connect without verifying");
  }
  return ServerKey{std::move(key).value(), *leaf->key_type};
}

Result<void> check_stapled_status(HandshakeContext& ctx, const ClientConfig& config,
                                  std::vector<uint8_t> response) {
  if (config.ocsp_stapling == ClientConfig::OcspStapling::off) {
    return ok_result();
  }
  SessionInfo& info = ctx.info();
  info.ocsp_response = std::move(response);
  if (info.ocsp_response.empty()) {
    if (config.ocsp_stapling == ClientConfig::OcspStapling::require) {
      return Error(ErrorCode::bad_certificate_status, "OCSP", "No OCSP response received");
    }
    // RFC 7633 §4.2.3.1: a client that offered status_request treats a certificate whose TLS
    // feature extension lists status_request as invalid when the server does not staple
    // (OCSP must-staple; Firefox's MOZILLA_PKIX_ERROR_REQUIRED_TLS_FEATURE_MISSING).
    if (auto leaf = x509::parse_certificate(info.peer_chain.front());
        leaf.ok() && leaf->requires_stapled_ocsp()) {
      return Error(ErrorCode::bad_certificate_status, "OCSP",
                   "No OCSP response received, and the certificate requires one (TLS feature "
                   "status_request, RFC 7633)");
    }
    ctx.note("no OCSP response stapled");
    return ok_result();
  }
  const int64_t now = static_cast<int64_t>(session_now_ms() / 1000);
  auto single =
      HS_TRY(x509::verify_stapled_ocsp(ctx.provider(), info.peer_chain, info.ocsp_response, now));
  if (ctx.wants_notes()) {
    ctx.note("stapled OCSP response verified: " +
             std::string(x509::ocsp_status_name(single.status)));
  }
  return ok_result();
}

}  // namespace hs::detail

// The client's side of the server's Certificate message, the same in TLS 1.2 and 1.3: the leaf's
// public key, and the chain checked by the application's verifier.
#pragma once

#include <hs/config.h>
#include <hs/result.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/provider.h"
#include "handshake/common/driver.h"
#include "handshake/common/suites.h"

namespace hs::detail {

// ServerKey is the leaf certificate's public key, the one the server's handshake signature
// (TLS 1.2 ServerKeyExchange, TLS 1.3 CertificateVerify) is checked with.
struct ServerKey {
  std::unique_ptr<crypto::PublicKey> key;
  crypto::KeyType type{};
};

// accept_server_chain takes the server's chain (leaf first, not empty): it parses the leaf and
// its key, records the chain in SessionInfo::peer_chain, and has `config`'s verifier check it
// for `host` (unless verification is switched off). `suite_auth` (TLS 1.2) is what the chosen
// suite needs of the key (RFC 5246 §7.4.2); TLS 1.3 passes nullopt. bad_certificate when the
// leaf or its key cannot be parsed, unsupported_certificate for a key type we do not know or
// one that does not fit the suite, the verifier's error, or verification_disabled_refusal
// without a verifier.
Result<ServerKey> accept_server_chain(HandshakeContext& ctx, const ClientConfig& config,
                                      const std::string& host, std::vector<CertificateDer> chain,
                                      std::optional<SuiteAuth> suite_auth);

// check_stapled_status applies ClientConfig::ocsp_stapling once the server's chain is in
// SessionInfo::peer_chain: it records `response` (the DER OCSPResponse the server stapled for
// its leaf; empty when none) in SessionInfo::ocsp_response and, when there is one, verifies it
// against that chain at session_now_ms() (x509::verify_stapled_ocsp: certificate_revoked or
// bad_certificate_status with curl's words). With OcspStapling::require a missing response is
// bad_certificate_status "No OCSP response received"; with `request` too when the leaf is OCSP
// must-staple (RFC 7633). Nothing to do when ocsp_stapling is off.
Result<void> check_stapled_status(HandshakeContext& ctx, const ClientConfig& config,
                                  std::vector<uint8_t> response);

}  // namespace hs::detail

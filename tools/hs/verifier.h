// The certificate verifier `hs client` installs when verification is on.
#pragma once

#include <hs/config.h>

#include <memory>
#include <string>

namespace hs::tool {

// make_verifier returns the chain verifier for `cafile` (curl's --cacert; empty means the
// system bundle /etc/ssl/certs/ca-certificates.crt), or nullptr while the library has no X.509
// path validation. With a null verifier the connection refuses to finish the handshake
// (verification_disabled_refusal), which `hs client` reports as curl's exit 60.
std::shared_ptr<CertificateVerifier> make_verifier(const std::string& cafile);

}  // namespace hs::tool

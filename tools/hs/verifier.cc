// hs client's verifier: the library's default one over curl's CA options.
#include "verifier.h"

#include <hs/x509.h>

#include <string_view>

#include "x509/trust_store.h"

namespace hs::tool {

namespace {

// crl_file_error is curl 7.88's words (lib/vtls/openssl.c: failf(data, "error loading CRL file:
// %s", ssl_crlfile)), its exit 82.
Error crl_file_error(const std::string& crlfile) {
  return Error(ErrorCode::invalid_config, "CRL file", "error loading CRL file: " + crlfile);
}

}  // namespace

Result<void> check_crl_file(const std::string& crlfile) {
  if (!x509::load_crl_file(crlfile).ok()) {
    return crl_file_error(crlfile);
  }
  return ok_result();
}

Result<std::shared_ptr<CertificateVerifier>> make_verifier(const std::string& cafile,
                                                           const std::string& capath,
                                                           const std::string& crlfile) {
  TrustOptions options;
  options.ca_file = cafile;
  options.ca_path = capath;
  options.use_system_default = true;
  options.crl_file = crlfile;
  auto verifier = make_default_verifier(options);
  if (!verifier.ok() && std::string_view(verifier.error().context()) == "CRL file") {
    return crl_file_error(crlfile);
  }
  if (!verifier.ok()) {
    // curl 7.88 lib/vtls/openssl.c words a CA file it cannot load "error setting certificate
    // file: %s" and a CA directory "error setting certificate path: %s".
    bool is_path = std::string_view(verifier.error().context()) == "CA path";
    return Error(ErrorCode::invalid_config, "CA",
                 is_path ? "error setting certificate path: " +
                               (capath.empty() ? std::string(x509::kSystemCaPath) : capath)
                         : "error setting certificate file: " +
                               (cafile.empty() ? std::string(x509::kSystemCaFile) : cafile));
  }
  return verifier;
}

}  // namespace hs::tool

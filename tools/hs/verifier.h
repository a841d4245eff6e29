// The certificate verifier `hs client` installs when verification is on.
#pragma once

#include <hs/config.h>
#include <hs/result.h>

#include <memory>
#include <string>

namespace hs::tool {

// make_verifier returns hs::make_default_verifier for curl's --cacert FILE and --capath DIR; an
// empty one means the system default (/etc/ssl/certs/ca-certificates.crt, /etc/ssl/certs), so
// --cacert alone keeps the default CApath as curl does. Fails (curl's exit 77) with curl's
// "error setting certificate file: F" (or "... path: D") when a named file or directory cannot
// be read. A non-empty `crlfile` (curl's --crlfile) turns on revocation checking of the whole
// path; a file that cannot be read or holds no CRL fails with context "CRL file" and curl's
// "error loading CRL file: F" (curl's exit 82).
Result<std::shared_ptr<CertificateVerifier>> make_verifier(const std::string& cafile,
                                                           const std::string& capath = {},
                                                           const std::string& crlfile = {});

// check_crl_file loads `crlfile` only, failing as make_verifier does (curl loads --crlfile, and
// fails on a bad one, also with -k, when no verifier is made).
Result<void> check_crl_file(const std::string& crlfile);

}  // namespace hs::tool

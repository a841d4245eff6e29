#include "support/pki.h"

#include <stdexcept>
#include <string>

#include "support/paths.h"
#include "support/process.h"

namespace hs::test {

TestPki make_test_pki(const TempDir& dir, std::string_view host) {
  TestPki pki;
  pki.dir = dir / "pki";
  std::filesystem::path script = source_dir() / "scripts" / "make-test-pki.sh";
  CommandResult r =
      run_command({"bash", script.string(), pki.dir.string(), std::string(host)}, 60s);
  if (r.exit_code != 0) {
    throw std::runtime_error("make_test_pki failed:\n" + r.output());
  }
  auto file = [&](const char* name) { return pki.dir / name; };
  pki.ca_cert = file("ca.pem");
  pki.ca_key = file("ca.key");
  pki.rsa_cert = file("rsa.pem");
  pki.rsa_key = file("rsa.key");
  pki.ecdsa_cert = file("ecdsa.pem");
  pki.ecdsa_key = file("ecdsa.key");
  pki.intermediate_cert = file("intermediate.pem");
  pki.intermediate_key = file("intermediate.key");
  pki.chain_leaf_cert = file("chain-leaf.pem");
  pki.chain_leaf_key = file("chain-leaf.key");
  pki.chain = file("chain.pem");
  pki.client_cert = file("client.pem");
  pki.client_key = file("client.key");
  return pki;
}

}  // namespace hs::test

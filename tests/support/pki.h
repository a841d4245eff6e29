// The throwaway test PKI (scripts/make-test-pki.sh) for interop tests.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "support/temp_dir.h"

namespace hs::test {

// TestPki names the files make_test_pki writes; see scripts/make-test-pki.sh for their exact
// properties. Every server leaf has SAN DNS:<host>, IP:127.0.0.1, IP:::1, EKU serverAuth and
// KU digitalSignature. Keys are unencrypted PKCS#8 PEM.
struct TestPki {
  std::filesystem::path dir;
  std::filesystem::path ca_cert;  // root CA, RSA-2048, self-signed
  std::filesystem::path ca_key;
  std::filesystem::path rsa_cert;  // leaf, RSA-2048, issued by the root
  std::filesystem::path rsa_key;
  std::filesystem::path ecdsa_cert;  // leaf, ECDSA P-256, issued by the root
  std::filesystem::path ecdsa_key;
  std::filesystem::path intermediate_cert;  // intermediate CA, ECDSA P-256, pathlen:0
  std::filesystem::path intermediate_key;
  std::filesystem::path chain_leaf_cert;  // leaf, RSA-2048, issued by the intermediate
  std::filesystem::path chain_leaf_key;
  std::filesystem::path chain;        // chain_leaf_cert then intermediate_cert, PEM
  std::filesystem::path client_cert;  // client leaf, ECDSA P-256, EKU clientAuth
  std::filesystem::path client_key;
  std::filesystem::path client_rsa_cert;  // client leaf, RSA-2048, EKU clientAuth, by the root
  std::filesystem::path client_rsa_key;
  std::filesystem::path other_ca_cert;          // a second root, ECDSA P-256, trusted by nothing
  std::filesystem::path untrusted_client_cert;  // client leaf issued by other_ca (EKU clientAuth)
  std::filesystem::path untrusted_client_key;
  std::filesystem::path ed25519_cert;  // leaf, Ed25519, issued by the root
  std::filesystem::path ed25519_key;
  std::filesystem::path ed448_cert;  // leaf, Ed448, issued by the root
  std::filesystem::path ed448_key;
  std::filesystem::path rsa_pss_cert;  // leaf, RSA-2048 id-RSASSA-PSS key, issued by the root
  std::filesystem::path rsa_pss_key;
};

// make_test_pki creates a fresh PKI for `host` in dir/pki by running scripts/make-test-pki.sh
// (the openssl CLI) and returns the file names. Throws std::runtime_error carrying the script's
// output when generation fails, which fails the calling test. Takes about a second.
TestPki make_test_pki(const TempDir& dir, std::string_view host = "localhost");

// shared_build_dir returns build_dir()/name, filled by `make` (given an empty directory to
// write into) once per build directory and reused by later tests and runs for as long as
// `recipe` is the same: a text that changes whenever what `make` writes would (its script's
// contents, its parameters). Parallel test processes serialise on a lock file, and the directory
// appears atomically. Throws what `make` throws.
std::filesystem::path shared_build_dir(
    const std::string& name, const std::string& recipe,
    const std::function<void(const std::filesystem::path&)>& make);

// shared_test_pki returns a localhost PKI made once per build directory (build_dir()/test-pki)
// and reused by later tests and runs (shared_build_dir), which saves the seconds RSA key
// generation takes in every test. It is remade when scripts/make-test-pki.sh changes. Treat the
// files as read-only; a test that needs to change or corrupt them uses make_test_pki. Throws
// like make_test_pki.
const TestPki& shared_test_pki();

// public_key_pin returns curl's --pinnedpubkey hash form of `cert`'s public key,
// "sha256//<base64 of SHA-256(SubjectPublicKeyInfo DER)>", computed with the openssl CLI (files
// in `dir`), so that the tools' own hashing is checked against it. Throws std::runtime_error
// with the command's output when a step fails.
std::string public_key_pin(const std::filesystem::path& cert, const std::filesystem::path& dir);

// make_crl writes `out`, a PEM CRL issued by `ca_cert` with `ca_key` (`openssl ca -gencrl`, v2
// with a cRLNumber, SHA-256), listing each of `revoked` with reason keyCompromise. `validity`
// are openssl ca's options for the times ("-crldays", "30" by default; "-crl_lastupdate",
// "-crl_nextupdate" for a stale one). The CA database lives next to `out` (out + ".db/").
// Throws std::runtime_error with the command's output when a step fails.
void make_crl(const std::filesystem::path& ca_cert, const std::filesystem::path& ca_key,
              const std::vector<std::filesystem::path>& revoked, const std::filesystem::path& out,
              const std::vector<std::string>& validity = {"-crldays", "30"});

}  // namespace hs::test

// Client and server configuration. Defaults are the safe ones: TLS 1.2 and 1.3, AEAD suites
// only, forward secrecy only, the extended master secret required, peer verification on.
#pragma once

#include <hs/keylog.h>
#include <hs/result.h>
#include <hs/wire.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hs::crypto {
class Provider;
class PrivateKey;
}  // namespace hs::crypto

namespace hs {

using CertificateDer = std::vector<uint8_t>;

// default_cipher_suites is the order we offer and prefer: TLS 1.3 suites, then ECDHE with
// AES-GCM and ChaCha20-Poly1305, ECDSA before RSA.
std::vector<CipherSuite> default_cipher_suites();
std::vector<NamedGroup> default_groups();  // x25519, secp256r1, secp384r1
std::vector<SignatureScheme> default_signature_schemes();

// CertificateVerifier decides whether the peer's chain (leaf first, DER) is acceptable for
// `host` (empty for a client certificate). It returns an Error whose detail reads like curl's
// ("SSL certificate problem: certificate has expired") on rejection.
class CertificateVerifier {
 public:
  virtual ~CertificateVerifier() = default;
  virtual Result<void> verify(std::span<const CertificateDer> chain, std::string_view host) = 0;
};

struct ClientConfig {
  ProtocolVersion min_version = ProtocolVersion::tls1_2;
  ProtocolVersion max_version = ProtocolVersion::tls1_3;
  std::vector<CipherSuite> cipher_suites = default_cipher_suites();
  std::vector<NamedGroup> groups = default_groups();
  std::vector<SignatureScheme> signature_schemes = default_signature_schemes();
  // alpn lists the protocols offered, most preferred first ("h2", "http/1.1").
  std::vector<std::string> alpn;
  // verifier checks the server's chain and name. When it is null and verification has not been
  // switched off, the handshake refuses to finish (verification_disabled_refusal) rather than
  // trust silently.
  std::shared_ptr<CertificateVerifier> verifier;
  // dangerous_skip_verification accepts any server certificate (curl's -k/--insecure). The
  // ServerKeyExchange/CertificateVerify signature is still checked against the leaf key.
  bool dangerous_skip_verification = false;
  // send_sni controls the server_name extension (never sent for IP literals).
  bool send_sni = true;
  std::shared_ptr<KeyLogSink> key_log;
  // provider overrides the crypto provider (tests use a deterministic one); null = libcrypto.
  const crypto::Provider* provider = nullptr;
};

// ServerCertificate is one chain (leaf first) with its private key.
struct ServerCertificate {
  std::vector<CertificateDer> chain;
  std::shared_ptr<const crypto::PrivateKey> key;
};

// load_server_certificate parses PEM text: every CERTIFICATE block of `chain_pem`, leaf first,
// and the private key of `key_pem` (PKCS#8, RSA or EC; encrypted keys are refused). It checks
// that the key matches the leaf's public key.
Result<ServerCertificate> load_server_certificate(std::string_view chain_pem,
                                                  std::string_view key_pem,
                                                  const crypto::Provider* provider = nullptr);

struct ServerConfig {
  ProtocolVersion min_version = ProtocolVersion::tls1_2;
  ProtocolVersion max_version = ProtocolVersion::tls1_3;
  // cipher_suites in server preference order.
  std::vector<CipherSuite> cipher_suites = default_cipher_suites();
  // prefer_client_order selects by the client's order instead of ours.
  bool prefer_client_order = false;
  std::vector<NamedGroup> groups = default_groups();
  std::vector<SignatureScheme> signature_schemes = default_signature_schemes();
  // certificates: one or more chains (RSA and ECDSA side by side); the server picks per client
  // by SNI (against the leaf's names) and by what the client can verify.
  std::vector<ServerCertificate> certificates;
  // alpn: the protocols we speak, in our preference order. A client that offers ALPN with no
  // overlap gets no_application_protocol (RFC 7301 §3.2).
  std::vector<std::string> alpn;
  // require_extended_master_secret refuses TLS 1.2 clients without RFC 7627.
  bool require_extended_master_secret = true;
  std::shared_ptr<KeyLogSink> key_log;
  const crypto::Provider* provider = nullptr;
};

}  // namespace hs

// Signer: a private key that stays outside the library (an HSM through PKCS #11, a remote
// signing service, "keyless" TLS): the handshake asks it for its one signature per connection
// (TLS 1.3 CertificateVerify, TLS 1.2 ServerKeyExchange, a client's CertificateVerify) and never
// sees the key, as BoringSSL's SSL_PRIVATE_KEY_METHOD and rustls' SigningKey allow.
//
// A Signer answers at once, on the thread driving the connection. A key that answers later (a
// signing service over the network, a smart card, an event loop that must not block) uses
// certified_key_for_offload instead: the handshake stops at its signature and the application
// supplies it (Connection::signature_request / provide_signature), as BoringSSL's
// ssl_private_key_retry and s2n-tls's async private-key callbacks allow.
#pragma once

#include <hs/config.h>
#include <hs/export.h>
#include <hs/result.h>
#include <hs/wire.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace hs {

class HS_API Signer {
 public:
  virtual ~Signer() = default;
  // schemes lists the signature schemes the key can produce (RFC 8446 §4.2.3 code points), in
  // preference order: {ecdsa_secp256r1_sha256} for a P-256 key, the rsa_pss_rsae_* (and, for
  // TLS 1.2 peers, rsa_pkcs1_*) ones for an RSA key, {ed25519}. Schemes that do not fit the
  // certificate's key are ignored.
  virtual std::vector<SignatureScheme> schemes() const = 0;
  // sign returns the signature of `message` (the whole content to be signed: the signer hashes
  // it, as the scheme says) under `scheme`, one of schemes(), in the TLS wire form (DER
  // ECDSA-Sig-Value for ECDSA). In TLS 1.2 an ECDSA scheme names only the hash (RFC 5246): a
  // P-384 key may be asked for ecdsa_secp256r1_sha256, meaning ECDSA with SHA-256. It is called
  // from inside Connection::receive(), on the thread driving the connection, and must be safe
  // to call from several connections' threads at once. An Error fails the handshake with
  // internal_error (its text is not sent).
  virtual Result<std::vector<uint8_t>> sign(SignatureScheme scheme,
                                            std::span<const uint8_t> message) const = 0;
};

// certified_key_with_signer makes the CertifiedKey of `chain` (DER, leaf first) whose
// signatures `signer` makes, for ServerConfig::certificates or ClientConfig's client
// certificate. invalid_config when the chain is empty, the leaf does not parse or has a key type
// we do not support, or none of signer->schemes() fits its key. That the signer holds the key
// of the leaf cannot be checked here; a peer refuses a wrong signature (decrypt_error).
HS_API Result<CertifiedKey> certified_key_with_signer(std::vector<CertificateDer> chain,
                                                      std::shared_ptr<const Signer> signer);

// certified_key_for_offload makes the CertifiedKey of `chain` (DER, leaf first) whose signatures
// the application makes itself, asynchronously, for ServerConfig::certificates or
// ClientConfig::client_certificate: when a handshake reaches the signature (a server's TLS 1.3
// CertificateVerify or TLS 1.2 ServerKeyExchange, a client's CertificateVerify, also in answer to
// a TLS 1.3 post-handshake CertificateRequest) it sends what comes before it, stops, and
// Connection::signature_request() says what to sign; the application signs (as Signer::sign
// describes: `scheme`, the whole message, the TLS wire form) and calls
// Connection::provide_signature(), which sends the rest of the flight. `schemes` are the schemes
// the key can produce, as Signer::schemes(). invalid_config as certified_key_with_signer. The
// blocking hs::Stream and hs::asio::stream cannot wait for it: their handshake (or read) fails
// with internal_error.
HS_API Result<CertifiedKey> certified_key_for_offload(std::vector<CertificateDer> chain,
                                                      std::vector<SignatureScheme> schemes);

}  // namespace hs

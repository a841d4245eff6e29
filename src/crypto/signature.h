// TLS SignatureScheme -> SignatureAlgorithm, hash and key type (RFC 8446 §4.2.3, RFC 5246
// §7.4.1.4.1 as updated by RFC 8446 §1.3).
#pragma once

#include <hs/wire.h>

#include <optional>
#include <span>
#include <vector>

#include "crypto/provider.h"

namespace hs::crypto {

// SchemeInfo describes one signature scheme we implement.
struct SchemeInfo {
  SignatureAlgorithm alg;
  // hash is the digest the signature uses; nullopt for Ed25519 (PureEdDSA).
  std::optional<HashAlg> hash;
  // tls13_allowed: usable in TLS 1.3 CertificateVerify. RFC 8446, 4.2.3: the rsa_pkcs1_*
  // values "refer solely to signatures which appear in certificates ... and are not defined
  // for use in signed TLS handshake messages".
  bool tls13_allowed;
  // key_type: the key the scheme needs. For ECDSA this is the curve TLS 1.3 requires; TLS 1.2
  // accepts any of our curves (see scheme_fits_key).
  KeyType key_type;
};

// scheme_info returns the description of `scheme`, or nullopt for schemes we refuse (SHA-1,
// Ed448) and unknown code points.
std::optional<SchemeInfo> scheme_info(SignatureScheme scheme);

// scheme_algorithm returns the algorithm `scheme` signs with (scheme_info's), or nullopt where
// scheme_info has none. The one map from TLS code points to provider algorithms, for both
// versions: rsa_pss_pss_* sign as rsa_pss_rsae_* do, with an RSASSA-PSS key (RFC 8446 §4.2.3).
std::optional<SignatureAlgorithm> scheme_algorithm(SignatureScheme scheme);

// scheme_fits_key reports whether a key of type `key` may sign with `scheme` under `version`:
// - ECDSA: RFC 8446, 4.2.3 ties the curve to the scheme in TLS 1.3 ("ecdsa_secp256r1_sha256"
//   means P-256 with SHA-256); TLS 1.2 schemes name only the hash, so any supported curve fits.
// - rsa_pss_rsae_*: an rsaEncryption key; rsa_pss_pss_*: an RSASSA-PSS key.
// - rsa_pkcs1_*: an RSA key, and only in TLS 1.2.
// Unknown and refused schemes never fit.
bool scheme_fits_key(SignatureScheme scheme, KeyType key, ProtocolVersion version);

// signable_schemes returns the schemes of `schemes`, in their order, that `key` can sign with:
// scheme_info knows them and key.can_sign(their algorithm). Handshakes choose their own
// signature's scheme from this list, so a key that cannot sign any scheme the peer offers (an
// RSASSA-PSS key restricted to another hash) fails as "no signature scheme in common"
// (handshake_failure: RFC 8446 §4.4.2.3, RFC 5246 §7.4.1.4.1) instead of in the signing call
// (internal_error).
std::vector<SignatureScheme> signable_schemes(std::span<const SignatureScheme> schemes,
                                              const PrivateKey& key);

// signature_hash returns the digest `alg` uses, or nullopt for Ed25519.
std::optional<HashAlg> signature_hash(SignatureAlgorithm alg);

}  // namespace hs::crypto

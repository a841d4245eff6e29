// Cipher suite, group, signature scheme and version facts shared by the client and server state
// machines: which key exchange authentication a suite needs, its AEAD and PRF hash, which groups
// we run (EC)DHE over, and which key types a signature scheme can be verified with.
#pragma once

#include <hs/wire.h>

#include <optional>
#include <span>

#include "crypto/provider.h"

namespace hs {
enum class PskHash : uint8_t;  // hs/config.h
}  // namespace hs

namespace hs::detail {

// SuiteAuth is the server authentication a suite requires: the key type of the server's
// certificate for TLS 1.2 ECDHE suites, `any` for TLS 1.3 suites (the signature scheme decides).
enum class SuiteAuth : uint8_t { rsa, ecdsa, any };

// SuiteInfo describes one cipher suite we implement.
struct SuiteInfo {
  CipherSuite suite;
  SuiteAuth auth;
  crypto::AeadAlg aead;
  crypto::HashAlg hash;  // PRF hash (TLS 1.2) or HKDF hash (TLS 1.3)
  ProtocolVersion version;
};

// suite_info returns the facts for `suite`, or nullopt for a suite we do not implement
// (including TLS_EMPTY_RENEGOTIATION_INFO_SCSV and GREASE).
std::optional<SuiteInfo> suite_info(CipherSuite suite);

// hash_of is the HKDF hash of an external PSK (RFC 8446 §4.2.11: "the Hash algorithm MUST be
// set when the PSK is established"); the handshake takes a TLS 1.3 suite of that hash.
crypto::HashAlg hash_of(PskHash hash);

// is_tls12_suite / is_tls13_suite: suites we implement for that version.
bool is_tls12_suite(CipherSuite suite);
bool is_tls13_suite(CipherSuite suite);

// is_supported_group: the groups we run (EC)DHE over in `version`. TLS 1.2 (RFC 8422 §5.1.1)
// and TLS 1.3 (RFC 8446 §4.2.7): X25519, X448 and the NIST curves P-256, P-384, P-521; TLS 1.3
// also the RFC 7919 FFDHE groups, which TLS 1.2 would use only with DHE suites (RFC 7919 §3),
// which we do not have.
bool is_supported_group(NamedGroup group, ProtocolVersion version);

// contains reports whether `list` holds `value`.
template <typename T>
bool contains(std::span<const T> list, T value) {
  for (const T& v : list) {
    if (v == value) {
      return true;
    }
  }
  return false;
}

// suite_auth_fits_key reports whether a leaf key of `type` can authenticate a suite with `auth`
// (RFC 8422 §5.3: ECDHE_ECDSA needs an ECDSA-capable certificate, ECDHE_RSA an RSA one).
bool suite_auth_fits_key(SuiteAuth auth, crypto::KeyType type);

}  // namespace hs::detail

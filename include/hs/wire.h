// Wire values that appear in the public API: versions, cipher suites, groups, signature schemes.
// Unknown values (GREASE, new code points) are representable: the enums are open.
#pragma once

#include <hs/export.h>

#include <cstdint>
#include <string_view>

namespace hs {

enum class ProtocolVersion : uint16_t {
  tls1_0 = 0x0301,  // only as a legacy record version on the wire, never negotiated
  tls1_2 = 0x0303,
  tls1_3 = 0x0304,
};

// CipherSuite: the AEAD suites we implement (RFC 5288, RFC 5289, RFC 7905, RFC 8446 §B.4).
enum class CipherSuite : uint16_t {
  TLS_AES_128_GCM_SHA256 = 0x1301,
  TLS_AES_256_GCM_SHA384 = 0x1302,
  TLS_CHACHA20_POLY1305_SHA256 = 0x1303,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xC02B,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xC02C,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xC02F,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xC030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA8,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA9,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00FF,  // RFC 5746 §3.3, signalling only
  TLS_FALLBACK_SCSV = 0x5600,                  // RFC 7507 §2, signalling only
};

// NamedGroup: RFC 8446 §4.2.7 / RFC 8422 §5.1.1.
enum class NamedGroup : uint16_t {
  secp256r1 = 0x0017,
  secp384r1 = 0x0018,
  secp521r1 = 0x0019,
  x25519 = 0x001D,
  x448 = 0x001E,
  ffdhe2048 = 0x0100,  // RFC 7919 §A: TLS 1.3 key shares only (TLS 1.2 would need DHE suites)
  ffdhe3072 = 0x0101,
  ffdhe4096 = 0x0102,
  ffdhe6144 = 0x0103,
  ffdhe8192 = 0x0104,
  X25519MLKEM768 = 0x11EC,
};

// SignatureScheme: RFC 8446 §4.2.3.
enum class SignatureScheme : uint16_t {
  rsa_pkcs1_sha1 = 0x0201,  // recognised to be refused
  ecdsa_sha1 = 0x0203,      // recognised to be refused
  rsa_pkcs1_sha256 = 0x0401,
  rsa_pkcs1_sha384 = 0x0501,
  rsa_pkcs1_sha512 = 0x0601,
  ecdsa_secp256r1_sha256 = 0x0403,
  ecdsa_secp384r1_sha384 = 0x0503,
  ecdsa_secp521r1_sha512 = 0x0603,
  rsa_pss_rsae_sha256 = 0x0804,
  rsa_pss_rsae_sha384 = 0x0805,
  rsa_pss_rsae_sha512 = 0x0806,
  ed25519 = 0x0807,
  ed448 = 0x0808,
  rsa_pss_pss_sha256 = 0x0809,
  rsa_pss_pss_sha384 = 0x080A,
  rsa_pss_pss_sha512 = 0x080B,
};

// Names as IANA spells them ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "x25519",
// "rsa_pss_rsae_sha256"); unknown values render as "0x1234" via the *_name_or_hex helpers in
// trace/. Return "" for values not in the enum.
HS_API std::string_view version_name(ProtocolVersion v);    // "TLSv1.2"
HS_API std::string_view suite_name(CipherSuite s);          // IANA name
HS_API std::string_view suite_openssl_name(CipherSuite s);  // "ECDHE-RSA-AES128-GCM-SHA256"
HS_API std::string_view group_name(NamedGroup g);
HS_API std::string_view signature_scheme_name(SignatureScheme s);

// is_grease reports RFC 8701 reserved values (0x?A?A with equal bytes).
constexpr bool is_grease(uint16_t v) { return (v & 0x0F0F) == 0x0A0A && (v >> 8) == (v & 0xFF); }

}  // namespace hs

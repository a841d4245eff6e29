// TLS 1.3 HKDF-Expand-Label and Derive-Secret (RFC 8446 §7.1).
#pragma once

#include <hs/result.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/provider.h"

namespace hs::keyschedule {

// hkdf_label encodes the HkdfLabel structure used as HKDF info:
//   struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; }
// `label` is given without the "tls13 " prefix. Returns internal_error when the label or
// context exceeds its bounds (a programming error: labels are constants).
Result<std::vector<uint8_t>> hkdf_label(size_t length, std::string_view label,
                                        std::span<const uint8_t> context);

// hkdf_expand_label is HKDF-Expand-Label(Secret, Label, Context, Length) =
// HKDF-Expand(Secret, HkdfLabel, Length). `label` excludes the "tls13 " prefix ("key", "iv",
// "finished", "c hs traffic", ...).
Result<SecretBytes> hkdf_expand_label(const crypto::Provider& provider, crypto::HashAlg hash,
                                      std::span<const uint8_t> secret, std::string_view label,
                                      std::span<const uint8_t> context, size_t length);

// The same with an HMAC already keyed with Secret, so that several labels expanded from one
// secret key HMAC once. `keyed` is left keyed with Secret, ready for the next label.
Result<SecretBytes> hkdf_expand_label(crypto::Hmac& keyed, std::string_view label,
                                      std::span<const uint8_t> context, size_t length);

// hkdf_expand is HKDF-Expand(PRK, info, L) (RFC 5869 §2.3) with `keyed` keyed with PRK.
Result<SecretBytes> hkdf_expand(crypto::Hmac& keyed, std::span<const uint8_t> info, size_t length);

// derive_secret is Derive-Secret(Secret, Label, Messages) =
// HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length). The caller passes
// the transcript hash (the running hash's current value), not the messages.
Result<SecretBytes> derive_secret(const crypto::Provider& provider, crypto::HashAlg hash,
                                  std::span<const uint8_t> secret, std::string_view label,
                                  std::span<const uint8_t> transcript_hash);

// empty_hash returns Hash("") (RFC 8446, 7.1: Derive-Secret(., "derived", "") hashes the empty
// string).
std::vector<uint8_t> empty_hash(const crypto::Provider& provider, crypto::HashAlg hash);

}  // namespace hs::keyschedule

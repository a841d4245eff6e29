#include "keyschedule/hkdf13.h"

#include "codec/writer.h"

namespace hs::keyschedule {
namespace {

constexpr std::string_view kLabelPrefix = "tls13 ";

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

Result<std::vector<uint8_t>> hkdf_label(size_t length, std::string_view label,
                                        std::span<const uint8_t> context) {
  // RFC 8446, 7.1:
  //   struct {
  //       uint16 length = Length;
  //       opaque label<7..255> = "tls13 " + Label;
  //       opaque context<0..255> = Context;
  //   } HkdfLabel;
  const size_t full_label = kLabelPrefix.size() + label.size();
  if (length > 0xFFFF || full_label < 7 || full_label > 255 || context.size() > 255) {
    return Error(ErrorCode::internal_error, "hkdf_label", "out of bounds");
  }
  std::vector<uint8_t> out;
  {
    codec::Writer w(out);
    w.write_u16(static_cast<uint16_t>(length));
    {
      auto l = w.open_prefixed(codec::Len::u8, 255);
      l.write_bytes(as_bytes(kLabelPrefix));
      l.write_bytes(as_bytes(label));
    }
    w.write_prefixed_bytes(codec::Len::u8, context);
    if (!w.ok()) {
      return Error(ErrorCode::internal_error, "hkdf_label", "encoding");
    }
  }
  return out;
}

Result<SecretBytes> hkdf_expand_label(const crypto::Provider& provider, crypto::HashAlg hash,
                                      std::span<const uint8_t> secret, std::string_view label,
                                      std::span<const uint8_t> context, size_t length) {
  const std::vector<uint8_t> info = HS_TRY(hkdf_label(length, label, context));
  return provider.hkdf_expand(hash, secret, info, length);
}

Result<SecretBytes> derive_secret(const crypto::Provider& provider, crypto::HashAlg hash,
                                  std::span<const uint8_t> secret, std::string_view label,
                                  std::span<const uint8_t> transcript_hash) {
  if (transcript_hash.size() != crypto::hash_len(hash)) {
    return Error(ErrorCode::internal_error, "derive_secret", "transcript hash length");
  }
  return hkdf_expand_label(provider, hash, secret, label, transcript_hash, crypto::hash_len(hash));
}

std::vector<uint8_t> empty_hash(const crypto::Provider& provider, crypto::HashAlg hash) {
  std::vector<uint8_t> out(crypto::hash_len(hash));
  provider.make_hash(hash)->current(out);
  return out;
}

}  // namespace hs::keyschedule

#include "keyschedule/hkdf13.h"

#include <algorithm>
#include <array>

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
  auto mac = provider.make_hmac(hash, secret);
  if (mac == nullptr) {
    return Error(ErrorCode::internal_error, "hkdf_expand_label", "no HMAC");
  }
  return hkdf_expand_label(*mac, label, context, length);
}

Result<SecretBytes> hkdf_expand_label(crypto::Hmac& keyed, std::string_view label,
                                      std::span<const uint8_t> context, size_t length) {
  // The HkdfLabel is at most 2 + 1 + 255 + 1 + 255 bytes: encode it on the stack, since a
  // handshake expands some twenty labels.
  std::array<uint8_t, 2 + 1 + 255 + 1 + 255> info_buf{};
  const size_t full_label = kLabelPrefix.size() + label.size();
  if (length > 0xFFFF || full_label < 7 || full_label > 255 || context.size() > 255) {
    return Error(ErrorCode::internal_error, "hkdf_label", "out of bounds");
  }
  size_t pos = 0;
  const auto put = [&](std::span<const uint8_t> bytes) {
    std::copy(bytes.begin(), bytes.end(), std::span<uint8_t>(info_buf).subspan(pos).begin());
    pos += bytes.size();
  };
  const std::array<uint8_t, 3> head = {static_cast<uint8_t>(length >> 8),
                                       static_cast<uint8_t>(length & 0xFF),
                                       static_cast<uint8_t>(full_label)};
  put(head);
  put(as_bytes(kLabelPrefix));
  put(as_bytes(label));
  const std::array<uint8_t, 1> context_len = {static_cast<uint8_t>(context.size())};
  put(context_len);
  put(context);
  return hkdf_expand(keyed, std::span<const uint8_t>(info_buf).first(pos), length);
}

Result<SecretBytes> hkdf_expand(crypto::Hmac& keyed, std::span<const uint8_t> info, size_t length) {
  // RFC 5869, 2.3: T(0) = empty, T(i) = HMAC-Hash(PRK, T(i-1) | info | i),
  // OKM = first L octets of T(1) | T(2) | ..., with L <= 255*HashLen.
  const size_t n = crypto::hash_len(keyed.alg());
  if (length > 255 * n) {
    return Error(ErrorCode::internal_error, "hkdf_expand", "output too long");
  }
  SecretBytes okm(length);
  std::array<uint8_t, crypto::kMaxHashLen> t{};
  const std::span<uint8_t> t_i = std::span<uint8_t>(t).first(n);
  size_t done = 0;
  for (size_t i = 1; done < length; ++i) {
    if (i > 1) {
      keyed.update(t_i);
    }
    keyed.update(info);
    const std::array<uint8_t, 1> counter = {static_cast<uint8_t>(i)};
    keyed.update(counter);
    keyed.finish(t_i);
    const size_t take = std::min(n, length - done);
    std::copy_n(t_i.begin(), take, okm.expose_mut().subspan(done).begin());
    done += take;
  }
  crypto::secure_wipe(t);
  return okm;
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

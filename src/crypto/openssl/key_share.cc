// (EC)DH key shares: X25519 and X448 (RFC 7748) and the NIST curves (RFC 8422).
#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include <array>
#include <vector>

#include "crypto/openssl/common.h"

namespace hs::crypto::detail {
namespace {

// OpenSSL 3.0's EVP_PKEY_new_raw_private_key and _public_key run EVP_PKEY_fromdata on a fresh
// EVP_PKEY_CTX made by name, which fetches the X25519 key management every time. Each thread
// keeps one context initialised for fromdata instead and imports our private keys through it. An
// EVP_PKEY_CTX must not be shared between threads, hence thread_local (freed at thread exit).
EVP_PKEY_CTX* x25519_fromdata_ctx() {
  thread_local PkeyCtxPtr ctx;
  if (ctx == nullptr) {
    PkeyCtxPtr fresh(EVP_PKEY_CTX_new_from_name(nullptr, "X25519", nullptr));
    if (fresh == nullptr || EVP_PKEY_fromdata_init(fresh.get()) != 1) {
      return nullptr;
    }
    ctx = std::move(fresh);
  }
  return ctx.get();
}

// x25519_import runs EVP_PKEY_fromdata with `params` and `selection` on the thread's context.
PkeyPtr x25519_import(OSSL_PARAM* params, int selection) {
  EVP_PKEY_CTX* ctx = x25519_fromdata_ctx();
  EVP_PKEY* pkey = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata(ctx, &pkey, selection, params) != 1) {
    return nullptr;
  }
  return PkeyPtr(pkey);
}

PkeyPtr x25519_public_key(std::span<const uint8_t> pub) {
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<uint8_t*>(pub.data()),
                                        pub.size()),
      OSSL_PARAM_construct_end(),
  };
  return x25519_import(params, EVP_PKEY_PUBLIC_KEY);
}

// x25519_base_point is the thread's EVP_PKEY holding u = 9, the base point (RFC 7748, 4.1);
// never modified after it is made.
EVP_PKEY* x25519_base_point() {
  thread_local PkeyPtr base;
  if (base == nullptr) {
    std::array<uint8_t, 32> nine{};
    nine[0] = 9;  // little-endian u-coordinate
    base = x25519_public_key(nine);
  }
  return base.get();
}

// x25519_peer returns the thread's scratch EVP_PKEY set to the peer's public value `pub`.
// Importing each peer value as a new EVP_PKEY costs about 15k instructions (a key-data
// allocation and OpenSSL 3.0's search of the legacy method table by name in
// EVP_PKEY_set_type_by_keymgmt); overwriting the public value of one kept key is a copy. The key
// is valid until the thread's next call; derive contexts that still reference it (a share after
// its derive) only read it in EVP_PKEY_derive, which always follows a fresh set_peer.
EVP_PKEY* x25519_peer(std::span<const uint8_t> pub) {
  thread_local PkeyPtr scratch;
  if (scratch == nullptr) {
    scratch = x25519_public_key(pub);
    return scratch.get();
  }
  if (EVP_PKEY_set1_encoded_public_key(scratch.get(), pub.data(), pub.size()) != 1) {
    return nullptr;
  }
  return scratch.get();
}

// derive_into runs EVP_PKEY_derive on `ctx` (initialised for derive with our private key)
// against `peer` into `out`. `validate_peer` is EVP_PKEY_derive_set_peer_ex's flag. False on
// any failure (a peer that libcrypto refuses, an all-zero X25519 result).
bool derive_into(EVP_PKEY_CTX* ctx, EVP_PKEY* peer, std::span<uint8_t> out, int validate_peer) {
  size_t out_len = out.size();
  return EVP_PKEY_derive_set_peer_ex(ctx, peer, validate_peer) == 1 &&
         EVP_PKEY_derive(ctx, out.data(), &out_len) == 1 && out_len == out.size();
}

// derive_with runs EVP_PKEY_derive of `priv` against `peer` into a buffer of `len` bytes;
// `validate_peer` is EVP_PKEY_derive_set_peer_ex's flag.
Result<SecretBytes> derive_with(EVP_PKEY* priv, EVP_PKEY* peer, size_t len, int validate_peer) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, priv, nullptr));
  if (ctx == nullptr || EVP_PKEY_derive_init(ctx.get()) != 1) {
    return key_share_internal("derive init");
  }
  if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, validate_peer) != 1) {
    return key_share_error();
  }
  SecretBytes out(len);
  size_t out_len = len;
  if (EVP_PKEY_derive(ctx.get(), out.expose_mut().data(), &out_len) != 1) {
    return key_share_error();
  }
  if (out_len != len) {
    return key_share_internal("derive length");
  }
  return out;
}

// is_all_zero reports whether `bytes` are all zero, without branching on individual bytes.
bool is_all_zero(std::span<const uint8_t> bytes) {
  uint8_t acc = 0;
  for (uint8_t b : bytes) {
    acc = static_cast<uint8_t>(acc | b);
  }
  return acc == 0;
}

// X25519Share keeps one EVP_PKEY_CTX initialised for derive with our private key: it computed
// our public value and computes the shared secret, so the context is set up once per share.
class X25519Share final : public KeyShare {
 public:
  X25519Share(PkeyCtxPtr ctx, std::array<uint8_t, 32> pub) : ctx_(std::move(ctx)), pub_(pub) {}

  NamedGroup group() const override { return NamedGroup::x25519; }
  std::span<const uint8_t> public_key() const override { return pub_; }

  Result<SecretBytes> derive(std::span<const uint8_t> peer_public) override {
    // RFC 8446, 4.2.8.2: "For X25519 and X448, the contents of the public value are the byte
    // string inputs and outputs of the corresponding functions defined in [RFC7748]: 32 bytes
    // for X25519 and 56 bytes for X448."
    if (peer_public.size() != 32) {
      return key_share_error();
    }
    EVP_PKEY* peer = x25519_peer(peer_public);
    if (peer == nullptr) {
      return key_share_error();
    }
    // Any 32 bytes are a valid X25519 public value (RFC 7748, 5: "Implementations MUST accept
    // non-canonical values and process them as if they had been reduced modulo the field
    // prime."), so libcrypto's peer check (validate_peer) has nothing to reject and is skipped;
    // the check that matters is the all-zero result below.
    SecretBytes shared(32);
    if (!derive_into(ctx_.get(), peer, shared.expose_mut(), /*validate_peer=*/0)) {
      // For X25519 libcrypto refuses an all-zero result here.
      return key_share_error();
    }
    // RFC 8446, 7.4.2: "For X25519 and X448, implementations MUST check whether the computed
    // Diffie-Hellman shared secret is the all-zero value and abort if so, as described in
    // Section 6 of [RFC7748]." libcrypto already refuses it; check again without branching
    // on individual bytes.
    if (is_all_zero(shared.expose())) {
      return key_share_error();
    }
    return shared;
  }

 private:
  PkeyCtxPtr ctx_;
  std::array<uint8_t, 32> pub_;
};

// X448Share is an X448 key pair (RFC 7748 §5, 56-byte values) made through libcrypto's raw-key
// functions. X448 is offered rarely (OpenSSL's clients list it; browsers do not), so it takes
// the plain path, without X25519Share's per-thread contexts.
class X448Share final : public KeyShare {
 public:
  static constexpr size_t kLen = 56;

  X448Share(PkeyPtr priv, std::array<uint8_t, kLen> pub) : priv_(std::move(priv)), pub_(pub) {}

  NamedGroup group() const override { return NamedGroup::x448; }
  std::span<const uint8_t> public_key() const override { return pub_; }

  Result<SecretBytes> derive(std::span<const uint8_t> peer_public) override {
    // RFC 8446 §4.2.8.2: "56 bytes for X448".
    if (peer_public.size() != kLen) {
      return key_share_error();
    }
    PkeyPtr peer(EVP_PKEY_new_raw_public_key_ex(nullptr, "X448", nullptr, peer_public.data(),
                                                peer_public.size()));
    if (peer == nullptr) {
      return key_share_error();
    }
    // As for X25519, every 56-byte string is a public value (RFC 7748 §5); what is refused is
    // an all-zero result (RFC 8446 §7.4.2, RFC 7748 §6.2), by libcrypto and again here.
    SecretBytes shared = HS_TRY(derive_with(priv_.get(), peer.get(), kLen, /*validate_peer=*/0));
    if (is_all_zero(shared.expose())) {
      return key_share_error();
    }
    return shared;
  }

 private:
  PkeyPtr priv_;
  std::array<uint8_t, kLen> pub_;
};

class EcShare final : public KeyShare {
 public:
  EcShare(NamedGroup group, PkeyPtr priv, std::vector<uint8_t> pub)
      : group_(group), priv_(std::move(priv)), pub_(std::move(pub)) {}

  NamedGroup group() const override { return group_; }
  std::span<const uint8_t> public_key() const override { return pub_; }

  Result<SecretBytes> derive(std::span<const uint8_t> peer_public) override {
    const EC_GROUP* curve = ec_group(group_);
    const size_t field_len = (pub_.size() - 1) / 2;
    // RFC 8446, 4.2.8.2: the key_exchange is UncompressedPointRepresentation
    // (legacy_form = 4, X, Y, each of the field's length). RFC 8446, 4.2.8.2 / RFC 8422,
    // 5.11: "peers MUST validate each other's public value Q by ensuring that the point is a
    // valid point on the elliptic curve."
    if (peer_public.size() != pub_.size() || peer_public[0] != 0x04) {
      return key_share_error();
    }
    EcPointPtr point(EC_POINT_new(curve));
    BnCtxPtr bn_ctx(BN_CTX_new());
    if (point == nullptr || bn_ctx == nullptr) {
      return key_share_internal("allocation");
    }
    if (EC_POINT_oct2point(curve, point.get(), peer_public.data(), peer_public.size(),
                           bn_ctx.get()) != 1 ||
        EC_POINT_is_at_infinity(curve, point.get()) == 1 ||
        EC_POINT_is_on_curve(curve, point.get(), bn_ctx.get()) != 1) {
      return key_share_error();
    }
    PkeyPtr peer = HS_TRY(ec_pkey(curve, nullptr, peer_public));
    // RFC 8422, 5.10: the premaster secret is the x-coordinate of the shared point, as an
    // octet string of the field's length.
    // The peer has been checked above; libcrypto checks it again (validate_peer = 1).
    return derive_with(priv_.get(), peer.get(), field_len, 1);
  }

  // ec_pkey builds an EC EVP_PKEY on `curve` with public point `pub` and, when given, the
  // private scalar `priv`.
  static Result<PkeyPtr> ec_pkey(const EC_GROUP* curve, const BIGNUM* priv,
                                 std::span<const uint8_t> pub) {
    const char* name = OBJ_nid2sn(EC_GROUP_get_curve_name(curve));
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (bld == nullptr ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, name, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.data(),
                                         pub.size()) != 1 ||
        (priv != nullptr &&
         OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1)) {
      return key_share_internal("param build");
    }
    return pkey_fromdata("EC", bld.get(), priv != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY);
  }

 private:
  NamedGroup group_;
  PkeyPtr priv_;
  std::vector<uint8_t> pub_;
};

}  // namespace

Result<std::unique_ptr<KeyShare>> make_x25519_share(std::span<const uint8_t> private_key) {
  if (private_key.size() != 32) {
    return key_share_error();
  }
  // RFC 7748, 6.1: Alice's public key is K_A = X25519(a, 9). Importing the private key alone
  // makes OpenSSL 3.0 compute it with its generic base-point multiplication, about 45k
  // instructions more than its X25519 ladder (EVP_PKEY_derive against u = 9, which also runs
  // in less time). So the key is imported with a placeholder public value (32 zero bytes;
  // libcrypto does not compare the halves on import) and the public value is derived; the
  // context is then kept for the shared secret. The placeholder is never read: X25519 derive
  // uses only the private key and the peer's value, and the EVP_PKEY stays inside the context.
  std::array<uint8_t, 32> placeholder{};
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(
          OSSL_PKEY_PARAM_PRIV_KEY, const_cast<uint8_t*>(private_key.data()), private_key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, placeholder.data(),
                                        placeholder.size()),
      OSSL_PARAM_construct_end(),
  };
  PkeyPtr priv = x25519_import(params, EVP_PKEY_KEYPAIR);
  EVP_PKEY* base = x25519_base_point();
  if (priv == nullptr || base == nullptr) {
    return key_share_internal("x25519 key");
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, priv.get(), nullptr));
  if (ctx == nullptr || EVP_PKEY_derive_init(ctx.get()) != 1) {
    return key_share_internal("derive init");
  }
  std::array<uint8_t, 32> pub{};
  // X25519(a, 9) is never all-zero (9 generates the prime-order subgroup and the clamped
  // scalar is not a multiple of its order), so libcrypto's zero check cannot fail here.
  if (!derive_into(ctx.get(), base, pub, /*validate_peer=*/0)) {
    return key_share_internal("x25519 public key");
  }
  return std::unique_ptr<KeyShare>(std::make_unique<X25519Share>(std::move(ctx), pub));
}

Result<std::unique_ptr<KeyShare>> make_x448_share(std::span<const uint8_t> private_key) {
  if (private_key.size() != X448Share::kLen) {
    return key_share_error();
  }
  // RFC 7748 §6.2: the public value is X448(a, 5); libcrypto computes it on import.
  PkeyPtr priv(EVP_PKEY_new_raw_private_key_ex(nullptr, "X448", nullptr, private_key.data(),
                                               private_key.size()));
  std::array<uint8_t, X448Share::kLen> pub{};
  size_t pub_len = pub.size();
  if (priv == nullptr || EVP_PKEY_get_raw_public_key(priv.get(), pub.data(), &pub_len) != 1 ||
      pub_len != pub.size()) {
    return key_share_internal("x448 key");
  }
  return std::unique_ptr<KeyShare>(std::make_unique<X448Share>(std::move(priv), pub));
}

Result<std::unique_ptr<KeyShare>> make_ec_share(NamedGroup group,
                                                std::span<const uint8_t> private_key) {
  const EC_GROUP* curve = ec_group(group);
  if (curve == nullptr) {
    return key_share_internal("unsupported group");
  }
  const BIGNUM* order = EC_GROUP_get0_order(curve);
  if (private_key.size() != static_cast<size_t>(BN_num_bytes(order))) {
    return key_share_error();
  }
  BnPtr d(BN_bin2bn(private_key.data(), static_cast<int>(private_key.size()), nullptr));
  if (d == nullptr) {
    return key_share_internal("allocation");
  }
  // The scalar must lie in [1, n-1] (SEC 1, 3.2.1).
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), order) >= 0) {
    return key_share_error();
  }
  BN_set_flags(d.get(), BN_FLG_CONSTTIME);
  EcPointPtr q(EC_POINT_new(curve));
  BnCtxPtr bn_ctx(BN_CTX_new());
  if (q == nullptr || bn_ctx == nullptr ||
      EC_POINT_mul(curve, q.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1) {
    return key_share_internal("point multiply");
  }
  const size_t field_len = static_cast<size_t>((EC_GROUP_get_degree(curve) + 7) / 8);
  std::vector<uint8_t> pub(1 + 2 * field_len);
  if (EC_POINT_point2oct(curve, q.get(), POINT_CONVERSION_UNCOMPRESSED, pub.data(), pub.size(),
                         bn_ctx.get()) != pub.size()) {
    return key_share_internal("point encode");
  }
  auto pkey = EcShare::ec_pkey(curve, d.get(), pub);
  if (!pkey.ok()) {
    return key_share_internal("keypair");
  }
  return std::unique_ptr<KeyShare>(
      std::make_unique<EcShare>(group, std::move(pkey).value(), std::move(pub)));
}

}  // namespace hs::crypto::detail

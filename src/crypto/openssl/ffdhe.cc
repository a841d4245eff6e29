// FFDHE key shares for TLS 1.3: the RFC 7919 groups, with RFC 8446's encoding (§4.2.8.1) and
// shared secret (§7.4.1). Key pairs and the shared secret come from libcrypto ("DH" keys on the
// named group, BN modular exponentiation for the public value).
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/param_build.h>

#include <array>
#include <vector>

#include "crypto/openssl/common.h"

namespace hs::crypto::detail {
namespace {

struct FfdheInfo {
  NamedGroup group;
  const char* name;   // libcrypto's group name
  size_t p_len;       // bytes of p: every public value and shared secret has this length
  int exponent_bits;  // RFC 7919 Appendix A: "should choose a secret key of at least N bits"
};

constexpr std::array<FfdheInfo, 5> kFfdhe = {{
    {NamedGroup::ffdhe2048, "ffdhe2048", 256, 225},
    {NamedGroup::ffdhe3072, "ffdhe3072", 384, 275},
    {NamedGroup::ffdhe4096, "ffdhe4096", 512, 325},
    {NamedGroup::ffdhe6144, "ffdhe6144", 768, 375},
    {NamedGroup::ffdhe8192, "ffdhe8192", 1024, 400},
}};

const FfdheInfo* info_of(NamedGroup group) {
  for (const FfdheInfo& f : kFfdhe) {
    if (f.group == group) {
      return &f;
    }
  }
  return nullptr;
}

// prime returns p of the group (generator 2), read once from libcrypto's copy of RFC 7919.
const BIGNUM* prime(const FfdheInfo& info) {
  static const std::array<BIGNUM*, kFfdhe.size()> kPrimes = [] {
    std::array<BIGNUM*, kFfdhe.size()> out{};
    for (size_t i = 0; i < kFfdhe.size(); ++i) {
      PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr));
      EVP_PKEY* params = nullptr;
      if (ctx != nullptr && EVP_PKEY_paramgen_init(ctx.get()) == 1 &&
          EVP_PKEY_CTX_set_group_name(ctx.get(), kFfdhe[i].name) == 1 &&
          EVP_PKEY_paramgen(ctx.get(), &params) == 1) {
        EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_P, &out[i]);
      }
      EVP_PKEY_free(params);
    }
    return out;
  }();
  return kPrimes[static_cast<size_t>(&info - kFfdhe.data())];
}

// dh_pkey builds a DH EVP_PKEY on the named group with public value `pub` and, when given,
// private exponent `priv`.
Result<PkeyPtr> dh_pkey(const FfdheInfo& info, const BIGNUM* pub, const BIGNUM* priv) {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, info.name, 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub) != 1 ||
      (priv != nullptr && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1)) {
    return key_share_internal("param build");
  }
  return pkey_fromdata("DH", bld.get(), priv != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY);
}

class FfdheShare final : public KeyShare {
 public:
  FfdheShare(const FfdheInfo& info, PkeyPtr priv, std::vector<uint8_t> pub)
      : info_(info), priv_(std::move(priv)), pub_(std::move(pub)) {}

  NamedGroup group() const override { return info_.group; }
  std::span<const uint8_t> public_key() const override { return pub_; }

  Result<SecretBytes> derive(std::span<const uint8_t> peer_public) override {
    // RFC 8446 §4.2.8.1: Y "encoded as a big-endian integer and padded to the left with zeros
    // to the size of p in bytes".
    if (peer_public.size() != info_.p_len) {
      return key_share_error();
    }
    const BIGNUM* p = prime(info_);
    BnPtr y(BN_bin2bn(peer_public.data(), static_cast<int>(peer_public.size()), nullptr));
    BnPtr p_minus_1(BN_dup(p));
    if (p == nullptr || y == nullptr || p_minus_1 == nullptr ||
        BN_sub_word(p_minus_1.get(), 1) != 1) {
      return key_share_internal("allocation");
    }
    // RFC 8446 §4.2.8.1: "Peers MUST validate each other's public key Y by ensuring that
    // 1 < Y < p-1." (1 and p-1 generate the subgroup of order 2.)
    if (BN_cmp(y.get(), BN_value_one()) <= 0 || BN_cmp(y.get(), p_minus_1.get()) >= 0) {
      return key_share_error();
    }
    PkeyPtr peer = HS_TRY(dh_pkey(info_, y.get(), nullptr));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, priv_.get(), nullptr));
    if (ctx == nullptr || EVP_PKEY_derive_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_dh_pad(ctx.get(), 1) != 1) {
      return key_share_internal("derive init");
    }
    // The range check above is RFC 8446's; libcrypto's full check (Y^q = 1 mod p) would cost a
    // second exponentiation with a 2047-bit exponent, so it is skipped (validate_peer = 0).
    if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), 0) != 1) {
      return key_share_error();
    }
    // RFC 8446 §7.4.1: Z "left-padded with zeros up to the size of the prime" (dh_pad).
    SecretBytes out(info_.p_len);
    size_t out_len = out.size();
    if (EVP_PKEY_derive(ctx.get(), out.expose_mut().data(), &out_len) != 1) {
      return key_share_error();
    }
    if (out_len != info_.p_len) {
      return key_share_internal("derive length");
    }
    return out;
  }

 private:
  const FfdheInfo& info_;
  PkeyPtr priv_;
  std::vector<uint8_t> pub_;
};

}  // namespace

std::optional<int> ffdhe_exponent_bits(NamedGroup group) {
  const FfdheInfo* info = info_of(group);
  if (info == nullptr) {
    return std::nullopt;
  }
  return info->exponent_bits;
}

Result<std::unique_ptr<KeyShare>> make_ffdhe_share(NamedGroup group,
                                                   std::span<const uint8_t> private_key) {
  const FfdheInfo* info = info_of(group);
  if (info == nullptr) {
    return key_share_internal("unsupported group");
  }
  const BIGNUM* p = prime(*info);
  if (p == nullptr) {
    return key_share_internal("ffdhe group");
  }
  if (private_key.empty() || private_key.size() > info->p_len) {
    return key_share_error();
  }
  BnPtr x(BN_bin2bn(private_key.data(), static_cast<int>(private_key.size()), nullptr));
  BnPtr two(BN_new());
  BnPtr pub(BN_new());
  BnPtr p_minus_2(BN_dup(p));
  BnCtxPtr bn_ctx(BN_CTX_new());
  if (x == nullptr || two == nullptr || pub == nullptr || p_minus_2 == nullptr ||
      bn_ctx == nullptr || BN_set_word(two.get(), 2) != 1 || BN_sub_word(p_minus_2.get(), 2) != 1) {
    return key_share_internal("allocation");
  }
  // RFC 7919 §5.2: the secret exponent lies in [2, p-2].
  if (BN_cmp(x.get(), two.get()) < 0 || BN_cmp(x.get(), p_minus_2.get()) > 0) {
    return key_share_error();
  }
  BN_set_flags(x.get(), BN_FLG_CONSTTIME);
  // Y = g^x mod p with g = 2 (RFC 7919 Appendix A).
  if (BN_mod_exp_mont_consttime(pub.get(), two.get(), x.get(), p, bn_ctx.get(), nullptr) != 1) {
    return key_share_internal("exponentiation");
  }
  std::vector<uint8_t> pub_bytes(info->p_len);
  if (BN_bn2binpad(pub.get(), pub_bytes.data(), static_cast<int>(pub_bytes.size())) < 0) {
    return key_share_internal("encoding");
  }
  auto pkey = dh_pkey(*info, pub.get(), x.get());
  if (!pkey.ok()) {
    return key_share_internal("ffdhe key");
  }
  return std::unique_ptr<KeyShare>(
      std::make_unique<FfdheShare>(*info, std::move(pkey).value(), std::move(pub_bytes)));
}

}  // namespace hs::crypto::detail

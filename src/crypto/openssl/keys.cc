// PublicKey (SubjectPublicKeyInfo) and PrivateKey on EVP_PKEY, with EVP_DigestSign/Verify.
#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <climits>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "crypto/openssl/common.h"

namespace hs::crypto::detail {
namespace {

enum class Padding : uint8_t { none, pkcs1, pss };

struct AlgParams {
  const EVP_MD* md;  // null for Ed25519 and Ed448 (PureEdDSA hashes internally)
  Padding padding;
};

AlgParams params_for(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::rsa_pkcs1_sha256:
      return {md(HashAlg::sha256), Padding::pkcs1};
    case SignatureAlgorithm::rsa_pkcs1_sha384:
      return {md(HashAlg::sha384), Padding::pkcs1};
    case SignatureAlgorithm::rsa_pkcs1_sha512:
      return {md(HashAlg::sha512), Padding::pkcs1};
    case SignatureAlgorithm::rsa_pss_sha256:
      return {md(HashAlg::sha256), Padding::pss};
    case SignatureAlgorithm::rsa_pss_sha384:
      return {md(HashAlg::sha384), Padding::pss};
    case SignatureAlgorithm::rsa_pss_sha512:
      return {md(HashAlg::sha512), Padding::pss};
    case SignatureAlgorithm::ecdsa_sha256:
      return {md(HashAlg::sha256), Padding::none};
    case SignatureAlgorithm::ecdsa_sha384:
      return {md(HashAlg::sha384), Padding::none};
    case SignatureAlgorithm::ecdsa_sha512:
      return {md(HashAlg::sha512), Padding::none};
    case SignatureAlgorithm::ed25519:
    case SignatureAlgorithm::ed448:
      return {nullptr, Padding::none};
  }
  return {nullptr, Padding::none};
}

bool is_ec(KeyType t) {
  return t == KeyType::ec_p256 || t == KeyType::ec_p384 || t == KeyType::ec_p521;
}

// key_fits says whether a key of type `t` can compute `alg` at all. Which curve goes with
// which hash in TLS is decided by signature.h, not here.
bool key_fits(KeyType t, SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::rsa_pkcs1_sha256:
    case SignatureAlgorithm::rsa_pkcs1_sha384:
    case SignatureAlgorithm::rsa_pkcs1_sha512:
      return t == KeyType::rsa;
    case SignatureAlgorithm::rsa_pss_sha256:
    case SignatureAlgorithm::rsa_pss_sha384:
    case SignatureAlgorithm::rsa_pss_sha512:
      return t == KeyType::rsa || t == KeyType::rsa_pss;
    case SignatureAlgorithm::ecdsa_sha256:
    case SignatureAlgorithm::ecdsa_sha384:
    case SignatureAlgorithm::ecdsa_sha512:
      return is_ec(t);
    case SignatureAlgorithm::ed25519:
      return t == KeyType::ed25519;
    case SignatureAlgorithm::ed448:
      return t == KeyType::ed448;
  }
  return false;
}

// key_type classifies `pkey`, or nothing for keys we do not use (DSA, unnamed curves, ...).
std::optional<KeyType> key_type(const EVP_PKEY* pkey) {
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
      return KeyType::rsa;
    case EVP_PKEY_RSA_PSS:
      return KeyType::rsa_pss;
    case EVP_PKEY_ED25519:
      return KeyType::ed25519;
    case EVP_PKEY_ED448:
      return KeyType::ed448;
    case EVP_PKEY_EC: {
      char name[64] = {};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) != 1) {
        return std::nullopt;
      }
      int nid = OBJ_sn2nid(name);
      if (nid == NID_undef) {
        nid = EC_curve_nist2nid(name);
      }
      switch (nid) {
        case NID_X9_62_prime256v1:
          return KeyType::ec_p256;
        case NID_secp384r1:
          return KeyType::ec_p384;
        case NID_secp521r1:
          return KeyType::ec_p521;
        default:
          return std::nullopt;
      }
    }
    default:
      return std::nullopt;
  }
}

// init_padding applies RSA padding to a sign/verify context. RFC 8446, 4.2.3: for RSASSA-PSS
// "The length of the Salt MUST be equal to the length of the output of the digest algorithm",
// with MGF1 over the same hash.
bool init_padding(EVP_PKEY_CTX* pctx, const AlgParams& p) {
  switch (p.padding) {
    case Padding::none:
      return true;
    case Padding::pkcs1:
      return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    case Padding::pss:
      return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, p.md) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  return false;
}

// pss_parameters_allow reports whether `pkey`'s RSASSA-PSS parameters allow `alg`. OpenSSL
// reports the parameters only for a restricted key; one without them allows every PSS hash.
// With them, signing with another hash, another MGF1 hash or a shorter salt fails in
// EVP_DigestSignInit (RFC 4055 §3.1: the parameters "restrict the use of the key").
bool pss_parameters_allow(const EVP_PKEY* pkey, SignatureAlgorithm alg) {
  std::array<char, 64> name{};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_RSA_DIGEST, name.data(), name.size(),
                                     &len) != 1) {
    return true;
  }
  const EVP_MD* digest = params_for(alg).md;
  if (digest == nullptr || EVP_MD_is_a(digest, name.data()) != 1) {
    return false;
  }
  std::array<char, 64> mgf1{};
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, mgf1.data(),
                                     mgf1.size(), &len) == 1 &&
      EVP_MD_is_a(digest, mgf1.data()) != 1) {
    return false;
  }
  // RFC 8446 §4.2.3: the salt is as long as the digest; the key may demand a longer one.
  int min_salt = 0;
  return EVP_PKEY_get_int_param(pkey, OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, &min_salt) != 1 ||
         min_salt <= EVP_MD_get_size(digest);
}

class EvpPublicKey final : public PublicKey {
 public:
  EvpPublicKey(PkeyPtr pkey, KeyType type) : pkey_(std::move(pkey)), type_(type) {}

  KeyType type() const override { return type_; }
  size_t bits() const override { return static_cast<size_t>(EVP_PKEY_get_bits(pkey_.get())); }

  bool verify(SignatureAlgorithm alg, std::span<const uint8_t> message,
              std::span<const uint8_t> signature) const override {
    if (!key_fits(type_, alg) || signature.empty()) {
      return false;
    }
    const AlgParams p = params_for(alg);
    MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (ctx == nullptr ||
        EVP_DigestVerifyInit_ex(ctx.get(), &pctx,
                                p.md != nullptr ? EVP_MD_get0_name(p.md) : nullptr, nullptr,
                                nullptr, pkey_.get(), nullptr) != 1 ||
        !init_padding(pctx, p)) {
      return false;
    }
    return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), nonnull_data(message),
                            message.size()) == 1;
  }

 private:
  PkeyPtr pkey_;
  KeyType type_;
};

class EvpPrivateKey final : public PrivateKey {
 public:
  EvpPrivateKey(PkeyPtr pkey, KeyType type) : pkey_(std::move(pkey)), type_(type) {
    for (size_t i = 0; i < allowed_.size(); ++i) {
      const auto alg = static_cast<SignatureAlgorithm>(i);
      allowed_[i] = key_fits(type_, alg) &&
                    (type_ != KeyType::rsa_pss || pss_parameters_allow(pkey_.get(), alg));
    }
  }

  KeyType type() const override { return type_; }
  size_t bits() const override { return static_cast<size_t>(EVP_PKEY_get_bits(pkey_.get())); }

  bool can_sign(SignatureAlgorithm alg) const override {
    const auto index = static_cast<size_t>(alg);
    return index < allowed_.size() && allowed_[index];
  }

  Result<std::vector<uint8_t>> sign(SignatureAlgorithm alg,
                                    std::span<const uint8_t> message) const override {
    if (!can_sign(alg)) {
      return Error(ErrorCode::internal_error, "sign", "algorithm does not fit the key");
    }
    MdCtxPtr ctx = signing_context(alg);
    if (ctx == nullptr) {
      return Error(ErrorCode::internal_error, "sign", "init failed");
    }
    // The context is this signature's own copy: FINALISE lets EVP_DigestSignFinal sign on it
    // instead of duplicating the EVP_PKEY_CTX to keep it reusable. EVP_PKEY_get_size is the
    // largest signature the key makes (for ECDSA the DER maximum), so no size-query pass.
    EVP_MD_CTX_set_flags(ctx.get(), EVP_MD_CTX_FLAG_FINALISE);
    const int max_len = EVP_PKEY_get_size(pkey_.get());
    if (max_len <= 0) {
      return Error(ErrorCode::internal_error, "sign", "size query failed");
    }
    size_t len = static_cast<size_t>(max_len);
    std::vector<uint8_t> sig(len);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, nonnull_data(message), message.size()) != 1) {
      return Error(ErrorCode::internal_error, "sign", "signing failed");
    }
    sig.resize(len);  // ECDSA DER signatures vary in length
    return sig;
  }

  std::vector<uint8_t> public_key_info() const override {
    const int len = i2d_PUBKEY(pkey_.get(), nullptr);
    if (len <= 0) {
      return {};
    }
    std::vector<uint8_t> der(static_cast<size_t>(len));
    uint8_t* p = der.data();
    if (i2d_PUBKEY(pkey_.get(), &p) != len) {
      return {};
    }
    return der;
  }

 private:
  // init_context makes a signing context for `alg` from scratch: EVP_DigestSignInit_ex fetches
  // the signature and digest implementations by name and sets the key up for them, which in
  // OpenSSL 3.0 costs more than an ECDSA P-256 signature itself.
  MdCtxPtr init_context(SignatureAlgorithm alg) const {
    const AlgParams p = params_for(alg);
    MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (ctx == nullptr ||
        EVP_DigestSignInit_ex(ctx.get(), &pctx, p.md != nullptr ? EVP_MD_get0_name(p.md) : nullptr,
                              nullptr, nullptr, pkey_.get(), nullptr) != 1 ||
        !init_padding(pctx, p)) {
      return nullptr;
    }
    return ctx;
  }

  // signing_context returns a context ready for one EVP_DigestSign: a copy of a template made
  // once per algorithm for this key (the key is imported once, at configuration time, and the
  // set-up above is done once), or a fresh one where libcrypto cannot copy the context.
  MdCtxPtr signing_context(SignatureAlgorithm alg) const {
    const auto index = static_cast<size_t>(alg);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (index < templates_.size()) {
        if (templates_[index] == nullptr) {
          templates_[index] = init_context(alg);
        }
        if (templates_[index] != nullptr) {
          MdCtxPtr copy(EVP_MD_CTX_new());
          if (copy != nullptr && EVP_MD_CTX_copy_ex(copy.get(), templates_[index].get()) == 1) {
            return copy;
          }
        }
      }
    }
    return init_context(alg);
  }

  PkeyPtr pkey_;
  KeyType type_;
  std::array<bool, static_cast<size_t>(SignatureAlgorithm::ed448) + 1> allowed_{};  // can_sign
  mutable std::mutex mu_;
  mutable std::array<MdCtxPtr, static_cast<size_t>(SignatureAlgorithm::ed448) + 1> templates_;
};

// PublicKeyCache remembers the last kCapacity public keys decoded, by their exact
// SubjectPublicKeyInfo bytes. OpenSSL 3.0's d2i_PUBKEY builds a decoder chain on every call
// (OSSL_DECODER_CTX_new_for_pkey), about 1.4 million instructions per key: more than an ECDSA
// verification. A client validating a chain decodes its trust anchor's key on every handshake and
// the same server's leaf key on every reconnection, so hits are the common case. A decoded
// EVP_PKEY is immutable and reference-counted, and OpenSSL allows concurrent verifications with
// one key, so each hit hands out another reference. Thread-safe.
class PublicKeyCache {
 public:
  static constexpr size_t kCapacity = 16;

  // find returns a new reference to the key decoded from exactly `spki_der`, or null.
  PkeyPtr find(std::span<const uint8_t> spki_der) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Entry& e : entries_) {
      if (std::ranges::equal(e.spki, spki_der) && EVP_PKEY_up_ref(e.pkey.get()) == 1) {
        return PkeyPtr(e.pkey.get());
      }
    }
    return nullptr;
  }
  // add keeps a reference to `pkey` for `spki_der`, dropping the oldest entry when full.
  void add(std::span<const uint8_t> spki_der, EVP_PKEY* pkey) {
    if (EVP_PKEY_up_ref(pkey) != 1) {
      return;
    }
    PkeyPtr ref(pkey);
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() == kCapacity) {
      entries_.pop_front();
    }
    entries_.push_back(
        Entry{std::vector<uint8_t>(spki_der.begin(), spki_der.end()), std::move(ref)});
  }

 private:
  struct Entry {
    std::vector<uint8_t> spki;
    PkeyPtr pkey;
  };
  std::mutex mu_;
  std::deque<Entry> entries_;
};

PublicKeyCache& public_key_cache() {
  static PublicKeyCache* cache = new PublicKeyCache();  // never destroyed: used until exit
  return *cache;
}

}  // namespace

Result<std::unique_ptr<PublicKey>> parse_evp_public_key(std::span<const uint8_t> spki_der) {
  if (spki_der.empty() || spki_der.size() > static_cast<size_t>(LONG_MAX)) {
    return Error(ErrorCode::bad_certificate, "subject_public_key_info");
  }
  if (PkeyPtr cached = public_key_cache().find(spki_der)) {
    // Only keys that passed every check below are cached.
    const std::optional<KeyType> type = key_type(cached.get());
    if (type) {
      return std::unique_ptr<PublicKey>(std::make_unique<EvpPublicKey>(std::move(cached), *type));
    }
  }
  const uint8_t* p = spki_der.data();
  PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())));
  // The whole input must be the one structure: trailing bytes are malformed DER.
  if (pkey == nullptr || p != spki_der.data() + spki_der.size()) {
    return Error(ErrorCode::bad_certificate, "subject_public_key_info");
  }
  const std::optional<KeyType> type = key_type(pkey.get());
  if (!type) {
    return Error(ErrorCode::unsupported_certificate, "subject_public_key_info",
                 "unsupported key type");
  }
  public_key_cache().add(spki_der, pkey.get());
  return std::unique_ptr<PublicKey>(std::make_unique<EvpPublicKey>(std::move(pkey), *type));
}

Result<std::unique_ptr<PrivateKey>> parse_evp_private_key(std::span<const uint8_t> der) {
  if (der.empty() || der.size() > static_cast<size_t>(LONG_MAX)) {
    return Error(ErrorCode::invalid_config, "private_key", "empty");
  }
  const uint8_t* p = der.data();
  PkeyPtr pkey(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
  if (pkey == nullptr || p != der.data() + der.size()) {
    return Error(ErrorCode::invalid_config, "private_key", "not a DER private key");
  }
  const std::optional<KeyType> type = key_type(pkey.get());
  if (!type) {
    return Error(ErrorCode::invalid_config, "private_key", "unsupported key type");
  }
  return std::unique_ptr<PrivateKey>(std::make_unique<EvpPrivateKey>(std::move(pkey), *type));
}

}  // namespace hs::crypto::detail

#include "x509/validate.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <memory>
#include <tuple>
#include <utility>

#include "x509/der.h"
#include "x509/hostname.h"
#include "x509/name_constraints.h"

namespace hs::x509 {

bool is_self_issued(const Certificate& cert) { return cert.subject.raw == cert.issuer.raw; }

bool is_self_signed(const Certificate& cert) {
  return is_self_issued(cert) && (!cert.authority_key_id || !cert.subject_key_id ||
                                  *cert.authority_key_id == *cert.subject_key_id);
}

bool is_weak_signature(const Certificate& cert) {
  switch (cert.signature_oid) {
    case SignatureOid::md5_with_rsa:
    case SignatureOid::sha1_with_rsa:
    case SignatureOid::ecdsa_with_sha1:
      return true;
    case SignatureOid::unknown:
    case SignatureOid::sha224_with_rsa:
    case SignatureOid::sha256_with_rsa:
    case SignatureOid::sha384_with_rsa:
    case SignatureOid::sha512_with_rsa:
    case SignatureOid::rsassa_pss:
    case SignatureOid::ecdsa_with_sha224:
    case SignatureOid::ecdsa_with_sha256:
    case SignatureOid::ecdsa_with_sha384:
    case SignatureOid::ecdsa_with_sha512:
    case SignatureOid::ed25519:
    case SignatureOid::ed448:
      return false;
  }
  return false;
}

std::optional<VerifyFailure> check_host(const Certificate& leaf, std::string_view host) {
  if (match_host(leaf, host).matched) {
    return std::nullopt;
  }
  VerifyFailure f;
  f.status =
      parse_ip_literal(host) ? VerifyStatus::ip_address_mismatch : VerifyStatus::hostname_mismatch;
  f.depth = 0;
  f.subject = to_string(leaf.subject);
  f.host = std::string(host);
  return f;
}

namespace {

// Node is one certificate of a path under construction; `anchor` marks a store certificate
// that ends the path.
struct Node {
  const Certificate* cert = nullptr;
  bool anchor = false;
};

// Attempt is one refused path, kept when it is the most relevant refusal so far.
struct Attempt {
  VerifyFailure failure;
  int complete = 0;   // 1 when the path reached a trust anchor
  size_t length = 0;  // certificates on the path (counting an issuer whose signature failed)
  std::vector<Node> path;
  std::vector<CheckRecord> checks;
};

bool same_ca(const Certificate& a, const Certificate& b) {
  return a.subject.raw == b.subject.raw && a.spki_raw == b.spki_raw;
}

// key_ids_compatible: RFC 5280 §4.2.1.1 "the key identifier in the authority key identifier
// extension of the child matches the subject key identifier of the issuer" when both exist.
bool key_ids_compatible(const Certificate& child, const Certificate& issuer) {
  return !child.authority_key_id || !issuer.subject_key_id ||
         *child.authority_key_id == *issuer.subject_key_id;
}

bool key_ids_match(const Certificate& child, const Certificate& issuer) {
  return child.authority_key_id && issuer.subject_key_id &&
         *child.authority_key_id == *issuer.subject_key_id;
}

bool has_eku(const Certificate& c, std::span<const uint8_t> oid) {
  for (const Bytes& k : *c.ext_key_usage) {
    if (std::equal(k.begin(), k.end(), oid.begin(), oid.end())) {
      return true;
    }
  }
  return false;
}

// eku_allows: no EKU extension, or one listing the purpose or anyExtendedKeyUsage
// (RFC 5280 §4.2.1.12: "If the extension is present, then the certificate MUST only be used for
// one of the purposes indicated").
bool eku_allows(const Certificate& c, Purpose p) {
  if (!c.ext_key_usage) {
    return true;
  }
  std::span<const uint8_t> wanted =
      p == Purpose::server_auth ? std::span<const uint8_t>(oid::kServerAuth) : oid::kClientAuth;
  return has_eku(c, wanted) || has_eku(c, oid::kAnyExtendedKeyUsage);
}

// leaf_key_usage_allows: a TLS peer signs (ECDHE_*, TLS 1.3) or, for servers, could be asked to
// decrypt or agree keys; OpenSSL's check_purpose_ssl_server/client accept these bits.
bool leaf_key_usage_allows(const Certificate& c, Purpose p) {
  if (!c.key_usage) {
    return true;
  }
  const KeyUsage& ku = *c.key_usage;
  if (ku.has(KeyUsageBit::digital_signature) || ku.has(KeyUsageBit::key_agreement)) {
    return true;
  }
  return p == Purpose::server_auth && ku.has(KeyUsageBit::key_encipherment);
}

bool valid_at(const Certificate& c, int64_t t) { return c.not_before <= t && t <= c.not_after; }

class PathBuilder {
 public:
  PathBuilder(const Certificate& leaf, std::span<const Certificate> untrusted,
              const TrustStore& store, const ValidationOptions& options)
      : leaf_(leaf),
        untrusted_(untrusted),
        store_(store),
        options_(options),
        provider_(options.provider != nullptr ? *options.provider : crypto::default_provider()),
        now_(options.at_time ? *options.at_time : static_cast<int64_t>(std::time(nullptr))) {}

  ValidationResult run();

 private:
  enum class Link : uint8_t { verified, weak, bad };

  Link link(const Certificate& child, const Certificate& issuer);
  std::vector<Node> candidates(const std::vector<Node>& path) const;
  bool search(std::vector<Node>& path);
  bool evaluate(const std::vector<Node>& path);
  void offer(Attempt attempt);
  VerifyFailure failure_at(VerifyStatus s, const std::vector<Node>& path, size_t depth) const {
    return VerifyFailure{s, depth, to_string(path[depth].cert->subject), {}};
  }

  const Certificate& leaf_;
  std::span<const Certificate> untrusted_;
  const TrustStore& store_;
  const ValidationOptions& options_;
  const crypto::Provider& provider_;
  int64_t now_;

  std::map<std::pair<const Certificate*, const Certificate*>, Link> links_;
  std::map<const Certificate*, std::unique_ptr<crypto::PublicKey>> keys_;
  size_t signature_checks_ = 0;
  size_t visits_ = 0;
  size_t paths_ = 0;
  bool exhausted_ = false;
  std::optional<Attempt> best_;
  std::optional<std::pair<std::vector<Node>, std::vector<CheckRecord>>> success_;
};

PathBuilder::Link PathBuilder::link(const Certificate& child, const Certificate& issuer) {
  auto key = std::make_pair(&child, &issuer);
  if (auto it = links_.find(key); it != links_.end()) {
    return it->second;
  }
  Link result = Link::bad;
  if (is_weak_signature(child)) {
    // We cannot (and will not) verify SHA-1/MD5; the path is refused later with OpenSSL's
    // "CA signature digest algorithm too weak" once it is otherwise complete.
    result = Link::weak;
  } else if (child.signature_alg) {
    if (signature_checks_ >= options_.max_signature_checks) {
      exhausted_ = true;
      return Link::bad;
    }
    ++signature_checks_;
    auto& pk = keys_[&issuer];
    if (!pk) {
      auto parsed = provider_.parse_public_key(issuer.spki_raw);
      if (parsed.ok()) {
        pk = std::move(parsed).value();
      }
    }
    if (pk && pk->verify(*child.signature_alg, child.tbs_raw, child.signature_value)) {
      result = Link::verified;
    }
  }
  links_.emplace(key, result);
  return result;
}

std::vector<Node> PathBuilder::candidates(const std::vector<Node>& path) const {
  const Certificate& child = *path.back().cert;
  auto in_path = [&](const Certificate& c) {
    for (const Node& n : path) {
      if (same_ca(*n.cert, c)) {
        return true;
      }
    }
    return false;
  };
  std::vector<Node> trusted;
  for (const Certificate* s : store_.find_by_subject(child.issuer.raw)) {
    if (key_ids_compatible(child, *s) && !in_path(*s)) {
      trusted.push_back(Node{s, true});
    }
  }
  std::vector<Node> others;
  for (const Certificate& u : untrusted_) {
    if (u.subject.raw == child.issuer.raw && key_ids_compatible(child, u) && !in_path(u) &&
        !store_.contains_der(u.der)) {
      others.push_back(Node{&u, false});
    }
  }
  // Prefer an issuer named by the child's AKI, then one valid now, as OpenSSL's get1_issuer and
  // browsers do; stable, so the peer's order decides among equals.
  auto rank = [&](const Node& n) {
    return std::make_tuple(key_ids_match(child, *n.cert) ? 0 : 1, valid_at(*n.cert, now_) ? 0 : 1);
  };
  auto by_rank = [&](const Node& a, const Node& b) { return rank(a) < rank(b); };
  std::stable_sort(trusted.begin(), trusted.end(), by_rank);
  std::stable_sort(others.begin(), others.end(), by_rank);
  trusted.insert(trusted.end(), others.begin(), others.end());
  return trusted;
}

void PathBuilder::offer(Attempt attempt) {
  if (!best_ ||
      std::tie(attempt.complete, attempt.length) > std::tie(best_->complete, best_->length)) {
    best_ = std::move(attempt);
  }
}

bool PathBuilder::search(std::vector<Node>& path) {
  if (path.back().anchor) {
    return evaluate(path);
  }
  // The visit bound stops a pathological graph (many same-named CAs) from being walked in full
  // even when every link is already cached.
  if (exhausted_ || ++visits_ > options_.max_signature_checks * 10) {
    exhausted_ = true;
    return false;
  }
  size_t depth = path.size() - 1;
  if (path.size() > options_.max_depth) {
    offer(Attempt{failure_at(VerifyStatus::chain_too_long, path, depth), 0, path.size(), path, {}});
    return false;
  }
  std::vector<Node> next = candidates(path);
  for (const Node& n : next) {
    Link l = link(*path.back().cert, *n.cert);
    if (exhausted_) {
      return false;
    }
    if (l == Link::bad) {
      offer(Attempt{
          failure_at(VerifyStatus::signature_failure, path, depth), 0, path.size() + 1, path, {}});
      continue;
    }
    path.push_back(n);
    if (search(path)) {
      return true;
    }
    path.pop_back();
  }
  if (next.empty()) {
    VerifyStatus s = VerifyStatus::unable_to_get_issuer_cert_locally;
    if (is_self_signed(*path.back().cert)) {
      s = depth == 0 ? VerifyStatus::depth_zero_self_signed : VerifyStatus::self_signed_in_chain;
    }
    offer(Attempt{failure_at(s, path, depth), 0, path.size(), path, {}});
  }
  return false;
}

bool PathBuilder::evaluate(const std::vector<Node>& path) {
  ++paths_;
  const size_t n = path.size() - 1;
  std::vector<CheckRecord> checks;
  auto fail = [&](VerifyStatus s, size_t depth, std::string check, std::string detail) {
    checks.push_back(CheckRecord{depth, std::move(check), false, std::move(detail)});
    offer(Attempt{failure_at(s, path, depth), 1, path.size(), path, std::move(checks)});
    return false;
  };
  auto pass = [&](size_t depth, std::string check, std::string detail) {
    checks.push_back(CheckRecord{depth, std::move(check), true, std::move(detail)});
  };

  pass(n, "trust", "trust anchor in the store");
  for (size_t i = 0; i < n; ++i) {
    auto it = links_.find(std::make_pair(path[i].cert, path[i + 1].cert));
    bool weak = it != links_.end() && it->second == Link::weak;
    checks.push_back(CheckRecord{i, "signature", !weak,
                                 std::string(weak ? "not checked (weak digest) " : "verified ") +
                                     "with the key of depth " + std::to_string(i + 1) + " (" +
                                     std::string(signature_oid_name(path[i].cert->signature_oid)) +
                                     ")"});
  }

  // 1. Extensions, leaf to anchor (OpenSSL's check_extensions order).
  size_t plen = 0;  // non-self-issued intermediates below the current certificate
  for (size_t i = 0; i <= n; ++i) {
    const Certificate& x = *path[i].cert;
    // RFC 5280 §4.2: "A certificate-using system MUST reject the certificate if it encounters a
    // critical extension it does not recognize or a critical extension that contains
    // information that it cannot process."
    if (x.has_unknown_critical) {
      return fail(VerifyStatus::unhandled_critical_extension, i, "critical_extensions",
                  "a critical extension we do not process");
    }
    pass(i, "critical_extensions", "none unknown");
    if (i == 0 && !path[0].anchor && !(x.basic_constraints && x.basic_constraints->ca)) {
      // Extensions only a CA may carry make an end-entity certificate inconsistent (OpenSSL
      // refuses these in X509_STRICT mode, x509-limbo in every profile). RFC 5280 §4.2.1.9: "If
      // the cA boolean is not asserted, then the keyCertSign bit in the key usage extension
      // MUST NOT be asserted" and "CAs MUST NOT include the pathLenConstraint field unless the
      // cA boolean is asserted"; §4.2.1.10: "The name constraints extension, which MUST be used
      // only in a CA certificate". A leaf the store trusts directly is exempt: its trust comes
      // from the store, not from its extensions.
      const char* why = nullptr;
      if (x.key_usage && x.key_usage->has(KeyUsageBit::key_cert_sign)) {
        why = "keyUsage keyCertSign without basicConstraints cA";
      } else if (x.basic_constraints && x.basic_constraints->path_len) {
        why = "pathLenConstraint without basicConstraints cA";
      } else if (x.name_constraints) {
        why = "nameConstraints in a certificate that is not a CA";
      }
      if (why != nullptr) {
        return fail(VerifyStatus::invalid_extension, i, "ca", why);
      }
    }
    if (i == 0 && !path[0].anchor && x.subject.attributes.empty() && x.has_subject_alt_name) {
      // RFC 5280 §4.2.1.6: "If the subject field contains an empty sequence, then the issuing CA
      // MUST include a subjectAltName extension that is marked as critical."
      const Extension* san = x.find_extension(oid::kSubjectAltName);
      if (san != nullptr && !san->critical) {
        return fail(VerifyStatus::invalid_extension, i, "critical_extensions",
                    "empty subject with a non-critical subjectAltName");
      }
    }
    if (i > 0) {
      // RFC 5280 §6.1.4 (k): "verify that the certificate is a CA certificate (as specified in
      // a basicConstraints extension or as verified out-of-band)"
      bool ca = x.basic_constraints ? x.basic_constraints->ca
                                    : (path[i].anchor && x.version == 1 && is_self_signed(x));
      if (!ca) {
        return fail(VerifyStatus::invalid_ca, i, "ca", "not a CA (basicConstraints cA is not set)");
      }
      // RFC 5280 §4.1.2.6: "If the subject is a CA ... then the subject field MUST be populated
      // with a non-empty distinguished name"; an empty name cannot be an issuer name to chain
      // by either (§4.1.2.4: "The issuer field MUST contain a non-empty distinguished name").
      if (x.subject.attributes.empty()) {
        return fail(VerifyStatus::invalid_ca, i, "ca", "empty subject name");
      }
      // (n): "If a key usage extension is present, verify that the keyCertSign bit is set."
      // OpenSSL 3.0 reports this as an invalid CA here too (check_ca), before its later
      // "key usage does not include certificate signing".
      if (x.key_usage && !x.key_usage->has(KeyUsageBit::key_cert_sign)) {
        return fail(VerifyStatus::invalid_ca, i, "ca", "keyUsage lacks keyCertSign");
      }
      pass(i, "ca", x.key_usage ? "basicConstraints cA, keyCertSign" : "basicConstraints cA");
    }
    const char* purpose = options_.purpose == Purpose::server_auth ? "serverAuth" : "clientAuth";
    if (i == 0) {
      if (!eku_allows(x, options_.purpose)) {
        return fail(VerifyStatus::invalid_purpose, i, "purpose",
                    std::string("extendedKeyUsage lacks ") + purpose);
      }
      if (!leaf_key_usage_allows(x, options_.purpose)) {
        return fail(VerifyStatus::invalid_purpose, i, "purpose",
                    "keyUsage allows neither digitalSignature nor key agreement/encipherment");
      }
      pass(i, "purpose", purpose);
    } else if (!path[i].anchor) {
      // Intermediates with an EKU extension constrain the leaf's purpose, as OpenSSL and the
      // browsers apply it.
      if (!eku_allows(x, options_.purpose)) {
        return fail(VerifyStatus::invalid_purpose, i, "purpose",
                    std::string("extendedKeyUsage lacks ") + purpose);
      }
      pass(i, "purpose", purpose);
    }
    // RFC 5280 §6.1.4 (l), (m): the path length constraint counts the non-self-issued
    // intermediate certificates that follow (below) this one.
    if (i > 1 && x.basic_constraints && x.basic_constraints->path_len &&
        plen > *x.basic_constraints->path_len) {
      return fail(VerifyStatus::path_length_exceeded, i, "path_length",
                  "pathLenConstraint " + std::to_string(*x.basic_constraints->path_len) + ", " +
                      std::to_string(plen) + " intermediates below");
    }
    if (i > 0 && x.basic_constraints && x.basic_constraints->path_len) {
      pass(i, "path_length", "pathLenConstraint " + std::to_string(*x.basic_constraints->path_len));
    }
    if (i > 0 && !is_self_issued(x)) {
      ++plen;
    }
  }

  // 2. Signature digests below the anchor (OpenSSL's check_auth_level at security level 1+).
  for (size_t i = 0; i < n; ++i) {
    if (is_weak_signature(*path[i].cert)) {
      return fail(VerifyStatus::ca_md_too_weak, i, "digest",
                  std::string(signature_oid_name(path[i].cert->signature_oid)));
    }
  }

  // 3. Revocation, leaf to anchor (OpenSSL's check_revocation under X509_V_FLAG_CRL_CHECK_ALL,
  // which curl sets with --crlfile; it runs before internal_verify checks the validity periods).
  if (options_.crls) {
    const size_t checked = options_.check_anchor_revocation ? n + 1 : n;
    for (size_t i = 0; i < checked; ++i) {
      const Certificate& x = *path[i].cert;
      // The anchor's CRL can be checked only when the anchor issued it itself (OpenSSL's
      // check_crl: "If not self-issued, can't check signature").
      const Certificate* issuer = i < n ? path[i + 1].cert : (is_self_issued(x) ? &x : nullptr);
      RevocationCheck r =
          check_revocation(x, issuer, *options_.crls, now_, provider_, options_.require_crl_number);
      if (r.status != VerifyStatus::ok) {
        return fail(r.status, i, "revocation", r.detail);
      }
      pass(i, "revocation", r.detail);
    }
  }

  // 4. Validity, anchor down to leaf (OpenSSL's internal_verify order).
  for (size_t k = 0; k <= n; ++k) {
    size_t i = n - k;
    const Certificate& x = *path[i].cert;
    // RFC 5280 §6.1.3 (a)(2): "The certificate validity period includes the current time."
    std::string period = format_time(x.not_before) + " .. " + format_time(x.not_after);
    if (now_ < x.not_before) {
      return fail(VerifyStatus::not_yet_valid, i, "validity", period);
    }
    if (now_ > x.not_after) {
      return fail(VerifyStatus::expired, i, "validity", period);
    }
    pass(i, "validity", period);
  }

  // 5. Name constraints of every CA over each certificate below it, the topmost constrained
  // certificate first. RFC 5280 §6.1.3 (b): self-issued intermediates are exempt ("unless the
  // certificate is self-issued and not the final certificate").
  for (size_t k = 0; k <= n; ++k) {
    size_t i = n - k;
    const Certificate& x = *path[i].cert;
    if (i != 0 && is_self_issued(x)) {
      continue;
    }
    for (size_t j = n; j > i; --j) {
      const Certificate& ca = *path[j].cert;
      if (!ca.name_constraints) {
        continue;
      }
      VerifyStatus s = check_name_constraints(*ca.name_constraints, x);
      if (s != VerifyStatus::ok) {
        return fail(s, i, "name_constraints",
                    "a subject or subjectAltName name outside the constraints of depth " +
                        std::to_string(j));
      }
      pass(i, "name_constraints", "within the constraints of depth " + std::to_string(j));
    }
  }

  success_ = std::make_pair(path, std::move(checks));
  return true;
}

ValidationResult PathBuilder::run() {
  ValidationResult result;
  bool found = false;
  // A leaf that is itself in the store is trusted directly (a self-signed server certificate
  // given with --cacert).
  if (const Certificate* anchor = store_.find_anchor(leaf_)) {
    std::vector<Node> path{Node{anchor, true}};
    found = search(path);
  }
  if (!found) {
    std::vector<Node> path{Node{&leaf_, false}};
    found = search(path);
  }
  result.signature_checks = signature_checks_;
  result.paths_tried = paths_;
  const std::vector<Node>* chosen = nullptr;
  if (found) {
    chosen = &success_->first;
    result.checks = std::move(success_->second);
    result.anchored = true;
  } else if (best_) {
    chosen = &best_->path;
    result.checks = std::move(best_->checks);
    result.failure = std::move(best_->failure);
    result.anchored = best_->complete == 1;
  } else {
    result.failure =
        VerifyFailure{VerifyStatus::chain_too_long, 0, to_string(leaf_.subject), std::string()};
  }
  if (chosen != nullptr) {
    for (const Node& n : *chosen) {
      result.path.push_back(*n.cert);
    }
  }
  return result;
}

}  // namespace

ValidationResult validate_chain(const Certificate& leaf, std::span<const Certificate> untrusted,
                                const TrustStore& store, const ValidationOptions& options) {
  PathBuilder builder(leaf, untrusted, store, options);
  return builder.run();
}

}  // namespace hs::x509

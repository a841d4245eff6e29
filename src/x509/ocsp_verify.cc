#include "x509/ocsp_verify.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "x509/certificate.h"
#include "x509/der.h"

namespace hs::x509 {

namespace {

using Span = std::span<const uint8_t>;

Error status_error(std::string why) {
  return Error(ErrorCode::bad_certificate_status, "OCSP", std::move(why));
}

bool eq(Span a, Span b) { return std::ranges::equal(a, b); }

// public_key_bits is the subjectPublicKey BIT STRING's octets of a SubjectPublicKeyInfo: what
// CertID's issuerKeyHash and a byKey ResponderID hash (RFC 6960 §4.1.1: "the value (excluding
// tag and length) of the subject public key field").
std::optional<Span> public_key_bits(const Certificate& cert) {
  DerReader outer(cert.spki_raw);
  DerReader spki;
  Tlv algorithm;
  Span bits;
  if (!outer.read_constructed(tag::kSequence, spki) || !spki.read(tag::kSequence, algorithm) ||
      !spki.read_bit_string_octets(bits)) {
    return std::nullopt;
  }
  return bits;
}

// signed_by reports whether `issuer`'s key verifies `signature` over `tbs` under `algorithm`.
bool signed_by(const crypto::Provider& provider, const Certificate& issuer,
               std::optional<crypto::SignatureAlgorithm> algorithm, Span tbs, Span signature) {
  if (!algorithm) {
    return false;
  }
  auto key = provider.parse_public_key(issuer.spki_raw);
  return key.ok() && (*key)->verify(*algorithm, tbs, signature);
}

// issues reports whether `issuer` issued `cert`: the names chain and the signature verifies.
bool issues(const crypto::Provider& provider, const Certificate& issuer, const Certificate& cert) {
  return eq(issuer.subject.raw, cert.issuer.raw) &&
         signed_by(provider, issuer, cert.signature_alg, cert.tbs_raw, cert.signature_value);
}

// responder_is reports whether `cert` is the one the response's ResponderID names.
bool responder_is(const crypto::Provider& provider, const OcspResponse& r,
                  const Certificate& cert) {
  if (!r.responder_name.empty()) {
    return eq(r.responder_name, cert.subject.raw);
  }
  auto bits = public_key_bits(cert);
  return bits && eq(r.responder_key_hash, provider.sha1_identifier(*bits));
}

// cert_id_hash hashes `data` with the CertID's algorithm; nullopt for one we do not compute.
// RFC 6960 §4.1.1's CertIDs use SHA-1; responders may use SHA-256.
std::optional<Bytes> cert_id_hash(const crypto::Provider& provider, const OcspCertId& id,
                                  Span data) {
  if (eq(id.hash_algorithm.oid, oid::kSha1)) {
    const auto h = provider.sha1_identifier(data);
    return Bytes(h.begin(), h.end());
  }
  if (eq(id.hash_algorithm.oid, oid::kSha256)) {
    auto hash = provider.make_hash(crypto::HashAlg::sha256);
    hash->update(data);
    Bytes out(crypto::hash_len(crypto::HashAlg::sha256));
    hash->current(out);
    return out;
  }
  return std::nullopt;
}

// names_leaf reports whether `id` is the CertID of `leaf` issued by `issuer`.
bool names_leaf(const crypto::Provider& provider, const OcspCertId& id, const Certificate& leaf,
                const Certificate& issuer, Span issuer_key) {
  if (!eq(id.serial, leaf.serial)) {
    return false;
  }
  auto name_hash = cert_id_hash(provider, id, issuer.subject.raw);
  auto key_hash = cert_id_hash(provider, id, issuer_key);
  return name_hash && key_hash && *name_hash == id.issuer_name_hash &&
         *key_hash == id.issuer_key_hash;
}

// signer_verifies: the response is signed by the issuer itself, or by a delegated responder it
// carries (RFC 6960 §4.2.2.2: "a CA Designated Responder ... MUST include the value of
// id-kp-OCSPSigning in an extended key usage extension", issued directly by the CA).
bool signer_verifies(const crypto::Provider& provider, const OcspResponse& r,
                     const Certificate& issuer, int64_t now) {
  const auto algorithm = signature_algorithm_of(r.signature_algorithm);
  if (responder_is(provider, r, issuer)) {
    return signed_by(provider, issuer, algorithm, r.tbs_response_data, r.signature);
  }
  for (const Bytes& der : r.certs) {
    auto cert = parse_certificate(der);
    if (!cert.ok() || !responder_is(provider, r, *cert)) {
      continue;
    }
    const bool delegated =
        cert->ext_key_usage && std::ranges::any_of(*cert->ext_key_usage, [](const Bytes& k) {
          return eq(k, oid::kOcspSigning);
        });
    if (delegated && now >= cert->not_before && now <= cert->not_after &&
        issues(provider, issuer, *cert) &&
        signed_by(provider, *cert, algorithm, r.tbs_response_data, r.signature)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<OcspSingleResponse> verify_stapled_ocsp(const crypto::Provider& provider,
                                               std::span<const std::vector<uint8_t>> chain,
                                               std::span<const uint8_t> response, int64_t now) {
  auto status = ocsp_response_status(response);
  if (!status.ok()) {
    return status_error("Invalid OCSP response");
  }
  if (*status != 0) {
    return status_error(
        "Invalid OCSP response status: " + std::string(ocsp_response_status_name(*status)) + " (" +
        std::to_string(*status) + ")");
  }
  auto parsed = parse_ocsp_response(response);
  if (!parsed.ok()) {
    return status_error("Invalid OCSP response");
  }
  // curl's order: the response first, then the CertID, which needs the issuer.
  auto leaf = chain.empty() ? Result<Certificate>(status_error("no certificate"))
                            : parse_certificate(chain.front());
  std::optional<Certificate> issuer;
  for (size_t i = 1; leaf.ok() && i < chain.size() && !issuer; ++i) {
    auto candidate = parse_certificate(chain[i]);
    if (candidate.ok() && issues(provider, *candidate, *leaf)) {
      issuer = std::move(candidate).value();
    }
  }
  const auto issuer_key = issuer ? public_key_bits(*issuer) : std::nullopt;
  if (!issuer_key) {
    return status_error("Error computing OCSP ID");
  }
  if (!signer_verifies(provider, *parsed, *issuer, now)) {
    return status_error("OCSP response verification failed");
  }
  auto single = std::ranges::find_if(parsed->responses, [&](const OcspSingleResponse& s) {
    return names_leaf(provider, s.cert_id, *leaf, *issuer, *issuer_key);
  });
  if (single == parsed->responses.end()) {
    return status_error("Could not find certificate ID in OCSP response");
  }
  if (single->this_update > now + kOcspLeewaySeconds ||
      (single->next_update && *single->next_update < now - kOcspLeewaySeconds)) {
    return status_error("OCSP response has expired");
  }
  switch (single->status) {
    case OcspCertStatus::good:
      return *single;
    case OcspCertStatus::revoked:
      return Error(ErrorCode::certificate_revoked, "OCSP",
                   "SSL certificate revocation reason: " +
                       revocation_reason_text(single->revocation_reason));
    case OcspCertStatus::unknown:
      break;
  }
  return status_error("SSL certificate status: unknown (2)");
}

}  // namespace hs::x509

// Hand-built OCSP responses (RFC 6960 §4.2.1) for the x509, trace and handshake tests: a
// BasicOCSPResponse for serial 0x1234 with a byName responder and a placeholder signature (shape
// only: response()), and a signed one for a leaf of a cert_builder.h CA (signed_ocsp()).
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "unit/x509/cert_builder.h"

namespace hs::x509::testing {

inline const Der kOcspBasic = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};
inline const Der kSha1 = {0x2B, 0x0E, 0x03, 0x02, 0x1A};
inline const Der kSha256WithRsa = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B};

inline Der generalized(const std::string& t) { return tlv(0x18, text(t)); }

inline Der cert_id() {
  return seq({seq({oid(kSha1), tlv(0x05, {})}), tlv(0x04, Der(20, 0xAA)), tlv(0x04, Der(20, 0xBB)),
              integer(0x1234)});
}

// single builds a SingleResponse for serial 0x1234 with `status` (its whole CertStatus DER),
// thisUpdate `this_update` and, unless empty, nextUpdate `next_update` (GeneralizedTime text).
inline Der single(const Der& status, bool next_update = true,
                  const std::string& this_update = "20261129000000Z",
                  const std::string& next = "20261206000000Z") {
  Der body = cat({cert_id(), status, generalized(this_update)});
  if (next_update) {
    body = cat({body, tlv(0xA0, generalized(next))});
  }
  return tlv(0x30, body);
}

// response wraps SingleResponses in a signed-looking BasicOCSPResponse (byName responder) and the
// outer OCSPResponse.
inline Der response(const std::vector<Der>& singles, const Der& responder = tlv(0xA1, cn("ocsp"))) {
  Der responses;
  for (const Der& s : singles) {
    responses = cat({responses, s});
  }
  Der data = seq({responder, generalized("20261129000001Z"), tlv(0x30, responses)});
  Der basic = seq({data, seq({oid(kSha256WithRsa), tlv(0x05, {})}), tlv(0x03, {0x00, 0x01, 0x02})});
  return seq({tlv(0x0A, {0}), tlv(0xA0, seq({oid(kOcspBasic), tlv(0x04, basic)}))});
}

inline const Der kGood = tlv(0x80, {});
inline const Der kSha256 = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
inline const Der kOidOcspSigning = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09};

// generalized_time renders Unix seconds as GeneralizedTime text ("20261129120000Z").
inline std::string generalized_time(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%SZ", &tm);
  return buf;
}

// ed25519_key_bits is an Ed25519 SubjectPublicKeyInfo's subjectPublicKey (its last 32 bytes).
inline Der ed25519_key_bits(const TestKey& k) { return Der(k.spki.end() - 32, k.spki.end()); }

// cert_id_hash is SHA-1 or SHA-256 (by OID) of `data`, as a CertID holds them.
inline Der cert_id_hash(const Der& hash_oid, const Der& data) {
  const crypto::Provider& p = crypto::default_provider();
  if (hash_oid == kSha1) {
    auto h = p.sha1_identifier(data);
    return Der(h.begin(), h.end());
  }
  auto hash = p.make_hash(crypto::HashAlg::sha256);
  hash->update(data);
  Der out(32);
  hash->current(out);
  return out;
}

// SignedOcsp describes a signed response; the defaults are a good one signed by the CA for
// serial 0x1234, current on 2026-11-29.
struct SignedOcsp {
  uint8_t response_status = 0;  // not 0: an unsuccessful OCSPResponse without responseBytes
  Der hash_oid = kSha1;
  uint64_t serial = 0x1234;
  Der status = kGood;  // the CertStatus DER
  std::string this_update = "20261129000000Z";
  std::string next_update = "20261206000000Z";  // empty: none
  bool by_key = false;                          // ResponderID byKey instead of byName
  bool signed_by_responder = false;  // a delegated responder (seed-keyed) signs, included
  bool responder_has_eku = true;     // its EKU is id-kp-OCSPSigning (else serverAuth)
  std::string responder_not_after = "29991231235959Z";
  bool corrupt_signature = false;
};

// signed_ocsp makes the OCSPResponse `o` describes for a leaf issued by the CA `ca_name` with
// `ca_key`; `responder_key` signs when o.signed_by_responder (its certificate, "CN=OCSP
// responder" issued by the CA, rides in the response). Ed25519 signatures.
inline Der signed_ocsp(const SignedOcsp& o, const TestKey& ca_key, const Der& ca_name,
                       const TestKey& responder_key) {
  if (o.response_status != 0) {
    return seq({tlv(0x0A, {o.response_status})});
  }
  const Der id =
      seq({seq({oid(o.hash_oid), tlv(0x05, {})}), tlv(0x04, cert_id_hash(o.hash_oid, ca_name)),
           tlv(0x04, cert_id_hash(o.hash_oid, ed25519_key_bits(ca_key))), integer(o.serial)});
  Der single_body = cat({id, o.status, generalized(o.this_update)});
  if (!o.next_update.empty()) {
    single_body = cat({single_body, tlv(0xA0, generalized(o.next_update))});
  }
  const TestKey& signer = o.signed_by_responder ? responder_key : ca_key;
  const Der responder_id = o.by_key
                               ? tlv(0xA2, tlv(0x04, cert_id_hash(kSha1, ed25519_key_bits(signer))))
                               : tlv(0xA1, o.signed_by_responder ? cn("OCSP responder") : ca_name);
  const Der data =
      seq({responder_id, generalized("20261129000001Z"), seq({tlv(0x30, single_body)})});
  auto sig = signer.priv->sign(crypto::SignatureAlgorithm::ed25519, data);
  EXPECT_TRUE(sig.ok());
  Der bits{0};
  if (sig.ok()) {
    bits.insert(bits.end(), sig->begin(), sig->end());
  }
  if (o.corrupt_signature) {
    bits.back() ^= 1;
  }
  Der basic_body = cat({data, seq({oid(kOidEd25519)}), tlv(0x03, bits)});
  if (o.signed_by_responder) {
    CertSpec r;
    r.issuer = ca_name;
    r.subject = cn("OCSP responder");
    r.serial = 7;
    r.not_after = o.responder_not_after;
    r.extensions = {ext_key_usage({o.responder_has_eku ? kOidOcspSigning : kOidServerAuth})};
    basic_body = cat({basic_body, tlv(0xA0, seq({sign_cert(r, responder_key, ca_key)}))});
  }
  return seq({tlv(0x0A, {0}), tlv(0xA0, seq({oid(kOcspBasic), tlv(0x04, tlv(0x30, basic_body))}))});
}

// StaplingPki is a CA named `ca_common_name`, a leaf it issued (serial 0x1234, CN and SAN
// `host`) and a key for a designated responder, all Ed25519 from seeds `seed`, `seed + 1`,
// `seed + 2`; response() signs SignedOcsp responses for the leaf.
struct StaplingPki {
  StaplingPki(uint8_t seed, const std::string& ca_common_name, const std::string& host)
      : ca_key(make_key(seed)),
        leaf_key(make_key(static_cast<uint8_t>(seed + 1))),
        responder_key(make_key(static_cast<uint8_t>(seed + 2))),
        ca_name(cn(ca_common_name)) {
    ca = sign_cert(root_spec(ca_key, ca_name), ca_key, ca_key);
    CertSpec spec;
    spec.issuer = ca_name;
    spec.subject = cn(host);
    spec.serial = 0x1234;
    spec.extensions = {subject_alt_name({dns(host)})};
    leaf = sign_cert(spec, leaf_key, ca_key);
    // The same leaf, OCSP must-staple: TLS feature status_request (RFC 7633).
    const Der kOidTlsFeature = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18};
    spec.extensions.push_back(extension(kOidTlsFeature, false, seq({integer(5)})));
    must_staple_leaf = sign_cert(spec, leaf_key, ca_key);
  }

  Der response(const SignedOcsp& o) const { return signed_ocsp(o, ca_key, ca_name, responder_key); }

  TestKey ca_key, leaf_key, responder_key;
  Der ca_name, ca, leaf, must_staple_leaf;
};

}  // namespace hs::x509::testing

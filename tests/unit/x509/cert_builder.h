// In-memory certificate builder for path-validation tests: DER written by hand, signed with
// Ed25519 keys derived from a one-byte seed (deterministic, no key generation, no openssl CLI),
// so a test can make the exact certificate a conformance case describes, including ones no CA
// tool would issue (duplicate extensions, keyCertSign on a leaf, wildcards in constraints).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/provider.h"

namespace hs::x509::testing {

using Der = std::vector<uint8_t>;

// tlv encodes one DER element with a definite length.
inline Der tlv(uint8_t tag, const Der& body) {
  Der out{tag};
  size_t n = body.size();
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else {
    Der len;
    for (size_t v = n; v > 0; v >>= 8) {
      len.insert(len.begin(), static_cast<uint8_t>(v & 0xFF));
    }
    out.push_back(static_cast<uint8_t>(0x80 | len.size()));
    out.insert(out.end(), len.begin(), len.end());
  }
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

inline Der cat(std::initializer_list<Der> parts) {
  Der out;
  for (const Der& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}
inline Der cat_all(const std::vector<Der>& parts) {
  Der out;
  for (const Der& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

inline Der seq(std::initializer_list<Der> parts) { return tlv(0x30, cat(parts)); }
inline Der seq_of(const std::vector<Der>& parts) { return tlv(0x30, cat_all(parts)); }
inline Der oid(const Der& contents) { return tlv(0x06, contents); }
inline Der text(const std::string& s) { return Der(s.begin(), s.end()); }

// integer encodes a non-negative value in the fewest two's complement octets.
inline Der integer(uint64_t v) {
  Der body;
  do {
    body.insert(body.begin(), static_cast<uint8_t>(v & 0xFF));
    v >>= 8;
  } while (v > 0);
  if (body.front() & 0x80) {
    body.insert(body.begin(), 0);
  }
  return tlv(0x02, body);
}

// OID contents octets used below.
inline const Der kOidCn = {0x55, 0x04, 0x03};
inline const Der kOidOu = {0x55, 0x04, 0x0B};
inline const Der kOidEmailAddress = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01};
inline const Der kOidEd25519 = {0x2B, 0x65, 0x70};
inline const Der kOidBasicConstraints = {0x55, 0x1D, 0x13};
inline const Der kOidKeyUsage = {0x55, 0x1D, 0x0F};
inline const Der kOidExtKeyUsage = {0x55, 0x1D, 0x25};
inline const Der kOidSan = {0x55, 0x1D, 0x11};
inline const Der kOidSki = {0x55, 0x1D, 0x0E};
inline const Der kOidAki = {0x55, 0x1D, 0x23};
inline const Der kOidNameConstraints = {0x55, 0x1D, 0x1E};
inline const Der kOidServerAuth = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
inline const Der kOidClientAuth = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02};
inline const Der kOidCodeSigning = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03};
inline const Der kOidAnyEku = {0x55, 0x1D, 0x25, 0x00};
// 1.3.6.1.4.1.55738.666.1, an extension nobody implements.
inline const Der kOidUnknown = {0x2B, 0x06, 0x01, 0x04, 0x01, 0x83, 0xB3, 0x3A, 0x85, 0x1A, 0x01};

// name builds an RDNSequence of single-attribute RDNs, UTF8String values; {} is the empty name.
inline Der name(std::initializer_list<std::pair<Der, std::string>> attrs) {
  std::vector<Der> rdns;
  for (const auto& [type, value] : attrs) {
    rdns.push_back(tlv(0x31, seq({oid(type), tlv(0x0C, text(value))})));
  }
  return seq_of(rdns);
}
inline Der cn(const std::string& value) { return name({{kOidCn, value}}); }

// GeneralName entries.
inline Der dns(const std::string& s) { return tlv(0x82, text(s)); }
inline Der email(const std::string& s) { return tlv(0x81, text(s)); }
inline Der ip(const Der& octets) { return tlv(0x87, octets); }
inline Der dir_name(const Der& name_der) { return tlv(0xA4, name_der); }
inline Der uri(const std::string& s) { return tlv(0x86, text(s)); }
// other_name is an otherName of type `type_id` with a UTF8String value (RFC 5280 §4.2.1.6).
inline Der other_name(const Der& type_id, const std::string& value) {
  return tlv(0xA0, cat({oid(type_id), tlv(0xA0, tlv(0x0C, text(value)))}));
}

// Extension encodes Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue }.
inline Der extension(const Der& id, bool critical, const Der& value) {
  if (critical) {
    return seq({oid(id), tlv(0x01, {0xFF}), tlv(0x04, value)});
  }
  return seq({oid(id), tlv(0x04, value)});
}

inline Der basic_constraints(bool ca, std::optional<uint64_t> path_len, bool critical = true) {
  std::vector<Der> body;
  if (ca) {
    body.push_back(tlv(0x01, {0xFF}));
  }
  if (path_len) {
    body.push_back(integer(*path_len));
  }
  return extension(kOidBasicConstraints, critical, seq_of(body));
}

// key_usage takes KeyUsage bit numbers (0 = digitalSignature, 5 = keyCertSign) and writes the
// DER BIT STRING (trailing zero bits dropped).
inline Der key_usage(std::initializer_list<int> bit_numbers, bool critical = false) {
  uint16_t bits = 0;
  for (int b : bit_numbers) {
    bits = static_cast<uint16_t>(bits | (1u << b));
  }
  Der octets;
  if (bits != 0) {
    octets.push_back(static_cast<uint8_t>(
        ((bits & 0x01) << 7) | ((bits & 0x02) << 5) | ((bits & 0x04) << 3) | ((bits & 0x08) << 1) |
        ((bits & 0x10) >> 1) | ((bits & 0x20) >> 3) | ((bits & 0x40) >> 5) | ((bits & 0x80) >> 7)));
    if (bits & 0x100) {
      octets.push_back(0x80);
    }
  }
  uint8_t unused = 0;
  if (!octets.empty()) {
    while (((octets.back() >> unused) & 1) == 0) {
      ++unused;
    }
  }
  Der body{unused};
  body.insert(body.end(), octets.begin(), octets.end());
  return extension(kOidKeyUsage, critical, tlv(0x03, body));
}
inline constexpr int kDigitalSignature = 0;
inline constexpr int kKeyCertSign = 5;
inline constexpr int kCrlSign = 6;

inline Der ext_key_usage(std::initializer_list<Der> purposes, bool critical = false) {
  std::vector<Der> ids;
  for (const Der& p : purposes) {
    ids.push_back(oid(p));
  }
  return extension(kOidExtKeyUsage, critical, seq_of(ids));
}

inline Der subject_alt_name(std::initializer_list<Der> names, bool critical = false) {
  return extension(kOidSan, critical, seq_of(std::vector<Der>(names)));
}

// name_constraints takes GeneralNames as subtree bases (minimum 0, no maximum).
inline Der name_constraints(std::initializer_list<Der> permitted,
                            std::initializer_list<Der> excluded, bool critical = true) {
  auto subtrees = [](uint8_t tag, std::initializer_list<Der> bases) {
    std::vector<Der> list;
    for (const Der& b : bases) {
      list.push_back(seq({b}));
    }
    return tlv(tag, cat_all(list));
  };
  std::vector<Der> body;
  if (permitted.size() > 0) {
    body.push_back(subtrees(0xA0, permitted));
  }
  if (excluded.size() > 0) {
    body.push_back(subtrees(0xA1, excluded));
  }
  return extension(kOidNameConstraints, critical, seq_of(body));
}

// TestKey is an Ed25519 key made from a 32-byte seed filled with `seed`.
struct TestKey {
  std::unique_ptr<crypto::PrivateKey> priv;
  Der spki;
  Der key_id;  // what subjectKeyIdentifier / authorityKeyIdentifier carry for this key
};

inline TestKey make_key(uint8_t seed) {
  // PrivateKeyInfo { version 0, AlgorithmIdentifier { id-Ed25519 }, OCTET STRING { OCTET
  // STRING seed } } (RFC 8410 §7).
  Der pkcs8 = seq({integer(0), seq({oid(kOidEd25519)}), tlv(0x04, tlv(0x04, Der(32, seed)))});
  TestKey k;
  auto parsed = crypto::default_provider().parse_private_key(pkcs8);
  EXPECT_TRUE(parsed.ok());
  if (!parsed.ok()) {
    return k;
  }
  k.priv = std::move(parsed).value();
  k.spki = k.priv->public_key_info();
  k.key_id = Der(20, seed);
  k.key_id[0] = 0x4B;
  return k;
}

// CertSpec is one certificate to sign. `extensions` go in order, as given; empty means no
// extensions field at all (and then version 1 is allowed).
struct CertSpec {
  int version = 3;
  uint64_t serial = 1;
  Der serial_contents;  // when set, the INTEGER's contents octets as given (long, zero, negative)
  Der issuer;
  Der subject;
  // Times as UTCTime (13 characters, YYMMDDHHMMSSZ) or GeneralizedTime (15) text; the tag
  // follows the length unless forced.
  std::string not_before = "700101000000Z";
  std::string not_after = "29991231235959Z";
  std::vector<Der> extensions;
};

inline Der time_value(const std::string& t) {
  return tlv(t.size() == 13 ? uint8_t{0x17} : uint8_t{0x18}, text(t));
}

// signature_bits signs `tbs` with `key` (Ed25519) and returns the signatureValue BIT STRING.
inline Der signature_bits(const Der& tbs, const TestKey& key) {
  auto sig = key.priv->sign(crypto::SignatureAlgorithm::ed25519, tbs);
  EXPECT_TRUE(sig.ok());
  Der bits{0};
  if (sig.ok()) {
    bits.insert(bits.end(), sig->begin(), sig->end());
  }
  return tlv(0x03, bits);
}

// sign_cert writes TBSCertificate and Certificate and signs with `issuer_key` (Ed25519).
inline Der sign_cert(const CertSpec& spec, const TestKey& subject_key, const TestKey& issuer_key) {
  Der alg = seq({oid(kOidEd25519)});
  std::vector<Der> tbs;
  if (spec.version != 1) {
    tbs.push_back(tlv(0xA0, integer(static_cast<uint64_t>(spec.version - 1))));
  }
  tbs.push_back(spec.serial_contents.empty() ? integer(spec.serial)
                                             : tlv(0x02, spec.serial_contents));
  tbs.push_back(alg);
  tbs.push_back(spec.issuer);
  tbs.push_back(seq({time_value(spec.not_before), time_value(spec.not_after)}));
  tbs.push_back(spec.subject);
  tbs.push_back(subject_key.spki);
  if (!spec.extensions.empty()) {
    tbs.push_back(tlv(0xA3, seq_of(spec.extensions)));
  }
  Der tbs_der = seq_of(tbs);
  return seq({tbs_der, alg, signature_bits(tbs_der, issuer_key)});
}

inline Der ski(const TestKey& k) { return extension(kOidSki, false, tlv(0x04, k.key_id)); }
inline Der aki(const Der& key_id) { return extension(kOidAki, false, seq({tlv(0x80, key_id)})); }

// The shapes of x509-limbo's default root, intermediate and leaf (limbo/testcases/_core.py),
// re-made here: a root "CN=x509-limbo-root" with basicConstraints cA (critical), keyUsage
// keyCertSign, SAN example.com and SKI; an intermediate adds AKI; a leaf "CN=example.com" has
// SKI, AKI, keyUsage digitalSignature, EKU serverAuth and SAN example.com.
struct Issued {
  Der der;
  Der subject;
  const TestKey* key = nullptr;
};

inline CertSpec root_spec(const TestKey& key, const Der& subject = cn("x509-limbo-root")) {
  CertSpec s;
  s.issuer = subject;
  s.subject = subject;
  s.extensions = {basic_constraints(true, std::nullopt), key_usage({kKeyCertSign}),
                  subject_alt_name({dns("example.com")}), ski(key)};
  return s;
}

inline CertSpec intermediate_spec(const Issued& parent, const TestKey& key,
                                  std::optional<uint64_t> path_len, const Der& subject) {
  CertSpec s;
  s.issuer = parent.subject;
  s.subject = subject;
  s.serial = 2;
  s.extensions = {basic_constraints(true, path_len), key_usage({kKeyCertSign}),
                  subject_alt_name({dns("example.com")}), aki(parent.key->key_id), ski(key)};
  return s;
}

inline CertSpec leaf_spec(const Issued& parent, const TestKey& key,
                          const Der& san = subject_alt_name({dns("example.com")})) {
  CertSpec s;
  s.issuer = parent.subject;
  s.subject = cn("example.com");
  s.serial = 3;
  s.extensions = {ski(key), aki(parent.key->key_id), key_usage({kDigitalSignature}),
                  ext_key_usage({kOidServerAuth}), san};
  return s;
}

inline Issued issue(const CertSpec& spec, const TestKey& key, const TestKey& issuer_key) {
  return Issued{sign_cert(spec, key, issuer_key), spec.subject, &key};
}

}  // namespace hs::x509::testing

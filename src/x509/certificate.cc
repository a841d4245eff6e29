#include "x509/certificate.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "x509/der.h"

namespace hs::x509 {

namespace {

using Span = std::span<const uint8_t>;

Error bad(std::string detail) {
  return Error(ErrorCode::bad_certificate, "certificate", std::move(detail));
}

bool eq(Span a, Span b) { return std::ranges::equal(a, b); }

// Algorithm OIDs (contents octets).
constexpr uint8_t kPkcs1Prefix[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01};
constexpr uint8_t kRsaEncryption[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};
constexpr uint8_t kRsassaPss[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A};
constexpr uint8_t kMgf1[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x08};
constexpr uint8_t kEcdsaWithSha1[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01};
constexpr uint8_t kEcdsaWithSha2Prefix[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03};
constexpr uint8_t kEd25519[] = {0x2B, 0x65, 0x70};
constexpr uint8_t kEd448[] = {0x2B, 0x65, 0x71};
constexpr uint8_t kEcPublicKey[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};
constexpr uint8_t kPrime256v1[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
constexpr uint8_t kSecp384r1[] = {0x2B, 0x81, 0x04, 0x00, 0x22};
constexpr uint8_t kSecp521r1[] = {0x2B, 0x81, 0x04, 0x00, 0x23};
constexpr uint8_t kNullDer[] = {0x05, 0x00};

// with_last reports whether `oid` is `prefix` followed by the single arc `last`.
bool with_last(Span oid, Span prefix, uint8_t last) {
  return oid.size() == prefix.size() + 1 && eq(oid.first(prefix.size()), prefix) &&
         oid.back() == last;
}

SignatureOid classify_signature(Span oid) {
  if (oid.size() == sizeof(kPkcs1Prefix) + 1 && eq(oid.first(sizeof(kPkcs1Prefix)), kPkcs1Prefix)) {
    switch (oid.back()) {
      case 0x04:
        return SignatureOid::md5_with_rsa;
      case 0x05:
        return SignatureOid::sha1_with_rsa;
      case 0x0A:
        return SignatureOid::rsassa_pss;
      case 0x0B:
        return SignatureOid::sha256_with_rsa;
      case 0x0C:
        return SignatureOid::sha384_with_rsa;
      case 0x0D:
        return SignatureOid::sha512_with_rsa;
      case 0x0E:
        return SignatureOid::sha224_with_rsa;
      default:
        return SignatureOid::unknown;
    }
  }
  if (eq(oid, kEcdsaWithSha1)) {
    return SignatureOid::ecdsa_with_sha1;
  }
  if (with_last(oid, kEcdsaWithSha2Prefix, 1)) {
    return SignatureOid::ecdsa_with_sha224;
  }
  if (with_last(oid, kEcdsaWithSha2Prefix, 2)) {
    return SignatureOid::ecdsa_with_sha256;
  }
  if (with_last(oid, kEcdsaWithSha2Prefix, 3)) {
    return SignatureOid::ecdsa_with_sha384;
  }
  if (with_last(oid, kEcdsaWithSha2Prefix, 4)) {
    return SignatureOid::ecdsa_with_sha512;
  }
  if (eq(oid, kEd25519)) {
    return SignatureOid::ed25519;
  }
  if (eq(oid, kEd448)) {
    return SignatureOid::ed448;
  }
  return SignatureOid::unknown;
}

// sha2_of returns the SHA-2 arc (1 = SHA-256, 2 = SHA-384, 3 = SHA-512) of a hash
// AlgorithmIdentifier whose parameters are NULL or absent (RFC 4055 §2.1), or 0.
uint8_t sha2_of(Span alg_der) {
  DerReader outer(alg_der);
  DerReader seq;
  Span oid;
  if (!outer.read_constructed(tag::kSequence, seq) || !outer.expect_end() || !seq.read_oid(oid)) {
    return 0;
  }
  if (!seq.empty() && (!seq.read_null() || !seq.expect_end())) {
    return 0;
  }
  for (uint8_t arc = 1; arc <= 3; ++arc) {
    if (with_last(oid, oid::kSha2Prefix, arc)) {
      return arc;
    }
  }
  return 0;
}

// pss_algorithm maps RSASSA-PSS-params (RFC 4055 §3.1) to the one shape TLS uses: SHA-2 hash,
// MGF1 with the same hash, salt as long as the hash, trailer 1 (RFC 8446 §4.2.3).
std::optional<crypto::SignatureAlgorithm> pss_algorithm(Span params) {
  DerReader outer(params);
  DerReader seq;
  if (!outer.read_constructed(tag::kSequence, seq) || !outer.expect_end()) {
    return std::nullopt;
  }
  DerReader hash_field, mgf_field, salt_field;
  Tlv hash_alg, mgf_alg;
  if (!seq.read_constructed(tag::context_constructed(0), hash_field) ||
      !hash_field.read(tag::kSequence, hash_alg) || !hash_field.expect_end() ||
      !seq.read_constructed(tag::context_constructed(1), mgf_field) ||
      !mgf_field.read(tag::kSequence, mgf_alg) || !mgf_field.expect_end()) {
    return std::nullopt;  // the SHA-1 defaults are not for us
  }
  uint64_t salt = 20;
  if (!seq.read_constructed(tag::context_constructed(2), salt_field) ||
      !salt_field.read_small_uint(1024, salt) || !salt_field.expect_end()) {
    return std::nullopt;
  }
  // trailerField [3] DEFAULT 1 and RFC 4055 §3.1 allows only 1, so in DER it is absent.
  if (!seq.expect_end()) {
    return std::nullopt;
  }
  uint8_t hash = sha2_of(hash_alg.raw);
  DerReader mgf(mgf_alg.value);
  Span mgf_oid;
  Tlv mgf_hash;
  if (hash == 0 || !mgf.read_oid(mgf_oid) || !eq(mgf_oid, kMgf1) ||
      !mgf.read(tag::kSequence, mgf_hash) || !mgf.expect_end() || sha2_of(mgf_hash.raw) != hash) {
    return std::nullopt;
  }
  switch (hash) {
    case 1:
      return salt == 32 ? std::optional(crypto::SignatureAlgorithm::rsa_pss_sha256) : std::nullopt;
    case 2:
      return salt == 48 ? std::optional(crypto::SignatureAlgorithm::rsa_pss_sha384) : std::nullopt;
    default:
      return salt == 64 ? std::optional(crypto::SignatureAlgorithm::rsa_pss_sha512) : std::nullopt;
  }
}

std::optional<crypto::SignatureAlgorithm> map_signature(SignatureOid s, Span params) {
  using A = crypto::SignatureAlgorithm;
  // RFC 4055 §5: for the PKCS #1 v1.5 algorithms "the parameters MUST be present and MUST be
  // NULL" (absent parameters are tolerated by most implementations; we accept both).
  const bool rsa_params_ok = params.empty() || eq(params, kNullDer);
  // RFC 5758 §3.2 (ECDSA) and RFC 8410 §3 (EdDSA): the parameters MUST be absent.
  const bool absent = params.empty();
  switch (s) {
    case SignatureOid::sha256_with_rsa:
      return rsa_params_ok ? std::optional(A::rsa_pkcs1_sha256) : std::nullopt;
    case SignatureOid::sha384_with_rsa:
      return rsa_params_ok ? std::optional(A::rsa_pkcs1_sha384) : std::nullopt;
    case SignatureOid::sha512_with_rsa:
      return rsa_params_ok ? std::optional(A::rsa_pkcs1_sha512) : std::nullopt;
    case SignatureOid::rsassa_pss:
      return pss_algorithm(params);
    case SignatureOid::ecdsa_with_sha256:
      return absent ? std::optional(A::ecdsa_sha256) : std::nullopt;
    case SignatureOid::ecdsa_with_sha384:
      return absent ? std::optional(A::ecdsa_sha384) : std::nullopt;
    case SignatureOid::ecdsa_with_sha512:
      return absent ? std::optional(A::ecdsa_sha512) : std::nullopt;
    case SignatureOid::ed25519:
      return absent ? std::optional(A::ed25519) : std::nullopt;
    case SignatureOid::ed448:
      return absent ? std::optional(A::ed448) : std::nullopt;
    case SignatureOid::unknown:
    case SignatureOid::md5_with_rsa:
    case SignatureOid::sha1_with_rsa:
    case SignatureOid::sha224_with_rsa:
    case SignatureOid::ecdsa_with_sha1:
    case SignatureOid::ecdsa_with_sha224:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<crypto::KeyType> classify_key(const AlgorithmIdentifier& alg) {
  if (eq(alg.oid, kRsaEncryption)) {
    return crypto::KeyType::rsa;
  }
  if (eq(alg.oid, kRsassaPss)) {
    return crypto::KeyType::rsa_pss;
  }
  if (eq(alg.oid, kEd25519)) {
    return crypto::KeyType::ed25519;
  }
  if (eq(alg.oid, kEd448)) {
    return crypto::KeyType::ed448;
  }
  if (eq(alg.oid, kEcPublicKey)) {
    // RFC 5480 §2.1.1: ECParameters is a CHOICE; only namedCurve is allowed in PKIX.
    DerReader params(alg.params);
    Span curve;
    if (!params.read_oid(curve) || !params.expect_end()) {
      return std::nullopt;
    }
    if (eq(curve, kPrime256v1)) {
      return crypto::KeyType::ec_p256;
    }
    if (eq(curve, kSecp384r1)) {
      return crypto::KeyType::ec_p384;
    }
    if (eq(curve, kSecp521r1)) {
      return crypto::KeyType::ec_p521;
    }
  }
  return std::nullopt;
}

bool is_ia5(Span s) {
  return std::ranges::all_of(s, [](uint8_t c) { return c < 0x80; });
}

// read_general_name reads one GeneralName (RFC 5280 §4.2.1.6). Inside name constraints an
// iPAddress is an address and a mask (RFC 5280 §4.2.1.10), so 8 or 32 octets.
bool read_general_name(DerReader& in, GeneralName& out, bool in_constraints) {
  Tlv tlv;
  if (!in.read_any(tlv)) {
    return false;
  }
  using T = GeneralName::Type;
  switch (tlv.tag) {
    case tag::context_constructed(0):
      out.type = T::other_name;
      break;
    case tag::context_primitive(1):
      out.type = T::rfc822_name;
      break;
    case tag::context_primitive(2):
      out.type = T::dns_name;
      break;
    case tag::context_constructed(3):
      out.type = T::x400_address;
      break;
    case tag::context_constructed(4):
      out.type = T::directory_name;
      break;
    case tag::context_constructed(5):
      out.type = T::edi_party_name;
      break;
    case tag::context_primitive(6):
      out.type = T::uri;
      break;
    case tag::context_primitive(7):
      out.type = T::ip_address;
      break;
    case tag::context_primitive(8):
      out.type = T::registered_id;
      break;
    default:
      return false;
  }
  switch (out.type) {
    case T::rfc822_name:
    case T::dns_name:
    case T::uri:
      if (!is_ia5(tlv.value)) {
        return false;
      }
      out.value = copy_octets(tlv.value);
      return true;
    case T::ip_address: {
      const size_t n = tlv.value.size();
      const bool ok = in_constraints ? (n == 8 || n == 32) : (n == 4 || n == 16);
      if (!ok) {
        return false;
      }
      out.value = copy_octets(tlv.value);
      return true;
    }
    case T::directory_name: {
      // Name is a CHOICE, so the [4] tag is explicit: it wraps the RDNSequence.
      DerReader inner(tlv.value);
      Tlv name;
      if (!inner.read(tag::kSequence, name) || !inner.expect_end() || !parse_name(name.raw)) {
        return false;
      }
      out.value = copy_octets(name.raw);
      return true;
    }
    case T::other_name:
    case T::x400_address:
    case T::edi_party_name:
    case T::registered_id:
      out.value = copy_octets(tlv.value);
      return true;
  }
  return false;
}

// read_general_names reads GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName from `body`
// (the SEQUENCE's contents).
bool read_general_names(DerReader body, std::vector<GeneralName>& out) {
  if (body.empty()) {
    return false;
  }
  while (!body.empty()) {
    GeneralName name;
    if (!read_general_name(body, name, /*in_constraints=*/false)) {
      return false;
    }
    out.push_back(std::move(name));
  }
  return true;
}

// single_sequence opens the DER of an extension value that is one SEQUENCE.
bool single_sequence(Span value, DerReader& body) {
  DerReader in(value);
  return in.read_constructed(tag::kSequence, body) && in.expect_end();
}

bool parse_basic_constraints(Span value, BasicConstraints& out) {
  // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE,
  //                                 pathLenConstraint INTEGER (0..MAX) OPTIONAL }
  DerReader seq;
  if (!single_sequence(value, seq)) {
    return false;
  }
  uint8_t t;
  if (seq.peek_tag(t) && t == tag::kBoolean) {
    // X.690 §11.5: a value equal to its DEFAULT is omitted, so an encoded cA is TRUE.
    if (!seq.read_bool(out.ca) || !out.ca) {
      return false;
    }
  }
  if (seq.peek_tag(t)) {
    uint64_t n;
    if (!seq.read_small_uint(UINT32_MAX, n)) {
      return false;
    }
    out.path_len = n;
  }
  return seq.expect_end();
}

bool parse_key_usage(Span value, KeyUsage& out) {
  DerReader in(value);
  Span bits;
  uint8_t unused;
  if (!in.read_bit_string(bits, unused) || !in.expect_end()) {
    return false;
  }
  uint16_t v = 0;
  for (size_t i = 0; i < bits.size() && i < 2; ++i) {
    for (unsigned b = 0; b < 8; ++b) {
      if (bits[i] & (0x80u >> b)) {
        v = static_cast<uint16_t>(v | (1u << (i * 8 + b)));
      }
    }
  }
  // RFC 5280 §4.2.1.3: "When the keyUsage extension appears in a certificate, at least one of
  // the bits MUST be set to 1."
  if (v == 0) {
    return false;
  }
  out.bits = v;
  return true;
}

bool parse_ext_key_usage(Span value, std::vector<Bytes>& out) {
  // ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
  DerReader seq;
  if (!single_sequence(value, seq) || seq.empty()) {
    return false;
  }
  while (!seq.empty()) {
    Span oid;
    if (!seq.read_oid(oid)) {
      return false;
    }
    out.push_back(copy_octets(oid));
  }
  return true;
}

bool parse_octet_string(Span value, Bytes& out) {
  DerReader in(value);
  Tlv tlv;
  if (!in.read(tag::kOctetString, tlv) || !in.expect_end()) {
    return false;
  }
  out = copy_octets(tlv.value);
  return true;
}

bool read_subtrees(DerReader body, std::vector<GeneralName>& out) {
  // GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree
  // GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] BaseDistance DEFAULT 0,
  //                               maximum [1] BaseDistance OPTIONAL }
  if (body.empty()) {
    return false;
  }
  while (!body.empty()) {
    DerReader subtree;
    GeneralName base;
    if (!body.read_constructed(tag::kSequence, subtree) ||
        !read_general_name(subtree, base, /*in_constraints=*/true)) {
      return false;
    }
    // RFC 5280 §4.2.1.10: "the minimum MUST be zero, and maximum MUST be absent"; DER omits
    // the zero DEFAULT, so nothing may follow the base.
    if (!subtree.expect_end()) {
      return false;
    }
    out.push_back(std::move(base));
  }
  return true;
}

bool parse_name_constraints(Span value, NameConstraints& out) {
  // NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL,
  //                                excludedSubtrees  [1] GeneralSubtrees OPTIONAL }
  DerReader seq;
  if (!single_sequence(value, seq)) {
    return false;
  }
  std::optional<Tlv> permitted, excluded;
  if (!seq.read_optional(tag::context_constructed(0), permitted) ||
      !seq.read_optional(tag::context_constructed(1), excluded) || !seq.expect_end()) {
    return false;
  }
  // RFC 5280 §4.2.1.10: "Conforming CAs MUST NOT issue certificates where name constraints is
  // an empty sequence."
  if (!permitted && !excluded) {
    return false;
  }
  if (permitted && !read_subtrees(DerReader(permitted->value), out.permitted)) {
    return false;
  }
  if (excluded && !read_subtrees(DerReader(excluded->value), out.excluded)) {
    return false;
  }
  return true;
}

// parse_known_extension fills the parsed field for the extensions we process. Returns nullopt
// for an unrecognised OID, false for a malformed value.
std::optional<bool> parse_known_extension(const Extension& ext, Certificate& cert) {
  const Span v = ext.value;
  if (eq(ext.oid, oid::kBasicConstraints)) {
    BasicConstraints bc;
    if (!parse_basic_constraints(v, bc)) {
      return false;
    }
    cert.basic_constraints = bc;
    return true;
  }
  if (eq(ext.oid, oid::kKeyUsage)) {
    KeyUsage ku;
    if (!parse_key_usage(v, ku)) {
      return false;
    }
    cert.key_usage = ku;
    return true;
  }
  if (eq(ext.oid, oid::kExtKeyUsage)) {
    std::vector<Bytes> ekus;
    if (!parse_ext_key_usage(v, ekus)) {
      return false;
    }
    cert.ext_key_usage = std::move(ekus);
    return true;
  }
  if (eq(ext.oid, oid::kSubjectAltName)) {
    // RFC 5280 §4.2.1.6: "If the subjectAltName extension is present, the sequence MUST
    // contain at least one entry." (read_general_names enforces SIZE (1..MAX)).
    DerReader seq;
    if (!single_sequence(v, seq) || !read_general_names(seq, cert.subject_alt_names)) {
      return false;
    }
    cert.has_subject_alt_name = true;
    return true;
  }
  if (eq(ext.oid, oid::kSubjectKeyIdentifier)) {
    Bytes id;
    if (!parse_octet_string(v, id)) {
      return false;
    }
    cert.subject_key_id = std::move(id);
    return true;
  }
  if (eq(ext.oid, oid::kAuthorityKeyIdentifier)) {
    return parse_authority_key_identifier(v, cert.authority_key_id);
  }
  if (eq(ext.oid, oid::kNameConstraints)) {
    NameConstraints nc;
    if (!parse_name_constraints(v, nc)) {
      return false;
    }
    cert.name_constraints = std::move(nc);
    return true;
  }
  if (eq(ext.oid, oid::kCertificatePolicies)) {
    // certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation; kept raw for the
    // validator.
    DerReader seq;
    if (!single_sequence(v, seq) || seq.empty()) {
      return false;
    }
    cert.certificate_policies = copy_octets(v);
    return true;
  }
  if (eq(ext.oid, oid::kTlsFeature)) {
    // RFC 7633 §6: Features ::= SEQUENCE OF INTEGER (TLS extension numbers).
    DerReader seq;
    if (!single_sequence(v, seq)) {
      return false;
    }
    std::vector<uint16_t> features;
    while (!seq.empty()) {
      uint64_t feature = 0;
      if (!seq.read_small_uint(0xFFFF, feature)) {
        return false;
      }
      features.push_back(static_cast<uint16_t>(feature));
    }
    cert.tls_features = std::move(features);
    return true;
  }
  return std::nullopt;
}

Result<void> parse_extensions(DerReader seq, Certificate& cert) {
  cert.extensions = HS_TRY(read_extensions(seq, "certificate"));
  for (Extension& ext : cert.extensions) {
    std::optional<bool> known = parse_known_extension(ext, cert);
    if (known && !*known) {
      return bad("malformed extension " + oid_to_string(ext.oid));
    }
    ext.recognised = known.has_value();
    // RFC 5280 §4.2: "A certificate-using system MUST reject the certificate if it encounters a
    // critical extension it does not recognize"; that is the validator's decision, recorded
    // here.
    if (ext.critical && !ext.recognised) {
      cert.has_unknown_critical = true;
    }
  }
  return ok_result();
}

// Short names as OpenSSL's OBJ_nid2sn spells them, which curl prints.
struct ShortName {
  std::string_view dotted;
  std::string_view name;
};
constexpr std::array<ShortName, 26> kShortNames = {{
    {"2.5.4.3", "CN"},
    {"2.5.4.4", "SN"},
    {"2.5.4.5", "serialNumber"},
    {"2.5.4.6", "C"},
    {"2.5.4.7", "L"},
    {"2.5.4.8", "ST"},
    {"2.5.4.9", "street"},
    {"2.5.4.10", "O"},
    {"2.5.4.11", "OU"},
    {"2.5.4.12", "title"},
    {"2.5.4.13", "description"},
    {"2.5.4.15", "businessCategory"},
    {"2.5.4.17", "postalCode"},
    {"2.5.4.41", "name"},
    {"2.5.4.42", "GN"},
    {"2.5.4.43", "initials"},
    {"2.5.4.44", "generationQualifier"},
    {"2.5.4.46", "dnQualifier"},
    {"2.5.4.65", "pseudonym"},
    {"2.5.4.97", "organizationIdentifier"},
    {"1.2.840.113549.1.9.1", "emailAddress"},
    {"0.9.2342.19200300.100.1.25", "DC"},
    {"0.9.2342.19200300.100.1.1", "UID"},
    {"1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL"},
    {"1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST"},
    {"1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC"},
}};

std::string attribute_name(Span oid) {
  std::string dotted = oid_to_string(oid);
  for (const ShortName& s : kShortNames) {
    if (s.dotted == dotted) {
      return std::string(s.name);
    }
  }
  return dotted;
}

// append_char writes one character as OpenSSL's do_esc_char does with no escape flags.
void append_char(std::string& out, uint32_t c) {
  std::array<char, 16> buf{};
  if (c > 0xFFFF) {
    std::snprintf(buf.data(), buf.size(), "\\W%08X", c);
    out += buf.data();
  } else if (c > 0xFF) {
    std::snprintf(buf.data(), buf.size(), "\\U%04X", c);
    out += buf.data();
  } else {
    out.push_back(static_cast<char>(c));
  }
}

// decode_string turns a string value into code points as OpenSSL's do_buf does: UTF8String is
// UTF-8, BMPString is UCS-2, UniversalString is UCS-4, everything else is one octet per
// character. False for malformed input.
bool decode_string(uint8_t string_tag, Span v, std::vector<uint32_t>& out) {
  codec::Reader in(v);
  if (string_tag == tag::kBmpString || string_tag == tag::kUniversalString) {
    const bool wide = string_tag == tag::kUniversalString;
    while (!in.empty()) {
      uint32_t c;
      uint16_t c16;
      if (wide ? !in.read_u32(c) : !in.read_u16(c16)) {
        return false;
      }
      out.push_back(wide ? c : c16);
    }
    return true;
  }
  if (string_tag != tag::kUtf8String) {
    for (uint8_t b : v) {
      out.push_back(b);
    }
    return true;
  }
  while (!in.empty()) {
    uint8_t b;
    if (!in.read_u8(b)) {
      return false;
    }
    size_t extra;
    uint32_t c;
    uint32_t min;
    if (b < 0x80) {
      out.push_back(b);
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      extra = 1, c = b & 0x1Fu, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      extra = 2, c = b & 0x0Fu, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      extra = 3, c = b & 0x07u, min = 0x10000;
    } else {
      return false;
    }
    for (size_t i = 0; i < extra; ++i) {
      uint8_t cont;
      if (!in.read_u8(cont) || (cont & 0xC0) != 0x80) {
        return false;
      }
      c = (c << 6) | (cont & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
      return false;  // overlong, out of range, or a surrogate
    }
    out.push_back(c);
  }
  return true;
}

}  // namespace

bool read_algorithm(DerReader& in, AlgorithmIdentifier& out, Span& raw) {
  Tlv whole;
  if (!in.read(tag::kSequence, whole)) {
    return false;
  }
  DerReader seq(whole.value);
  Span oid;
  if (!seq.read_oid(oid)) {
    return false;
  }
  Tlv params;
  if (!seq.empty() && !seq.read_any(params)) {
    return false;
  }
  if (!seq.expect_end()) {
    return false;
  }
  out.oid = copy_octets(oid);
  out.params = copy_octets(params.raw);
  raw = whole.raw;
  return true;
}

Result<std::vector<Extension>> read_extensions(DerReader seq, const char* context) {
  auto refused = [&](std::string detail) {
    return Error(ErrorCode::bad_certificate, context, std::move(detail));
  };
  // Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
  if (seq.empty()) {
    return refused("empty extensions");
  }
  std::vector<Extension> out;
  while (!seq.empty()) {
    // Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE,
    //                          extnValue OCTET STRING }
    DerReader e;
    Span oid;
    Extension ext;
    if (!seq.read_constructed(tag::kSequence, e) || !e.read_oid(oid)) {
      return refused("malformed extension");
    }
    ext.oid = copy_octets(oid);
    uint8_t t;
    if (e.peek_tag(t) && t == tag::kBoolean) {
      // X.690 §11.5: "The encoding of a set value or sequence value shall not include an
      // encoding for any component value which is equal to its default value."
      if (!e.read_bool(ext.critical) || !ext.critical) {
        return refused("extension " + oid_to_string(oid) + ": critical FALSE encoded explicitly");
      }
    }
    Tlv value;
    if (!e.read(tag::kOctetString, value) || !e.expect_end()) {
      return refused("malformed extension " + oid_to_string(oid));
    }
    ext.value = copy_octets(value.value);
    // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular
    // extension"; §5.2 says the same of CRLs.
    for (const Extension& prior : out) {
      if (prior.oid == ext.oid) {
        return refused("duplicate extension " + oid_to_string(oid));
      }
    }
    out.push_back(std::move(ext));
  }
  return out;
}

bool parse_authority_key_identifier(Span value, std::optional<Bytes>& key_id) {
  // AuthorityKeyIdentifier ::= SEQUENCE {
  //   keyIdentifier             [0] KeyIdentifier           OPTIONAL,
  //   authorityCertIssuer       [1] GeneralNames            OPTIONAL,
  //   authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL }
  DerReader seq;
  if (!single_sequence(value, seq)) {
    return false;
  }
  std::optional<Tlv> id, issuer;
  if (!seq.read_optional(tag::context_primitive(0), id) ||
      !seq.read_optional(tag::context_constructed(1), issuer)) {
    return false;
  }
  if (issuer) {
    std::vector<GeneralName> names;
    if (!read_general_names(DerReader(issuer->value), names)) {
      return false;
    }
  }
  uint8_t t;
  if (seq.peek_tag(t)) {
    Span serial;
    if (!seq.read_integer(serial, tag::context_primitive(2))) {
      return false;
    }
  }
  if (!seq.expect_end()) {
    return false;
  }
  if (id) {
    key_id = copy_octets(id->value);
  }
  return true;
}

bool read_general_name_list(DerReader body, std::vector<GeneralName>& out) {
  return read_general_names(std::move(body), out);
}

std::string_view signature_oid_name(SignatureOid s) {
  switch (s) {
    case SignatureOid::unknown:
      return "unknown";
    case SignatureOid::md5_with_rsa:
      return "md5WithRSAEncryption";
    case SignatureOid::sha1_with_rsa:
      return "sha1WithRSAEncryption";
    case SignatureOid::sha224_with_rsa:
      return "sha224WithRSAEncryption";
    case SignatureOid::sha256_with_rsa:
      return "sha256WithRSAEncryption";
    case SignatureOid::sha384_with_rsa:
      return "sha384WithRSAEncryption";
    case SignatureOid::sha512_with_rsa:
      return "sha512WithRSAEncryption";
    case SignatureOid::rsassa_pss:
      return "rsassaPss";
    case SignatureOid::ecdsa_with_sha1:
      return "ecdsa-with-SHA1";
    case SignatureOid::ecdsa_with_sha224:
      return "ecdsa-with-SHA224";
    case SignatureOid::ecdsa_with_sha256:
      return "ecdsa-with-SHA256";
    case SignatureOid::ecdsa_with_sha384:
      return "ecdsa-with-SHA384";
    case SignatureOid::ecdsa_with_sha512:
      return "ecdsa-with-SHA512";
    case SignatureOid::ed25519:
      return "ED25519";
    case SignatureOid::ed448:
      return "ED448";
  }
  return "unknown";
}

Result<Name> parse_name(std::span<const uint8_t> der) {
  // Name ::= CHOICE { rdnSequence RDNSequence }
  // RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
  // RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
  // AttributeTypeAndValue ::= SEQUENCE { type AttributeType, value AttributeValue }
  DerReader in(der);
  Tlv whole;
  if (!in.read(tag::kSequence, whole) || !in.expect_end()) {
    return bad("malformed name");
  }
  Name name;
  name.raw = copy_octets(whole.raw);
  DerReader rdns(whole.value);
  for (size_t index = 0; !rdns.empty(); ++index) {
    DerReader rdn;
    if (!rdns.read_constructed(tag::kSet, rdn) || rdn.empty()) {
      return bad("malformed relative distinguished name");
    }
    while (!rdn.empty()) {
      DerReader atv;
      Span type;
      Tlv value;
      if (!rdn.read_constructed(tag::kSequence, atv) || !atv.read_oid(type) ||
          !atv.read_any(value) || !atv.expect_end()) {
        return bad("malformed name attribute");
      }
      name.attributes.push_back(
          NameAttribute{copy_octets(type), value.tag, copy_octets(value.value), index});
    }
  }
  return name;
}

std::string to_string(const Name& name) {
  std::string out;
  for (size_t i = 0; i < name.attributes.size(); ++i) {
    const NameAttribute& a = name.attributes[i];
    if (i > 0) {
      out += a.rdn == name.attributes[i - 1].rdn ? " + " : "; ";
    }
    out += attribute_name(a.oid);
    out += '=';
    std::vector<uint32_t> chars;
    if (!decode_string(a.string_tag, a.value, chars)) {
      break;  // OpenSSL stops printing at a value it cannot decode
    }
    for (uint32_t c : chars) {
      append_char(out, c);
    }
  }
  return out;
}

std::string format_ip(std::span<const uint8_t> addr) {
  std::array<char, 8> buf{};
  std::string out;
  if (addr.size() == 4) {
    for (size_t i = 0; i < 4; ++i) {
      if (i > 0) {
        out += '.';
      }
      out += std::to_string(addr[i]);
    }
    return out;
  }
  if (addr.size() != 16) {
    return out;
  }
  // RFC 5952 §5: IPv4-mapped addresses are written "::ffff:" and a dotted quad.
  const bool mapped = std::ranges::all_of(addr.first(10), [](uint8_t b) { return b == 0; }) &&
                      addr[10] == 0xFF && addr[11] == 0xFF;
  if (mapped) {
    return "::ffff:" + format_ip(addr.last(4));
  }
  std::array<uint16_t, 8> groups{};
  for (size_t i = 0; i < 8; ++i) {
    groups[i] = static_cast<uint16_t>(addr[2 * i] << 8 | addr[2 * i + 1]);
  }
  // RFC 5952 §4.2: "::" replaces the longest run (first on a tie) of two or more zero groups.
  size_t best = 8, best_len = 0;
  for (size_t i = 0; i < 8;) {
    size_t j = i;
    while (j < 8 && groups[j] == 0) {
      ++j;
    }
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  for (size_t i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') {
      out += ':';
    }
    std::snprintf(buf.data(), buf.size(), "%x", groups[i]);
    out += buf.data();
  }
  return out;
}

std::vector<std::string> Certificate::dns_names() const {
  std::vector<std::string> out;
  for (const GeneralName& n : subject_alt_names) {
    if (n.type == GeneralName::Type::dns_name) {
      out.emplace_back(n.value.begin(), n.value.end());
    }
  }
  return out;
}

std::vector<Bytes> Certificate::ip_addresses() const {
  std::vector<Bytes> out;
  for (const GeneralName& n : subject_alt_names) {
    if (n.type == GeneralName::Type::ip_address) {
      out.push_back(n.value);
    }
  }
  return out;
}

bool Certificate::requires_stapled_ocsp() const {
  constexpr uint16_t kStatusRequest = 5;  // RFC 6066 §8
  return tls_features && std::ranges::find(*tls_features, kStatusRequest) != tls_features->end();
}

const Extension* Certificate::find_extension(std::span<const uint8_t> oid) const {
  for (const Extension& e : extensions) {
    if (eq(e.oid, oid)) {
      return &e;
    }
  }
  return nullptr;
}

std::optional<crypto::SignatureAlgorithm> signature_algorithm_of(const AlgorithmIdentifier& alg) {
  return map_signature(classify_signature(alg.oid), alg.params);
}

Result<Certificate> parse_certificate(std::span<const uint8_t> der) {
  // Certificate ::= SEQUENCE { tbsCertificate TBSCertificate,
  //   signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
  DerReader top(der);
  DerReader body;
  if (!top.read_constructed(tag::kSequence, body)) {
    return bad("not a DER SEQUENCE");
  }
  if (!top.expect_end()) {
    return bad("trailing data after the certificate");
  }
  Certificate cert;
  cert.der = copy_octets(der);
  Tlv tbs_tlv;
  if (!body.read(tag::kSequence, tbs_tlv)) {
    return bad("malformed tbsCertificate");
  }
  cert.tbs_raw = copy_octets(tbs_tlv.raw);
  Span outer_alg_raw;
  Span signature;
  if (!read_algorithm(body, cert.signature_algorithm, outer_alg_raw)) {
    return bad("malformed signatureAlgorithm");
  }
  if (!body.read_bit_string_octets(signature) || !body.expect_end()) {
    return bad("malformed signatureValue");
  }
  cert.signature_value = copy_octets(signature);

  // TBSCertificate ::= SEQUENCE {
  //   version [0] EXPLICIT Version DEFAULT v1, serialNumber CertificateSerialNumber,
  //   signature AlgorithmIdentifier, issuer Name, validity Validity, subject Name,
  //   subjectPublicKeyInfo SubjectPublicKeyInfo,
  //   issuerUniqueID [1] IMPLICIT UniqueIdentifier OPTIONAL,   -- v2 or v3
  //   subjectUniqueID [2] IMPLICIT UniqueIdentifier OPTIONAL,  -- v2 or v3
  //   extensions [3] EXPLICIT Extensions OPTIONAL }            -- v3
  DerReader tbs(tbs_tlv.value);
  uint8_t t;
  if (tbs.peek_tag(t) && t == tag::context_constructed(0)) {
    DerReader version;
    uint64_t v;
    if (!tbs.read_constructed(t, version) || !version.read_small_uint(2, v) ||
        !version.expect_end()) {
      return bad("malformed or unknown version");
    }
    if (v == 0) {
      return bad("version v1 encoded explicitly (not DER)");  // X.690 §11.5
    }
    cert.version = static_cast<int>(v) + 1;
  }
  Span serial;
  if (!tbs.read_integer(serial)) {
    return bad("malformed serialNumber");
  }
  cert.serial = copy_octets(serial);
  AlgorithmIdentifier inner_alg;
  Span inner_alg_raw;
  if (!read_algorithm(tbs, inner_alg, inner_alg_raw)) {
    return bad("malformed signature algorithm");
  }
  // RFC 5280 §4.1.1.2: signatureAlgorithm "MUST contain the same algorithm identifier as the
  // signature field in the sequence tbsCertificate".
  if (!eq(inner_alg_raw, outer_alg_raw)) {
    return bad("signatureAlgorithm differs from the tbsCertificate signature field");
  }
  Tlv issuer, subject;
  if (!tbs.read(tag::kSequence, issuer)) {
    return bad("malformed issuer");
  }
  cert.issuer = HS_TRY(parse_name(issuer.raw));
  DerReader validity;
  if (!tbs.read_constructed(tag::kSequence, validity) || !validity.read_time(cert.not_before) ||
      !validity.read_time(cert.not_after) || !validity.expect_end()) {
    return bad("malformed validity");
  }
  if (!tbs.read(tag::kSequence, subject)) {
    return bad("malformed subject");
  }
  cert.subject = HS_TRY(parse_name(subject.raw));
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
  //                                     subjectPublicKey BIT STRING }
  Tlv spki;
  if (!tbs.read(tag::kSequence, spki)) {
    return bad("malformed subjectPublicKeyInfo");
  }
  {
    DerReader spki_body(spki.value);
    Span alg_raw, key_bits;
    // Every public key encoding we know (RSAPublicKey, EC points, EdDSA keys) is whole octets.
    if (!read_algorithm(spki_body, cert.spki_algorithm, alg_raw) ||
        !spki_body.read_bit_string_octets(key_bits) || !spki_body.expect_end()) {
      return bad("malformed subjectPublicKeyInfo");
    }
  }
  cert.spki_raw = copy_octets(spki.raw);
  cert.key_type = classify_key(cert.spki_algorithm);

  for (uint8_t n = 1; n <= 2; ++n) {
    if (tbs.peek_tag(t) && t == tag::context_primitive(n)) {
      Span id;
      uint8_t unused;
      // RFC 5280 §4.1.2.8: "These fields MUST only appear if the version is 2 or 3."
      if (cert.version < 2 || !tbs.read_bit_string(id, unused, t)) {
        return bad("malformed or misplaced unique identifier");
      }
    }
  }
  if (tbs.peek_tag(t) && t == tag::context_constructed(3)) {
    DerReader wrapper, seq;
    // RFC 5280 §4.1.2.9: "This field MUST only appear if the version is 3".
    if (cert.version != 3) {
      return bad("extensions in a certificate before v3");
    }
    if (!tbs.read_constructed(t, wrapper) || !wrapper.read_constructed(tag::kSequence, seq) ||
        !wrapper.expect_end()) {
      return bad("malformed extensions");
    }
    HS_TRY(parse_extensions(seq, cert));
  }
  if (!tbs.expect_end()) {
    return bad("trailing data in tbsCertificate");
  }

  cert.signature_oid = classify_signature(cert.signature_algorithm.oid);
  cert.signature_alg = map_signature(cert.signature_oid, cert.signature_algorithm.params);
  return cert;
}

}  // namespace hs::x509

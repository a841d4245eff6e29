#include "x509/name_constraints.h"

#include <cctype>
#include <string>
#include <vector>

namespace hs::x509 {

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

std::string as_text(const Bytes& b) { return std::string(b.begin(), b.end()); }

bool has_type(const std::vector<GeneralName>& subtrees, GeneralName::Type t) {
  for (const GeneralName& g : subtrees) {
    if (g.type == t) {
      return true;
    }
  }
  return false;
}

// is_directory_string: the DirectoryString and IA5String tags whose values are compared as
// text (PrintableString, UTF8String, IA5String, TeletexString).
bool is_directory_string(uint8_t t) { return t == 0x13 || t == 0x0C || t == 0x16 || t == 0x14; }

// prepared is RFC 4518's string preparation reduced to what ASCII needs: case folded, leading
// and trailing spaces removed, inner runs of spaces made one ("Insignificant Space Handling").
std::string prepared(const Bytes& value) {
  std::string out;
  bool space = false;
  for (uint8_t b : value) {
    char c = static_cast<char>(b);
    if (c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) {
      out.push_back(' ');
      space = false;
    }
    out.push_back(lower(c));
  }
  return out;
}

bool same_attribute(const NameAttribute& a, const NameAttribute& b) {
  if (a.oid != b.oid) {
    return false;
  }
  if (is_directory_string(a.string_tag) && is_directory_string(b.string_tag)) {
    return prepared(a.value) == prepared(b.value);
  }
  return a.string_tag == b.string_tag && a.value == b.value;
}

std::vector<const NameAttribute*> rdn_attributes(const Name& n, size_t rdn) {
  std::vector<const NameAttribute*> out;
  for (const NameAttribute& a : n.attributes) {
    if (a.rdn == rdn) {
      out.push_back(&a);
    }
  }
  return out;
}

size_t rdn_count(const Name& n) { return n.attributes.empty() ? 0 : n.attributes.back().rdn + 1; }

// name_within_dn: RFC 5280 §4.2.1.10 "a subtree is defined by the name, which is the root of the
// subtree": `name` is in the subtree when its first RDNs match all of `base`'s RDNs (§7.1: same
// attribute types and values after string preparation; the attributes of a multi-valued RDN in
// the same order, which DER's SET OF ordering makes canonical).
bool name_within_dn(const Name& name, const Name& base) {
  const size_t n = rdn_count(base);
  if (rdn_count(name) < n) {
    return false;
  }
  for (size_t k = 0; k < n; ++k) {
    auto a = rdn_attributes(name, k);
    auto b = rdn_attributes(base, k);
    if (a.size() != b.size()) {
      return false;
    }
    for (size_t j = 0; j < a.size(); ++j) {
      if (!same_attribute(*a[j], *b[j])) {
        return false;
      }
    }
  }
  return true;
}

bool dn_within(const Bytes& name_der, const Bytes& base_der) {
  auto name = parse_name(name_der);
  auto base = parse_name(base_der);
  return name.ok() && base.ok() && name_within_dn(*name, *base);
}

bool name_within(const GeneralName& name, const GeneralName& base) {
  if (name.type != base.type) {
    return false;
  }
  switch (name.type) {
    case GeneralName::Type::dns_name:
      return dns_name_within(as_text(name.value), as_text(base.value));
    case GeneralName::Type::ip_address:
      return ip_within(name.value, base.value);
    case GeneralName::Type::directory_name:
      return dn_within(name.value, base.value);
    case GeneralName::Type::other_name:
    case GeneralName::Type::rfc822_name:
    case GeneralName::Type::x400_address:
    case GeneralName::Type::edi_party_name:
    case GeneralName::Type::uri:
    case GeneralName::Type::registered_id:
      return false;
  }
  return false;
}

}  // namespace

bool dns_name_within(std::string_view name, std::string_view base) {
  if (!name.empty() && name.back() == '.') {
    name.remove_suffix(1);
  }
  if (base.empty()) {
    return true;
  }
  if (base.front() == '.') {
    // ".example.com": strictly below example.com.
    return name.size() > base.size() && iequals(name.substr(name.size() - base.size()), base);
  }
  if (iequals(name, base)) {
    return true;
  }
  // Added labels on the left: the character before the base must be a label separator.
  return name.size() > base.size() + 1 && name[name.size() - base.size() - 1] == '.' &&
         iequals(name.substr(name.size() - base.size()), base);
}

bool dns_wildcard_reaches(std::string_view name, std::string_view base) {
  if (!name.empty() && name.back() == '.') {
    name.remove_suffix(1);
  }
  if (!base.empty() && base.back() == '.') {
    base.remove_suffix(1);
  }
  if (name.size() < 3 || name.substr(0, 2) != "*.") {
    return false;
  }
  const size_t dot = base.find('.');
  if (dot == 0 || dot == std::string_view::npos) {
    return false;
  }
  return iequals(base.substr(dot + 1), name.substr(2));
}

bool ip_within(std::span<const uint8_t> addr, std::span<const uint8_t> subtree) {
  if (subtree.size() != addr.size() * 2) {
    return false;
  }
  for (size_t i = 0; i < addr.size(); ++i) {
    uint8_t mask = subtree[addr.size() + i];
    if ((addr[i] & mask) != (subtree[i] & mask)) {
      return false;
    }
  }
  return true;
}

VerifyStatus check_name_constraints(const NameConstraints& nc, const Certificate& cert) {
  std::vector<GeneralName> names = cert.subject_alt_names;
  // RFC 5280 §4.2.1.10: "Restrictions of the form directoryName MUST be applied to the subject
  // field in the certificate (when the certificate includes a non-empty subject field) and to
  // any names of type directoryName in the subjectAltName extension."
  if (!cert.subject.attributes.empty()) {
    names.push_back(GeneralName{GeneralName::Type::directory_name, cert.subject.raw});
  }
  for (const GeneralName& name : names) {
    if (name.type != GeneralName::Type::dns_name && name.type != GeneralName::Type::ip_address &&
        name.type != GeneralName::Type::directory_name) {
      continue;
    }
    // RFC 5280 §6.1.3 (b): "... verify that the subject name is within one of the
    // permitted_subtrees for X.500 distinguished names, and verify that each of the alternative
    // names in the subjectAltName extension (critical or non-critical) is within one of the
    // permitted_subtrees for that name type."
    if (has_type(nc.permitted, name.type)) {
      bool inside = false;
      for (const GeneralName& base : nc.permitted) {
        if (name_within(name, base)) {
          inside = true;
          break;
        }
      }
      if (!inside) {
        return VerifyStatus::permitted_subtree_violation;
      }
    }
    // RFC 5280 §6.1.3 (c): "... verify that ... each of the alternative names in the
    // subjectAltName extension ... is not within any of the excluded_subtrees for that name
    // type."
    for (const GeneralName& base : nc.excluded) {
      if (name_within(name, base)) {
        return VerifyStatus::excluded_subtree_violation;
      }
      // A wildcard that would match an excluded host is as good as that host: match_host lets
      // "*.example.com" serve bar.example.com, so an excluded bar.example.com refuses it.
      if (name.type == GeneralName::Type::dns_name && base.type == GeneralName::Type::dns_name &&
          dns_wildcard_reaches(as_text(name.value), as_text(base.value))) {
        return VerifyStatus::excluded_subtree_violation;
      }
    }
  }
  return VerifyStatus::ok;
}

}  // namespace hs::x509

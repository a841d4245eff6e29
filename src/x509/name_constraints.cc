#include "x509/name_constraints.h"

#include <cctype>
#include <string>

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

bool name_within(const GeneralName& name, const GeneralName& base) {
  if (name.type != base.type) {
    return false;
  }
  switch (name.type) {
    case GeneralName::Type::dns_name:
      return dns_name_within(as_text(name.value), as_text(base.value));
    case GeneralName::Type::ip_address:
      return ip_within(name.value, base.value);
    case GeneralName::Type::other_name:
    case GeneralName::Type::rfc822_name:
    case GeneralName::Type::x400_address:
    case GeneralName::Type::directory_name:
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
  for (const GeneralName& name : cert.subject_alt_names) {
    if (name.type != GeneralName::Type::dns_name && name.type != GeneralName::Type::ip_address) {
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
    }
  }
  return VerifyStatus::ok;
}

}  // namespace hs::x509

#include "x509/name_constraints.h"

#include <algorithm>
#include <cctype>
#include <optional>
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

// below_domain: `name` ends with `dotted` (".example.com") after at least one more character,
// so it lies strictly below that domain.
bool below_domain(std::string_view name, std::string_view dotted) {
  return name.size() > dotted.size() && iequals(name.substr(name.size() - dotted.size()), dotted);
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

// is_ip_literal: a URI host in brackets ("[2001:db8::1]") or made of digits and dots only.
bool is_ip_literal(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    return true;
  }
  for (char c : host) {
    if (c != '.' && (c < '0' || c > '9')) {
      return false;
    }
  }
  return true;
}

// NameCheck is one name's result against one base: inside, outside, or a name (or base) we
// cannot read in that form.
enum class NameCheck { inside, outside, bad_syntax };

NameCheck as_check(bool inside) { return inside ? NameCheck::inside : NameCheck::outside; }

NameCheck name_within(const GeneralName& name, const GeneralName& base) {
  if (name.type != base.type) {
    return NameCheck::outside;
  }
  switch (name.type) {
    case GeneralName::Type::dns_name:
      return as_check(dns_name_within(as_text(name.value), as_text(base.value)));
    case GeneralName::Type::ip_address:
      return as_check(ip_within(name.value, base.value));
    case GeneralName::Type::directory_name:
      return as_check(dn_within(name.value, base.value));
    case GeneralName::Type::rfc822_name: {
      std::optional<bool> r = email_within(as_text(name.value), as_text(base.value));
      return r.has_value() ? as_check(*r) : NameCheck::bad_syntax;
    }
    case GeneralName::Type::uri: {
      const std::string text = as_text(name.value);  // uri_host's view points into it
      std::optional<std::string_view> host = uri_host(text);
      if (!host.has_value()) {
        return NameCheck::bad_syntax;
      }
      return as_check(uri_host_within(*host, as_text(base.value)));
    }
    case GeneralName::Type::other_name:
    case GeneralName::Type::x400_address:
    case GeneralName::Type::edi_party_name:
    case GeneralName::Type::registered_id:
      return NameCheck::outside;
  }
  return NameCheck::outside;
}

// processed: the name forms whose constraints we apply; a constraint on any other form is
// refused when the certificate carries a name of that form (RFC 5280 §4.2.1.10, "the
// application MUST either process the constraint or reject the certificate").
bool processed(GeneralName::Type t) {
  return t == GeneralName::Type::dns_name || t == GeneralName::Type::ip_address ||
         t == GeneralName::Type::directory_name || t == GeneralName::Type::rfc822_name ||
         t == GeneralName::Type::uri;
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
    return below_domain(name, base);
  }
  if (iequals(name, base)) {
    return true;
  }
  // Added labels on the left: the character before the base must be a label separator.
  return name.size() > base.size() + 1 && name[name.size() - base.size() - 1] == '.' &&
         iequals(name.substr(name.size() - base.size()), base);
}

std::optional<bool> email_within(std::string_view mailbox, std::string_view base) {
  const size_t at = mailbox.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == mailbox.size()) {
    return std::nullopt;
  }
  const std::string_view local = mailbox.substr(0, at);
  const std::string_view host = mailbox.substr(at + 1);
  const size_t base_at = base.rfind('@');
  if (base_at != std::string_view::npos) {
    // "To indicate a particular mailbox, the constraint is the complete mail address": the local
    // part compared exactly (RFC 5321 §2.4 lets it be case-sensitive), the host without case.
    return local == base.substr(0, base_at) && iequals(host, base.substr(base_at + 1));
  }
  if (!base.empty() && base.front() == '.') {
    // ".example.com indicates all the Internet mail addresses in the domain example.com, but
    // not Internet mail addresses on the host example.com".
    return below_domain(host, base);
  }
  // "the constraint example.com is satisfied by any mail address at the host example.com".
  return iequals(host, base);
}

std::optional<std::string_view> uri_host(std::string_view uri) {
  // RFC 3986 §3: scheme ":" "//" authority path...; authority = [ userinfo "@" ] host [ ":" port ]
  const size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || uri.substr(colon + 1, 2) != "//") {
    return std::nullopt;  // no authority: "the constraint applies to the host part"; none here
  }
  std::string_view authority = uri.substr(colon + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  if (!host.empty() && host.front() != '[') {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty() || is_ip_literal(host)) {
    // RFC 5280 §4.2.1.10: "The constraint MUST be specified as a fully qualified domain name";
    // an address literal is not one and cannot be compared with it.
    return std::nullopt;
  }
  return host;
}

bool uri_host_within(std::string_view host, std::string_view base) {
  if (!base.empty() && base.front() == '.') {
    return below_domain(host, base);
  }
  return iequals(host, base);
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
  // RFC 5280 §4.2.1.10: "When constraints are imposed on the rfc822Name name form, but the
  // certificate does not include a subject alternative name, the rfc822Name constraint MUST be
  // applied to the attribute of type emailAddress in the subject distinguished name."
  if (!cert.has_subject_alt_name) {
    for (const NameAttribute& a : cert.subject.attributes) {
      if (std::ranges::equal(a.oid, std::span<const uint8_t>(oid::kEmailAddress))) {
        names.push_back(GeneralName{GeneralName::Type::rfc822_name, a.value});
      }
    }
  }
  for (const GeneralName& name : names) {
    const bool constrained = has_type(nc.permitted, name.type) || has_type(nc.excluded, name.type);
    if (!constrained) {
      continue;
    }
    if (!processed(name.type)) {
      return VerifyStatus::unsupported_constraint_type;
    }
    // RFC 5280 §6.1.3 (b): "... verify that the subject name is within one of the
    // permitted_subtrees for X.500 distinguished names, and verify that each of the alternative
    // names in the subjectAltName extension (critical or non-critical) is within one of the
    // permitted_subtrees for that name type."
    if (has_type(nc.permitted, name.type)) {
      bool inside = false;
      for (const GeneralName& base : nc.permitted) {
        const NameCheck c = name_within(name, base);
        if (c == NameCheck::bad_syntax) {
          return VerifyStatus::unsupported_name_syntax;
        }
        if (c == NameCheck::inside) {
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
      const NameCheck c = name_within(name, base);
      if (c == NameCheck::bad_syntax) {
        return VerifyStatus::unsupported_name_syntax;
      }
      if (c == NameCheck::inside) {
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

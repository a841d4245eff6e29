#include "x509/hostname.h"

#include <algorithm>

#include "x509/der.h"

namespace hs::x509 {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view strip_trailing_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') {
    s.remove_suffix(1);
  }
  return s;
}

// valid_labels: non-empty, no empty label.
bool valid_labels(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') {
    return false;
  }
  return s.find("..") == std::string_view::npos;
}

std::optional<Bytes> parse_ipv4(std::string_view s) {
  Bytes out;
  while (true) {
    size_t dot = s.find('.');
    std::string_view part = s.substr(0, dot);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part.front() == '0')) {
      return std::nullopt;
    }
    unsigned v = 0;
    for (char c : part) {
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > 255 || out.size() == 4) {
      return std::nullopt;
    }
    out.push_back(static_cast<uint8_t>(v));
    if (dot == std::string_view::npos) {
      break;
    }
    s.remove_prefix(dot + 1);
  }
  if (out.size() != 4) {
    return std::nullopt;
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  c = lower(c);
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

// parse_groups parses colon-separated hex groups (and, when `allow_v4_tail`, an IPv4 address
// as the last piece) into `out`.
bool parse_groups(std::string_view s, bool allow_v4_tail, std::vector<uint16_t>& out) {
  if (s.empty()) {
    return true;
  }
  while (true) {
    size_t colon = s.find(':');
    std::string_view part = s.substr(0, colon);
    if (colon == std::string_view::npos && allow_v4_tail &&
        part.find('.') != std::string_view::npos) {
      auto v4 = parse_ipv4(part);
      if (!v4) {
        return false;
      }
      out.push_back(static_cast<uint16_t>((*v4)[0] << 8 | (*v4)[1]));
      out.push_back(static_cast<uint16_t>((*v4)[2] << 8 | (*v4)[3]));
      return true;
    }
    if (part.empty() || part.size() > 4) {
      return false;
    }
    unsigned v = 0;
    for (char c : part) {
      int h = hex_value(c);
      if (h < 0) {
        return false;
      }
      v = v * 16 + static_cast<unsigned>(h);
    }
    out.push_back(static_cast<uint16_t>(v));
    if (colon == std::string_view::npos) {
      return true;
    }
    s.remove_prefix(colon + 1);
  }
}

std::optional<Bytes> parse_ipv6(std::string_view s) {
  std::vector<uint16_t> head, tail;
  size_t gap = s.find("::");
  if (gap == std::string_view::npos) {
    if (!parse_groups(s, true, head) || head.size() != 8) {
      return std::nullopt;
    }
  } else {
    std::string_view left = s.substr(0, gap);
    std::string_view right = s.substr(gap + 2);
    if (right.find("::") != std::string_view::npos || !parse_groups(left, false, head) ||
        !parse_groups(right, true, tail) || head.size() + tail.size() > 7) {
      return std::nullopt;
    }
    head.resize(8 - tail.size(), 0);
    head.insert(head.end(), tail.begin(), tail.end());
  }
  Bytes out;
  for (uint16_t g : head) {
    out.push_back(static_cast<uint8_t>(g >> 8));
    out.push_back(static_cast<uint8_t>(g));
  }
  return out;
}

}  // namespace

std::optional<Bytes> parse_ip_literal(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    return parse_ipv6(host);
  }
  if (host.find(':') != std::string_view::npos) {
    return parse_ipv6(host);
  }
  return parse_ipv4(host);
}

bool match_dns_name(std::string_view presented, std::string_view host) {
  presented = strip_trailing_dot(presented);
  host = strip_trailing_dot(host);
  if (!valid_labels(host) || !valid_labels(presented) || host.find('*') != std::string_view::npos) {
    return false;
  }
  if (!presented.starts_with("*.")) {
    // No '*' anywhere else: partial wildcards ("f*.example.com") and wildcards below the
    // leftmost label never match (RFC 6125 §6.4.3 leaves them to the client; browsers refuse).
    return presented.find('*') == std::string_view::npos && iequals(presented, host);
  }
  std::string_view suffix = presented.substr(2);
  // The wildcard must be followed by at least two labels ("*.com" is refused) and contain no
  // further '*'.
  if (suffix.find('*') != std::string_view::npos || suffix.find('.') == std::string_view::npos) {
    return false;
  }
  size_t dot = host.find('.');
  if (dot == std::string_view::npos || dot == 0) {
    return false;
  }
  // The '*' stands for exactly one whole label: "a.b.example.com" does not match
  // "*.example.com", and neither does "example.com".
  return iequals(host.substr(dot + 1), suffix);
}

HostMatch match_host(const Certificate& cert, std::string_view host) {
  HostMatch result;
  if (auto ip = parse_ip_literal(host)) {
    for (const GeneralName& n : cert.subject_alt_names) {
      if (n.type == GeneralName::Type::ip_address && n.value == *ip) {
        result.matched = true;
        result.by_ip = true;
        result.presented = format_ip(n.value);
        return result;
      }
    }
    return result;  // an IP literal never matches a dNSName
  }
  for (const GeneralName& n : cert.subject_alt_names) {
    if (n.type != GeneralName::Type::dns_name) {
      continue;
    }
    std::string presented(n.value.begin(), n.value.end());
    if (match_dns_name(presented, host)) {
      result.matched = true;
      result.presented = std::move(presented);
      return result;
    }
  }
  return result;
}

bool matches_host(const Certificate& cert, std::string_view host) {
  return match_host(cert, host).matched;
}

std::string describe_subject_alt_names(const Certificate& cert) {
  std::string out;
  for (const GeneralName& n : cert.subject_alt_names) {
    if (!out.empty()) {
      out += ", ";
    }
    std::string text(n.value.begin(), n.value.end());
    switch (n.type) {
      case GeneralName::Type::dns_name:
        out += "DNS:" + text;
        break;
      case GeneralName::Type::ip_address:
        out += "IP Address:" + format_ip(n.value);
        break;
      case GeneralName::Type::rfc822_name:
        out += "email:" + text;
        break;
      case GeneralName::Type::uri:
        out += "URI:" + text;
        break;
      case GeneralName::Type::directory_name: {
        auto name = parse_name(n.value);
        out += "DirName:" + (name ? to_string(*name) : std::string("<unsupported>"));
        break;
      }
      case GeneralName::Type::other_name:
        out += "othername:<unsupported>";
        break;
      case GeneralName::Type::x400_address:
        out += "X400Name:<unsupported>";
        break;
      case GeneralName::Type::edi_party_name:
        out += "EdiPartyName:<unsupported>";
        break;
      case GeneralName::Type::registered_id:
        out += "Registered ID:" + oid_to_string(n.value);
        break;
    }
  }
  return out;
}

}  // namespace hs::x509

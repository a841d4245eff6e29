// curl-style help, --connect-to, -O, -L's Location and --tls13-ciphers for `hs client`.
#include "client_flags.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>

#include "x509/verify_error.h"

namespace hs::tool {

namespace {

struct HelpLine {
  std::string_view opt;
  std::string_view text;
};

// curl's own wording where curl has the flag (curl 7.88 --help all), ours for hs-only flags.
constexpr HelpLine kHelp[] = {
    {"    --allow-no-ems", "TLS 1.2: accept a server without RFC 7627 EMS (hs)"},
    {"    --cacert <file>", "CA certificate to verify peer against"},
    {"    --capath <dir>", "CA directory to verify peer against"},
    {"-E, --cert <certificate>", "Client certificate file (PEM, may hold the key)"},
    {"    --cert-status", "Verify the status of the server certificate"},
    {"    --ciphers <list of ciphers>", "SSL ciphers to use (TLS 1.2)"},
    {"    --connect-timeout <fractional seconds>", "Maximum time allowed for connection"},
    {"    --crlfile <file>", "Use this CRL list"},
    {"    --connect-to <HOST1:PORT1:HOST2:PORT2>", "Connect to host"},
    {"    --curves <algorithm list>", "(EC) TLS key exchange algorithm(s) to request"},
    {"-f, --fail", "Fail fast with no output on HTTP errors"},
    {"-I, --head", "Show document info only"},
    {"-h, --help", "Get help for commands"},
    {"    --http1.1", "Use HTTP 1.1"},
    {"    --http2", "Use HTTP 2"},
    {"-k, --insecure", "Allow insecure server connections"},
    {"    --key <key>", "Private key file name"},
    {"    --key-update-after <records>", "TLS 1.3: KeyUpdate after N records (hs)"},
    {"    --keymatexport <label>", "Export keying material with label and print it (hs)"},
    {"    --keymatexport-context <hex>", "Context value for --keymatexport (hs)"},
    {"    --keymatexportlen <bytes>", "Bytes of keying material to export, default 20 (hs)"},
    {"-L, --location", "Follow redirects"},
    {"    --max-redirs <num>", "Maximum number of redirects allowed"},
    {"-m, --max-time <fractional seconds>", "Maximum time allowed for transfer"},
    {"    --no-progress-meter", "Do not show the progress meter"},
    {"-o, --output <file>", "Write to file instead of stdout"},
    {"    --pinnedpubkey <hashes>", "FILE/HASHES Public key to verify peer against"},
    {"    --reconnect <num>", "Connect N more times, resuming the session (hs)"},
    {"    --record-size-limit <bytes>", "RFC 8449 record size limit to offer (hs)"},
    {"-O, --remote-name", "Write output to a file named as the remote file"},
    {"    --psk <id:hexkey>", "Authenticate with a TLS 1.3 external PSK (hs)"},
    {"    --resolve <host:port:addr>", "Resolve the host+port to this address"},
    {"    --sess-in <file>", "Resume the TLS session saved in file (hs)"},
    {"    --sess-out <file>", "Save the TLS session to file, mode 0600 (hs)"},
    {"-S, --show-error", "Show error even when -s is used"},
    {"-s, --silent", "Silent mode"},
    {"    --tls-earlydata", "Send the request as TLS 1.3 0-RTT data"},
    {"    --tls-max <VERSION>", "Set maximum allowed TLS version"},
    {"    --tls13-ciphers <ciphersuite list>", "TLS 1.3 cipher suites to use"},
    {"    --tlsv1.2", "Use TLSv1.2 or greater"},
    {"    --tlsv1.3", "Use TLSv1.3 or greater"},
    {"    --trace-html <file>", "Write a page explaining every handshake byte (hs)"},
    {"    --trace-json <file>", "Write every TLS event as JSON Lines (hs)"},
    {"    --trace-svg <file>", "Draw each connection's handshake as an SVG ladder (hs)"},
    {"-v, --verbose", "Make the operation more talkative"},
    {"-w, --write-out <format>", "Use output FORMAT after completion"},
};

std::optional<uint16_t> port_of(std::string_view text) {
  unsigned value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || p != text.data() + text.size() || value > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(value);
}

// take_host splits "host:rest" or "[v6]:rest" at the colon after the host.
bool take_host(std::string_view& in, std::string& host) {
  if (!in.empty() && in.front() == '[') {
    size_t close = in.find(']');
    if (close == std::string_view::npos || close + 1 >= in.size() || in[close + 1] != ':') {
      return false;
    }
    host = std::string(in.substr(1, close - 1));
    in.remove_prefix(close + 2);
    return true;
  }
  size_t colon = in.find(':');
  if (colon == std::string_view::npos) {
    return false;
  }
  host = std::string(in.substr(0, colon));
  in.remove_prefix(colon + 1);
  return true;
}

}  // namespace

std::string client_help(const CLI::App& app) {
  // Every option registered (flags added later show up with their CLI11 description), in curl's
  // words where curl has the flag, sorted by long name as curl's list is.
  std::vector<HelpLine> lines;
  std::vector<std::string> made;  // storage for lines not in kHelp
  made.reserve(64);
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_lnames().empty()) {
      continue;
    }
    const std::string name = "--" + opt->get_lnames().front();
    const HelpLine* known = nullptr;
    for (const HelpLine& h : kHelp) {
      std::string_view o = h.opt.substr(4);
      if (o.substr(0, o.find(' ')) == name) {
        known = &h;
      }
    }
    if (known != nullptr) {
      lines.push_back(*known);
      continue;
    }
    std::string text = opt->get_snames().empty() ? "    " : "-" + opt->get_snames().front() + ", ";
    text += name;
    if (opt->get_type_size_min() > 0) {
      text += " <arg>";
    }
    made.push_back(text);
    made.push_back(opt->get_description());
    lines.push_back({made[made.size() - 2], made.back()});
  }
  std::sort(lines.begin(), lines.end(),
            [](const HelpLine& a, const HelpLine& b) { return a.opt.substr(4) < b.opt.substr(4); });
  // tool_help.c: the option column is as wide as the longest option, unless option and text
  // together pass 80 columns.
  size_t longopt = 5;
  size_t longdesc = 5;
  for (const HelpLine& h : lines) {
    longopt = std::max(longopt, h.opt.size());
    longdesc = std::max(longdesc, h.text.size());
  }
  if (longopt + longdesc > 80) {
    longopt = longdesc < 80 ? 80 - longdesc : 0;
  }
  std::string out = "Usage: hs client [options...] <url>\n";
  for (const HelpLine& h : lines) {
    out += fmt::format(" {:<{}} {}\n", h.opt, longopt, h.text);
  }
  out +=
      "\nhs client speaks https:// only, HTTP/2 or HTTP/1.1 (GET and HEAD). Exit codes are curl's; "
      "see "
      "hs(1).\n";
  return out;
}

std::optional<ConnectTarget> connect_to(const std::vector<std::string>& entries,
                                        const std::string& host, uint16_t port,
                                        std::string& error) {
  for (const std::string& entry : entries) {
    std::string_view rest = entry;
    std::string host1;
    std::string port1;
    std::string host2;
    if (!take_host(rest, host1)) {
      error = "Invalid --connect-to value: " + entry;
      return std::nullopt;
    }
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) {
      error = "Invalid --connect-to value: " + entry;
      return std::nullopt;
    }
    port1 = std::string(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
    if (!take_host(rest, host2)) {
      error = "Invalid --connect-to value: " + entry;
      return std::nullopt;
    }
    std::optional<uint16_t> p1 = port1.empty() ? std::nullopt : port_of(port1);
    std::optional<uint16_t> p2 = rest.empty() ? std::nullopt : port_of(rest);
    if ((!port1.empty() && !p1) || (!rest.empty() && !p2)) {
      error = "Invalid --connect-to value: " + entry;
      return std::nullopt;
    }
    if ((!host1.empty() && host1 != host) || (p1 && *p1 != port)) {
      continue;
    }
    return ConnectTarget{host2.empty() ? host : host2, p2 ? *p2 : port};
  }
  return ConnectTarget{host, port};
}

std::string remote_name(const Url& url) {
  std::string_view path = url.path;
  path = path.substr(0, path.find('?'));
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string url_text(const Url& url) {
  std::string host = url.ipv6_literal ? "[" + url.host + "]" : url.host;
  std::string port = url.explicit_port ? ":" + std::to_string(url.port) : "";
  return url.scheme + "://" + host + port + url.path;
}

std::string resolve_location(const Url& base, std::string_view location) {
  if (location.find("://") != std::string_view::npos) {
    return std::string(location);
  }
  if (location.substr(0, 2) == "//") {
    return base.scheme + ":" + std::string(location);
  }
  Url next = base;
  if (!location.empty() && location.front() == '/') {
    next.path = std::string(location);
  } else {
    std::string dir = base.path.substr(0, base.path.find('?'));
    dir = dir.substr(0, dir.rfind('/') + 1);
    next.path = dir + std::string(location);
  }
  return url_text(next);
}

Result<std::vector<CipherSuite>> parse_tls13_cipher_list(std::string_view list) {
  std::vector<CipherSuite> out;
  auto all = parse_cipher_list(list);
  if (all.ok()) {
    for (CipherSuite s : *all) {
      if (static_cast<uint16_t>(s) >> 8 == 0x13) {
        out.push_back(s);
      }
    }
  }
  if (out.empty()) {
    return Error(ErrorCode::invalid_config, "--tls13-ciphers",
                 "failed setting TLS 1.3 cipher suite: " + std::string(list));
  }
  return out;
}

long openssl_verify_code(const Error& e) {
  const std::string& d = e.detail();
  // The default verifier's refusals are OpenSSL's words after curl's prefix.
  constexpr std::string_view kPrefix = "SSL certificate problem: ";
  if (d.starts_with(kPrefix)) {
    if (auto s = x509::verify_status_from_string(std::string_view(d).substr(kPrefix.size()))) {
      return x509::openssl_verify_code(*s);
    }
  }
  if (e.code() == ErrorCode::certificate_expired || d.find("expired") != std::string::npos) {
    return 10;  // X509_V_ERR_CERT_HAS_EXPIRED
  }
  if (d.find("not yet valid") != std::string::npos) {
    return 9;  // X509_V_ERR_CERT_NOT_YET_VALID
  }
  if (d.find("host name") != std::string::npos || d.find("hostname") != std::string::npos ||
      d.find("subject name") != std::string::npos) {
    return 62;  // X509_V_ERR_HOSTNAME_MISMATCH
  }
  if (d.find("self-signed") != std::string::npos || d.find("self signed") != std::string::npos) {
    return 18;  // X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
  }
  if (e.code() == ErrorCode::unknown_ca || d.find("issuer") != std::string::npos) {
    return 20;  // X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
  }
  return 1;  // X509_V_ERR_UNSPECIFIED
}

}  // namespace hs::tool

// The ClientHello flight.
#include "messages/client_hello.h"

#include <utility>

#include "handshake/client12/client12.h"
#include "messages/extensions.h"
#include "messages/handshake.h"

namespace hs::client12 {

namespace {

using messages::Extension;
using messages::make_extension;

// Groups we can run ECDHE over in TLS 1.2 (RFC 8422 §5.1.1, RFC 7748 via RFC 8422 §5.1.1).
bool is_tls12_group(NamedGroup g) {
  switch (g) {
    case NamedGroup::secp256r1:
    case NamedGroup::secp384r1:
    case NamedGroup::secp521r1:
    case NamedGroup::x25519:
      return true;
    case NamedGroup::x448:
    case NamedGroup::X25519MLKEM768:
      return false;
  }
  return false;
}

}  // namespace

bool is_ip_literal(std::string_view host) {
  if (host.empty()) {
    return false;
  }
  if (host.find(':') != std::string_view::npos) {
    return true;  // IPv6 (a DNS name never holds ':')
  }
  // IPv4: four dot-separated decimal numbers.
  int dots = 0;
  bool digit_seen = false;
  for (char c : host) {
    if (c == '.') {
      if (!digit_seen) {
        return false;
      }
      ++dots;
      digit_seen = false;
    } else if (c >= '0' && c <= '9') {
      digit_seen = true;
    } else {
      return false;
    }
  }
  return dots == 3 && digit_seen;
}

Result<State> start(HandshakeContext& ctx, std::shared_ptr<const ClientConfig> config,
                    std::string host) {
  Offer offer;
  offer.config = config;
  offer.host = std::move(host);
  // TLS 1.3 is not implemented yet: whatever max_version says, we offer TLS 1.2 only.
  if (config->min_version != ProtocolVersion::tls1_2) {
    return Error(ErrorCode::invalid_config, "client config",
                 "TLS 1.3 is not available yet; allow TLS 1.2 (min_version)");
  }
  for (CipherSuite s : config->cipher_suites) {
    if (detail::is_tls12_suite(s) && !detail::contains<CipherSuite>(offer.suites, s)) {
      offer.suites.push_back(s);
    }
  }
  for (NamedGroup g : config->groups) {
    if (is_tls12_group(g) && !detail::contains<NamedGroup>(offer.groups, g)) {
      offer.groups.push_back(g);
    }
  }
  for (SignatureScheme s : config->signature_schemes) {
    if (detail::signature_algorithm(s) && !detail::contains<SignatureScheme>(offer.schemes, s)) {
      offer.schemes.push_back(s);
    }
  }
  if (offer.suites.empty() || offer.groups.empty() || offer.schemes.empty()) {
    return Error(ErrorCode::invalid_config, "client config",
                 "no TLS 1.2 ECDHE AEAD suite, group or signature scheme is enabled");
  }
  HS_TRY(ctx.provider().random(offer.client_random));

  std::string sni = offer.host;
  if (!sni.empty() && sni.back() == '.') {
    sni.pop_back();  // RFC 6066 §3: "The hostname is represented ... without a trailing dot."
  }
  if (config->send_sni && !sni.empty() && !is_ip_literal(sni)) {
    offer.server_name = sni;
  }

  messages::ClientHello hello;
  hello.legacy_version = ProtocolVersion::tls1_2;
  hello.random = offer.client_random;
  hello.cipher_suites = offer.suites;
  // RFC 5246 §7.4.1.2: compression; we support only null (RFC 7457 §2.6, CRIME).
  hello.compression_methods = {0};
  std::vector<Extension>& ext = hello.extensions;
  // RFC 5746 §3.4: "the client MUST include either an empty "renegotiation_info" extension, or
  // the TLS_EMPTY_RENEGOTIATION_INFO_SCSV signaling cipher suite value in the ClientHello.
  // Including both is NOT RECOMMENDED." We send the extension.
  ext.push_back(HS_TRY(make_extension(ExtensionType::renegotiation_info, [](auto& out) {
    return messages::serialize_renegotiation_info({}, out);
  })));
  if (!offer.server_name.empty()) {
    ext.push_back(HS_TRY(make_extension(ExtensionType::server_name, [&](auto& out) {
      return messages::serialize_server_name(offer.server_name, out);
    })));
  }
  // RFC 8422 §5.1.2: uncompressed is the only point format.
  ext.push_back(HS_TRY(make_extension(ExtensionType::ec_point_formats, [](auto& out) {
    return messages::serialize_ec_point_formats({messages::kEcPointFormatUncompressed}, out);
  })));
  ext.push_back(HS_TRY(make_extension(ExtensionType::supported_groups, [&](auto& out) {
    return messages::serialize_supported_groups(offer.groups, out);
  })));
  // RFC 5077 §3.2: an empty SessionTicket extension asks for a ticket.
  ext.push_back(Extension{ExtensionType::session_ticket, {}});
  if (!config->alpn.empty()) {
    ext.push_back(HS_TRY(
        make_extension(ExtensionType::application_layer_protocol_negotiation,
                       [&](auto& out) { return messages::serialize_alpn(config->alpn, out); })));
  }
  // RFC 7627 §5.1: the extension_data is empty.
  ext.push_back(Extension{ExtensionType::extended_master_secret, {}});
  ext.push_back(HS_TRY(make_extension(ExtensionType::signature_algorithms, [&](auto& out) {
    return messages::serialize_signature_algorithms(offer.schemes, out);
  })));
  for (const Extension& e : ext) {
    offer.extensions.push_back(e.type);
  }

  std::vector<uint8_t> raw;
  HS_TRY(messages::serialize_message(hello, raw));
  ctx.set_trace_version(ProtocolVersion::tls1_2);
  ctx.info().server_name = offer.server_name;
  if (offer.server_name.empty()) {
    ctx.note("server_name not sent (" +
             std::string(offer.host.empty() || !config->send_sni ? "disabled" : "IP literal") +
             ")");
  }
  ctx.note("offering TLS 1.2 only (TLS 1.3 not implemented yet)");
  HS_TRY(ctx.send_handshake(raw));
  detail::Transcript transcript;
  transcript.add(raw);
  return ExpectServerHello{std::move(offer), std::move(transcript)};
}

}  // namespace hs::client12

// The ClientHello flight, one message for TLS 1.2 and TLS 1.3.
#include "messages/client_hello.h"

#include <hs/session.h>

#include <algorithm>
#include <utility>

#include "crypto/signature.h"
#include "handshake/client/client.h"
#include "handshake/common/suites.h"
#include "messages/certificate_status.h"
#include "messages/extensions.h"
#include "messages/handshake.h"

namespace hs::client {

namespace {

using messages::Extension;
using messages::make_extension;

bool is_tls13_scheme(SignatureScheme s) {
  auto info = crypto::scheme_info(s);
  return info && info->tls13_allowed;
}

}  // namespace

Result<Hello> build_client_hello(const crypto::Provider& provider,
                                 std::shared_ptr<const ClientConfig> config, std::string host,
                                 const TestHooks& hooks) {
  Hello out;
  out.offers_tls13 = config->max_version == ProtocolVersion::tls1_3;
  out.offers_tls12 = config->min_version == ProtocolVersion::tls1_2;

  // Cipher suites: RFC 8446 §4.1.2 lets one list carry both versions' suites; the TLS 1.3
  // suites go first (in the configuration's order), then the TLS 1.2 ones.
  std::vector<CipherSuite> suites13;
  std::vector<CipherSuite> suites12;
  for (CipherSuite s : config->cipher_suites) {
    if (out.offers_tls13 && detail::is_tls13_suite(s) &&
        !detail::contains<CipherSuite>(suites13, s)) {
      suites13.push_back(s);
    }
    if (out.offers_tls12 && detail::is_tls12_suite(s) &&
        !detail::contains<CipherSuite>(suites12, s)) {
      suites12.push_back(s);
    }
  }
  std::vector<NamedGroup> groups;
  for (NamedGroup g : config->groups) {
    if (detail::is_supported_group(
            g, out.offers_tls13 ? ProtocolVersion::tls1_3 : ProtocolVersion::tls1_2) &&
        !detail::contains<NamedGroup>(groups, g)) {
      groups.push_back(g);
    }
  }
  // Signature schemes: those a TLS 1.3 CertificateVerify may use first, then the rest
  // (rsa_pkcs1_* stay for TLS 1.2 ServerKeyExchange signatures and for certificates).
  std::vector<SignatureScheme> schemes;
  for (SignatureScheme s : config->signature_schemes) {
    bool usable = (out.offers_tls12 && crypto::scheme_algorithm(s).has_value()) ||
                  (out.offers_tls13 && is_tls13_scheme(s));
    if (usable && !detail::contains<SignatureScheme>(schemes, s)) {
      schemes.push_back(s);
    }
  }
  if (out.offers_tls13) {
    std::stable_partition(schemes.begin(), schemes.end(), is_tls13_scheme);
  }
  if (out.offers_tls13 && (suites13.empty() || groups.empty() ||
                           std::none_of(schemes.begin(), schemes.end(), is_tls13_scheme))) {
    if (!out.offers_tls12) {
      return Error(ErrorCode::invalid_config, "client config",
                   "no TLS 1.3 suite, group or signature scheme is enabled");
    }
    // TLS 1.2 only, by configuration of the suites (as OpenSSL does without TLS 1.3 suites).
    out.offers_tls13 = false;
    suites13.clear();
    std::erase_if(schemes, [](SignatureScheme s) { return !crypto::scheme_algorithm(s); });
  }
  if (out.offers_tls12 && (suites12.empty() || groups.empty() || schemes.empty())) {
    if (!out.offers_tls13) {
      return Error(ErrorCode::invalid_config, "client config",
                   "no TLS 1.2 ECDHE AEAD suite, group or signature scheme is enabled");
    }
    out.offers_tls12 = false;  // TLS 1.3 only, by configuration of the suites
  }
  // Certificates: every scheme we verify in the server's chain. Without TLS 1.2 in the offer,
  // signature_algorithms holds only what a TLS 1.3 CertificateVerify may use, which leaves out
  // rsa_pkcs1_*, the signature of almost every RSA-issued certificate; RFC 8446 §4.2.3: "If no
  // "signature_algorithms_cert" extension is present, then the "signature_algorithms" extension
  // also applies to signatures appearing in certificates", and a server that honours it strictly
  // (Java's JSSE: "No available authentication scheme") refuses us its RSA-issued chain. So when
  // the two lists differ we send signature_algorithms_cert, which §9.2 makes mandatory to
  // implement, as hs server's TLS 1.3 CertificateRequest does.
  std::vector<SignatureScheme> cert_schemes;
  for (SignatureScheme s : config->signature_schemes) {
    if (crypto::scheme_algorithm(s).has_value() &&
        !detail::contains<SignatureScheme>(cert_schemes, s)) {
      cert_schemes.push_back(s);
    }
  }
  const bool send_cert_schemes = std::any_of(
      cert_schemes.begin(), cert_schemes.end(),
      [&](SignatureScheme s) { return !detail::contains<SignatureScheme>(schemes, s); });

  // Resumption: the newest stored session for this server, if its version is one we offer.
  std::shared_ptr<ClientSessionStore> store = config->sessions;
  const std::string store_key = config->session_key.empty() ? host : config->session_key;
  std::optional<StoredSession> resume12;
  std::optional<StoredSession> resume13;
  bool psk_external = false;
  if (config->external_psk && out.offers_tls13) {
    // ClientConfig::external_psk takes the place of a stored ticket: one PSK is offered. RFC
    // 8446 §4.2.11: "For externally established PSKs, the Hash algorithm MUST be set when the
    // PSK is established"; the offer names a suite of that hash, any of them may be selected.
    const ExternalPsk& psk = *config->external_psk;
    const crypto::HashAlg hash = detail::hash_of(psk.hash);
    for (CipherSuite s : suites13) {
      if (!resume13 && detail::suite_info(s)->hash == hash) {
        StoredSession external;
        external.version = ProtocolVersion::tls1_3;
        external.suite = s;
        external.secret = SecretBytes(psk.key.expose());
        external.ticket = psk.identity;
        resume13 = std::move(external);
        psk_external = true;
      }
    }
  }
  if (store) {
    auto newest = store->get(store_key);
    // A client that verifies the server does not resume a session whose server was never
    // verified: resuming would skip the check (OpenSSL keeps the verify result in its session,
    // and curl then fails; not offering costs a full handshake instead).
    const bool verifying = config->verifier && !config->dangerous_skip_verification;
    if (verifying && newest.has_value() && !newest->peer_verified) {
      newest.reset();
    }
    if (!psk_external && newest.has_value() && newest->version == ProtocolVersion::tls1_3 &&
        out.offers_tls13 && !newest->ticket.empty()) {
      // A PSK is usable with any offered suite of its hash (RFC 8446 §4.2.11). RFC 8446 §C.4:
      // "Clients SHOULD NOT reuse a ticket for multiple connections", so it is taken.
      auto hash = detail::suite_info(newest->suite);
      bool usable = false;
      for (CipherSuite s : suites13) {
        usable = usable || (hash && detail::suite_info(s)->hash == hash->hash);
      }
      if (usable) {
        resume13 = store->take(store_key);
      }
    }
    // RFC 7627 §5.3: "The client SHOULD NOT offer an abbreviated handshake to resume a session
    // that does not use an extended master secret."
    if (newest.has_value() && newest->version == ProtocolVersion::tls1_2 && out.offers_tls12 &&
        newest->extended_master_secret && detail::contains<CipherSuite>(suites12, newest->suite) &&
        (!newest->ticket.empty() || !newest->session_id.empty())) {
      resume12 = std::move(newest);
    }
  }
  // A fresh 32-byte session ID: RFC 8446 Appendix D.4, "In compatibility mode, the client sends
  // a non-empty session ID (legacy_session_id), as described in Section 4.1.2"; and RFC 5077
  // §3.4, "When presenting a ticket, the client MAY generate and include a Session ID in the TLS
  // ClientHello. If the server accepts the ticket and the Session ID is not empty, then it MUST
  // respond with the same Session ID": a fresh random one tells us.
  const bool resume12_by_ticket = resume12.has_value() && !resume12->ticket.empty();
  const bool resume12_by_id = resume12.has_value() && !resume12_by_ticket;
  const bool fresh_session_id =
      !resume12_by_id && ((out.offers_tls13 && hooks.middlebox_compat) || resume12_by_ticket);
  // The client random and that session ID come from one draw (each random() call costs a DRBG
  // request and its locks), the random first.
  std::array<uint8_t, 64> fresh{};
  HS_TRY(provider.random(std::span<uint8_t>(fresh).first(fresh_session_id ? 64 : 32)));
  std::array<uint8_t, 32> client_random{};
  std::ranges::copy(std::span<const uint8_t>(fresh).first<32>(), client_random.begin());
  std::vector<uint8_t> session_id;
  if (fresh_session_id) {
    const auto sid = std::span<const uint8_t>(fresh).last<32>();
    session_id.assign(sid.begin(), sid.end());
  } else if (resume12_by_id) {
    // RFC 8446 §4.1.2: "A client which has a cached session ID set by a pre-TLS 1.3 server
    // SHOULD set this field to that value."
    session_id = resume12->session_id;
  }

  std::string sni = host;
  if (!sni.empty() && sni.back() == '.') {
    sni.pop_back();  // RFC 6066 §3: "The hostname is represented ... without a trailing dot."
  }
  std::string server_name;
  if (config->send_sni && !sni.empty() && !client12::is_ip_literal(sni)) {
    server_name = sni;
  }

  messages::ClientHello hello;
  // RFC 8446 §4.1.2: "In TLS 1.3, the client indicates its version preferences in the
  // "supported_versions" extension (Section 4.2.1) and the legacy_version field MUST be set to
  // 0x0303, which is the version number for TLS 1.2."
  hello.legacy_version = ProtocolVersion::tls1_2;
  hello.random = client_random;
  hello.legacy_session_id = session_id;
  hello.cipher_suites = suites13;
  hello.cipher_suites.insert(hello.cipher_suites.end(), suites12.begin(), suites12.end());
  // RFC 8446 §4.1.2: "For every TLS 1.3 ClientHello, this vector MUST contain exactly one byte,
  // set to zero"; TLS 1.2 likewise only null (RFC 7457 §2.6, CRIME).
  hello.compression_methods = {0};
  std::vector<Extension>& ext = hello.extensions;
  if (out.offers_tls12) {
    // RFC 5746 §3.4: "the client MUST include either an empty "renegotiation_info" extension,
    // or the TLS_EMPTY_RENEGOTIATION_INFO_SCSV signaling cipher suite value in the
    // ClientHello. Including both is NOT RECOMMENDED." We send the extension.
    ext.push_back(HS_TRY(make_extension(ExtensionType::renegotiation_info, [](auto& o) {
      return messages::serialize_renegotiation_info({}, o);
    })));
  }
  if (!server_name.empty()) {
    ext.push_back(HS_TRY(make_extension(ExtensionType::server_name, [&](auto& o) {
      return messages::serialize_server_name(server_name, o);
    })));
  }
  if (out.offers_tls12) {
    // RFC 8422 §5.1.2: uncompressed is the only point format.
    ext.push_back(HS_TRY(make_extension(ExtensionType::ec_point_formats, [](auto& o) {
      return messages::serialize_ec_point_formats({messages::kEcPointFormatUncompressed}, o);
    })));
  }
  ext.push_back(HS_TRY(make_extension(ExtensionType::supported_groups, [&](auto& o) {
    return messages::serialize_supported_groups(groups, o);
  })));
  if (out.offers_tls12) {
    // RFC 5077 §3.2: an empty SessionTicket extension asks for a ticket; a non-empty one offers
    // the ticket we hold.
    ext.push_back(Extension{ExtensionType::session_ticket,
                            resume12_by_ticket ? resume12->ticket : std::vector<uint8_t>{}});
  }
  if (config->ocsp_stapling != ClientConfig::OcspStapling::off) {
    // RFC 6066 §8: an OCSP status_request with no responder IDs and no request extensions, as
    // browsers and curl send it; the same in TLS 1.3 (RFC 8446 §4.4.2.1).
    ext.push_back(HS_TRY(make_extension(ExtensionType::status_request, [](auto& o) {
      return messages::serialize_status_request_ocsp(o);
    })));
  }
  if (!config->alpn.empty()) {
    ext.push_back(
        HS_TRY(make_extension(ExtensionType::application_layer_protocol_negotiation,
                              [&](auto& o) { return messages::serialize_alpn(config->alpn, o); })));
  }
  if (out.offers_tls12) {
    // RFC 7627 §5.1: the extension_data is empty.
    ext.push_back(Extension{ExtensionType::extended_master_secret, {}});
  }
  ext.push_back(HS_TRY(make_extension(ExtensionType::signature_algorithms, [&](auto& o) {
    return messages::serialize_signature_algorithms(schemes, o);
  })));
  if (send_cert_schemes) {
    ext.push_back(HS_TRY(make_extension(ExtensionType::signature_algorithms_cert, [&](auto& o) {
      return messages::serialize_signature_algorithms_cert(cert_schemes, o);
    })));
  }
  if (config->record_size_limit != 0) {
    // RFC 8449 §4: "Endpoints SHOULD advertise the "record_size_limit" extension, even if they
    // have no need to limit the size of records." Our value counts as TLS 1.3 counts (2^14 + 1
    // for "any size"); "A server MUST NOT enforce this restriction" when it speaks TLS 1.2.
    ext.push_back(HS_TRY(make_extension(ExtensionType::record_size_limit, [&](auto& o) {
      return messages::serialize_record_size_limit(config->record_size_limit, o);
    })));
  }
  std::vector<std::unique_ptr<crypto::KeyShare>> shares;
  if (out.offers_tls13) {
    // RFC 8446 §4.2.1: "Implementations of this specification MUST send this extension in the
    // ClientHello containing all versions of TLS which they are prepared to negotiate", most
    // preferred first.
    std::vector<ProtocolVersion> versions = {ProtocolVersion::tls1_3};
    if (out.offers_tls12) {
      versions.push_back(ProtocolVersion::tls1_2);
    }
    ext.push_back(HS_TRY(make_extension(ExtensionType::supported_versions, [&](auto& o) {
      return messages::serialize_supported_versions_client(versions, o);
    })));
    // RFC 8446 §4.2.8: one share, for our most preferred group; a server preferring another
    // group we listed in supported_groups asks for it with a HelloRetryRequest. When the store
    // remembers the group this server chose last time (ClientSessionStore::kx_hint) and it is
    // one we offer, the share is for that group: "Clients can offer as many KeyShareEntry values
    // as the number of supported groups it is offering, each representing a single set of key
    // exchange parameters. ... each KeyShareEntry value MUST correspond to a group offered in
    // the "supported_groups" extension and MUST appear in the same order. However, the values
    // MAY be a non-contiguous subset of the "supported_groups" extension and MAY omit the most
    // preferred groups." supported_groups keeps the configured order, so a server that now
    // prefers another group still asks for it with a HelloRetryRequest.
    NamedGroup share_group = groups.front();
    if (store) {
      std::optional<NamedGroup> hint = store->kx_hint(store_key);
      if (hint.has_value() && detail::contains<NamedGroup>(groups, *hint)) {
        share_group = *hint;
        out.share_from_hint = *hint != groups.front();
      }
    }
    auto share = HS_TRY(provider.generate_key_share(share_group));
    messages::KeyShareEntry entry{share_group, {}};
    auto pub = share->public_key();
    entry.key_exchange.assign(pub.begin(), pub.end());
    shares.push_back(std::move(share));
    ext.push_back(HS_TRY(make_extension(ExtensionType::key_share, [&](auto& o) {
      return messages::serialize_key_share_client({entry}, o);
    })));
    if (config->post_handshake_auth) {
      // RFC 8446 §4.2.6: "The "extension_data" field of the "post_handshake_auth" extension is
      // zero length."
      ext.push_back(Extension{ExtensionType::post_handshake_auth, {}});
    }
  }
  bool early_data = false;
  if (resume13.has_value()) {
    // RFC 8446 §4.2.10: early_data is empty in a ClientHello; pre_shared_key stays last.
    early_data = client13::early_data_allowed(*config, suites13, *resume13);
    if (early_data) {
      hello.extensions.push_back(Extension{ExtensionType::early_data, {}});
    }
    HS_TRY(client13::add_psk_offer(hello, *resume13,
                                   hooks.now_ms ? hooks.now_ms() : session_now_ms(), psk_external));
  } else if (out.offers_tls13 && store) {
    // RFC 8446 §4.2.9: "Servers SHOULD NOT send NewSessionTicket with tickets that are not
    // compatible with the advertised modes", and a ClientHello without the extension advertises
    // none: Go's crypto/tls then sends no ticket at all. With a session store we want tickets,
    // so we name the one mode we would resume with (psk_dhe_ke), as OpenSSL and Go clients do.
    ext.push_back(HS_TRY(make_extension(ExtensionType::psk_key_exchange_modes, [](auto& o) {
      return messages::serialize_psk_key_exchange_modes({messages::PskKeyExchangeMode::psk_dhe_ke},
                                                        o);
    })));
  }
  if (hooks.edit_client_hello) {
    hooks.edit_client_hello(hello);
  }
  std::vector<ExtensionType> sent;
  for (const Extension& e : hello.extensions) {
    sent.push_back(e.type);
  }
  if (resume13.has_value()) {
    out.raw = HS_TRY(client13::bind_psk(provider, hello, *resume13, nullptr, psk_external));
  } else {
    HS_TRY(messages::serialize_message(hello, out.raw));
  }

  if (out.offers_tls12) {
    client12::Offer& o = out.offer12;
    o.config = config;
    o.host = host;
    o.server_name = server_name;
    o.client_random = client_random;
    o.suites = suites12;
    o.groups = groups;
    o.schemes = schemes;
    o.extensions = sent;
    o.offered_tls13 = out.offers_tls13;
    o.resume = std::move(resume12);
    o.resume_by_ticket = resume12_by_ticket;
    o.offered_session_id = session_id;
    o.store = store;
    o.store_key = store_key;
  }
  if (out.offers_tls13) {
    client13::Offer& o = out.offer13;
    o.config = config;
    o.host = host;
    o.server_name = server_name;
    o.client_random = client_random;
    o.session_id = session_id;
    o.suites = suites13;
    o.groups = groups;
    o.schemes = schemes;
    o.extensions = sent;
    o.alpn = config->alpn;
    o.shares = std::move(shares);
    o.hello = hello;
    o.hello_raw = out.raw;
    o.middlebox_compat = hooks.middlebox_compat;
    o.edit_hello2 = hooks.edit_client_hello2;
    o.now_ms = hooks.now_ms;
    o.psk = std::move(resume13);
    o.psk_external = psk_external;
    o.early_data = early_data;
    o.store = store;
    o.store_key = store_key;
  }
  return out;
}

}  // namespace hs::client

// The TLS 1.3 server's answer to a ClientHello: the RFC 8446 checks, suite/group/certificate
// selection, PSK resumption, HelloRetryRequest, and the ServerHello .. Finished flight.
#include <algorithm>
#include <string>
#include <utility>

#include "crypto/signature.h"
#include "handshake/server12/negotiation.h"
#include "handshake/server13/client_offer13.h"
#include "handshake/server13/server13.h"
#include "keyschedule/tls13_keylog.h"
#include "keyschedule/tls13_transcript.h"
#include "messages/certificate.h"
#include "messages/certificate_status.h"
#include "messages/certificate_verify.h"
#include "messages/encrypted_extensions.h"
#include "messages/extensions.h"
#include "messages/finished.h"
#include "messages/handshake.h"
#include "messages/server_hello.h"
#include "record/protection.h"

namespace hs::server13 {

namespace {

using messages::Extension;

std::string hex16(uint16_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) {
    s.push_back(kHex[(v >> shift) & 0xF]);
  }
  return s;
}

template <typename M>
Result<void> send(HandshakeContext& ctx, detail::Transcript& transcript, const M& msg) {
  std::vector<uint8_t> raw;
  HS_TRY(messages::serialize_message(msg, raw));
  HS_TRY(ctx.send_handshake(raw));
  transcript.add(raw);
  return ok_result();
}

std::vector<uint8_t> hash_of(const crypto::Provider& provider, crypto::HashAlg alg,
                             std::span<const uint8_t> data) {
  auto h = provider.make_hash(alg);
  std::vector<uint8_t> out(crypto::hash_len(alg));
  h->update(data);
  h->current(out);
  return out;
}

// early_data_skip_budget is how many bytes of declined 0-RTT records we skip (RFC 8446
// §4.2.10: "up to the configured max_early_data_size"). A client may send early data on a ticket
// from elsewhere or from before 0-RTT was switched off; we allow 2^14 bytes (OpenSSL's default)
// or the configured size if larger, plus one record's worth of AEAD expansion since the budget
// counts ciphertext.
size_t early_data_skip_budget(const ServerConfig& config) {
  return std::max<size_t>(config.max_early_data_size, kMaxPlaintext) + 256;
}

// read_hello13 applies the RFC 8446 rules every TLS 1.3 ClientHello must meet.
Result<Hello13> read_hello13(const messages::ClientHello& hello) {
  // RFC 8446 Appendix D.5: "Any endpoint receiving a Hello message with
  // ClientHello.legacy_version ... set to 0x0300 MUST abort the handshake with a
  // "protocol_version" alert."
  if (static_cast<uint16_t>(hello.legacy_version) <= 0x0300) {
    return Error(ErrorCode::protocol_version, "client_hello", "legacy_version 0x0300 or below");
  }
  // Any other legacy_version (0x0303 from every client we know, 0x0301/0x0302 from old
  // middlebox-minded stacks) is not looked at. RFC 8446 §4.1.2 puts the "MUST be set to 0x0303"
  // on the client, and §4.2.1 on us: "If this extension is present in the ClientHello, servers
  // MUST NOT use the ClientHello.legacy_version value for version negotiation and MUST use only
  // the "supported_versions" extension to determine client preferences." (OpenSSL and
  // BoringSSL negotiate TLS 1.3 for such a hello as well.)
  // RFC 8446 §4.1.2: "For every TLS 1.3 ClientHello, this vector MUST contain exactly one byte,
  // set to zero ... If a TLS 1.3 ClientHello is received with any other value in this field,
  // the server MUST abort the handshake with an "illegal_parameter" alert."
  if (hello.compression_methods.size() != 1 || hello.compression_methods[0] != 0) {
    return Error(ErrorCode::illegal_parameter, "client_hello",
                 "legacy_compression_methods must be exactly [null] in TLS 1.3");
  }
  Hello13 h;
  h.offer = HS_TRY(server12::read_client_offer13(hello));
  std::vector<NamedGroup> raw_groups;
  bool has_groups = false;
  bool has_key_share = false;
  bool has_schemes = false;
  bool has_psk_modes = false;
  for (size_t i = 0; i < hello.extensions.size(); ++i) {
    const Extension& ext = hello.extensions[i];
    // Decoded by read_client_offer13, or not used by us: "Servers MUST ignore unrecognized
    // extensions" (RFC 8446 §4.1.2). renegotiation_info has no meaning in TLS 1.3.
    if (ext.type == ExtensionType::supported_groups) {
      raw_groups = HS_TRY(messages::parse_supported_groups(ext.data));
      has_groups = true;
    } else if (ext.type == ExtensionType::signature_algorithms) {
      has_schemes = true;
    } else if (ext.type == ExtensionType::key_share) {
      h.shares = HS_TRY(messages::parse_key_share_client(ext.data));
      has_key_share = true;
    } else if (ext.type == ExtensionType::pre_shared_key) {
      // RFC 8446 §4.2.11: "The "pre_shared_key" extension MUST be the last extension in the
      // ClientHello (this facilitates implementation as described below). Servers MUST check
      // that it is the last extension and otherwise fail the handshake with an
      // "illegal_parameter" alert."
      if (i + 1 != hello.extensions.size()) {
        return Error(ErrorCode::illegal_parameter, "client_hello",
                     "pre_shared_key is not the last extension");
      }
      h.psks = HS_TRY(messages::parse_pre_shared_key_client(ext.data));
    } else if (ext.type == ExtensionType::psk_key_exchange_modes) {
      h.psk_modes = HS_TRY(messages::parse_psk_key_exchange_modes(ext.data));
      has_psk_modes = true;
    } else if (ext.type == ExtensionType::cookie) {
      h.cookie = HS_TRY(messages::parse_cookie(ext.data));
    } else if (ext.type == ExtensionType::early_data) {
      HS_TRY(messages::parse_empty_extension(ext.data));
      h.early_data = true;
    } else if (ext.type == ExtensionType::post_handshake_auth) {
      // RFC 8446 §4.2.6: "The "extension_data" field of the "post_handshake_auth" extension is
      // zero length."
      HS_TRY(messages::parse_empty_extension(ext.data));
      h.post_handshake_auth = true;
    }
  }
  // RFC 8446 §9.2: "If not containing a "pre_shared_key" extension, it MUST contain both a
  // "signature_algorithms" extension and a "supported_groups" extension. If containing a
  // "supported_groups" extension, it MUST also contain a "key_share" extension, and vice
  // versa. ... Servers receiving a ClientHello which does not conform to these requirements
  // MUST abort the handshake with a "missing_extension" alert."
  if (!h.psks && !has_schemes) {
    return Error(ErrorCode::missing_extension, "client_hello", "no signature_algorithms");
  }
  if (!h.psks && !has_groups) {
    return Error(ErrorCode::missing_extension, "client_hello", "no supported_groups");
  }
  if (has_groups != has_key_share) {
    return Error(
        ErrorCode::missing_extension, "client_hello",
        has_groups ? "supported_groups without key_share" : "key_share without supported_groups");
  }
  // RFC 8446 §4.2.9: "If clients offer "pre_shared_key" without a "psk_key_exchange_modes"
  // extension, servers MUST abort the handshake." (§9.2 names the alert: missing_extension.)
  if (h.psks && !has_psk_modes) {
    return Error(ErrorCode::missing_extension, "client_hello",
                 "pre_shared_key without psk_key_exchange_modes");
  }
  // RFC 8446 §4.2.8: "Clients MUST NOT offer any KeyShareEntry values for groups not listed in
  // the client's "supported_groups" extension. Servers MAY check for violations of these rules
  // and abort the handshake with an "illegal_parameter" alert if one is violated."
  for (const messages::KeyShareEntry& share : h.shares) {
    if (!detail::contains<NamedGroup>(raw_groups, share.group)) {
      return Error(ErrorCode::illegal_parameter, "client_hello",
                   "key_share for group " + hex16(static_cast<uint16_t>(share.group)) +
                       ", which is not in supported_groups");
    }
  }
  return h;
}

}  // namespace

Result<CipherSuite> select_suite(const server12::ClientOffer& offer, const ServerConfig& config) {
  std::vector<CipherSuite> ours;
  for (CipherSuite s : config.cipher_suites) {
    if (detail::is_tls13_suite(s)) {
      ours.push_back(s);
    }
  }
  auto server_rank = [&](CipherSuite s) {
    return static_cast<size_t>(std::find(ours.begin(), ours.end(), s) - ours.begin());
  };
  auto client_rank = [&](CipherSuite s) {
    return static_cast<size_t>(std::find(offer.suites.begin(), offer.suites.end(), s) -
                               offer.suites.begin());
  };
  auto is_chacha = [](CipherSuite s) {
    return detail::suite_info(s)->aead == crypto::AeadAlg::chacha20_poly1305;
  };
  const bool chacha_first = !offer.suites.empty() && is_chacha(offer.suites.front());
  size_t best_aes = ours.size();
  for (CipherSuite s : ours) {
    if (!is_chacha(s)) {
      best_aes = std::min(best_aes, server_rank(s));
    }
  }
  auto rank = [&](CipherSuite s) {
    if (config.prefer_client_order) {
      return client_rank(s);
    }
    size_t r = server_rank(s);
    return chacha_first && is_chacha(s) ? std::min(r, best_aes) : r;
  };
  std::optional<CipherSuite> chosen;
  for (CipherSuite s : offer.suites) {
    if (!detail::contains<CipherSuite>(ours, s)) {
      continue;
    }
    if (!chosen || rank(s) < rank(*chosen) ||
        (rank(s) == rank(*chosen) && client_rank(s) < client_rank(*chosen))) {
      chosen = s;
    }
  }
  if (!chosen) {
    return Error(ErrorCode::no_common_cipher_suite, "client_hello",
                 "no TLS 1.3 cipher suite in common");
  }
  return *chosen;
}

namespace {

// CertChoice is the certificate and CertificateVerify scheme for a full handshake.
struct CertChoice {
  size_t index = 0;
  SignatureScheme scheme{};
  bool sni_matched = false;
};

// select_certificate picks the certificate and the scheme it signs with. Certificates naming
// the SNI host are the pool when any does (server12::certificate_pool). RFC 8446 §4.2.3 leaves
// the choice among the client's schemes to the server; like the suite (server12::negotiate), it
// is ours by default and the client's with prefer_client_order: the most preferred scheme that
// the client accepts and a pool certificate can sign with (the first such certificate, in
// configuration order). So with an RSA and an ECDSA certificate side by side, a client that
// accepts both gets the one the preferred order names first (ECDSA in
// default_signature_schemes), as it gets an ECDHE-ECDSA suite in TLS 1.2, whatever the order
// the certificates were configured in. RFC 8446 §4.4.3: "RSA signatures MUST use an RSASSA-PSS
// algorithm"; ECDSA schemes are bound to their curve; scheme_fits_key applies both.
Result<CertChoice> select_certificate(const server12::ClientOffer& offer,
                                      const ServerConfig& config, std::vector<std::string>& notes) {
  CertChoice choice;
  if (config.certificates.empty()) {
    return Error(ErrorCode::invalid_config, "server config", "no server certificate configured");
  }
  // RFC 8446 §4.2.3: "If a server is authenticating via a certificate and the client has not
  // sent a "signature_algorithms" extension, then the server MUST abort the handshake with a
  // "missing_extension" alert (see Section 9.2)." Such a ClientHello is legal only with a
  // pre_shared_key (§9.2), one we did not accept.
  if (!offer.signature_schemes) {
    return Error(ErrorCode::missing_extension, "client_hello",
                 "no signature_algorithms, and no PSK we accept");
  }
  std::vector<size_t> pool = server12::certificate_pool(
      offer.server_name, config, &server12::leaf_matches_host, choice.sni_matched, notes);
  const std::vector<SignatureScheme>& theirs = *offer.signature_schemes;
  // What each pool certificate can sign with, among the schemes we allow.
  std::vector<std::vector<SignatureScheme>> signable(pool.size());
  for (size_t i = 0; i < pool.size(); ++i) {
    const ServerCertificate& cert = config.certificates[pool[i]];
    if (cert.key && !cert.chain.empty()) {
      signable[i] = crypto::signable_schemes(config.signature_schemes, *cert.key);
    }
  }
  const std::vector<SignatureScheme>& order =
      config.prefer_client_order ? theirs : config.signature_schemes;
  for (SignatureScheme s : order) {
    auto info = crypto::scheme_info(s);
    // (signable[i] holds only schemes of ours, so a client-order scheme we do not allow finds
    // no certificate below.)
    if (!info || !info->tls13_allowed || !detail::contains<SignatureScheme>(theirs, s)) {
      continue;
    }
    for (size_t i = 0; i < pool.size(); ++i) {
      const ServerCertificate& cert = config.certificates[pool[i]];
      if (detail::contains<SignatureScheme>(signable[i], s) &&
          crypto::scheme_fits_key(s, cert.key->type(), ProtocolVersion::tls1_3)) {
        choice.index = pool[i];
        choice.scheme = s;
        notes.push_back("certificate #" + std::to_string(pool[i]) + " chosen, signing with " +
                        std::string(signature_scheme_name(s)));
        return choice;
      }
    }
  }
  return Error(ErrorCode::no_common_signature_scheme, "client_hello",
               "no TLS 1.3 signature scheme in common for our certificates");
}

// select_group returns our most preferred group the client supports.
Result<NamedGroup> select_group(const server12::ClientOffer& offer, const ServerConfig& config) {
  if (offer.groups) {
    for (NamedGroup g : config.groups) {
      if (detail::is_supported_group(g, ProtocolVersion::tls1_3) &&
          detail::contains<NamedGroup>(*offer.groups, g)) {
        return g;
      }
    }
  }
  return Error(ErrorCode::no_common_group, "client_hello", "no (EC)DHE group in common");
}

// share_for returns the client's share for `group`, or nullptr.
const messages::KeyShareEntry* share_for(const Hello13& h, NamedGroup group) {
  for (const messages::KeyShareEntry& s : h.shares) {
    if (s.group == group) {
      return &s;
    }
  }
  return nullptr;
}

// Fixed is what a HelloRetryRequest already decided.
struct Fixed {
  detail::SuiteInfo suite{};
  NamedGroup group{};
  detail::Transcript transcript;  // message_hash(ClientHello1), HelloRetryRequest
  bool ccs_sent = false;
};

// answer sends ServerHello .. Finished for the ClientHello we accept.
Result<State> answer(Env env, const messages::ClientHello& hello, const Hello13& h,
                     const HandshakeMessageView& msg, std::optional<Fixed> fixed) {
  HandshakeContext& ctx = env.ctx;
  const crypto::Provider& provider = ctx.provider();
  std::vector<std::string> notes;

  // PSK first: a usable ticket or external PSK steers the suite (RFC 8446 §4.2.11: the server
  // "MUST ensure that it selects a compatible PSK (if any) and cipher suite").
  std::optional<PskChoice> psk = choose_psk(env, h, notes);
  detail::SuiteInfo suite{};
  if (fixed) {
    suite = fixed->suite;
  } else if (psk) {
    suite = *detail::suite_info(psk->state.suite);
  } else {
    suite = *detail::suite_info(HS_TRY(select_suite(h.offer, env.config)));
  }
  if (psk && detail::suite_info(psk->state.suite)->hash != suite.hash) {
    notes.push_back("PSK's hash differs from the selected suite's; full handshake");
    psk.reset();
  }
  // A session ticket of ours (resumption), as opposed to an external PSK.
  const TicketState* ticket = psk && !psk->external ? &psk->state : nullptr;
  // psk_ke (RFC 8446 §4.2.9): no key_share, the (EC)DHE input of the key schedule is zeros.
  const bool dhe = !psk || psk->dhe;

  NamedGroup group = fixed ? fixed->group : NamedGroup{};
  const messages::KeyShareEntry* client_share = nullptr;
  if (dhe) {
    group = fixed ? fixed->group : HS_TRY(select_group(h.offer, env.config));
    client_share = share_for(h, group);
  }
  if (dhe && !fixed && client_share == nullptr) {
    // A share for another group we accept saves the HelloRetryRequest round trip.
    for (NamedGroup g : env.config.groups) {
      if (detail::is_supported_group(g, ProtocolVersion::tls1_3) && share_for(h, g) != nullptr &&
          detail::contains<NamedGroup>(*h.offer.groups, g)) {
        group = g;
        client_share = share_for(h, g);
        break;
      }
    }
  }
  if (dhe && client_share == nullptr) {
    if (fixed) {
      // RFC 8446 §4.1.4 allows one HelloRetryRequest; a ClientHello2 without the requested
      // share breaks "replacing the list of shares with a list containing a single
      // KeyShareEntry from the indicated group".
      return Error(ErrorCode::illegal_parameter, "client_hello",
                   "ClientHello2 has no key share for the group we asked for");
    }
    return Error(ErrorCode::internal_error, "client_hello", "no share (HRR not taken)");
  }

  std::optional<CertChoice> cert;
  if (psk) {
    HS_TRY(check_binder(env, h, *psk, fixed ? &fixed->transcript : nullptr, msg.raw));
    notes.push_back(std::string(psk->external ? "external PSK" : "resuming with a session ticket") +
                    (dhe ? " (psk_dhe_ke)" : " (psk_ke, no (EC)DHE)"));
  } else {
    cert = HS_TRY(select_certificate(h.offer, env.config, notes));
  }
  const std::string alpn = HS_TRY(server12::select_alpn(h.offer.alpn, env.config));

  // 0-RTT (RFC 8446 §4.2.10): only with the ticket of identity 0 and never after a
  // HelloRetryRequest ("Early data is not permitted after a HelloRetryRequest", §4.1.2).
  bool accept_early = false;
  if (h.early_data && ticket && !fixed) {
    std::string why;
    accept_early =
        accept_early_data(env, h.psks->identities.front(), *ticket, suite.suite, alpn, why);
    notes.push_back(accept_early ? "early data accepted (0-RTT)"
                                 : "early data offered and declined: " + why);
  } else if (h.early_data) {
    notes.push_back(fixed ? "early data offered and declined: HelloRetryRequest"
                          : "early data offered and declined: no resumable ticket");
  }

  // (EC)DHE. An invalid point is illegal_parameter from the provider (RFC 8446 §4.2.8.2).
  // Without it (psk_ke), RFC 8446 §7.1: "If a given secret is not available, then the 0-value
  // consisting of a string of Hash.length bytes set to zeros is used."
  std::unique_ptr<crypto::KeyShare> ours;
  SecretBytes shared(crypto::hash_len(suite.hash));
  if (dhe) {
    ours = HS_TRY(provider.generate_key_share(group));
    shared = HS_TRY(ours->derive(client_share->key_exchange));
  }

  detail::Transcript transcript =
      fixed ? std::move(fixed->transcript) : detail::Transcript(provider, suite.hash);
  transcript.add(msg.raw);

  messages::ServerHello sh;
  sh.legacy_version = ProtocolVersion::tls1_2;
  HS_TRY(provider.random(sh.random));
  // RFC 8446 §4.1.3: legacy_session_id_echo: "The contents of the client's legacy_session_id
  // field."
  sh.legacy_session_id = hello.legacy_session_id;
  sh.cipher_suite = suite.suite;
  sh.compression_method = 0;
  sh.extensions.push_back(
      HS_TRY(messages::make_extension(ExtensionType::supported_versions, [](auto& out) {
        return messages::serialize_supported_versions_server(ProtocolVersion::tls1_3, out);
      })));
  if (dhe) {
    messages::KeyShareEntry server_share{group, {}};
    auto pub = ours->public_key();
    server_share.key_exchange.assign(pub.begin(), pub.end());
    sh.extensions.push_back(
        HS_TRY(messages::make_extension(ExtensionType::key_share, [&](auto& out) {
          return messages::serialize_key_share_server(server_share, out);
        })));
  }
  if (psk) {
    // RFC 8446 §4.2.11: selected_identity, "The server's chosen identity expressed as a
    // (0-based) index into the identities in the client's "OfferedPsks.identities" list."
    sh.extensions.push_back(
        HS_TRY(messages::make_extension(ExtensionType::pre_shared_key, [&](auto& out) {
          return messages::serialize_pre_shared_key_server(static_cast<uint16_t>(psk->index), out);
        })));
  }
  ctx.set_version(ProtocolVersion::tls1_3);
  for (std::string& n : notes) {
    ctx.note(std::move(n));
  }
  HS_TRY(send(ctx, transcript, sh));
  // RFC 8446 Appendix D.4: "The server sends a dummy change_cipher_spec record immediately
  // after its first handshake message. This may either be after a ServerHello or a
  // HelloRetryRequest." Only in compatibility mode, which a non-empty session id signals.
  if (!hello.legacy_session_id.empty() && !(fixed && fixed->ccs_sent)) {
    HS_TRY(ctx.send_change_cipher_spec());
  }

  // RFC 8446 §7.1: Early Secret from the PSK (or zeros), Handshake Secret from (EC)DHE.
  auto early = psk ? keyschedule::EarlySecret::make(provider, suite.hash, psk->state.psk.expose())
                   : keyschedule::EarlySecret::make(provider, suite.hash);
  std::optional<keyschedule::TrafficSecret> client_early;
  if (accept_early) {
    // RFC 8446 §7.1: client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic",
    // ClientHello).
    const std::vector<uint8_t> ch_hash = hash_of(provider, suite.hash, msg.raw);
    client_early = HS_TRY(early.client_early_traffic_secret(ch_hash));
    ctx.key_log(keyschedule::keylog_label(client_early->kind()), hello.random,
                client_early->secret());
    // early_exporter_master_secret = Derive-Secret(Early Secret, "e exp master", ClientHello),
    // for export_early_keying_material.
    auto early_exporter = HS_TRY(early.early_exporter_master_secret(ch_hash));
    ctx.key_log(keyschedule::kKeyLogEarlyExporterSecret, hello.random, early_exporter);
    ctx.set_early_exporter(detail::Exporter::tls13(suite.hash, std::move(early_exporter)));
  }
  auto hs_secret = HS_TRY(keyschedule::HandshakeSecret::derive(std::move(early), shared.expose()));
  const std::vector<uint8_t> ch_sh = transcript.current();
  auto client_hs = HS_TRY(hs_secret.client_handshake_traffic_secret(ch_sh));
  auto server_hs = HS_TRY(hs_secret.server_handshake_traffic_secret(ch_sh));
  ctx.key_log(keyschedule::keylog_label(client_hs.kind()), hello.random, client_hs.secret());
  ctx.key_log(keyschedule::keylog_label(server_hs.kind()), hello.random, server_hs.secret());
  ctx.set_write_protection(HS_TRY(detail::tls13_protection(provider, server_hs, suite.aead)),
                           "server_handshake_traffic_secret");
  // RFC 8446 §5.1: the ClientHello must end its record; set_read_protection checks. With 0-RTT
  // accepted the client's next records are under its early traffic key until EndOfEarlyData.
  if (client_early) {
    auto read_protection = HS_TRY(detail::tls13_protection(provider, *client_early, suite.aead));
    HS_TRY(ctx.set_read_protection(std::move(read_protection), "client_early_traffic_secret"));
  } else {
    auto read_protection = HS_TRY(detail::tls13_protection(provider, client_hs, suite.aead));
    HS_TRY(ctx.set_read_protection(std::move(read_protection), "client_handshake_traffic_secret"));
  }

  if (h.early_data && !accept_early) {
    // Declined (no early_data in EncryptedExtensions): the client's early data records, under
    // its early traffic key, must be skipped (RFC 8446 §4.2.10).
    ctx.skip_early_data(early_data_skip_budget(env.config));
  }

  // EncryptedExtensions (RFC 8446 §4.3.1).
  messages::EncryptedExtensions ee;
  const bool sni_used =
      !h.offer.server_name.empty() &&
      (cert ? cert->sni_matched : ticket != nullptr && ticket->server_name == h.offer.server_name);
  if (sni_used) {
    // RFC 6066 §3: a server that used the name "SHALL include an extension of type
    // "server_name" ... The "extension_data" field of this extension SHALL be empty."
    ee.extensions.push_back(Extension{ExtensionType::server_name, {}});
  }
  if (!alpn.empty()) {
    ee.extensions.push_back(HS_TRY(messages::make_extension(
        ExtensionType::application_layer_protocol_negotiation,
        [&](auto& out) { return messages::serialize_alpn_server(alpn, out); })));
  }
  if (accept_early) {
    // RFC 8446 §4.2.10: "the server ... indicates that it is accepting early data by including
    // an "early_data" extension in EncryptedExtensions" (empty there).
    ee.extensions.push_back(Extension{ExtensionType::early_data, {}});
  }
  if (h.offer.record_size_limit) {
    // RFC 8449 §4: "In TLS 1.3, the server sends the "record_size_limit" extension in the
    // EncryptedExtensions message." The client's limit (which counts the inner content type)
    // caps every protected record we send from EncryptedExtensions on; ours holds for the
    // client's records under its handshake and application keys. (Declined 0-RTT records are
    // skipped before any limit is checked.)
    ctx.set_peer_record_size_limit(*h.offer.record_size_limit);
    if (env.config.record_size_limit != 0) {
      ee.extensions.push_back(
          HS_TRY(messages::make_extension(ExtensionType::record_size_limit, [&](auto& out) {
            return messages::serialize_record_size_limit(env.config.record_size_limit, out);
          })));
      // Accepted 0-RTT records were sealed before the client knew our limit: the limit starts
      // with the client's handshake keys.
      ctx.set_own_record_size_limit(env.config.record_size_limit, /*current_keys=*/!accept_early);
    }
  }
  HS_TRY(send(ctx, transcript, ee));

  SessionInfo& info = ctx.info();
  if (h.early_data) {
    info.early_data = accept_early ? EarlyDataStatus::accepted : EarlyDataStatus::rejected;
  }
  info.version = ProtocolVersion::tls1_3;
  info.cipher_suite = suite.suite;
  if (dhe) {
    info.group = group;
  }
  info.alpn = alpn;
  info.server_name = h.offer.server_name;
  info.resumed = ticket != nullptr;
  if (psk && psk->external) {
    info.psk_identity = psk->identity;
  }
  info.extended_master_secret = false;
  info.session_id = hello.legacy_session_id;

  // RFC 8446 §4.3.2: "Servers which are authenticating with a PSK MUST NOT send the
  // CertificateRequest message in the main handshake": only with a certificate (`cert`). A
  // resumed connection reports the client certificate its ticket recorded.
  std::optional<std::vector<SignatureScheme>> client_auth;
  CertificateDer client_leaf;
  if (cert && env.config.client_auth != ClientAuth::none) {
    client_auth = HS_TRY(send_certificate_request(env, transcript, {}));
  } else if (ticket && !ticket->client_leaf.empty()) {
    client_leaf = ticket->client_leaf;
    info.peer_chain = {client_leaf};
    info.peer_verified = true;
  }

  ctx.info().post_handshake_auth = h.post_handshake_auth;
  std::string summary;
  if (ctx.wants_notes()) {
    summary = "TLS 1.3 " + std::string(suite_name(suite.suite)) +
              (dhe ? ", group " + std::string(group_name(group)) : std::string(", no (EC)DHE")) +
              (ticket ? ", resumed"
               : psk  ? ", external PSK"
                      : ", full handshake");
  }
  // Client authentication and 0-RTT never meet: a CertificateRequest goes only with a full
  // handshake (RFC 8446 §4.3.2: not with a PSK), early data only with a resumed one. The
  // early data limit is the one the ticket announced, or our current one if it is lower now.
  std::optional<uint32_t> early_limit;
  if (accept_early) {
    early_limit = std::min(ticket->max_early_data, env.config.max_early_data_size);
  }

  std::vector<uint8_t> to_sign;
  if (cert) {
    const ServerCertificate& c = env.config.certificates[cert->index];
    // Certificate (RFC 8446 §4.4.2): "certificate_request_context ... In the case of server
    // authentication, this field SHALL be zero length." Entry extensions "MUST correspond to
    // ones from the ClientHello message": the leaf's OCSP response when the client sent
    // status_request (§4.4.2.1: "the "extension_data" field of this extension contains a
    // CertificateStatus structure"); no SCTs.
    messages::Certificate13 cm;
    for (const CertificateDer& der : c.chain) {
      cm.entries.push_back(messages::CertificateEntry{der, {}});
    }
    if (h.offer.status_request && !c.ocsp_response.empty() && !cm.entries.empty()) {
      cm.entries.front().extensions.push_back(
          HS_TRY(messages::make_extension(ExtensionType::status_request, [&](auto& out) {
            return messages::serialize(messages::CertificateStatus{c.ocsp_response}, out);
          })));
    }
    HS_TRY(send(ctx, transcript, cm));
    // CertificateVerify (RFC 8446 §4.4.3): 64 spaces, the context string, a zero byte, then
    // Transcript-Hash(Handshake Context, Certificate).
    static constexpr std::string_view kContext = "TLS 1.3, server CertificateVerify";
    to_sign.assign(64, 0x20);
    to_sign.insert(to_sign.end(), kContext.begin(), kContext.end());
    to_sign.push_back(0);
    const std::vector<uint8_t> th = transcript.current();
    to_sign.insert(to_sign.end(), th.begin(), th.end());
  }

  FlightEnd end{suite,
                hello.random,
                std::move(transcript),
                std::move(hs_secret),
                std::move(client_hs),
                std::move(server_hs),
                alpn,
                h.offer.server_name,
                std::move(client_leaf),
                h.post_handshake_auth,
                cert ? std::optional<SignatureScheme>(cert->scheme) : std::nullopt,
                std::move(client_auth),
                early_limit,
                std::move(summary)};
  if (!cert) {
    return finish_flight(env, std::move(end), {});
  }
  const crypto::PrivateKey& key = *env.config.certificates[cert->index].key;
  if (key.offloaded()) {
    // The application signs (certified_key_for_offload): ServerHello .. Certificate are queued
    // and the rest waits for Connection::provide_signature.
    HS_TRY(ctx.request_signature(cert->scheme, std::move(to_sign), cert->index));
    return AwaitSignature{std::move(end)};
  }
  auto signature = key.sign(crypto::scheme_info(cert->scheme)->alg, to_sign);
  if (!signature.ok()) {
    return Error(ErrorCode::internal_error, "certificate_verify", "signing failed");
  }
  return finish_flight(env, std::move(end), signature.value());
}

}  // namespace

Result<State> finish_flight(Env env, FlightEnd&& end, std::span<const uint8_t> signature) {
  HandshakeContext& ctx = env.ctx;
  const crypto::Provider& provider = ctx.provider();
  const detail::SuiteInfo& suite = end.suite;
  if (end.cv_scheme) {
    HS_TRY(send(ctx, end.transcript,
                messages::CertificateVerify{
                    *end.cv_scheme, std::vector<uint8_t>(signature.begin(), signature.end())}));
    ctx.info().own_signature_scheme = *end.cv_scheme;
  }

  // Finished (RFC 8446 §4.4.4) with the server handshake traffic secret as BaseKey.
  auto vd = HS_TRY(
      keyschedule::finished_verify_data13(provider, end.server_hs, end.transcript.current()));
  messages::Finished fin;
  fin.verify_data = declassify(vd.expose());  // verify_data travels (encrypted) to the peer
  HS_TRY(send(ctx, end.transcript, fin));

  // RFC 8446 §7.1: application traffic secrets over ClientHello...server Finished.
  const std::vector<uint8_t> ch_sf = end.transcript.current();
  auto master = HS_TRY(keyschedule::MasterSecret::derive(std::move(end.hs_secret)));
  auto client_app = HS_TRY(master.client_application_traffic_secret_0(ch_sf));
  auto server_app = HS_TRY(master.server_application_traffic_secret_0(ch_sf));
  auto exporter = HS_TRY(master.exporter_master_secret(ch_sf));
  const std::array<uint8_t, 32>& random = end.client_random;
  ctx.key_log(keyschedule::keylog_label(server_app.kind()), random, server_app.secret());
  ctx.key_log(keyschedule::keylog_label(client_app.kind()), random, client_app.secret());
  ctx.key_log(keyschedule::kKeyLogExporterSecret, random, exporter);
  ctx.set_exporter(detail::Exporter::tls13(suite.hash, std::move(exporter)));
  ctx.set_write_protection(HS_TRY(detail::tls13_protection(provider, server_app, suite.aead)),
                           "server_application_traffic_secret_0");
  if (!end.note.empty()) {
    ctx.note(std::move(end.note));
  }
  ExpectFinished next{suite,
                      end.client_random,
                      std::move(end.transcript),
                      std::move(end.client_hs),
                      std::move(master),
                      std::move(client_app),
                      std::move(server_app),
                      std::move(end.alpn),
                      std::move(end.server_name),
                      std::move(end.client_leaf),
                      end.post_handshake_auth};
  if (end.client_auth) {
    return ExpectClientCertificate{std::move(next), std::move(*end.client_auth)};
  }
  if (end.early_limit) {
    return ExpectEndOfEarlyData{std::move(next), *end.early_limit, 0};
  }
  return next;
}

Result<State> handle(AwaitSignature&& /*st*/, Env /*env*/, const HandshakeMessageView& msg) {
  // receive() holds later records, and a message behind the ClientHello in its record is refused
  // by the record layer first (RFC 8446 §5.1, "Handshake messages MUST NOT span key changes"):
  // nothing should reach here, and whatever does is refused.
  return Error(ErrorCode::unexpected_message, "server13::AwaitSignature",
               "unexpected " + std::string(handshake_type_name(msg.type)) +
                   " before our flight was complete");
}

namespace {

// send_hello_retry_request asks for a share of `group` (RFC 8446 §4.1.4).
Result<State> send_hello_retry_request(Env env, const messages::ClientHello& hello,
                                       const HandshakeMessageView& msg, detail::SuiteInfo suite,
                                       NamedGroup group) {
  HandshakeContext& ctx = env.ctx;
  const crypto::Provider& provider = ctx.provider();
  std::vector<uint8_t> ch1_hash = hash_of(provider, suite.hash, msg.raw);
  std::vector<uint8_t> cookie = HS_TRY(make_cookie(provider, suite.suite, group, ch1_hash));

  messages::ServerHello hrr;
  hrr.legacy_version = ProtocolVersion::tls1_2;
  hrr.random = messages::kHelloRetryRequestRandom;
  hrr.legacy_session_id = hello.legacy_session_id;
  hrr.cipher_suite = suite.suite;
  hrr.compression_method = 0;
  hrr.extensions.push_back(
      HS_TRY(messages::make_extension(ExtensionType::supported_versions, [](auto& out) {
        return messages::serialize_supported_versions_server(ProtocolVersion::tls1_3, out);
      })));
  hrr.extensions.push_back(
      HS_TRY(messages::make_extension(ExtensionType::key_share, [&](auto& out) {
        return messages::serialize_key_share_hrr(group, out);
      })));
  hrr.extensions.push_back(HS_TRY(messages::make_extension(
      ExtensionType::cookie, [&](auto& out) { return messages::serialize_cookie(cookie, out); })));

  // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash(Hash(ClientHello1)).
  detail::Transcript transcript(provider, suite.hash);
  transcript.add(keyschedule::message_hash_message(ch1_hash));
  ctx.set_version(ProtocolVersion::tls1_3);
  if (ctx.wants_notes()) {
    ctx.note("HelloRetryRequest: no key share for " + std::string(group_name(group)) +
             ", cipher suite " + std::string(suite_name(suite.suite)));
  }
  HS_TRY(send(ctx, transcript, hrr));
  bool ccs_sent = false;
  if (!hello.legacy_session_id.empty()) {
    // RFC 8446 Appendix D.4, as in answer().
    HS_TRY(ctx.send_change_cipher_spec());
    ccs_sent = true;
  }
  ctx.info().version = ProtocolVersion::tls1_3;
  if (messages::find_extension(hello.extensions, ExtensionType::early_data) != nullptr) {
    // RFC 8446 §4.2.10: after a HelloRetryRequest "The server then ignores early data by
    // skipping all records with an external content type of "application_data"".
    ctx.skip_early_data(early_data_skip_budget(env.config));
  }
  return ExpectSecondClientHello{
      hello, suite, group, std::move(ch1_hash), std::move(cookie), std::move(transcript), ccs_sent};
}

// same_except_retry_fields reports whether ClientHello2's extensions equal ClientHello1's apart
// from those RFC 8446 §4.1.2 lets change (key_share, early_data removed, cookie added,
// pre_shared_key updated, padding).
bool same_except_retry_fields(const messages::ClientHello& a, const messages::ClientHello& b) {
  auto kept = [](const messages::ClientHello& h) {
    std::vector<Extension> out;
    for (const Extension& e : h.extensions) {
      if (e.type != ExtensionType::key_share && e.type != ExtensionType::early_data &&
          e.type != ExtensionType::cookie && e.type != ExtensionType::pre_shared_key &&
          e.type != ExtensionType::padding) {
        out.push_back(e);
      }
    }
    return out;
  };
  return kept(a) == kept(b);
}

}  // namespace

Result<State> handle_client_hello(Env env, const messages::ClientHello& hello,
                                  const HandshakeMessageView& msg) {
  Hello13 h = HS_TRY(read_hello13(hello));
  if (h.cookie) {
    // We never sent a HelloRetryRequest on this connection, so no cookie of ours can be valid
    // here (RFC 8446 §4.2.2: the cookie is only echoed in ClientHello2).
    return Error(ErrorCode::illegal_parameter, "client_hello", "cookie in a first ClientHello");
  }
  // Without a usable share for any group we accept, ask for one.
  std::vector<std::string> notes;
  std::optional<PskChoice> psk = choose_psk(env, h, notes);
  if (psk && !psk->dhe) {
    return answer(env, hello, h, msg, std::nullopt);  // psk_ke: no key share to ask for
  }
  CipherSuite suite = psk ? psk->state.suite : HS_TRY(select_suite(h.offer, env.config));
  NamedGroup group = HS_TRY(select_group(h.offer, env.config));
  bool have_share = false;
  for (NamedGroup g : env.config.groups) {
    if (detail::is_supported_group(g, ProtocolVersion::tls1_3) &&
        detail::contains<NamedGroup>(*h.offer.groups, g) && share_for(h, g) != nullptr) {
      have_share = true;
    }
  }
  if (!have_share) {
    // Fail before the round trip when the rest cannot work (no certificate scheme in common).
    if (!psk) {
      std::vector<std::string> ignored;
      HS_TRY(select_certificate(h.offer, env.config, ignored));
    }
    HS_TRY(server12::select_alpn(h.offer.alpn, env.config));
    return send_hello_retry_request(env, hello, msg, *detail::suite_info(suite), group);
  }
  return answer(env, hello, h, msg, std::nullopt);
}

Result<State> handle(ExpectClientHello&& /*st*/, Env env, const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::client_hello) {
    return Error(ErrorCode::unexpected_message, "server13::ExpectClientHello",
                 "expected ClientHello");
  }
  auto hello = HS_TRY(messages::parse_client_hello(msg.body));
  return handle_client_hello(env, hello, msg);
}

Result<State> handle(ExpectSecondClientHello&& st, Env env, const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::client_hello) {
    return Error(ErrorCode::unexpected_message, "server13::ExpectSecondClientHello",
                 "expected ClientHello after HelloRetryRequest");
  }
  auto hello = HS_TRY(messages::parse_client_hello(msg.body));
  Hello13 h = HS_TRY(read_hello13(hello));
  // RFC 8446 §4.1.2: after a HelloRetryRequest "the client MUST send the same ClientHello
  // without modification, except as follows" (new key_share, early_data removed, cookie,
  // pre_shared_key, padding). The RFC names no alert for a client that changes anything else;
  // we answer illegal_parameter as OpenSSL and BoringSSL do.
  const messages::ClientHello& h1 = st.hello1;
  const char* changed = nullptr;
  if (hello.random != h1.random) {
    changed = "random";
  } else if (hello.legacy_session_id != h1.legacy_session_id) {
    changed = "legacy_session_id";
  } else if (hello.cipher_suites != h1.cipher_suites) {
    changed = "cipher_suites";
  } else if (!same_except_retry_fields(h1, hello)) {
    changed = "extensions";
  } else if (h.early_data) {
    // RFC 8446 §4.1.2: "Removing the "early_data" extension (Section 4.2.10) if one was
    // present. Early data is not permitted after a HelloRetryRequest."
    changed = "early_data";
  } else if (h.shares.size() != 1 || h.shares.front().group != st.group) {
    // RFC 8446 §4.1.2: "replacing the list of shares with a list containing a single
    // KeyShareEntry from the indicated group."
    changed = "key_share";
  } else if (!h.cookie || !cookie_matches(env.ctx.provider(), *h.cookie, st.suite.suite, st.group,
                                          st.ch1_hash)) {
    // RFC 8446 §4.1.2: "Including a "cookie" extension if one was provided in the
    // HelloRetryRequest."
    changed = "cookie";
  }
  if (changed != nullptr) {
    return Error(ErrorCode::illegal_parameter, "client_hello",
                 std::string("ClientHello2 does not match ClientHello1 after "
                             "HelloRetryRequest: ") +
                     changed);
  }
  Fixed fixed{st.suite, st.group, std::move(st.transcript), st.ccs_sent};
  return answer(env, hello, h, msg, std::move(fixed));
}

}  // namespace hs::server13

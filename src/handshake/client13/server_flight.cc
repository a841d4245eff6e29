// The server's encrypted flight (EncryptedExtensions, CertificateRequest, Certificate,
// CertificateVerify, Finished) and our answer ([ChangeCipherSpec], [Certificate], Finished).
#include <string>
#include <utility>

#include "crypto/signature.h"
#include "handshake/client13/client13.h"
#include "handshake/common/server_chain.h"
#include "keyschedule/tls13_keylog.h"
#include "messages/certificate.h"
#include "messages/certificate_request.h"
#include "messages/certificate_status.h"
#include "messages/certificate_verify.h"
#include "messages/encrypted_extensions.h"
#include "messages/end_of_early_data.h"
#include "messages/extensions.h"
#include "messages/finished.h"
#include "messages/handshake.h"
#include "record/protection.h"

namespace hs::client13 {

namespace {

std::string hex16(uint16_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) {
    s.push_back(kHex[(v >> shift) & 0xF]);
  }
  return s;
}

// kAllowedInEncryptedExtensions follows the table of RFC 8446 §4.2 (the "EE" column) for the
// extensions we know.
constexpr ExtensionType kAllowedInEncryptedExtensions[] = {
    ExtensionType::server_name,      ExtensionType::max_fragment_length,
    ExtensionType::supported_groups, ExtensionType::use_srtp,
    ExtensionType::heartbeat,        ExtensionType::application_layer_protocol_negotiation,
    ExtensionType::early_data,       ExtensionType::record_size_limit,
};

// kKnownExtensions are the types we recognise, for which RFC 8446 §4.2 prescribes
// illegal_parameter when they appear in the wrong message (the TLS 1.2-only ones included:
// they have no place in a TLS 1.3 EncryptedExtensions).
constexpr ExtensionType kKnownExtensions[] = {
    ExtensionType::server_name,
    ExtensionType::max_fragment_length,
    ExtensionType::status_request,
    ExtensionType::supported_groups,
    ExtensionType::ec_point_formats,
    ExtensionType::signature_algorithms,
    ExtensionType::use_srtp,
    ExtensionType::heartbeat,
    ExtensionType::application_layer_protocol_negotiation,
    ExtensionType::signed_certificate_timestamp,
    ExtensionType::padding,
    ExtensionType::encrypt_then_mac,
    ExtensionType::extended_master_secret,
    ExtensionType::record_size_limit,
    ExtensionType::session_ticket,
    ExtensionType::pre_shared_key,
    ExtensionType::early_data,
    ExtensionType::supported_versions,
    ExtensionType::cookie,
    ExtensionType::psk_key_exchange_modes,
    ExtensionType::certificate_authorities,
    ExtensionType::oid_filters,
    ExtensionType::post_handshake_auth,
    ExtensionType::signature_algorithms_cert,
    ExtensionType::key_share,
    ExtensionType::renegotiation_info,
};

bool allowed_in_encrypted_extensions(ExtensionType type) {
  return detail::contains<ExtensionType>(kAllowedInEncryptedExtensions, type);
}
bool known_extension(ExtensionType type) {
  return detail::contains<ExtensionType>(kKnownExtensions, type);
}

}  // namespace

// CertificateVerifyChecker is the one place that can make a SignatureVerified.
struct CertificateVerifyChecker {
  static Result<SignatureVerified> verify(const ServerKey& key, const Offer& offer,
                                          const messages::CertificateVerify& cv,
                                          std::span<const uint8_t> transcript_hash) {
    // RFC 8446 §4.4.3: "If the CertificateVerify message is sent by a server, the signature
    // algorithm MUST be one offered in the client's "signature_algorithms" extension unless no
    // valid certificate chain can be produced without unsupported algorithms", and "RSA
    // signatures MUST use an RSASSA-PSS algorithm, regardless of whether RSASSA-PKCS1-v1_5
    // algorithms appear in "signature_algorithms"." scheme_fits_key applies the TLS 1.3 rules
    // (ECDSA curve bound to the scheme, rsa_pss_rsae vs rsa_pss_pss keys, no PKCS#1).
    auto info = crypto::scheme_info(cv.scheme);
    if (!detail::contains<SignatureScheme>(offer.schemes, cv.scheme) || !info ||
        !crypto::scheme_fits_key(cv.scheme, key.type, ProtocolVersion::tls1_3)) {
      return Error(ErrorCode::illegal_parameter, "certificate_verify",
                   "server signed with scheme " + hex16(static_cast<uint16_t>(cv.scheme)) +
                       ", which we did not offer for TLS 1.3 or which does not fit its key");
    }
    // RFC 8446 §4.4.3: the signed content is 64 octets of 0x20, the context string "TLS 1.3,
    // server CertificateVerify", a single 0 byte, then Transcript-Hash(Handshake Context,
    // Certificate).
    static constexpr std::string_view kContext = "TLS 1.3, server CertificateVerify";
    std::vector<uint8_t> content(64, 0x20);
    content.insert(content.end(), kContext.begin(), kContext.end());
    content.push_back(0);
    content.insert(content.end(), transcript_hash.begin(), transcript_hash.end());
    // RFC 8446 §4.4.3: "If the verification fails, the receiver MUST terminate the handshake
    // with a "decrypt_error" alert."
    if (!key.key->verify(info->alg, content, cv.signature)) {
      return Error(ErrorCode::bad_signature, "certificate_verify",
                   "the CertificateVerify signature does not verify with the server's key");
    }
    return SignatureVerified();
  }
};

Result<State> handle(ExpectEncryptedExtensions&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::encrypted_extensions) {
    return Error(ErrorCode::unexpected_message, "encrypted_extensions",
                 "expected EncryptedExtensions");
  }
  auto ee = HS_TRY(messages::parse_encrypted_extensions(msg.body));
  const Offer& offer = st.s.offer;
  std::string alpn;
  for (const messages::Extension& e : ee.extensions) {
    // RFC 8446 §4.2: "If an implementation receives an extension which it recognizes and which
    // is not specified for the message in which it appears, it MUST abort the handshake with an
    // "illegal_parameter" alert." and, for extensions we did not send, "Upon receiving such an
    // extension, an endpoint MUST abort the handshake with an "unsupported_extension" alert."
    if (known_extension(e.type) && !allowed_in_encrypted_extensions(e.type)) {
      return Error(ErrorCode::illegal_parameter, "encrypted_extensions",
                   "extension " + hex16(static_cast<uint16_t>(e.type)) +
                       " is not allowed in EncryptedExtensions");
    }
    if (!detail::contains<ExtensionType>(offer.extensions, e.type)) {
      return Error(ErrorCode::unsolicited_extension, "encrypted_extensions",
                   "server sent extension " + hex16(static_cast<uint16_t>(e.type)) +
                       " that we did not offer");
    }
    if (e.type == ExtensionType::server_name) {
      HS_TRY(messages::parse_server_name_ack(e.data));
    } else if (e.type == ExtensionType::supported_groups) {
      // RFC 8446 §4.2.7: the server's preference list; "Clients MUST NOT act upon any
      // information found in "supported_groups" prior to successful completion of the
      // handshake". We only check it parses.
      HS_TRY(messages::parse_supported_groups(e.data));
    } else if (e.type == ExtensionType::application_layer_protocol_negotiation) {
      // RFC 7301 §3.1: exactly one name (the parser checks), one we offered.
      alpn = HS_TRY(messages::parse_alpn_server(e.data));
      if (!detail::contains<std::string>(offer.alpn, alpn)) {
        return Error(ErrorCode::illegal_parameter, "encrypted_extensions",
                     "server selected an ALPN protocol we did not offer");
      }
    } else if (e.type == ExtensionType::early_data) {
      HS_TRY(messages::parse_empty_extension(e.data));
      // RFC 8446 §4.2.10: "If the server supplies an "early_data" extension, the client MUST
      // verify that the server's selected_identity is 0. If any other value is returned, it
      // MUST abort the handshake with an "illegal_parameter" alert." Our early data is sealed
      // under the ticket's suite, so the server must have kept it too.
      if (!offer.early_data || !st.s.psk_auth.has_value() || !offer.psk.has_value() ||
          offer.psk->suite != st.s.keys.suite.suite) {
        return Error(ErrorCode::illegal_parameter, "encrypted_extensions",
                     "early_data accepted without our PSK and its cipher suite");
      }
      st.s.early_data_accepted = true;
    } else if (e.type == ExtensionType::record_size_limit) {
      // RFC 8449 §4: values below 64 are illegal_parameter (the parser checks). From here on
      // our protected records fit the server's limit (it counts the inner content type); the
      // server already sealed this flight under ours, which it learnt from the ClientHello.
      const uint16_t limit = HS_TRY(messages::parse_record_size_limit(e.data));
      ctx.set_peer_record_size_limit(limit);
      if (offer.config->record_size_limit != 0) {  // 0 only when a test hook added the offer
        ctx.set_own_record_size_limit(offer.config->record_size_limit, /*current_keys=*/true);
      }
      if (ctx.wants_notes()) {
        ctx.note("record_size_limit: the server's is " + std::to_string(limit) + ", ours " +
                 std::to_string(offer.config->record_size_limit));
      }
    }
    // Anything else offered and allowed is not interpreted (we offer nothing else today).
  }
  // RFC 8446 §4.2.10: to accept early data the server "MUST verify that the following values
  // are the same as those associated with the selected PSK: ... The selected ALPN [RFC7301]
  // protocol, if any". Our early data was written for the ticket's protocol; a server accepting
  // it under another one is refused, as BoringSSL does (BoGo:
  // EarlyData-BadALPNMismatch-Client-TLS13).
  if (st.s.early_data_accepted && alpn != offer.psk->alpn) {
    return Error(ErrorCode::illegal_parameter, "encrypted_extensions",
                 "early data accepted under another ALPN protocol than the ticket's");
  }
  if (st.s.early_data_accepted) {
    ctx.close_early_data(true);
    ctx.note("early data accepted by the server");
  } else {
    decline_early_data(st.s.offer, ctx, /*plaintext=*/false);
  }
  st.s.transcript.add(msg.raw);
  ctx.info().alpn = alpn;
  if (ctx.wants_notes()) {
    ctx.note(alpn.empty() ? std::string("no ALPN protocol agreed")
                          : "ALPN protocol agreed: " + alpn);
  }
  if (st.s.psk_auth.has_value()) {
    // RFC 8446 §2.2: with a PSK "the server ... does not send a Certificate or a
    // CertificateVerify"; §4.3.2: "Servers which are authenticating with a PSK MUST NOT send
    // the CertificateRequest message". Anything but Finished is now unexpected_message.
    PskAuthenticated proof = *st.s.psk_auth;
    return ExpectFinished{std::move(st.s), proof};
  }
  return ExpectCertificateOrRequest{std::move(st.s)};
}

namespace {

Result<State> handle_certificate(Session&& s, HandshakeContext& ctx,
                                 const HandshakeMessageView& msg) {
  auto cert = HS_TRY(messages::parse_certificate13(msg.body, ctx.limits().max_certificates));
  // RFC 8446 §4.4.2: certificate_request_context: "In the case of server authentication, this
  // field SHALL be zero length."
  if (!cert.request_context.empty()) {
    return Error(ErrorCode::illegal_parameter, "certificate",
                 "certificate_request_context must be empty for the server");
  }
  // RFC 8446 §4.4.2.4: "If the server supplies an empty Certificate message, the client MUST
  // abort the handshake with a "decode_error" alert."
  if (cert.entries.empty()) {
    return Error(ErrorCode::decode_error, "certificate", "server sent an empty certificate chain");
  }
  const ClientConfig& config = *s.offer.config;
  const bool asked_status = config.ocsp_stapling != ClientConfig::OcspStapling::off;
  std::vector<CertificateDer> chain;
  std::vector<uint8_t> stapled;
  for (const messages::CertificateEntry& entry : cert.entries) {
    // RFC 8446 §4.4.2: "Extensions in the Certificate message from the server MUST correspond
    // to ones from the ClientHello message." The one we may request is status_request (no SCT).
    for (const messages::Extension& ext : entry.extensions) {
      if (ext.type != ExtensionType::status_request || !asked_status) {
        return Error(ErrorCode::unsolicited_extension, "certificate",
                     "certificate entry extension that we did not request");
      }
      // RFC 8446 §4.4.2.1: "the body of the "status_request" extension from the server MUST be
      // a CertificateStatus structure as defined in [RFC6066]". Only the leaf's is checked, as
      // OpenSSL does; a response for an intermediate is read for shape and not used.
      auto status = HS_TRY(messages::parse_certificate_status(ext.data));
      if (chain.empty()) {
        stapled = std::move(status.ocsp_response);
      }
    }
    chain.push_back(entry.cert_data);
  }
  s.transcript.add(msg.raw);
  ServerKey server_key = HS_TRY(
      detail::accept_server_chain(ctx, config, s.offer.host, std::move(chain), std::nullopt));
  HS_TRY(detail::check_stapled_status(ctx, config, std::move(stapled)));
  return ExpectCertificateVerify{std::move(s), std::move(server_key)};
}

}  // namespace

Result<State> handle(ExpectCertificateOrRequest&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg) {
  if (msg.type == HandshakeType::certificate) {
    return handle_certificate(std::move(st.s), ctx, msg);
  }
  if (msg.type != HandshakeType::certificate_request) {
    return Error(ErrorCode::unexpected_message, "certificate",
                 "expected CertificateRequest or Certificate");
  }
  auto request = HS_TRY(parse_cert_request13(msg.body));
  // RFC 8446 §4.3.2: certificate_request_context "SHALL be zero length unless used for the
  // post-handshake authentication exchanges".
  if (!request.context.empty()) {
    return Error(ErrorCode::illegal_parameter, "certificate_request",
                 "certificate_request_context must be empty during the handshake");
  }
  st.s.transcript.add(msg.raw);
  st.s.cert_request = std::move(request);
  ctx.note("server requested a client certificate");
  return ExpectCertificate{std::move(st.s)};
}

Result<State> handle(ExpectCertificate&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::certificate) {
    return Error(ErrorCode::unexpected_message, "certificate", "expected Certificate");
  }
  return handle_certificate(std::move(st.s), ctx, msg);
}

Result<State> handle(ExpectCertificateVerify&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::certificate_verify) {
    return Error(ErrorCode::unexpected_message, "certificate_verify", "expected CertificateVerify");
  }
  auto cv = HS_TRY(messages::parse_certificate_verify(msg.body));
  auto proof = HS_TRY(
      CertificateVerifyChecker::verify(st.server_key, st.s.offer, cv, st.s.transcript.current()));
  st.s.transcript.add(msg.raw);
  ctx.info().signature_scheme = cv.scheme;
  if (ctx.wants_notes()) {
    ctx.note("server CertificateVerify checked (" + std::string(signature_scheme_name(cv.scheme)) +
             ")");
  }
  return ExpectFinished{std::move(st.s), proof};
}

Result<State> handle(ExpectFinished&& st, HandshakeContext& ctx, const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::finished) {
    return Error(ErrorCode::unexpected_message, "finished", "expected Finished");
  }
  Session& s = st.s;
  const crypto::Provider& provider = ctx.provider();
  const detail::SuiteInfo suite = s.keys.suite;
  auto fin = HS_TRY(messages::parse_finished(msg.body, crypto::hash_len(suite.hash)));
  // RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that the contents are correct
  // and if incorrect MUST terminate the connection with a "decrypt_error" alert."
  HS_TRY(keyschedule::verify_finished13(provider, s.keys.server_hs, s.transcript.current(),
                                        fin.verify_data));
  s.transcript.add(msg.raw);

  // RFC 8446 §7.1: the application traffic secrets and the exporter master secret are derived
  // over ClientHello...server Finished.
  const std::vector<uint8_t> ch_sf = s.transcript.current();
  auto master = HS_TRY(keyschedule::MasterSecret::derive(std::move(s.keys.secret)));
  auto client_app = HS_TRY(master.client_application_traffic_secret_0(ch_sf));
  auto server_app = HS_TRY(master.server_application_traffic_secret_0(ch_sf));
  auto exporter = HS_TRY(master.exporter_master_secret(ch_sf));
  ctx.key_log(keyschedule::keylog_label(server_app.kind()), s.offer.client_random,
              server_app.secret());
  ctx.key_log(keyschedule::keylog_label(client_app.kind()), s.offer.client_random,
              client_app.secret());
  ctx.key_log(keyschedule::kKeyLogExporterSecret, s.offer.client_random, exporter);
  ctx.set_exporter(detail::Exporter::tls13(suite.hash, std::move(exporter)));

  // The server's next records (NewSessionTicket, application data) are under its application
  // key. RFC 8446 §5.1: the Finished must end its record (set_read_protection checks).
  auto app_read = HS_TRY(detail::tls13_protection(provider, server_app, suite.aead));
  HS_TRY(ctx.set_read_protection(std::move(app_read), "server_application_traffic_secret_0"));

  // Our second flight: RFC 8446 Appendix D.4 dummy ChangeCipherSpec (unless already sent before
  // ClientHello2), then everything under the client handshake traffic key.
  HS_TRY(send_dummy_change_cipher_spec(s.offer, ctx));
  if (s.early_data_accepted) {
    // RFC 8446 §4.5: "If the server sent an "early_data" extension in EncryptedExtensions, the
    // client MUST send an EndOfEarlyData message after receiving the server Finished." It is
    // the last record under the early traffic key and enters the transcript.
    std::vector<uint8_t> eoed;
    HS_TRY(messages::serialize_message(messages::EndOfEarlyData{}, eoed));
    HS_TRY(ctx.send_handshake(eoed));
    s.transcript.add(eoed);
  }
  ctx.set_write_protection(HS_TRY(detail::tls13_protection(provider, s.keys.client_hs, suite.aead)),
                           "client_handshake_traffic_secret");
  std::optional<SignatureScheme> pending;
  if (s.cert_request) {
    pending = HS_TRY(send_client_certificate(*s.offer.config, *s.cert_request, s.transcript, ctx));
  }
  if (pending) {
    // An offloaded client key: the CertificateVerify and Finished wait for the application.
    return AwaitSignature{std::move(s), std::move(master), std::move(client_app),
                          std::move(server_app), *pending};
  }
  return finish_second_flight(ctx, std::move(s), std::move(master), std::move(client_app),
                              std::move(server_app), std::nullopt, {});
}

Result<State> finish_second_flight(HandshakeContext& ctx, Session&& s,
                                   keyschedule::MasterSecret master,
                                   keyschedule::TrafficSecret client_app,
                                   keyschedule::TrafficSecret server_app,
                                   std::optional<SignatureScheme> cv_scheme,
                                   std::span<const uint8_t> signature) {
  const crypto::Provider& provider = ctx.provider();
  const detail::SuiteInfo suite = s.keys.suite;
  if (cv_scheme) {
    HS_TRY(send_client_certificate_verify(ctx, s.transcript, *cv_scheme, signature));
  }
  // RFC 8446 §4.4.4: verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context,
  // Certificate*, CertificateVerify*)), the client's BaseKey being
  // client_handshake_traffic_secret.
  auto vd = HS_TRY(
      keyschedule::finished_verify_data13(provider, s.keys.client_hs, s.transcript.current()));
  messages::Finished client_fin;
  client_fin.verify_data = declassify(vd.expose());  // verify_data is sent in the clear record
  std::vector<uint8_t> fin_raw;
  HS_TRY(messages::serialize_message(client_fin, fin_raw));
  HS_TRY(ctx.send_handshake(fin_raw));
  s.transcript.add(fin_raw);

  ctx.set_write_protection(HS_TRY(detail::tls13_protection(provider, client_app, suite.aead)),
                           "client_application_traffic_secret_0");
  // RFC 8446 §7.1: resumption_master_secret over ClientHello...client Finished.
  auto resumption = HS_TRY(master.resumption_master_secret(s.transcript.current()));
  ctx.note("server Finished verified; handshake complete");
  // The group the ServerHello's key_share used (after a HelloRetryRequest, its selected_group)
  // is now authenticated by the server's Finished: remember it so that the next ClientHello to
  // this server shares it first (ClientSessionStore::set_kx_hint).
  if (s.offer.store && ctx.info().group.has_value()) {
    s.offer.store->set_kx_hint(s.offer.store_key, *ctx.info().group);
  }
  Connected c{{suite, std::move(client_app), std::move(server_app)},
              std::move(resumption),
              std::nullopt,
              0,
              s.offer.store,
              s.offer.store_key,
              ctx.info().alpn,
              s.offer.server_name,
              std::nullopt};
  if (detail::contains<ExtensionType>(s.offer.extensions, ExtensionType::post_handshake_auth)) {
    c.pha = PostHandshakeAuth{s.offer.config, std::move(s.transcript), 0, std::nullopt};
    ctx.info().post_handshake_auth = true;
  }
  return c;
}

Result<State> handle(AwaitSignature&& /*st*/, HandshakeContext& /*ctx*/,
                     const HandshakeMessageView& msg) {
  // receive() holds the records that arrive meanwhile; only the rest of the server Finished's
  // record gets here, which RFC 8446 §5.1 forbids (it must end at the key change).
  return Error(ErrorCode::unexpected_message, "client13::AwaitSignature",
               "unexpected " + std::string(handshake_type_name(msg.type)) +
                   " before our flight was complete");
}

}  // namespace hs::client13

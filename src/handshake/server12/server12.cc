#include "handshake/server12/server12.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "crypto/signature.h"
#include "handshake/server12/negotiation.h"
#include "handshake/server12/resume.h"
#include "messages/messages.h"
#include "record/protection.h"

namespace hs::server12 {

namespace {

using detail::HandshakeMessageView;

Error unexpected(const char* state, HandshakeType got) {
  return Error(
      ErrorCode::unexpected_message, state,
      "unexpected " + std::string(handshake_type_name(got).empty()
                                      ? "handshake message " + std::to_string(static_cast<int>(got))
                                      : handshake_type_name(got)));
}

// send serializes `msg` with its header, queues it and adds it to the transcript.
template <typename M>
Result<void> send(Env env, detail::Transcript& transcript, const M& msg) {
  std::vector<uint8_t> raw;
  HS_TRY(messages::serialize_message(msg, raw));
  HS_TRY(env.ctx.send_handshake(raw));
  transcript.add(raw);
  return ok_result();
}

Result<std::unique_ptr<record::RecordProtection>> make_protection(const crypto::Provider& provider,
                                                                  const Params& params,
                                                                  const SecretBytes& key,
                                                                  const SecretBytes& iv) {
  return record::make_tls12_protection(provider, params.suite.aead, key.expose(), iv.expose());
}

// FinishedVerified proves the client's Finished was checked; only verify_client_finished makes
// one, and the server's Finished cannot be sent without it.
class FinishedVerified {
 private:
  FinishedVerified() = default;
  friend Result<FinishedVerified> verify_client_finished(keyschedule::Prf12&,
                                                         const detail::Transcript&,
                                                         std::span<const uint8_t>);
};

Result<FinishedVerified> verify_client_finished(keyschedule::Prf12& master_prf,
                                                const detail::Transcript& transcript,
                                                std::span<const uint8_t> body) {
  auto finished = HS_TRY(messages::parse_finished(body, messages::kVerifyDataLength12));
  auto expected = keyschedule::finished_verify_data12(master_prf, keyschedule::Sender::client,
                                                      transcript.current());
  // RFC 5246 §7.4.9: "Recipients of Finished messages MUST verify that the contents are
  // correct." RFC 8446 §4.4.4 names the alert: "if incorrect MUST terminate the connection with
  // a "decrypt_error" alert." Compared in constant time.
  if (!crypto::constant_time_equal(expected.expose(), finished.verify_data)) {
    return Error(ErrorCode::bad_finished, "finished", "client verify_data does not match");
  }
  return FinishedVerified();
}

// add_resumption_extensions appends what resumption adds to a ServerHello: an empty
// session_ticket when we will send a NewSessionTicket (RFC 5077 §3.2: "The server uses a zero-
// length SessionTicket extension to indicate to the client that it will send a new session
// ticket using the NewSessionTicket handshake message").
void add_resumption_extensions(const Params& params, messages::ServerHello& sh) {
  if (params.send_ticket) {
    sh.extensions.push_back(messages::Extension{ExtensionType::session_ticket, {}});
  }
}

// session_of is the session a handshake with `params` and `master` leaves to resume.
StoredSession session_of(const Params& params, const SecretBytes& master) {
  StoredSession s;
  s.version = ProtocolVersion::tls1_2;
  s.suite = params.suite.suite;
  s.secret = master.clone();
  s.session_id = params.session_id;
  s.created_ms = params.created_ms;
  s.alpn = params.alpn;
  s.server_name = params.server_name;
  s.extended_master_secret = params.extended_master_secret;
  s.peer_chain = params.client_chain;
  s.peer_verified = !params.client_chain.empty();  // a client chain is kept only once verified
  return s;
}

// send_ticket sends the NewSessionTicket (RFC 5077 §3.3: after ServerHello in a resumed
// handshake, after the client's Finished in a full one; always before our ChangeCipherSpec and
// in the Finished hash). A sealing failure sends an empty ticket, which RFC 5077 §3.3 allows
// ("If the server determines that it does not want to include a ticket after it has included
// the SessionTicket extension in the ServerHello, then it sends a zero-length ticket").
Result<void> send_ticket(Env env, detail::Transcript& transcript, const Params& params,
                         const SecretBytes& master) {
  messages::NewSessionTicket12 nst;
  nst.lifetime_hint = env.config.ticket_lifetime;
  StoredSession state = session_of(params, master);
  state.lifetime_s = env.config.ticket_lifetime;  // the ticket is refused once this has passed
  auto sealed = seal_ticket12(env.config, state);
  if (sealed.ok()) {
    nst.ticket = std::move(sealed).value();
  } else {
    nst.lifetime_hint = 0;
    env.ctx.note("could not seal a session ticket; sending an empty one");
  }
  return send(env, transcript, nst);
}

// add_hello_extensions appends the ServerHello extensions both the full and the abbreviated
// handshake answer with (resumption extensions come separately).
Result<void> add_hello_extensions(const ClientOffer& offer, bool extended_master_secret,
                                  bool sni_ack, const std::string& alpn,
                                  messages::ServerHello& sh) {
  // RFC 5246 §7.4.1.4: "An extension type MUST NOT appear in the ServerHello unless the same
  // extension type appeared in the corresponding ClientHello."
  if (offer.secure_renegotiation) {
    // RFC 5746 §3.6: "If the secure_renegotiation flag is set to TRUE, the server MUST include
    // an empty "renegotiation_info" extension in the ServerHello message."
    sh.extensions.push_back(
        HS_TRY(messages::make_extension(ExtensionType::renegotiation_info, [](auto& out) {
          return messages::serialize_renegotiation_info({}, out);
        })));
  }
  if (extended_master_secret) {
    // RFC 7627 §5.2: the server "MUST include the "extended_master_secret" extension in its
    // ServerHello message" when it was offered and is used.
    sh.extensions.push_back(messages::Extension{ExtensionType::extended_master_secret, {}});
  }
  if (sni_ack) {
    // RFC 6066 §3: a server that used the name "SHALL include an extension of type
    // "server_name" in the (extended) server hello. The "extension_data" field of this
    // extension SHALL be empty."
    sh.extensions.push_back(messages::Extension{ExtensionType::server_name, {}});
  }
  if (!alpn.empty()) {
    sh.extensions.push_back(HS_TRY(messages::make_extension(
        ExtensionType::application_layer_protocol_negotiation,
        [&](auto& out) { return messages::serialize_alpn_server(alpn, out); })));
  }
  if (offer.ec_point_formats) {
    // RFC 8422 §5.2: the server includes ec_point_formats in reply to the client's; we only
    // speak uncompressed.
    sh.extensions.push_back(
        HS_TRY(messages::make_extension(ExtensionType::ec_point_formats, [](auto& out) {
          return messages::serialize_ec_point_formats({messages::kEcPointFormatUncompressed}, out);
        })));
  }
  return ok_result();
}

// add_record_size_limit answers the client's record_size_limit (RFC 8449) and sets both limits
// on the record layer; they apply to the protected records after ChangeCipherSpec. "During
// renegotiation or resumption, the record size limit is renegotiated", so both handshakes do it.
Result<void> add_record_size_limit(Env env, const ClientOffer& offer, messages::ServerHello& sh) {
  if (!offer.record_size_limit) {
    return ok_result();  // RFC 5246 §7.4.1.4: no extension the client did not offer
  }
  env.ctx.set_peer_record_size_limit(*offer.record_size_limit);
  if (env.config.record_size_limit == 0) {
    return ok_result();
  }
  // RFC 8449 §4: "For TLS 1.2 and earlier, that limit is 2^14 octets" and "an endpoint MUST
  // NOT send a value higher than the protocol-defined maximum record size".
  const auto ours =
      static_cast<uint16_t>(std::min<size_t>(env.config.record_size_limit, kMaxPlaintext));
  sh.extensions.push_back(
      HS_TRY(messages::make_extension(ExtensionType::record_size_limit, [&](auto& out) {
        return messages::serialize_record_size_limit(ours, out);
      })));
  env.ctx.set_own_record_size_limit(ours, /*current_keys=*/true);
  return ok_result();
}

// resume answers a ClientHello that resumes `r` with the abbreviated handshake of RFC 5246
// §7.3 figure 2: ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished.
Result<State> resume(Env env, const HandshakeMessageView& msg, const ClientOffer& offer,
                     const Selection& sel, Resumption r, Params params) {
  detail::HandshakeContext& ctx = env.ctx;
  const crypto::Provider& provider = ctx.provider();
  auto suite = detail::suite_info(r.session.suite);
  if (!suite) {
    return Error(ErrorCode::internal_error, "server12", "resumed an unknown suite");
  }
  params.suite = *suite;
  params.abbreviated = true;
  params.extended_master_secret = r.session.extended_master_secret;
  // RFC 5077 §3.4: "If the server accepts the ticket and the Session ID is not empty, then it
  // MUST respond with the same Session ID present in the ClientHello"; RFC 5246 §7.4.1.3 says
  // the same for a session ID found in the cache.
  params.session_id = offer.session_id;
  params.created_ms = r.session.created_ms;
  params.server_name = r.session.server_name;
  params.alpn = sel.alpn;

  detail::Transcript transcript(provider, suite->hash);
  transcript.add(msg.raw);

  messages::ServerHello sh;
  sh.legacy_version = ProtocolVersion::tls1_2;
  sh.random = params.server_random;
  sh.legacy_session_id = params.session_id;
  sh.cipher_suite = r.session.suite;
  sh.compression_method = 0;
  // RFC 6066 §3: "When resuming a session, the server MUST NOT include a server_name extension
  // in the server hello."
  HS_TRY(
      add_hello_extensions(offer, params.extended_master_secret, /*sni_ack=*/false, sel.alpn, sh));
  HS_TRY(add_record_size_limit(env, offer, sh));
  add_resumption_extensions(params, sh);
  ctx.set_version(ProtocolVersion::tls1_2);
  HS_TRY(send(env, transcript, sh));

  SessionInfo& info = ctx.info();
  info.version = ProtocolVersion::tls1_2;
  info.cipher_suite = r.session.suite;
  info.alpn = sel.alpn;
  info.extended_master_secret = params.extended_master_secret;
  info.session_id = sh.legacy_session_id;
  info.resumed = true;
  // The client authenticated in the original handshake (its chain was verified then): the
  // resumed session is still that client's.
  info.peer_chain = r.session.peer_chain;
  info.peer_verified = !r.session.peer_chain.empty();
  params.client_chain = std::move(r.session.peer_chain);
  ctx.note(r.by_ticket ? "resumed by ticket" : "resumed by session ID");

  SecretBytes master = std::move(r.session.secret);
  ctx.key_log("CLIENT_RANDOM", params.client_random, master);
  ctx.set_exporter(
      HS_TRY(detail::Exporter::tls12(params.suite.hash, master, params.client_random,
                                     params.server_random, params.extended_master_secret)));
  auto master_prf = HS_TRY(keyschedule::Prf12::make(provider, params.suite.hash, master.expose()));
  auto keys = HS_TRY(keyschedule::key_block(master_prf, params.suite.aead, params.client_random,
                                            params.server_random));
  if (params.send_ticket) {
    HS_TRY(send_ticket(env, transcript, params, master));
  }
  auto ours = keyschedule::finished_verify_data12(master_prf, keyschedule::Sender::server,
                                                  transcript.current());
  HS_TRY(ctx.send_change_cipher_spec());
  auto write =
      HS_TRY(make_protection(provider, params, keys.server_write_key, keys.server_write_iv));
  ctx.set_write_protection(std::move(write), "server write key");
  // verify_data goes on the wire: it is public by design (RFC 5246 §7.4.9).
  HS_TRY(send(env, transcript, messages::Finished{declassify(ours.expose())}));
  return ExpectChangeCipherSpec{std::move(params), std::move(transcript), std::move(master),
                                std::move(master_prf), std::move(keys)};
}

}  // namespace

std::string_view state_name(const State& state) {
  struct Names {
    std::string_view operator()(const ExpectClientHello&) const {
      return "server12::ExpectClientHello";
    }
    std::string_view operator()(const ExpectClientCertificate&) const {
      return "server12::ExpectClientCertificate";
    }
    std::string_view operator()(const AwaitSignature&) const { return "server12::AwaitSignature"; }
    std::string_view operator()(const ExpectClientKeyExchange&) const {
      return "server12::ExpectClientKeyExchange";
    }
    std::string_view operator()(const ExpectCertificateVerify&) const {
      return "server12::ExpectCertificateVerify";
    }
    std::string_view operator()(const ExpectChangeCipherSpec&) const {
      return "server12::ExpectChangeCipherSpec";
    }
    std::string_view operator()(const ExpectFinished&) const { return "server12::ExpectFinished"; }
    std::string_view operator()(const Connected&) const { return "server12::Connected"; }
  };
  return std::visit(Names{}, state);
}

namespace {

// finish_flight sends ServerKeyExchange with `signature`, [CertificateRequest] and
// ServerHelloDone, and waits for the client's answer.
Result<State> finish_flight(Env env, AwaitSignature&& st, std::span<const uint8_t> signature) {
  st.ske.signature.assign(signature.begin(), signature.end());
  HS_TRY(send(env, st.transcript, st.ske));
  env.ctx.info().own_signature_scheme = st.ske.scheme;

  if (st.request_client_cert) {
    // RFC 5246 §7.4.4: "If sent, it will follow the ServerKeyExchange message". Never on
    // resumption: the abbreviated handshake has no room for it (RFC 5246 §7.3 figure 2).
    st.params.client_auth_schemes = client_auth_schemes(env.config);
    HS_TRY(send(env, st.transcript,
                make_certificate_request(env.config, st.params.client_auth_schemes)));
  }

  HS_TRY(send(env, st.transcript, messages::ServerHelloDone{}));

  if (st.request_client_cert) {
    return ExpectClientCertificate{std::move(st.params), std::move(st.transcript),
                                   std::move(st.key_share)};
  }
  return ExpectClientKeyExchange{std::move(st.params), std::move(st.transcript),
                                 std::move(st.key_share), std::nullopt};
}

}  // namespace

// ---- ExpectClientHello: answer with ServerHello .. ServerHelloDone ----

Result<State> handle(ExpectClientHello&& st, Env env, const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::client_hello) {
    return unexpected("server12::ExpectClientHello", msg.type);
  }
  auto hello = HS_TRY(messages::parse_client_hello(msg.body));
  return handle_client_hello(std::move(st), env, hello, msg);
}

Result<State> handle_client_hello(ExpectClientHello&& /*st*/, Env env,
                                  const messages::ClientHello& hello,
                                  const HandshakeMessageView& msg) {
  detail::HandshakeContext& ctx = env.ctx;
  const crypto::Provider& provider = ctx.provider();

  auto offer = HS_TRY(read_client_offer(hello, env.config));
  if (!offer.server_name.empty()) {
    ctx.info().server_name = offer.server_name;
  }
  auto sel = HS_TRY(negotiate(offer, env.config, &leaf_matches_host, ctx.wants_notes()));
  for (std::string& note : sel.notes) {
    ctx.note(std::move(note));
  }
  const ServerCertificate& cert = env.config.certificates[sel.certificate_index];
  auto suite = detail::suite_info(sel.suite);
  auto sig_alg = crypto::scheme_algorithm(sel.scheme);
  if (!suite || !sig_alg) {
    return Error(ErrorCode::internal_error, "server12", "negotiated an unknown suite or scheme");
  }

  Params params;
  params.suite = *suite;
  params.client_random = offer.random;
  params.extended_master_secret = sel.extended_master_secret;
  HS_TRY(provider.random(params.server_random));
  // RFC 8446 §4.1.3: "TLS 1.3 servers which negotiate TLS 1.2 or below in response to a
  // ClientHello MUST set the last 8 bytes of their Random value specially": 44 4F 57 4E 47 52
  // 44 01 for TLS 1.2. Whatever the client offered, whenever we count as a TLS 1.3 server
  // (Env::tls13_capable): a client that offered TLS 1.3 checks it, the others ignore it.
  if (env.tls13_capable) {
    std::ranges::copy(messages::kDowngradeTls12,
                      std::span<uint8_t>(params.server_random).last<8>().begin());
    ctx.note("negotiating TLS 1.2 as a TLS 1.3-capable server: RFC 8446 downgrade sentinel set");
  }

  // RFC 5077 §3.2: a client that sends session_ticket supports tickets; we answer with one
  // when issuing is on (also when resuming, so the client holds a fresh ticket). Not for a
  // session without the extended master secret (allowed by require_extended_master_secret =
  // false): we refuse to resume those (RFC 7627 §5.3: "If neither the original session nor
  // the new ClientHello uses the extension, the server SHOULD abort the handshake"), and a
  // client holding such a ticket (Go before 1.21) would fail every later connection with it.
  // The session cache skips them for the same reason.
  params.send_ticket = env.config.issue_tickets && client_session_ticket(hello).has_value() &&
                       sel.extended_master_secret;
  std::vector<std::string> resume_notes;
  auto resumption =
      HS_TRY(find_resumption(hello, offer, env.config, session_now_ms(), resume_notes));
  for (std::string& note : resume_notes) {
    ctx.note(std::move(note));
  }
  if (resumption.has_value()) {
    return resume(env, msg, offer, sel, std::move(*resumption), std::move(params));
  }

  detail::Transcript transcript(provider, suite->hash);
  const bool request_client_cert = env.config.client_auth != ClientAuth::none;
  if (request_client_cert) {
    // The client's CertificateVerify signs every message from the ClientHello on.
    transcript.keep_messages();
  }
  transcript.add(msg.raw);

  messages::ServerHello sh;
  sh.legacy_version = ProtocolVersion::tls1_2;
  sh.random = params.server_random;
  sh.legacy_session_id.resize(32);
  HS_TRY(provider.random(sh.legacy_session_id));
  params.session_id = sh.legacy_session_id;
  params.alpn = sel.alpn;
  params.server_name = offer.server_name;
  params.created_ms = session_now_ms();
  sh.cipher_suite = sel.suite;
  sh.compression_method = 0;
  HS_TRY(add_hello_extensions(offer, sel.extended_master_secret, sel.sni_matched, sel.alpn, sh));
  HS_TRY(add_record_size_limit(env, offer, sh));
  // RFC 6066 §8: "If a server returns a "CertificateStatus" message, then the server MUST have
  // included an extension of type "status_request" with empty "extension_data" in the extended
  // server hello." Only full handshakes staple: a resumed one has no Certificate.
  const bool staple = offer.status_request && !cert.ocsp_response.empty();
  if (staple) {
    sh.extensions.push_back(messages::Extension{ExtensionType::status_request, {}});
  }

  add_resumption_extensions(params, sh);
  ctx.set_version(ProtocolVersion::tls1_2);
  HS_TRY(send(env, transcript, sh));

  SessionInfo& info = ctx.info();
  info.version = ProtocolVersion::tls1_2;
  info.cipher_suite = sel.suite;
  info.group = sel.group;
  info.alpn = sel.alpn;
  info.extended_master_secret = sel.extended_master_secret;
  info.session_id = sh.legacy_session_id;
  info.resumed = false;

  // Certificate (RFC 5246 §7.4.2): our chain, leaf first.
  HS_TRY(send(env, transcript, messages::Certificate12{cert.chain}));
  if (staple) {
    // CertificateStatus (RFC 6066 §8): "sent immediately after the Certificate message (and
    // before any ServerKeyExchange or CertificateRequest messages)".
    HS_TRY(send(env, transcript, messages::CertificateStatus{cert.ocsp_response}));
  }

  // ServerKeyExchange (RFC 8422 §5.4): a fresh ECDHE key, signed over
  // ClientHello.random + ServerHello.random + ServerECDHParams.
  auto key_share = HS_TRY(provider.generate_key_share(sel.group));
  messages::ServerKeyExchangeEcdhe ske;
  ske.group = sel.group;
  auto pub = key_share->public_key();
  ske.public_key.assign(pub.begin(), pub.end());
  ske.scheme = sel.scheme;
  auto signed_content =
      messages::ske_signed_content(params.client_random, params.server_random, ske);
  AwaitSignature flight{std::move(params), std::move(transcript), std::move(key_share),
                        std::move(ske), request_client_cert};
  if (cert.key->offloaded()) {
    // The application signs (certified_key_for_offload): ServerHello .. Certificate are queued
    // and the rest waits for Connection::provide_signature.
    HS_TRY(env.ctx.request_signature(sel.scheme, std::move(signed_content), sel.certificate_index));
    return flight;
  }
  auto signature = cert.key->sign(*sig_alg, signed_content);
  if (!signature.ok()) {
    return Error(ErrorCode::internal_error, "server_key_exchange", "signing failed");
  }
  return finish_flight(env, std::move(flight), signature.value());
}

Result<State> handle(AwaitSignature&& /*st*/, Env /*env*/, const HandshakeMessageView& msg) {
  // Only the rest of the ClientHello's record can reach here (receive() holds later records),
  // and a client sends nothing before our ServerHelloDone (RFC 5246 §7.3).
  return unexpected("server12::AwaitSignature", msg.type);
}

// ---- ExpectClientKeyExchange: ECDHE, master secret, key block ----

Result<State> handle(ExpectClientKeyExchange&& st, Env env, const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::client_key_exchange) {
    return unexpected("server12::ExpectClientKeyExchange", msg.type);
  }
  const crypto::Provider& provider = env.ctx.provider();
  auto cke = HS_TRY(messages::parse_client_key_exchange_ecdhe(msg.body));
  // An invalid point (off the curve, wrong length, all-zero X25519 result) is illegal_parameter
  // from the provider (RFC 8422 §5.11, RFC 7748 §6.1).
  auto pre_master = HS_TRY(st.key_share->derive(cke.public_key));
  st.key_share.reset();
  st.transcript.add(msg.raw);

  // RFC 7627 §3: session_hash = Hash(handshake_messages), "all messages in the handshake up to
  // and including the ClientKeyExchange message".
  const std::vector<uint8_t> session_hash = st.transcript.current();
  // RFC 7627 §5.2: with the extension negotiated both sides "MUST use the extended master
  // secret derivation"; without it (allowed only when not required) the RFC 5246 §8.1 form.
  auto master =
      HS_TRY(st.params.extended_master_secret
                 ? keyschedule::extended_master_secret(provider, st.params.suite.hash,
                                                       pre_master.expose(), session_hash)
                 : keyschedule::master_secret(provider, st.params.suite.hash, pre_master.expose(),
                                              st.params.client_random, st.params.server_random));
  env.ctx.key_log("CLIENT_RANDOM", st.params.client_random, master);
  env.ctx.set_exporter(
      HS_TRY(detail::Exporter::tls12(st.params.suite.hash, master, st.params.client_random,
                                     st.params.server_random, st.params.extended_master_secret)));
  auto master_prf =
      HS_TRY(keyschedule::Prf12::make(provider, st.params.suite.hash, master.expose()));
  auto keys = HS_TRY(keyschedule::key_block(master_prf, st.params.suite.aead,
                                            st.params.client_random, st.params.server_random));
  if (st.client_key) {
    // RFC 5246 §7.4.8: CertificateVerify "is only sent following a client certificate that has
    // signing capability ... it MUST immediately follow the client key exchange message".
    return ExpectCertificateVerify{std::move(st.params), std::move(st.transcript),
                                   std::move(master),    std::move(master_prf),
                                   std::move(keys),      std::move(*st.client_key)};
  }
  return ExpectChangeCipherSpec{std::move(st.params), std::move(st.transcript), std::move(master),
                                std::move(master_prf), std::move(keys)};
}

// ---- ExpectChangeCipherSpec: only the CCS record moves us on ----

Result<State> handle(ExpectChangeCipherSpec&& /*st*/, Env /*env*/,
                     const HandshakeMessageView& msg) {
  // RFC 5246 §7.4.9: the Finished "is always sent immediately after a change cipher spec
  // message"; any handshake message here (even a Finished) skipped the CCS.
  return unexpected("server12::ExpectChangeCipherSpec", msg.type);
}

Result<State> handle_ccs(ExpectChangeCipherSpec&& st, Env env) {
  auto read = HS_TRY(make_protection(env.ctx.provider(), st.params, st.keys.client_write_key,
                                     st.keys.client_write_iv));
  HS_TRY(env.ctx.set_read_protection(std::move(read), "client write key"));
  return ExpectFinished{std::move(st.params), std::move(st.transcript), std::move(st.master_secret),
                        std::move(st.master_prf), std::move(st.keys)};
}

// ---- ExpectFinished: verify, then ChangeCipherSpec + Finished ----

Result<State> handle(ExpectFinished&& st, Env env, const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::finished) {
    return unexpected("server12::ExpectFinished", msg.type);
  }
  const crypto::Provider& provider = env.ctx.provider();
  [[maybe_unused]] FinishedVerified verified =
      HS_TRY(verify_client_finished(st.master_prf, st.transcript, msg.body));
  st.transcript.add(msg.raw);
  if (st.params.abbreviated) {
    // RFC 5246 §7.3: in the abbreviated handshake the client's Finished comes last.
    if (env.ctx.wants_notes()) {
      env.ctx.note("handshake complete: TLS 1.2 " + std::string(suite_name(st.params.suite.suite)) +
                   " (resumed)");
    }
    return Connected{};
  }
  if (st.params.send_ticket) {
    HS_TRY(send_ticket(env, st.transcript, st.params, st.master_secret));
  }

  auto ours = keyschedule::finished_verify_data12(st.master_prf, keyschedule::Sender::server,
                                                  st.transcript.current());
  HS_TRY(env.ctx.send_change_cipher_spec());
  auto write = HS_TRY(
      make_protection(provider, st.params, st.keys.server_write_key, st.keys.server_write_iv));
  env.ctx.set_write_protection(std::move(write), "server write key");
  // verify_data goes on the wire: it is public by design (RFC 5246 §7.4.9).
  messages::Finished finished{declassify(ours.expose())};
  HS_TRY(send(env, st.transcript, finished));
  if (env.ctx.wants_notes()) {
    env.ctx.note("handshake complete: TLS 1.2 " + std::string(suite_name(st.params.suite.suite)));
  }
  if (env.config.session_cache && st.params.extended_master_secret) {
    // Only sessions with the extended master secret are resumable (RFC 7627 §5.3: without it
    // the server "SHOULD abort"), so the others are not worth a cache entry.
    env.config.session_cache->put(session_of(st.params, st.master_secret));
  }
  return Connected{};
}

// ---- Connected: no renegotiation ----

Result<State> handle(Connected&& st, Env env, const HandshakeMessageView& msg) {
  if (msg.type == HandshakeType::client_hello) {
    // We never renegotiate. RFC 5246 §7.2.2: no_renegotiation is "Sent ... by the server in
    // response to a client hello after initial handshaking. ... At that point, the original
    // requester can decide whether to proceed with the connection. ... This message is always
    // a warning." So the connection carries on (tlsfuzzer test-renegotiation-disabled.py
    // expects the warning, then application data). The ClientHello is not parsed: nothing in
    // it is used. Each answer counts as provoked output, so a client that keeps asking
    // without reading is cut off like one flooding a client with HelloRequests.
    HS_TRY(env.ctx.send_alert(AlertLevel::warning, AlertDescription::no_renegotiation));
    env.ctx.note("renegotiation refused (no_renegotiation warning sent)");
    return std::move(st);
  }
  return unexpected("server12::Connected", msg.type);
}

// ---- the driver ----

Server12Driver::Server12Driver(std::shared_ptr<const ServerConfig> config, bool tls13_capable)
    : config_(std::move(config)), tls13_capable_(tls13_capable) {}

Result<void> Server12Driver::start(detail::HandshakeContext& ctx) {
  ctx.emit_state(state_name());
  return ok_result();
}

std::string_view Server12Driver::state_name() const {
  if (failed_) {
    return "server12::Failed";
  }
  return server12::state_name(state_);
}

Result<void> Server12Driver::advance(detail::HandshakeContext& ctx, std::string_view before,
                                     Result<State> next) {
  if (!next.ok()) {
    failed_ = true;
    return std::move(next).error();
  }
  state_ = std::move(next).value();
  const std::string_view after = server12::state_name(state_);
  if (before != after) {
    ctx.emit_state(after);
  }
  return ok_result();
}

Result<void> Server12Driver::on_handshake(detail::HandshakeContext& ctx,
                                          const detail::HandshakeMessageView& msg) {
  if (failed_) {
    return Error(ErrorCode::internal_error, "server12", "handshake already failed");
  }
  Env env{ctx, *config_, tls13_capable_};
  const std::string_view before = server12::state_name(state_);
  State current = std::move(state_);
  state_ = ExpectClientHello{};  // placeholder while the handler owns the state
  auto next = std::visit([&](auto&& s) -> Result<State> { return handle(std::move(s), env, msg); },
                         std::move(current));
  return advance(ctx, before, std::move(next));
}

Result<void> Server12Driver::on_client_hello(detail::HandshakeContext& ctx,
                                             const messages::ClientHello& hello,
                                             const detail::HandshakeMessageView& msg) {
  auto* st = std::get_if<ExpectClientHello>(&state_);
  if (failed_ || st == nullptr || msg.type != HandshakeType::client_hello) {
    return on_handshake(ctx, msg);
  }
  Env env{ctx, *config_, tls13_capable_};
  const std::string_view before = server12::state_name(state_);
  ExpectClientHello current = std::move(*st);
  return advance(ctx, before, handle_client_hello(std::move(current), env, hello, msg));
}

Result<void> Server12Driver::on_signature(detail::HandshakeContext& ctx,
                                          std::span<const uint8_t> signature) {
  auto* st = std::get_if<AwaitSignature>(&state_);
  if (failed_ || st == nullptr) {
    return Error(ErrorCode::internal_error, "signature", "no signature was asked for");
  }
  Env env{ctx, *config_, tls13_capable_};
  const std::string_view before = server12::state_name(state_);
  AwaitSignature current = std::move(*st);
  state_ = ExpectClientHello{};
  return advance(ctx, before, finish_flight(env, std::move(current), signature));
}

Result<void> Server12Driver::on_change_cipher_spec(detail::HandshakeContext& ctx) {
  if (failed_) {
    return Error(ErrorCode::internal_error, "server12", "handshake already failed");
  }
  Env env{ctx, *config_, tls13_capable_};
  const std::string_view before = server12::state_name(state_);
  State current = std::move(state_);
  state_ = ExpectClientHello{};
  auto next = std::visit([&](auto&& s) -> Result<State> { return handle_ccs(std::move(s), env); },
                         std::move(current));
  return advance(ctx, before, std::move(next));
}

}  // namespace hs::server12

// ServerHello: the server's choices, each checked against our offer.
#include "messages/server_hello.h"

#include <utility>

#include "handshake/client12/client12.h"
#include "handshake/common/tls12_keys.h"
#include "messages/extensions.h"

namespace hs::client12 {

namespace {

std::string hex16(uint16_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) {
    s.push_back(kHex[(v >> shift) & 0xF]);
  }
  return s;
}

}  // namespace

Result<State> handle(ExpectServerHello&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::server_hello) {
    return Error(ErrorCode::unexpected_message, "server_hello", "expected ServerHello");
  }
  auto sh = HS_TRY(messages::parse_server_hello(msg.body));
  return handle_server_hello(std::move(st), ctx, msg, sh);
}

Result<State> handle_server_hello(ExpectServerHello&& st, HandshakeContext& ctx,
                                  const HandshakeMessageView& msg,
                                  const messages::ServerHello& sh) {
  // We offer TLS 1.2 only. RFC 5246 §7.4.1.3: server_version is "the lower of that suggested by
  // the client in the client hello and the highest supported by the server"; anything but
  // 1.2 is a version we did not offer (RFC 5246 Appendix E.1: the client aborts with a
  // protocol_version alert when it does not support the server's version).
  if (sh.legacy_version != ProtocolVersion::tls1_2) {
    return Error(ErrorCode::protocol_version, "server_hello",
                 "server chose version " + hex16(static_cast<uint16_t>(sh.legacy_version)) +
                     ", we offered TLS 1.2 only");
  }
  // RFC 8446 §4.1.3: "TLS 1.3 clients receiving a ServerHello indicating TLS 1.2 or below MUST
  // check that the last 8 bytes are not equal to either of these values. ... If a match is
  // found, the client MUST abort the handshake with an "illegal_parameter" alert." Only
  // meaningful when we offered TLS 1.3.
  if (st.offer.offered_tls13 &&
      messages::downgrade_sentinel(sh.random) != messages::DowngradeSentinel::none) {
    return Error(ErrorCode::downgrade_detected, "server_hello",
                 "ServerHello.random carries the RFC 8446 downgrade sentinel");
  }
  // RFC 5246 §7.4.1.3: cipher_suite is "The single cipher suite selected by the server from the
  // list in ClientHello.cipher_suites"; RFC 8446 §4.1.3: "A client which receives a cipher
  // suite that was not offered MUST abort the handshake with an "illegal_parameter" alert."
  if (!detail::contains<CipherSuite>(st.offer.suites, sh.cipher_suite)) {
    return Error(ErrorCode::illegal_parameter, "server_hello",
                 "server chose cipher suite " + hex16(static_cast<uint16_t>(sh.cipher_suite)) +
                     ", which we did not offer");
  }
  // RFC 5246 §7.4.1.3: compression_method is "selected by the server from the list in
  // ClientHello.compression_methods"; we offered only null.
  if (sh.compression_method != 0) {
    return Error(ErrorCode::illegal_parameter, "server_hello",
                 "server chose a compression method we did not offer");
  }

  Negotiated neg;
  neg.server_random = sh.random;
  neg.suite = *detail::suite_info(sh.cipher_suite);
  bool ems = false;
  bool reneg = false;
  std::string alpn;
  for (const messages::Extension& e : sh.extensions) {
    // RFC 5246 §7.4.1.4: "If a client receives an extension type in ServerHello that it did not
    // request in the associated ClientHello, it MUST abort the handshake with an
    // unsupported_extension fatal alert." (Duplicates were refused by the parser: "There MUST
    // NOT be more than one extension of the same type.")
    if (!detail::contains<ExtensionType>(st.offer.extensions, e.type)) {
      return Error(ErrorCode::unsolicited_extension, "server_hello",
                   "server sent extension " + hex16(static_cast<uint16_t>(e.type)) +
                       " that we did not offer");
    }
    if (e.type == ExtensionType::server_name) {
      HS_TRY(messages::parse_server_name_ack(e.data));
    } else if (e.type == ExtensionType::ec_point_formats) {
      auto formats = HS_TRY(messages::parse_ec_point_formats(e.data));
      // RFC 8422 §5.2: the server's list must allow uncompressed points, the only format we
      // can send.
      if (!detail::contains<uint8_t>(formats, messages::kEcPointFormatUncompressed)) {
        return Error(ErrorCode::illegal_parameter, "server_hello",
                     "ec_point_formats without uncompressed");
      }
    } else if (e.type == ExtensionType::session_ticket) {
      // RFC 5077 §3.2: the server "MUST send an empty SessionTicket extension".
      if (!e.data.empty()) {
        return Error(ErrorCode::decode_error, "server_hello",
                     "session_ticket extension must be empty");
      }
      neg.ticket_expected = true;
    } else if (e.type == ExtensionType::application_layer_protocol_negotiation) {
      // RFC 7301 §3.1: the server's "ProtocolNameList" MUST contain exactly one
      // "ProtocolName" (the parser checks); it has to be one we offered.
      alpn = HS_TRY(messages::parse_alpn_server(e.data));
      bool offered = false;
      for (const std::string& p : st.offer.config->alpn) {
        offered = offered || p == alpn;
      }
      if (!offered) {
        return Error(ErrorCode::illegal_parameter, "server_hello",
                     "server selected an ALPN protocol we did not offer");
      }
    } else if (e.type == ExtensionType::status_request) {
      // RFC 6066 §8: the server "MAY return a "certificate_status" message to the client" and
      // then "MUST have included an extension of type "status_request" with empty
      // "extension_data" in the extended server hello".
      if (!e.data.empty()) {
        return Error(ErrorCode::decode_error, "server_hello",
                     "status_request extension must be empty");
      }
      neg.status_expected = true;
    } else if (e.type == ExtensionType::extended_master_secret) {
      HS_TRY(messages::parse_extended_master_secret(e.data));
      ems = true;
    } else if (e.type == ExtensionType::renegotiation_info) {
      auto renegotiated = HS_TRY(messages::parse_renegotiation_info(e.data));
      // RFC 5746 §3.4: "The client MUST then verify that the length of the
      // "renegotiated_connection" field is zero, and if it is not, MUST abort the handshake
      // (by sending a fatal handshake_failure alert)."
      if (!renegotiated.empty()) {
        return Error(ErrorCode::insecure_renegotiation, "server_hello",
                     "renegotiation_info is not empty on an initial handshake");
      }
      reneg = true;
    } else if (e.type == ExtensionType::record_size_limit) {
      // RFC 8449 §4: the server's limit caps our protected records (Finished and application
      // data; values above 2^14 mean 2^14 in TLS 1.2); ours now holds for the records it
      // protects. Values below 64 are illegal_parameter (the parser checks).
      const uint16_t limit = HS_TRY(messages::parse_record_size_limit(e.data));
      ctx.set_peer_record_size_limit(limit);
      if (st.offer.config->record_size_limit != 0) {
        ctx.set_own_record_size_limit(st.offer.config->record_size_limit, /*current_keys=*/true);
      }
      if (ctx.wants_notes()) {
        ctx.note("record_size_limit: the server's is " + std::to_string(limit) + ", ours " +
                 std::to_string(st.offer.config->record_size_limit));
      }
    } else {
      // Offered types a server never answers in TLS 1.2 (signature_algorithms,
      // supported_groups).
      return Error(ErrorCode::unsolicited_extension, "server_hello",
                   "server sent extension " + hex16(static_cast<uint16_t>(e.type)) +
                       " that is not allowed in a ServerHello");
    }
  }
  // RFC 7627 §5.2: "If a client receives a ServerHello without the extension, it SHOULD abort
  // the handshake if it does not wish to interoperate with legacy servers." We require it unless
  // the config allows legacy servers: without it the master secret is not bound to the
  // handshake (the triple handshake attack).
  if (!ems && st.offer.config->require_extended_master_secret) {
    return Error(ErrorCode::extended_master_secret_required, "server_hello",
                 "server did not negotiate the extended master secret (RFC 7627)");
  }
  neg.extended_master_secret = ems;
  // RFC 5746 §3.4: "If the extension is not present, the server does not support secure
  // renegotiation ... some clients may want to terminate the handshake instead of continuing;
  // see Section 4.1". Our policy is strict: we terminate.
  if (!reneg) {
    return Error(ErrorCode::insecure_renegotiation, "server_hello",
                 "server does not support secure renegotiation (RFC 5746)");
  }

  if (st.offer.config->client_certificate) {
    // Should the server ask for our certificate, our CertificateVerify signs every message
    // from the ClientHello on (RFC 5246 §7.4.8), with the hash of the scheme we pick.
    st.transcript.keep_messages();
  }
  HS_TRY(st.transcript.set_hash(ctx.provider(), neg.suite.hash));
  st.transcript.add(msg.raw);
  ctx.set_version(ProtocolVersion::tls1_2);
  SessionInfo& info = ctx.info();
  info.cipher_suite = sh.cipher_suite;
  info.extended_master_secret = ems;
  info.alpn = alpn;
  info.session_id = sh.legacy_session_id;
  if (ctx.wants_notes()) {
    ctx.note("chosen cipher suite " + std::string(suite_name(sh.cipher_suite)));
  }
  ctx.note(ems ? "extended master secret negotiated"
               : "no extended master secret (RFC 7627): legacy master secret, session not stored");
  if (ctx.wants_notes()) {
    ctx.note(alpn.empty() ? std::string("no ALPN protocol agreed")
                          : "ALPN protocol agreed: " + alpn);
  }
  if (neg.ticket_expected) {
    ctx.note("server will send a session ticket");
  }
  neg.store = st.offer.store;
  neg.store_key = st.offer.store_key;
  neg.session_id = sh.legacy_session_id;
  neg.alpn = alpn;
  neg.server_name = st.offer.server_name;
  neg.created_ms = session_now_ms();

  // RFC 5077 §3.4: "If the server accepts the ticket and the Session ID is not empty, then it
  // MUST respond with the same Session ID present in the ClientHello. This allows the client to
  // easily differentiate when the server is resuming a session from when it is falling back to
  // a full handshake." The same echo signals a resumed session ID (RFC 5246 §7.4.1.3).
  if (st.offer.resume.has_value() && !sh.legacy_session_id.empty() &&
      sh.legacy_session_id == st.offer.offered_session_id) {
    StoredSession& session = *st.offer.resume;
    // RFC 5246 §7.4.1.3: a resumed session keeps its cipher suite.
    if (sh.cipher_suite != session.suite) {
      return Error(ErrorCode::illegal_parameter, "server_hello",
                   "server resumed the session with a different cipher suite");
    }
    // RFC 7627 §5.3: "If the original session used the extension but the new ServerHello does
    // not contain the extension, the client MUST abort the handshake." We only offer sessions
    // that used it (sessions without it are neither stored nor offered: "The client SHOULD NOT
    // offer an abbreviated handshake to resume a session that does not use an extended master
    // secret"), so both must have it.
    if (!session.extended_master_secret || !ems) {
      return Error(ErrorCode::extended_master_secret_required, "server_hello",
                   "resumed a session without the extended master secret");
    }
    info.resumed = true;
    // The server authenticated itself in the original handshake; report that chain again.
    info.peer_chain = std::move(session.peer_chain);
    info.peer_verified = session.peer_verified;
    ctx.note(st.offer.resume_by_ticket ? "resumed by ticket" : "resumed by session ID");
    neg.abbreviated = true;
    neg.ticket = session.ticket;
    neg.ticket_lifetime = session.lifetime_s;
    neg.created_ms = session.created_ms;
    SecretBytes master = std::move(session.secret);
    ctx.key_log("CLIENT_RANDOM", st.offer.client_random, master);
    ctx.set_exporter(HS_TRY(detail::Exporter::tls12(neg.suite.hash, master, st.offer.client_random,
                                                    neg.server_random, ems)));
    auto master_prf = HS_TRY(detail::tls12_master_prf(ctx.provider(), neg.suite.hash, master));
    auto keys = HS_TRY(detail::tls12_protections(ctx.provider(), neg.suite, master_prf,
                                                 st.offer.client_random, neg.server_random));
    if (neg.ticket_expected) {
      return ExpectNewSessionTicket{std::move(st.transcript),
                                    neg,
                                    std::move(master),
                                    std::move(master_prf),
                                    std::move(keys.server_write),
                                    std::move(keys.client_write)};
    }
    return ExpectChangeCipherSpec{std::move(st.transcript),
                                  neg,
                                  std::move(master),
                                  std::move(master_prf),
                                  std::move(keys.server_write),
                                  std::move(keys.client_write)};
  }
  if (st.offer.resume.has_value()) {
    ctx.note("server did not resume the offered session; full handshake");
  }
  return ExpectCertificate{std::move(st.offer), std::move(st.transcript), neg};
}

}  // namespace hs::client12

// ServerHello and HelloRetryRequest under TLS 1.3: the server's choices, each checked against
// our offer, then the handshake traffic keys.
#include "messages/server_hello.h"

#include <string>
#include <utility>

#include "handshake/client13/client13.h"
#include "keyschedule/tls13_keylog.h"
#include "keyschedule/tls13_transcript.h"
#include "messages/extensions.h"
#include "messages/handshake.h"
#include "record/protection.h"

namespace hs::client13 {

// PskAcceptor is the one place that makes a PskAuthenticated: the ServerHello selected the PSK
// we offered and bound with its binder.
struct PskAcceptor {
  static PskAuthenticated accept() { return PskAuthenticated(); }
};

namespace {

std::string hex16(uint16_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) {
    s.push_back(kHex[(v >> shift) & 0xF]);
  }
  return s;
}

bool offered(const Offer& offer, ExtensionType type) {
  return detail::contains<ExtensionType>(offer.extensions, type);
}

// check_common applies the rules RFC 8446 §4.1.3 and §4.1.4 share between a ServerHello and a
// HelloRetryRequest: legacy_version, the session id echo, the suite, compression and the
// selected version.
Result<void> check_common(const Offer& offer, const messages::ServerHello& sh,
                          std::string_view what) {
  const char* ctx_name = what == "hello_retry_request" ? "hello_retry_request" : "server_hello";
  // RFC 8446 §4.1.3: "In TLS 1.3, the TLS server indicates its version using the
  // "supported_versions" extension (Section 4.2.1), and the legacy_version field MUST be set to
  // 0x0303, which is the version number for TLS 1.2."
  if (sh.legacy_version != ProtocolVersion::tls1_2) {
    return Error(ErrorCode::illegal_parameter, ctx_name,
                 "legacy_version is " + hex16(static_cast<uint16_t>(sh.legacy_version)) +
                     ", TLS 1.3 requires 0x0303");
  }
  // RFC 8446 §4.1.3: "A client which receives a legacy_session_id_echo field that does not
  // match what it sent in the ClientHello MUST abort the handshake with an "illegal_parameter"
  // alert."
  if (sh.legacy_session_id != offer.session_id) {
    return Error(ErrorCode::illegal_parameter, ctx_name,
                 "legacy_session_id_echo does not match our legacy_session_id");
  }
  // RFC 8446 §4.1.3: "A client which receives a cipher suite that was not offered MUST abort
  // the handshake with an "illegal_parameter" alert." A TLS 1.2 suite in a TLS 1.3 ServerHello
  // was not offered for TLS 1.3.
  if (!detail::contains<CipherSuite>(offer.suites, sh.cipher_suite) ||
      !detail::is_tls13_suite(sh.cipher_suite)) {
    return Error(ErrorCode::illegal_parameter, ctx_name,
                 "server chose cipher suite " + hex16(static_cast<uint16_t>(sh.cipher_suite)) +
                     ", which we did not offer for TLS 1.3");
  }
  // RFC 8446 §4.1.3: legacy_compression_method "Single byte which MUST have the value 0."
  if (sh.compression_method != 0) {
    return Error(ErrorCode::illegal_parameter, ctx_name, "legacy_compression_method is not 0");
  }
  const messages::Extension* sv =
      messages::find_extension(sh.extensions, ExtensionType::supported_versions);
  if (sv == nullptr) {
    return Error(ErrorCode::missing_extension, ctx_name, "no supported_versions extension");
  }
  auto version = HS_TRY(messages::parse_supported_versions_server(sv->data));
  // RFC 8446 §4.2.1: "If the "supported_versions" extension in the ServerHello contains a
  // version not offered by the client or contains a version prior to TLS 1.3, the client MUST
  // abort the handshake with an "illegal_parameter" alert." We offer 1.3 as the only version
  // of this form.
  if (version != ProtocolVersion::tls1_3) {
    return Error(
        ErrorCode::illegal_parameter, ctx_name,
        "supported_versions selected " + hex16(static_cast<uint16_t>(version)) + ", not TLS 1.3");
  }
  return ok_result();
}

// check_extension_allowed applies RFC 8446 §4.2 to one extension of a ServerHello or
// HelloRetryRequest: "Implementations MUST NOT send extension responses if the remote endpoint
// did not send the corresponding extension requests, with the exception of the "cookie"
// extension in the HelloRetryRequest. Upon receiving such an extension, an endpoint MUST abort
// the handshake with an "unsupported_extension" alert." and "If an implementation receives an
// extension which it recognizes and which is not specified for the message in which it
// appears, it MUST abort the handshake with an "illegal_parameter" alert."
Result<void> check_extension_allowed(const Offer& offer, ExtensionType type, bool hrr) {
  const char* ctx_name = hrr ? "hello_retry_request" : "server_hello";
  if (hrr && type == ExtensionType::cookie) {
    return ok_result();  // the one extension a server may send unasked
  }
  const bool allowed = type == ExtensionType::supported_versions ||
                       type == ExtensionType::key_share ||
                       (!hrr && type == ExtensionType::pre_shared_key);
  if (!offered(offer, type)) {
    return Error(
        ErrorCode::unsolicited_extension, ctx_name,
        "server sent extension " + hex16(static_cast<uint16_t>(type)) + " that we did not offer");
  }
  if (!allowed) {
    return Error(ErrorCode::illegal_parameter, ctx_name,
                 "extension " + hex16(static_cast<uint16_t>(type)) + " is not allowed in a " +
                     (hrr ? "HelloRetryRequest" : "ServerHello"));
  }
  return ok_result();
}

// handle_hello_retry_request builds and sends ClientHello2 (RFC 8446 §4.1.4).
Result<State> handle_hello_retry_request(ExpectServerHello&& st, HandshakeContext& ctx,
                                         const HandshakeMessageView& msg,
                                         const messages::ServerHello& hrr) {
  // RFC 8446 §4.1.4: "If a client receives a second HelloRetryRequest in the same connection
  // (i.e., where the ClientHello was itself in response to a HelloRetryRequest), it MUST abort
  // the handshake with an "unexpected_message" alert."
  if (st.hrr_suite) {
    return Error(ErrorCode::unexpected_message, "hello_retry_request",
                 "a second HelloRetryRequest");
  }
  // RFC 8446 §4.1.4: "Upon receipt of a HelloRetryRequest, the client MUST check the
  // legacy_version, legacy_session_id_echo, cipher_suite, and legacy_compression_method as
  // specified in Section 4.1.3 and then process the extensions, starting with determining the
  // version using "supported_versions"."
  HS_TRY(check_common(st.offer, hrr, "hello_retry_request"));
  std::optional<NamedGroup> selected_group;
  std::optional<std::vector<uint8_t>> cookie;
  for (const messages::Extension& e : hrr.extensions) {
    HS_TRY(check_extension_allowed(st.offer, e.type, /*hrr=*/true));
    if (e.type == ExtensionType::key_share) {
      NamedGroup g = HS_TRY(messages::parse_key_share_hrr(e.data));
      // RFC 8446 §4.2.8: "Upon receipt of this extension in a HelloRetryRequest, the client
      // MUST verify that (1) the selected_group field corresponds to a group which was provided
      // in the "supported_groups" extension in the original ClientHello and (2) the
      // selected_group field does not correspond to a group which was provided in the
      // "key_share" extension in the original ClientHello. If either of these checks fails,
      // then the client MUST abort the handshake with an "illegal_parameter" alert."
      if (!detail::contains<NamedGroup>(st.offer.groups, g)) {
        return Error(ErrorCode::illegal_parameter, "hello_retry_request",
                     "server asked for group " + hex16(static_cast<uint16_t>(g)) +
                         ", which we did not offer");
      }
      for (const auto& share : st.offer.shares) {
        if (share->group() == g) {
          return Error(ErrorCode::illegal_parameter, "hello_retry_request",
                       "server asked for a key share we already sent");
        }
      }
      selected_group = g;
    } else if (e.type == ExtensionType::cookie) {
      cookie = HS_TRY(messages::parse_cookie(e.data));
    }
  }
  // RFC 8446 §4.1.4: "Clients MUST abort the handshake with an "illegal_parameter" alert if the
  // HelloRetryRequest would not result in any change in the ClientHello."
  if (!selected_group && !cookie) {
    return Error(ErrorCode::illegal_parameter, "hello_retry_request",
                 "HelloRetryRequest asks for no change");
  }

  auto suite = *detail::suite_info(hrr.cipher_suite);
  const crypto::Provider& provider = ctx.provider();
  // RFC 8446 §4.4.1: "When the server responds to a ClientHello with a HelloRetryRequest, the
  // value of ClientHello1 is replaced with a special synthetic handshake message of handshake
  // type "message_hash" containing Hash(ClientHello1)."
  detail::Transcript transcript(provider, suite.hash);
  transcript.add(keyschedule::message_hash_of(provider, suite.hash, st.offer.hello_raw));
  transcript.add(msg.raw);
  ctx.set_version(ProtocolVersion::tls1_3);
  if (ctx.wants_notes()) {
    ctx.note("HelloRetryRequest: cipher suite " + std::string(suite_name(hrr.cipher_suite)) +
             (selected_group ? ", group " + std::string(group_name(*selected_group)) : "") +
             (cookie ? ", with a cookie" : ""));
  }

  // ClientHello2 (RFC 8446 §4.1.2): "the client MUST send the same ClientHello without
  // modification, except as follows: - If a "key_share" extension was supplied in the
  // HelloRetryRequest, replacing the list of shares with a list containing a single
  // KeyShareEntry from the indicated group. ... - Including a "cookie" extension if one was
  // provided in the HelloRetryRequest."
  messages::ClientHello hello = st.offer.hello;
  if (selected_group) {
    auto share = HS_TRY(provider.generate_key_share(*selected_group));
    messages::KeyShareEntry entry{*selected_group, {}};
    auto pub = share->public_key();
    entry.key_exchange.assign(pub.begin(), pub.end());
    for (messages::Extension& e : hello.extensions) {
      if (e.type == ExtensionType::key_share) {
        e.data.clear();
        HS_TRY(messages::serialize_key_share_client({entry}, e.data));
      }
    }
    st.offer.shares.clear();
    st.offer.shares.push_back(std::move(share));
  }
  if (cookie) {
    messages::Extension ce{ExtensionType::cookie, {}};
    HS_TRY(messages::serialize_cookie(*cookie, ce.data));
    // Right after key_share; pre_shared_key, were we to send one, must stay last.
    auto it = hello.extensions.begin();
    while (it != hello.extensions.end() && it->type != ExtensionType::key_share) {
      ++it;
    }
    if (it != hello.extensions.end()) {
      ++it;
    }
    hello.extensions.insert(it, std::move(ce));
    st.offer.extensions.push_back(ExtensionType::cookie);
  }
  if (st.offer.early_data) {
    // RFC 8446 §4.1.2: ClientHello2 removes "the "early_data" extension (Section 4.2.10) if one
    // was present. Early data is not permitted after a HelloRetryRequest." ClientHello2 goes
    // out in plaintext, like ClientHello1.
    std::erase_if(hello.extensions,
                  [](const messages::Extension& e) { return e.type == ExtensionType::early_data; });
    // ClientHello2 no longer asks for early data, so an early_data in EncryptedExtensions is a
    // response to nothing: RFC 8446 §4.2, "Upon receiving such an extension, an endpoint MUST
    // abort the handshake with an "unsupported_extension" alert." (BoGo:
    // ServerAcceptsEarlyDataOnHRR-Client-TLS13.)
    std::erase(st.offer.extensions, ExtensionType::early_data);
    decline_early_data(st.offer, ctx, /*plaintext=*/true);
    ctx.note("early data rejected: HelloRetryRequest");
  }
  if (st.offer.psk.has_value() && detail::suite_info(st.offer.psk->suite)->hash != suite.hash) {
    // RFC 8446 §4.1.2: ClientHello2 may be changed by "(optionally) removing any PSKs which are
    // incompatible with the server's indicated cipher suite". Ours is: drop the offer.
    std::erase_if(hello.extensions, [](const messages::Extension& e) {
      return e.type == ExtensionType::pre_shared_key;
    });
    std::erase(st.offer.extensions, ExtensionType::pre_shared_key);
    st.offer.psk.reset();
    ctx.note("PSK dropped: the HelloRetryRequest's suite uses another hash");
  }
  std::vector<uint8_t> raw;
  if (st.offer.psk.has_value()) {
    // RFC 8446 §4.1.2: "Updating the "pre_shared_key" extension if present by recomputing the
    // "obfuscated_ticket_age" and binder values"; §4.2.11.2: the binder then covers
    // ClientHello1's message_hash, the HelloRetryRequest and the truncated ClientHello2.
    std::erase_if(hello.extensions, [](const messages::Extension& e) {
      return e.type == ExtensionType::pre_shared_key ||
             e.type == ExtensionType::psk_key_exchange_modes;
    });
    HS_TRY(add_psk_offer(hello, *st.offer.psk, st.offer.now(), st.offer.psk_external));
  }
  if (st.offer.edit_hello2) {
    // Test-only (client::TestHooks): known-answer tests reorder the extensions as RFC 8448 does.
    st.offer.edit_hello2(hello);
    st.offer.extensions.clear();
    for (const messages::Extension& e : hello.extensions) {
      st.offer.extensions.push_back(e.type);
    }
  }
  if (st.offer.psk.has_value()) {
    raw = HS_TRY(bind_psk(provider, hello, *st.offer.psk, &transcript, st.offer.psk_external));
  } else {
    HS_TRY(messages::serialize_message(hello, raw));
  }
  HS_TRY(send_dummy_change_cipher_spec(st.offer, ctx));
  HS_TRY(ctx.send_handshake(raw));
  transcript.add(raw);
  st.offer.hello = std::move(hello);
  st.offer.hello_raw = std::move(raw);
  return ExpectServerHello{std::move(st.offer), std::move(transcript), hrr.cipher_suite};
}

}  // namespace

Result<void> send_dummy_change_cipher_spec(Offer& offer, HandshakeContext& ctx) {
  if (!offer.middlebox_compat || offer.ccs_sent) {
    return ok_result();
  }
  offer.ccs_sent = true;
  return ctx.send_change_cipher_spec();
}

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
  if (messages::is_hello_retry_request(sh)) {
    return handle_hello_retry_request(std::move(st), ctx, msg, sh);
  }
  // RFC 8446 §4.1.4: "The value of selected_version in the HelloRetryRequest
  // "supported_versions" extension MUST be retained in the ServerHello, and a client MUST abort
  // the handshake with an "illegal_parameter" alert if the value changes." A ServerHello
  // without the extension after a HelloRetryRequest changes it to TLS 1.2 (BoGo:
  // SecondServerHelloNoVersion-TLS13); check_common refuses any other value.
  if (st.hrr_suite &&
      messages::find_extension(sh.extensions, ExtensionType::supported_versions) == nullptr) {
    return Error(ErrorCode::illegal_parameter, "server_hello",
                 "no supported_versions after the HelloRetryRequest selected TLS 1.3");
  }
  HS_TRY(check_common(st.offer, sh, "server_hello"));
  // RFC 8446 §4.1.4: "Upon receiving the ServerHello, clients MUST check that the cipher suite
  // supplied in the ServerHello is the same as that in the HelloRetryRequest and otherwise abort
  // the handshake with an "illegal_parameter" alert." (The selected version, also retained,
  // was checked above: TLS 1.3 is the only one.)
  if (st.hrr_suite && *st.hrr_suite != sh.cipher_suite) {
    return Error(ErrorCode::illegal_parameter, "server_hello",
                 "cipher suite differs from the HelloRetryRequest's");
  }
  const messages::Extension* ks = nullptr;
  const messages::Extension* psk_ext = nullptr;
  for (const messages::Extension& e : sh.extensions) {
    HS_TRY(check_extension_allowed(st.offer, e.type, /*hrr=*/false));
    if (e.type == ExtensionType::key_share) {
      ks = &e;
    } else if (e.type == ExtensionType::pre_shared_key) {
      psk_ext = &e;
    }
  }
  std::optional<PskAuthenticated> psk_auth;
  if (psk_ext != nullptr) {
    const uint16_t selected = HS_TRY(messages::parse_pre_shared_key_server(psk_ext->data));
    // RFC 8446 §4.2.11: "Clients MUST verify that the server's selected_identity is within the
    // range supplied by the client, that the server selected a cipher suite indicating a Hash
    // associated with the PSK, and that a server "key_share" extension is present if required
    // by the ClientHello "psk_key_exchange_modes" extension. If these values are not
    // consistent, the client MUST abort the handshake with an "illegal_parameter" alert."
    if (!st.offer.psk.has_value() || selected != 0) {
      return Error(ErrorCode::illegal_parameter, "server_hello",
                   "selected_identity is not one we offered");
    }
    if (detail::suite_info(st.offer.psk->suite)->hash !=
        detail::suite_info(sh.cipher_suite)->hash) {
      return Error(ErrorCode::illegal_parameter, "server_hello",
                   "the selected cipher suite's hash differs from the PSK's");
    }
    psk_auth = PskAcceptor::accept();
  }
  // We offer psk_dhe_ke only, so (EC)DHE is always part of the key exchange: RFC 8446 §9.2
  // makes key_share mandatory then (and §4.2.11 above: a key_share "if required by the
  // ClientHello "psk_key_exchange_modes" extension"), and §4.2.8: "If using (EC)DHE key
  // establishment, servers offer exactly one KeyShareEntry in the ServerHello."
  if (ks == nullptr) {
    return Error(ErrorCode::missing_extension, "server_hello", "no key_share extension");
  }
  auto server_share = HS_TRY(messages::parse_key_share_server(ks->data));
  // RFC 8446 §4.2.8: the server's share "MUST be in the same group as the KeyShareEntry value
  // offered by the client that the server has selected"; a group we sent no share for cannot
  // be completed (and, after a HelloRetryRequest, only the requested group was sent).
  crypto::KeyShare* ours = nullptr;
  for (const auto& share : st.offer.shares) {
    if (share->group() == server_share.group) {
      ours = share.get();
    }
  }
  if (ours == nullptr) {
    return Error(ErrorCode::illegal_parameter, "server_hello",
                 "server's key_share is for group " +
                     hex16(static_cast<uint16_t>(server_share.group)) +
                     ", for which we sent no share");
  }
  // derive() refuses malformed or off-curve points and the all-zero X25519 output with
  // illegal_parameter (RFC 8446 §4.2.8.2, §7.4.2).
  SecretBytes shared = HS_TRY(ours->derive(server_share.key_exchange));

  auto suite = *detail::suite_info(sh.cipher_suite);
  const crypto::Provider& provider = ctx.provider();
  HS_TRY(st.transcript.set_hash(provider, suite.hash));
  st.transcript.add(msg.raw);
  ctx.set_version(ProtocolVersion::tls1_3);

  // RFC 8446 §7.1: Early Secret = HKDF-Extract(0, 0) without a PSK; Handshake Secret from the
  // (EC)DHE shared secret; the handshake traffic secrets over ClientHello...ServerHello.
  // With an accepted PSK, Early Secret = HKDF-Extract(0, PSK).
  auto early = psk_auth.has_value() ? keyschedule::EarlySecret::make(provider, suite.hash,
                                                                     st.offer.psk->secret.expose())
                                    : keyschedule::EarlySecret::make(provider, suite.hash);
  auto hs_secret = HS_TRY(keyschedule::HandshakeSecret::derive(std::move(early), shared.expose()));
  const std::vector<uint8_t> ch_sh = st.transcript.current();
  auto client_hs = HS_TRY(hs_secret.client_handshake_traffic_secret(ch_sh));
  auto server_hs = HS_TRY(hs_secret.server_handshake_traffic_secret(ch_sh));
  ctx.key_log(keyschedule::keylog_label(client_hs.kind()), st.offer.client_random,
              client_hs.secret());
  ctx.key_log(keyschedule::keylog_label(server_hs.kind()), st.offer.client_random,
              server_hs.secret());
  auto read = HS_TRY(detail::tls13_protection(provider, server_hs, suite.aead));
  // RFC 8446 §5.1: "Handshake messages MUST NOT span key changes." The ServerHello must end its
  // record; set_read_protection refuses otherwise (unexpected_message).
  HS_TRY(ctx.set_read_protection(std::move(read), "server_handshake_traffic_secret"));

  SessionInfo& info = ctx.info();
  info.cipher_suite = sh.cipher_suite;
  info.group = server_share.group;
  info.extended_master_secret = false;
  info.session_id = sh.legacy_session_id;
  if (ctx.wants_notes()) {
    ctx.note("TLS 1.3 selected; cipher suite " + std::string(suite_name(sh.cipher_suite)) +
             ", group " + std::string(group_name(server_share.group)));
  }
  if (psk_auth.has_value() && st.offer.psk_external) {
    info.psk_identity = st.offer.psk->ticket;
    ctx.note("authenticated by the external PSK");
  } else if (psk_auth.has_value()) {
    info.resumed = true;
    // The server authenticated itself in the original handshake; report that chain again.
    info.peer_chain = st.offer.psk->peer_chain;
    info.peer_verified = st.offer.psk->peer_verified;
    ctx.note("resumed by PSK");
  } else if (st.offer.psk.has_value()) {
    ctx.note("server did not accept the offered PSK; full handshake");
  }
  if (!psk_auth.has_value()) {
    // Without the PSK there is no 0-RTT (RFC 8446 §4.2.10). Our second flight switches to the
    // handshake key anyway.
    decline_early_data(st.offer, ctx, /*plaintext=*/false);
  }

  HandshakeKeys keys{suite, std::move(hs_secret), std::move(client_hs), std::move(server_hs)};
  return ExpectEncryptedExtensions{Session{std::move(st.offer), std::move(st.transcript),
                                           std::move(keys), std::nullopt, psk_auth}};
}

}  // namespace hs::client13

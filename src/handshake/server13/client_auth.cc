// Client authentication in the TLS 1.3 server (RFC 8446 §4.3.2, §4.4.2, §4.4.3): our
// CertificateRequest, then the client's Certificate and CertificateVerify before its Finished,
// in the handshake or after it (post-handshake authentication, §4.6.2).
#include <algorithm>
#include <string>
#include <utility>

#include "codec/writer.h"
#include "crypto/signature.h"
#include "handshake/common/peer_leaf.h"
#include "handshake/server13/server13.h"
#include "messages/certificate.h"
#include "messages/certificate_request.h"
#include "messages/certificate_verify.h"
#include "messages/extensions.h"
#include "messages/finished.h"
#include "messages/handshake.h"
#include "x509/certificate.h"

namespace hs::server13 {

namespace {

std::string hex16(uint16_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) {
    s.push_back(kHex[(v >> shift) & 0xF]);
  }
  return s;
}

// serialize_certificate_authorities writes RFC 8446 §4.2.4:
//   opaque DistinguishedName<1..2^16-1>;
//   struct { DistinguishedName authorities<3..2^16-1>; } CertificateAuthoritiesExtension;
Result<void> serialize_certificate_authorities(const std::vector<std::vector<uint8_t>>& names,
                                               std::vector<uint8_t>& out) {
  codec::Writer w(out);
  {
    auto list = w.open_prefixed(codec::Len::u16);
    for (const std::vector<uint8_t>& dn : names) {
      if (dn.empty()) {
        return Error(ErrorCode::internal_error, "certificate_request", "empty CA name");
      }
      list.write_prefixed_bytes(codec::Len::u16, dn);
    }
  }
  if (!w.ok()) {
    return Error(ErrorCode::internal_error, "certificate_request",
                 "client_ca_names do not fit certificate_authorities");
  }
  return ok_result();
}

// kClientContext is RFC 8446 §4.4.3's context string for a client's CertificateVerify.
constexpr std::string_view kClientContext = "TLS 1.3, client CertificateVerify";

// read_client_certificate checks the client's Certificate in answer to our request with
// `context` and verifies its chain; nullopt for an empty one, certificate_required instead
// when one is `required`.
Result<std::optional<ClientChain>> read_client_certificate(Env env, const HandshakeMessageView& msg,
                                                           std::span<const uint8_t> context,
                                                           bool required) {
  HandshakeContext& ctx = env.ctx;
  auto cert = HS_TRY(messages::parse_certificate13(msg.body, ctx.limits().max_certificates));
  // RFC 8446 §4.4.2: "If this message is in response to a CertificateRequest, the value of
  // certificate_request_context in that message." No alert is named; a well-formed but wrong
  // value is illegal_parameter.
  if (!std::equal(cert.request_context.begin(), cert.request_context.end(), context.begin(),
                  context.end())) {
    return Error(ErrorCode::illegal_parameter, "certificate",
                 "the client's certificate_request_context does not match our request");
  }
  if (cert.entries.empty()) {
    // RFC 8446 §4.4.2.4: "If the client does not send any certificates (i.e., it sends an
    // empty Certificate message), the server MAY at its discretion either continue the
    // handshake without client authentication or abort the handshake with a
    // "certificate_required" alert."
    if (required) {
      return Error(ErrorCode::certificate_required, "certificate",
                   "the client sent no certificate and one is required");
    }
    ctx.note("client sent no certificate; continuing without client authentication");
    return std::optional<ClientChain>();
  }
  ClientChain client;
  for (const messages::CertificateEntry& entry : cert.entries) {
    // RFC 8446 §4.4.2: "Extensions in the Certificate message from the client MUST correspond
    // to extensions in the CertificateRequest message from the server." Ours asks for none.
    if (!entry.extensions.empty()) {
      return Error(ErrorCode::unsolicited_extension, "certificate",
                   "client certificate entry extension that we did not request");
    }
    client.chain.push_back(entry.cert_data);
  }
  auto leaf = detail::parse_peer_leaf(client.chain.front(), "client");
  if (!leaf.ok()) {
    return std::move(leaf).error();
  }
  auto key = ctx.provider().parse_public_key(leaf->spki_raw);
  if (!key.ok()) {
    return Error(ErrorCode::bad_certificate, "certificate",
                 "the client's public key could not be parsed");
  }
  // RFC 8446 §4.4.2.4: "if some aspect of the certificate chain was unacceptable (e.g., it was
  // not signed by a known, trusted CA), the server MAY at its discretion either continue the
  // handshake (considering the client unauthenticated) or abort the handshake." We abort with
  // the verifier's alert (unknown_ca, certificate_expired, bad_certificate, ...): a client that
  // presents a certificate expects to be authenticated by it. The host is empty: a client
  // certificate names no server.
  HS_TRY(env.config.client_verifier->verify(client.chain, ""));
  ctx.note("client certificate chain verified");
  client.key = std::move(key).value();
  client.key_type = *leaf->key_type;
  return std::optional<ClientChain>(std::move(client));
}

// check_client_certificate_verify checks the client's CertificateVerify against the schemes
// our request `offered` and Transcript-Hash(Handshake Context, Certificate).
Result<SignatureScheme> check_client_certificate_verify(const HandshakeMessageView& msg,
                                                        std::span<const SignatureScheme> offered,
                                                        const crypto::PublicKey& client_key,
                                                        crypto::KeyType key_type,
                                                        std::span<const uint8_t> transcript_hash) {
  auto cv = HS_TRY(messages::parse_certificate_verify(msg.body));
  // RFC 8446 §4.4.3: "If sent by a client, the signature algorithm used in the signature MUST
  // be one of those present in the supported_signature_algorithms field of the
  // "signature_algorithms" extension in the CertificateRequest message." and "RSA signatures
  // MUST use an RSASSA-PSS algorithm". scheme_fits_key applies the TLS 1.3 key rules (ECDSA
  // curve bound to the scheme, rsae vs pss keys, no PKCS#1).
  auto info = crypto::scheme_info(cv.scheme);
  if (!detail::contains<SignatureScheme>(offered, cv.scheme) || !info ||
      !crypto::scheme_fits_key(cv.scheme, key_type, ProtocolVersion::tls1_3)) {
    return Error(ErrorCode::illegal_parameter, "certificate_verify",
                 "client signed with scheme " + hex16(static_cast<uint16_t>(cv.scheme)) +
                     ", which we did not request or which does not fit its key");
  }
  // RFC 8446 §4.4.3: 64 octets of 0x20, "TLS 1.3, client CertificateVerify", a 0 byte, then
  // Transcript-Hash(Handshake Context, Certificate).
  std::vector<uint8_t> content(64, 0x20);
  content.insert(content.end(), kClientContext.begin(), kClientContext.end());
  content.push_back(0);
  content.insert(content.end(), transcript_hash.begin(), transcript_hash.end());
  // RFC 8446 §4.4.3: "If the verification fails, the receiver MUST terminate the handshake
  // with a "decrypt_error" alert."
  if (!client_key.verify(info->alg, content, cv.signature)) {
    return Error(ErrorCode::bad_signature, "certificate_verify",
                 "the client's CertificateVerify signature does not verify");
  }
  return cv.scheme;
}

}  // namespace

Result<std::vector<SignatureScheme>> send_certificate_request(Env env,
                                                              detail::Transcript& transcript,
                                                              std::span<const uint8_t> context) {
  const ServerConfig& config = env.config;
  if (!config.client_verifier) {
    return Error(ErrorCode::internal_error, "certificate_request",
                 "client_auth is set but there is no client_verifier");
  }
  // signature_algorithms: the schemes we verify in a TLS 1.3 CertificateVerify (RFC 8446
  // §4.2.3: rsa_pkcs1_* "are not defined for use in signed TLS handshake messages").
  // signature_algorithms_cert: everything we verify in certificates, when that is more (RFC
  // 8446 §4.2.3: without it, "signature_algorithms" applies to certificates too, and client
  // chains are often signed with rsa_pkcs1_*).
  std::vector<SignatureScheme> handshake_schemes;
  std::vector<SignatureScheme> cert_schemes;
  for (SignatureScheme s : config.signature_schemes) {
    auto info = crypto::scheme_info(s);
    if (!info) {
      continue;
    }
    cert_schemes.push_back(s);
    if (info->tls13_allowed) {
      handshake_schemes.push_back(s);
    }
  }
  if (handshake_schemes.empty()) {
    return Error(ErrorCode::internal_error, "certificate_request",
                 "no TLS 1.3 signature scheme configured to verify a client certificate");
  }
  messages::CertificateRequest13 cr;
  // RFC 8446 §4.3.2: certificate_request_context "SHALL be zero length unless used for the
  // post-handshake authentication exchanges"; the caller passes an empty one in the handshake.
  cr.context.assign(context.begin(), context.end());
  cr.extensions.push_back(
      HS_TRY(messages::make_extension(ExtensionType::signature_algorithms, [&](auto& out) {
        return messages::serialize_signature_algorithms(handshake_schemes, out);
      })));
  if (cert_schemes != handshake_schemes) {
    cr.extensions.push_back(
        HS_TRY(messages::make_extension(ExtensionType::signature_algorithms_cert, [&](auto& out) {
          return messages::serialize_signature_algorithms_cert(cert_schemes, out);
        })));
  }
  if (!config.client_ca_names.empty()) {
    cr.extensions.push_back(
        HS_TRY(messages::make_extension(ExtensionType::certificate_authorities, [&](auto& out) {
          return serialize_certificate_authorities(config.client_ca_names, out);
        })));
  }
  std::vector<uint8_t> raw;
  HS_TRY(messages::serialize_message(cr, raw));
  HS_TRY(env.ctx.send_handshake(raw));
  transcript.add(raw);
  if (context.empty()) {
    env.ctx.note(config.client_auth == ClientAuth::require ? "client certificate required"
                                                           : "client certificate requested");
  } else {
    env.ctx.note("client certificate requested after the handshake");
  }
  return handshake_schemes;
}

Result<State> handle(ExpectClientCertificate&& st, Env env, const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::certificate) {
    return Error(ErrorCode::unexpected_message, "server13::ExpectClientCertificate",
                 "expected the client's Certificate");
  }
  // Our request in the handshake has an empty certificate_request_context.
  auto client =
      HS_TRY(read_client_certificate(env, msg, {}, env.config.client_auth == ClientAuth::require));
  st.next.transcript.add(msg.raw);
  if (!client) {
    return std::move(st.next);
  }
  SessionInfo& info = env.ctx.info();
  info.peer_chain = client->chain;
  info.peer_verified = true;
  st.next.client_leaf = client->chain.front();
  return ExpectClientCertificateVerify{std::move(st.next), std::move(st.offered),
                                       std::move(client->key), client->key_type};
}

Result<State> handle(ExpectClientCertificateVerify&& st, Env env, const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::certificate_verify) {
    return Error(ErrorCode::unexpected_message, "server13::ExpectClientCertificateVerify",
                 "expected the client's CertificateVerify");
  }
  const SignatureScheme scheme = HS_TRY(check_client_certificate_verify(
      msg, st.offered, *st.client_key, st.key_type, st.next.transcript.current()));
  st.next.transcript.add(msg.raw);
  env.ctx.info().signature_scheme = scheme;
  if (env.ctx.wants_notes()) {
    env.ctx.note("client CertificateVerify checked (" + std::string(signature_scheme_name(scheme)) +
                 ")");
  }
  return std::move(st.next);
}

Result<void> request_client_certificate(Connected& st, Env env, bool required) {
  if (!env.config.client_verifier) {
    return Error(ErrorCode::internal_error, "certificate_request",
                 "no client_verifier to check a client certificate with");
  }
  if (!st.handshake_transcript) {
    return Error(ErrorCode::internal_error, "certificate_request",
                 "the client did not offer post_handshake_auth");
  }
  if (st.pha_request) {
    return Error(ErrorCode::internal_error, "certificate_request",
                 "a post-handshake certificate request is still outstanding");
  }
  // RFC 8446 §4.3.2: "The certificate_request_context MUST be unique within the scope of this
  // connection (thus preventing replay of client CertificateVerify messages)." A counter is.
  std::vector<uint8_t> context;
  {
    codec::Writer w(context);
    w.write_u64(st.pha_requests_sent);
  }
  detail::Transcript transcript = st.handshake_transcript->clone();
  auto offered = HS_TRY(send_certificate_request(env, transcript, context));
  ++st.pha_requests_sent;
  PostHandshakeRequest& req = st.pha_request.emplace();
  req.context = std::move(context);
  req.offered = std::move(offered);
  req.transcript = std::move(transcript);
  req.required = required;
  return ok_result();
}

Result<void> handle_post_handshake_auth(Connected& st, Env env, const HandshakeMessageView& msg) {
  // RFC 8446 §4: "a peer which receives a handshake message in an unexpected order MUST abort
  // the handshake with an "unexpected_message" alert."
  if (!st.pha_request) {
    return Error(ErrorCode::unexpected_message, "server13::Connected",
                 "client authentication message without a post-handshake CertificateRequest");
  }
  PostHandshakeRequest& req = *st.pha_request;
  HandshakeContext& ctx = env.ctx;
  if (!req.certificate_received) {
    if (msg.type != HandshakeType::certificate) {
      return Error(ErrorCode::unexpected_message, "server13::Connected",
                   "expected the client's Certificate after our CertificateRequest");
    }
    req.client = HS_TRY(read_client_certificate(env, msg, req.context, req.required));
    req.transcript.add(msg.raw);
    req.certificate_received = true;
    return ok_result();
  }
  if (req.client && !req.certificate_verified) {
    if (msg.type != HandshakeType::certificate_verify) {
      return Error(ErrorCode::unexpected_message, "server13::Connected",
                   "expected the client's CertificateVerify");
    }
    const SignatureScheme scheme = HS_TRY(check_client_certificate_verify(
        msg, req.offered, *req.client->key, req.client->key_type, req.transcript.current()));
    req.transcript.add(msg.raw);
    req.certificate_verified = true;
    ctx.info().signature_scheme = scheme;
    return ok_result();
  }
  if (msg.type != HandshakeType::finished) {
    return Error(ErrorCode::unexpected_message, "server13::Connected",
                 "expected the client's Finished");
  }
  // RFC 8446 §4.4: the post-handshake Finished has client_application_traffic_secret_N as its
  // Base Key; §4.4.4: "Recipients of Finished messages MUST verify that the contents are
  // correct and if incorrect MUST terminate the connection with a "decrypt_error" alert."
  auto fin = HS_TRY(messages::parse_finished(msg.body, crypto::hash_len(st.app.suite.hash)));
  HS_TRY(keyschedule::verify_finished13(ctx.provider(), st.app.read, req.transcript.current(),
                                        fin.verify_data));
  if (req.client) {
    SessionInfo& info = ctx.info();
    info.peer_chain = req.client->chain;
    info.peer_verified = true;
    st.client_leaf = req.client->chain.front();
    ctx.note("client authenticated after the handshake");
  }
  st.pha_request.reset();
  return ok_result();
}

}  // namespace hs::server13

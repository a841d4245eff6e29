// Certificate, ServerKeyExchange, [CertificateRequest] and ServerHelloDone, then our
// [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec and Finished.
#include <utility>

#include "crypto/signature.h"
#include "handshake/client12/client12.h"
#include "handshake/common/server_chain.h"
#include "handshake/common/tls12_keys.h"
#include "keyschedule/tls12_keys.h"
#include "messages/certificate.h"
#include "messages/certificate_request.h"
#include "messages/certificate_status.h"
#include "messages/certificate_verify.h"
#include "messages/client_key_exchange.h"
#include "messages/finished.h"
#include "messages/handshake.h"
#include "messages/server_hello_done.h"
#include "messages/server_key_exchange.h"

namespace hs::client12 {

// SkeVerifier is the one place that can make a SignatureVerified.
struct SkeVerifier {
  static Result<SignatureVerified> verify(const crypto::PublicKey& key, SignatureScheme scheme,
                                          std::span<const uint8_t> content,
                                          std::span<const uint8_t> signature) {
    auto alg = crypto::scheme_algorithm(scheme);
    if (!alg || !key.verify(*alg, content, signature)) {
      // RFC 5246 §7.4.3 (digitally-signed) and RFC 8446 §6.2: a signature that cannot be
      // verified is reported with decrypt_error.
      return Error(ErrorCode::bad_signature, "server_key_exchange",
                   "the ServerKeyExchange signature does not verify with the server's key");
    }
    return SignatureVerified();
  }
};

Result<State> handle(ExpectCertificate&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::certificate) {
    return Error(ErrorCode::unexpected_message, "certificate", "expected Certificate");
  }
  auto cert = HS_TRY(messages::parse_certificate12(msg.body, ctx.limits().max_certificates));
  // RFC 5246 §7.4.2: the server's certificate_list holds at least its own certificate; RFC 8446
  // §4.4.2.4: "If the server supplies an empty Certificate message, the client MUST abort the
  // handshake with a "decode_error" alert."
  if (cert.chain.empty()) {
    return Error(ErrorCode::decode_error, "certificate", "server sent an empty certificate chain");
  }
  st.transcript.add(msg.raw);
  ServerKey server_key = HS_TRY(detail::accept_server_chain(
      ctx, *st.offer.config, st.offer.host, std::move(cert.chain), st.neg.suite.auth));
  return ExpectServerKeyExchange{std::move(st.offer), std::move(st.transcript), st.neg,
                                 std::move(server_key)};
}

Result<State> handle(ExpectServerKeyExchange&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg) {
  if (msg.type == HandshakeType::certificate_status && st.neg.status_expected &&
      !st.status_checked) {
    // RFC 6066 §8: "Clients requesting an OCSP response and receiving an OCSP response in a
    // "CertificateStatus" message MUST check the OCSP response and abort the handshake if the
    // response is not satisfactory with bad_certificate_status_response(113) alert."
    auto status = HS_TRY(messages::parse_certificate_status(msg.body));
    st.transcript.add(msg.raw);
    HS_TRY(detail::check_stapled_status(ctx, *st.offer.config, std::move(status.ocsp_response)));
    st.status_checked = true;
    return State(std::move(st));
  }
  if (msg.type != HandshakeType::server_key_exchange) {
    return Error(ErrorCode::unexpected_message, "server_key_exchange",
                 "expected ServerKeyExchange");
  }
  if (!st.status_checked) {
    // No CertificateStatus: nothing stapled (refused by OcspStapling::require).
    HS_TRY(detail::check_stapled_status(ctx, *st.offer.config, {}));
  }
  auto ske = HS_TRY(messages::parse_server_key_exchange_ecdhe(msg.body));
  // RFC 8422 §5.4: the server picks a curve the client listed in supported_groups. Our list
  // may also hold FFDHE groups for TLS 1.3, which are no curves (RFC 7919 §3: DHE suites only).
  if (!detail::contains<NamedGroup>(st.offer.groups, ske.group) ||
      !detail::is_supported_group(ske.group, ProtocolVersion::tls1_2)) {
    return Error(ErrorCode::illegal_parameter, "server_key_exchange",
                 "server chose a group we did not offer for ECDHE");
  }
  // RFC 5246 §7.4.1.4.1: the server's signature uses a hash/signature pair "listed in the
  // client's "signature_algorithms" extension", and it must be one the leaf key can produce
  // and the suite allows (RFC 8422 §5.4: ECDHE_ECDSA is signed with ECDSA, ECDHE_RSA with RSA).
  if (!detail::contains<SignatureScheme>(st.offer.schemes, ske.scheme) ||
      !crypto::scheme_fits_key(ske.scheme, st.server_key.type, ProtocolVersion::tls1_2) ||
      !detail::suite_auth_fits_key(st.neg.suite.auth, st.server_key.type)) {
    return Error(ErrorCode::illegal_parameter, "server_key_exchange",
                 "server signed with a scheme we did not offer or that does not fit its key");
  }
  auto content = messages::ske_signed_content(st.offer.client_random, st.neg.server_random, ske);
  auto proof = HS_TRY(SkeVerifier::verify(*st.server_key.key, ske.scheme, content, ske.signature));
  st.transcript.add(msg.raw);
  ctx.info().group = ske.group;
  ctx.info().signature_scheme = ske.scheme;
  if (ctx.wants_notes()) {
    ctx.note("server key exchange: group " + std::string(group_name(ske.group)) + ", signed with " +
             std::string(signature_scheme_name(ske.scheme)));
  }
  if (st.offer.offered_tls13) {
    st.neg.kx_hint = ske.group;  // see Negotiated::kx_hint
  }
  ServerShare share{ske.group, std::move(ske.public_key), proof};
  return ExpectServerHelloDone{std::move(st.offer), std::move(st.transcript), st.neg,
                               std::move(share), std::nullopt};
}

std::optional<SignatureScheme> client_certificate_scheme(const CertificateRequested& request,
                                                         std::span<const SignatureScheme> ours,
                                                         crypto::KeyType type) {
  // RFC 5246 §7.4.4: rsa_sign is "a certificate containing an RSA key"; an RSASSA-PSS key is one.
  const uint8_t wanted = type == crypto::KeyType::rsa || type == crypto::KeyType::rsa_pss
                             ? messages::kClientCertTypeRsaSign
                             : messages::kClientCertTypeEcdsaSign;
  if (!detail::contains<uint8_t>(request.certificate_types, wanted)) {
    return std::nullopt;
  }
  for (SignatureScheme s : ours) {
    if (detail::contains<SignatureScheme>(request.schemes, s) &&
        crypto::scheme_fits_key(s, type, ProtocolVersion::tls1_2)) {
      return s;
    }
  }
  return std::nullopt;
}

namespace {

// accept_certificate_request records the server's CertificateRequest (RFC 5246 §7.4.4).
Result<State> accept_certificate_request(ExpectServerHelloDone&& st, HandshakeContext& ctx,
                                         const HandshakeMessageView& msg) {
  if (st.cert_request) {
    return Error(ErrorCode::unexpected_message, "certificate_request",
                 "a second CertificateRequest");
  }
  auto req = HS_TRY(messages::parse_certificate_request12(msg.body));
  st.transcript.add(msg.raw);
  ctx.note("the server asks for a client certificate");
  st.cert_request =
      CertificateRequested{std::move(req.certificate_types), std::move(req.signature_algorithms)};
  return State{std::move(st)};
}

// ClientSignature is our CertificateVerify, made only when the request can be met.
struct ClientSignature {
  const CertifiedKey* cert = nullptr;
  SignatureScheme scheme{};
};

// choose_client_certificate decides what our Certificate holds: nullopt for an empty one.
std::optional<ClientSignature> choose_client_certificate(const ExpectServerHelloDone& st,
                                                         HandshakeContext& ctx) {
  const ClientConfig& config = *st.offer.config;
  if (!config.client_certificate) {
    ctx.note("no client certificate configured: sending an empty Certificate");
    return std::nullopt;
  }
  const CertifiedKey& ours = *config.client_certificate;
  auto scheme = client_certificate_scheme(
      *st.cert_request, crypto::signable_schemes(config.signature_schemes, *ours.key),
      ours.key->type());
  if (!scheme) {
    ctx.note(
        "the client certificate's key cannot meet the server's CertificateRequest: "
        "sending an empty Certificate");
    return std::nullopt;
  }
  return ClientSignature{&ours, *scheme};
}

}  // namespace

Result<State> handle(ExpectServerHelloDone&& st, HandshakeContext& ctx,
                     const HandshakeMessageView& msg) {
  if (msg.type == HandshakeType::certificate_request) {
    return accept_certificate_request(std::move(st), ctx, msg);
  }
  if (msg.type != HandshakeType::server_hello_done) {
    return Error(ErrorCode::unexpected_message, "server_hello_done", "expected ServerHelloDone");
  }
  HS_TRY(messages::parse_server_hello_done(msg.body));
  st.transcript.add(msg.raw);
  const crypto::Provider& provider = ctx.provider();

  // RFC 5246 §7.4.6: "This is the first message the client can send after receiving a
  // ServerHelloDone message. This message is only sent if the server requests a certificate.
  // If no suitable certificate is available, the client MUST send a certificate message
  // containing no certificates."
  std::optional<ClientSignature> signer;
  if (st.cert_request) {
    signer = choose_client_certificate(st, ctx);
    messages::Certificate12 ours;
    if (signer) {
      ours.chain = signer->cert->chain;
    }
    std::vector<uint8_t> cert_raw;
    HS_TRY(messages::serialize_message(ours, cert_raw));
    HS_TRY(ctx.send_handshake(cert_raw));
    st.transcript.add(cert_raw);
  }

  // ClientKeyExchange: our ephemeral share on the server's curve (RFC 8422 §5.7).
  auto share = HS_TRY(provider.generate_key_share(st.share.group));
  // RFC 8422 §5.10: the premaster secret is the X coordinate (or X25519 output); derive()
  // refuses invalid points and the all-zero X25519 result with illegal_parameter.
  SecretBytes premaster = HS_TRY(share->derive(st.share.public_key));
  messages::ClientKeyExchangeEcdhe cke;
  auto pub = share->public_key();
  cke.public_key.assign(pub.begin(), pub.end());
  std::vector<uint8_t> cke_raw;
  HS_TRY(messages::serialize_message(cke, cke_raw));
  HS_TRY(ctx.send_handshake(cke_raw));
  st.transcript.add(cke_raw);

  // RFC 7627 §3: "the "session_hash" ... is the hash of the handshake messages ... up to and
  // including the ClientKeyExchange message".
  // RFC 7627 §5.2: with the extension negotiated the client "MUST use the extended master secret
  // derivation"; without it (ClientConfig::require_extended_master_secret off) RFC 5246 §8.1's.
  std::vector<uint8_t> session_hash = st.transcript.current();
  SecretBytes master =
      HS_TRY(st.neg.extended_master_secret
                 ? detail::tls12_extended_master_secret(provider, st.neg.suite.hash, premaster,
                                                        session_hash)
                 : keyschedule::master_secret(provider, st.neg.suite.hash, premaster.expose(),
                                              st.offer.client_random, st.neg.server_random));
  ctx.key_log("CLIENT_RANDOM", st.offer.client_random, master);
  ctx.set_exporter(
      HS_TRY(detail::Exporter::tls12(st.neg.suite.hash, master, st.offer.client_random,
                                     st.neg.server_random, st.neg.extended_master_secret)));
  auto master_prf = HS_TRY(detail::tls12_master_prf(provider, st.neg.suite.hash, master));
  auto keys = HS_TRY(detail::tls12_protections(provider, st.neg.suite, master_prf,
                                               st.offer.client_random, st.neg.server_random));

  // The CertificateVerify follows the ClientKeyExchange but is not part of the RFC 7627
  // session_hash (which ends with the ClientKeyExchange), so it is sent after the derivation.
  if (!signer) {
    return finish_client_flight(ctx, std::move(st.transcript), st.neg, std::move(master),
                                std::move(master_prf), std::move(keys), std::nullopt, {});
  }
  // RFC 5246 §7.4.8: the signature covers "all handshake messages sent or received, starting
  // at client hello and up to, but not including, this message", with a pair the
  // CertificateRequest listed.
  if (signer->cert->key->offloaded()) {
    std::span<const uint8_t> messages = st.transcript.messages();
    HS_TRY(ctx.request_signature(signer->scheme,
                                 std::vector<uint8_t>(messages.begin(), messages.end()), 0));
    return AwaitSignature{std::move(st.transcript), st.neg,          std::move(master),
                          std::move(master_prf),    std::move(keys), signer->scheme};
  }
  // client_certificate_scheme only picks schemes scheme_algorithm() knows.
  auto alg = crypto::scheme_algorithm(signer->scheme);
  auto signature = signer->cert->key->sign(alg.value(), st.transcript.messages());
  if (!signature.ok()) {
    return Error(ErrorCode::internal_error, "certificate_verify", "signing failed");
  }
  return finish_client_flight(ctx, std::move(st.transcript), st.neg, std::move(master),
                              std::move(master_prf), std::move(keys), signer->scheme,
                              signature.value());
}

Result<State> finish_client_flight(HandshakeContext& ctx, detail::Transcript transcript,
                                   Negotiated neg, SecretBytes master_secret,
                                   keyschedule::Prf12 master_prf, detail::Tls12Protections keys,
                                   std::optional<SignatureScheme> cv_scheme,
                                   std::span<const uint8_t> signature) {
  if (cv_scheme) {
    messages::CertificateVerify cv{*cv_scheme,
                                   std::vector<uint8_t>(signature.begin(), signature.end())};
    std::vector<uint8_t> cv_raw;
    HS_TRY(messages::serialize_message(cv, cv_raw));
    HS_TRY(ctx.send_handshake(cv_raw));
    transcript.add(cv_raw);
    ctx.info().own_signature_scheme = *cv_scheme;
    if (ctx.wants_notes()) {
      ctx.note("client certificate sent, CertificateVerify signed with " +
               std::string(signature_scheme_name(*cv_scheme)));
    }
  }

  // RFC 5246 §7.1: ChangeCipherSpec, then everything we send is under the new keys.
  HS_TRY(ctx.send_change_cipher_spec());
  ctx.set_write_protection(std::move(keys.client_write), "master secret");

  // RFC 5246 §7.4.9: verify_data = PRF(master_secret, "client finished",
  // Hash(handshake_messages)), handshake_messages being everything up to, not including, this
  // message.
  messages::Finished fin;
  fin.verify_data = detail::tls12_verify_data(master_prf, true, transcript.current());
  std::vector<uint8_t> fin_raw;
  HS_TRY(messages::serialize_message(fin, fin_raw));
  HS_TRY(ctx.send_handshake(fin_raw));
  transcript.add(fin_raw);

  if (neg.ticket_expected) {
    return ExpectNewSessionTicket{std::move(transcript),        neg,
                                  std::move(master_secret),     std::move(master_prf),
                                  std::move(keys.server_write), nullptr};
  }
  return ExpectChangeCipherSpec{std::move(transcript),        neg,
                                std::move(master_secret),     std::move(master_prf),
                                std::move(keys.server_write), nullptr};
}

Result<State> handle(AwaitSignature&& /*st*/, HandshakeContext& /*ctx*/,
                     const HandshakeMessageView& msg) {
  // receive() holds the records that arrive meanwhile; only the rest of the ServerHelloDone's
  // record gets here, and the server sends nothing after ServerHelloDone before our Finished.
  return Error(ErrorCode::unexpected_message, "client12::AwaitSignature",
               "unexpected " + std::string(handshake_type_name(msg.type)) +
                   " before our flight was complete");
}

}  // namespace hs::client12

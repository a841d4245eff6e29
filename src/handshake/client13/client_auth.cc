// Client authentication in the TLS 1.3 client (RFC 8446 §4.4.2, §4.4.3): our Certificate and
// CertificateVerify in answer to the server's CertificateRequest, during the handshake or after
// it (post-handshake authentication, §4.6.2).
#include <string>
#include <utility>

#include "crypto/signature.h"
#include "handshake/client13/client13.h"
#include "messages/certificate.h"
#include "messages/certificate_request.h"
#include "messages/certificate_verify.h"
#include "messages/extensions.h"
#include "messages/finished.h"
#include "messages/handshake.h"

namespace hs::client13 {

namespace {

// kClientContext is RFC 8446 §4.4.3's context string for a client's CertificateVerify.
constexpr std::string_view kClientContext = "TLS 1.3, client CertificateVerify";

Result<void> send(HandshakeContext& ctx, detail::Transcript& transcript,
                  const std::vector<uint8_t>& raw) {
  HS_TRY(ctx.send_handshake(raw));
  transcript.add(raw);
  return ok_result();
}

}  // namespace

std::optional<SignatureScheme> choose_client_scheme(std::span<const SignatureScheme> requested,
                                                    std::span<const SignatureScheme> ours,
                                                    crypto::KeyType key) {
  // RFC 8446 §4.4.3: "If sent by a client, the signature algorithm used in the signature MUST
  // be one of those present in the supported_signature_algorithms field of the
  // "signature_algorithms" extension in the CertificateRequest message." and "RSA signatures
  // MUST use an RSASSA-PSS algorithm". scheme_fits_key with tls1_3 refuses rsa_pkcs1_* and binds
  // an ECDSA scheme to its curve.
  for (SignatureScheme s : requested) {
    auto info = crypto::scheme_info(s);
    if (info && info->tls13_allowed && detail::contains<SignatureScheme>(ours, s) &&
        crypto::scheme_fits_key(s, key, ProtocolVersion::tls1_3)) {
      return s;
    }
  }
  return std::nullopt;
}

Result<CertRequest13> parse_cert_request13(std::span<const uint8_t> body) {
  auto cr = HS_TRY(messages::parse_certificate_request13(body));
  // RFC 8446 §4.3.2: "The "signature_algorithms" extension MUST be specified".
  const messages::Extension* sa =
      messages::find_extension(cr.extensions, ExtensionType::signature_algorithms);
  if (sa == nullptr) {
    return Error(ErrorCode::missing_extension, "certificate_request",
                 "CertificateRequest without signature_algorithms");
  }
  return CertRequest13{std::move(cr.context),
                       HS_TRY(messages::parse_signature_algorithms(sa->data))};
}

Result<std::optional<SignatureScheme>> send_client_certificate(const ClientConfig& config,
                                                               const CertRequest13& request,
                                                               detail::Transcript& transcript,
                                                               HandshakeContext& ctx) {
  messages::Certificate13 cert;
  // RFC 8446 §4.4.2: certificate_request_context: "If this message is in response to a
  // CertificateRequest, the value of certificate_request_context in that message."
  cert.request_context = request.context;
  std::optional<SignatureScheme> scheme;
  const CertifiedKey* ck = nullptr;
  if (config.client_certificate && config.client_certificate->key &&
      !config.client_certificate->chain.empty()) {
    ck = &*config.client_certificate;
    scheme = choose_client_scheme(request.schemes,
                                  crypto::signable_schemes(config.signature_schemes, *ck->key),
                                  ck->key->type());
    if (!scheme) {
      ctx.note(
          "no signature scheme the server accepts fits our client key; sending no "
          "certificate");
    }
  }
  if (!scheme) {
    // RFC 8446 §4.4.2: "If the server requests client authentication but no suitable
    // certificate is available, the client MUST send a Certificate message containing no
    // certificates." Without a certificate there is no CertificateVerify (§4.4.3).
    std::vector<uint8_t> raw;
    HS_TRY(messages::serialize_message(cert, raw));
    if (ck == nullptr) {
      ctx.note("no client certificate configured; sending an empty Certificate");
    }
    HS_TRY(send(ctx, transcript, raw));
    return std::optional<SignatureScheme>();
  }
  // RFC 8446 §4.4.2: the sender's certificate first, then the chain. No entry extensions: the
  // request's extensions ask for none that we support.
  for (const CertificateDer& der : ck->chain) {
    cert.entries.push_back(messages::CertificateEntry{der, {}});
  }
  std::vector<uint8_t> cert_raw;
  HS_TRY(messages::serialize_message(cert, cert_raw));
  HS_TRY(send(ctx, transcript, cert_raw));
  // RFC 8446 §4.4.3: 64 octets of 0x20, "TLS 1.3, client CertificateVerify", a 0 byte, then
  // Transcript-Hash(Handshake Context, Certificate).
  std::vector<uint8_t> content(64, 0x20);
  content.insert(content.end(), kClientContext.begin(), kClientContext.end());
  content.push_back(0);
  const std::vector<uint8_t> th = transcript.current();
  content.insert(content.end(), th.begin(), th.end());
  if (ck->key->offloaded()) {
    // The application signs (certified_key_for_offload); the caller waits for it.
    HS_TRY(ctx.request_signature(*scheme, std::move(content), 0));
    return scheme;
  }
  auto signature = ck->key->sign(crypto::scheme_info(*scheme)->alg, content);
  if (!signature.ok()) {
    return Error(ErrorCode::internal_error, "certificate_verify",
                 "signing the client CertificateVerify failed");
  }
  HS_TRY(send_client_certificate_verify(ctx, transcript, *scheme, signature.value()));
  return std::optional<SignatureScheme>();
}

Result<void> send_client_certificate_verify(HandshakeContext& ctx, detail::Transcript& transcript,
                                            SignatureScheme scheme,
                                            std::span<const uint8_t> signature) {
  std::vector<uint8_t> cv_raw;
  HS_TRY(messages::serialize_message(
      messages::CertificateVerify{scheme, std::vector<uint8_t>(signature.begin(), signature.end())},
      cv_raw));
  HS_TRY(send(ctx, transcript, cv_raw));
  ctx.info().own_signature_scheme = scheme;
  if (ctx.wants_notes()) {
    ctx.note("sent our client certificate and CertificateVerify (" +
             std::string(signature_scheme_name(scheme)) + ")");
  }
  return ok_result();
}

Result<void> answer_post_handshake_request(Connected& st, HandshakeContext& ctx,
                                           const HandshakeMessageView& msg) {
  // RFC 8446 §4.6.2: "A client that receives a CertificateRequest message without having sent
  // the "post_handshake_auth" extension MUST send an "unexpected_message" fatal alert."
  if (!st.pha) {
    return Error(ErrorCode::unexpected_message, "certificate_request",
                 "CertificateRequest after the handshake, but post_handshake_auth was not offered");
  }
  const CertRequest13 request = HS_TRY(parse_cert_request13(msg.body));
  ctx.note("server requested a client certificate after the handshake");
  // RFC 8446 §4.4.1: the Handshake Context of post-handshake authentication is "ClientHello ...
  // client Finished + CertificateRequest", one exchange at a time: each request forks the
  // handshake's transcript rather than extending the previous exchange's.
  detail::Transcript transcript = st.pha->transcript.clone();
  transcript.add(msg.raw);
  // RFC 8446 §4.6.2: "If the client has a relevant certificate ... If not, the client MUST send
  // a Certificate message containing no certificates followed by Finished."
  const std::optional<SignatureScheme> pending =
      HS_TRY(send_client_certificate(*st.pha->config, request, transcript, ctx));
  if (pending) {
    // An offloaded key: CertificateVerify and Finished follow the application's signature
    // (finish_post_handshake_answer).
    st.pha->pending = PendingAnswer{std::move(transcript), *pending};
    return ok_result();
  }
  return finish_post_handshake_answer(st, ctx, transcript);
}

Result<void> finish_post_handshake_answer(Connected& st, HandshakeContext& ctx,
                                          detail::Transcript& transcript) {
  // RFC 8446 §4.4: the Finished of post-handshake authentication has client_application_
  // traffic_secret_N as its Base Key.
  auto vd = HS_TRY(
      keyschedule::finished_verify_data13(ctx.provider(), st.app.write, transcript.current()));
  messages::Finished fin;
  fin.verify_data = declassify(vd.expose());  // verify_data is sent in the protected record
  std::vector<uint8_t> fin_raw;
  HS_TRY(messages::serialize_message(fin, fin_raw));
  HS_TRY(ctx.send_handshake(fin_raw));
  ++st.pha->requests_answered;
  return ok_result();
}

Result<void> complete_post_handshake_answer(Connected& st, HandshakeContext& ctx,
                                            std::span<const uint8_t> signature) {
  if (!st.pha || !st.pha->pending) {
    return Error(ErrorCode::internal_error, "signature", "no signature was asked for");
  }
  PendingAnswer pending = std::move(*st.pha->pending);
  st.pha->pending.reset();
  HS_TRY(send_client_certificate_verify(ctx, pending.transcript, pending.scheme, signature));
  return finish_post_handshake_answer(st, ctx, pending.transcript);
}

}  // namespace hs::client13

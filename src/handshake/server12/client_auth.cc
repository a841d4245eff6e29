// TLS 1.2 client authentication on the server: the CertificateRequest we send, the client's
// Certificate and its CertificateVerify (RFC 5246 §7.4.4, §7.4.6, §7.4.8).
#include <string>
#include <utility>
#include <vector>

#include "crypto/signature.h"
#include "handshake/common/peer_leaf.h"
#include "handshake/server12/server12.h"
#include "messages/certificate.h"
#include "messages/certificate_request.h"
#include "messages/certificate_verify.h"
#include "x509/certificate.h"

namespace hs::server12 {

namespace {

using detail::HandshakeMessageView;

Error unexpected(const char* state, HandshakeType got) {
  std::string name(handshake_type_name(got));
  if (name.empty()) {
    name = "handshake message " + std::to_string(static_cast<int>(got));
  }
  return Error(ErrorCode::unexpected_message, state, "unexpected " + name);
}

// ClientSignatureChecker is the one place that checks a client's CertificateVerify.
struct ClientSignatureChecker {
  static Result<void> check(const ClientKey& key, const std::vector<SignatureScheme>& offered,
                            const messages::CertificateVerify& cv,
                            std::span<const uint8_t> handshake_messages) {
    // RFC 5246 §7.4.8: "The hash and signature algorithms used in the signature MUST be one of
    // those present in the supported_signature_algorithms field of the CertificateRequest
    // message." They must also fit the certificate's key.
    auto alg = crypto::scheme_algorithm(cv.scheme);
    if (!detail::contains<SignatureScheme>(offered, cv.scheme) || !alg ||
        !crypto::scheme_fits_key(cv.scheme, key.type, ProtocolVersion::tls1_2)) {
      return Error(ErrorCode::illegal_parameter, "certificate_verify",
                   "the client signed with a scheme we did not offer or that does not fit its "
                   "certificate's key");
    }
    // RFC 5246 §7.4.8: signature over handshake_messages, "all handshake messages sent or
    // received, starting at client hello and up to, but not including, this message".
    if (!key.key->verify(*alg, handshake_messages, cv.signature)) {
      return Error(ErrorCode::bad_signature, "certificate_verify",
                   "the client's CertificateVerify signature does not verify with its "
                   "certificate's key");
    }
    return ok_result();
  }
};

}  // namespace

std::vector<SignatureScheme> client_auth_schemes(const ServerConfig& config) {
  std::vector<SignatureScheme> out;
  for (SignatureScheme s : config.signature_schemes) {
    // Only what we can verify in TLS 1.2: the provider implements it and some key type fits.
    // rsa_pss_pss_* (RSASSA-PSS client keys) are not requested: untested against TLS 1.2 peers.
    if (crypto::scheme_fits_key(s, crypto::KeyType::rsa, ProtocolVersion::tls1_2) ||
        crypto::scheme_fits_key(s, crypto::KeyType::ec_p256, ProtocolVersion::tls1_2) ||
        crypto::scheme_fits_key(s, crypto::KeyType::ed25519, ProtocolVersion::tls1_2) ||
        crypto::scheme_fits_key(s, crypto::KeyType::ed448, ProtocolVersion::tls1_2)) {
      out.push_back(s);
    }
  }
  return out;
}

messages::CertificateRequest12 make_certificate_request(const ServerConfig& config,
                                                        std::vector<SignatureScheme> schemes) {
  messages::CertificateRequest12 req;
  // RFC 5246 §7.4.4 rsa_sign; RFC 8422 §5.5 ecdsa_sign (also for Ed25519 certificates).
  req.certificate_types = {messages::kClientCertTypeRsaSign, messages::kClientCertTypeEcdsaSign};
  req.signature_algorithms = std::move(schemes);
  req.certificate_authorities = config.client_ca_names;
  return req;
}

// ---- ExpectClientCertificate: the client's chain, or none ----

Result<State> handle(ExpectClientCertificate&& st, Env env, const HandshakeMessageView& msg) {
  // RFC 5246 §7.4.6: "If the server requests a certificate, the client MUST send a Certificate
  // message" (possibly empty); a ClientKeyExchange here skipped it.
  if (msg.type != HandshakeType::certificate) {
    return unexpected("server12::ExpectClientCertificate", msg.type);
  }
  auto cert = HS_TRY(messages::parse_certificate12(msg.body));
  st.transcript.add(msg.raw);
  detail::HandshakeContext& ctx = env.ctx;
  if (cert.chain.empty()) {
    // RFC 5246 §7.4.6: "If the client does not send any certificates, the server MAY at its
    // discretion either continue the handshake without client authentication, or respond
    // with a fatal handshake_failure alert."
    if (env.config.client_auth == ClientAuth::require) {
      return Error(ErrorCode::no_client_certificate, "certificate",
                   "the client sent no certificate and one is required");
    }
    ctx.note("the client sent no certificate; continuing without client authentication");
    return ExpectClientKeyExchange{std::move(st.params), std::move(st.transcript),
                                   std::move(st.key_share), std::nullopt};
  }
  auto leaf = detail::parse_peer_leaf(cert.chain.front(), "client");
  if (!leaf.ok()) {
    return std::move(leaf).error();
  }
  // The chain is checked with the validator (purpose clientAuth, no host) before its key is
  // trusted for anything; its refusal carries the alert (unknown_ca, certificate_expired...).
  if (!env.config.client_verifier) {
    return Error(ErrorCode::internal_error, "certificate", "no client_verifier configured");
  }
  HS_TRY(env.config.client_verifier->verify(cert.chain, ""));
  auto key = ctx.provider().parse_public_key(leaf->spki_raw);
  if (!key.ok()) {
    return Error(ErrorCode::bad_certificate, "certificate",
                 "the client's public key could not be parsed");
  }
  SessionInfo& info = ctx.info();
  info.peer_chain = cert.chain;
  info.peer_verified = true;
  if (ctx.wants_notes()) {
    ctx.note("client certificate chain verified: " + x509::to_string(leaf->subject));
  }
  st.params.client_chain = std::move(cert.chain);
  return ExpectClientKeyExchange{std::move(st.params), std::move(st.transcript),
                                 std::move(st.key_share),
                                 ClientKey{std::move(key).value(), *leaf->key_type}};
}

// ---- ExpectCertificateVerify: the client proves it holds the certificate's key ----

Result<State> handle(ExpectCertificateVerify&& st, Env env, const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::certificate_verify) {
    return unexpected("server12::ExpectCertificateVerify", msg.type);
  }
  auto cv = HS_TRY(messages::parse_certificate_verify(msg.body));
  HS_TRY(ClientSignatureChecker::check(st.client_key, st.params.client_auth_schemes, cv,
                                       st.transcript.messages()));
  st.transcript.add(msg.raw);
  env.ctx.info().signature_scheme = cv.scheme;
  if (env.ctx.wants_notes()) {
    env.ctx.note("client CertificateVerify checked (" +
                 std::string(signature_scheme_name(cv.scheme)) + ")");
  }
  return ExpectChangeCipherSpec{std::move(st.params), std::move(st.transcript),
                                std::move(st.master_secret), std::move(st.master_prf),
                                std::move(st.keys)};
}

}  // namespace hs::server12

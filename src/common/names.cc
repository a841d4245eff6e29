// Human names for wire values, as the RFCs and IANA spell them.
#include <hs/alert.h>
#include <hs/wire.h>

#include "codec/wire.h"

namespace hs {

std::string_view alert_name(AlertDescription d) {
  using A = AlertDescription;
  switch (d) {
    case A::close_notify:
      return "close_notify";
    case A::unexpected_message:
      return "unexpected_message";
    case A::bad_record_mac:
      return "bad_record_mac";
    case A::record_overflow:
      return "record_overflow";
    case A::handshake_failure:
      return "handshake_failure";
    case A::bad_certificate:
      return "bad_certificate";
    case A::unsupported_certificate:
      return "unsupported_certificate";
    case A::certificate_revoked:
      return "certificate_revoked";
    case A::certificate_expired:
      return "certificate_expired";
    case A::certificate_unknown:
      return "certificate_unknown";
    case A::illegal_parameter:
      return "illegal_parameter";
    case A::unknown_ca:
      return "unknown_ca";
    case A::access_denied:
      return "access_denied";
    case A::decode_error:
      return "decode_error";
    case A::decrypt_error:
      return "decrypt_error";
    case A::protocol_version:
      return "protocol_version";
    case A::insufficient_security:
      return "insufficient_security";
    case A::internal_error:
      return "internal_error";
    case A::inappropriate_fallback:
      return "inappropriate_fallback";
    case A::user_canceled:
      return "user_canceled";
    case A::no_renegotiation:
      return "no_renegotiation";
    case A::missing_extension:
      return "missing_extension";
    case A::unsupported_extension:
      return "unsupported_extension";
    case A::unrecognized_name:
      return "unrecognized_name";
    case A::bad_certificate_status_response:
      return "bad_certificate_status_response";
    case A::unknown_psk_identity:
      return "unknown_psk_identity";
    case A::certificate_required:
      return "certificate_required";
    case A::no_application_protocol:
      return "no_application_protocol";
  }
  return "unknown_alert";
}

std::string_view version_name(ProtocolVersion v) {
  switch (v) {
    case ProtocolVersion::tls1_0:
      return "TLSv1.0";
    case ProtocolVersion::tls1_2:
      return "TLSv1.2";
    case ProtocolVersion::tls1_3:
      return "TLSv1.3";
  }
  return "";
}

std::string_view suite_name(CipherSuite s) {
  using C = CipherSuite;
  switch (s) {
    case C::TLS_AES_128_GCM_SHA256:
      return "TLS_AES_128_GCM_SHA256";
    case C::TLS_AES_256_GCM_SHA384:
      return "TLS_AES_256_GCM_SHA384";
    case C::TLS_CHACHA20_POLY1305_SHA256:
      return "TLS_CHACHA20_POLY1305_SHA256";
    case C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
      return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
      return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
      return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    case C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
      return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    case C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
      return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    case C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
      return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    case C::TLS_EMPTY_RENEGOTIATION_INFO_SCSV:
      return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";
    case C::TLS_FALLBACK_SCSV:
      return "TLS_FALLBACK_SCSV";
  }
  return "";
}

// OpenSSL's names, which curl prints in "SSL connection using TLSv1.2 / <name>".
std::string_view suite_openssl_name(CipherSuite s) {
  using C = CipherSuite;
  switch (s) {
    case C::TLS_AES_128_GCM_SHA256:
      return "TLS_AES_128_GCM_SHA256";
    case C::TLS_AES_256_GCM_SHA384:
      return "TLS_AES_256_GCM_SHA384";
    case C::TLS_CHACHA20_POLY1305_SHA256:
      return "TLS_CHACHA20_POLY1305_SHA256";
    case C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
      return "ECDHE-ECDSA-AES128-GCM-SHA256";
    case C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
      return "ECDHE-ECDSA-AES256-GCM-SHA384";
    case C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
      return "ECDHE-RSA-AES128-GCM-SHA256";
    case C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
      return "ECDHE-RSA-AES256-GCM-SHA384";
    case C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
      return "ECDHE-RSA-CHACHA20-POLY1305";
    case C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
      return "ECDHE-ECDSA-CHACHA20-POLY1305";
    case C::TLS_EMPTY_RENEGOTIATION_INFO_SCSV:
    case C::TLS_FALLBACK_SCSV:
      return "";
  }
  return "";
}

std::string_view group_name(NamedGroup g) {
  switch (g) {
    case NamedGroup::secp256r1:
      return "secp256r1";
    case NamedGroup::secp384r1:
      return "secp384r1";
    case NamedGroup::secp521r1:
      return "secp521r1";
    case NamedGroup::x25519:
      return "x25519";
    case NamedGroup::x448:
      return "x448";
    case NamedGroup::ffdhe2048:
      return "ffdhe2048";
    case NamedGroup::ffdhe3072:
      return "ffdhe3072";
    case NamedGroup::ffdhe4096:
      return "ffdhe4096";
    case NamedGroup::ffdhe6144:
      return "ffdhe6144";
    case NamedGroup::ffdhe8192:
      return "ffdhe8192";
    case NamedGroup::X25519MLKEM768:
      return "X25519MLKEM768";
  }
  return "";
}

std::string_view signature_scheme_name(SignatureScheme s) {
  using S = SignatureScheme;
  switch (s) {
    case S::rsa_pkcs1_sha1:
      return "rsa_pkcs1_sha1";
    case S::ecdsa_sha1:
      return "ecdsa_sha1";
    case S::rsa_pkcs1_sha256:
      return "rsa_pkcs1_sha256";
    case S::rsa_pkcs1_sha384:
      return "rsa_pkcs1_sha384";
    case S::rsa_pkcs1_sha512:
      return "rsa_pkcs1_sha512";
    case S::ecdsa_secp256r1_sha256:
      return "ecdsa_secp256r1_sha256";
    case S::ecdsa_secp384r1_sha384:
      return "ecdsa_secp384r1_sha384";
    case S::ecdsa_secp521r1_sha512:
      return "ecdsa_secp521r1_sha512";
    case S::rsa_pss_rsae_sha256:
      return "rsa_pss_rsae_sha256";
    case S::rsa_pss_rsae_sha384:
      return "rsa_pss_rsae_sha384";
    case S::rsa_pss_rsae_sha512:
      return "rsa_pss_rsae_sha512";
    case S::ed25519:
      return "ed25519";
    case S::ed448:
      return "ed448";
    case S::rsa_pss_pss_sha256:
      return "rsa_pss_pss_sha256";
    case S::rsa_pss_pss_sha384:
      return "rsa_pss_pss_sha384";
    case S::rsa_pss_pss_sha512:
      return "rsa_pss_pss_sha512";
  }
  return "";
}

std::string_view content_type_name(ContentType t) {
  switch (t) {
    case ContentType::invalid:
      return "invalid";
    case ContentType::change_cipher_spec:
      return "change_cipher_spec";
    case ContentType::alert:
      return "alert";
    case ContentType::handshake:
      return "handshake";
    case ContentType::application_data:
      return "application_data";
  }
  return "";
}

std::string_view handshake_type_name(HandshakeType t) {
  using H = HandshakeType;
  switch (t) {
    case H::hello_request:
      return "hello_request";
    case H::client_hello:
      return "client_hello";
    case H::server_hello:
      return "server_hello";
    case H::new_session_ticket:
      return "new_session_ticket";
    case H::end_of_early_data:
      return "end_of_early_data";
    case H::encrypted_extensions:
      return "encrypted_extensions";
    case H::certificate:
      return "certificate";
    case H::server_key_exchange:
      return "server_key_exchange";
    case H::certificate_request:
      return "certificate_request";
    case H::server_hello_done:
      return "server_hello_done";
    case H::certificate_verify:
      return "certificate_verify";
    case H::client_key_exchange:
      return "client_key_exchange";
    case H::finished:
      return "finished";
    case H::certificate_status:
      return "certificate_status";
    case H::key_update:
      return "key_update";
    case H::message_hash:
      return "message_hash";
  }
  return "";
}

std::string_view extension_type_name(ExtensionType t) {
  using E = ExtensionType;
  switch (t) {
    case E::server_name:
      return "server_name";
    case E::max_fragment_length:
      return "max_fragment_length";
    case E::status_request:
      return "status_request";
    case E::supported_groups:
      return "supported_groups";
    case E::ec_point_formats:
      return "ec_point_formats";
    case E::signature_algorithms:
      return "signature_algorithms";
    case E::use_srtp:
      return "use_srtp";
    case E::heartbeat:
      return "heartbeat";
    case E::application_layer_protocol_negotiation:
      return "application_layer_protocol_negotiation";
    case E::signed_certificate_timestamp:
      return "signed_certificate_timestamp";
    case E::padding:
      return "padding";
    case E::encrypt_then_mac:
      return "encrypt_then_mac";
    case E::extended_master_secret:
      return "extended_master_secret";
    case E::record_size_limit:
      return "record_size_limit";
    case E::session_ticket:
      return "session_ticket";
    case E::pre_shared_key:
      return "pre_shared_key";
    case E::early_data:
      return "early_data";
    case E::supported_versions:
      return "supported_versions";
    case E::cookie:
      return "cookie";
    case E::psk_key_exchange_modes:
      return "psk_key_exchange_modes";
    case E::certificate_authorities:
      return "certificate_authorities";
    case E::oid_filters:
      return "oid_filters";
    case E::post_handshake_auth:
      return "post_handshake_auth";
    case E::signature_algorithms_cert:
      return "signature_algorithms_cert";
    case E::key_share:
      return "key_share";
    case E::renegotiation_info:
      return "renegotiation_info";
  }
  return "";
}

}  // namespace hs

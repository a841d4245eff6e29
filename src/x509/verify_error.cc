#include "x509/verify_error.h"

#include <string>

namespace hs::x509 {

std::string_view verify_status_string(VerifyStatus s) {
  switch (s) {
    case VerifyStatus::ok:
      return "ok";
    case VerifyStatus::unable_to_get_issuer_cert:
      return "unable to get issuer certificate";
    case VerifyStatus::signature_failure:
      return "certificate signature failure";
    case VerifyStatus::not_yet_valid:
      return "certificate is not yet valid";
    case VerifyStatus::expired:
      return "certificate has expired";
    case VerifyStatus::depth_zero_self_signed:
      return "self-signed certificate";
    case VerifyStatus::self_signed_in_chain:
      return "self-signed certificate in certificate chain";
    case VerifyStatus::unable_to_get_issuer_cert_locally:
      return "unable to get local issuer certificate";
    case VerifyStatus::chain_too_long:
      return "certificate chain too long";
    case VerifyStatus::invalid_ca:
      return "invalid CA certificate";
    case VerifyStatus::path_length_exceeded:
      return "path length constraint exceeded";
    case VerifyStatus::invalid_purpose:
      return "unsuitable certificate purpose";
    case VerifyStatus::unhandled_critical_extension:
      return "unhandled critical extension";
    case VerifyStatus::invalid_extension:
      return "invalid or inconsistent certificate extension";
    case VerifyStatus::permitted_subtree_violation:
      return "permitted subtree violation";
    case VerifyStatus::excluded_subtree_violation:
      return "excluded subtree violation";
    case VerifyStatus::unsupported_constraint_type:
      return "unsupported name constraint type";
    case VerifyStatus::unsupported_name_syntax:
      return "unsupported or invalid name syntax";
    case VerifyStatus::hostname_mismatch:
      return "hostname mismatch";
    case VerifyStatus::ip_address_mismatch:
      return "IP address mismatch";
    case VerifyStatus::ca_md_too_weak:
      return "CA signature digest algorithm too weak";
    case VerifyStatus::unable_to_get_crl:
      return "unable to get certificate CRL";
    case VerifyStatus::unable_to_decode_issuer_public_key:
      return "unable to decode issuer public key";
    case VerifyStatus::crl_signature_failure:
      return "CRL signature failure";
    case VerifyStatus::crl_not_yet_valid:
      return "CRL is not yet valid";
    case VerifyStatus::crl_has_expired:
      return "CRL has expired";
    case VerifyStatus::cert_revoked:
      return "certificate revoked";
    case VerifyStatus::unable_to_get_crl_issuer:
      return "unable to get CRL issuer certificate";
    case VerifyStatus::keyusage_no_crl_sign:
      return "key usage does not include CRL signing";
    case VerifyStatus::unhandled_critical_crl_extension:
      return "unhandled critical CRL extension";
  }
  return "unknown certificate verification error";
}

std::optional<VerifyStatus> verify_status_from_string(std::string_view text) {
  for (int i = 0; i <= static_cast<int>(kLastVerifyStatus); ++i) {
    const auto s = static_cast<VerifyStatus>(i);
    if (verify_status_string(s) == text) {
      return s;
    }
  }
  return std::nullopt;
}

int openssl_verify_code(VerifyStatus s) {
  switch (s) {
    case VerifyStatus::ok:
      return 0;
    case VerifyStatus::unable_to_get_issuer_cert:
      return 2;
    case VerifyStatus::signature_failure:
      return 7;
    case VerifyStatus::not_yet_valid:
      return 9;
    case VerifyStatus::expired:
      return 10;
    case VerifyStatus::depth_zero_self_signed:
      return 18;
    case VerifyStatus::self_signed_in_chain:
      return 19;
    case VerifyStatus::unable_to_get_issuer_cert_locally:
      return 20;
    case VerifyStatus::chain_too_long:
      return 22;
    case VerifyStatus::invalid_ca:
      return 79;
    case VerifyStatus::path_length_exceeded:
      return 25;
    case VerifyStatus::invalid_purpose:
      return 26;
    case VerifyStatus::unhandled_critical_extension:
      return 34;
    case VerifyStatus::invalid_extension:
      return 41;
    case VerifyStatus::permitted_subtree_violation:
      return 47;
    case VerifyStatus::excluded_subtree_violation:
      return 48;
    case VerifyStatus::unsupported_constraint_type:
      return 51;
    case VerifyStatus::unsupported_name_syntax:
      return 53;
    case VerifyStatus::hostname_mismatch:
      return 62;
    case VerifyStatus::ip_address_mismatch:
      return 64;
    case VerifyStatus::ca_md_too_weak:
      return 68;
    case VerifyStatus::unable_to_get_crl:
      return 3;
    case VerifyStatus::unable_to_decode_issuer_public_key:
      return 6;
    case VerifyStatus::crl_signature_failure:
      return 8;
    case VerifyStatus::crl_not_yet_valid:
      return 11;
    case VerifyStatus::crl_has_expired:
      return 12;
    case VerifyStatus::cert_revoked:
      return 23;
    case VerifyStatus::unable_to_get_crl_issuer:
      return 33;
    case VerifyStatus::keyusage_no_crl_sign:
      return 35;
    case VerifyStatus::unhandled_critical_crl_extension:
      return 36;
  }
  return 1;
}

ErrorCode error_code_for(VerifyStatus s) {
  switch (s) {
    case VerifyStatus::not_yet_valid:
    case VerifyStatus::expired:
      return ErrorCode::certificate_expired;
    case VerifyStatus::unable_to_get_issuer_cert:
    case VerifyStatus::depth_zero_self_signed:
    case VerifyStatus::self_signed_in_chain:
    case VerifyStatus::unable_to_get_issuer_cert_locally:
    case VerifyStatus::chain_too_long:
    case VerifyStatus::unable_to_get_crl:
    case VerifyStatus::unable_to_get_crl_issuer:
      return ErrorCode::unknown_ca;
    case VerifyStatus::cert_revoked:
      return ErrorCode::certificate_revoked;
    case VerifyStatus::signature_failure:
    case VerifyStatus::ca_md_too_weak:
    case VerifyStatus::invalid_extension:
    case VerifyStatus::unsupported_name_syntax:
    case VerifyStatus::unable_to_decode_issuer_public_key:
    case VerifyStatus::crl_signature_failure:
    case VerifyStatus::crl_not_yet_valid:
    case VerifyStatus::crl_has_expired:
    case VerifyStatus::keyusage_no_crl_sign:
      return ErrorCode::bad_certificate;
    case VerifyStatus::unhandled_critical_extension:
    case VerifyStatus::unhandled_critical_crl_extension:
    case VerifyStatus::unsupported_constraint_type:
      return ErrorCode::unsupported_certificate;
    case VerifyStatus::ok:  // never turned into an error; certificate_unknown if it were
    case VerifyStatus::invalid_ca:
    case VerifyStatus::ip_address_mismatch:
    case VerifyStatus::path_length_exceeded:
    case VerifyStatus::invalid_purpose:
    case VerifyStatus::permitted_subtree_violation:
    case VerifyStatus::excluded_subtree_violation:
    case VerifyStatus::hostname_mismatch:
      return ErrorCode::certificate_unknown;
  }
  return ErrorCode::certificate_unknown;
}

std::string VerifyFailure::curl_message() const {
  if (status == VerifyStatus::hostname_mismatch || status == VerifyStatus::ip_address_mismatch) {
    // curl 7.88 lib/vtls/openssl.c, ossl_verifyhost().
    return "SSL: no alternative certificate subject name matches target host name '" + host + "'";
  }
  return "SSL certificate problem: " + std::string(verify_status_string(status));
}

std::string VerifyFailure::where() const {
  return "depth " + std::to_string(depth) + ": " + subject;
}

Error VerifyFailure::to_error() const {
  Error e(error_code_for(status), "certificate", curl_message());
  e.set_note(where());
  return e;
}

}  // namespace hs::x509

#include "handshake/common/peer_leaf.h"

#include <string>

namespace hs::detail {

Result<x509::Certificate> parse_peer_leaf(const CertificateDer& leaf, std::string_view peer) {
  auto cert = x509::parse_certificate(leaf);
  if (!cert.ok()) {
    return Error(ErrorCode::bad_certificate, "certificate",
                 "the " + std::string(peer) +
                     "'s certificate could not be parsed: " + cert.error().detail());
  }
  if (!cert->key_type) {
    return Error(ErrorCode::unsupported_certificate, "certificate",
                 "the " + std::string(peer) + "'s certificate has a key type we do not support");
  }
  return cert;
}

}  // namespace hs::detail

#include "handshake/server12/negotiation.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>

#include "crypto/signature.h"
#include "handshake/common/suites.h"
#include "messages/certificate_status.h"
#include "messages/extensions.h"
#include "x509/certificate.h"
#include "x509/hostname.h"

namespace hs::server12 {

namespace {

using detail::SuiteAuth;
using messages::Extension;

template <typename T>
bool has(std::span<const T> list, T value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool is_chacha20_suite(CipherSuite suite) {
  auto info = detail::suite_info(suite);
  return info && info->aead == crypto::AeadAlg::chacha20_poly1305;
}

// key_auth is the TLS 1.2 suite authentication a leaf key can provide (RFC 8422 §5.3), or
// nullopt for keys we do not serve TLS 1.2 with.
std::optional<SuiteAuth> key_auth(crypto::KeyType type) {
  switch (type) {
    // RSASSA-PSS keys sign ECDHE_RSA handshakes with rsa_pss_pss_* (RFC 8446 §4.2.3).
    case crypto::KeyType::rsa:
    case crypto::KeyType::rsa_pss:
      return SuiteAuth::rsa;
    // RFC 8422 §2.1: in ECDHE_ECDSA "the server's certificate MUST contain an ECDSA- or
    // EdDSA-capable public key".
    case crypto::KeyType::ec_p256:
    case crypto::KeyType::ec_p384:
    case crypto::KeyType::ec_p521:
    case crypto::KeyType::ed25519:
    case crypto::KeyType::ed448:
      return SuiteAuth::ecdsa;
  }
  return std::nullopt;
}

std::string_view key_type_name(crypto::KeyType type) {
  switch (type) {
    case crypto::KeyType::rsa:
      return "RSA";
    case crypto::KeyType::rsa_pss:
      return "RSA-PSS";
    case crypto::KeyType::ec_p256:
      return "ECDSA P-256";
    case crypto::KeyType::ec_p384:
      return "ECDSA P-384";
    case crypto::KeyType::ec_p521:
      return "ECDSA P-521";
    case crypto::KeyType::ed25519:
      return "Ed25519";
    case crypto::KeyType::ed448:
      return "Ed448";
  }
  return "unknown";
}

// Candidate is one certificate the server could present, with the scheme it would sign with.
struct Candidate {
  size_t index;
  SuiteAuth auth;
  crypto::KeyType key_type;
  std::optional<SignatureScheme> scheme;
};

std::string join_suites(std::span<const CipherSuite> suites) {
  std::string out;
  for (CipherSuite s : suites) {
    if (!out.empty()) {
      out += ", ";
    }
    out += suite_name(s);
  }
  return out;
}

// decode_offer fills `offer` from the cipher suites and extensions of `hello`: for a TLS 1.2
// server (`tls12`) the TLS 1.2 suites and the RFC 8422/5746 checks, for TLS 1.3 the TLS 1.3
// suites only.
Result<void> decode_offer(const messages::ClientHello& hello, bool tls12, ClientOffer& offer) {
  offer.suites.reserve(hello.cipher_suites.size());
  for (CipherSuite s : hello.cipher_suites) {
    if (s == CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV) {
      // RFC 5746 §3.6: "If this is an initial handshake and the ClientHello contains the
      // TLS_EMPTY_RENEGOTIATION_INFO_SCSV ..., the server MUST set the secure_renegotiation
      // flag to TRUE."
      offer.secure_renegotiation = true;
    } else if ((tls12 ? detail::is_tls12_suite(s) : detail::is_tls13_suite(s)) &&
               !has(std::span<const CipherSuite>(offer.suites), s)) {
      offer.suites.push_back(s);
    }
    // GREASE (RFC 8701 §3: servers "MUST NOT negotiate any GREASE value"), TLS 1.3 suites and
    // unknown values are never candidates.
  }

  for (const Extension& ext : hello.extensions) {
    switch (ext.type) {
      case ExtensionType::server_name:
        offer.server_name = HS_TRY(messages::parse_server_name(ext.data));
        break;
      case ExtensionType::supported_groups: {
        auto groups = HS_TRY(messages::parse_supported_groups(ext.data));
        std::vector<NamedGroup> kept;
        for (NamedGroup g : groups) {
          if (!is_grease(static_cast<uint16_t>(g))) {
            kept.push_back(g);
          }
        }
        offer.groups = std::move(kept);
        break;
      }
      case ExtensionType::ec_point_formats: {
        auto formats = HS_TRY(messages::parse_ec_point_formats(ext.data));
        // RFC 8422 §5.1.2: "If the client sends the extension and the extension does not
        // contain the uncompressed point format, and the client has used the Supported Groups
        // extension to indicate support for any of the curves defined in this specification,
        // then the server MUST abort the handshake and return an illegal_parameter alert."
        // Every group we could pick is such a curve, so we abort whenever it is missing.
        // (TLS 1.3 does not use the extension: RFC 8446 §4.2.7 replaces point formats.)
        if (tls12 &&
            !has(std::span<const uint8_t>(formats), messages::kEcPointFormatUncompressed)) {
          return Error(ErrorCode::illegal_parameter, "client_hello",
                       "ec_point_formats does not include uncompressed");
        }
        offer.ec_point_formats = true;
        break;
      }
      case ExtensionType::signature_algorithms:
        offer.signature_schemes = HS_TRY(messages::parse_signature_algorithms(ext.data));
        break;
      case ExtensionType::application_layer_protocol_negotiation:
        offer.alpn = HS_TRY(messages::parse_alpn(ext.data));
        break;
      case ExtensionType::extended_master_secret:
        HS_TRY(messages::parse_empty_extension(ext.data));
        offer.extended_master_secret = true;
        break;
      case ExtensionType::renegotiation_info: {
        auto renegotiated = HS_TRY(messages::parse_renegotiation_info(ext.data));
        // RFC 5746 §3.6: "The server MUST then verify that the length of the
        // "renegotiated_connection" field is zero, and if it is not, MUST abort the handshake."
        // (by sending a fatal handshake_failure alert).
        // TLS 1.3 has no renegotiation (RFC 8446 §4.1.2), so the extension means nothing there.
        if (tls12 && !renegotiated.empty()) {
          return Error(ErrorCode::insecure_renegotiation, "client_hello",
                       "non-empty renegotiation_info in an initial handshake");
        }
        offer.secure_renegotiation = true;
        break;
      }
      case ExtensionType::record_size_limit:
        // RFC 8449 §4: "An endpoint MUST treat receipt of a smaller value [than 64] as a fatal
        // error and generate an "illegal_parameter" alert" (the parser checks). Larger values
        // than the version allows are the client's business: "A server MUST NOT enforce this
        // restriction". §5: a server "MUST ignore a "max_fragment_length" that appears in a
        // ClientHello if both extensions appear"; we ignore it anyway.
        offer.record_size_limit = HS_TRY(messages::parse_record_size_limit(ext.data));
        break;
      case ExtensionType::status_request:
        // RFC 6066 §8; both versions staple the same response (TLS 1.3: RFC 8446 §4.4.2.1).
        offer.status_request = HS_TRY(messages::parse_status_request(ext.data));
        break;
      case ExtensionType::max_fragment_length:
      case ExtensionType::use_srtp:
      case ExtensionType::heartbeat:
      case ExtensionType::signed_certificate_timestamp:
      case ExtensionType::padding:
      case ExtensionType::encrypt_then_mac:
      case ExtensionType::session_ticket:
      case ExtensionType::pre_shared_key:
      case ExtensionType::early_data:
      case ExtensionType::supported_versions:  // handled above
      case ExtensionType::cookie:
      case ExtensionType::psk_key_exchange_modes:
      case ExtensionType::certificate_authorities:
      case ExtensionType::oid_filters:
      case ExtensionType::post_handshake_auth:
      case ExtensionType::signature_algorithms_cert:
      case ExtensionType::key_share:
        // Not used by our TLS 1.2 server: ignored, and so never echoed (RFC 5246 §7.4.1.4).
        break;
    }
    // Unknown and GREASE extension types fall out of the switch: "Servers MUST ignore
    // unrecognized extensions" (RFC 8446 §4.1.2 and RFC 5246 §7.4.1.4).
  }
  return ok_result();
}

}  // namespace

// ecdsa_curve is the named group of an EC certificate key, nullopt for other key types.
static std::optional<NamedGroup> ecdsa_curve(crypto::KeyType type) {
  switch (type) {
    case crypto::KeyType::ec_p256:
      return NamedGroup::secp256r1;
    case crypto::KeyType::ec_p384:
      return NamedGroup::secp384r1;
    case crypto::KeyType::ec_p521:
      return NamedGroup::secp521r1;
    case crypto::KeyType::rsa:
    case crypto::KeyType::rsa_pss:
    case crypto::KeyType::ed25519:
    case crypto::KeyType::ed448:
      return std::nullopt;
  }
  return std::nullopt;
}

bool server_scheme_fits_key(SignatureScheme scheme, crypto::KeyType type) {
  // scheme_info's key type is the one the scheme names exactly (the curve for ECDSA, as TLS 1.3
  // binds it); on top of the TLS 1.2 rule this keeps P-384 from signing with
  // ecdsa_secp256r1_sha256 and the like.
  const std::optional<crypto::SchemeInfo> info = crypto::scheme_info(scheme);
  return info && info->key_type == type &&
         crypto::scheme_fits_key(scheme, type, ProtocolVersion::tls1_2);
}

Result<ClientOffer> read_client_offer(const messages::ClientHello& hello,
                                      const ServerConfig& config) {
  ClientOffer offer;
  offer.random = hello.random;
  offer.session_id = hello.legacy_session_id;

  // Version. RFC 8446 §4.2.1: "If this extension is present in the ClientHello, servers MUST
  // NOT use the ClientHello.legacy_version value for version negotiation and MUST use only the
  // "supported_versions" extension to determine client preferences."
  bool offers_tls12 = false;
  uint16_t client_max = 0;  // the highest version the client can negotiate with us
  if (const Extension* sv =
          messages::find_extension(hello.extensions, ExtensionType::supported_versions)) {
    auto versions = HS_TRY(messages::parse_supported_versions_client(sv->data));
    const std::span<const ProtocolVersion> list(versions);
    offers_tls12 = has(list, ProtocolVersion::tls1_2);
    offer.offers_tls13 = has(list, ProtocolVersion::tls1_3);
    for (ProtocolVersion v : list) {
      const auto value = static_cast<uint16_t>(v);
      if (!is_grease(value)) {
        client_max = std::max(client_max, value);
      }
    }
  } else {
    // RFC 5246 §E.1: a client advertising a higher version gets the highest we support, so
    // anything from 0x0303 up negotiates TLS 1.2; below that we have nothing in common.
    offers_tls12 = static_cast<uint16_t>(hello.legacy_version) >=
                   static_cast<uint16_t>(ProtocolVersion::tls1_2);
    // RFC 8446 §4.2.1: without the extension, servers "MUST negotiate TLS 1.2 or prior ...
    // even if ClientHello.legacy_version is 0x0304 or later".
    client_max = std::min(static_cast<uint16_t>(hello.legacy_version),
                          static_cast<uint16_t>(ProtocolVersion::tls1_2));
  }
  // RFC 7507 §3: "If TLS_FALLBACK_SCSV appears in ClientHello.cipher_suites and the highest
  // protocol version supported by the server is higher than the version indicated in
  // ClientHello.client_version, the server MUST respond with a fatal inappropriate_fallback
  // alert (unless it responds with a fatal protocol_version alert because the version indicated
  // in ClientHello.client_version is unsupported)." The client's version is the highest it
  // offers in supported_versions when it sends the extension. We check before the version
  // gate, so a TLS 1.1 fallback also hears inappropriate_fallback (the more precise of the two
  // alerts the RFC allows, and the one tlsfuzzer's test-fallback-scsv.py expects).
  if (has(std::span<const CipherSuite>(hello.cipher_suites), CipherSuite::TLS_FALLBACK_SCSV) &&
      static_cast<uint16_t>(config.max_version) > client_max) {
    return Error(ErrorCode::inappropriate_fallback, "client_hello",
                 "TLS_FALLBACK_SCSV from a client whose highest version is below ours");
  }
  if (!offers_tls12) {
    return Error(ErrorCode::protocol_version, "client_hello", "the client does not offer TLS 1.2");
  }
  if (config.min_version > ProtocolVersion::tls1_2 ||
      config.max_version < ProtocolVersion::tls1_2) {
    return Error(ErrorCode::protocol_version, "client_hello",
                 "TLS 1.2 is disabled by the configuration");
  }

  // RFC 5246 §7.4.1.2: "this vector MUST contain, and all implementations MUST support,
  // CompressionMethod.null."
  if (!has(std::span<const uint8_t>(hello.compression_methods), uint8_t{0})) {
    return Error(ErrorCode::illegal_parameter, "client_hello",
                 "compression_methods does not include null");
  }

  HS_TRY(decode_offer(hello, /*tls12=*/true, offer));
  return offer;
}

Result<ClientOffer> read_client_offer13(const messages::ClientHello& hello) {
  ClientOffer offer;
  offer.random = hello.random;
  offer.session_id = hello.legacy_session_id;
  offer.offers_tls13 = true;
  HS_TRY(decode_offer(hello, /*tls12=*/false, offer));
  return offer;
}

namespace {

// parsed_leaf returns `der` parsed, or null when it does not parse. The server's own leaves are
// few and the same on every connection, so the last kLeafCacheSize parsed ones are kept by their
// exact DER: selecting a certificate by SNI then costs a comparison instead of an X.509 parse
// (which was about 14% of a resumed TLS 1.2 server handshake). Failures are not kept.
std::shared_ptr<const x509::Certificate> parsed_leaf(const CertificateDer& der) {
  constexpr size_t kLeafCacheSize = 16;
  static std::mutex mutex;
  static std::deque<std::shared_ptr<const x509::Certificate>> cache;  // most recent first
  {
    const std::lock_guard<std::mutex> lock(mutex);
    for (const auto& cert : cache) {
      if (std::ranges::equal(cert->der, der)) {
        return cert;
      }
    }
  }
  auto parsed = x509::parse_certificate(der);
  if (!parsed.ok()) {
    return nullptr;
  }
  auto cert = std::make_shared<const x509::Certificate>(std::move(parsed.value()));
  const std::lock_guard<std::mutex> lock(mutex);
  cache.push_front(cert);
  if (cache.size() > kLeafCacheSize) {
    cache.pop_back();
  }
  return cert;
}

}  // namespace

bool leaf_matches_host(const ServerCertificate& cert, std::string_view host) {
  if (cert.chain.empty() || host.empty()) {
    return false;
  }
  const auto leaf = parsed_leaf(cert.chain.front());
  // RFC 6125 §6.4 matching against the leaf's subjectAltName (the X.509 module's matcher).
  return leaf != nullptr && x509::matches_host(*leaf, host);
}

std::vector<size_t> certificate_pool(std::string_view server_name, const ServerConfig& config,
                                     CertificateNameMatcher matcher, bool& sni_matched,
                                     std::vector<std::string>& notes) {
  std::vector<size_t> pool;
  if (!server_name.empty()) {
    for (size_t i = 0; i < config.certificates.size(); ++i) {
      if (matcher(config.certificates[i], server_name)) {
        pool.push_back(i);
      }
    }
  }
  sni_matched = !pool.empty();
  if (pool.empty()) {
    for (size_t i = 0; i < config.certificates.size(); ++i) {
      pool.push_back(i);
    }
    if (!server_name.empty()) {
      notes.push_back("no certificate names SNI '" + std::string(server_name) +
                      "'; considering every certificate");
    }
  }
  return pool;
}

Result<std::string> select_alpn(const std::optional<std::vector<std::string>>& offered,
                                const ServerConfig& config) {
  // ALPN (RFC 7301 §3.2): "the server SHALL select the most highly preferred protocol that it
  // supports and that is also advertised by the client. In the event that the server supports
  // no protocols that the client advertises, then the server SHALL respond with a fatal
  // "no_application_protocol" alert." Without ALPN configured we ignore the client's offer.
  if (!offered || config.alpn.empty()) {
    return std::string();
  }
  for (const std::string& p : config.alpn) {
    if (has(std::span<const std::string>(*offered), p)) {
      return p;
    }
  }
  return Error(ErrorCode::no_application_protocol, "client_hello", "no ALPN protocol in common");
}

Result<Selection> negotiate(const ClientOffer& offer, const ServerConfig& config,
                            CertificateNameMatcher matcher, bool with_notes) {
  Selection sel;
  // explain adds the note `text()` builds, only when the notes are wanted.
  auto explain = [&](auto text) {
    if (with_notes) {
      sel.notes.push_back(text());
    }
  };
  if (config.certificates.empty()) {
    return Error(ErrorCode::invalid_config, "server config", "no server certificate configured");
  }

  // RFC 7627 §5.2: "If the server receives a ClientHello without the extension, it SHOULD
  // abort the handshake if it does not wish to interoperate with legacy clients. If the client
  // and server choose to continue a full handshake without the extension, they MUST use the
  // standard master secret derivation". We abort when configured to
  // (ServerConfig::require_extended_master_secret, off by default).
  if (!offer.extended_master_secret && config.require_extended_master_secret) {
    return Error(ErrorCode::extended_master_secret_required, "client_hello",
                 "the client does not support the extended master secret (RFC 7627)");
  }
  sel.extended_master_secret = offer.extended_master_secret;
  explain([&] {
    return std::string(offer.extended_master_secret
                           ? "extended master secret negotiated (RFC 7627)"
                           : "extended master secret not offered; using the legacy master secret");
  });

  // Certificates: those naming the SNI host when any does, else every one (the first is the
  // default).
  std::vector<size_t> pool =
      certificate_pool(offer.server_name, config, matcher, sel.sni_matched, sel.notes);

  std::vector<Candidate> candidates;
  std::vector<Candidate> off_curve_candidates;
  for (size_t index : pool) {
    const ServerCertificate& cert = config.certificates[index];
    if (!cert.key || cert.chain.empty()) {
      continue;
    }
    const crypto::KeyType type = cert.key->type();
    auto auth = key_auth(type);
    if (!auth) {
      explain([&] {
        return "certificate #" + std::to_string(index) + " (" + std::string(key_type_name(type)) +
               ") cannot serve TLS 1.2; skipped";
      });
      continue;
    }
    // RFC 8422 §5.1: "One of the proposed ECC cipher suites must be negotiated only if the
    // server can successfully complete the handshake while using the curves and point formats
    // supported by the client". An ECDSA certificate on a curve the client did not list is
    // refused by strict clients (OpenSSL, curl), so it serves only when no other certificate
    // can (see below).
    const auto curve = ecdsa_curve(type);
    const bool off_curve =
        curve && offer.groups && !has(std::span<const NamedGroup>(*offer.groups), *curve);
    Candidate c{index, *auth, type, std::nullopt};
    if (offer.signature_schemes) {
      // The scheme named after the key's curve first; failing that any ECDSA pair the client
      // listed: in TLS 1.2 the code points are (hash, ecdsa) pairs, and RFC 8446 §4.2.3 notes
      // "the old semantics did not constrain the signing curve. If TLS 1.2 is negotiated,
      // implementations MUST be prepared to accept a signature that uses any curve that they
      // advertised" (tlsfuzzer test-ecdsa-sig-flexibility.py: a P-256 key signs for a client
      // listing only (sha384, ecdsa)).
      const std::vector<SignatureScheme> ours =
          crypto::signable_schemes(config.signature_schemes, *cert.key);
      for (bool curve_matched : {true, false}) {
        for (SignatureScheme s : ours) {
          if (has(std::span<const SignatureScheme>(*offer.signature_schemes), s) &&
              (curve_matched ? server_scheme_fits_key(s, type)
                             : crypto::scheme_fits_key(s, type, ProtocolVersion::tls1_2))) {
            c.scheme = s;
            break;
          }
        }
        if (c.scheme) {
          break;
        }
      }
    }
    (off_curve ? off_curve_candidates : candidates).push_back(c);
  }

  // Suites both sides list.
  std::vector<CipherSuite> common;
  for (CipherSuite s : config.cipher_suites) {
    if (detail::is_tls12_suite(s) && has(std::span<const CipherSuite>(offer.suites), s)) {
      common.push_back(s);
    }
  }
  if (common.empty()) {
    return Error(ErrorCode::no_common_cipher_suite, "client_hello",
                 "no TLS 1.2 cipher suite in common");
  }
  auto auth_of = [](CipherSuite s) { return detail::suite_info(s)->auth; };
  if (!off_curve_candidates.empty()) {
    const bool others_serve = std::any_of(candidates.begin(), candidates.end(), [&](auto& c) {
      return c.scheme.has_value() && std::any_of(common.begin(), common.end(),
                                                 [&](auto s) { return auth_of(s) == c.auth; });
    });
    for (const Candidate& c : off_curve_candidates) {
      explain([&] {
        return "certificate #" + std::to_string(c.index) +
               " is on a curve the client does not list in supported_groups" +
               (others_serve ? "; another certificate serves instead"
                             : "; used anyway, nothing else can serve");
      });
    }
    if (!others_serve) {
      candidates.insert(candidates.end(), off_curve_candidates.begin(), off_curve_candidates.end());
    }
  }
  std::vector<CipherSuite> with_cert;
  for (CipherSuite s : common) {
    if (std::any_of(candidates.begin(), candidates.end(),
                    [&](const Candidate& c) { return c.auth == auth_of(s); })) {
      with_cert.push_back(s);
    }
  }
  if (with_cert.empty()) {
    return Error(ErrorCode::no_common_cipher_suite, "client_hello",
                 "no common cipher suite fits our certificates (" + join_suites(common) + ")");
  }
  std::vector<CipherSuite> usable;
  for (CipherSuite s : with_cert) {
    if (std::any_of(candidates.begin(), candidates.end(), [&](const Candidate& c) {
          return c.auth == auth_of(s) && c.scheme.has_value();
        })) {
      usable.push_back(s);
    }
  }
  if (usable.empty()) {
    if (!offer.signature_schemes) {
      // RFC 5246 §7.4.1.4.1: without signature_algorithms the server must assume
      // {sha1,rsa} / {sha1,ecdsa}; we do not sign with SHA-1.
      return Error(ErrorCode::no_common_signature_scheme, "client_hello",
                   "no signature_algorithms: the RFC 5246 default is SHA-1, which we refuse");
    }
    return Error(ErrorCode::no_common_signature_scheme, "client_hello",
                 "no signature scheme in common for our certificates");
  }

  // Pick the suite.
  auto client_index = [&](CipherSuite s) {
    auto it = std::find(offer.suites.begin(), offer.suites.end(), s);
    return static_cast<size_t>(it - offer.suites.begin());
  };
  if (config.prefer_client_order) {
    size_t best = std::numeric_limits<size_t>::max();
    for (CipherSuite s : usable) {
      if (client_index(s) < best) {
        best = client_index(s);
        sel.suite = s;
      }
    }
    explain([&] {
      return "cipher suite " + std::string(suite_name(sel.suite)) +
             " chosen: first in the client's order that we accept";
    });
  } else {
    const bool chacha_first = !offer.suites.empty() && is_chacha20_suite(offer.suites.front());
    auto server_rank = [&](CipherSuite s) {
      auto it = std::find(config.cipher_suites.begin(), config.cipher_suites.end(), s);
      return static_cast<size_t>(it - config.cipher_suites.begin());
    };
    // With ChaCha20 first in the client's list (typically a device without AES hardware),
    // ChaCha20 joins an equal-preference group with our best AES-GCM suite of the same
    // authentication (BoringSSL's "[AES-GCM|ChaCha20]"); the client's order breaks the tie.
    auto rank = [&](CipherSuite s) {
      size_t r = server_rank(s);
      if (chacha_first && is_chacha20_suite(s)) {
        for (CipherSuite other : config.cipher_suites) {
          auto info = detail::suite_info(other);
          if (info && info->version == ProtocolVersion::tls1_2 && info->auth == auth_of(s) &&
              info->aead != crypto::AeadAlg::chacha20_poly1305) {
            r = std::min(r, server_rank(other));
          }
        }
      }
      return r;
    };
    sel.suite = usable.front();
    for (CipherSuite s : usable) {
      if (rank(s) < rank(sel.suite) ||
          (rank(s) == rank(sel.suite) && client_index(s) < client_index(sel.suite))) {
        sel.suite = s;
      }
    }
    explain([&] {
      return "cipher suite " + std::string(suite_name(sel.suite)) + " chosen: " +
             (chacha_first ? "server preference, ChaCha20 ranked with AES-GCM since "
                             "the client lists it first"
                           : "server preference");
    });
  }

  // Certificate: the first candidate for the suite's authentication that has a scheme.
  const SuiteAuth auth = auth_of(sel.suite);
  for (const Candidate& c : candidates) {
    if (c.auth == auth && c.scheme) {
      sel.certificate_index = c.index;
      sel.scheme = *c.scheme;
      explain([&] {
        return "certificate #" + std::to_string(c.index) + " (" +
               std::string(key_type_name(c.key_type)) + ") chosen" +
               (sel.sni_matched ? ": it names SNI '" + offer.server_name + "'" : std::string());
      });
      explain([&] {
        return "signature scheme " + std::string(signature_scheme_name(sel.scheme)) +
               " chosen: first of ours the client accepts for this key";
      });
      break;
    }
  }

  // Group. RFC 8422 §4: a client may omit supported_groups; "In this case, the server is free
  // to choose any one of the elliptic curves or point formats listed in Section 5." We assume
  // secp256r1 only, the curve every ECC client implements.
  const std::vector<NamedGroup> assumed = {NamedGroup::secp256r1};
  const std::vector<NamedGroup>& client_groups = offer.groups ? *offer.groups : assumed;
  bool found_group = false;
  for (NamedGroup g : config.groups) {
    if (detail::is_supported_group(g, ProtocolVersion::tls1_2) &&
        has(std::span<const NamedGroup>(client_groups), g)) {
      sel.group = g;
      found_group = true;
      break;
    }
  }
  if (!found_group) {
    // RFC 8422 §5.1.1: the server "MUST NOT negotiate the use of an ECC cipher suite" without
    // a common curve, and every suite we implement is ECDHE.
    return Error(ErrorCode::no_common_group, "client_hello", "no ECDHE group in common");
  }
  explain([&] {
    return "group " + std::string(group_name(sel.group)) + " chosen: " +
           (offer.groups ? "first of ours the client supports"
                         : "no supported_groups from the client, assuming secp256r1");
  });

  sel.alpn = HS_TRY(select_alpn(offer.alpn, config));
  if (!sel.alpn.empty()) {
    explain([&] { return "ALPN protocol '" + sel.alpn + "' chosen"; });
  }
  return sel;
}

}  // namespace hs::server12

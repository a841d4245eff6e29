// ScriptedServer13: an in-memory TLS 1.3 server for client tests, built from the messages codec,
// the record layer, the crypto provider and the TLS 1.3 key schedule. It is NOT the product
// server: it does exactly what a test scripts, including what a real server must never do
// (choose a group nobody sent a share for, send two HelloRetryRequests, sign badly), so the
// client's refusals can be asserted with their exact alerts.
#pragma once

#include <gtest/gtest.h>
#include <hs/config.h>
#include <hs/connection.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/wire.h"
#include "crypto/provider.h"
#include "crypto/signature.h"
#include "handshake/common/suites.h"
#include "handshake/common/transcript.h"
#include "keyschedule/tls13_schedule.h"
#include "keyschedule/tls13_transcript.h"
#include "messages/messages.h"
#include "record/handshake_reassembler.h"
#include "record/protection.h"
#include "record/record_decoder.h"
#include "record/record_encoder.h"
#include "unit/handshake/common/client_harness.h"
#include "unit/handshake/common/test_certs.h"

namespace hs::testing {

class ScriptedServer13 {
 public:
  // ---- the script ----
  CipherSuite suite = CipherSuite::TLS_AES_128_GCM_SHA256;
  // group: the key_share group of the ServerHello; nullopt = the group of the client's share.
  std::optional<NamedGroup> group;
  // sh_claims_group: put this group in the ServerHello's key_share entry (with our share of
  // `group`'s key), to script a server choosing a group the client sent no share for.
  std::optional<NamedGroup> sh_claims_group;
  SignatureScheme scheme = SignatureScheme::rsa_pss_rsae_sha256;
  std::vector<messages::Extension> sh_extra_extensions;
  std::vector<messages::Extension> ee_extensions;
  std::optional<std::vector<uint8_t>> session_id_echo;  // default: the client's
  bool empty_certificate = false;
  bool certificate_request = false;
  bool corrupt_signature = false;
  bool corrupt_finished = false;
  bool send_ccs = true;  // middlebox compatibility CCS after the first ServerHello / HRR
  std::vector<uint8_t> hrr_cookie;

  explicit ScriptedServer13(bool ecdsa = false) : provider_(crypto::default_provider()) {
    auto cert = load_server_certificate(ecdsa ? kEcdsaCertPem : kRsaCertPem,
                                        ecdsa ? kEcdsaKeyPem : kRsaKeyPem);
    EXPECT_TRUE(cert.ok()) << (cert.ok() ? "" : cert.error().message());
    cert_ = std::move(cert).value();
    if (ecdsa) {
      scheme = SignatureScheme::ecdsa_secp256r1_sha256;
    }
  }

  const std::vector<CertificateDer>& chain() const { return cert_.chain; }
  const messages::ClientHello& client_hello() const { return hellos_.back(); }
  size_t client_hello_count() const { return hellos_.size(); }
  bool client_finished_ok() const { return client_finished_ok_; }
  const std::vector<ReceivedRecord>& received() const { return received_; }

  // read parses records the client sent, decrypting with the client's keys as they come.
  std::vector<ReceivedRecord> read(std::span<const uint8_t> bytes) {
    std::vector<ReceivedRecord> out;
    pending_bytes_.insert(pending_bytes_.end(), bytes.begin(), bytes.end());
    // Record by record: the client's handshake key applies from its first protected record
    // (outer type application_data); alerts it sends before its second flight are plaintext.
    while (pending_bytes_.size() >= 5) {
      size_t len = static_cast<size_t>(pending_bytes_[3]) * 256 + pending_bytes_[4];
      if (pending_bytes_.size() < 5 + len) {
        break;
      }
      if (pending_bytes_[0] == 23 && pending_read_) {
        decoder_.set_protection(std::move(pending_read_));
      }
      decoder_.feed(std::span(pending_bytes_).first(5 + len));
      pending_bytes_.erase(pending_bytes_.begin(),
                           pending_bytes_.begin() + static_cast<std::ptrdiff_t>(5 + len));
      read_records(out);
    }
    return out;
  }

  void read_records(std::vector<ReceivedRecord>& out) {
    while (true) {
      auto r = decoder_.next();
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
      if (!r.ok() || !r.value()) {
        break;
      }
      record::Record rec = *r.value();
      out.push_back({rec.type, Bytes(rec.fragment.begin(), rec.fragment.end())});
      received_.push_back(out.back());
      if (rec.type == ContentType::handshake) {
        EXPECT_TRUE(reassembler_.add(rec.fragment).ok());
        while (true) {
          auto m = reassembler_.next();
          if (!m.ok() || !m.value()) {
            break;
          }
          Bytes raw(m.value()->raw.begin(), m.value()->raw.end());
          on_client_message(m.value()->type, Bytes(m.value()->body.begin(), m.value()->body.end()),
                            raw);
        }
      }
    }
  }

  // ---- flights ----
  // hello_retry_request asks for `g` (nullopt: no key_share, e.g. cookie only).
  Bytes hello_retry_request(std::optional<NamedGroup> g) {
    messages::ServerHello hrr;
    hrr.random = messages::kHelloRetryRequestRandom;
    hrr.legacy_session_id = client_hello().legacy_session_id;
    hrr.cipher_suite = suite;
    hrr.extensions.push_back(ext(ExtensionType::supported_versions, [](auto& o) {
      return messages::serialize_supported_versions_server(ProtocolVersion::tls1_3, o);
    }));
    if (g) {
      hrr.extensions.push_back(ext(ExtensionType::key_share, [&](auto& o) {
        return messages::serialize_key_share_hrr(*g, o);
      }));
    }
    if (!hrr_cookie.empty()) {
      hrr.extensions.push_back(ext(ExtensionType::cookie, [&](auto& o) {
        return messages::serialize_cookie(hrr_cookie, o);
      }));
    }
    Bytes raw = encode(hrr);
    if (!transcript_.has_hash()) {
      // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash.
      transcript_ = detail::Transcript(provider_, hash());
      transcript_.add(keyschedule::message_hash_of(provider_, hash(), ch1_raw_));
    }
    transcript_.add(raw);
    Bytes out = record(ContentType::handshake, raw);
    if (send_ccs && !ccs_sent_) {
      // RFC 8446 Appendix D.4: "immediately after its first handshake message. This may either
      // be after a ServerHello or a HelloRetryRequest."
      ccs_sent_ = true;
      append(out, record(ContentType::change_cipher_spec, Bytes{1}));
    }
    return out;
  }

  // server_hello answers the latest ClientHello and switches to the handshake keys.
  Bytes server_hello() {
    const messages::ClientHello& ch = client_hello();
    auto shares_ext = messages::find_extension(ch.extensions, ExtensionType::key_share);
    EXPECT_NE(shares_ext, nullptr);
    auto shares = messages::parse_key_share_client(shares_ext->data);
    EXPECT_TRUE(shares.ok() && !shares->empty());
    NamedGroup g = group.value_or(shares->front().group);
    auto my_share = provider_.generate_key_share(g);
    EXPECT_TRUE(my_share.ok());
    SecretBytes shared;
    for (const auto& s : *shares) {
      if (s.group == g) {
        auto d = my_share.value()->derive(s.key_exchange);
        EXPECT_TRUE(d.ok());
        shared = std::move(d).value();
      }
    }
    if (shared.empty()) {
      shared = SecretBytes(32);  // the client will refuse before using it
    }
    messages::ServerHello sh;
    for (size_t i = 0; i < 32; ++i) {
      sh.random[i] = static_cast<uint8_t>(0x60 + i);
    }
    sh.legacy_session_id = session_id_echo.value_or(ch.legacy_session_id);
    sh.cipher_suite = suite;
    sh.extensions.push_back(ext(ExtensionType::supported_versions, [](auto& o) {
      return messages::serialize_supported_versions_server(ProtocolVersion::tls1_3, o);
    }));
    messages::KeyShareEntry entry{sh_claims_group.value_or(g), {}};
    auto pub = my_share.value()->public_key();
    entry.key_exchange.assign(pub.begin(), pub.end());
    sh.extensions.push_back(ext(ExtensionType::key_share, [&](auto& o) {
      return messages::serialize_key_share_server(entry, o);
    }));
    for (const auto& e : sh_extra_extensions) {
      sh.extensions.push_back(e);
    }
    Bytes raw = encode(sh);
    if (!transcript_.has_hash()) {
      transcript_ = detail::Transcript(provider_, hash());
      transcript_.add(ch1_raw_);
    }
    transcript_.add(raw);
    Bytes out = record(ContentType::handshake, raw);
    if (send_ccs && !ccs_sent_) {
      // RFC 8446 Appendix D.4: "immediately after its first handshake message. This may either
      // be after a ServerHello or a HelloRetryRequest."
      ccs_sent_ = true;
      append(out, record(ContentType::change_cipher_spec, Bytes{1}));
    }

    auto hs = keyschedule::HandshakeSecret::derive(
        keyschedule::EarlySecret::make(provider_, hash()), shared.expose());
    EXPECT_TRUE(hs.ok());
    auto th = transcript_.current();
    client_hs_.emplace(std::move(hs->client_handshake_traffic_secret(th)).value());
    server_hs_.emplace(std::move(hs->server_handshake_traffic_secret(th)).value());
    hs_secret_.emplace(std::move(hs).value());
    encoder_.set_protection(protection(*server_hs_));
    pending_read_ = protection(*client_hs_);
    return out;
  }

  Bytes encrypted_extensions() {
    messages::EncryptedExtensions ee;
    ee.extensions = ee_extensions;
    return handshake(encode(ee));
  }
  Bytes certificate_request_msg() {
    messages::CertificateRequest13 cr;
    cr.extensions.push_back(ext(ExtensionType::signature_algorithms, [](auto& o) {
      return messages::serialize_signature_algorithms({SignatureScheme::ecdsa_secp256r1_sha256}, o);
    }));
    return handshake(encode(cr));
  }
  Bytes certificate() {
    messages::Certificate13 c;
    if (!empty_certificate) {
      for (const auto& der : cert_.chain) {
        c.entries.push_back({der, {}});
      }
    }
    return handshake(encode(c));
  }
  Bytes certificate_verify() {
    std::string_view context = "TLS 1.3, server CertificateVerify";
    Bytes content(64, 0x20);
    content.insert(content.end(), context.begin(), context.end());
    content.push_back(0);
    auto th = transcript_.current();
    content.insert(content.end(), th.begin(), th.end());
    auto info = crypto::scheme_info(scheme);
    EXPECT_TRUE(info.has_value());
    auto sig = cert_.key->sign(info->alg, content);
    EXPECT_TRUE(sig.ok());
    messages::CertificateVerify cv{scheme, std::move(sig).value()};
    if (corrupt_signature) {
      cv.signature[cv.signature.size() / 2] ^= 0x01;
    }
    return handshake(encode(cv));
  }
  Bytes finished() {
    auto vd = keyschedule::finished_verify_data13(provider_, *server_hs_, transcript_.current());
    EXPECT_TRUE(vd.ok());
    messages::Finished f{declassify(vd->expose())};
    if (corrupt_finished) {
      f.verify_data[0] ^= 0x80;
    }
    Bytes out = handshake(encode(f));
    // Application traffic secrets over ClientHello...server Finished.
    auto master = keyschedule::MasterSecret::derive(std::move(*hs_secret_));
    EXPECT_TRUE(master.ok());
    auto th = transcript_.current();
    client_app_.emplace(std::move(master->client_application_traffic_secret_0(th)).value());
    server_app_.emplace(std::move(master->server_application_traffic_secret_0(th)).value());
    master_.emplace(std::move(master).value());
    encoder_.set_protection(protection(*server_app_));
    return out;
  }
  // flight: EncryptedExtensions, [CertificateRequest], Certificate, CertificateVerify, Finished,
  // one record each.
  Bytes flight() {
    Bytes out = encrypted_extensions();
    if (certificate_request) {
      append(out, certificate_request_msg());
    }
    append(out, certificate());
    append(out, certificate_verify());
    append(out, finished());
    return out;
  }

  Bytes new_session_ticket() {
    messages::NewSessionTicket13 t;
    t.lifetime = 7200;
    t.age_add = 0x01020304;
    t.nonce = {0};
    t.ticket = {1, 2, 3, 4, 5};
    return record(ContentType::handshake, encode(t));
  }
  // key_update sends a KeyUpdate under the current key, then switches ours.
  Bytes key_update(bool request) {
    messages::KeyUpdate ku{request ? messages::KeyUpdateRequest::update_requested
                                   : messages::KeyUpdateRequest::update_not_requested};
    Bytes out = record(ContentType::handshake, encode(ku));
    auto next = keyschedule::next_application_traffic_secret(provider_, *server_app_);
    EXPECT_TRUE(next.ok());
    server_app_.emplace(std::move(next).value());
    encoder_.set_protection(protection(*server_app_));
    return out;
  }
  Bytes app_data(std::string_view text) {
    return record(ContentType::application_data, Bytes(text.begin(), text.end()));
  }
  Bytes alert(AlertLevel level, AlertDescription d) {
    return record(ContentType::alert, Bytes{static_cast<uint8_t>(level), static_cast<uint8_t>(d)});
  }
  // padded_app_data seals `text` as application data with `padding` zero bytes after the inner
  // content type (RFC 8446 §5.4), under the current application key and sequence number.
  Bytes padded_app_data(std::string_view text, size_t padding) {
    auto p = protection(*server_app_);
    p->dangerous_set_sequence_number(encoder_.protection().sequence_number());
    Bytes out;
    EXPECT_TRUE(static_cast<record::Tls13AeadProtection&>(*p)
                    .seal_with_padding(ContentType::application_data,
                                       Bytes(text.begin(), text.end()), padding, out)
                    .ok());
    encoder_.set_protection(std::move(p));
    return out;
  }
  // protected_ccs is a ChangeCipherSpec sealed under the current key (never legal in TLS 1.3).
  Bytes protected_ccs() {
    Bytes out;
    EXPECT_TRUE(encoder_.write(ContentType::change_cipher_spec, Bytes{1}, out).ok());
    return out;
  }
  // handshake adds `raw` to the transcript and frames it under the current key.
  Bytes handshake(const Bytes& raw) {
    transcript_.add(raw);
    return record(ContentType::handshake, raw);
  }
  Bytes record(ContentType type, std::span<const uint8_t> payload) {
    Bytes out;
    if (type == ContentType::change_cipher_spec) {
      // Always a TLSPlaintext record (RFC 8446 §5), whatever our write key.
      return ScriptedServer::raw_record(20, payload);
    }
    EXPECT_TRUE(encoder_.write(type, payload, out).ok());
    return out;
  }

  template <typename M>
  static Bytes encode(const M& m) {
    Bytes out;
    EXPECT_TRUE(messages::serialize_message(m, out).ok());
    return out;
  }
  template <typename F>
  static messages::Extension ext(ExtensionType type, F&& f) {
    auto e = messages::make_extension(type, std::forward<F>(f));
    EXPECT_TRUE(e.ok());
    return std::move(e).value();
  }
  static void append(Bytes& out, const Bytes& more) {
    out.insert(out.end(), more.begin(), more.end());
  }

 private:
  crypto::HashAlg hash() const { return detail::suite_info(suite)->hash; }
  std::unique_ptr<record::RecordProtection> protection(const keyschedule::TrafficSecret& s) {
    auto aead = detail::suite_info(suite)->aead;
    auto keys = keyschedule::traffic_keys(provider_, s, aead);
    EXPECT_TRUE(keys.ok());
    auto p = record::make_tls13_protection(provider_, aead, keys->key.expose(), keys->iv.expose());
    EXPECT_TRUE(p.ok());
    return std::move(p).value();
  }

  void on_client_message(HandshakeType type, const Bytes& body, const Bytes& raw) {
    if (type == HandshakeType::client_hello) {
      auto ch = messages::parse_client_hello(body);
      EXPECT_TRUE(ch.ok());
      hellos_.push_back(ch.value());
      if (hellos_.size() == 1) {
        ch1_raw_ = raw;
      } else {
        transcript_.add(raw);
      }
    } else if (type == HandshakeType::certificate) {
      transcript_.add(raw);
    } else if (type == HandshakeType::finished) {
      auto vd = keyschedule::finished_verify_data13(provider_, *client_hs_, transcript_.current());
      EXPECT_TRUE(vd.ok());
      client_finished_ok_ = body == declassify(vd->expose());
      transcript_.add(raw);
      decoder_.set_protection(protection(*client_app_));
    } else if (type == HandshakeType::key_update) {
      auto next = keyschedule::next_application_traffic_secret(provider_, *client_app_);
      EXPECT_TRUE(next.ok());
      client_app_.emplace(std::move(next).value());
      decoder_.set_protection(protection(*client_app_));
    } else {
      ADD_FAILURE() << "unexpected client message " << static_cast<int>(type);
    }
  }

  const crypto::Provider& provider_;
  ServerCertificate cert_;
  record::RecordDecoder decoder_;
  record::RecordEncoder encoder_;
  record::HandshakeReassembler reassembler_;
  Bytes pending_bytes_;
  std::unique_ptr<record::RecordProtection> pending_read_;
  detail::Transcript transcript_;
  Bytes ch1_raw_;
  std::vector<messages::ClientHello> hellos_;
  std::vector<ReceivedRecord> received_;
  std::optional<keyschedule::HandshakeSecret> hs_secret_;
  std::optional<keyschedule::MasterSecret> master_;
  std::optional<keyschedule::TrafficSecret> client_hs_, server_hs_, client_app_, server_app_;
  bool client_finished_ok_ = false;
  bool ccs_sent_ = false;
};

// tls13_config is a client config offering TLS 1.3 and 1.2 that skips verification (as curl -k).
inline std::shared_ptr<ClientConfig> tls13_config() {
  auto c = std::make_shared<ClientConfig>();
  c->dangerous_skip_verification = true;
  return c;
}

// Harness13: one hs::Connection client wired to a ScriptedServer13 in memory.
struct Harness13 {
  explicit Harness13(std::shared_ptr<ClientConfig> config = tls13_config(), bool ecdsa = false)
      : server(ecdsa), config_(std::move(config)) {
    auto c = Connection::client(config_, "localhost", &observer);
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message());
    client = std::move(c).value();
    from_client();
  }

  std::vector<ReceivedRecord> from_client() {
    auto out = client->output();
    auto records = server.read(out);
    client->consume_output(out.size());
    return records;
  }
  Result<void> to_client(const Bytes& bytes) { return client->receive(bytes); }

  // handshake runs a whole successful handshake.
  void handshake() {
    auto r = to_client(server.server_hello());
    ASSERT_TRUE(r.ok()) << r.error().message();
    r = to_client(server.flight());
    ASSERT_TRUE(r.ok()) << r.error().message();
    ASSERT_TRUE(client->is_connected());
    from_client();
    ASSERT_TRUE(server.client_finished_ok());
  }

  // expect_refusal delivers `bytes`, expects `code`, and that the client sent `alert`.
  void expect_refusal(const Bytes& bytes, ErrorCode code, AlertDescription alert) {
    auto r = to_client(bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(error_code_name(r.error().code()), error_code_name(code)) << r.error().message();
    EXPECT_TRUE(client->failed());
    auto sent = from_client();
    auto a = last_alert(sent);
    ASSERT_TRUE(a.has_value()) << "no alert sent";
    EXPECT_EQ(alert_name(*a), alert_name(alert));
    ASSERT_FALSE(sent.empty());
    EXPECT_EQ(sent.back().type, ContentType::alert);
    EXPECT_EQ(sent.back().data[0], static_cast<uint8_t>(AlertLevel::fatal));
  }

  RecordingObserver observer;
  ScriptedServer13 server;
  std::shared_ptr<ClientConfig> config_;
  std::unique_ptr<Connection> client;
};

}  // namespace hs::testing

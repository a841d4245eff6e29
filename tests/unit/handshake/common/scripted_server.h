// ScriptedServer: an in-memory TLS 1.2 server for client tests, built from the messages codec,
// the record layer, the crypto provider and the key schedule. It is NOT the product server: it
// does exactly what a test scripts, including what a real server must never do (pick a suite
// nobody offered, sign badly, send CCS twice), so the client's refusals can be asserted.
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
#include "keyschedule/tls12_keys.h"
#include "messages/messages.h"
#include "record/handshake_reassembler.h"
#include "record/record_decoder.h"
#include "record/record_encoder.h"
#include "unit/handshake/common/test_certs.h"

namespace hs::testing {

using Bytes = std::vector<uint8_t>;

// ReceivedRecord is one record the client sent, after the fixture removed its protection.
struct ReceivedRecord {
  ContentType type;
  Bytes data;
};

class ScriptedServer {
 public:
  // The script: fill these before calling the flight builders.
  CipherSuite suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  NamedGroup group = NamedGroup::x25519;
  // ske_group, when set, is the group the ServerKeyExchange names instead of `group` (whose key
  // it still carries).
  std::optional<NamedGroup> ske_group;
  SignatureScheme scheme = SignatureScheme::rsa_pss_rsae_sha256;
  ProtocolVersion version = ProtocolVersion::tls1_2;
  bool send_ems = true;
  bool send_reneg = true;
  bool send_ticket_ext = false;
  std::string alpn;                                   // sent when non-empty
  std::vector<messages::Extension> extra_extensions;  // appended to the ServerHello
  bool corrupt_signature = false;
  bool corrupt_finished = false;

  explicit ScriptedServer(bool ecdsa = false) : provider_(crypto::default_provider()) {
    auto cert = load_server_certificate(ecdsa ? kEcdsaCertPem : kRsaCertPem,
                                        ecdsa ? kEcdsaKeyPem : kRsaKeyPem);
    EXPECT_TRUE(cert.ok()) << (cert.ok() ? "" : cert.error().message());
    cert_ = std::move(cert).value();
    if (ecdsa) {
      suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
      scheme = SignatureScheme::ecdsa_secp256r1_sha256;
    }
  }

  const std::vector<CertificateDer>& chain() const { return cert_.chain; }

  // read parses records the client sent (its output()), decrypting once the client's CCS was
  // seen and keys exist. Handshake messages are added to the transcript.
  std::vector<ReceivedRecord> read(std::span<const uint8_t> bytes) {
    std::vector<ReceivedRecord> out;
    decoder_.feed(bytes);
    while (true) {
      auto r = decoder_.next();
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
      if (!r.ok() || !r.value()) {
        break;
      }
      record::Record rec = *r.value();
      out.push_back({rec.type, Bytes(rec.fragment.begin(), rec.fragment.end())});
      if (rec.type == ContentType::handshake) {
        EXPECT_TRUE(reassembler_.add(rec.fragment).ok());
        while (true) {
          auto m = reassembler_.next();
          if (!m.ok() || !m.value()) {
            break;
          }
          on_client_message(m.value()->type, m.value()->body, m.value()->raw);
        }
      } else if (rec.type == ContentType::change_cipher_spec && client_write_) {
        decoder_.set_protection(std::move(client_write_));
      }
    }
    return out;
  }

  // ---- messages ----
  messages::ServerHello server_hello_msg() {
    messages::ServerHello sh;
    sh.legacy_version = version;
    for (size_t i = 0; i < 32; ++i) {
      sh.random[i] = static_cast<uint8_t>(0x40 + i);
    }
    server_random_ = sh.random;
    sh.cipher_suite = suite;
    if (send_reneg) {
      sh.extensions.push_back({ExtensionType::renegotiation_info, {0}});
    }
    if (send_ems) {
      sh.extensions.push_back({ExtensionType::extended_master_secret, {}});
    }
    if (send_ticket_ext) {
      sh.extensions.push_back({ExtensionType::session_ticket, {}});
    }
    if (!alpn.empty()) {
      messages::Extension e{ExtensionType::application_layer_protocol_negotiation, {}};
      EXPECT_TRUE(messages::serialize_alpn_server(alpn, e.data).ok());
      sh.extensions.push_back(e);
    }
    for (const auto& e : extra_extensions) {
      sh.extensions.push_back(e);
    }
    return sh;
  }
  Bytes server_hello() { return encode(server_hello_msg()); }
  Bytes certificate() {
    messages::Certificate12 c;
    c.chain = cert_.chain;
    return encode(c);
  }
  Bytes server_key_exchange() {
    auto share = provider_.generate_key_share(group);
    EXPECT_TRUE(share.ok());
    share_ = std::move(share).value();
    messages::ServerKeyExchangeEcdhe ske;
    ske.group = ske_group.value_or(group);
    auto pub = share_->public_key();
    ske.public_key.assign(pub.begin(), pub.end());
    ske.scheme = scheme;
    auto content = messages::ske_signed_content(client_random_, server_random_, ske);
    auto alg = crypto::scheme_algorithm(scheme);
    EXPECT_TRUE(alg.has_value());
    auto sig = cert_.key->sign(alg.value_or(crypto::SignatureAlgorithm::rsa_pss_sha256), content);
    EXPECT_TRUE(sig.ok());
    ske.signature = std::move(sig).value();
    if (corrupt_signature) {
      ske.signature[ske.signature.size() / 2] ^= 0x01;
    }
    return encode(ske);
  }
  Bytes server_hello_done() { return encode(messages::ServerHelloDone{}); }
  Bytes new_session_ticket() {
    messages::NewSessionTicket12 t;
    t.lifetime_hint = 7200;
    t.ticket = {1, 2, 3, 4};
    return encode(t);
  }
  Bytes finished() {
    auto vd = keyschedule::finished_verify_data12(provider_, hash(), master_.expose(),
                                                  keyschedule::Sender::server, transcript_hash());
    EXPECT_TRUE(vd.ok());
    messages::Finished f;
    f.verify_data = declassify(vd->expose());
    if (corrupt_finished) {
      f.verify_data[0] ^= 0x80;
    }
    return encode(f);
  }

  // ---- records ----
  // record frames `payload` as one record under the current write protection.
  Bytes record(ContentType type, std::span<const uint8_t> payload) {
    Bytes out;
    EXPECT_TRUE(encoder_.write(type, payload, out).ok());
    return out;
  }
  // raw_record frames without protection and without the encoder's checks (for malformed
  // records: oversized, empty, bad version).
  static Bytes raw_record(uint8_t type, std::span<const uint8_t> payload,
                          uint16_t version = 0x0303) {
    Bytes out = {type, static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version),
                 static_cast<uint8_t>(payload.size() >> 8), static_cast<uint8_t>(payload.size())};
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
  }
  Bytes handshake_record(const Bytes& raw) {
    transcript_.add(raw);
    return record(ContentType::handshake, raw);
  }
  Bytes ccs() {
    Bytes out = record(ContentType::change_cipher_spec, Bytes{1});
    if (server_write_) {
      encoder_.set_protection(std::move(server_write_));
    }
    return out;
  }
  Bytes alert(AlertLevel level, AlertDescription d) {
    Bytes body = {static_cast<uint8_t>(level), static_cast<uint8_t>(d)};
    return record(ContentType::alert, body);
  }
  Bytes app_data(std::string_view text) {
    Bytes body(text.begin(), text.end());
    return record(ContentType::application_data, body);
  }

  // first_flight: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone, one record each.
  Bytes first_flight() {
    Bytes out = handshake_record(server_hello());
    append(out, handshake_record(certificate()));
    append(out, handshake_record(server_key_exchange()));
    append(out, handshake_record(server_hello_done()));
    return out;
  }
  // final_flight: [NewSessionTicket], ChangeCipherSpec, Finished.
  Bytes final_flight() {
    Bytes out;
    if (send_ticket_ext) {
      out = handshake_record(new_session_ticket());
    }
    append(out, ccs());
    append(out, handshake_record(finished()));
    return out;
  }

  bool client_finished_ok() const { return client_finished_ok_; }
  bool have_keys() const { return !master_.empty(); }
  const std::array<uint8_t, 32>& client_random() const { return client_random_; }
  const messages::ClientHello& client_hello() const { return client_hello_; }

  static void append(Bytes& out, const Bytes& more) {
    out.insert(out.end(), more.begin(), more.end());
  }

 private:
  template <typename M>
  static Bytes encode(const M& m) {
    Bytes out;
    EXPECT_TRUE(messages::serialize_message(m, out).ok());
    return out;
  }
  crypto::HashAlg hash() const { return detail::suite_info(suite)->hash; }
  Bytes transcript_hash() {
    if (!transcript_.has_hash()) {
      EXPECT_TRUE(transcript_.set_hash(provider_, hash()).ok());
    }
    return transcript_.current();
  }

  void on_client_message(HandshakeType type, std::span<const uint8_t> body,
                         std::span<const uint8_t> raw) {
    if (type == HandshakeType::client_hello) {
      auto ch = messages::parse_client_hello(body);
      EXPECT_TRUE(ch.ok());
      client_hello_ = ch.value();
      client_random_ = client_hello_.random;
      transcript_.add(raw);
    } else if (type == HandshakeType::client_key_exchange) {
      auto cke = messages::parse_client_key_exchange_ecdhe(body);
      EXPECT_TRUE(cke.ok());
      transcript_.add(raw);
      auto pms = share_->derive(cke->public_key);
      EXPECT_TRUE(pms.ok());
      // Without the extension (send_ems off) the master secret is RFC 5246 §8.1's, as a legacy
      // server derives it.
      auto ms = send_ems ? keyschedule::extended_master_secret(provider_, hash(), pms->expose(),
                                                               transcript_hash())
                         : keyschedule::master_secret(provider_, hash(), pms->expose(),
                                                      client_random_, server_random_);
      EXPECT_TRUE(ms.ok());
      master_ = std::move(ms).value();
      auto info = *detail::suite_info(suite);
      auto kb = keyschedule::key_block(provider_, hash(), info.aead, master_.expose(),
                                       client_random_, server_random_);
      EXPECT_TRUE(kb.ok());
      client_write_ = std::move(record::make_tls12_protection(provider_, info.aead,
                                                              kb->client_write_key.expose(),
                                                              kb->client_write_iv.expose()))
                          .value();
      server_write_ = std::move(record::make_tls12_protection(provider_, info.aead,
                                                              kb->server_write_key.expose(),
                                                              kb->server_write_iv.expose()))
                          .value();
    } else if (type == HandshakeType::finished) {
      auto vd = keyschedule::finished_verify_data12(provider_, hash(), master_.expose(),
                                                    keyschedule::Sender::client, transcript_hash());
      EXPECT_TRUE(vd.ok());
      Bytes expected = declassify(vd->expose());
      client_finished_ok_ = Bytes(body.begin(), body.end()) == expected;
      transcript_.add(raw);
    } else {
      ADD_FAILURE() << "unexpected client message " << static_cast<int>(type);
    }
  }

  const crypto::Provider& provider_;
  ServerCertificate cert_;
  record::RecordDecoder decoder_;
  record::RecordEncoder encoder_;
  record::HandshakeReassembler reassembler_;
  detail::Transcript transcript_;
  messages::ClientHello client_hello_;
  std::array<uint8_t, 32> client_random_{};
  std::array<uint8_t, 32> server_random_{};
  std::unique_ptr<crypto::KeyShare> share_;
  SecretBytes master_;
  std::unique_ptr<record::RecordProtection> client_write_;
  std::unique_ptr<record::RecordProtection> server_write_;
  bool client_finished_ok_ = false;
};

// insecure_config is a client config that skips verification (as curl -k). It offers TLS 1.2
// only: ScriptedServer is a TLS 1.2 server, and the TLS 1.2 client tests assert a TLS 1.2-only
// ClientHello (the TLS 1.3 client has its own fixture in tests/unit/handshake/client13/).
inline std::shared_ptr<ClientConfig> insecure_config() {
  auto c = std::make_shared<ClientConfig>();
  c->max_version = ProtocolVersion::tls1_2;
  c->dangerous_skip_verification = true;
  return c;
}

// last_alert returns the description of the last alert record among `records`.
inline std::optional<AlertDescription> last_alert(const std::vector<ReceivedRecord>& records) {
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    if (it->type == ContentType::alert && it->data.size() == 2) {
      return static_cast<AlertDescription>(it->data[1]);
    }
  }
  return std::nullopt;
}

}  // namespace hs::testing

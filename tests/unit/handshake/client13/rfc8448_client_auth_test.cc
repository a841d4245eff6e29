// RFC 8448 §6 ("Client Authentication") byte for byte: our TLS 1.3 client, given the RFC's
// client random and x25519 private key, sends the RFC's ClientHello, accepts the RFC's server
// flight (with its CertificateRequest), and answers with the RFC's Certificate,
// CertificateVerify and Finished; the key log carries the RFC's secrets and the resumption
// master secret is the RFC's.
//
// The RFC's client puts its three messages in one record; ours writes one record per handshake
// message (RFC 8446 §5.1 allows both). So the messages are compared byte for byte as they enter
// the record layer, and the first record (our Certificate, sequence number 0 under the client
// handshake key, as the RFC's record) must be the RFC's record up to where the plaintexts part:
// AES-GCM under the same key and nonce turns the same plaintext prefix into the same ciphertext
// prefix.
//
// The ClientHello is made the RFC's with client::TestHooks, as in the §3 test (rfc8448_test.cc,
// which explains why). The client's CertificateVerify is RSASSA-PSS, whose salt is random, and
// the RFC does not publish its client's private key: ReplaySigner, the client certificate's
// "private key" here, answers the signing request with the RFC's signature only after checking
// with the certificate's public key that this signature verifies over the exact content our
// client asked to sign. That content is 64 spaces, the client context string and the transcript
// hash through our Certificate, so the check proves our transcript and Certificate are the RFC's;
// every byte after it is then our unmodified client.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>

#include "connection/connection_impl.h"
#include "crypto/openssl/openssl_provider.h"
#include "crypto/signature.h"
#include "handshake/client/client.h"
#include "messages/messages.h"
#include "x509/certificate.h"

namespace hs::testing {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes from_hex(std::string_view hex) {
  Bytes out;
  int hi = -1;
  for (char c : hex) {
    int v = -1;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    }
    if (v < 0) {
      continue;
    }
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

Bytes vector_file(const std::string& name) {
  std::ifstream in(std::string(HS_SOURCE_DIR) + "/tests/vectors/rfc8448/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return from_hex(ss.str());
}

// ScriptedRandomProvider is libcrypto with random() handing out scripted bytes: the RFC's
// client random, then the RFC's x25519 private key.
class ScriptedRandomProvider : public crypto::OpenSslProvider {
 public:
  void push(const Bytes& bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.insert(queue_.end(), bytes.begin(), bytes.end());
  }
  Result<void> random(std::span<uint8_t> out) const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() < out.size()) {
      ADD_FAILURE() << "the client drew more random bytes than the RFC's";
      return Error(ErrorCode::internal_error, "random");
    }
    for (uint8_t& b : out) {
      b = queue_.front();
      queue_.pop_front();
    }
    return ok_result();
  }
  size_t left() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.size();
  }

 private:
  mutable std::mutex mu_;
  mutable std::deque<uint8_t> queue_;
};

class RecordingKeyLog : public KeyLogSink {
 public:
  void log(std::string_view label, std::span<const uint8_t> /*client_random*/,
           std::span<const uint8_t> secret) override {
    entries.emplace_back(std::string(label), Bytes(secret.begin(), secret.end()));
  }
  std::optional<Bytes> find(std::string_view label) const {
    for (const auto& [l, s] : entries) {
      if (l == label) {
        return s;
      }
    }
    return std::nullopt;
  }
  std::vector<std::pair<std::string, Bytes>> entries;
};

// ReplaySigner: see the file comment. sign() fails (and the test with it) unless the RFC's
// signature verifies over `message` under the client certificate's public key.
class ReplaySigner final : public crypto::PrivateKey {
 public:
  ReplaySigner(std::unique_ptr<crypto::PublicKey> key, Bytes spki, SignatureScheme scheme,
               Bytes signature)
      : key_(std::move(key)),
        spki_(std::move(spki)),
        scheme_(scheme),
        signature_(std::move(signature)) {}
  crypto::KeyType type() const override { return key_->type(); }
  size_t bits() const override { return key_->bits(); }
  bool can_sign(crypto::SignatureAlgorithm alg) const override {
    return alg == crypto::scheme_info(scheme_)->alg;
  }
  Result<std::vector<uint8_t>> sign(crypto::SignatureAlgorithm alg,
                                    std::span<const uint8_t> message) const override {
    ++calls;
    EXPECT_EQ(alg, crypto::scheme_info(scheme_)->alg);
    if (!key_->verify(alg, message, signature_)) {
      ADD_FAILURE() << "the RFC's client signature does not cover what our client signs";
      return Error(ErrorCode::internal_error, "replay signer");
    }
    return signature_;
  }
  std::vector<uint8_t> public_key_info() const override { return spki_; }
  mutable int calls = 0;

 private:
  std::unique_ptr<crypto::PublicKey> key_;
  Bytes spki_;
  SignatureScheme scheme_;
  Bytes signature_;
};

// SentMessages keeps the handshake messages the client writes, as they enter the record layer.
class SentMessages final : public Observer {
 public:
  void on_event(const Event& event) override {
    if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
      if (m->direction == Direction::out && m->content_type == 22) {
        messages.emplace_back(m->bytes.begin(), m->bytes.end());
      }
    }
  }
  std::vector<Bytes> messages;
};

Bytes take_output(detail::ConnectionImpl& conn) {
  auto out = conn.output();
  Bytes bytes(out.begin(), out.end());
  conn.consume_output(out.size());
  return bytes;
}

TEST(Client13Rfc8448, ClientAuthenticationByteForByte) {
  const Bytes rfc_client_hello = vector_file("s6_client_hello.hex");
  ASSERT_EQ(rfc_client_hello.size(), 192u);
  auto rfc_hello = messages::parse_client_hello(std::span(rfc_client_hello).subspan(4));
  ASSERT_TRUE(rfc_hello.ok());

  ScriptedRandomProvider provider;
  provider.push(Bytes(rfc_hello->random.begin(), rfc_hello->random.end()));
  provider.push(vector_file("s6_client_x25519_private.hex"));

  // The client's certificate and the RFC's CertificateVerify, from the RFC's messages.
  const Bytes rfc_cert_msg = vector_file("s6_client_certificate.hex");
  auto rfc_cert = messages::parse_certificate13(std::span(rfc_cert_msg).subspan(4));
  ASSERT_TRUE(rfc_cert.ok());
  ASSERT_EQ(rfc_cert->entries.size(), 1u);
  const Bytes rfc_cv_msg = vector_file("s6_client_certificate_verify.hex");
  auto rfc_cv = messages::parse_certificate_verify(std::span(rfc_cv_msg).subspan(4));
  ASSERT_TRUE(rfc_cv.ok());
  EXPECT_EQ(rfc_cv->scheme, SignatureScheme::rsa_pss_rsae_sha256);
  auto leaf = x509::parse_certificate(rfc_cert->entries[0].cert_data);
  ASSERT_TRUE(leaf.ok());
  auto leaf_key = provider.parse_public_key(leaf->spki_raw);
  ASSERT_TRUE(leaf_key.ok());
  auto signer = std::make_shared<ReplaySigner>(std::move(leaf_key).value(), leaf->spki_raw,
                                               rfc_cv->scheme, rfc_cv->signature);

  auto key_log = std::make_shared<RecordingKeyLog>();
  auto config = std::make_shared<ClientConfig>();
  config->min_version = ProtocolVersion::tls1_3;
  config->max_version = ProtocolVersion::tls1_3;
  config->cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256,
                           CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                           CipherSuite::TLS_AES_256_GCM_SHA384};
  // The RFC's server certificate is self-signed: verification off (the CertificateVerify
  // signature is still checked).
  config->dangerous_skip_verification = true;
  config->client_certificate = CertifiedKey{{rfc_cert->entries[0].cert_data}, signer, {}};
  config->key_log = key_log;
  config->provider = &provider;

  client::TestHooks hooks;
  hooks.middlebox_compat = false;
  bool edited = false;
  hooks.edit_client_hello = [&](messages::ClientHello& hello) {
    edited = true;
    EXPECT_EQ(hello.random, rfc_hello->random);
    EXPECT_TRUE(hello.legacy_session_id.empty());
    EXPECT_EQ(hello.cipher_suites, rfc_hello->cipher_suites);
    for (ExtensionType t : {ExtensionType::key_share, ExtensionType::supported_versions,
                            ExtensionType::server_name}) {
      const auto* ours = messages::find_extension(hello.extensions, t);
      const auto* theirs = messages::find_extension(rfc_hello->extensions, t);
      ASSERT_NE(ours, nullptr) << static_cast<int>(t);
      ASSERT_NE(theirs, nullptr) << static_cast<int>(t);
      EXPECT_EQ(ours->data, theirs->data) << static_cast<int>(t);
    }
    hello.extensions = rfc_hello->extensions;
  };
  auto driver_owned = client::make_client_driver_for_testing(config, "server", hooks);
  client::Driver* driver = driver_owned.get();
  SentMessages sent;
  detail::ConnectionImpl conn(true, provider, key_log, std::move(driver_owned), &sent);
  ASSERT_TRUE(conn.start().ok());
  ASSERT_TRUE(edited);
  EXPECT_EQ(provider.left(), 0u);

  // {client} send handshake record (the ClientHello).
  Bytes expected_ch = {0x16, 0x03, 0x01, 0x00, static_cast<uint8_t>(rfc_client_hello.size())};
  expected_ch.insert(expected_ch.end(), rfc_client_hello.begin(), rfc_client_hello.end());
  EXPECT_EQ(take_output(conn), expected_ch);

  // {server} ServerHello, then EncryptedExtensions, CertificateRequest, Certificate,
  // CertificateVerify, Finished in one encrypted record.
  const Bytes sh = vector_file("s6_server_hello.hex");
  Bytes sh_record = {0x16, 0x03, 0x03, 0x00, static_cast<uint8_t>(sh.size())};
  sh_record.insert(sh_record.end(), sh.begin(), sh.end());
  auto r = conn.receive(sh_record);
  ASSERT_TRUE(r.ok()) << r.error().message();
  r = conn.receive(vector_file("s6_server_flight_record.hex"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(conn.is_connected());
  EXPECT_EQ(signer->calls, 1);

  // {client} construct a Certificate / CertificateVerify / Finished: byte for byte.
  ASSERT_EQ(sent.messages.size(), 4u);  // ClientHello, Certificate, CertificateVerify, Finished
  EXPECT_EQ(sent.messages[1], rfc_cert_msg);
  EXPECT_EQ(sent.messages[2], rfc_cv_msg);
  EXPECT_EQ(sent.messages[3], vector_file("s6_client_finished.hex"));

  // {client} send handshake record: our first record carries the Certificate alone, so it is
  // the RFC's record (content type, version, then ciphertext) through the Certificate's bytes.
  const Bytes ours = take_output(conn);
  const Bytes rfc_record = vector_file("s6_client_flight_record.hex");
  ASSERT_EQ(rfc_record.size(), 645u);
  const size_t cert_len = rfc_cert_msg.size();
  const size_t first_record = 5 + cert_len + 1 + 16;  // header, Certificate, type, tag
  ASSERT_GT(ours.size(), first_record);
  EXPECT_EQ(Bytes(ours.begin(), ours.begin() + 3),
            Bytes(rfc_record.begin(), rfc_record.begin() + 3));
  EXPECT_EQ(Bytes(ours.begin() + 5, ours.begin() + 5 + static_cast<long>(cert_len)),
            Bytes(rfc_record.begin() + 5, rfc_record.begin() + 5 + static_cast<long>(cert_len)));

  EXPECT_EQ(key_log->find("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
            vector_file("s6_client_handshake_traffic_secret.hex"));
  EXPECT_EQ(key_log->find("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
            vector_file("s6_server_handshake_traffic_secret.hex"));
  EXPECT_EQ(key_log->find("CLIENT_TRAFFIC_SECRET_0"),
            vector_file("s6_client_application_traffic_secret_0.hex"));
  EXPECT_EQ(key_log->find("SERVER_TRAFFIC_SECRET_0"),
            vector_file("s6_server_application_traffic_secret_0.hex"));
  EXPECT_EQ(key_log->find("EXPORTER_SECRET"), vector_file("s6_exporter_master_secret.hex"));

  // RFC 8448 §6 {client} derive secret "tls13 res master": over the client's Certificate,
  // CertificateVerify and Finished too.
  const auto* state = driver->tls13_state();
  ASSERT_NE(state, nullptr);
  const auto* connected = std::get_if<client13::Connected>(state);
  ASSERT_NE(connected, nullptr);
  EXPECT_EQ(Bytes(connected->resumption_master_secret.expose().begin(),
                  connected->resumption_master_secret.expose().end()),
            vector_file("s6_resumption_master_secret.hex"));

  // {client} send alert record / {server} send alert record: close_notify both ways.
  conn.close();
  EXPECT_EQ(take_output(conn), vector_file("s6_client_alert_record.hex"));
  r = conn.receive(vector_file("s6_server_alert_record.hex"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(conn.peer_closed());
}

}  // namespace
}  // namespace hs::testing

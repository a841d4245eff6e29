// RFC 8448 §3 ("Simple 1-RTT Handshake") byte for byte: our TLS 1.3 client, given the RFC's
// client random and x25519 private key, sends the RFC's ClientHello record, accepts the RFC's
// server records, and answers with the RFC's client Finished, application data and alert
// records; the key log carries the RFC's secrets and the ticket's PSK is the RFC's.
//
// Why a test-only hook is needed for the ClientHello: the transcript hash covers the whole
// ClientHello, so every secret and record after it depends on every ClientHello byte. The RFC's
// client (NSS) sends what we never send by default: an empty legacy_session_id (we use
// middlebox compatibility mode, RFC 8446 Appendix D.4), ffdhe groups and SHA-1/ECDSA-SHA-1 and
// rsa_pkcs1_sha1 schemes we do not implement, record_size_limit and psk_key_exchange_modes, in
// NSS's extension order. client::TestHooks switches compatibility mode off and replaces the
// extension list with the RFC's (after checking that the key_share we built from the injected
// private key is the RFC's), so that the ClientHello, and with it the whole handshake, is the
// RFC's. Everything after the ClientHello is our unmodified client.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>

#include "connection/connection_impl.h"
#include "crypto/openssl/openssl_provider.h"
#include "handshake/client/client.h"
#include "messages/messages.h"

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
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
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

// Records copied from RFC 8448 §3 ("complete record" fields).
constexpr std::string_view kClientFinishedRecord =  // {client} send handshake record (58)
    "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc"
    "44d87f38f80338ac98fc46deb384bd1caeacab6867d726c40546";
constexpr std::string_view kNewSessionTicketRecord =  // {server} send handshake record (227)
    "17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d4"
    "1d6af8f6b580dcf3d11d63c758db289a015940252f55713e061dc13e078891a3"
    "8efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1b6c0d4a3d03f75e0"
    "9c30ba1e62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406"
    "f16e3fc181a77ca475840025db2f0a77f81b5ab05b94c01346755f69232c8651"
    "9d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74"
    "bc2697687e248746d6df353005f3bce18696129c8153556b3b6c6779b37bf159"
    "85684f";
constexpr std::string_view kClientAppRecord =  // {client} send application_data record (72)
    "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f"
    "2b9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae6"
    "3aeebb21694915e4";
constexpr std::string_view kServerAppRecord =  // {server} send application_data record (72)
    "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36"
    "e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf33254"
    "0dd032e167c2955d";
constexpr std::string_view kClientAlertRecord =  // {client} send alert record (24)
    "1703030013c9872760655666b74d7ff1153efd6db6d0b0e3";
constexpr std::string_view kServerAlertRecord =  // {server} send alert record (24)
    "1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9";

// ScriptedRandomProvider is libcrypto with random() handing out scripted bytes: the RFC's
// client random, then the RFC's x25519 private key (generate_key_share draws it through the
// virtual random(), see OpenSslProvider).
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

struct KeyLogEntry {
  std::string label;
  Bytes client_random;
  Bytes secret;
};
class RecordingKeyLog : public KeyLogSink {
 public:
  void log(std::string_view label, std::span<const uint8_t> client_random,
           std::span<const uint8_t> secret) override {
    entries.push_back({std::string(label), Bytes(client_random.begin(), client_random.end()),
                       Bytes(secret.begin(), secret.end())});
  }
  std::optional<Bytes> find(std::string_view label) const {
    for (const auto& e : entries) {
      if (e.label == label) {
        return e.secret;
      }
    }
    return std::nullopt;
  }
  std::vector<KeyLogEntry> entries;
};

Bytes take_output(detail::ConnectionImpl& conn) {
  auto out = conn.output();
  Bytes bytes(out.begin(), out.end());
  conn.consume_output(out.size());
  return bytes;
}

TEST(Client13Rfc8448, SimpleOneRttHandshakeByteForByte) {
  const Bytes rfc_client_hello = vector_file("s3_client_hello.hex");
  ASSERT_EQ(rfc_client_hello.size(), 196u);
  auto rfc_hello = messages::parse_client_hello(std::span(rfc_client_hello).subspan(4));
  ASSERT_TRUE(rfc_hello.ok());

  ScriptedRandomProvider provider;
  provider.push(Bytes(rfc_hello->random.begin(), rfc_hello->random.end()));
  provider.push(vector_file("s3_client_x25519_private.hex"));

  auto key_log = std::make_shared<RecordingKeyLog>();
  auto config = std::make_shared<ClientConfig>();
  config->min_version = ProtocolVersion::tls1_3;
  config->max_version = ProtocolVersion::tls1_3;
  // The RFC's suite order; the RFC's server certificate is self-signed "rsa", so verification
  // is off (the CertificateVerify signature is still checked).
  config->cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256,
                           CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                           CipherSuite::TLS_AES_256_GCM_SHA384};
  config->dangerous_skip_verification = true;
  config->key_log = key_log;
  config->provider = &provider;

  client::TestHooks hooks;
  hooks.middlebox_compat = false;
  bool edited = false;
  hooks.edit_client_hello = [&](messages::ClientHello& hello) {
    edited = true;
    // What our client built on its own must already agree with the RFC where we support the
    // same thing: random, version fields, suites, the key share from the injected private key,
    // supported_versions (TLS 1.3 only) and the server name.
    EXPECT_EQ(hello.legacy_version, rfc_hello->legacy_version);
    EXPECT_EQ(hello.random, rfc_hello->random);
    EXPECT_TRUE(hello.legacy_session_id.empty());
    EXPECT_EQ(hello.cipher_suites, rfc_hello->cipher_suites);
    EXPECT_EQ(hello.compression_methods, rfc_hello->compression_methods);
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
  detail::ConnectionImpl conn(true, provider, key_log, std::move(driver_owned), nullptr);
  ASSERT_TRUE(conn.start().ok());
  ASSERT_TRUE(edited);
  EXPECT_EQ(provider.left(), 0u);

  // {client} send handshake record: complete record (201 octets).
  Bytes expected_ch = {0x16, 0x03, 0x01, 0x00, 0xc4};
  expected_ch.insert(expected_ch.end(), rfc_client_hello.begin(), rfc_client_hello.end());
  EXPECT_EQ(take_output(conn), expected_ch);

  // {server} send handshake record (ServerHello, 95 octets), then the encrypted flight
  // (EncryptedExtensions .. Finished, 679 octets).
  const Bytes sh = vector_file("s3_server_hello.hex");
  Bytes sh_record = {0x16, 0x03, 0x03, 0x00, static_cast<uint8_t>(sh.size())};
  sh_record.insert(sh_record.end(), sh.begin(), sh.end());
  auto r = conn.receive(sh_record);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(conn.output().empty());
  r = conn.receive(vector_file("s3_server_flight_record.hex"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(conn.is_connected());

  // {client} send handshake record: the client Finished, byte for byte (no ChangeCipherSpec:
  // the RFC's client does not use middlebox compatibility mode).
  EXPECT_EQ(take_output(conn), from_hex(kClientFinishedRecord));

  const SessionInfo& info = conn.session();
  EXPECT_EQ(info.version, ProtocolVersion::tls1_3);
  EXPECT_EQ(info.cipher_suite, CipherSuite::TLS_AES_128_GCM_SHA256);
  EXPECT_EQ(info.group, NamedGroup::x25519);
  EXPECT_EQ(info.signature_scheme, SignatureScheme::rsa_pss_rsae_sha256);
  EXPECT_EQ(info.server_name, "server");
  ASSERT_EQ(info.peer_chain.size(), 1u);

  // The key log holds the RFC's secrets, each under the RFC's client random.
  EXPECT_EQ(key_log->find("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
            vector_file("s3_client_handshake_traffic_secret.hex"));
  EXPECT_EQ(key_log->find("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
            vector_file("s3_server_handshake_traffic_secret.hex"));
  EXPECT_EQ(key_log->find("CLIENT_TRAFFIC_SECRET_0"),
            vector_file("s3_client_application_traffic_secret_0.hex"));
  EXPECT_EQ(key_log->find("SERVER_TRAFFIC_SECRET_0"),
            vector_file("s3_server_application_traffic_secret_0.hex"));
  EXPECT_EQ(key_log->find("EXPORTER_SECRET"), vector_file("s3_exporter_master_secret.hex"));
  EXPECT_EQ(key_log->entries.size(), 5u);
  for (const auto& e : key_log->entries) {
    EXPECT_EQ(e.client_random, Bytes(rfc_hello->random.begin(), rfc_hello->random.end()));
  }

  // {server} NewSessionTicket: the ticket's PSK is the RFC's resumption secret.
  r = conn.receive(from_hex(kNewSessionTicketRecord));
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto* state = driver->tls13_state();
  ASSERT_NE(state, nullptr);
  const auto* connected = std::get_if<client13::Connected>(state);
  ASSERT_NE(connected, nullptr);
  EXPECT_EQ(Bytes(connected->resumption_master_secret.expose().begin(),
                  connected->resumption_master_secret.expose().end()),
            vector_file("s3_resumption_master_secret.hex"));
  ASSERT_TRUE(connected->ticket.has_value());
  EXPECT_EQ(Bytes(connected->ticket->psk.expose().begin(), connected->ticket->psk.expose().end()),
            vector_file("s3_resumption_psk.hex"));
  EXPECT_EQ(connected->ticket->lifetime, 0x1eu);
  EXPECT_EQ(connected->ticket->max_early_data, 0x400u);
  EXPECT_EQ(connected->tickets_received, 1u);

  // {client} send application_data record: 50 bytes 00..31.
  Bytes payload;
  for (uint8_t i = 0; i < 50; ++i) {
    payload.push_back(i);
  }
  ASSERT_TRUE(conn.write(payload).ok());
  EXPECT_EQ(take_output(conn), from_hex(kClientAppRecord));

  // {server} send application_data record.
  r = conn.receive(from_hex(kServerAppRecord));
  ASSERT_TRUE(r.ok()) << r.error().message();
  Bytes got(100);
  got.resize(conn.read(got));
  EXPECT_EQ(got, payload);

  // {client} send alert record / {server} send alert record: close_notify both ways.
  conn.close();
  EXPECT_EQ(take_output(conn), from_hex(kClientAlertRecord));
  r = conn.receive(from_hex(kServerAlertRecord));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(conn.peer_closed());
}

}  // namespace
}  // namespace hs::testing

// Test harness for the TLS 1.2 server: throwaway certificates made with the openssl CLI, a fake
// HandshakeContext that records what the server does, a ClientHello builder and a minimal
// scripted client that completes the handshake with the keyschedule module.
#pragma once

#include <gtest/gtest.h>
#include <hs/config.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/testing/testing_provider.h"
#include "handshake/common/driver.h"
#include "handshake/common/transcript.h"
#include "keyschedule/tls12_keys.h"
#include "messages/messages.h"
#include "record/protection.h"

namespace hs::test {

// TestCerts are made once per build directory (shared_certs) and loaded once per test process:
// RSA-2048, EC P-256 and EC P-384 leaves for "localhost" (SAN DNS:localhost, IP:127.0.0.1), and
// RSA/EC leaves for "example.com" (SAN DNS:example.com, DNS:*.example.com).
struct TestCerts {
  ServerCertificate rsa;
  ServerCertificate ecdsa;
  ServerCertificate ecdsa384;
  ServerCertificate example_rsa;
  ServerCertificate example_ecdsa;
};
// test_certs returns the shared certificates, generating them on first use. Fails the current
// test (and returns nullptr) when the openssl CLI is unavailable.
const TestCerts* test_certs();

// test_provider is a deterministic provider shared by the tests.
const crypto::Provider& test_provider();

// CertSpec is one self-signed leaf for shared_certs: `name`, a key from `key_args` (openssl req
// -newkey's argument), subject CN `cn` and subjectAltName `san`.
struct CertSpec {
  std::string name;
  std::string key_args;
  std::string cn;
  std::string san;
};

// shared_certs returns the leaves `specs` describe, loaded through the test provider, in
// order. The openssl CLI makes them once per build directory under `set` (test::
// shared_build_dir: RSA key generation took most of every server test's time when each test
// process made its own) and again whenever the specs change. Fails the current test and
// returns nullopt when that fails.
std::optional<std::vector<ServerCertificate>> shared_certs(const std::string& set,
                                                           const std::vector<CertSpec>& specs);

// FakeContext records everything the state machine does to its connection.
class FakeContext final : public detail::HandshakeContext {
 public:
  struct Sent {
    HandshakeType type;
    std::vector<uint8_t> raw;
    bool encrypted;  // sent after set_write_protection
  };

  const crypto::Provider& provider() const override { return test_provider(); }
  Result<void> send_handshake(std::span<const uint8_t> raw) override;
  Result<void> send_change_cipher_spec() override;
  void set_write_protection(std::unique_ptr<record::RecordProtection> p,
                            std::string_view secret_name) override;
  Result<void> set_read_protection(std::unique_ptr<record::RecordProtection> p,
                                   std::string_view secret_name) override;
  void set_version(ProtocolVersion v) override { version = v; }
  Result<void> send_alert(AlertLevel level, AlertDescription description) override {
    alerts.emplace_back(level, description);
    return ok_result();
  }
  void key_log(std::string_view label, std::span<const uint8_t> client_random,
               const SecretBytes& secret) override;
  void emit_state(std::string_view state) override { states.emplace_back(state); }
  void note(std::string_view text) override { notes.emplace_back(text); }
  SessionInfo& info() override { return info_; }

  // take_sent returns and clears the handshake messages sent since the last call.
  std::vector<Sent> take_sent();

  std::vector<Sent> sent;
  std::vector<std::string> log;  // "hs:server_hello", "ccs", "write_keys", "read_keys"
  std::vector<std::string> states;
  std::vector<std::string> notes;
  std::vector<std::pair<AlertLevel, AlertDescription>> alerts;  // from send_alert
  std::vector<std::pair<std::string, std::vector<uint8_t>>> key_logs;
  std::unique_ptr<record::RecordProtection> read_protection;
  std::unique_ptr<record::RecordProtection> write_protection;
  std::optional<ProtocolVersion> version;
  SessionInfo info_;
};

// HelloOptions describes a ClientHello; the defaults are a modern TLS 1.2 client.
struct HelloOptions {
  ProtocolVersion legacy_version = ProtocolVersion::tls1_2;
  std::vector<uint16_t> suites = {0xC02B, 0xC02C, 0xC02F, 0xC030, 0xCCA8, 0xCCA9};
  std::optional<std::vector<NamedGroup>> groups =
      std::vector<NamedGroup>{NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1};
  std::optional<std::vector<SignatureScheme>> schemes = std::vector<SignatureScheme>{
      SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
      SignatureScheme::rsa_pss_rsae_sha256,    SignatureScheme::rsa_pss_rsae_sha384,
      SignatureScheme::rsa_pkcs1_sha256,       SignatureScheme::rsa_pkcs1_sha384};
  std::optional<std::vector<std::string>> alpn;
  std::string sni = "localhost";
  bool ems = true;
  std::optional<std::vector<uint8_t>> renegotiation_info = std::vector<uint8_t>{};
  bool scsv = false;
  bool ec_point_formats = true;
  std::optional<std::vector<ProtocolVersion>> versions;
  std::vector<uint8_t> compression = {0};
  std::vector<messages::Extension> extra;  // appended after the others
};

// client_hello builds the ClientHello (header + body).
std::vector<uint8_t> client_hello(const HelloOptions& opts);
// handshake_raw wraps `body` in a handshake header of `type`.
std::vector<uint8_t> handshake_raw(HandshakeType type, std::span<const uint8_t> body);
// view makes the driver's message view over `raw` (header + body).
detail::HandshakeMessageView view(std::span<const uint8_t> raw);

// default_config returns a server config with the given certificates and the test provider.
std::shared_ptr<ServerConfig> make_config(std::vector<ServerCertificate> certs);

// ServerFlight is the server's first flight, parsed.
struct ServerFlight {
  messages::ServerHello hello;
  messages::Certificate12 certificate;
  std::optional<messages::CertificateStatus> status;  // a stapled OCSP response
  messages::ServerKeyExchangeEcdhe ske;
  std::vector<std::vector<uint8_t>> raw;  // each message with its header
};
// parse_flight parses ServerHello, Certificate, [CertificateStatus,] ServerKeyExchange,
// ServerHelloDone from `sent`
// (adding ADD_FAILURE on any deviation) and checks the ServerKeyExchange signature with the
// leaf's public key.
std::optional<ServerFlight> parse_flight(const std::vector<FakeContext::Sent>& sent,
                                         std::span<const uint8_t, 32> client_random);

// ScriptedClient completes a handshake against a driver through a FakeContext.
class ScriptedClient {
 public:
  ScriptedClient(detail::HandshakeDriver& driver, FakeContext& ctx) : driver_(driver), ctx_(ctx) {}

  // hello sends the ClientHello and parses the server's flight.
  Result<void> hello(const HelloOptions& opts);
  // key_exchange sends a ClientKeyExchange with a fresh key for the server's group (or
  // `override_public` when given).
  Result<void> key_exchange(std::optional<std::vector<uint8_t>> override_public = std::nullopt);
  Result<void> change_cipher_spec();
  // finished sends the client Finished (with its last byte flipped when `corrupt`) after
  // checking it travels under the keys the server installed for reading.
  Result<void> finished(bool corrupt = false);
  // check_server_finished verifies the server's CCS + Finished (and that the Finished was
  // protected with the server write key we derived).
  void check_server_finished();
  // run does all of the above.
  Result<void> run(const HelloOptions& opts);

  const std::optional<ServerFlight>& flight() const { return flight_; }
  const SecretBytes& master_secret() const { return master_; }
  const std::array<uint8_t, 32>& client_random() const { return client_random_; }

 private:
  Result<void> deliver(std::span<const uint8_t> raw);

  detail::HandshakeDriver& driver_;
  FakeContext& ctx_;
  std::array<uint8_t, 32> client_random_{};
  std::optional<ServerFlight> flight_;
  detail::Transcript transcript_;
  SecretBytes master_;
  std::optional<keyschedule::KeyBlock12> keys_;
  crypto::HashAlg hash_ = crypto::HashAlg::sha256;
  crypto::AeadAlg aead_ = crypto::AeadAlg::aes_128_gcm;
};

}  // namespace hs::test

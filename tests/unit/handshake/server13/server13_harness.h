// Helpers for the TLS 1.3 server tests: an Ed25519 certificate made with the openssl CLI (the
// RSA and ECDSA ones come from the server12 harness), client configurations, an in-memory
// client/server pair over hs::Connection, and a scripted TLS 1.3 client for the driver.
#pragma once

#include <gtest/gtest.h>
#include <hs/config.h>
#include <hs/connection.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "handshake/common/driver.h"
#include "handshake/common/transcript.h"
#include "keyschedule/tls13_schedule.h"
#include "messages/messages.h"
#include "unit/handshake/server12/server12_harness.h"

namespace hs::test {

struct Tls13Certs {
  ServerCertificate ed25519;   // self-signed, CN=localhost, SAN DNS:localhost
  ServerCertificate ed448;     // the same with an Ed448 key
  ServerCertificate ecdsa521;  // and with an ECDSA P-521 key
};
// tls13_certs returns the extra certificates, generated once; fails the test when the openssl
// CLI is unavailable.
const Tls13Certs* tls13_certs();

// StubVerifier stands in for ServerConfig::client_verifier (the X.509 validation itself is
// tested in tests/unit/x509): it records what it was asked and answers `refusal` if set.
class StubVerifier final : public CertificateVerifier {
 public:
  Result<void> verify(std::span<const CertificateDer> chain, std::string_view host) override {
    ++calls;
    last_chain.assign(chain.begin(), chain.end());
    last_host = std::string(host);
    if (refusal) {
      return *refusal;
    }
    return ok_result();
  }
  int calls = 0;
  std::vector<CertificateDer> last_chain;
  std::string last_host = "unset";
  std::optional<Error> refusal;
};

// client13_config is a client of ours offering `suites` and `groups` (TLS 1.3 only when no
// TLS 1.2 suite is listed), with verification off and the test provider.
std::shared_ptr<ClientConfig> client13_config(
    std::vector<CipherSuite> suites = {CipherSuite::TLS_AES_128_GCM_SHA256,
                                       CipherSuite::TLS_AES_256_GCM_SHA384,
                                       CipherSuite::TLS_CHACHA20_POLY1305_SHA256},
    std::vector<NamedGroup> groups = {NamedGroup::x25519, NamedGroup::secp256r1,
                                      NamedGroup::secp384r1});

struct Pair13 {
  std::unique_ptr<Connection> client;
  std::unique_ptr<Connection> server;
  std::optional<Error> client_error;
  std::optional<Error> server_error;
  // pump moves bytes both ways until neither side has anything to send.
  void pump();
};
// connect13 makes both connections and pumps the handshake.
Pair13 connect13(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc,
                 Observer* server_observer, std::string host = "localhost");
// exchange_data sends data both ways and checks it arrives.
void exchange_data(Pair13& p);

// Hello13Options describes a TLS 1.3 ClientHello built by hand.
struct Hello13Options {
  std::vector<CipherSuite> suites = {CipherSuite::TLS_AES_128_GCM_SHA256,
                                     CipherSuite::TLS_AES_256_GCM_SHA384};
  std::optional<std::vector<NamedGroup>> groups =
      std::vector<NamedGroup>{NamedGroup::x25519, NamedGroup::secp256r1};
  // share_groups: the groups we send key shares for (from fresh keys).
  std::vector<NamedGroup> share_groups = {NamedGroup::x25519};
  bool key_share = true;
  std::optional<std::vector<SignatureScheme>> schemes =
      std::vector<SignatureScheme>{SignatureScheme::ecdsa_secp256r1_sha256,
                                   SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::ed25519};
  std::vector<ProtocolVersion> versions = {ProtocolVersion::tls1_3};
  ProtocolVersion legacy_version = ProtocolVersion::tls1_2;
  std::vector<uint8_t> compression = {0};
  std::vector<uint8_t> session_id = std::vector<uint8_t>(32, 0x11);
  std::string sni = "localhost";
  std::optional<std::vector<uint8_t>> cookie;
  bool psk_modes = false;
  // psk: a ticket and its PSK to offer (pre_shared_key, last, binder computed over the hello).
  std::optional<std::vector<uint8_t>> psk_ticket;
  std::vector<uint8_t> psk_secret;
  crypto::HashAlg psk_hash = crypto::HashAlg::sha256;
  // psk_external: the PSK is an external one (binder key "ext binder", RFC 8446 §7.1);
  // psk_decoys: identities offered before it, with binders that verify under no key of ours.
  bool psk_external = false;
  std::vector<std::vector<uint8_t>> psk_decoys;
  // psk_mode_list: psk_key_exchange_modes as sent.
  std::vector<messages::PskKeyExchangeMode> psk_mode_list = {
      messages::PskKeyExchangeMode::psk_dhe_ke};
  bool corrupt_binder = false;
  bool psk_not_last = false;
  bool early_data = false;
  // psk_obfuscated_age: the identity's obfuscated_ticket_age (default 1234, an implausible age
  // for a fresh ticket; the ticket's age_add is a plausible one).
  std::optional<uint32_t> psk_obfuscated_age;
  std::vector<messages::Extension> extra;
};

// ScriptedClient13 plays a TLS 1.3 client against a server driver through a FakeContext: it
// builds ClientHellos by hand, derives the keys itself and checks the server's flight.
class ScriptedClient13 {
 public:
  ScriptedClient13(detail::HandshakeDriver& driver, FakeContext& ctx)
      : driver_(driver), ctx_(ctx) {}

  // hello sends a ClientHello; when it is answered with a ServerHello, processes the flight up
  // to the server Finished (checking the Finished). `prefix` is the transcript before this
  // ClientHello (after a HelloRetryRequest).
  Result<void> hello(const Hello13Options& opts);
  // hrr_cookie / hrr_group: what the last HelloRetryRequest asked for.
  std::optional<std::vector<uint8_t>> hrr_cookie;
  std::optional<NamedGroup> hrr_group;
  // retry sends ClientHello2 after a HelloRetryRequest with `opts` (callers usually copy the
  // first options and set share_groups / cookie).
  Result<void> retry(const Hello13Options& opts);
  // finished sends the client Finished (corrupted when asked); dummy CCS first when `ccs`.
  Result<void> finished(bool corrupt = false, bool ccs = false);
  // deliver hands one raw message to the driver.
  Result<void> deliver(std::span<const uint8_t> raw);
  // deliver_in_transcript hands one raw message of the client's second flight (Certificate,
  // CertificateVerify) to the driver and adds it to the transcript finished() covers.
  Result<void> deliver_in_transcript(std::span<const uint8_t> raw);
  // transcript_hash is the current transcript hash (what a client CertificateVerify signs).
  std::vector<uint8_t> transcript_hash() const { return transcript_->current(); }

  // The tickets the server sent, with the PSK each names.
  struct Ticket {
    std::vector<uint8_t> ticket;
    std::vector<uint8_t> psk;
    uint32_t age_add = 0;
  };
  std::vector<Ticket> tickets() const;

  std::optional<messages::ServerHello> server_hello;
  std::optional<messages::EncryptedExtensions> encrypted_extensions;
  bool saw_certificate = false;
  CipherSuite suite{};
  // server_flight: the messages the server answered the last ClientHello with.
  std::vector<FakeContext::Sent> server_flight;

 private:
  Result<void> send_hello(const Hello13Options& opts, bool second);

  detail::HandshakeDriver& driver_;
  FakeContext& ctx_;
  std::vector<std::unique_ptr<crypto::KeyShare>> shares_;
  std::vector<uint8_t> ch1_raw_;
  std::vector<uint8_t> hrr_raw_;
  std::optional<detail::Transcript> transcript_;
  std::optional<keyschedule::TrafficSecret> client_hs_;
  std::optional<keyschedule::MasterSecret> master_;
  std::vector<uint8_t> resumption_;
  crypto::HashAlg hash_ = crypto::HashAlg::sha256;
};

}  // namespace hs::test

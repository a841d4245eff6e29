// The TLS 1.3 server behind hs::Connection::server against our own client, in memory: every
// suite x group x certificate type, HelloRetryRequest, session tickets, key log agreement,
// KeyUpdate, and the TLS 1.2 fallback on the same configuration.
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/keylog.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "handshake/client/client.h"
#include "messages/messages.h"
#include "unit/handshake/common/key_lines.h"
#include "unit/handshake/server12/server12_harness.h"
#include "unit/handshake/server13/server13_harness.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;

// Recorder keeps the handshake messages and state names a connection produces.
class Recorder final : public Observer {
 public:
  void on_event(const Event& event) override {
    if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
      if (m->content_type == 22) {
        (m->direction == Direction::out ? sent : received)
            .push_back({m->handshake_type, Bytes(m->bytes.begin(), m->bytes.end())});
      }
      if (m->content_type == 20) {
        (m->direction == Direction::out ? ccs_out : ccs_in)++;
      }
    } else if (const auto* s = std::get_if<StateEvent>(&event.body)) {
      states.emplace_back(s->state);
    }
  }
  const Bytes* first_sent(uint8_t type) const {
    for (const auto& [t, b] : sent) {
      if (t == type) {
        return &b;
      }
    }
    return nullptr;
  }
  size_t count_sent(uint8_t type) const {
    size_t n = 0;
    for (const auto& [t, b] : sent) {
      n += t == type ? 1 : 0;
    }
    return n;
  }
  std::vector<std::pair<uint8_t, Bytes>> sent;
  std::vector<std::pair<uint8_t, Bytes>> received;
  std::vector<std::string> states;
  int ccs_out = 0;
  int ccs_in = 0;
};

TEST(Server13Loopback, EverySuiteGroupAndCertificateType) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  const Tls13Certs* extra = tls13_certs();
  ASSERT_NE(extra, nullptr);
  struct Cert {
    const char* name;
    const ServerCertificate* cert;
    SignatureScheme scheme;
  };
  const Cert cert_list[] = {
      {"RSA", &certs->rsa, SignatureScheme::rsa_pss_rsae_sha256},
      {"ECDSA P-256", &certs->ecdsa, SignatureScheme::ecdsa_secp256r1_sha256},
      {"ECDSA P-384", &certs->ecdsa384, SignatureScheme::ecdsa_secp384r1_sha384},
      {"Ed25519", &extra->ed25519, SignatureScheme::ed25519},
      {"Ed448", &extra->ed448, SignatureScheme::ed448},
      {"ECDSA P-521", &extra->ecdsa521, SignatureScheme::ecdsa_secp521r1_sha512},
  };
  for (CipherSuite suite :
       {CipherSuite::TLS_AES_128_GCM_SHA256, CipherSuite::TLS_AES_256_GCM_SHA384,
        CipherSuite::TLS_CHACHA20_POLY1305_SHA256}) {
    for (NamedGroup group :
         {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1, NamedGroup::x448,
          NamedGroup::secp521r1, NamedGroup::ffdhe2048, NamedGroup::ffdhe3072,
          NamedGroup::ffdhe4096, NamedGroup::ffdhe6144, NamedGroup::ffdhe8192}) {
      for (const Cert& c : cert_list) {
        SCOPED_TRACE(::testing::Message()
                     << suite_name(suite) << " " << group_name(group) << " " << c.name);
        auto cc = client13_config({suite}, {group});
        auto client_keys = std::make_shared<KeyLines>();
        cc->key_log = client_keys;
        auto sc = make_config({*c.cert});
        if (!detail::contains<NamedGroup>(sc->groups, group)) {
          sc->groups.push_back(group);  // ffdhe4096 and up: not a default
        }
        auto server_keys = std::make_shared<KeyLines>();
        sc->key_log = server_keys;
        Recorder rec;
        Pair13 p = connect13(cc, sc, &rec);
        ASSERT_FALSE(p.client_error) << p.client_error->message();
        ASSERT_FALSE(p.server_error) << p.server_error->message();
        ASSERT_TRUE(p.client->is_connected());
        ASSERT_TRUE(p.server->is_connected());
        const SessionInfo& si = p.server->info();
        EXPECT_EQ(si.version, ProtocolVersion::tls1_3);
        EXPECT_EQ(si.cipher_suite, suite);
        EXPECT_EQ(si.group, group);
        // signature_scheme is the peer's signature, own_signature_scheme ours: the server
        // signed with c.scheme, which is the client's peer signature; no client signature.
        EXPECT_EQ(si.own_signature_scheme, c.scheme);
        EXPECT_FALSE(si.signature_scheme.has_value());
        EXPECT_FALSE(p.client->info().own_signature_scheme.has_value());
        EXPECT_EQ(si.server_name, "localhost");
        EXPECT_FALSE(si.resumed);
        EXPECT_EQ(p.client->info().version, ProtocolVersion::tls1_3);
        EXPECT_EQ(p.client->info().signature_scheme, c.scheme);
        // Both sides log the same five secrets for the same client random.
        EXPECT_EQ(server_keys->lines.size(), 5u);
        EXPECT_EQ(server_keys->lines, client_keys->lines);
        EXPECT_EQ(server_keys->random, client_keys->random);
        // Two tickets by default; middlebox compatibility: the client's session id is echoed
        // and one dummy CCS goes each way.
        EXPECT_EQ(rec.count_sent(4), 2u);
        EXPECT_EQ(rec.ccs_out, 1);
        EXPECT_EQ(rec.ccs_in, 1);
        EXPECT_EQ(rec.states.back(), "server13::Connected");
        exchange_data(p);
      }
    }
  }
}

// The large FFDHE groups cost a server 12-52 ms a handshake, so they are not among the default
// groups: a client offering only ffdhe8192 gets handshake_failure until the server lists it.
TEST(Server13Loopback, LargeFfdheGroupsOnlyWhenConfigured) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  for (NamedGroup group : {NamedGroup::ffdhe4096, NamedGroup::ffdhe6144, NamedGroup::ffdhe8192}) {
    SCOPED_TRACE(group_name(group));
    auto sc = make_config({certs->ecdsa});
    EXPECT_FALSE(detail::contains<NamedGroup>(sc->groups, group));
    Pair13 refused =
        connect13(client13_config({CipherSuite::TLS_AES_128_GCM_SHA256}, {group}), sc, nullptr);
    ASSERT_TRUE(refused.server_error.has_value());
    EXPECT_EQ(refused.server_error->code(), ErrorCode::no_common_group);
    EXPECT_EQ(refused.server_error->alert(), AlertDescription::handshake_failure);

    sc->groups.push_back(group);
    Pair13 ok =
        connect13(client13_config({CipherSuite::TLS_AES_128_GCM_SHA256}, {group}), sc, nullptr);
    ASSERT_FALSE(ok.server_error) << ok.server_error->message();
    ASSERT_TRUE(ok.client->is_connected());
    EXPECT_EQ(ok.server->info().group, group);
  }
}

TEST(Server13Loopback, StatesAndMessageOrder) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  Recorder rec;
  Pair13 p = connect13(client13_config(), make_config({certs->ecdsa}), &rec);
  ASSERT_TRUE(p.server->is_connected());
  // (server::ExpectClientHello is emitted before the observer is installed.)
  const std::vector<std::string> states = {"server13::ExpectFinished", "server13::Connected"};
  EXPECT_EQ(rec.states, states);
  std::vector<uint8_t> types;
  for (const auto& [t, b] : rec.sent) {
    types.push_back(t);
  }
  const std::vector<uint8_t> expected = {2, 8, 11, 15, 20, 4, 4};
  EXPECT_EQ(types, expected);
  // ServerHello: legacy_version 0x0303, the session id echoed, supported_versions 0x0304.
  auto sh = messages::parse_server_hello(std::span<const uint8_t>(*rec.first_sent(2)).subspan(4));
  ASSERT_TRUE(sh.ok());
  const auto* ch = &rec.received.front().second;
  auto hello = messages::parse_client_hello(std::span<const uint8_t>(*ch).subspan(4));
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(sh->legacy_version, ProtocolVersion::tls1_2);
  EXPECT_EQ(sh->legacy_session_id, hello->legacy_session_id);
  EXPECT_EQ(hello->legacy_session_id.size(), 32u);
  const auto* sv = messages::find_extension(sh->extensions, ExtensionType::supported_versions);
  ASSERT_NE(sv, nullptr);
  EXPECT_EQ(messages::parse_supported_versions_server(sv->data).value(), ProtocolVersion::tls1_3);
  // The downgrade sentinel is never in a TLS 1.3 ServerHello.
  EXPECT_EQ(messages::downgrade_sentinel(sh->random), messages::DowngradeSentinel::none);
}

TEST(Server13Loopback, HelloRetryRequestWhenTheClientHasNoShareForOurGroup) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  // The client supports x25519 and P-256 but sends a share for x25519 only (its first group);
  // the server only accepts P-256.
  auto cc = client13_config({CipherSuite::TLS_AES_256_GCM_SHA384},
                            {NamedGroup::x25519, NamedGroup::secp256r1});
  auto sc = make_config({certs->rsa});
  sc->groups = {NamedGroup::secp256r1};
  auto server_keys = std::make_shared<KeyLines>();
  sc->key_log = server_keys;
  auto client_keys = std::make_shared<KeyLines>();
  cc->key_log = client_keys;
  Recorder rec;
  Pair13 p = connect13(cc, sc, &rec);
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_FALSE(p.server_error) << p.server_error->message();
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_EQ(p.server->info().group, NamedGroup::secp256r1);
  EXPECT_EQ(p.client->info().group, NamedGroup::secp256r1);
  EXPECT_EQ(server_keys->lines, client_keys->lines);
  const std::vector<std::string> states = {"server13::ExpectSecondClientHello",
                                           "server13::ExpectFinished", "server13::Connected"};
  EXPECT_EQ(rec.states, states);
  // The HelloRetryRequest: the special random, key_share = secp256r1, a cookie; then exactly one
  // dummy CCS from us in all (after the HRR), and two ClientHellos received.
  auto hrr = messages::parse_server_hello(std::span<const uint8_t>(*rec.first_sent(2)).subspan(4));
  ASSERT_TRUE(hrr.ok());
  EXPECT_TRUE(messages::is_hello_retry_request(*hrr));
  const auto* ks = messages::find_extension(hrr->extensions, ExtensionType::key_share);
  ASSERT_NE(ks, nullptr);
  EXPECT_EQ(messages::parse_key_share_hrr(ks->data).value(), NamedGroup::secp256r1);
  EXPECT_NE(messages::find_extension(hrr->extensions, ExtensionType::cookie), nullptr);
  EXPECT_EQ(rec.count_sent(2), 2u);
  EXPECT_EQ(rec.ccs_out, 1);
  size_t hellos = 0;
  for (const auto& [t, b] : rec.received) {
    hellos += t == 1 ? 1 : 0;
  }
  EXPECT_EQ(hellos, 2u);
  exchange_data(p);
}

// With an RSA and an ECDSA certificate side by side (RSA configured first), the certificate
// follows the preferred signature scheme, not the configuration order: ECDSA for a client that
// accepts both (default_signature_schemes lists it first), RSA for one that lists no ECDSA
// scheme, and with prefer_client_order the client's first scheme decides.
TEST(Server13Loopback, CertificateFollowsThePreferredSchemeNotTheConfigurationOrder) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  struct Case {
    const char* name;
    std::vector<SignatureScheme> client_schemes;
    bool prefer_client_order;
    SignatureScheme expected;
  };
  const Case cases[] = {
      {"client accepts both", default_signature_schemes(), false,
       SignatureScheme::ecdsa_secp256r1_sha256},
      {"client lists RSA-PSS first",
       {SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::ecdsa_secp256r1_sha256},
       false,
       SignatureScheme::ecdsa_secp256r1_sha256},
      {"client lists no ECDSA",
       {SignatureScheme::rsa_pss_rsae_sha384, SignatureScheme::rsa_pss_rsae_sha256},
       false,
       SignatureScheme::rsa_pss_rsae_sha256},
      {"client order preferred",
       {SignatureScheme::rsa_pss_rsae_sha384, SignatureScheme::ecdsa_secp256r1_sha256},
       true,
       SignatureScheme::rsa_pss_rsae_sha384},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto cc = client13_config();
    cc->signature_schemes = c.client_schemes;
    auto sc = make_config({certs->rsa, certs->ecdsa});
    sc->prefer_client_order = c.prefer_client_order;
    Pair13 p = connect13(cc, sc, nullptr);
    ASSERT_FALSE(p.client_error) << p.client_error->message();
    ASSERT_FALSE(p.server_error) << p.server_error->message();
    ASSERT_TRUE(p.server->is_connected());
    EXPECT_EQ(p.server->info().own_signature_scheme, c.expected);
    EXPECT_EQ(p.client->info().signature_scheme, c.expected);
  }
}

TEST(Server13Loopback, AlpnAndSniInEncryptedExtensions) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto cc = client13_config();
  cc->alpn = {"h2", "http/1.1"};
  auto sc = make_config({certs->rsa, certs->example_ecdsa});
  sc->alpn = {"http/1.1", "h2"};
  Recorder rec;
  Pair13 p = connect13(cc, sc, &rec, "www.example.com");
  ASSERT_TRUE(p.server->is_connected()) << (p.server_error ? p.server_error->message() : "");
  EXPECT_EQ(p.server->info().alpn, "http/1.1");
  EXPECT_EQ(p.client->info().alpn, "http/1.1");
  EXPECT_EQ(p.server->info().server_name, "www.example.com");
  // The certificate naming the SNI host was chosen (ECDSA) and server_name acknowledged.
  EXPECT_EQ(p.server->info().own_signature_scheme, SignatureScheme::ecdsa_secp256r1_sha256);
  auto ee =
      messages::parse_encrypted_extensions(std::span<const uint8_t>(*rec.first_sent(8)).subspan(4));
  ASSERT_TRUE(ee.ok());
  EXPECT_NE(messages::find_extension(ee->extensions, ExtensionType::server_name), nullptr);

  // No overlap: no_application_protocol.
  cc = client13_config();
  cc->alpn = {"spdy/3"};
  p = connect13(cc, sc, nullptr);
  ASSERT_TRUE(p.server_error);
  EXPECT_EQ(p.server_error->alert(), AlertDescription::no_application_protocol);
}

TEST(Server13Loopback, Tls12ClientOnTheSameConfigGetsTls12WithTheSentinel) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto cc = client13_config({CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256});
  cc->max_version = ProtocolVersion::tls1_2;
  Recorder rec;
  Pair13 p = connect13(cc, make_config({certs->rsa}), &rec);
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_TRUE(p.server->is_connected());
  EXPECT_EQ(p.server->info().version, ProtocolVersion::tls1_2);
  auto sh = messages::parse_server_hello(std::span<const uint8_t>(*rec.first_sent(2)).subspan(4));
  ASSERT_TRUE(sh.ok());
  EXPECT_EQ(messages::downgrade_sentinel(sh->random), messages::DowngradeSentinel::tls12);
  EXPECT_EQ(rec.states.front(), "server12::ExpectClientHello");
  EXPECT_EQ(rec.states.back(), "server12::Connected");
  exchange_data(p);

  // A 1.2-only server configuration never writes it.
  auto sc = make_config({certs->rsa});
  sc->max_version = ProtocolVersion::tls1_2;
  Recorder rec2;
  p = connect13(cc, sc, &rec2);
  ASSERT_TRUE(p.server->is_connected());
  sh = messages::parse_server_hello(std::span<const uint8_t>(*rec2.first_sent(2)).subspan(4));
  EXPECT_EQ(messages::downgrade_sentinel(sh->random), messages::DowngradeSentinel::none);

  // A dual-offering client against a 1.2-only server: TLS 1.2, no sentinel, no abort.
  auto dual = client13_config(
      {CipherSuite::TLS_AES_128_GCM_SHA256, CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256});
  ASSERT_EQ(dual->min_version, ProtocolVersion::tls1_2);
  p = connect13(dual, sc, nullptr);
  ASSERT_FALSE(p.client_error) << p.client_error->message();
  ASSERT_TRUE(p.client->is_connected());
  EXPECT_EQ(p.client->info().version, ProtocolVersion::tls1_2);
}

TEST(Server13Loopback, TicketCountIsConfigurable) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  for (uint32_t n : {0u, 1u, 3u}) {
    auto sc = make_config({certs->ecdsa});
    sc->tls13_session_tickets = n;
    Recorder rec;
    Pair13 p = connect13(client13_config(), sc, &rec);
    ASSERT_TRUE(p.server->is_connected());
    EXPECT_EQ(rec.count_sent(4), n);
  }
}

}  // namespace
}  // namespace hs::test

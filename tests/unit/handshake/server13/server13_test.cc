// The TLS 1.3 server driven message by message with a scripted client: resumption with our own
// tickets, HelloRetryRequest rules, each refusal with its exact alert, the dummy
// ChangeCipherSpec rules, KeyUpdate, and which message types each state accepts.
#include <gtest/gtest.h>
#include <hs/session.h>

#include "handshake/server/server.h"
#include "unit/handshake/server13/server13_harness.h"

namespace hs::test {
namespace {

class Server13Test : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = test_certs();
    ASSERT_NE(certs_, nullptr);
  }

  void start(std::shared_ptr<ServerConfig> config = nullptr) {
    config_ = config ? std::move(config) : make_config({certs_->ecdsa, certs_->rsa});
    ctx_ = std::make_unique<FakeContext>();
    driver_ = detail::make_server_driver(config_);
    ASSERT_TRUE(driver_->start(*ctx_).ok());
    client_ = std::make_unique<ScriptedClient13>(*driver_, *ctx_);
  }

  // full runs a whole handshake and returns the tickets.
  std::vector<ScriptedClient13::Ticket> full(const Hello13Options& opts = {}) {
    start(config_);
    auto r = client_->hello(opts);
    EXPECT_TRUE(r.ok()) << r.error().message();
    auto f = client_->finished(false, true);
    EXPECT_TRUE(f.ok()) << f.error().message();
    EXPECT_TRUE(driver_->is_connected());
    return client_->tickets();
  }

  // hello_error sends one ClientHello and returns the server's error (nothing may be sent).
  Error hello_error(const Hello13Options& opts) {
    start(config_);
    auto r = client_->hello(opts);
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(ctx_->sent.empty());
    return r.ok() ? Error(ErrorCode::internal_error, "test") : r.error();
  }

  const TestCerts* certs_ = nullptr;
  std::shared_ptr<ServerConfig> config_;
  std::unique_ptr<FakeContext> ctx_;
  std::unique_ptr<detail::HandshakeDriver> driver_;
  std::unique_ptr<ScriptedClient13> client_;
};

TEST_F(Server13Test, FullHandshakeSendsTwoTicketsAndLogsEverySecret) {
  start();
  auto tickets = full();
  EXPECT_EQ(tickets.size(), 2u);
  EXPECT_NE(tickets[0].ticket, tickets[1].ticket);
  EXPECT_NE(tickets[0].psk, tickets[1].psk);
  EXPECT_NE(tickets[0].age_add, tickets[1].age_add);
  std::vector<std::string> labels;
  for (const auto& [label, secret] : ctx_->key_logs) {
    labels.push_back(label);
  }
  const std::vector<std::string> expected = {
      "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
      "SERVER_TRAFFIC_SECRET_0", "CLIENT_TRAFFIC_SECRET_0", "EXPORTER_SECRET"};
  EXPECT_EQ(labels, expected);
  EXPECT_TRUE(client_->saw_certificate);
  EXPECT_FALSE(ctx_->info().resumed);
  // Middlebox compatibility: our CCS right after the ServerHello.
  ASSERT_GE(ctx_->log.size(), 2u);
  EXPECT_EQ(ctx_->log[0], "hs:server_hello");
  EXPECT_EQ(ctx_->log[1], "ccs");
}

// RFC 8446 §4.2.1: with supported_versions present the server "MUST NOT use the
// ClientHello.legacy_version value for version negotiation": a TLS 1.3 hello saying 0x0301 or
// 0x0302 there still gets TLS 1.3 (only 0x0300 and below are refused, Appendix D.5).
TEST_F(Server13Test, LegacyVersionBelowTls12IsIgnoredWhenTls13IsOffered) {
  start();
  for (uint16_t legacy : {uint16_t{0x0301}, uint16_t{0x0302}}) {
    SCOPED_TRACE(legacy);
    Hello13Options opts;
    opts.legacy_version = static_cast<ProtocolVersion>(legacy);
    full(opts);
    ASSERT_TRUE(client_->server_hello.has_value());
    EXPECT_EQ(client_->server_hello->legacy_version, ProtocolVersion::tls1_2);
    EXPECT_EQ(ctx_->info().version, ProtocolVersion::tls1_3);
  }
}

TEST_F(Server13Test, NoDummyCcsWithoutALegacySessionId) {
  start();
  Hello13Options opts;
  opts.session_id.clear();
  full(opts);
  for (const std::string& l : ctx_->log) {
    EXPECT_NE(l, "ccs");
  }
  EXPECT_TRUE(client_->server_hello->legacy_session_id.empty());
}

TEST_F(Server13Test, ResumptionWithATicketFromTheFirstConnection) {
  start();
  auto tickets = full();
  ASSERT_FALSE(tickets.empty());
  Hello13Options opts;
  opts.psk_ticket = tickets[1].ticket;
  opts.psk_secret = tickets[1].psk;
  start(config_);
  auto r = client_->hello(opts);
  ASSERT_TRUE(r.ok()) << r.error().message();
  // pre_shared_key selected_identity 0, no Certificate/CertificateVerify.
  const auto* psk =
      messages::find_extension(client_->server_hello->extensions, ExtensionType::pre_shared_key);
  ASSERT_NE(psk, nullptr);
  EXPECT_EQ(messages::parse_pre_shared_key_server(psk->data).value(), 0);
  EXPECT_FALSE(client_->saw_certificate);
  for (const auto& l : ctx_->log) {
    EXPECT_NE(l, "hs:certificate");
    EXPECT_NE(l, "hs:certificate_verify");
  }
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(driver_->is_connected());
  EXPECT_TRUE(ctx_->info().resumed);
  EXPECT_FALSE(ctx_->info().signature_scheme.has_value());
  // Tickets from a resumed connection resume too.
  auto again = client_->tickets();
  ASSERT_FALSE(again.empty());
  opts.psk_ticket = again[0].ticket;
  opts.psk_secret = again[0].psk;
  start(config_);
  ASSERT_TRUE(client_->hello(opts).ok());
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(ctx_->info().resumed);
}

TEST_F(Server13Test, WrongBinderIsDecryptError) {
  start();
  auto tickets = full();
  Hello13Options opts;
  opts.psk_ticket = tickets[0].ticket;
  opts.psk_secret = tickets[0].psk;
  opts.corrupt_binder = true;
  Error e = hello_error(opts);
  EXPECT_EQ(e.code(), ErrorCode::bad_finished);
  EXPECT_EQ(e.alert(), AlertDescription::decrypt_error);
  // The right ticket with the wrong PSK (the other ticket's) is just as wrong.
  opts.corrupt_binder = false;
  opts.psk_secret = tickets[1].psk;
  e = hello_error(opts);
  EXPECT_EQ(e.alert(), AlertDescription::decrypt_error);
}

TEST_F(Server13Test, TamperedOrForeignTicketMeansAFullHandshake) {
  start();
  auto tickets = full();
  for (size_t pos : {size_t{0}, size_t{20}, tickets[0].ticket.size() - 1}) {
    Hello13Options opts;
    opts.psk_ticket = tickets[0].ticket;
    (*opts.psk_ticket)[pos] ^= 0x80;
    opts.psk_secret = tickets[0].psk;
    start(config_);
    auto r = client_->hello(opts);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(
        messages::find_extension(client_->server_hello->extensions, ExtensionType::pre_shared_key),
        nullptr);
    EXPECT_TRUE(client_->saw_certificate);
    ASSERT_TRUE(client_->finished().ok());
    EXPECT_FALSE(ctx_->info().resumed);
  }
  // A short garbage identity too.
  Hello13Options opts;
  opts.psk_ticket = std::vector<uint8_t>{1, 2, 3};
  opts.psk_secret = tickets[0].psk;
  start(config_);
  ASSERT_TRUE(client_->hello(opts).ok());
  EXPECT_TRUE(client_->saw_certificate);
}

TEST_F(Server13Test, ResumptionNeedsTheSameHashAsTheTicketsSuite) {
  start();
  auto tickets = full();  // TLS_AES_128_GCM_SHA256
  EXPECT_EQ(client_->suite, CipherSuite::TLS_AES_128_GCM_SHA256);
  Hello13Options opts;
  opts.suites = {CipherSuite::TLS_AES_256_GCM_SHA384};
  opts.psk_ticket = tickets[0].ticket;
  opts.psk_secret = tickets[0].psk;
  opts.psk_hash = crypto::HashAlg::sha384;
  start(config_);
  ASSERT_TRUE(client_->hello(opts).ok());
  EXPECT_EQ(client_->suite, CipherSuite::TLS_AES_256_GCM_SHA384);
  EXPECT_TRUE(client_->saw_certificate);  // full handshake
}

TEST_F(Server13Test, HelloRetryRequestThenResumption) {
  start();
  auto tickets = full();
  auto config = make_config({certs_->ecdsa});
  config->groups = {NamedGroup::secp256r1};
  config_ = config;
  Hello13Options opts;
  opts.psk_ticket = tickets[0].ticket;
  opts.psk_secret = tickets[0].psk;
  start(config_);
  ASSERT_TRUE(client_->hello(opts).ok());
  ASSERT_TRUE(client_->hrr_group);
  EXPECT_EQ(*client_->hrr_group, NamedGroup::secp256r1);
  opts.share_groups = {NamedGroup::secp256r1};
  opts.cookie = client_->hrr_cookie;
  auto r = client_->retry(opts);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(client_->finished(false, true).ok());
  EXPECT_TRUE(ctx_->info().resumed);
  EXPECT_EQ(ctx_->info().group, NamedGroup::secp256r1);
  // Exactly one CCS from us (after the HelloRetryRequest).
  EXPECT_EQ(std::count(ctx_->log.begin(), ctx_->log.end(), "ccs"), 1);
}

// ---- HelloRetryRequest and ClientHello2 ----

class Server13HrrTest : public Server13Test {
 protected:
  // hrr sends a ClientHello with an x25519 share only to a P-256-only server.
  Hello13Options hrr() {
    auto config = make_config({certs_->ecdsa});
    config->groups = {NamedGroup::secp256r1};
    start(config);
    Hello13Options opts;
    auto r = client_->hello(opts);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(client_->hrr_cookie);
    EXPECT_EQ(driver_->state_name(), "server13::ExpectSecondClientHello");
    opts.share_groups = {NamedGroup::secp256r1};
    opts.cookie = client_->hrr_cookie;
    return opts;
  }
  void expect_mismatch(const Hello13Options& opts) {
    auto r = client_->retry(opts);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::illegal_parameter) << r.error().message();
    EXPECT_EQ(r.error().alert(), AlertDescription::illegal_parameter);
  }
};

TEST_F(Server13HrrTest, MatchingClientHello2Completes) {
  auto opts = hrr();
  ASSERT_TRUE(client_->retry(opts).ok());
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(driver_->is_connected());
}

TEST_F(Server13HrrTest, ClientHello2MismatchesAreIllegalParameter) {
  auto opts = hrr();
  opts.share_groups = {NamedGroup::x25519};  // still not the requested group: no second HRR
  expect_mismatch(opts);
  opts = hrr();
  opts.share_groups = {NamedGroup::secp256r1, NamedGroup::x25519};
  expect_mismatch(opts);
  opts = hrr();
  opts.suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  expect_mismatch(opts);
  opts = hrr();
  opts.cookie.reset();
  expect_mismatch(opts);
  opts = hrr();
  (*opts.cookie)[3] ^= 1;
  expect_mismatch(opts);
  opts = hrr();
  opts.cookie->back() ^= 1;
  expect_mismatch(opts);
  opts = hrr();
  opts.session_id = std::vector<uint8_t>(32, 0x22);
  expect_mismatch(opts);
  opts = hrr();
  opts.sni = "other.example";
  expect_mismatch(opts);
  opts = hrr();
  opts.early_data = true;
  expect_mismatch(opts);
}

TEST_F(Server13HrrTest, ACookieInTheFirstClientHelloIsRefused) {
  start();
  Hello13Options opts;
  opts.cookie = std::vector<uint8_t>{1, 2, 3};
  Error e = hello_error(opts);
  EXPECT_EQ(e.alert(), AlertDescription::illegal_parameter);
}

// ---- ClientHello refusals ----

TEST_F(Server13Test, ClientHelloRefusalsWithTheirAlerts) {
  struct Case {
    const char* name;
    std::function<void(Hello13Options&)> edit;
    AlertDescription alert;
  };
  const Case cases[] = {
      {"no key_share", [](Hello13Options& o) { o.key_share = false; },
       AlertDescription::missing_extension},
      {"no supported_groups", [](Hello13Options& o) { o.groups.reset(); },
       AlertDescription::missing_extension},
      {"no signature_algorithms", [](Hello13Options& o) { o.schemes.reset(); },
       AlertDescription::missing_extension},
      {"share for a group not in supported_groups",
       [](Hello13Options& o) {
         o.groups = std::vector<NamedGroup>{NamedGroup::secp256r1};
         o.share_groups = {NamedGroup::x25519};
       },
       AlertDescription::illegal_parameter},
      {"pre_shared_key not last",
       [](Hello13Options& o) {
         o.psk_ticket = std::vector<uint8_t>(40, 7);
         o.psk_secret = std::vector<uint8_t>(32, 1);
         o.psk_not_last = true;
       },
       AlertDescription::illegal_parameter},
      {"pre_shared_key without psk_key_exchange_modes",
       [](Hello13Options& o) {
         o.psk_ticket = std::vector<uint8_t>(40, 7);
         o.psk_secret = std::vector<uint8_t>(32, 1);
         // psk_modes is switched on by psk_ticket; drop it through `extra` below.
       },
       AlertDescription::missing_extension},
      {"compression [null, deflate]",
       [](Hello13Options& o) {
         o.compression = {0, 1};
       },
       AlertDescription::illegal_parameter},
      {"compression [deflate]", [](Hello13Options& o) { o.compression = {1}; },
       AlertDescription::illegal_parameter},
      {"legacy_version 0x0300",
       [](Hello13Options& o) { o.legacy_version = static_cast<ProtocolVersion>(0x0300); },
       AlertDescription::protocol_version},
      {"no TLS 1.3 suite",
       [](Hello13Options& o) { o.suites = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}; },
       AlertDescription::handshake_failure},
      {"no common group",
       [](Hello13Options& o) {
         o.groups = std::vector<NamedGroup>{NamedGroup::X25519MLKEM768};
         o.share_groups = {};
       },
       AlertDescription::handshake_failure},
      {"no scheme for our certificates",
       [](Hello13Options& o) {
         o.schemes = std::vector<SignatureScheme>{SignatureScheme::rsa_pkcs1_sha256};
       },
       AlertDescription::handshake_failure},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Hello13Options opts;
    c.edit(opts);
    if (std::string_view(c.name) == "pre_shared_key without psk_key_exchange_modes") {
      // Build the hello without psk_key_exchange_modes: the scripted client adds it for any
      // psk_ticket, so send the PSK as a raw extra extension instead.
      messages::OfferedPsks psks;
      psks.identities.push_back({std::vector<uint8_t>(40, 7), 0});
      psks.binders.push_back(std::vector<uint8_t>(32, 0));
      messages::Extension e{ExtensionType::pre_shared_key, {}};
      ASSERT_TRUE(messages::serialize_pre_shared_key_client(psks, e.data).ok());
      opts.psk_ticket.reset();
      opts.extra.push_back(e);
    }
    Error e = hello_error(opts);
    EXPECT_EQ(e.alert(), c.alert) << e.message();
  }
}

TEST_F(Server13Test, BadClientFinishedIsDecryptError) {
  start();
  ASSERT_TRUE(client_->hello({}).ok());
  auto r = client_->finished(/*corrupt=*/true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_finished);
  EXPECT_EQ(r.error().alert(), AlertDescription::decrypt_error);
  EXPECT_FALSE(driver_->is_connected());
}

TEST_F(Server13Test, DummyChangeCipherSpecRules) {
  // Before the first ClientHello: unexpected.
  start();
  auto r = driver_->on_change_cipher_spec(*ctx_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message);
  // One before the Finished is dropped; a second is unexpected.
  start();
  ASSERT_TRUE(client_->hello({}).ok());
  ASSERT_TRUE(driver_->on_change_cipher_spec(*ctx_).ok());
  r = driver_->on_change_cipher_spec(*ctx_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message);
  // After the client's Finished: unexpected.
  start();
  ASSERT_TRUE(client_->hello({}).ok());
  ASSERT_TRUE(client_->finished().ok());
  r = driver_->on_change_cipher_spec(*ctx_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message);
}

TEST_F(Server13Test, KeyUpdateUpdatesReadKeysAndAnswersARequest) {
  start();
  ASSERT_TRUE(client_->hello({}).ok());
  ASSERT_TRUE(client_->finished().ok());
  ctx_->take_sent();
  ctx_->log.clear();
  std::vector<uint8_t> raw;
  ASSERT_TRUE(messages::serialize_message(
                  messages::KeyUpdate{messages::KeyUpdateRequest::update_not_requested}, raw)
                  .ok());
  ASSERT_TRUE(client_->deliver(raw).ok());
  EXPECT_EQ(ctx_->log, std::vector<std::string>{"read_keys"});
  raw.clear();
  ASSERT_TRUE(messages::serialize_message(
                  messages::KeyUpdate{messages::KeyUpdateRequest::update_requested}, raw)
                  .ok());
  ctx_->log.clear();
  ASSERT_TRUE(client_->deliver(raw).ok());
  const std::vector<std::string> log = {"read_keys", "hs:key_update", "write_keys"};
  EXPECT_EQ(ctx_->log, log);
  ASSERT_EQ(ctx_->sent.size(), 1u);
  EXPECT_EQ(ctx_->sent[0].raw.back(), 0);  // update_not_requested
  // An invalid request_update value is illegal_parameter.
  auto bad = handshake_raw(HandshakeType::key_update, std::vector<uint8_t>{2});
  auto r = client_->deliver(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::illegal_parameter);
}

// ---- which message types each state accepts ----

constexpr HandshakeType kAllTypes[] = {
    HandshakeType::hello_request,
    HandshakeType::client_hello,
    HandshakeType::server_hello,
    HandshakeType::new_session_ticket,
    HandshakeType::end_of_early_data,
    HandshakeType::encrypted_extensions,
    HandshakeType::certificate,
    HandshakeType::server_key_exchange,
    HandshakeType::certificate_request,
    HandshakeType::server_hello_done,
    HandshakeType::certificate_verify,
    HandshakeType::client_key_exchange,
    HandshakeType::finished,
    HandshakeType::certificate_status,
    HandshakeType::key_update,
    HandshakeType::message_hash,
    static_cast<HandshakeType>(99),
};

TEST_F(Server13Test, StateAcceptanceTable) {
  enum class Stage { client_hello, second_client_hello, finished, connected };
  struct Row {
    Stage stage;
    std::string_view name;
    std::optional<HandshakeType> accepts;
  };
  const Row rows[] = {
      {Stage::client_hello, "server::ExpectClientHello", HandshakeType::client_hello},
      {Stage::second_client_hello, "server13::ExpectSecondClientHello",
       HandshakeType::client_hello},
      {Stage::finished, "server13::ExpectFinished", HandshakeType::finished},
      {Stage::connected, "server13::Connected", HandshakeType::key_update},
  };
  auto reach = [&](Stage stage) {
    auto config = make_config({certs_->ecdsa});
    if (stage == Stage::second_client_hello) {
      config->groups = {NamedGroup::secp256r1};
    }
    start(config);
    if (stage == Stage::client_hello) {
      return;
    }
    ASSERT_TRUE(client_->hello({}).ok());
    if (stage != Stage::connected) {
      return;
    }
    ASSERT_TRUE(client_->finished().ok());
  };
  for (const Row& row : rows) {
    for (HandshakeType type : kAllTypes) {
      if (row.accepts == type) {
        continue;
      }
      SCOPED_TRACE(::testing::Message() << row.name << " gets type " << static_cast<int>(type));
      reach(row.stage);
      ASSERT_EQ(driver_->state_name(), row.name);
      std::vector<uint8_t> body(4, 0);
      auto raw = handshake_raw(type, body);
      auto r = driver_->on_handshake(*ctx_, view(raw));
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message) << r.error().message();
      EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message);
      EXPECT_FALSE(driver_->is_connected());
    }
  }
}

TEST_F(Server13Test, TicketsSealAndOpen) {
  auto config = make_config({certs_->ecdsa});
  config->ticket_keys = TicketKeys::generate(&test_provider()).value();
  server13::TicketState st;
  st.suite = CipherSuite::TLS_AES_256_GCM_SHA384;
  st.psk = SecretBytes(std::vector<uint8_t>(48, 9));
  st.created_ms = 1234567;
  st.age_add = 0xDEADBEEF;
  st.lifetime_s = 600;
  st.alpn = "h2";
  st.server_name = "example.com";
  auto ticket = server13::seal_ticket(*config, st);
  ASSERT_TRUE(ticket.ok());
  auto opened = server13::open_ticket(*config, ticket.value());
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->suite, st.suite);
  EXPECT_EQ(declassify(opened->psk.expose()), declassify(st.psk.expose()));
  EXPECT_EQ(opened->created_ms, st.created_ms);
  EXPECT_EQ(opened->age_add, st.age_add);
  EXPECT_EQ(opened->lifetime_s, 600u);
  EXPECT_EQ(opened->alpn, "h2");
  EXPECT_EQ(opened->server_name, "example.com");
  // Two seals of the same state differ (fresh IV); any flipped bit is rejected.
  EXPECT_NE(server13::seal_ticket(*config, st).value(), ticket.value());
  for (size_t i = 0; i < ticket->size(); i += 7) {
    auto bad = ticket.value();
    bad[i] ^= 1;
    EXPECT_FALSE(server13::open_ticket(*config, bad)) << i;
  }
  auto shorter = ticket.value();
  shorter.pop_back();
  EXPECT_FALSE(server13::open_ticket(*config, shorter));
  // Another ring (or the per-process one) does not know the key.
  auto other = make_config({certs_->ecdsa});
  EXPECT_FALSE(server13::open_ticket(*other, ticket.value()));
}

TEST_F(Server13Test, SharedTicketKeysResumeAcrossServersAndExpiredTicketsDoNot) {
  auto keys = TicketKeys::generate(&test_provider()).value();
  auto config = make_config({certs_->ecdsa});
  config->ticket_keys = keys;
  config_ = config;
  start(config_);
  auto tickets = full();
  ASSERT_FALSE(tickets.empty());
  // A second server sharing the ring resumes.
  auto second = make_config({certs_->rsa});
  second->ticket_keys = keys;
  config_ = second;
  Hello13Options opts;
  opts.psk_ticket = tickets[0].ticket;
  opts.psk_secret = tickets[0].psk;
  start(config_);
  ASSERT_TRUE(client_->hello(opts).ok());
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(ctx_->info().resumed);
  // A server with its own ring does a full handshake.
  config_ = make_config({certs_->rsa});
  start(config_);
  ASSERT_TRUE(client_->hello(opts).ok());
  EXPECT_TRUE(client_->saw_certificate);
  // An expired ticket (issued 2 hours ago with a 1 hour lifetime): full handshake.
  server13::TicketState st;
  st.suite = CipherSuite::TLS_AES_128_GCM_SHA256;
  st.psk = SecretBytes(std::vector<uint8_t>(32, 5));
  st.created_ms = server13::now_ms() - 2 * 3600 * 1000;
  st.lifetime_s = 3600;
  config_ = config;
  opts.psk_ticket = server13::seal_ticket(*config, st).value();
  opts.psk_secret = std::vector<uint8_t>(32, 5);
  start(config_);
  ASSERT_TRUE(client_->hello(opts).ok());
  EXPECT_TRUE(client_->saw_certificate);
  // The same ticket still valid resumes (the PSK in it is what the binder uses).
  st.created_ms = server13::now_ms() - 1000;
  opts.psk_ticket = server13::seal_ticket(*config, st).value();
  start(config_);
  ASSERT_TRUE(client_->hello(opts).ok());
  EXPECT_FALSE(client_->saw_certificate);
}

TEST_F(Server13Test, IssueTicketsOffMeansNoTicketsAndNoResumption) {
  start();
  auto tickets = full();
  ASSERT_FALSE(tickets.empty());
  auto config = make_config({certs_->ecdsa});
  config->issue_tickets = false;
  config_ = config;
  Hello13Options opts;
  opts.psk_ticket = tickets[0].ticket;
  opts.psk_secret = tickets[0].psk;
  start(config_);
  ASSERT_TRUE(client_->hello(opts).ok());
  EXPECT_TRUE(client_->saw_certificate);
  ASSERT_TRUE(client_->finished().ok());
  EXPECT_TRUE(client_->tickets().empty());
}

// OCSP stapling in TLS 1.3 (RFC 8446 §4.4.2.1): the response travels as the leaf
// CertificateEntry's status_request extension, holding a CertificateStatus, and only when the
// ClientHello carried status_request (§4.4.2: entry extensions "MUST correspond to ones from the
// ClientHello message").
TEST_F(Server13Test, StaplesTheOcspResponseInTheLeafEntryOnlyWhenAsked) {
  const std::vector<uint8_t> response = {0x30, 0x03, 0x0A, 0x01, 0x00};
  ServerCertificate ecdsa = certs_->ecdsa;
  ecdsa.ocsp_response = response;
  auto leaf_extensions = [&](const Hello13Options& opts) {
    config_ = make_config({ecdsa});
    start(config_);
    EXPECT_TRUE(client_->hello(opts).ok());
    for (const auto& m : client_->server_flight) {
      if (m.type == HandshakeType::certificate) {
        auto cert = messages::parse_certificate13(std::span<const uint8_t>(m.raw).subspan(4));
        EXPECT_TRUE(cert.ok());
        if (cert.ok() && !cert->entries.empty()) {
          EXPECT_EQ(cert->entries.size(), ecdsa.chain.size());
          return cert->entries.front().extensions;
        }
      }
    }
    ADD_FAILURE() << "no Certificate";
    return std::vector<messages::Extension>{};
  };
  Hello13Options asked;
  asked.extra = {messages::Extension{ExtensionType::status_request, {1, 0, 0, 0, 0}}};
  auto stapled = leaf_extensions(asked);
  ASSERT_EQ(stapled.size(), 1u);
  EXPECT_EQ(stapled[0].type, ExtensionType::status_request);
  auto status = messages::parse_certificate_status(stapled[0].data);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->ocsp_response, response);

  EXPECT_TRUE(leaf_extensions(Hello13Options{}).empty());
}

TEST_F(Server13Test, MalformedStatusRequestIsDecodeError) {
  Hello13Options opts;
  opts.extra = {messages::Extension{ExtensionType::status_request, {1, 0, 0}}};
  config_ = make_config({certs_->ecdsa});
  EXPECT_EQ(hello_error(opts).code(), ErrorCode::decode_error);
}

}  // namespace
}  // namespace hs::test

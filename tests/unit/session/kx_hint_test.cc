// Key-exchange hints end to end in memory: our client against our server configured with one
// group the client does not share first. The first TLS 1.3 connection pays a HelloRetryRequest;
// the next ones share the remembered group at once, with resumption and without. A server that
// changed its group gets a HelloRetryRequest again and the hint follows it; a TLS 1.2 server's
// curve hints the next TLS 1.3 hello; a store without hints keeps the old behaviour.
#include <gtest/gtest.h>

#include <algorithm>

#include "handshake/client/client.h"
#include "messages/extensions.h"
#include "unit/session/session_test_util.h"

namespace hs::test {
namespace {

constexpr uint8_t kClientHello = 1;
constexpr uint8_t kServerHello = 2;  // a HelloRetryRequest is a ServerHello too

std::shared_ptr<ServerConfig> server_with(std::vector<NamedGroup> groups, bool tickets) {
  auto sc = resume_server_config();
  sc->groups = std::move(groups);
  if (!tickets) {
    sc->tls13_session_tickets = 0;
    sc->issue_tickets = false;
    sc->session_cache = nullptr;
  }
  return sc;
}

// hellos counts the ClientHellos a connection's client sent (2 after a HelloRetryRequest).
long hellos(const Outcome& o) { return std::ranges::count(o.client_notes.out, kClientHello); }

std::string why(const Outcome& o) {
  return (o.client_error ? "client: " + o.client_error->message() : std::string()) +
         (o.server_error ? " server: " + o.server_error->message() : std::string());
}

constexpr std::string_view kHintNote =
    "key share for secp256r1, the group this server chose last time";

TEST(KxHint, SecondFullHandshakeSkipsTheHelloRetryRequest) {
  auto sc = server_with({NamedGroup::secp256r1}, /*tickets=*/false);
  auto cc = resume_client_config(ProtocolVersion::tls1_3);  // x25519, secp256r1, secp384r1
  auto first = run_pair(cc, sc);
  ASSERT_TRUE(first->ok()) << why(*first);
  EXPECT_EQ(hellos(*first), 2);
  EXPECT_EQ(std::ranges::count(first->client_notes.in, kServerHello), 2);
  EXPECT_FALSE(first->client_notes.has(kHintNote));
  EXPECT_EQ(cc->sessions->kx_hint(cc->session_key), NamedGroup::secp256r1);
  EXPECT_FALSE(cc->sessions->get(cc->session_key).has_value()) << "no tickets from this server";

  for (int i = 0; i < 2; ++i) {
    auto next = run_pair(cc, sc);
    ASSERT_TRUE(next->ok()) << why(*next);
    EXPECT_FALSE(next->client->info().resumed);
    EXPECT_EQ(next->client->info().group, NamedGroup::secp256r1);
    EXPECT_EQ(hellos(*next), 1);
    EXPECT_EQ(std::ranges::count(next->client_notes.in, kServerHello), 1);
    EXPECT_TRUE(next->client_notes.has(kHintNote));
  }
}

TEST(KxHint, ResumedHandshakeSkipsTheHelloRetryRequest) {
  auto sc = server_with({NamedGroup::secp256r1}, /*tickets=*/true);
  auto cc = resume_client_config(ProtocolVersion::tls1_3);
  auto first = run_pair(cc, sc);
  ASSERT_TRUE(first->ok()) << why(*first);
  EXPECT_EQ(hellos(*first), 2);
  for (int i = 0; i < 2; ++i) {
    auto next = run_pair(cc, sc);
    ASSERT_TRUE(next->ok()) << why(*next);
    EXPECT_TRUE(next->client->info().resumed);
    EXPECT_TRUE(next->server->info().resumed);
    EXPECT_EQ(next->client->info().group, NamedGroup::secp256r1);  // psk_dhe_ke
    EXPECT_EQ(hellos(*next), 1);
  }
}

// Without a store there is nowhere to remember: every connection pays the HelloRetryRequest.
TEST(KxHint, NoStoreMeansAHelloRetryRequestEveryTime) {
  auto sc = server_with({NamedGroup::secp256r1}, /*tickets=*/false);
  auto cc = resume_client_config(ProtocolVersion::tls1_3);
  cc->sessions = nullptr;
  for (int i = 0; i < 2; ++i) {
    auto o = run_pair(cc, sc);
    ASSERT_TRUE(o->ok()) << why(*o);
    EXPECT_EQ(hellos(*o), 2);
  }
}

// A custom store that implements only put/take/get gets the interface's defaults: no hint is
// kept, the connections work as before (a HelloRetryRequest each), nothing fails.
TEST(KxHint, StoreWithoutHintsKeepsTheOldBehaviour) {
  class TicketsOnly final : public ClientSessionStore {
   public:
    void put(const std::string& key, StoredSession s) override { inner_.put(key, std::move(s)); }
    std::optional<StoredSession> take(const std::string& key) override { return inner_.take(key); }
    std::optional<StoredSession> get(const std::string& key) override { return inner_.get(key); }

   private:
    InMemorySessionStore inner_;
  };
  auto sc = server_with({NamedGroup::secp256r1}, /*tickets=*/true);
  auto cc = resume_client_config(ProtocolVersion::tls1_3);
  cc->sessions = std::make_shared<TicketsOnly>();
  ASSERT_TRUE(run_pair(cc, sc)->ok());
  auto second = run_pair(cc, sc);
  ASSERT_TRUE(second->ok()) << why(*second);
  EXPECT_TRUE(second->client->info().resumed);
  EXPECT_EQ(hellos(*second), 2);
  EXPECT_EQ(cc->sessions->kx_hint(cc->session_key), std::nullopt);
}

// The server moved from secp256r1 to x25519 only: the remembered share is refused with a
// HelloRetryRequest naming x25519, the handshake completes, and the hint follows the server, so
// the connection after that needs no retry. With tickets (the PSK is rebound after the retry,
// see Resume13.RebindsAfterHelloRetryRequest) and without.
TEST(KxHint, ChangedServerFallsBackToAHelloRetryRequest) {
  for (bool tickets : {false, true}) {
    SCOPED_TRACE(tickets ? "resumed" : "full handshakes");
    auto before = server_with({NamedGroup::secp256r1}, tickets);
    auto after = std::make_shared<ServerConfig>(*before);  // same ticket keys
    after->groups = {NamedGroup::x25519};
    auto cc = resume_client_config(ProtocolVersion::tls1_3);
    cc->groups = {NamedGroup::secp384r1, NamedGroup::x25519, NamedGroup::secp256r1};
    ASSERT_TRUE(run_pair(cc, before)->ok());
    ASSERT_EQ(cc->sessions->kx_hint(cc->session_key), NamedGroup::secp256r1);

    auto changed = run_pair(cc, after);
    ASSERT_TRUE(changed->ok()) << why(*changed);
    EXPECT_TRUE(changed->client_notes.has(kHintNote));
    EXPECT_EQ(hellos(*changed), 2);
    EXPECT_EQ(changed->client->info().group, NamedGroup::x25519);
    EXPECT_EQ(changed->client->info().resumed, tickets);
    EXPECT_EQ(cc->sessions->kx_hint(cc->session_key), NamedGroup::x25519);

    auto settled = run_pair(cc, after);
    ASSERT_TRUE(settled->ok()) << why(*settled);
    EXPECT_EQ(hellos(*settled), 1);
    EXPECT_EQ(settled->client->info().group, NamedGroup::x25519);
    EXPECT_EQ(settled->client->info().resumed, tickets);
  }
}

// A failed handshake leaves the hint alone: it is recorded only once the server's Finished
// verified, so an unauthenticated ServerHello cannot steer the next connection.
TEST(KxHint, FailedHandshakeRecordsNoHint) {
  auto sc = server_with({NamedGroup::secp256r1}, /*tickets=*/false);
  auto cc = resume_client_config(ProtocolVersion::tls1_3);
  cc->dangerous_skip_verification = false;
  cc->verifier = nullptr;  // no verifier and no -k: the certificate is refused
  auto o = run_pair(cc, sc);
  ASSERT_FALSE(o->ok());
  EXPECT_EQ(hellos(*o), 2);
  EXPECT_EQ(cc->sessions->kx_hint(cc->session_key), std::nullopt);
}

// A TLS 1.2-only server's ServerKeyExchange curve hints the next TLS 1.3 hello when our
// ClientHello offered TLS 1.3 (the server then is TLS 1.2 only); once the server speaks TLS 1.3
// with that group, the first TLS 1.3 connection needs no retry. A client that offered TLS 1.2
// only learns nothing about the server's TLS 1.3 choice and records nothing.
TEST(KxHint, Tls12ServerCurveHintsTheNextTls13Hello) {
  auto sc12 = server_with({NamedGroup::secp256r1}, /*tickets=*/false);
  sc12->max_version = ProtocolVersion::tls1_2;
  {
    auto only12 = resume_client_config(ProtocolVersion::tls1_2);
    auto o = run_pair(only12, sc12);
    ASSERT_TRUE(o->ok()) << why(*o);
    EXPECT_EQ(o->client->info().group, NamedGroup::secp256r1);
    EXPECT_EQ(only12->sessions->kx_hint(only12->session_key), std::nullopt);
  }
  auto cc = resume_client_config(ProtocolVersion::tls1_3);
  auto o12 = run_pair(cc, sc12);
  ASSERT_TRUE(o12->ok()) << why(*o12);
  EXPECT_EQ(o12->client->info().version, ProtocolVersion::tls1_2);
  EXPECT_EQ(cc->sessions->kx_hint(cc->session_key), NamedGroup::secp256r1);

  auto sc13 = server_with({NamedGroup::secp256r1}, /*tickets=*/false);
  auto o13 = run_pair(cc, sc13);
  ASSERT_TRUE(o13->ok()) << why(*o13);
  EXPECT_EQ(o13->client->info().version, ProtocolVersion::tls1_3);
  EXPECT_EQ(hellos(*o13), 1);
  EXPECT_TRUE(o13->client_notes.has(kHintNote));
}

// The ClientHello itself: the one key share is for the hinted group, supported_groups keeps the
// configured order (RFC 8446 §4.2.8 lets the shares omit the most preferred groups), and a hint
// outside the configured groups is ignored.
TEST(KxHint, ClientHelloSharesTheHintedGroupAndKeepsSupportedGroupsOrder) {
  struct Case {
    std::optional<NamedGroup> hint;
    NamedGroup shared;
    bool from_hint;
  };
  const std::vector<NamedGroup> configured = {NamedGroup::x25519, NamedGroup::secp256r1,
                                              NamedGroup::secp384r1};
  for (const Case& c : {Case{std::nullopt, NamedGroup::x25519, false},
                        Case{NamedGroup::secp384r1, NamedGroup::secp384r1, true},
                        Case{NamedGroup::x25519, NamedGroup::x25519, false},
                        Case{NamedGroup::secp521r1, NamedGroup::x25519, false}}) {
    SCOPED_TRACE(c.hint ? std::string(group_name(*c.hint)) : "no hint");
    auto cc = resume_client_config(ProtocolVersion::tls1_3);
    cc->groups = configured;
    if (c.hint) {
      cc->sessions->set_kx_hint(cc->session_key, *c.hint);
    }
    auto hello =
        client::build_client_hello(session_test_provider(), cc, "localhost", client::TestHooks{});
    ASSERT_TRUE(hello.ok()) << hello.error().message();
    EXPECT_EQ(hello->share_from_hint, c.from_hint);
    auto ch = messages::parse_client_hello(std::span<const uint8_t>(hello->raw).subspan(4));
    ASSERT_TRUE(ch.ok()) << ch.error().message();
    const auto* groups = messages::find_extension(ch->extensions, ExtensionType::supported_groups);
    const auto* shares = messages::find_extension(ch->extensions, ExtensionType::key_share);
    ASSERT_NE(groups, nullptr);
    ASSERT_NE(shares, nullptr);
    EXPECT_EQ(messages::parse_supported_groups(groups->data).value(), configured);
    auto entries = messages::parse_key_share_client(shares->data).value();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].group, c.shared);
  }
}

}  // namespace
}  // namespace hs::test

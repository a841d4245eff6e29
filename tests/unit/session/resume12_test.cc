// TLS 1.2 resumption end to end in memory: our client against our server by session ID and by
// RFC 5077 ticket, key rotation, and every way a ticket or session falls back to a full
// handshake without an error.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "handshake/server12/resume.h"
#include "unit/session/session_test_util.h"

namespace hs::test {
namespace {

constexpr uint8_t kNewSessionTicket = 4;
constexpr uint8_t kCertificate = 11;

void expect_full(const Outcome& o) {
  ASSERT_TRUE(o.ok()) << (o.client_error ? o.client_error->message() : "")
                      << (o.server_error ? o.server_error->message() : "");
  EXPECT_FALSE(o.client->info().resumed);
  EXPECT_FALSE(o.server->info().resumed);
  EXPECT_NE(std::ranges::count(o.client_notes.in, kCertificate), 0);
}

void expect_resumed(const Outcome& o, std::string_view how) {
  ASSERT_TRUE(o.ok()) << (o.client_error ? o.client_error->message() : "")
                      << (o.server_error ? o.server_error->message() : "");
  EXPECT_TRUE(o.client->info().resumed);
  EXPECT_TRUE(o.server->info().resumed);
  EXPECT_TRUE(o.client_notes.has(how));
  EXPECT_TRUE(o.server_notes.has(how));
  // RFC 5246 §7.3 figure 2: no Certificate, no key exchange in an abbreviated handshake.
  EXPECT_EQ(std::ranges::count(o.client_notes.in, kCertificate), 0);
  EXPECT_EQ(o.client_notes.out.size(), 2u);  // ClientHello, Finished
  EXPECT_EQ(o.client->info().session_id, o.server->info().session_id);
}

TEST(Resume12, BySessionId) {
  auto sc = resume_server_config();
  sc->issue_tickets = false;
  auto cc = resume_client_config();
  auto first = run_pair(cc, sc);
  expect_full(*first);
  EXPECT_EQ(sc->session_cache->size(), 1u);
  EXPECT_EQ(std::ranges::count(first->client_notes.in, kNewSessionTicket), 0);
  auto stored = cc->sessions->get(cc->session_key);
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(stored->ticket.empty());
  EXPECT_EQ(stored->session_id, first->server->info().session_id);

  auto second = run_pair(cc, sc);
  expect_resumed(*second, "resumed by session ID");
  EXPECT_EQ(second->server->info().session_id, first->server->info().session_id);
  EXPECT_EQ(second->client->info().cipher_suite, first->client->info().cipher_suite);
  // Resumed again from the same cache entry.
  expect_resumed(*run_pair(cc, sc), "resumed by session ID");
}

TEST(Resume12, ByTicketWithARandomSessionIdEchoed) {
  auto sc = resume_server_config();
  sc->session_cache = nullptr;  // stateless: only the ticket can resume
  auto cc = resume_client_config();
  auto first = run_pair(cc, sc);
  expect_full(*first);
  // RFC 5077 §3.3: NewSessionTicket after the client's Finished, before the server's.
  EXPECT_EQ(std::ranges::count(first->client_notes.in, kNewSessionTicket), 1);
  auto stored = cc->sessions->get(cc->session_key);
  ASSERT_TRUE(stored.has_value());
  EXPECT_FALSE(stored->ticket.empty());
  EXPECT_EQ(stored->lifetime_s, sc->ticket_lifetime);

  auto second = run_pair(cc, sc);
  expect_resumed(*second, "resumed by ticket");
  // The server renews the ticket in the abbreviated handshake too.
  EXPECT_EQ(std::ranges::count(second->client_notes.in, kNewSessionTicket), 1);
  auto renewed = cc->sessions->get(cc->session_key);
  ASSERT_TRUE(renewed.has_value());
  EXPECT_NE(renewed->ticket, stored->ticket);
  expect_resumed(*run_pair(cc, sc), "resumed by ticket");
}

TEST(Resume12, TicketStillAcceptedAfterRotation) {
  auto sc = resume_server_config();
  sc->session_cache = nullptr;
  auto cc = resume_client_config();
  expect_full(*run_pair(cc, sc));
  ASSERT_TRUE(sc->ticket_keys->rotate().ok());
  expect_resumed(*run_pair(cc, sc), "resumed by ticket");
}

TEST(Resume12, TicketSharedAcrossServersWithTheSameKeys) {
  std::vector<uint8_t> key_bytes(TicketKeys::kEntryLen, 0x42);
  auto a = resume_server_config();
  a->session_cache = nullptr;
  a->ticket_keys = TicketKeys::from_bytes(key_bytes).value();
  auto b = resume_server_config();
  b->session_cache = nullptr;
  b->ticket_keys = TicketKeys::from_bytes(key_bytes).value();
  auto cc = resume_client_config();
  expect_full(*run_pair(cc, a));
  expect_resumed(*run_pair(cc, b), "resumed by ticket");
}

TEST(Resume12, TicketSealedWithARotatedOutKeyGivesAFullHandshake) {
  auto sc = resume_server_config();
  sc->session_cache = nullptr;
  sc->ticket_keys = TicketKeys::generate(&session_test_provider(), /*max_keys=*/2).value();
  auto cc = resume_client_config();
  expect_full(*run_pair(cc, sc));
  ASSERT_TRUE(sc->ticket_keys->rotate().ok());
  ASSERT_TRUE(sc->ticket_keys->rotate().ok());
  auto o = run_pair(cc, sc);
  expect_full(*o);
  EXPECT_TRUE(
      o->server_notes.has("session ticket not accepted (unknown key, tampered or damaged)"));
  EXPECT_TRUE(o->client_notes.has("server did not resume the offered session; full handshake"));
  // The full handshake left a fresh ticket that resumes.
  expect_resumed(*run_pair(cc, sc), "resumed by ticket");
}

TEST(Resume12, TamperedTicketGivesAFullHandshake) {
  auto sc = resume_server_config();
  sc->session_cache = nullptr;
  auto cc = resume_client_config();
  expect_full(*run_pair(cc, sc));
  auto s = cc->sessions->take(cc->session_key).value();
  for (size_t pos : {size_t{0}, size_t{20}, s.ticket.size() / 2, s.ticket.size() - 1}) {
    StoredSession bad = s.clone();
    bad.ticket[pos] ^= 0x80;
    cc->sessions->put(cc->session_key, std::move(bad));
    auto o = run_pair(cc, sc);
    expect_full(*o);
    EXPECT_TRUE(
        o->server_notes.has("session ticket not accepted (unknown key, tampered or damaged)"));
  }
}

TEST(Resume12, UnknownSessionIdGivesAFullHandshake) {
  auto sc = resume_server_config();
  sc->issue_tickets = false;
  auto cc = resume_client_config();
  expect_full(*run_pair(cc, sc));
  auto other = resume_server_config();  // another server with its own (empty) cache
  other->issue_tickets = false;
  auto o = run_pair(cc, other);
  expect_full(*o);
  EXPECT_TRUE(o->server_notes.has("session ID not in the cache (unknown or expired)"));
}

TEST(Resume12, ExpiredSessionAndTicketGiveAFullHandshake) {
  auto by_id = resume_server_config();
  by_id->issue_tickets = false;
  by_id->session_cache = std::make_shared<ServerSessionCache>(8, /*lifetime_s=*/1);
  auto by_ticket = resume_server_config();
  by_ticket->session_cache = nullptr;
  by_ticket->ticket_lifetime = 1;
  auto cc_id = resume_client_config();
  auto cc_ticket = resume_client_config();
  expect_full(*run_pair(cc_id, by_id));
  expect_full(*run_pair(cc_ticket, by_ticket));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  // The client would drop its expired ticket itself; make it offer it anyway so that the
  // server's own check is what is tested.
  for (auto* cc : {&cc_id, &cc_ticket}) {
    auto s = (*cc)->sessions->take((*cc)->session_key);
    ASSERT_TRUE(s.has_value() || cc == &cc_ticket);
    if (!s.has_value()) {
      continue;
    }
    s->lifetime_s = 0;
    (*cc)->sessions->put((*cc)->session_key, std::move(*s));
  }
  auto o1 = run_pair(cc_id, by_id);
  expect_full(*o1);
  EXPECT_TRUE(o1->server_notes.has("session ID not in the cache (unknown or expired)"));
  EXPECT_EQ(by_id->session_cache->size(), 1u);  // only the new session
}

TEST(Resume12, ExpiredTicketGivesAFullHandshake) {
  auto sc = resume_server_config();
  sc->session_cache = nullptr;
  sc->ticket_lifetime = 1;
  auto cc = resume_client_config();
  expect_full(*run_pair(cc, sc));
  auto s = cc->sessions->take(cc->session_key).value();
  s.lifetime_s = 0;  // the client keeps offering it; the server must refuse it
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  cc->sessions->put(cc->session_key, std::move(s));
  auto o = run_pair(cc, sc);
  expect_full(*o);
  EXPECT_TRUE(o->server_notes.has("session ticket not accepted: session expired"));
}

TEST(Resume12, ClientDoesNotOfferASessionWithoutExtendedMasterSecret) {
  auto sc = resume_server_config();
  sc->issue_tickets = false;
  auto cc = resume_client_config();
  expect_full(*run_pair(cc, sc));
  auto s = cc->sessions->take(cc->session_key).value();
  s.extended_master_secret = false;
  cc->sessions->put(cc->session_key, std::move(s));
  auto o = run_pair(cc, sc);
  expect_full(*o);
  // Nothing was offered, so the server had nothing to look up.
  EXPECT_FALSE(o->server_notes.has("session ID not in the cache (unknown or expired)"));
}

TEST(Resume12, ClientNoLongerOfferingTheSuiteGetsAFullHandshake) {
  auto sc = resume_server_config();
  sc->issue_tickets = false;
  auto cc = resume_client_config();
  cc->cipher_suites = {CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384};
  expect_full(*run_pair(cc, sc));
  auto cc2 = std::make_shared<ClientConfig>(*cc);
  cc2->cipher_suites = {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
  auto o = run_pair(cc2, sc);
  expect_full(*o);  // the client does not offer it (suite gone), so a full handshake
}

// ---- RFC 7627 §5.3 on the server, decided by find_resumption ----

struct EmsCase {
  bool session_ems;
  bool hello_ems;
};

Result<std::optional<server12::Resumption>> decide(const EmsCase& c,
                                                   std::vector<std::string>& notes) {
  ServerConfig config;
  config.session_cache = std::make_shared<ServerSessionCache>();
  StoredSession s;
  s.version = ProtocolVersion::tls1_2;
  s.suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  s.secret = SecretBytes(std::vector<uint8_t>(48, 1));
  s.session_id = std::vector<uint8_t>(32, 9);
  s.extended_master_secret = c.session_ems;
  s.created_ms = session_now_ms();
  config.session_cache->put(std::move(s));
  messages::ClientHello hello;
  hello.legacy_session_id = std::vector<uint8_t>(32, 9);
  server12::ClientOffer offer;
  offer.session_id = hello.legacy_session_id;
  offer.suites = {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
  offer.extended_master_secret = c.hello_ems;
  return server12::find_resumption(hello, offer, config, session_now_ms(), notes);
}

TEST(Resume12Ems, Rfc7627Section53ServerRules) {
  std::vector<std::string> notes;
  // Both use it: resume.
  auto both = decide({true, true}, notes);
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both.value().has_value());
  // "If the original session did not use the extension but the new ClientHello contains the
  // extension, then the server MUST NOT perform the abbreviated handshake" -> full.
  auto upgrade = decide({false, true}, notes);
  ASSERT_TRUE(upgrade.ok());
  EXPECT_FALSE(upgrade.value().has_value());
  // "If the original session used the extension but the new ClientHello does not contain it,
  // the server MUST abort the abbreviated handshake."
  auto downgrade = decide({true, false}, notes);
  ASSERT_FALSE(downgrade.ok());
  EXPECT_EQ(downgrade.error().code(), ErrorCode::extended_master_secret_required);
  EXPECT_EQ(downgrade.error().alert(), AlertDescription::handshake_failure);
  // "If neither ... uses the extension, the server SHOULD abort the handshake."
  auto neither = decide({false, false}, notes);
  ASSERT_FALSE(neither.ok());
  EXPECT_EQ(neither.error().code(), ErrorCode::extended_master_secret_required);
}

TEST(Resume12Ems, ServerAbortsWhenAResumingClientDropsTheExtension) {
  // A client that resumes an EMS session without sending extended_master_secret (we strip the
  // extension from our own ClientHello on the wire) is refused with handshake_failure.
  auto sc = resume_server_config();
  sc->issue_tickets = false;
  sc->require_extended_master_secret = false;
  auto cc = resume_client_config();
  expect_full(*run_pair(cc, sc));
  auto s = cc->sessions->get(cc->session_key).value();
  std::vector<std::string> notes;
  server12::ClientOffer offer;
  offer.session_id = s.session_id;
  offer.suites = {s.suite};
  offer.extended_master_secret = false;
  messages::ClientHello hello;
  auto r = server12::find_resumption(hello, offer, *sc, session_now_ms(), notes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::handshake_failure);
}

}  // namespace
}  // namespace hs::test

// TLS 1.3 resumption end to end in memory: our client offers a stored ticket as a PSK to our
// TLS 1.3 server (server13), with and without a HelloRetryRequest, and a wrong binder is
// refused.
#include <gtest/gtest.h>

#include <algorithm>

#include "unit/session/session_test_util.h"

namespace hs::test {
namespace {

constexpr uint8_t kCertificate = 11;
constexpr uint8_t kCertificateVerify = 15;

std::shared_ptr<ClientConfig> client13() { return resume_client_config(ProtocolVersion::tls1_3); }

TEST(Resume13, ByPskSkipsTheCertificate) {
  auto sc = resume_server_config();
  auto cc = client13();
  auto first = run_pair(cc, sc);
  ASSERT_TRUE(first->ok());
  EXPECT_EQ(first->client->info().version, ProtocolVersion::tls1_3);
  EXPECT_FALSE(first->client->info().resumed);
  EXPECT_TRUE(first->client_notes.has("session stored (TLS 1.3 ticket)"));
  auto stored = cc->sessions->get(cc->session_key);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->version, ProtocolVersion::tls1_3);

  auto second = run_pair(cc, sc);
  ASSERT_TRUE(second->ok()) << (second->client_error ? second->client_error->message() : "")
                            << (second->server_error ? second->server_error->message() : "");
  EXPECT_TRUE(second->client->info().resumed);
  EXPECT_TRUE(second->server->info().resumed);
  EXPECT_TRUE(second->client_notes.has("resumed by PSK"));
  EXPECT_EQ(std::ranges::count(second->client_notes.in, kCertificate), 0);
  EXPECT_EQ(std::ranges::count(second->client_notes.in, kCertificateVerify), 0);
  // The resumed connection got fresh tickets, so a third resumes too.
  auto third = run_pair(cc, sc);
  ASSERT_TRUE(third->ok());
  EXPECT_TRUE(third->client->info().resumed);
}

TEST(Resume13, TicketsAreSingleUse) {
  auto sc = resume_server_config();
  sc->tls13_session_tickets = 1;
  auto cc = client13();
  ASSERT_TRUE(run_pair(cc, sc)->ok());
  auto s = cc->sessions->get(cc->session_key);
  ASSERT_TRUE(s.has_value());
  auto second = run_pair(cc, sc);
  ASSERT_TRUE(second->ok());
  EXPECT_TRUE(second->client->info().resumed);
  auto now = cc->sessions->get(cc->session_key);
  ASSERT_TRUE(now.has_value());
  EXPECT_NE(now->ticket, s->ticket);  // the offered ticket was taken, the new one stored
}

TEST(Resume13, RebindsAfterHelloRetryRequest) {
  // The ticket comes from a server that took our x25519 share; the same server (same ticket
  // keys) now takes secp256r1 only, so the remembered x25519 share gets a HelloRetryRequest.
  auto first_sc = resume_server_config();
  auto sc = std::make_shared<ServerConfig>(*first_sc);
  sc->groups = {NamedGroup::secp256r1};
  auto cc = client13();
  cc->groups = {NamedGroup::x25519, NamedGroup::secp256r1};  // first share is for x25519
  ASSERT_TRUE(run_pair(cc, first_sc)->ok());
  auto second = run_pair(cc, sc);
  ASSERT_TRUE(second->ok()) << (second->client_error ? second->client_error->message() : "")
                            << (second->server_error ? second->server_error->message() : "");
  EXPECT_TRUE(second->client->info().resumed);
  EXPECT_EQ(second->client->info().group, NamedGroup::secp256r1);
  // Two ClientHellos went out, the second with a recomputed binder.
  EXPECT_EQ(std::ranges::count(second->client_notes.out, 1), 2);
}

TEST(Resume13, WrongBinderIsRefusedWithDecryptError) {
  auto sc = resume_server_config();
  auto cc = client13();
  ASSERT_TRUE(run_pair(cc, sc)->ok());
  auto s = cc->sessions->take(cc->session_key).value();
  while (cc->sessions->take(cc->session_key).has_value()) {
  }
  s.secret.expose_mut()[0] ^= 1;  // the binder is computed from the wrong PSK
  cc->sessions->put(cc->session_key, std::move(s));
  auto o = run_pair(cc, sc);
  ASSERT_TRUE(o->server_error.has_value());
  // RFC 8446 §4.2.11: "If this value is not present or does not validate, the server MUST
  // abort the handshake."
  EXPECT_EQ(o->server_error->alert(), AlertDescription::decrypt_error);
  EXPECT_FALSE(o->client->is_connected());
}

TEST(Resume13, UnknownTicketFallsBackToAFullHandshake) {
  auto sc = resume_server_config();
  auto cc = client13();
  ASSERT_TRUE(run_pair(cc, sc)->ok());
  auto other = resume_server_config();  // another server whose keys differ
  auto o = run_pair(cc, other);
  ASSERT_TRUE(o->ok());
  EXPECT_FALSE(o->client->info().resumed);
  EXPECT_TRUE(o->client_notes.has("server did not accept the offered PSK; full handshake"));
  EXPECT_NE(std::ranges::count(o->client_notes.in, kCertificate), 0);
}

TEST(Resume13, SessionFileRoundTripResumes) {
  auto sc = resume_server_config();
  auto cc = client13();
  ASSERT_TRUE(run_pair(cc, sc)->ok());
  auto bytes = serialize_session(cc->sessions->take(cc->session_key).value()).value();
  auto cc2 = client13();
  cc2->sessions->put(cc2->session_key, deserialize_session(bytes.expose()).value());
  auto o = run_pair(cc2, sc);
  ASSERT_TRUE(o->ok());
  EXPECT_TRUE(o->client->info().resumed);
}

}  // namespace
}  // namespace hs::test

// Regressions found by the handshake fuzz targets and the hostile table, one test per bug.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include <memory>

#include "fuzz/handshake/loopback.h"

namespace hs::fuzzing {
namespace {

// The per-process ticket key ring (session/ticket_keys_default.cc) kept the provider of the
// first server config that issued a ticket and sealed every later ticket through it: once that
// provider was gone (each Loopback, like each fuzz iteration, owns its provider), the next
// server to issue a ticket called a destroyed object ("pure virtual method called").
TEST(HostileRegression, ProcessTicketRingOutlivesTheFirstServersProvider) {
  ClientConfig client = fuzz_client_config();
  client.max_version = ProtocolVersion::tls1_2;
  ServerConfig server = fuzz_server_config();
  // The first loopback lives on the heap, so its provider's memory is freed (not reused by the
  // second loopback, as a stack slot would be).
  auto first = std::make_unique<Loopback>(client, server);
  first->run_all();
  EXPECT_TRUE(first->conn(Side::server).is_connected());
  first.reset();
  Loopback second(client, server);
  second.run_all();
  ASSERT_FALSE(second.error(Side::server)) << second.error(Side::server)->message();
  ASSERT_FALSE(second.error(Side::client)) << second.error(Side::client)->message();
  EXPECT_TRUE(second.conn(Side::server).is_connected());
}

// A TLS 1.3 client that fails on the server's flight has not switched its write side to its
// handshake keys (ours switches with its second flight, as OpenSSL's does), so its alert comes
// in the clear. Our server, already reading under those keys, took the unprotected record for an
// unexpected record type and reported unexpected_message instead of the client's alert. Found by
// the limits test (a ServerHello over the client's max_handshake_message_size).
TEST(HostileRegression, Tls13ServerReadsTheClientsPlaintextAlertAfterServerHello) {
  ClientConfig client = fuzz_client_config();
  client.limits.max_handshake_message_size = 64;  // the ServerHello is larger
  Loopback lb(client, fuzz_server_config());
  ASSERT_TRUE(lb.started());
  lb.run_all();
  ASSERT_TRUE(lb.error(Side::client).has_value());
  EXPECT_EQ(lb.error(Side::client)->code(), ErrorCode::decode_error);
  ASSERT_TRUE(lb.error(Side::server).has_value());
  EXPECT_EQ(lb.error(Side::server)->code(), ErrorCode::peer_alert)
      << lb.error(Side::server)->message();
  EXPECT_EQ(lb.error(Side::server)->received_alert(), AlertDescription::decode_error);
  EXPECT_EQ(lb.conn(Side::server).info().version, ProtocolVersion::tls1_3);
}

// Once a protected record from the client has opened, an unprotected alert is an unexpected
// record again (RFC 8446 §5.2: protected records travel as application_data).
TEST(HostileRegression, Tls13ServerRefusesPlaintextAlertsAfterTheHandshake) {
  Loopback lb(fuzz_client_config(), fuzz_server_config());
  ASSERT_TRUE(lb.started());
  lb.run_all();
  ASSERT_TRUE(lb.conn(Side::server).is_connected());
  auto r = lb.conn(Side::server).receive(std::vector<uint8_t>{21, 3, 3, 0, 2, 2, 50});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message) << r.error().message();
}

}  // namespace
}  // namespace hs::fuzzing

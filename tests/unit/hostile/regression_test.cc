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

}  // namespace
}  // namespace hs::fuzzing

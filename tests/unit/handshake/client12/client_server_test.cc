// Our client against our server, in memory: every TLS 1.2 suite x group x certificate type.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include <tuple>

#include "unit/handshake/common/client_harness.h"

namespace hs::testing {
namespace {

// pump moves bytes between the two until neither has anything to send.
Result<void> pump(Connection& a, Connection& b) {
  for (int i = 0; i < 20; ++i) {
    bool moved = false;
    for (auto [from, to] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
      auto out = from->output();
      if (!out.empty()) {
        std::vector<uint8_t> bytes(out.begin(), out.end());
        from->consume_output(bytes.size());
        HS_TRY(to->receive(bytes));
        moved = true;
      }
    }
    if (!moved) {
      break;
    }
  }
  return ok_result();
}

using Param = std::tuple<CipherSuite, NamedGroup>;

class ClientServer : public ::testing::TestWithParam<Param> {};

TEST_P(ClientServer, HandshakeAndDataBothWays) {
  auto [suite, group] = GetParam();
  bool ecdsa = detail::suite_info(suite)->auth == detail::SuiteAuth::ecdsa;
  auto cert = load_server_certificate(ecdsa ? kEcdsaCertPem : kRsaCertPem,
                                      ecdsa ? kEcdsaKeyPem : kRsaKeyPem);
  ASSERT_TRUE(cert.ok());
  auto server_config = std::make_shared<ServerConfig>();
  server_config->certificates = {std::move(cert).value()};
  server_config->max_version = ProtocolVersion::tls1_2;
  auto client_config = insecure_config();
  client_config->cipher_suites = {suite};
  client_config->groups = {group};

  RecordingObserver observer;
  auto client = Connection::client(client_config, "localhost", &observer);
  ASSERT_TRUE(client.ok()) << client.error().message();
  auto server = Connection::server(server_config);
  ASSERT_TRUE(server.ok()) << server.error().message();
  auto& c = *client.value();
  auto& s = *server.value();
  auto r = pump(c, s);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(c.is_connected());
  ASSERT_TRUE(s.is_connected());
  EXPECT_EQ(c.info().cipher_suite, suite);
  EXPECT_EQ(c.info().group, group);
  EXPECT_EQ(s.info().cipher_suite, suite);
  EXPECT_TRUE(c.info().extended_master_secret);

  std::string ping = "ping from client";
  ASSERT_TRUE(c.write(std::vector<uint8_t>(ping.begin(), ping.end())).ok());
  ASSERT_TRUE(pump(c, s).ok());
  std::vector<uint8_t> buf(100);
  size_t n = s.read(buf);
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + n), ping);

  std::string pong = "pong from server";
  ASSERT_TRUE(s.write(std::vector<uint8_t>(pong.begin(), pong.end())).ok());
  ASSERT_TRUE(pump(c, s).ok());
  n = c.read(buf);
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + n), pong);

  c.close();
  ASSERT_TRUE(pump(c, s).ok());
  EXPECT_TRUE(s.peer_closed());
  s.close();
  ASSERT_TRUE(pump(c, s).ok());
  EXPECT_TRUE(c.peer_closed());
  EXPECT_TRUE(c.receive_eof().ok());
}

INSTANTIATE_TEST_SUITE_P(
    AllSuitesAndGroups, ClientServer,
    ::testing::Combine(::testing::Values(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                         CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                                         CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                                         CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                                         CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                                         CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256),
                       ::testing::Values(NamedGroup::x25519, NamedGroup::secp256r1,
                                         NamedGroup::secp384r1)));

}  // namespace
}  // namespace hs::testing

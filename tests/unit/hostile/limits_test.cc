// Limits (include/hs/config.h): the handshake message size bounds, the certificate count, and the
// configuration check, each through a real in-memory handshake of our client and server.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include <algorithm>
#include <string>

#include "fuzz/handshake/loopback.h"
#include "record/handshake_reassembler.h"

namespace hs::fuzzing {
namespace {

ClientConfig client_for(ProtocolVersion v) {
  ClientConfig c = fuzz_client_config();
  c.max_version = v;
  return c;
}

// refused_by_client runs a handshake and expects the client to refuse with `code`/`alert`, and
// the server to receive that alert.
void refused_by_client(const ClientConfig& cc, const ServerConfig& sc, ErrorCode code,
                       AlertDescription alert) {
  Loopback lb(cc, sc);
  ASSERT_TRUE(lb.started());
  lb.run_all();
  ASSERT_TRUE(lb.error(Side::client).has_value()) << "accepted";
  EXPECT_EQ(error_code_name(lb.error(Side::client)->code()), error_code_name(code))
      << lb.error(Side::client)->message();
  EXPECT_EQ(lb.error(Side::client)->alert(), alert);
  ASSERT_TRUE(lb.error(Side::server).has_value());
  EXPECT_EQ(lb.error(Side::server)->received_alert(), alert) << lb.error(Side::server)->message();
}

void completes(const ClientConfig& cc, const ServerConfig& sc) {
  Loopback lb(cc, sc);
  ASSERT_TRUE(lb.started());
  lb.run_all();
  ASSERT_FALSE(lb.error(Side::client)) << lb.error(Side::client)->message();
  ASSERT_FALSE(lb.error(Side::server)) << lb.error(Side::server)->message();
  EXPECT_TRUE(lb.conn(Side::client).is_connected());
}

class LimitsTest : public ::testing::TestWithParam<ProtocolVersion> {};

TEST_P(LimitsTest, HandshakeMessageOverTheConfiguredSizeIsDecodeError) {
  ClientConfig cc = client_for(GetParam());
  // The ServerHello is larger than 64 bytes in both versions.
  cc.limits.max_handshake_message_size = 64;
  refused_by_client(cc, fuzz_server_config(), ErrorCode::decode_error,
                    AlertDescription::decode_error);
  // The server's own bound works the same on the ClientHello (which takes the larger bound
  // Certificate takes).
  ServerConfig sc = fuzz_server_config();
  sc.limits.max_handshake_message_size = 64;
  sc.limits.max_certificate_message_size = 64;
  Loopback lb(client_for(GetParam()), sc);
  ASSERT_TRUE(lb.started());
  lb.run_all();
  ASSERT_TRUE(lb.error(Side::server).has_value());
  EXPECT_EQ(lb.error(Side::server)->code(), ErrorCode::decode_error);
  ASSERT_TRUE(lb.error(Side::client).has_value());
  EXPECT_EQ(lb.error(Side::client)->received_alert(), AlertDescription::decode_error);
}

TEST_P(LimitsTest, CertificateHasItsOwnLargerBound) {
  // The largest message the client receives besides the Certificate, and the Certificate.
  size_t largest_other = 0;
  size_t certificate = 0;
  {
    Loopback lb(client_for(GetParam()), fuzz_server_config());
    lb.run_all();
    ASSERT_TRUE(lb.conn(Side::client).is_connected());
    for (const auto& m : lb.delivered(Side::client)) {
      if (m.type == 22 && m.plain.size() > 4) {
        size_t body = m.plain.size() - 4;
        (m.plain[0] == 11 ? certificate : largest_other) =
            std::max(m.plain[0] == 11 ? certificate : largest_other, body);
      }
    }
  }
  ASSERT_GT(certificate, largest_other);
  ClientConfig cc = client_for(GetParam());
  cc.limits.max_handshake_message_size = largest_other;
  cc.limits.max_certificate_message_size = certificate;
  completes(cc, fuzz_server_config());
  cc.limits.max_certificate_message_size = certificate - 1;
  refused_by_client(cc, fuzz_server_config(), ErrorCode::decode_error,
                    AlertDescription::decode_error);
}

TEST_P(LimitsTest, MoreCertificatesThanTheBoundIsBadCertificate) {
  ServerConfig sc = fuzz_server_config();
  // A chain of three (the leaf repeated: the client skips verification, so only the count and
  // the leaf matter).
  for (auto& cert : sc.certificates) {
    cert.chain = {cert.chain.front(), cert.chain.front(), cert.chain.front()};
  }
  ClientConfig cc = client_for(GetParam());
  cc.limits.max_certificates = 3;
  completes(cc, sc);
  cc.limits.max_certificates = 2;
  refused_by_client(cc, sc, ErrorCode::bad_certificate, AlertDescription::bad_certificate);
}

INSTANTIATE_TEST_SUITE_P(Versions, LimitsTest,
                         ::testing::Values(ProtocolVersion::tls1_2, ProtocolVersion::tls1_3),
                         [](const ::testing::TestParamInfo<ProtocolVersion>& p) {
                           return p.param == ProtocolVersion::tls1_2 ? std::string("tls12")
                                                                     : std::string("tls13");
                         });

TEST(Limits, UnusableLimitsAreRefusedBeforeAnyByte) {
  auto bad_client = [](auto edit) {
    auto cc = std::make_shared<ClientConfig>(fuzz_client_config());
    edit(cc->limits);
    auto c = Connection::client(cc, kServerName);
    return !c.ok() && c.error().code() == ErrorCode::invalid_config;
  };
  EXPECT_TRUE(bad_client([](Limits& l) { l.max_handshake_message_size = 0; }));
  EXPECT_TRUE(bad_client([](Limits& l) { l.max_certificates = 0; }));
  EXPECT_TRUE(bad_client([](Limits& l) { l.max_certificate_message_size = 1u << 24; }));
  EXPECT_TRUE(bad_client([](Limits& l) {
    l.max_handshake_message_size = 4096;
    l.max_certificate_message_size = 1024;
  }));
  EXPECT_FALSE(bad_client([](Limits&) {}));
  auto sc = std::make_shared<ServerConfig>(fuzz_server_config());
  sc->limits.max_certificates = 0;
  auto s = Connection::server(sc);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::invalid_config);
}

// The reassembler refuses an over-long message from its header alone, before its body arrives.
TEST(Limits, ReassemblerRefusesFromTheHeaderAndLetsCertificatesGrow) {
  record::HandshakeReassembler r;
  r.set_limits(100, 1000);
  // ServerHello (2) announcing 101 bytes.
  auto too_big = r.add(std::vector<uint8_t>{2, 0, 0, 101});
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code(), ErrorCode::decode_error);
  record::HandshakeReassembler c;
  c.set_limits(100, 1000);
  // Certificate (11) and CertificateRequest (13) announcing 1000 bytes wait for their body.
  EXPECT_TRUE(c.add(std::vector<uint8_t>{11, 0, 3, 0xE8}).ok());
  record::HandshakeReassembler cr;
  cr.set_limits(100, 1000);
  EXPECT_TRUE(cr.add(std::vector<uint8_t>{13, 0, 3, 0xE8}).ok());
  record::HandshakeReassembler over;
  over.set_limits(100, 1000);
  auto cert_too_big = over.add(std::vector<uint8_t>{11, 0, 3, 0xE9});
  ASSERT_FALSE(cert_too_big.ok());
  EXPECT_EQ(cert_too_big.error().code(), ErrorCode::decode_error);
}

}  // namespace
}  // namespace hs::fuzzing

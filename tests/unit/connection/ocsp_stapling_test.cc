// OCSP stapling end to end in memory: our server staples a response signed by the leaf's CA
// (cert_builder.h keys, Ed25519 certificates), our client asks (ClientConfig::ocsp_stapling)
// and checks it, in TLS 1.2 (CertificateStatus) and TLS 1.3 (the leaf entry's status_request).
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/session.h>

#include <memory>
#include <string>

#include "unit/handshake/common/client_harness.h"
#include "unit/handshake/common/loopback_pair.h"
#include "unit/x509/cert_builder.h"
#include "unit/x509/ocsp_builder.h"

namespace hs::testing {
namespace {

using x509::testing::Der;
using x509::testing::SignedOcsp;

class OcspStaplingPair : public ::testing::TestWithParam<ProtocolVersion> {
 protected:
  OcspStaplingPair()
      : pki_(11, "Stapling CA", "localhost"),
        leaf_private_(std::shared_ptr<const crypto::PrivateKey>(std::move(pki_.leaf_key.priv))) {}

  // good_now is a good response current at the wall clock (the handshake checks against it).
  SignedOcsp good_now() const {
    SignedOcsp o;
    const int64_t now = static_cast<int64_t>(session_now_ms() / 1000);
    o.this_update = x509::testing::generalized_time(now - 3600);
    o.next_update = x509::testing::generalized_time(now + 7 * 86400);
    return o;
  }

  Der response(const SignedOcsp& o) const { return pki_.response(o); }

  std::shared_ptr<ServerConfig> server_config(const Der& staple, bool must_staple = false) {
    auto config = std::make_shared<ServerConfig>();
    config->min_version = config->max_version = GetParam();
    CertifiedKey cert;
    cert.chain = {must_staple ? pki_.must_staple_leaf : pki_.leaf, pki_.ca};
    cert.key = leaf_private_;
    cert.ocsp_response = staple;
    config->certificates = {std::move(cert)};
    return config;
  }

  std::shared_ptr<ClientConfig> client_config(ClientConfig::OcspStapling mode) const {
    auto config = insecure_config();
    config->min_version = config->max_version = GetParam();
    config->ocsp_stapling = mode;
    return config;
  }

  // connect runs the handshake; error_ is the client's error, if it refused what it got.
  void connect(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc) {
    pair_ = test::LoopbackPair::start(cc, sc);
    ASSERT_TRUE(pair_.client && pair_.server);
    pair_.pump();
    error_ = pair_.client_error;
    client_ = pair_.client.get();
    server_ = pair_.server.get();
  }

  x509::testing::StaplingPki pki_;
  std::shared_ptr<const crypto::PrivateKey> leaf_private_;
  test::LoopbackPair pair_;
  Connection* client_ = nullptr;
  Connection* server_ = nullptr;
  std::optional<Error> error_;
};

TEST_P(OcspStaplingPair, GoodResponseIsCheckedAndKept) {
  const Der staple = response(good_now());
  connect(client_config(ClientConfig::OcspStapling::require), server_config(staple));
  ASSERT_FALSE(error_) << error_->message();
  ASSERT_TRUE(client_->is_connected());
  EXPECT_EQ(client_->info().ocsp_response, staple);
  EXPECT_EQ(client_->info().version, GetParam());
}

TEST_P(OcspStaplingPair, DelegatedResponderIsAccepted) {
  SignedOcsp o = good_now();
  o.signed_by_responder = true;
  connect(client_config(ClientConfig::OcspStapling::require), server_config(response(o)));
  ASSERT_FALSE(error_) << error_->message();
  EXPECT_TRUE(client_->is_connected());
}

TEST_P(OcspStaplingPair, RevokedCertificateFailsTheHandshake) {
  SignedOcsp o = good_now();
  o.status = x509::testing::tlv(
      0xA1, x509::testing::cat({x509::testing::generalized("20261101000000Z"),
                                x509::testing::tlv(0xA0, x509::testing::tlv(0x0A, {1}))}));
  connect(client_config(ClientConfig::OcspStapling::request), server_config(response(o)));
  ASSERT_TRUE(error_);
  EXPECT_EQ(error_->code(), ErrorCode::certificate_revoked) << error_->message();
  EXPECT_EQ(error_->detail(), "SSL certificate revocation reason: keyCompromise (1)");
  EXPECT_EQ(error_->alert(), AlertDescription::certificate_revoked);
  EXPECT_TRUE(client_->failed());
  EXPECT_FALSE(server_->is_connected());
  EXPECT_EQ(pair_.server_error ? pair_.server_error->received_alert() : std::nullopt,
            AlertDescription::certificate_revoked);
}

TEST_P(OcspStaplingPair, ExpiredResponseIsBadCertificateStatusResponse) {
  SignedOcsp o;  // current on 2026-11-29 only; move the clock past its nextUpdate instead
  o.this_update = x509::testing::generalized_time(0);
  o.next_update = x509::testing::generalized_time(86400);  // 1970-01-02
  connect(client_config(ClientConfig::OcspStapling::require), server_config(response(o)));
  ASSERT_TRUE(error_);
  EXPECT_EQ(error_->code(), ErrorCode::bad_certificate_status) << error_->message();
  EXPECT_EQ(error_->detail(), "OCSP response has expired");
}

TEST_P(OcspStaplingPair, NothingStapledIsRefusedOnlyWhenRequired) {
  connect(client_config(ClientConfig::OcspStapling::request), server_config({}));
  ASSERT_FALSE(error_) << error_->message();
  EXPECT_TRUE(client_->is_connected());
  EXPECT_TRUE(client_->info().ocsp_response.empty());

  error_.reset();
  connect(client_config(ClientConfig::OcspStapling::require), server_config({}));
  ASSERT_TRUE(error_);
  EXPECT_EQ(error_->code(), ErrorCode::bad_certificate_status) << error_->message();
  EXPECT_EQ(error_->detail(), "No OCSP response received");
  EXPECT_EQ(error_->alert(), AlertDescription::bad_certificate_status_response);
}

// RFC 7633 §4.2.3.1: an OCSP must-staple leaf without a staple is refused when the client asked
// for one, even in `request` mode; a staple satisfies it; a client that did not ask is not bound.
TEST_P(OcspStaplingPair, MustStapleLeafWithoutAStapleIsRefusedWhenAsked) {
  connect(client_config(ClientConfig::OcspStapling::request), server_config({}, true));
  ASSERT_TRUE(error_);
  EXPECT_EQ(error_->code(), ErrorCode::bad_certificate_status) << error_->message();
  EXPECT_NE(error_->detail().find("RFC 7633"), std::string::npos) << error_->detail();
  EXPECT_EQ(error_->alert(), AlertDescription::bad_certificate_status_response);

  error_.reset();
  connect(client_config(ClientConfig::OcspStapling::request),
          server_config(response(good_now()), true));
  ASSERT_FALSE(error_) << error_->message();
  EXPECT_TRUE(client_->is_connected());

  connect(client_config(ClientConfig::OcspStapling::off), server_config({}, true));
  ASSERT_FALSE(error_) << error_->message();
  EXPECT_TRUE(client_->is_connected());
}

TEST_P(OcspStaplingPair, NotAskedNothingStapled) {
  connect(client_config(ClientConfig::OcspStapling::off), server_config(response(good_now())));
  ASSERT_FALSE(error_) << error_->message();
  EXPECT_TRUE(client_->is_connected());
  EXPECT_TRUE(client_->info().ocsp_response.empty());
}

// Connection::server checks the stapled response (a successful basic OCSPResponse) and keeps the
// verdict for the same bytes; bytes that differ are parsed again, so the verdict cannot leak.
TEST_P(OcspStaplingPair, ServerChecksWhatItStaplesEvenAfterAGoodOne) {
  const Der good = response(good_now());
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(Connection::server(server_config(good)).ok());
  }
  Der garbled = good;
  garbled[0] = 0x31;  // a SET where the OCSPResponse SEQUENCE was (the check is of shape)
  Der truncated(good.begin(), good.end() - 1);
  for (const Der& bad : {garbled, truncated, Der{0x30, 0x03, 0x0A, 0x01, 0x03}}) {
    auto s = Connection::server(server_config(bad));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), ErrorCode::invalid_config) << s.error().message();
  }
  EXPECT_TRUE(Connection::server(server_config(good)).ok());
}

INSTANTIATE_TEST_SUITE_P(Versions, OcspStaplingPair,
                         ::testing::Values(ProtocolVersion::tls1_2, ProtocolVersion::tls1_3),
                         [](const auto& p) {
                           return p.param == ProtocolVersion::tls1_2 ? "Tls12" : "Tls13";
                         });

}  // namespace
}  // namespace hs::testing

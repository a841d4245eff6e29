// hs::Connection behaviour that does not depend on the handshake's details: events (what curl's
// trace needs), buffering, closure, API misuse.
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/keylog.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "connection/connection_impl.h"
#include "unit/handshake/common/client_harness.h"

namespace hs::testing {
namespace {

TEST(Connection, EventsCarryWhatCurlPrints) {
  ClientHarness h;
  h.handshake();
  auto& obs = h.observer;
  // First record out: the ClientHello, record version 0x0301 as OpenSSL sends it, while the
  // message itself is reported at the client's highest version (TLSv1.2).
  ASSERT_FALSE(obs.records.empty());
  EXPECT_EQ(obs.records[0].direction, Direction::out);
  EXPECT_EQ(obs.records[0].content_type, 22);
  EXPECT_EQ(obs.records[0].version, 0x0301);
  ASSERT_FALSE(obs.messages.empty());
  EXPECT_EQ(obs.messages[0].direction, Direction::out);
  EXPECT_EQ(obs.messages[0].handshake_type, 1);
  EXPECT_EQ(obs.messages[0].version, 0x0303);
  EXPECT_EQ(obs.records[0].length, obs.message_bytes[0].size());

  // The sequence of messages, as curl -v lists them.
  std::vector<std::tuple<Direction, uint8_t, uint8_t>> seq;
  for (const auto& m : obs.messages) {
    seq.emplace_back(m.direction, m.content_type, m.handshake_type);
    EXPECT_EQ(m.version, 0x0303);
  }
  using D = Direction;
  std::vector<std::tuple<Direction, uint8_t, uint8_t>> expected = {
      {D::out, 22, 1},  {D::in, 22, 2},  {D::in, 22, 11},  {D::in, 22, 12}, {D::in, 22, 14},
      {D::out, 22, 16}, {D::out, 20, 0}, {D::out, 22, 20}, {D::in, 20, 0},  {D::in, 22, 20}};
  EXPECT_EQ(seq, expected);
  // Every record after the first carries 0x0303; the encrypted Finished records are 40 bytes
  // on the wire for AES-128-GCM (16 plaintext + 8 explicit nonce + 16 tag), as in curl's trace.
  for (size_t i = 1; i < obs.records.size(); ++i) {
    EXPECT_EQ(obs.records[i].version, 0x0303);
  }
  EXPECT_EQ(obs.records.back().direction, Direction::in);
  EXPECT_EQ(obs.records.back().length, 40);
  EXPECT_TRUE(obs.messages.back().encrypted);
  EXPECT_EQ(obs.message_bytes.back().size(), 16u);
}

TEST(Connection, WriteBeforeConnectedFailsWithoutKillingTheConnection) {
  ClientHarness h;
  auto r = h.client->write(Bytes{1, 2, 3});
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(h.client->failed());
  h.handshake();
  EXPECT_TRUE(h.client->write(Bytes{1, 2, 3}).ok());
}

TEST(Connection, WriteAfterCloseFails) {
  ClientHarness h;
  h.handshake();
  h.client->close();
  EXPECT_FALSE(h.client->write(Bytes{1}).ok());
}

TEST(Connection, LargeWritesAreFragmented) {
  ClientHarness h;
  h.handshake();
  Bytes big(40000, 0x61);
  ASSERT_TRUE(h.client->write(big).ok());
  auto recs = h.from_client();
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].data.size(), 16384u);
  EXPECT_EQ(recs[2].data.size(), 40000u - 2 * 16384u);
}

TEST(Connection, PlaintextBufferIsBoundedAndResumesOnRead) {
  ClientHarness h;
  h.handshake();
  Bytes flight;
  std::string chunk(16000, 'x');
  for (int i = 0; i < 8; ++i) {
    ScriptedServer::append(flight, h.server.app_data(chunk));
  }
  ASSERT_TRUE(h.to_client(flight).ok());
  // Decryption stops once more than 64 KiB are unread.
  EXPECT_LE(h.client->readable(), 64u * 1024 + 16384);
  EXPECT_LT(h.client->readable(), 8u * 16000);
  size_t total = 0;
  Bytes buf(5000);
  while (size_t n = h.client->read(buf)) {
    total += n;
  }
  EXPECT_EQ(total, 8u * 16000);
}

TEST(Connection, UndecryptedBufferIsBoundedWhenTheApplicationNeverReads) {
  ClientHarness h;
  h.handshake();
  // Plaintext fills up to kMaxBufferedPlaintext; the records behind it stay in the decoder.
  // More receive() calls without read() may add up to kMaxBufferedCiphertext, then fail.
  const std::string chunk(16000, 'x');
  size_t fed = 0;
  std::optional<Error> failure;
  for (int i = 0; i < 64 && !failure; ++i) {
    const Bytes record = h.server.app_data(chunk);  // each sealed under the next sequence number
    auto r = h.to_client(record);
    if (r.ok()) {
      fed += record.size();
    } else {
      failure = r.error();
    }
  }
  ASSERT_TRUE(failure.has_value()) << "fed " << fed << " bytes without a failure";
  EXPECT_EQ(failure->code(), ErrorCode::record_overflow) << failure->message();
  EXPECT_TRUE(h.client->failed());
  // Everything accepted fits the documented bounds: plaintext plus the undecrypted slack.
  EXPECT_GT(fed, detail::ConnectionImpl::kMaxBufferedPlaintext);
  EXPECT_LE(fed, detail::ConnectionImpl::kMaxBufferedPlaintext + 16384 +
                     detail::ConnectionImpl::kMaxBufferedCiphertext);
  auto sent = h.from_client();
  auto a = last_alert(sent);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, AlertDescription::record_overflow);
}

TEST(Connection, ReadingKeepsTheUndecryptedBufferSmall) {
  ClientHarness h;
  h.handshake();
  // 4 MiB in 16000-byte records, fed in batches of 8 records (128 KB, more than the plaintext
  // cap at once) and read in 5000-byte chunks: never near either bound.
  const std::string chunk(16000, 'y');
  size_t total = 0;
  Bytes buf(5000);
  for (int b = 0; b < 33; ++b) {
    Bytes batch;
    for (int i = 0; i < 8; ++i) {
      ScriptedServer::append(batch, h.server.app_data(chunk));
    }
    auto r = h.to_client(batch);
    ASSERT_TRUE(r.ok()) << r.error().message();
    while (size_t n = h.client->read(buf)) {
      total += n;
    }
    h.from_client();
  }
  EXPECT_EQ(total, 33u * 8u * 16000u);
  EXPECT_FALSE(h.client->failed());
}

TEST(Connection, OutputProvokedByThePeerIsBounded) {
  ClientHarness h;
  h.handshake();
  // Every HelloRequest gets a no_renegotiation warning (RFC 5246 §7.2.2): a peer sending them
  // while never reading would grow our output without end if we never flushed.
  const Bytes hello_request = {0, 0, 0, 0};
  auto make_batch = [&] {
    Bytes batch;
    for (int i = 0; i < 1000; ++i) {
      ScriptedServer::append(batch, h.server.record(ContentType::handshake, hello_request));
    }
    return batch;
  };
  // Flushed after each batch: no failure, however many.
  for (int b = 0; b < 3; ++b) {
    ASSERT_TRUE(h.to_client(make_batch()).ok());
    EXPECT_GT(h.client->output().size(), 0u);
    h.client->consume_output(h.client->output().size());
  }
  // Never flushed: fails once the unsent answers pass kMaxProvokedOutput.
  std::optional<Error> failure;
  size_t batches = 0;
  while (!failure && batches < 200) {
    auto r = h.to_client(make_batch());
    ++batches;
    if (!r.ok()) {
      failure = r.error();
    }
  }
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->code(), ErrorCode::unexpected_message) << failure->message();
  EXPECT_GT(h.client->output().size(), detail::ConnectionImpl::kMaxProvokedOutput);
}

TEST(Connection, LargeApplicationWritesDoNotCountAsProvokedOutput) {
  ClientHarness h;
  h.handshake();
  // 3 MiB written and not flushed, then peer data and a HelloRequest answered: still fine.
  Bytes big(3 * 1024 * 1024, 0x5a);
  ASSERT_TRUE(h.client->write(big).ok());
  const Bytes hello_request = {0, 0, 0, 0};
  ASSERT_TRUE(h.to_client(h.server.record(ContentType::handshake, hello_request)).ok());
  ASSERT_TRUE(h.to_client(h.server.app_data("hello")).ok());
  EXPECT_EQ(h.client->readable(), 5u);
  EXPECT_GT(h.client->output().size(), big.size());
  EXPECT_FALSE(h.client->failed());
}

TEST(Connection, DataAfterCloseNotifyIsIgnored) {
  ClientHarness h;
  h.handshake();
  Bytes flight = h.server.alert(AlertLevel::warning, AlertDescription::close_notify);
  ScriptedServer::append(flight, h.server.app_data("late"));
  ASSERT_TRUE(h.to_client(flight).ok());
  EXPECT_TRUE(h.client->peer_closed());
  EXPECT_EQ(h.client->readable(), 0u);
  EXPECT_TRUE(h.to_client(h.server.app_data("later")).ok());
  EXPECT_EQ(h.client->readable(), 0u);
  EXPECT_TRUE(h.client->receive_eof().ok());
}

TEST(Connection, FatalAlertAfterKeysIsSentEncrypted) {
  ClientHarness h;
  h.handshake();
  auto r = h.to_client(h.server.record(ContentType::handshake, h.server.server_hello_done()));
  ASSERT_FALSE(r.ok());
  // The ScriptedServer decrypts it: it was sealed under the client's write keys.
  auto sent = h.from_client();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].data, (Bytes{2, 10}));
  ASSERT_FALSE(h.observer.alerts.empty());
  EXPECT_EQ(h.observer.alerts.back().direction, Direction::out);
}

// RFC 8446 §5.1: legacy_record_version "MUST be set to 0x0303 for all records generated by a
// TLS 1.3 implementation other than an initial ClientHello", which "MAY also be 0x0301". The
// alert refusing a ServerHello is such a record, and TLS 1.2 peers check it once their
// ServerHello fixed the version: Go 1.19's server dropped our handshake_failure as "received
// record with version 301 when expecting version 303" (tests/interop/go_test.cc).
TEST(Connection, AlertRefusingTheServerHelloIsVersion0x0303) {
  ClientHarness h;
  h.server.send_ems = false;
  h.expect_refusal(h.server.handshake_record(h.server.server_hello()),
                   ErrorCode::extended_master_secret_required, AlertDescription::handshake_failure);
  const auto& records = h.observer.records;
  ASSERT_GE(records.size(), 3u);
  EXPECT_EQ(records.front().version, 0x0301);  // the initial ClientHello
  EXPECT_EQ(records.back().direction, Direction::out);
  EXPECT_EQ(records.back().content_type, 21);
  EXPECT_EQ(records.back().version, 0x0303);
}

TEST(Connection, MalformedAlertIsDecodeError) {
  ClientHarness h;
  h.expect_refusal(h.server.record(ContentType::alert, Bytes{1, 0, 0}), ErrorCode::decode_error,
                   AlertDescription::decode_error);
}

TEST(Connection, UnknownContentTypeIsUnexpectedMessage) {
  ClientHarness h;
  h.expect_refusal(ScriptedServer::raw_record(99, Bytes{1}), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

TEST(Connection, InvalidConfigIsRefusedBeforeAnyByte) {
  auto config = insecure_config();
  config->cipher_suites.clear();
  auto c = Connection::client(config, "localhost");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::invalid_config);
  auto only13 = insecure_config();
  only13->cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  auto c13 = Connection::client(only13, "localhost");
  ASSERT_FALSE(c13.ok());
  EXPECT_EQ(c13.error().code(), ErrorCode::invalid_config);
}

TEST(Connection, ClientAuthWithoutVerifierIsInvalidConfig) {
  auto cert = load_server_certificate(kEcdsaCertPem, kEcdsaKeyPem);
  ASSERT_TRUE(cert.ok()) << cert.error().message();
  for (ClientAuth mode : {ClientAuth::request, ClientAuth::require}) {
    auto config = std::make_shared<ServerConfig>();
    config->certificates.push_back(*cert);
    config->client_auth = mode;
    auto s = Connection::server(config);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), ErrorCode::invalid_config);
  }
  auto client = insecure_config();
  client->client_certificate = CertifiedKey{};  // no chain, no key
  auto c = Connection::client(client, "localhost");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::invalid_config);
}

TEST(KeyLog, FormatsNssLines) {
  // draft-ietf-tls-keylogfile: "<label> <client_random hex> <secret hex>", lowercase hex.
  std::vector<uint8_t> random(32, 0xAB);
  std::vector<uint8_t> secret = {0x00, 0x01, 0xFE};
  std::string hex_random;
  for (int i = 0; i < 32; ++i) {
    hex_random += "ab";
  }
  EXPECT_EQ(format_key_log_line("CLIENT_RANDOM", random, secret),
            "CLIENT_RANDOM " + hex_random + " 0001fe");
}

TEST(KeyLog, FileAppends) {
  std::string path = ::testing::TempDir() + "hs_keylog_test.txt";
  std::remove(path.c_str());
  {
    auto sink = open_key_log_file(path);
    ASSERT_NE(sink, nullptr);
    std::vector<uint8_t> r(32, 1), s(48, 2);
    sink->log("CLIENT_RANDOM", r, s);
  }
  {
    auto sink = open_key_log_file(path);
    std::vector<uint8_t> r(32, 3), s(48, 4);
    sink->log("CLIENT_RANDOM", r, s);
  }
  std::ifstream in(path);
  std::string l1, l2, l3;
  ASSERT_TRUE(std::getline(in, l1));
  ASSERT_TRUE(std::getline(in, l2));
  EXPECT_FALSE(std::getline(in, l3));
  EXPECT_EQ(l1.substr(0, 16), "CLIENT_RANDOM 01");
  EXPECT_EQ(l2.substr(0, 16), "CLIENT_RANDOM 03");
  EXPECT_EQ(open_key_log_file("/nonexistent-dir/x"), nullptr);
}

TEST(ServerCertificate, LoadsAndChecksKeyMatch) {
  auto ok = load_server_certificate(kRsaCertPem, kRsaKeyPem);
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->chain.size(), 1u);
  auto mismatch = load_server_certificate(kRsaCertPem, kEcdsaKeyPem);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code(), ErrorCode::invalid_config);
}

}  // namespace
}  // namespace hs::testing

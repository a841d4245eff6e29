// The seed corpora of the handshake fuzz targets (tests/fuzz/handshake/seeds.h): with
// HS_WRITE_FUZZ_CORPUS=1 this test (re)writes tests/fuzz/corpus/{client,client_after_hello,
// server,client_auth_early,server_auth_early}/ from fresh in-memory handshakes; otherwise it checks
// that the committed seeds still carry the fuzz targets' fixed client and server through a whole
// handshake, so a change to the ClientHello or the server's choices does not silently leave the
// fuzzers with stale seeds.
//
//   HS_WRITE_FUZZ_CORPUS=1 ./hs_hostile_test --gtest_filter='SeedCorpus.*'
#include <gtest/gtest.h>
#include <hs/connection.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/testing/testing_provider.h"
#include "fuzz/handshake/seeds.h"

namespace hs::fuzzing {
namespace {

std::filesystem::path corpus_dir(const std::string& target) {
  return std::filesystem::path(HS_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / target;
}

Bytes read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(SeedCorpus, Tls12LoopbacksComplete) {
  for (auto& v : server_variants()) {
    if (v.config.max_version != ProtocolVersion::tls1_2) {
      continue;
    }
    SCOPED_TRACE(v.name);
    Loopback lb(fuzz_client_config(), v.config);
    lb.run_all();
    ASSERT_FALSE(lb.error(Side::client)) << lb.error(Side::client)->message();
    ASSERT_FALSE(lb.error(Side::server)) << lb.error(Side::server)->message();
    EXPECT_TRUE(lb.conn(Side::client).is_connected());
    EXPECT_TRUE(lb.conn(Side::server).is_connected());
  }
  for (auto& v : client_variants()) {
    if (v.config.max_version != ProtocolVersion::tls1_2) {
      continue;
    }
    SCOPED_TRACE(v.name);
    Loopback lb(v.config, fuzz_server_config());
    lb.run_all();
    EXPECT_TRUE(lb.conn(Side::client).is_connected());
    EXPECT_TRUE(lb.conn(Side::server).is_connected());
  }
}

TEST(SeedCorpus, WriteOrCheck) {
  const bool write = std::getenv("HS_WRITE_FUZZ_CORPUS") != nullptr;
  for (const Seed& seed : make_seeds()) {
    auto path = corpus_dir(seed.target) / seed.name;
    if (write) {
      std::filesystem::create_directories(path.parent_path());
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(seed.bytes.data()),
                static_cast<std::streamsize>(seed.bytes.size()));
      continue;
    }
    SCOPED_TRACE(path.string());
    ASSERT_TRUE(std::filesystem::exists(path)) << "regenerate with HS_WRITE_FUZZ_CORPUS=1";
  }
  if (write) {
    GTEST_SKIP() << "seed corpora written";
  }

  // Committed client seeds (TLS 1.2 and 1.3 servers) replay to a connected fuzz client (the
  // server's signature is in the seed; everything the client computes is deterministic).
  for (auto& v : server_variants()) {
    SCOPED_TRACE(v.name);
    Bytes seed = read_file(corpus_dir("client") / v.name);
    ASSERT_FALSE(seed.empty());
    crypto::TestingProvider provider(kClientSeed);
    auto config = std::make_shared<ClientConfig>(fuzz_client_config());
    config->provider = &provider;
    auto conn = Connection::client(config, kServerName);
    ASSERT_TRUE(conn.ok());
    auto r = conn.value()->receive(std::span<const uint8_t>(seed).subspan(1));
    EXPECT_TRUE(r.ok()) << r.error().message() << " (stale seed: HS_WRITE_FUZZ_CORPUS=1)";
    EXPECT_TRUE(conn.value()->is_connected());
  }
  // The RSA PKCS#1 server seeds replay to a connected fuzz server (the one deterministic
  // signature; ECDSA and PSS seeds stop at the client Finished).
  for (auto& v : client_variants()) {
    if (v.name.find("pkcs1") == std::string::npos) {
      continue;
    }
    SCOPED_TRACE(v.name);
    Bytes seed = read_file(corpus_dir("server") / v.name);
    ASSERT_FALSE(seed.empty());
    crypto::TestingProvider provider(kServerSeed);
    auto config = std::make_shared<ServerConfig>(fuzz_server_config());
    config->provider = &provider;
    auto conn = Connection::server(config);
    ASSERT_TRUE(conn.ok());
    auto r = conn.value()->receive(std::span<const uint8_t>(seed).subspan(1));
    EXPECT_TRUE(r.ok()) << r.error().message() << " (stale seed: HS_WRITE_FUZZ_CORPUS=1)";
    EXPECT_TRUE(conn.value()->is_connected());
  }
}

// The client-auth and 0-RTT seeds replay to a connected fuzz_client_auth_early client and
// fuzz_server_auth_early server, configured exactly as the targets are: every byte they
// compute repeats (pinned clock, fixed ticket key, Ed25519 signatures), so each seed carries
// the target through its whole handshake, 0-RTT included.
TEST(SeedCorpus, AuthEarlySeedsReplay) {
  const auto session = first_session();  // pins the session clock, as the targets do
  ASSERT_TRUE(session.has_value());
  for (auto& v : auth_early_server_variants()) {
    SCOPED_TRACE(v.name);
    Bytes seed = read_file(corpus_dir("client_auth_early") / v.name);
    ASSERT_FALSE(seed.empty());
    const bool resume = (seed[0] & 0x80) == 0;
    crypto::TestingProvider provider(kClientSeed);
    auto config =
        std::make_shared<ClientConfig>(auth_early_client_config(resume ? &*session : nullptr));
    config->provider = &provider;
    auto conn = Connection::client(config, kServerName);
    ASSERT_TRUE(conn.ok());
    if (resume) {
      ASSERT_TRUE(conn.value()->write_early_data(early_data_bytes()).ok());
    }
    std::span<const uint8_t> input = std::span<const uint8_t>(seed).subspan(1);
    Bytes request;  // the post-handshake CertificateRequest, the seed's last record
    if (asks_after_handshake(v.name)) {
      request = split_records(input).back();
      input = input.first(input.size() - request.size());
    }
    auto r = conn.value()->receive(input);
    EXPECT_TRUE(r.ok()) << r.error().message() << " (stale seed: HS_WRITE_FUZZ_CORPUS=1)";
    EXPECT_TRUE(conn.value()->is_connected());
    if (v.name == "tls13_early_accepted") {
      EXPECT_EQ(conn.value()->info().early_data, EarlyDataStatus::accepted);
    }
    if (!request.empty()) {
      conn.value()->consume_output(conn.value()->output().size());
      ASSERT_TRUE(conn.value()->receive(request).ok());
      // Certificate, CertificateVerify and Finished, one record each.
      EXPECT_EQ(split_records(conn.value()->output()).size(), 3u);
    }
  }
  for (auto& v : auth_early_client_variants()) {
    SCOPED_TRACE(v.name);
    Bytes seed = read_file(corpus_dir("server_auth_early") / v.name);
    ASSERT_FALSE(seed.empty());
    crypto::TestingProvider provider(kServerSeed);
    auto config = std::make_shared<ServerConfig>(auth_early_server_config());
    config->provider = &provider;
    auto conn = Connection::server(config);
    ASSERT_TRUE(conn.ok());
    if (asks_after_handshake(v.name)) {
      // As fuzz_server_auth_early: chunks of seed[0] bytes, the request once connected; the
      // first chunk boundary after the client's Finished comes before its answer.
      const size_t chunk = seed[0];
      bool asked = false;
      for (size_t at = 1; at < seed.size(); at += chunk) {
        const size_t n = std::min(chunk, seed.size() - at);
        auto r = conn.value()->receive(std::span<const uint8_t>(seed).subspan(at, n));
        ASSERT_TRUE(r.ok()) << r.error().message() << " (stale seed: HS_WRITE_FUZZ_CORPUS=1)";
        if (!asked && conn.value()->is_connected()) {
          asked = true;
          ASSERT_TRUE(conn.value()->request_client_certificate(ClientAuth::request).ok());
        }
      }
      EXPECT_TRUE(asked);
      EXPECT_FALSE(conn.value()->client_certificate_pending());
      EXPECT_EQ(conn.value()->info().peer_chain.size(), 1u);  // the Ed25519 certificate
      continue;
    }
    auto r = conn.value()->receive(std::span<const uint8_t>(seed).subspan(1));
    EXPECT_TRUE(r.ok()) << r.error().message() << " (stale seed: HS_WRITE_FUZZ_CORPUS=1)";
    EXPECT_TRUE(conn.value()->is_connected());
    if (v.name == "tls13_external_psk") {
      EXPECT_EQ(conn.value()->info().psk_identity, external_psk()->identity);
    }
    if (v.early) {
      EXPECT_EQ(conn.value()->info().early_data, EarlyDataStatus::accepted);
      EXPECT_EQ(conn.value()->early_data_readable(), kEarlyData.size());
    }
  }
}

}  // namespace
}  // namespace hs::fuzzing

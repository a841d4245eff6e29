// Seed corpora for the handshake fuzz targets, made from real in-memory handshakes between our
// client and our server (loopback.h). tests/unit/hostile/seed_corpus_test.cc writes them to
// tests/fuzz/corpus/<target>/ (HS_WRITE_FUZZ_CORPUS=1) and checks the committed files replay.
//
//   client/<variant>             what the fuzz client received from a server configured as
//                                <variant> (the fuzz client never changes; the server does)
//   client_after_hello/<variant> the same, minus the ServerHello record fuzz_client_after_hello
//                                replays itself; the first byte picks the prefix
//   server/<variant>             what the fuzz server received from a client configured as
//                                <variant>
//   client_auth_early/<variant>  what fuzz_client_auth_early's client (client certificate,
//                                post-handshake auth offered, 0-RTT resumption,
//                                auth_early.h) received from <variant>
//   server_auth_early/<variant>  what fuzz_server_auth_early's server (client certificate
//                                requested, 0-RTT accepted, external PSK known, post-handshake
//                                request once connected) received from <variant>
//
// Every seed starts with drive.h's chunking byte (0: one receive()). TLS 1.3 seeds come from
// the same runs once the server speaks TLS 1.3: the `tls13` variants offer it on both sides.
#pragma once

#include <string>
#include <vector>

#include "fuzz/handshake/auth_early.h"
#include "fuzz/handshake/loopback.h"

namespace hs::fuzzing {

struct ServerVariant {
  std::string name;
  ServerConfig config;
};
struct ClientVariant {
  std::string name;
  ClientConfig config;
};

// server_variants are the servers the fuzz client is recorded against (index = the prefix
// number of fuzz_client_after_hello).
inline std::vector<ServerVariant> server_variants() {
  auto tls12 = [](std::vector<CipherSuite> suites, std::vector<NamedGroup> groups) {
    ServerConfig s = fuzz_server_config();
    s.max_version = ProtocolVersion::tls1_2;
    s.cipher_suites = std::move(suites);
    s.groups = std::move(groups);
    return s;
  };
  std::vector<ServerVariant> out;
  out.push_back(
      {"tls12_rsa_aes128_x25519",
       tls12({CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}, {NamedGroup::x25519})});
  out.push_back(
      {"tls12_ecdsa_aes256_p384",
       tls12({CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}, {NamedGroup::secp384r1})});
  out.push_back({"tls12_ecdsa_chacha_p256",
                 tls12({CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
                       {NamedGroup::secp256r1})});
  ServerVariant no_alpn{
      "tls12_rsa_chacha_no_alpn",
      tls12({CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}, {NamedGroup::x25519})};
  no_alpn.config.alpn.clear();
  out.push_back(std::move(no_alpn));
  out.push_back({"tls13_default", fuzz_server_config()});
  return out;
}

// client_variants are the clients the fuzz server is recorded against. rsa_pkcs1 makes the
// server sign with RSA PKCS#1 v1.5, the one deterministic signature, so that seed replays to a
// connected server (the client Finished covers the ServerKeyExchange signature).
inline std::vector<ClientVariant> client_variants() {
  auto tls12 = [](std::vector<CipherSuite> suites, std::vector<NamedGroup> groups,
                  std::vector<SignatureScheme> schemes) {
    ClientConfig c = fuzz_client_config();
    c.max_version = ProtocolVersion::tls1_2;
    c.cipher_suites = std::move(suites);
    c.groups = std::move(groups);
    c.signature_schemes = std::move(schemes);
    return c;
  };
  std::vector<ClientVariant> out;
  out.push_back({"tls12_rsa_pkcs1_aes128_x25519",
                 tls12({CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}, {NamedGroup::x25519},
                       {SignatureScheme::rsa_pkcs1_sha256})});
  out.push_back({"tls12_rsa_pkcs1_chacha_p384",
                 tls12({CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256},
                       {NamedGroup::secp384r1}, {SignatureScheme::rsa_pkcs1_sha384})});
  out.push_back({"tls12_ecdsa_default",
                 tls12(default_cipher_suites(), default_groups(), default_signature_schemes())});
  out.push_back({"tls13_default", fuzz_client_config()});
  return out;
}

// auth_early_server_variants: the servers fuzz_client_auth_early's client is recorded against.
inline std::vector<ServerVariant> auth_early_server_variants() {
  std::vector<ServerVariant> out;
  out.push_back({"tls13_early_accepted", auth_early_server_config()});
  ServerVariant declined{"tls13_early_declined", auth_early_server_config()};
  declined.config.max_early_data_size = 0;
  out.push_back(std::move(declined));
  // Full handshakes with a CertificateRequest (the client holds no session).
  ServerVariant auth13{"tls13_client_auth", auth_early_server_config()};
  auth13.config.client_auth = ClientAuth::require;
  out.push_back(std::move(auth13));
  ServerVariant auth12{"tls12_client_auth", auth_early_server_config()};
  auth12.config.max_version = ProtocolVersion::tls1_2;
  auth12.config.client_auth = ClientAuth::require;
  out.push_back(std::move(auth12));
  // No CertificateRequest in the handshake; one after it (make_seeds asks).
  ServerVariant pha{"tls13_post_handshake_auth", auth_early_server_config()};
  pha.config.client_auth = ClientAuth::none;
  out.push_back(std::move(pha));
  return out;
}

// asks_after_handshake: the variants whose server sends a post-handshake CertificateRequest.
inline bool asks_after_handshake(const std::string& variant) {
  return variant.find("post_handshake_auth") != std::string::npos;
}

// auth_early_client_variants: the clients fuzz_server_auth_early's server is recorded against;
// `early` ones resume the first_session() ticket and send kEarlyData.
struct AuthEarlyClient {
  std::string name;
  ClientConfig config;
  bool early = false;
};
inline std::vector<AuthEarlyClient> auth_early_client_variants() {
  static const std::optional<StoredSession> session = first_session();
  std::vector<AuthEarlyClient> out;
  out.push_back({"tls13_early", auth_early_client_config(&*session), true});
  out.push_back({"tls13_client_cert", auth_early_client_config(nullptr)});
  ClientConfig cert12 = auth_early_client_config(nullptr);
  cert12.max_version = ProtocolVersion::tls1_2;
  out.push_back({"tls12_client_cert", std::move(cert12)});
  out.push_back({"tls13_no_cert", fuzz_client_config()});
  out.push_back({"tls13_external_psk", external_psk_client_config()});
  // The handshake, then the client's answer to the server's post-handshake request.
  out.push_back({"tls13_post_handshake_auth", auth_early_client_config(nullptr)});
  return out;
}

// pha_chunk is the first seed byte (drive.h's chunk size) that ends a receive() exactly at
// `offset`, the end of the client's handshake flight, so the fuzz server is connected, and asks
// for the certificate, before the answer arrives: the largest divisor of `offset` up to 255.
inline uint8_t pha_chunk(size_t offset) {
  for (size_t n = 255; n > 1; --n) {
    if (offset % n == 0) {
      return static_cast<uint8_t>(n);
    }
  }
  return 1;
}

struct Seed {
  std::string target;  // corpus directory name
  std::string name;
  Bytes bytes;
};

inline Bytes seed_bytes(const std::vector<SentMessage>& records, size_t skip = 0) {
  Bytes out = {0};  // drive.h: one receive() for everything
  for (size_t i = skip; i < records.size(); ++i) {
    out.insert(out.end(), records[i].wire.begin(), records[i].wire.end());
  }
  return out;
}

// server_hello_prefixes returns, per server variant, the ServerHello record the fuzz client
// received (what fuzz_client_after_hello replays before the input).
inline std::vector<Bytes> server_hello_prefixes() {
  std::vector<Bytes> out;
  for (auto& v : server_variants()) {
    Loopback lb(fuzz_client_config(), v.config);
    lb.run_all();
    out.push_back(lb.delivered(Side::client).empty() ? Bytes{}
                                                     : lb.delivered(Side::client).front().wire);
  }
  return out;
}

// make_seeds runs every variant and returns the seed files.
inline std::vector<Seed> make_seeds() {
  std::vector<Seed> out;
  auto servers = server_variants();
  for (size_t i = 0; i < servers.size(); ++i) {
    Loopback lb(fuzz_client_config(), servers[i].config);
    lb.run_all();
    const auto& got = lb.delivered(Side::client);
    out.push_back({"client", servers[i].name, seed_bytes(got)});
    Bytes after = seed_bytes(got, 1);
    after.insert(after.begin(), static_cast<uint8_t>(i));
    out.push_back({"client_after_hello", servers[i].name, after});
  }
  for (auto& v : client_variants()) {
    Loopback lb(v.config, fuzz_server_config());
    lb.run_all();
    out.push_back({"server", v.name, seed_bytes(lb.delivered(Side::server))});
  }
  const auto session = first_session();  // pins the session clock
  for (auto& v : auth_early_server_variants()) {
    const bool early = v.name.find("early") != std::string::npos;
    Loopback lb(auth_early_client_config(early ? &*session : nullptr), v.config);
    if (early) {
      (void)lb.write_early_data(early_data_bytes());
    }
    lb.run_all();
    if (asks_after_handshake(v.name)) {
      (void)lb.request_client_certificate();
      lb.run_all();
    }
    Bytes seed = seed_bytes(lb.delivered(Side::client));
    seed[0] = early ? 0x00 : 0x80;  // fuzz_client_auth_early: top bit = no session
    out.push_back({"client_auth_early", v.name, std::move(seed)});
  }
  for (auto& v : auth_early_client_variants()) {
    Loopback lb(v.config, auth_early_server_config());
    if (v.early) {
      (void)lb.write_early_data(early_data_bytes());
    }
    lb.run_all();
    Bytes seed = seed_bytes(lb.delivered(Side::server));
    if (asks_after_handshake(v.name)) {
      const size_t flight = seed.size() - 1;
      (void)lb.request_client_certificate();
      lb.run_all();
      seed = seed_bytes(lb.delivered(Side::server));
      seed[0] = pha_chunk(flight);
    }
    out.push_back({"server_auth_early", v.name, std::move(seed)});
  }
  return out;
}

}  // namespace hs::fuzzing

// Helpers for the server12 tests (named *_test.cc so the test glob picks it up; it holds no
// tests itself).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crypto/signature.h"
#include "handshake/common/suites.h"
#include "support/pki.h"
#include "unit/handshake/server12/server12_harness.h"
#include "x509/certificate.h"

namespace hs::test {

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<TestCerts> generate() {
  const std::string local = "DNS:localhost,IP:127.0.0.1";
  const std::string example = "DNS:example.com,DNS:*.example.com";
  auto certs = shared_certs(
      "server12-certs", {{"rsa", "rsa:2048", "localhost", local},
                         {"ec", "ec -pkeyopt ec_paramgen_curve:P-256", "localhost", local},
                         {"ec384", "ec -pkeyopt ec_paramgen_curve:P-384", "localhost", local},
                         {"ex_rsa", "rsa:2048", "example.com", example},
                         {"ex_ec", "ec -pkeyopt ec_paramgen_curve:P-256", "example.com", example}});
  if (!certs) {
    return nullptr;
  }
  auto& c = *certs;
  return std::make_unique<TestCerts>(TestCerts{std::move(c[0]), std::move(c[1]), std::move(c[2]),
                                               std::move(c[3]), std::move(c[4])});
}

}  // namespace

std::optional<std::vector<ServerCertificate>> shared_certs(const std::string& set,
                                                           const std::vector<CertSpec>& specs) {
  // The recipe: every spec and the command line, so a change to either remakes the set. Ten
  // years of validity: the set outlives many test runs.
  std::string recipe = "openssl req -x509 -nodes -days 3650\n";
  for (const CertSpec& c : specs) {
    recipe += c.name + "|" + c.key_args + "|" + c.cn + "|" + c.san + "\n";
  }
  std::filesystem::path dir;
  try {
    dir = shared_build_dir(set, recipe, [&](const std::filesystem::path& tmp) {
      for (const CertSpec& c : specs) {
        const std::string cmd = "openssl req -x509 -nodes -days 3650 -newkey " + c.key_args +
                                " -keyout '" + (tmp / (c.name + ".key")).string() + "' -out '" +
                                (tmp / (c.name + ".pem")).string() + "' -subj '/CN=" + c.cn +
                                "' -addext 'subjectAltName=" + c.san + "' >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) {
          throw std::runtime_error("openssl CLI failed: " + cmd);
        }
      }
    });
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
    return std::nullopt;
  }
  std::vector<ServerCertificate> out;
  for (const CertSpec& c : specs) {
    auto loaded = load_server_certificate(slurp(dir / (c.name + ".pem")),
                                          slurp(dir / (c.name + ".key")), &test_provider());
    if (!loaded.ok()) {
      ADD_FAILURE() << c.name << ": load_server_certificate: " << loaded.error().message();
      return std::nullopt;
    }
    out.push_back(std::move(loaded).value());
  }
  return out;
}

const TestCerts* test_certs() {
  static std::unique_ptr<TestCerts> certs = generate();
  if (!certs) {
    ADD_FAILURE() << "test certificates unavailable";
  }
  return certs.get();
}

const crypto::Provider& test_provider() {
  static const crypto::TestingProvider provider(1207);
  return provider;
}

// ---- FakeContext ----

Result<void> FakeContext::send_handshake(std::span<const uint8_t> raw) {
  const auto type = static_cast<HandshakeType>(raw[0]);
  sent.push_back(
      Sent{type, std::vector<uint8_t>(raw.begin(), raw.end()), write_protection != nullptr});
  log.push_back("hs:" + std::string(handshake_type_name(type)));
  return ok_result();
}

Result<void> FakeContext::send_change_cipher_spec() {
  log.push_back("ccs");
  return ok_result();
}

void FakeContext::set_write_protection(std::unique_ptr<record::RecordProtection> p,
                                       std::string_view /*secret_name*/) {
  write_protection = std::move(p);
  log.push_back("write_keys");
}

Result<void> FakeContext::set_read_protection(std::unique_ptr<record::RecordProtection> p,
                                              std::string_view /*secret_name*/) {
  read_protection = std::move(p);
  log.push_back("read_keys");
  return ok_result();
}

void FakeContext::key_log(std::string_view label, std::span<const uint8_t> /*client_random*/,
                          const SecretBytes& secret) {
  key_logs.emplace_back(std::string(label), declassify(secret.expose()));  // test only
}

std::vector<FakeContext::Sent> FakeContext::take_sent() {
  std::vector<Sent> out = std::move(sent);
  sent.clear();
  return out;
}

// ---- ClientHello ----

std::vector<uint8_t> handshake_raw(HandshakeType type, std::span<const uint8_t> body) {
  std::vector<uint8_t> raw;
  messages::write_handshake(type, body, raw);
  return raw;
}

detail::HandshakeMessageView view(std::span<const uint8_t> raw) {
  return detail::HandshakeMessageView{static_cast<HandshakeType>(raw[0]), raw.subspan(4), raw};
}

std::vector<uint8_t> client_hello(const HelloOptions& opts) {
  messages::ClientHello ch;
  ch.legacy_version = opts.legacy_version;
  EXPECT_TRUE(test_provider().random(ch.random).ok());
  ch.legacy_session_id.assign(32, 0x5A);
  for (uint16_t s : opts.suites) {
    ch.cipher_suites.push_back(static_cast<CipherSuite>(s));
  }
  if (opts.scsv) {
    ch.cipher_suites.push_back(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  }
  ch.compression_methods = opts.compression;
  auto add = [&](ExtensionType type, auto&& fn) {
    auto ext = messages::make_extension(type, fn);
    EXPECT_TRUE(ext.ok());
    ch.extensions.push_back(std::move(ext).value());
  };
  if (!opts.sni.empty()) {
    add(ExtensionType::server_name,
        [&](auto& out) { return messages::serialize_server_name(opts.sni, out); });
  }
  if (opts.versions) {
    add(ExtensionType::supported_versions, [&](auto& out) {
      return messages::serialize_supported_versions_client(*opts.versions, out);
    });
  }
  if (opts.groups) {
    add(ExtensionType::supported_groups,
        [&](auto& out) { return messages::serialize_supported_groups(*opts.groups, out); });
  }
  if (opts.ec_point_formats) {
    add(ExtensionType::ec_point_formats,
        [&](auto& out) { return messages::serialize_ec_point_formats({0}, out); });
  }
  if (opts.schemes) {
    add(ExtensionType::signature_algorithms,
        [&](auto& out) { return messages::serialize_signature_algorithms(*opts.schemes, out); });
  }
  if (opts.alpn) {
    add(ExtensionType::application_layer_protocol_negotiation,
        [&](auto& out) { return messages::serialize_alpn(*opts.alpn, out); });
  }
  if (opts.ems) {
    ch.extensions.push_back(messages::Extension{ExtensionType::extended_master_secret, {}});
  }
  if (opts.renegotiation_info) {
    add(ExtensionType::renegotiation_info, [&](auto& out) {
      return messages::serialize_renegotiation_info(*opts.renegotiation_info, out);
    });
  }
  for (const auto& e : opts.extra) {
    ch.extensions.push_back(e);
  }
  std::vector<uint8_t> raw;
  EXPECT_TRUE(messages::serialize_message(ch, raw).ok());
  return raw;
}

std::shared_ptr<ServerConfig> make_config(std::vector<ServerCertificate> certs) {
  auto config = std::make_shared<ServerConfig>();
  config->certificates = std::move(certs);
  config->provider = &test_provider();
  return config;
}

// ---- parsing the server's flight ----

std::optional<ServerFlight> parse_flight(const std::vector<FakeContext::Sent>& sent,
                                         std::span<const uint8_t, 32> client_random) {
  // A CertificateStatus (RFC 6066 §8) may follow the Certificate.
  const bool stapled = sent.size() == 5 && sent[2].type == HandshakeType::certificate_status;
  if (sent.size() != (stapled ? 5u : 4u)) {
    ADD_FAILURE() << "server flight has " << sent.size() << " messages, want 4 (5 stapled)";
    return std::nullopt;
  }
  std::vector<HandshakeType> want = {HandshakeType::server_hello, HandshakeType::certificate,
                                     HandshakeType::server_key_exchange,
                                     HandshakeType::server_hello_done};
  if (stapled) {
    want.insert(want.begin() + 2, HandshakeType::certificate_status);
  }
  ServerFlight f;
  for (size_t i = 0; i < want.size(); ++i) {
    if (sent[i].type != want[i] || sent[i].encrypted) {
      ADD_FAILURE() << "flight message " << i << " is " << static_cast<int>(sent[i].type);
      return std::nullopt;
    }
    f.raw.push_back(sent[i].raw);
  }
  auto body = [&](size_t i) { return std::span<const uint8_t>(sent[i].raw).subspan(4); };
  const size_t after = stapled ? 1 : 0;
  if (stapled) {
    auto status = messages::parse_certificate_status(body(2));
    if (!status.ok()) {
      ADD_FAILURE() << "CertificateStatus does not parse";
      return std::nullopt;
    }
    f.status = std::move(status).value();
  }
  auto sh = messages::parse_server_hello(body(0));
  auto cert = messages::parse_certificate12(body(1));
  auto ske = messages::parse_server_key_exchange_ecdhe(body(2 + after));
  auto shd = messages::parse_server_hello_done(body(3 + after));
  if (!sh.ok() || !cert.ok() || !ske.ok() || !shd.ok()) {
    ADD_FAILURE() << "server flight does not parse";
    return std::nullopt;
  }
  f.hello = std::move(sh).value();
  f.certificate = std::move(cert).value();
  f.ske = std::move(ske).value();
  // The ServerKeyExchange signature must verify under the leaf's key (RFC 8422 §5.4).
  auto leaf = x509::parse_certificate(f.certificate.chain.at(0));
  if (!leaf.ok()) {
    ADD_FAILURE() << "leaf does not parse";
    return std::nullopt;
  }
  auto pub = test_provider().parse_public_key(leaf->spki_raw);
  auto alg = crypto::scheme_algorithm(f.ske.scheme);
  if (!pub.ok() || !alg) {
    ADD_FAILURE() << "leaf key or scheme unusable";
    return std::nullopt;
  }
  auto content = messages::ske_signed_content(client_random, f.hello.random, f.ske);
  EXPECT_TRUE(pub.value()->verify(*alg, content, f.ske.signature))
      << "ServerKeyExchange signature does not verify";
  return f;
}

// ---- ScriptedClient ----

Result<void> ScriptedClient::deliver(std::span<const uint8_t> raw) {
  return driver_.on_handshake(ctx_, view(raw));
}

Result<void> ScriptedClient::hello(const HelloOptions& opts) {
  auto raw = client_hello(opts);
  auto parsed = messages::parse_client_hello(std::span<const uint8_t>(raw).subspan(4));
  EXPECT_TRUE(parsed.ok());
  if (parsed.ok()) {
    client_random_ = parsed->random;
  }
  HS_TRY(deliver(raw));
  flight_ = parse_flight(ctx_.take_sent(), client_random_);
  if (!flight_) {
    return Error(ErrorCode::internal_error, "test", "bad flight");
  }
  auto suite = detail::suite_info(flight_->hello.cipher_suite);
  if (!suite) {
    return Error(ErrorCode::internal_error, "test", "unknown suite");
  }
  hash_ = suite->hash;
  aead_ = suite->aead;
  transcript_ = detail::Transcript(test_provider(), hash_);
  transcript_.add(raw);
  for (const auto& m : flight_->raw) {
    transcript_.add(m);
  }
  return ok_result();
}

Result<void> ScriptedClient::key_exchange(std::optional<std::vector<uint8_t>> override_public) {
  const crypto::Provider& p = test_provider();
  auto share = HS_TRY(p.generate_key_share(flight_->ske.group));
  auto pre_master = HS_TRY(share->derive(flight_->ske.public_key));
  messages::ClientKeyExchangeEcdhe cke;
  if (override_public) {
    cke.public_key = *override_public;
  } else {
    auto pub = share->public_key();
    cke.public_key.assign(pub.begin(), pub.end());
  }
  std::vector<uint8_t> raw;
  HS_TRY(messages::serialize_message(cke, raw));
  HS_TRY(deliver(raw));
  transcript_.add(raw);
  const bool ems = messages::find_extension(flight_->hello.extensions,
                                            ExtensionType::extended_master_secret) != nullptr;
  master_ = HS_TRY(ems ? keyschedule::extended_master_secret(p, hash_, pre_master.expose(),
                                                             transcript_.current())
                       : keyschedule::master_secret(p, hash_, pre_master.expose(), client_random_,
                                                    flight_->hello.random));
  keys_ = HS_TRY(keyschedule::key_block(p, hash_, aead_, master_.expose(), client_random_,
                                        flight_->hello.random));
  return ok_result();
}

Result<void> ScriptedClient::change_cipher_spec() { return driver_.on_change_cipher_spec(ctx_); }

Result<void> ScriptedClient::finished(bool corrupt) {
  const crypto::Provider& p = test_provider();
  auto vd = HS_TRY(keyschedule::finished_verify_data12(
      p, hash_, master_.expose(), keyschedule::Sender::client, transcript_.current()));
  messages::Finished fin{declassify(vd.expose())};
  if (corrupt) {
    fin.verify_data.back() ^= 0x01;
  }
  std::vector<uint8_t> raw;
  HS_TRY(messages::serialize_message(fin, raw));
  // The record the server would read: sealed with our client write key, it must open under
  // the protection the server installed for reading.
  if (ctx_.read_protection) {
    auto ours = HS_TRY(record::make_tls12_protection(p, aead_, keys_->client_write_key.expose(),
                                                     keys_->client_write_iv.expose()));
    std::vector<uint8_t> record;
    HS_TRY(ours->seal(ContentType::handshake, 0x0303, raw, record));
    std::span<uint8_t> fragment = std::span<uint8_t>(record).subspan(5);
    auto opened = ctx_.read_protection->open(ContentType::handshake, 0x0303, fragment);
    EXPECT_TRUE(opened.ok()) << "server read keys do not match the client write keys";
    if (opened.ok()) {
      EXPECT_EQ(std::vector<uint8_t>(opened->plaintext.begin(), opened->plaintext.end()), raw);
    }
  } else {
    ADD_FAILURE() << "no read protection installed before the client Finished";
  }
  HS_TRY(deliver(raw));
  transcript_.add(raw);
  return ok_result();
}

void ScriptedClient::check_server_finished() {
  const crypto::Provider& p = test_provider();
  auto sent = ctx_.take_sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type, HandshakeType::finished);
  EXPECT_TRUE(sent[0].encrypted);
  auto vd = keyschedule::finished_verify_data12(p, hash_, master_.expose(),
                                                keyschedule::Sender::server, transcript_.current());
  ASSERT_TRUE(vd.ok());
  auto fin = messages::parse_finished(std::span<const uint8_t>(sent[0].raw).subspan(4), 12);
  ASSERT_TRUE(fin.ok());
  EXPECT_EQ(fin->verify_data, declassify(vd->expose()));
  // The server's write protection must match the server write key we derived.
  ASSERT_TRUE(ctx_.write_protection);
  std::vector<uint8_t> record;
  ASSERT_TRUE(
      ctx_.write_protection->seal(ContentType::handshake, 0x0303, sent[0].raw, record).ok());
  auto theirs = record::make_tls12_protection(p, aead_, keys_->server_write_key.expose(),
                                              keys_->server_write_iv.expose());
  ASSERT_TRUE(theirs.ok());
  std::span<uint8_t> fragment = std::span<uint8_t>(record).subspan(5);
  auto opened = theirs.value()->open(ContentType::handshake, 0x0303, fragment);
  ASSERT_TRUE(opened.ok()) << "server write keys do not match the key block";
  transcript_.add(sent[0].raw);
}

Result<void> ScriptedClient::run(const HelloOptions& opts) {
  HS_TRY(hello(opts));
  HS_TRY(key_exchange());
  HS_TRY(change_cipher_spec());
  HS_TRY(finished());
  check_server_finished();
  return ok_result();
}

}  // namespace hs::test

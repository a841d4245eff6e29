// RFC 8448 §4 ("Resumed 0-RTT Handshake") and §5 ("HelloRetryRequest") byte for byte, for our
// TLS 1.3 client driven through a provider that replays the RFC's client randoms and private
// keys.
//
// §4: the §3 handshake runs first (as in rfc8448_test.cc) with a session store, so that the
// RFC's NewSessionTicket becomes a StoredSession through our client's own code (PSK from the
// resumption master secret and the ticket nonce). The second connection resumes with it: the
// ClientHello (pre_shared_key with the RFC's binder, early_data), the 0-RTT record "ABCDEF",
// then, after the RFC's ServerHello and EncryptedExtensions/Finished, the EndOfEarlyData record
// (early traffic key) and the Finished record (handshake key) are the RFC's, as are the
// application data and close_notify records and every secret the key log carries.
//
// §5: the client offers only an x25519 share; the RFC's server wants secp256r1 and sends a
// HelloRetryRequest with a cookie; ClientHello2 (P-256 share from the RFC's private key, the
// cookie) and the client Finished are the RFC's records, and the secrets are the RFC's.
//
// Test seams (client::TestHooks; production never sets them):
// - middlebox_compat = false: the RFC's client (NSS) sends an empty legacy_session_id and no
//   dummy ChangeCipherSpec.
// - edit_client_hello (and edit_client_hello2 for ClientHello2) replaces the extension list with
// the RFC's after checking every extension
//   we implement against it, as the §3 test does: NSS sends ffdhe groups, SHA-1 schemes,
//   record_size_limit and padding (RFC 7685) that we do not, and orders the extensions
//   differently. In §4 NSS puts early_data between key_share and supported_versions and
//   psk_key_exchange_modes before padding, where we append early_data, psk_key_exchange_modes and
//   pre_shared_key at the end; in §5 ClientHello2, NSS puts the cookie after
//   signature_algorithms (we put it right after key_share) and adds padding. RFC 8446 fixes only
//   pre_shared_key's place (last), so both orders are valid. The hook runs before the binder is
//   computed: the RFC's pre_shared_key goes in with its binder zeroed, and our bind_psk has to
//   produce the RFC's binder for the ClientHello to match.
// - now_ms: the obfuscated_ticket_age is computed from the clock; the hook sets "now" to the
//   time the ticket was stored plus the age the RFC's ClientHello carries (its
//   obfuscated_ticket_age minus the ticket's ticket_age_add), so our client computes the RFC's
//   obfuscated_ticket_age itself.
//
// Not compared here (no client API exposes them): the early exporter master secret and the
// intermediate early/handshake/master secrets; tls13_schedule_test.cc checks those against the
// same RFC sections.
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/session.h>

#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>

#include "connection/connection_impl.h"
#include "crypto/openssl/openssl_provider.h"
#include "handshake/client/client.h"
#include "messages/extensions.h"
#include "messages/messages.h"

namespace hs::testing {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes from_hex(std::string_view hex) {
  Bytes out;
  int hi = -1;
  for (char c : hex) {
    int v = -1;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    }
    if (v < 0) {
      continue;
    }
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

Bytes vector_file(const std::string& name) {
  std::ifstream in(std::string(HS_SOURCE_DIR) + "/tests/vectors/rfc8448/" + name + ".hex");
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return from_hex(ss.str());
}

// ScriptedRandomProvider is libcrypto with random() handing out scripted bytes (the RFC's client
// random, then its private keys: generate_key_share draws them through the virtual random()).
class ScriptedRandomProvider : public crypto::OpenSslProvider {
 public:
  void push(const Bytes& bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.insert(queue_.end(), bytes.begin(), bytes.end());
  }
  Result<void> random(std::span<uint8_t> out) const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() < out.size()) {
      ADD_FAILURE() << "the client drew more random bytes than the RFC's";
      return Error(ErrorCode::internal_error, "random");
    }
    for (uint8_t& b : out) {
      b = queue_.front();
      queue_.pop_front();
    }
    return ok_result();
  }
  size_t left() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.size();
  }

 private:
  mutable std::mutex mu_;
  mutable std::deque<uint8_t> queue_;
};

class RecordingKeyLog : public KeyLogSink {
 public:
  void log(std::string_view label, std::span<const uint8_t> client_random,
           std::span<const uint8_t> secret) override {
    entries.push_back({std::string(label), Bytes(client_random.begin(), client_random.end()),
                       Bytes(secret.begin(), secret.end())});
  }
  std::optional<Bytes> find(std::string_view label) const {
    for (const auto& e : entries) {
      if (e.label == label) {
        return e.secret;
      }
    }
    return std::nullopt;
  }
  struct Entry {
    std::string label;
    Bytes client_random;
    Bytes secret;
  };
  std::vector<Entry> entries;
};

Bytes take_output(detail::ConnectionImpl& conn) {
  auto out = conn.output();
  Bytes bytes(out.begin(), out.end());
  conn.consume_output(out.size());
  return bytes;
}

Bytes concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

Bytes payload_0_to_49() {
  Bytes payload;
  for (uint8_t i = 0; i < 50; ++i) {
    payload.push_back(i);
  }
  return payload;
}

std::shared_ptr<ClientConfig> rfc_client_config(const crypto::Provider& provider,
                                                std::shared_ptr<KeyLogSink> key_log) {
  auto config = std::make_shared<ClientConfig>();
  config->min_version = ProtocolVersion::tls1_3;
  config->max_version = ProtocolVersion::tls1_3;
  // The RFC's suite order; its server certificate is self-signed, so verification is off (the
  // CertificateVerify signature is still checked).
  config->cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256,
                           CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                           CipherSuite::TLS_AES_256_GCM_SHA384};
  config->dangerous_skip_verification = true;
  config->key_log = std::move(key_log);
  config->provider = &provider;
  return config;
}

messages::ClientHello parse_rfc_hello(const Bytes& message) {
  auto hello = messages::parse_client_hello(std::span(message).subspan(4));
  EXPECT_TRUE(hello.ok());
  return hello.ok() ? std::move(hello).value() : messages::ClientHello{};
}

// expect_same_extensions checks that `ours` carries each of `types` with the RFC's bytes.
void expect_same_extensions(const messages::ClientHello& ours, const messages::ClientHello& rfc,
                            std::initializer_list<ExtensionType> types) {
  for (ExtensionType t : types) {
    const auto* a = messages::find_extension(ours.extensions, t);
    const auto* b = messages::find_extension(rfc.extensions, t);
    ASSERT_NE(a, nullptr) << static_cast<int>(t);
    ASSERT_NE(b, nullptr) << static_cast<int>(t);
    EXPECT_EQ(a->data, b->data) << static_cast<int>(t);
  }
}

// run_section3 runs the RFC 8448 §3 handshake (see rfc8448_test.cc) with `store`, so that the
// RFC's NewSessionTicket ends up in it under "server".
void run_section3(std::shared_ptr<ClientSessionStore> store) {
  const messages::ClientHello rfc_hello = parse_rfc_hello(vector_file("s3_client_hello"));
  ScriptedRandomProvider provider;
  provider.push(Bytes(rfc_hello.random.begin(), rfc_hello.random.end()));
  provider.push(vector_file("s3_client_x25519_private"));
  auto config = rfc_client_config(provider, nullptr);
  config->sessions = std::move(store);
  client::TestHooks hooks;
  hooks.middlebox_compat = false;
  hooks.edit_client_hello = [&](messages::ClientHello& hello) {
    expect_same_extensions(hello, rfc_hello, {ExtensionType::key_share});
    hello.extensions = rfc_hello.extensions;
  };
  detail::ConnectionImpl conn(true, provider, nullptr,
                              client::make_client_driver_for_testing(config, "server", hooks),
                              nullptr);
  ASSERT_TRUE(conn.start().ok());
  EXPECT_EQ(take_output(conn),
            concat({0x16, 0x03, 0x01, 0x00, 0xc4}, vector_file("s3_client_hello")));
  const Bytes sh = vector_file("s3_server_hello");
  auto r = conn.receive(concat({0x16, 0x03, 0x03, 0x00, static_cast<uint8_t>(sh.size())}, sh));
  ASSERT_TRUE(r.ok()) << r.error().message();
  r = conn.receive(vector_file("s3_server_flight_record"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(conn.is_connected());
  r = conn.receive(vector_file("s3_new_session_ticket_record"));
  ASSERT_TRUE(r.ok()) << r.error().message();
}

TEST(Client13Rfc8448, ResumedZeroRttHandshakeByteForByte) {
  auto store = std::make_shared<InMemorySessionStore>();
  run_section3(store);
  if (::testing::Test::HasFatalFailure()) {
    return;
  }
  // The stored session is §3's ticket: its PSK is the RFC's "tls13 resumption" secret, which
  // §4 uses as the PSK ({client} extract secret "early": IKM).
  auto stored = store->get("server");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->version, ProtocolVersion::tls1_3);
  EXPECT_EQ(stored->suite, CipherSuite::TLS_AES_128_GCM_SHA256);
  EXPECT_EQ(Bytes(stored->secret.expose().begin(), stored->secret.expose().end()),
            vector_file("s4_psk"));
  EXPECT_EQ(stored->max_early_data, 0x400u);

  const Bytes rfc_client_hello = vector_file("s4_client_hello");
  ASSERT_EQ(rfc_client_hello.size(), 512u);
  const messages::ClientHello rfc_hello = parse_rfc_hello(rfc_client_hello);
  const auto* rfc_psk_ext =
      messages::find_extension(rfc_hello.extensions, ExtensionType::pre_shared_key);
  ASSERT_NE(rfc_psk_ext, nullptr);
  auto rfc_psks = messages::parse_pre_shared_key_client(rfc_psk_ext->data);
  ASSERT_TRUE(rfc_psks.ok());
  ASSERT_EQ(rfc_psks->identities.size(), 1u);
  ASSERT_EQ(rfc_psks->binders.size(), 1u);
  EXPECT_EQ(rfc_psks->binders[0], vector_file("s4_binder"));
  // RFC 8446 §4.2.11.1: obfuscated_ticket_age = (age in ms + ticket_age_add) mod 2^32.
  const uint32_t rfc_age_ms = rfc_psks->identities[0].obfuscated_ticket_age - stored->age_add;
  const uint64_t now_ms = stored->created_ms + rfc_age_ms;

  // The RFC's pre_shared_key with its binder zeroed: bind_psk must compute the RFC's binder.
  messages::ClientHello rfc_unbound = rfc_hello;
  {
    messages::OfferedPsks psks = *rfc_psks;
    psks.binders[0].assign(psks.binders[0].size(), 0);
    auto& ext = rfc_unbound.extensions.back();
    ASSERT_EQ(ext.type, ExtensionType::pre_shared_key);
    ext.data.clear();
    ASSERT_TRUE(messages::serialize_pre_shared_key_client(psks, ext.data).ok());
  }

  ScriptedRandomProvider provider;
  provider.push(Bytes(rfc_hello.random.begin(), rfc_hello.random.end()));
  provider.push(vector_file("s4_client_x25519_private"));
  auto key_log = std::make_shared<RecordingKeyLog>();
  auto config = rfc_client_config(provider, key_log);
  config->sessions = store;
  config->enable_early_data = true;

  client::TestHooks hooks;
  hooks.middlebox_compat = false;
  hooks.now_ms = [&] { return now_ms; };
  bool edited = false;
  hooks.edit_client_hello = [&](messages::ClientHello& hello) {
    edited = true;
    EXPECT_EQ(hello.legacy_version, rfc_hello.legacy_version);
    EXPECT_EQ(hello.random, rfc_hello.random);
    EXPECT_TRUE(hello.legacy_session_id.empty());
    EXPECT_EQ(hello.cipher_suites, rfc_hello.cipher_suites);
    EXPECT_EQ(hello.compression_methods, rfc_hello.compression_methods);
    expect_same_extensions(
        hello, rfc_hello,
        {ExtensionType::server_name, ExtensionType::key_share, ExtensionType::supported_versions,
         ExtensionType::early_data, ExtensionType::psk_key_exchange_modes});
    // Our offer: the ticket and the RFC's obfuscated_ticket_age, a zero binder still to fill.
    ASSERT_FALSE(hello.extensions.empty());
    ASSERT_EQ(hello.extensions.back().type, ExtensionType::pre_shared_key);
    EXPECT_EQ(hello.extensions.back().data, rfc_unbound.extensions.back().data);
    hello.extensions = rfc_unbound.extensions;
  };
  auto driver_owned = client::make_client_driver_for_testing(config, "server", hooks);
  client::Driver* driver = driver_owned.get();
  detail::ConnectionImpl conn(true, provider, key_log, std::move(driver_owned), nullptr);
  ASSERT_TRUE(conn.start().ok());
  ASSERT_TRUE(edited);
  EXPECT_EQ(provider.left(), 0u);
  EXPECT_FALSE(store->get("server").has_value()) << "a TLS 1.3 ticket is used once";

  // {client} send handshake record: the ClientHello, binder included.
  EXPECT_EQ(take_output(conn), vector_file("s4_client_hello_record"));
  EXPECT_EQ(key_log->find("CLIENT_EARLY_TRAFFIC_SECRET"),
            vector_file("s4_client_early_traffic_secret"));

  // {client} send application_data record: "ABCDEF" as 0-RTT data under the early key.
  const Bytes early = {0x41, 0x42, 0x43, 0x44, 0x45, 0x46};
  auto wrote = conn.write_early_data(early);
  ASSERT_TRUE(wrote.ok()) << wrote.error().message();
  EXPECT_EQ(*wrote, early.size());
  EXPECT_EQ(take_output(conn), vector_file("s4_client_early_data_record"));

  // {server} ServerHello (pre_shared_key selected), then EncryptedExtensions (early_data
  // accepted) and Finished in one record.
  auto r = conn.receive(vector_file("s4_server_hello_record"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(conn.output().empty());
  r = conn.receive(vector_file("s4_server_flight_record"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(conn.is_connected());

  // {client} send handshake record: EndOfEarlyData (the early key's second record), then
  // Finished under the client handshake key; RFC 8448 sends each in its own record, as we do.
  EXPECT_EQ(take_output(conn), concat(vector_file("s4_client_end_of_early_data_record"),
                                      vector_file("s4_client_finished_record")));

  const SessionInfo& info = conn.session();
  EXPECT_EQ(info.version, ProtocolVersion::tls1_3);
  EXPECT_EQ(info.cipher_suite, CipherSuite::TLS_AES_128_GCM_SHA256);
  EXPECT_EQ(info.group, NamedGroup::x25519);
  EXPECT_TRUE(info.resumed);
  EXPECT_EQ(info.early_data, EarlyDataStatus::accepted);

  EXPECT_EQ(key_log->find("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
            vector_file("s4_client_handshake_traffic_secret"));
  EXPECT_EQ(key_log->find("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
            vector_file("s4_server_handshake_traffic_secret"));
  EXPECT_EQ(key_log->find("CLIENT_TRAFFIC_SECRET_0"),
            vector_file("s4_client_application_traffic_secret_0"));
  EXPECT_EQ(key_log->find("SERVER_TRAFFIC_SECRET_0"),
            vector_file("s4_server_application_traffic_secret_0"));
  EXPECT_EQ(key_log->find("EXPORTER_SECRET"), vector_file("s4_exporter_master_secret"));
  for (const auto& e : key_log->entries) {
    EXPECT_EQ(e.client_random, Bytes(rfc_hello.random.begin(), rfc_hello.random.end()));
  }
  const auto* state = driver->tls13_state();
  ASSERT_NE(state, nullptr);
  const auto* connected = std::get_if<client13::Connected>(state);
  ASSERT_NE(connected, nullptr);
  EXPECT_EQ(Bytes(connected->resumption_master_secret.expose().begin(),
                  connected->resumption_master_secret.expose().end()),
            vector_file("s4_resumption_master_secret"));

  // {client}/{server} send application_data record: 50 bytes 00..31 each way.
  const Bytes payload = payload_0_to_49();
  ASSERT_TRUE(conn.write(payload).ok());
  EXPECT_EQ(take_output(conn), vector_file("s4_client_application_record"));
  r = conn.receive(vector_file("s4_server_application_record"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  Bytes got(100);
  got.resize(conn.read(got));
  EXPECT_EQ(got, payload);

  // {client} send alert record / {server} send alert record: close_notify both ways.
  conn.close();
  EXPECT_EQ(take_output(conn), vector_file("s4_client_alert_record"));
  r = conn.receive(vector_file("s4_server_alert_record"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(conn.peer_closed());
}

TEST(Client13Rfc8448, HelloRetryRequestByteForByte) {
  const Bytes rfc_ch1 = vector_file("s5_client_hello1");
  const Bytes rfc_ch2 = vector_file("s5_client_hello2");
  ASSERT_EQ(rfc_ch1.size(), 180u);
  ASSERT_EQ(rfc_ch2.size(), 512u);
  const messages::ClientHello rfc_hello1 = parse_rfc_hello(rfc_ch1);
  const messages::ClientHello rfc_hello2 = parse_rfc_hello(rfc_ch2);
  ASSERT_EQ(rfc_hello1.random, rfc_hello2.random);

  ScriptedRandomProvider provider;
  provider.push(Bytes(rfc_hello1.random.begin(), rfc_hello1.random.end()));
  provider.push(vector_file("s5_client_x25519_private"));
  provider.push(vector_file("s5_client_p256_private"));
  auto key_log = std::make_shared<RecordingKeyLog>();
  auto config = rfc_client_config(provider, key_log);
  // The RFC's supported_groups: x25519, secp256r1, secp384r1; one share, for x25519.
  config->groups = {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1};

  client::TestHooks hooks;
  hooks.middlebox_compat = false;
  int edits = 0;
  hooks.edit_client_hello = [&](messages::ClientHello& hello) {
    ++edits;
    EXPECT_EQ(hello.random, rfc_hello1.random);
    EXPECT_TRUE(hello.legacy_session_id.empty());
    EXPECT_EQ(hello.cipher_suites, rfc_hello1.cipher_suites);
    expect_same_extensions(hello, rfc_hello1,
                           {ExtensionType::server_name, ExtensionType::supported_groups,
                            ExtensionType::key_share, ExtensionType::supported_versions});
    hello.extensions = rfc_hello1.extensions;
  };
  int edits2 = 0;
  hooks.edit_client_hello2 = [&](messages::ClientHello& hello) {
    ++edits2;
    EXPECT_EQ(hello.random, rfc_hello2.random);
    EXPECT_TRUE(hello.legacy_session_id.empty());
    EXPECT_EQ(hello.cipher_suites, rfc_hello2.cipher_suites);
    // Our client changed ClientHello1 (the RFC's, after the first edit) as RFC 8446 §4.1.2 says:
    // the P-256 share from the RFC's private key, and the cookie. It must be the RFC's
    // ClientHello2 but for the place of the cookie and NSS's padding extension.
    expect_same_extensions(hello, rfc_hello2, {ExtensionType::key_share, ExtensionType::cookie});
    auto without = [](std::vector<messages::Extension> exts) {
      std::erase_if(exts, [](const messages::Extension& e) {
        return e.type == ExtensionType::cookie || e.type == ExtensionType::padding;
      });
      return exts;
    };
    EXPECT_EQ(without(hello.extensions), without(rfc_hello2.extensions));
    hello.extensions = rfc_hello2.extensions;
  };
  auto driver_owned = client::make_client_driver_for_testing(config, "server", hooks);
  client::Driver* driver = driver_owned.get();
  detail::ConnectionImpl conn(true, provider, key_log, std::move(driver_owned), nullptr);
  ASSERT_TRUE(conn.start().ok());
  EXPECT_EQ(edits, 1);
  EXPECT_EQ(edits2, 0);

  // {client} send handshake record: ClientHello1.
  EXPECT_EQ(take_output(conn), vector_file("s5_client_hello1_record"));

  // {server} send handshake record: the HelloRetryRequest (secp256r1, cookie).
  auto r = conn.receive(vector_file("s5_hello_retry_request_record"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(edits, 1);
  EXPECT_EQ(edits2, 1);
  EXPECT_EQ(provider.left(), 0u);

  // {client} send handshake record: ClientHello2 (record version 0x0303 now, as the RFC's).
  EXPECT_EQ(take_output(conn), vector_file("s5_client_hello2_record"));

  // {server} ServerHello, then EncryptedExtensions..Finished in one record.
  r = conn.receive(vector_file("s5_server_hello_record"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(conn.output().empty());
  r = conn.receive(vector_file("s5_server_flight_record"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(conn.is_connected());

  // {client} send handshake record: the client Finished.
  EXPECT_EQ(take_output(conn), vector_file("s5_client_finished_record"));

  const SessionInfo& info = conn.session();
  EXPECT_EQ(info.version, ProtocolVersion::tls1_3);
  EXPECT_EQ(info.cipher_suite, CipherSuite::TLS_AES_128_GCM_SHA256);
  EXPECT_EQ(info.group, NamedGroup::secp256r1);
  EXPECT_FALSE(info.resumed);

  EXPECT_EQ(key_log->find("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
            vector_file("s5_client_handshake_traffic_secret"));
  EXPECT_EQ(key_log->find("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
            vector_file("s5_server_handshake_traffic_secret"));
  EXPECT_EQ(key_log->find("CLIENT_TRAFFIC_SECRET_0"),
            vector_file("s5_client_application_traffic_secret_0"));
  EXPECT_EQ(key_log->find("SERVER_TRAFFIC_SECRET_0"),
            vector_file("s5_server_application_traffic_secret_0"));
  EXPECT_EQ(key_log->find("EXPORTER_SECRET"), vector_file("s5_exporter_master_secret"));
  EXPECT_EQ(key_log->entries.size(), 5u);
  for (const auto& e : key_log->entries) {
    EXPECT_EQ(e.client_random, Bytes(rfc_hello1.random.begin(), rfc_hello1.random.end()));
  }
  const auto* state = driver->tls13_state();
  ASSERT_NE(state, nullptr);
  const auto* connected = std::get_if<client13::Connected>(state);
  ASSERT_NE(connected, nullptr);
  EXPECT_EQ(Bytes(connected->resumption_master_secret.expose().begin(),
                  connected->resumption_master_secret.expose().end()),
            vector_file("s5_resumption_master_secret"));

  // {client} send alert record / {server} send alert record: close_notify both ways.
  conn.close();
  EXPECT_EQ(take_output(conn), vector_file("s5_client_alert_record"));
  r = conn.receive(vector_file("s5_server_alert_record"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(conn.peer_closed());
}

}  // namespace
}  // namespace hs::testing

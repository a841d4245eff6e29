// Connection::export_keying_material end to end in memory: our client and our server derive the
// same bytes, and those bytes are the ones libcrypto's own KDFs give from the secrets the key log
// shows (EVP_KDF "TLS1-PRF" for RFC 5705, "TLS13-KDF" for RFC 8446 §7.5), so neither side's
// derivation is checked only against itself. Full and resumed handshakes, both versions, with
// and without a context, and every refusal.
#include "handshake/common/exporter.h"

#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/keylog.h>
#include <hs/session.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "unit/handshake/common/client_harness.h"
#include "unit/handshake/common/key_lines.h"
#include "unit/handshake/common/loopback_pair.h"
#include "unit/handshake/server12/server12_harness.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;

// ServerRandom takes ServerHello.random from the server's outgoing ServerHello.
class ServerRandom final : public Observer {
 public:
  void on_event(const Event& event) override {
    const auto* m = std::get_if<MessageEvent>(&event.body);
    // ServerHello: type(1) length(3) legacy_version(2) random(32).
    if (m != nullptr && m->direction == Direction::out && m->content_type == 22 &&
        m->handshake_type == 2 && m->bytes.size() >= 38) {
      random.assign(m->bytes.begin() + 6, m->bytes.begin() + 38);
    }
  }
  Bytes random;
};

Bytes as_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes exported(const Connection& c, std::string_view label, size_t length,
               std::optional<std::span<const uint8_t>> context = std::nullopt) {
  auto r = c.export_keying_material(label, length, context);
  EXPECT_TRUE(r.ok()) << r.error().message();
  if (!r.ok()) {
    return {};
  }
  return Bytes(r->expose().begin(), r->expose().end());
}

// kdf_derive runs libcrypto's KDF `name` with `params` for `length` bytes.
Bytes kdf_derive(const char* name, const OSSL_PARAM* params, size_t length) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, name, nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  Bytes out(length);
  const bool ok = ctx != nullptr && EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1;
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  EXPECT_TRUE(ok) << name;
  return out;
}

// tls12_reference is RFC 5705 §4 through libcrypto's TLS1-PRF:
// PRF(master_secret, label, client_random + server_random [+ u16 length + context])[length].
Bytes tls12_reference(const Bytes& master, std::string_view label, const Bytes& client_random,
                      const Bytes& server_random, const std::optional<Bytes>& context,
                      size_t length) {
  Bytes seed = as_bytes(label);
  seed.insert(seed.end(), client_random.begin(), client_random.end());
  seed.insert(seed.end(), server_random.begin(), server_random.end());
  if (context) {
    seed.push_back(static_cast<uint8_t>(context->size() >> 8));
    seed.push_back(static_cast<uint8_t>(context->size()));
    seed.insert(seed.end(), context->begin(), context->end());
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, const_cast<uint8_t*>(master.data()),
                                        master.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed.data(), seed.size()),
      OSSL_PARAM_construct_end(),
  };
  return kdf_derive("TLS1-PRF", params, length);
}

// tls13_expand_label is HKDF-Expand-Label through libcrypto's TLS13-KDF (expand only).
Bytes tls13_expand_label(const Bytes& secret, std::string_view label, const Bytes& context,
                         size_t length) {
  char digest[] = "SHA256";
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  uint8_t prefix[] = {'t', 'l', 's', '1', '3', ' '};
  Bytes l = as_bytes(label);
  Bytes c = context;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(secret.data()),
                                        secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, prefix, sizeof(prefix)),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, l.data(), l.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA, c.data(), c.size()),
      OSSL_PARAM_construct_end(),
  };
  return kdf_derive("TLS13-KDF", params, length);
}

Bytes sha256(const Bytes& data) {
  Bytes out(32);
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr), 1);
  return out;
}

// tls13_reference is RFC 8446 §7.5: HKDF-Expand-Label(Derive-Secret(exporter_master_secret,
// label, ""), "exporter", Hash(context_value), length).
Bytes tls13_reference(const Bytes& exporter_secret, std::string_view label, const Bytes& context,
                      size_t length) {
  const Bytes per_label = tls13_expand_label(exporter_secret, label, sha256({}), 32);
  return tls13_expand_label(per_label, "exporter", sha256(context), length);
}

class Exporters : public ::testing::TestWithParam<ProtocolVersion> {
 protected:
  Exporters() : store_(std::make_shared<InMemorySessionStore>()) {}

  std::shared_ptr<ServerConfig> server_config() {
    if (!server_config_) {
      server_config_ = std::make_shared<ServerConfig>();
      server_config_->min_version = server_config_->max_version = GetParam();
      server_config_->certificates = {test_certs()->ecdsa};
      server_config_->key_log = server_keys_;
    }
    return server_config_;
  }

  std::shared_ptr<ClientConfig> client_config() const {
    auto c = std::make_shared<ClientConfig>();
    c->min_version = c->max_version = GetParam();
    c->dangerous_skip_verification = true;
    c->cipher_suites = {GetParam() == ProtocolVersion::tls1_3
                            ? CipherSuite::TLS_AES_128_GCM_SHA256
                            : CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
    c->key_log = client_keys_;
    c->sessions = store_;
    return c;
  }

  // connect runs a handshake (resuming when the store holds a session) to completion.
  void connect(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc) {
    pair_ = LoopbackPair::start(std::move(cc), std::move(sc));
    ASSERT_TRUE(pair_.client && pair_.server);
    pair_.server->set_observer(&server_random_);
    pair_.pump();
    ASSERT_FALSE(pair_.client_error) << pair_.client_error->message();
    ASSERT_FALSE(pair_.server_error) << pair_.server_error->message();
    ASSERT_TRUE(pair_.client->is_connected());
    ASSERT_TRUE(pair_.server->is_connected());
  }

  // reference computes the exported bytes from the key log, as another implementation would.
  Bytes reference(std::string_view label, const std::optional<Bytes>& context, size_t length) {
    if (GetParam() == ProtocolVersion::tls1_3) {
      return tls13_reference(client_keys_->lines.at("EXPORTER_SECRET"), label,
                             context.value_or(Bytes{}), length);
    }
    return tls12_reference(client_keys_->lines.at("CLIENT_RANDOM"), label, client_keys_->random,
                           server_random_.random, context, length);
  }

  std::shared_ptr<KeyLines> client_keys_ = std::make_shared<KeyLines>();
  std::shared_ptr<KeyLines> server_keys_ = std::make_shared<KeyLines>();
  std::shared_ptr<InMemorySessionStore> store_;
  std::shared_ptr<ServerConfig> server_config_;
  ServerRandom server_random_;
  LoopbackPair pair_;
};

TEST_P(Exporters, BothSidesDeriveWhatTheRfcSays) {
  connect(client_config(), server_config());
  const Bytes context = as_bytes("context value");
  const Bytes none = exported(*pair_.client, "EXPORTER-hs-test", 32);
  const Bytes with = exported(*pair_.client, "EXPORTER-hs-test", 32, context);
  EXPECT_EQ(none, exported(*pair_.server, "EXPORTER-hs-test", 32));
  EXPECT_EQ(with, exported(*pair_.server, "EXPORTER-hs-test", 32, context));
  EXPECT_EQ(none, reference("EXPORTER-hs-test", std::nullopt, 32));
  EXPECT_EQ(with, reference("EXPORTER-hs-test", context, 32));
  EXPECT_NE(none, with);
  // Another label, another length: other bytes (a prefix for a shorter length only under the
  // TLS 1.2 PRF; HKDF-Expand-Label binds the length).
  const Bytes other = exported(*pair_.client, "EXPERIMENTAL-other", 32);
  EXPECT_NE(none, other);
  EXPECT_EQ(other, reference("EXPERIMENTAL-other", std::nullopt, 32));
  const Bytes long_one = exported(*pair_.server, "EXPORTER-hs-test", 100);
  EXPECT_EQ(long_one, reference("EXPORTER-hs-test", std::nullopt, 100));
}

TEST_P(Exporters, AnEmptyContextIsNoContextOnlyInTls13) {
  connect(client_config(), server_config());
  const Bytes empty;
  const Bytes none = exported(*pair_.client, "EXPORTER-hs-test", 20);
  const Bytes with_empty = exported(*pair_.client, "EXPORTER-hs-test", 20, empty);
  // RFC 8446 §7.5: "providing no context computes the same value as providing an empty
  // context. This is a change from previous versions of TLS where an empty context produced a
  // different output than an absent context."
  if (GetParam() == ProtocolVersion::tls1_3) {
    EXPECT_EQ(none, with_empty);
  } else {
    EXPECT_NE(none, with_empty);
    EXPECT_EQ(with_empty, reference("EXPORTER-hs-test", Bytes{}, 20));
  }
}

TEST_P(Exporters, ResumedConnectionsExportFromTheirOwnSecrets) {
  connect(client_config(), server_config());
  const Bytes first = exported(*pair_.client, "EXPORTER-hs-test", 32);
  connect(client_config(), server_config());
  ASSERT_TRUE(pair_.client->info().resumed);
  const Bytes second = exported(*pair_.client, "EXPORTER-hs-test", 32);
  EXPECT_EQ(second, exported(*pair_.server, "EXPORTER-hs-test", 32));
  // The reference uses this connection's key log lines: the resumed TLS 1.2 master secret with
  // the new randoms, or the new TLS 1.3 exporter_master_secret.
  EXPECT_EQ(second, reference("EXPORTER-hs-test", std::nullopt, 32));
  EXPECT_NE(first, second);
}

TEST_P(Exporters, StillAvailableAfterCloseAndKeyUpdate) {
  connect(client_config(), server_config());
  const Bytes before = exported(*pair_.client, "EXPORTER-hs-test", 16);
  if (GetParam() == ProtocolVersion::tls1_3) {
    ASSERT_TRUE(pair_.client->key_update(true).ok());
    pair_.pump();
  }
  pair_.client->close();
  pair_.pump();
  EXPECT_TRUE(pair_.server->peer_closed());
  EXPECT_EQ(before, exported(*pair_.client, "EXPORTER-hs-test", 16));
  EXPECT_EQ(before, exported(*pair_.server, "EXPORTER-hs-test", 16));
}

TEST_P(Exporters, RefusedBeforeTheHandshakeCompletes) {
  pair_ = LoopbackPair::start(client_config(), server_config());
  ASSERT_TRUE(pair_.client && pair_.server);
  auto r = pair_.client->export_keying_material("EXPORTER-hs-test", 16);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  // One flight each way: a TLS 1.3 server has sent its Finished (and holds the exporter
  // secret), but the client's Finished has not arrived.
  ASSERT_TRUE(LoopbackPair::transfer(*pair_.client, *pair_.server, nullptr).ok());
  EXPECT_FALSE(pair_.server->export_keying_material("EXPORTER-hs-test", 16).ok());
  pair_.pump();
  EXPECT_TRUE(pair_.server->export_keying_material("EXPORTER-hs-test", 16).ok());
  EXPECT_TRUE(pair_.client->export_keying_material("EXPORTER-hs-test", 16).ok());
}

TEST_P(Exporters, RefusesLabelsAndSizesOutsideTheRfcs) {
  connect(client_config(), server_config());
  auto code = [&](std::string_view label, size_t length,
                  std::optional<std::span<const uint8_t>> context = std::nullopt) {
    auto r = pair_.client->export_keying_material(label, length, context);
    return r.ok() ? std::optional<ErrorCode>() : std::optional<ErrorCode>(r.error().code());
  };
  EXPECT_EQ(code("", 16), ErrorCode::internal_error);
  if (GetParam() == ProtocolVersion::tls1_3) {
    // HkdfLabel's label<7..255> holds "tls13 " + label; HKDF-Expand gives 255 * 32 bytes.
    EXPECT_FALSE(code(std::string(249, 'x'), 16));
    EXPECT_EQ(code(std::string(250, 'x'), 16), ErrorCode::internal_error);
    EXPECT_FALSE(code("EXPORTER-hs-test", 255 * 32));
    EXPECT_EQ(code("EXPORTER-hs-test", 255 * 32 + 1), ErrorCode::internal_error);
    // The TLS 1.2 labels are not reserved in TLS 1.3 (its exporter secret serves nothing else).
    EXPECT_FALSE(code("master secret", 16));
  } else {
    // RFC 5705 §6: reserved, "MUST NOT be used for the purpose described in RFC 5705".
    for (const char* reserved :
         {"client finished", "server finished", "master secret", "key expansion"}) {
      EXPECT_EQ(code(reserved, 16), ErrorCode::internal_error) << reserved;
    }
    EXPECT_FALSE(code("master secretary", 16));
    const Bytes big(0x10000);
    EXPECT_EQ(code("EXPORTER-hs-test", 16, big), ErrorCode::internal_error);
    EXPECT_FALSE(code("EXPORTER-hs-test", 16, std::span<const uint8_t>(big).first(0xFFFF)));
    EXPECT_FALSE(code("EXPORTER-hs-test", 0xFFFF));
    EXPECT_EQ(code("EXPORTER-hs-test", 0x10000), ErrorCode::internal_error);
  }
  // Zero bytes is an empty answer, not an error (OpenSSL allows it too).
  auto none = pair_.client->export_keying_material("EXPORTER-hs-test", 0);
  ASSERT_TRUE(none.ok()) << none.error().message();
  EXPECT_TRUE(none->empty());
  // A refused export leaves the connection as it was.
  EXPECT_TRUE(pair_.client->is_connected());
  EXPECT_EQ(exported(*pair_.client, "EXPORTER-hs-test", 16),
            exported(*pair_.server, "EXPORTER-hs-test", 16));
}

INSTANTIATE_TEST_SUITE_P(Versions, Exporters,
                         ::testing::Values(ProtocolVersion::tls1_2, ProtocolVersion::tls1_3),
                         version_param_name);

// RFC 7627 §5.4: after a full handshake without the extended master secret, "the client or
// server MUST NOT export any key material based on the new master secret". Our client reaches
// such a handshake only with require_extended_master_secret off (hs client --allow-no-ems), here
// against the scripted TLS 1.2 server with the extension left out; our server serves such
// clients by default, shown with the Exporter it keeps for them.
TEST(Exporters12, RefusedWithoutTheExtendedMasterSecret) {
  auto config = testing::insecure_config();
  config->require_extended_master_secret = false;
  testing::ClientHarness h(config);
  h.server.send_ems = false;
  h.handshake();
  ASSERT_FALSE(h.client->info().extended_master_secret);
  auto r = h.client->export_keying_material("EXPORTER-hs-test", 16);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::extended_master_secret_required);
  EXPECT_TRUE(h.client->is_connected());  // refused, not failed

  auto legacy = detail::Exporter::tls12(crypto::HashAlg::sha256, SecretBytes(Bytes(48, 7)),
                                        std::array<uint8_t, 32>{}, std::array<uint8_t, 32>{},
                                        /*extended_master_secret=*/false);
  ASSERT_TRUE(legacy.ok());
  auto s = legacy->derive(test_provider(), "EXPORTER-hs-test", std::nullopt, 16);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::extended_master_secret_required);
}

}  // namespace
}  // namespace hs::test

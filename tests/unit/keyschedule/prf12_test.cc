// TLS 1.2 PRF and key derivation against published vectors: the IETF TLS WG P_SHA256/P_SHA384
// vectors (tls mailing list, msg03416) and NIST CAVP SP 800-135 TLS 1.2 (SHA-256, COUNT = 0).
#include "keyschedule/prf12.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/openssl/openssl_provider.h"
#include "keyschedule/tls12_keys.h"
#include "unit/crypto/test_util.h"

namespace hs::keyschedule {
namespace {

using crypto::AeadAlg;
using crypto::HashAlg;
using hs::testing::hex;
using hs::testing::vec;

const crypto::Provider& provider() { return crypto::default_provider(); }

TEST(Prf12, IetfSha256Vector) {
  auto out = prf12(provider(), HashAlg::sha256, hex("9bbe436ba940f017b17652849a71db35"),
                   "test label", hex("a0ba9f936cda311827a6f796ffd5198c"), 100);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(vec(out->expose()),
            hex("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
                "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
                "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
                "87347b66"));
}

TEST(Prf12, IetfSha384Vector) {
  auto out = prf12(provider(), HashAlg::sha384, hex("b80b733d6ceefcdc71566ea48e5567df"),
                   "test label", hex("cd665cf6a8447dd6ff8b27555edb7465"), 148);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(vec(out->expose()),
            hex("7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd"
                "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd"
                "8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425"
                "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6"
                "91c8f3a26854308d5eaa3be85e0990703d73e56f"));
}

TEST(Prf12, PrefixOfLongerOutputIsShorterOutput) {
  const auto secret = hex("9bbe436ba940f017b17652849a71db35");
  const auto seed = hex("a0ba9f936cda311827a6f796ffd5198c");
  auto a = prf12(provider(), HashAlg::sha256, secret, "test label", seed, 32);
  auto b = prf12(provider(), HashAlg::sha256, secret, "test label", seed, 0);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(vec(a->expose()),
            hex("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"));
  EXPECT_TRUE(b->empty());
}

// NIST CAVP SP 800-135 KDF, [TLS 1.2, SHA-256], COUNT = 0.
const char* kPreMaster =
    "f8938ecc9edebc5030c0c6a441e213cd24e6f770a50dda07876f8d55da062bcadb386b411fd4fe4313a604fce6c17f"
    "bc";
const char* kClientHelloRandom = "36c129d01a3200894b9179faac589d9835d58775f9b5ea3587cb8fd0364cae8c";
const char* kServerHelloRandom = "f6c9575ed7ddd73e1f7d16eca115415812a43c2b747daaaae043abfb50053fce";
const char* kServerRandom = "ae6c806f8ad4d80784549dff28a4b58fd837681a51d928c3e30ee5ff14f39868";
const char* kClientRandom = "62e1fd91f23f558a605f28478c58cf72637b89784d959df7e946d3f07bd1b616";
const char* kMaster =
    "202c88c00f84a17a20027079604787461176455539e705be730890602c289a5001e34eeb3a043e5d52a65e66125188"
    "bf";
const char* kKeyBlock =
    "d06139889fffac1e3a71865f504aa5d0d2a2e89506c6f2279b670c3e1b74f531"
    "016a2530c51a3a0f7e1d6590d0f0566b2f387f8d11fd4f731cdd572d2eae927f"
    "6f2f81410b25e6960be68985add6c38445ad9f8c64bf8068bf9a6679485d966f"
    "1ad6f68b43495b10a683755ea2b858d70ccac7ec8b053c6bd41ca299d4e51928";

TEST(Tls12Keys, MasterSecretCavpVector) {
  auto ms = master_secret(provider(), HashAlg::sha256, hex(kPreMaster), hex(kClientHelloRandom),
                          hex(kServerHelloRandom));
  ASSERT_TRUE(ms.ok());
  EXPECT_EQ(vec(ms->expose()), hex(kMaster));
}

TEST(Tls12Keys, KeyBlockCavpVectorSplitPerAead) {
  const auto kb = hex(kKeyBlock);
  struct Case {
    AeadAlg aead;
    size_t key_len;
    size_t iv_len;
  } cases[] = {{AeadAlg::aes_128_gcm, 16, 4},
               {AeadAlg::aes_256_gcm, 32, 4},
               {AeadAlg::chacha20_poly1305, 32, 12}};
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.aead));
    auto keys = key_block(provider(), HashAlg::sha256, c.aead, hex(kMaster), hex(kClientRandom),
                          hex(kServerRandom));
    ASSERT_TRUE(keys.ok());
    auto slice = [&](size_t off, size_t len) {
      return std::vector<uint8_t>(kb.begin() + off, kb.begin() + off + len);
    };
    EXPECT_EQ(vec(keys->client_write_key.expose()), slice(0, c.key_len));
    EXPECT_EQ(vec(keys->server_write_key.expose()), slice(c.key_len, c.key_len));
    EXPECT_EQ(vec(keys->client_write_iv.expose()), slice(2 * c.key_len, c.iv_len));
    EXPECT_EQ(vec(keys->server_write_iv.expose()), slice(2 * c.key_len + c.iv_len, c.iv_len));
  }
}

TEST(Tls12Keys, RejectsBadInputLengths) {
  EXPECT_FALSE(master_secret(provider(), HashAlg::sha256, hex(kPreMaster), hex("00"),
                             hex(kServerHelloRandom))
                   .ok());
  EXPECT_FALSE(key_block(provider(), HashAlg::sha256, AeadAlg::aes_128_gcm, hex("0011"),
                         hex(kClientRandom), hex(kServerRandom))
                   .ok());
}

// The extended master secret and Finished are PRF calls with fixed labels (RFC 7627, 4;
// RFC 5246, 7.4.9); check them against the PRF with the label spelled out, plus lengths.
TEST(Tls12Keys, ExtendedMasterSecretAndFinishedUseTheirLabels) {
  const auto session_hash = hex("a0ba9f936cda311827a6f796ffd5198ca0ba9f936cda311827a6f796ffd5198c");
  auto ems = extended_master_secret(provider(), HashAlg::sha256, hex(kPreMaster), session_hash);
  auto expect = prf12(provider(), HashAlg::sha256, hex(kPreMaster), "extended master secret",
                      session_hash, 48);
  ASSERT_TRUE(ems.ok() && expect.ok());
  EXPECT_EQ(ems->size(), 48u);
  EXPECT_EQ(vec(ems->expose()), vec(expect->expose()));

  auto client = finished_verify_data12(provider(), HashAlg::sha256, hex(kMaster), Sender::client,
                                       session_hash);
  auto server = finished_verify_data12(provider(), HashAlg::sha256, hex(kMaster), Sender::server,
                                       session_hash);
  auto client_prf =
      prf12(provider(), HashAlg::sha256, hex(kMaster), "client finished", session_hash, 12);
  auto server_prf =
      prf12(provider(), HashAlg::sha256, hex(kMaster), "server finished", session_hash, 12);
  ASSERT_TRUE(client.ok() && server.ok() && client_prf.ok() && server_prf.ok());
  EXPECT_EQ(client->size(), 12u);
  EXPECT_EQ(vec(client->expose()), vec(client_prf->expose()));
  EXPECT_EQ(vec(server->expose()), vec(server_prf->expose()));
  EXPECT_NE(vec(client->expose()), vec(server->expose()));
}

// One Prf12 keyed on the master secret serves the key block and both Finished messages, in the
// order a handshake asks for them; each output must equal a freshly keyed PRF's (the HMAC is
// reset with its key after every tag, RFC 5246 §5 keys every tag with the same secret).
TEST(Prf12, KeyedOnceServesSeveralOutputs) {
  const auto session_hash = hex("a0ba9f936cda311827a6f796ffd5198ca0ba9f936cda311827a6f796ffd5198c");
  auto prf = Prf12::make(provider(), HashAlg::sha256, hex(kMaster));
  ASSERT_TRUE(prf.ok());
  auto keys = key_block(*prf, AeadAlg::aes_256_gcm, hex(kClientRandom), hex(kServerRandom));
  ASSERT_TRUE(keys.ok());
  const auto kb = hex(kKeyBlock);
  EXPECT_EQ(vec(keys->client_write_key.expose()),
            std::vector<uint8_t>(kb.begin(), kb.begin() + 32));
  for (Sender sender : {Sender::server, Sender::client, Sender::server}) {
    auto fresh =
        finished_verify_data12(provider(), HashAlg::sha256, hex(kMaster), sender, session_hash);
    ASSERT_TRUE(fresh.ok());
    EXPECT_EQ(vec(finished_verify_data12(*prf, sender, session_hash).expose()),
              vec(fresh->expose()));
  }
}

// Inputs too long for Prf12's stack buffer take the piecewise path; check it against P_SHA256
// written out from RFC 5246 §5 on the provider's HMAC, one fresh key per tag.
TEST(Prf12, LongSeedMatchesPHashFromTheRfc) {
  const auto secret = hex("9bbe436ba940f017b17652849a71db35");
  std::vector<uint8_t> seed(300);
  for (size_t i = 0; i < seed.size(); ++i) {
    seed[i] = static_cast<uint8_t>(i * 7 + 1);
  }
  const std::string label = "test label";
  std::vector<uint8_t> label_seed(label.begin(), label.end());
  label_seed.insert(label_seed.end(), seed.begin(), seed.end());
  auto hmac = [&](std::span<const uint8_t> a, std::span<const uint8_t> b) {
    auto mac = provider().make_hmac(HashAlg::sha256, secret);
    mac->update(a);
    mac->update(b);
    std::vector<uint8_t> tag(32);
    mac->finish(tag);
    return tag;
  };
  std::vector<uint8_t> expected;
  std::vector<uint8_t> a = hmac(label_seed, {});  // A(1)
  while (expected.size() < 100) {
    auto block = hmac(a, label_seed);
    expected.insert(expected.end(), block.begin(), block.end());
    a = hmac(a, {});
  }
  expected.resize(100);
  auto out = prf12(provider(), HashAlg::sha256, secret, label, seed, 100);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(vec(out->expose()), expected);
}

}  // namespace
}  // namespace hs::keyschedule

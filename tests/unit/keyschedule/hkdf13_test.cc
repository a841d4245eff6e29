// HKDF-Expand-Label and Derive-Secret against RFC 8448, 3 (Simple 1-RTT Handshake).
#include "keyschedule/hkdf13.h"

#include <gtest/gtest.h>

#include "crypto/openssl/openssl_provider.h"
#include "unit/crypto/test_util.h"

namespace hs::keyschedule {
namespace {

using crypto::HashAlg;
using hs::testing::hex;
using hs::testing::vec;

const crypto::OpenSslProvider& provider() {
  static const crypto::OpenSslProvider p;
  return p;
}

const char* kEarlySecret = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a";
const char* kDerivedForHandshake =
    "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba";
const char* kSharedSecret = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
const char* kHandshakeSecret = "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac";
const char* kChShHash = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";
const char* kClientHsTraffic = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
const char* kServerHsTraffic = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
const char* kDerivedForMaster = "43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4";
const char* kMasterSecret = "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919";

TEST(Hkdf13, HkdfLabelEncodingMatchesRfc8448Info) {
  // RFC 8448, 3: "key info (13 octets): 00 10 09 74 6c 73 31 33 20 6b 65 79 00".
  auto key_info = hkdf_label(16, "key", {});
  ASSERT_TRUE(key_info.ok());
  EXPECT_EQ(*key_info, hex("0010 09 746c73313320 6b6579 00"));
  auto iv_info = hkdf_label(12, "iv", {});
  ASSERT_TRUE(iv_info.ok());
  EXPECT_EQ(*iv_info, hex("000c 08 746c73313320 6976 00"));
  EXPECT_FALSE(hkdf_label(32, std::string(250, 'x'), {}).ok());       // label > 255 bytes
  EXPECT_FALSE(hkdf_label(32, "x", std::vector<uint8_t>(256)).ok());  // context > 255 bytes
}

TEST(Hkdf13, Rfc8448KeySchedule) {
  const auto& p = provider();
  const HashAlg h = HashAlg::sha256;
  // Early Secret = HKDF-Extract(0, 0^32).
  SecretBytes early = p.hkdf_extract(h, {}, std::vector<uint8_t>(32, 0));
  EXPECT_EQ(vec(early.expose()), hex(kEarlySecret));

  const auto empty = empty_hash(p, h);
  EXPECT_EQ(empty, hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  auto derived = derive_secret(p, h, early.expose(), "derived", empty);
  ASSERT_TRUE(derived.ok());
  EXPECT_EQ(vec(derived->expose()), hex(kDerivedForHandshake));

  SecretBytes hs = p.hkdf_extract(h, derived->expose(), hex(kSharedSecret));
  EXPECT_EQ(vec(hs.expose()), hex(kHandshakeSecret));

  auto c_hs = derive_secret(p, h, hs.expose(), "c hs traffic", hex(kChShHash));
  auto s_hs = derive_secret(p, h, hs.expose(), "s hs traffic", hex(kChShHash));
  ASSERT_TRUE(c_hs.ok() && s_hs.ok());
  EXPECT_EQ(vec(c_hs->expose()), hex(kClientHsTraffic));
  EXPECT_EQ(vec(s_hs->expose()), hex(kServerHsTraffic));

  auto derived2 = derive_secret(p, h, hs.expose(), "derived", empty);
  ASSERT_TRUE(derived2.ok());
  EXPECT_EQ(vec(derived2->expose()), hex(kDerivedForMaster));
  SecretBytes master = p.hkdf_extract(h, derived2->expose(), std::vector<uint8_t>(32, 0));
  EXPECT_EQ(vec(master.expose()), hex(kMasterSecret));
}

TEST(Hkdf13, Rfc8448ServerHandshakeTrafficKeysAndFinishedKey) {
  const auto& p = provider();
  auto key = hkdf_expand_label(p, HashAlg::sha256, hex(kServerHsTraffic), "key", {}, 16);
  auto iv = hkdf_expand_label(p, HashAlg::sha256, hex(kServerHsTraffic), "iv", {}, 12);
  auto finished = hkdf_expand_label(p, HashAlg::sha256, hex(kServerHsTraffic), "finished", {}, 32);
  ASSERT_TRUE(key.ok() && iv.ok() && finished.ok());
  EXPECT_EQ(vec(key->expose()), hex("3fce516009c21727d0f2e4e86ee403bc"));
  EXPECT_EQ(vec(iv->expose()), hex("5d313eb2671276ee13000b30"));
  EXPECT_EQ(vec(finished->expose()),
            hex("008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8"));
}

// The X25519 shared secret of RFC 8448, 3 comes out of our key share: client private key with
// the server's public key.
TEST(Hkdf13, Rfc8448SharedSecretFromKeyShares) {
  auto client = provider().key_share_from_private(
      NamedGroup::x25519, hex("49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005"));
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(vec((*client)->public_key()),
            hex("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"));
  auto shared =
      (*client)->derive(hex("c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f"));
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(vec(shared->expose()), hex(kSharedSecret));
}

TEST(Hkdf13, DeriveSecretRequiresAFullTranscriptHash) {
  EXPECT_FALSE(
      derive_secret(provider(), HashAlg::sha256, hex(kHandshakeSecret), "c hs traffic", hex("00"))
          .ok());
}

}  // namespace
}  // namespace hs::keyschedule

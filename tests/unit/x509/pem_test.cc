#include "x509/pem.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/x509/test_util.h"

namespace hs::x509 {
namespace {

using testing::make_cert;
using testing::read_bytes;
using testing::read_file;
using testing::run;
using testing::TempDir;

std::vector<uint8_t> bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

TEST(Base64, DecodesRfc4648TestVectors) {
  // RFC 4648 §10.
  EXPECT_EQ(base64_decode(""), bytes(""));
  EXPECT_EQ(base64_decode("Zg=="), bytes("f"));
  EXPECT_EQ(base64_decode("Zm8="), bytes("fo"));
  EXPECT_EQ(base64_decode("Zm9v"), bytes("foo"));
  EXPECT_EQ(base64_decode("Zm9vYg=="), bytes("foob"));
  EXPECT_EQ(base64_decode("Zm9vYmE="), bytes("fooba"));
  EXPECT_EQ(base64_decode("Zm9vYmFy"), bytes("foobar"));
}

TEST(Base64, EncodesRfc4648TestVectorsAndRoundTrips) {
  // RFC 4648 §10.
  EXPECT_EQ(base64_encode(bytes("")), "");
  EXPECT_EQ(base64_encode(bytes("f")), "Zg==");
  EXPECT_EQ(base64_encode(bytes("fo")), "Zm8=");
  EXPECT_EQ(base64_encode(bytes("foo")), "Zm9v");
  EXPECT_EQ(base64_encode(bytes("foob")), "Zm9vYg==");
  EXPECT_EQ(base64_encode(bytes("fooba")), "Zm9vYmE=");
  EXPECT_EQ(base64_encode(bytes("foobar")), "Zm9vYmFy");
  std::vector<uint8_t> all(256);
  for (size_t i = 0; i < all.size(); ++i) {
    all[i] = static_cast<uint8_t>(255 - i);
  }
  for (size_t n = 0; n <= all.size(); n += 37) {
    const std::vector<uint8_t> part(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(base64_decode(base64_encode(part)), part) << n;
  }
}

TEST(Base64, RejectsMalformedInput) {
  for (const char* bad : {"Zg=", "Zg", "Z===", "====", "Zg==Zg==", "Zm9v!", "Zm 9",
                          "Zh==", "Zm9=", "Zm-v", "Zm_v", "Z=g="}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

constexpr std::string_view kFoo = "-----BEGIN TEST-----\nZm9vYmFy\n-----END TEST-----\n";

TEST(Pem, ParsesBlocksAndIgnoresSurroundingText) {
  std::string text = "Subject: whatever\nsome text\n" + std::string(kFoo) +
                     "between\r\n-----BEGIN OTHER-----\r\nZm9v\r\nYmE=\r\n-----END OTHER-----\r\n"
                     "trailer";
  auto blocks = parse_pem(text);
  ASSERT_TRUE(blocks.ok()) << blocks.error().message();
  ASSERT_EQ(blocks->size(), 2u);
  EXPECT_EQ((*blocks)[0].label, "TEST");
  EXPECT_EQ((*blocks)[0].der, bytes("foobar"));
  EXPECT_EQ((*blocks)[1].label, "OTHER");
  EXPECT_EQ((*blocks)[1].der, bytes("fooba"));
  auto none = parse_pem("no blocks here\n");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(Pem, RejectsBrokenBlocks) {
  const std::vector<std::string> bad = {
      "-----BEGIN TEST-----\nZm9vYmFy\n",                        // no END
      "-----BEGIN TEST-----\nZm9vYmFy\n-----END OTHER-----\n",   // label mismatch
      "-----END TEST-----\n",                                    // END without BEGIN
      "-----BEGIN TEST-----\nZm9v*mFy\n-----END TEST-----\n",    // bad character
      "-----BEGIN TEST-----\nZm9vYmF\n-----END TEST-----\n",     // bad length
      "-----BEGIN TEST-----\nZg==\nZm9v\n-----END TEST-----\n",  // padding mid-body
      "-----BEGIN TEST-----\n-----BEGIN TEST-----\nZm9v\n-----END TEST-----\n",  // nested
      "-----BEGIN TEST-----\n-----END TEST-----\n",                              // empty
      "-----BEGIN TEST-----\nX-Header: 1\n\nZm9v\n-----END TEST-----\n",         // stray header
      "-----BEGIN TEST-----\nZm9v YmFy\n-----END TEST-----\n",  // space inside a line
  };
  for (const std::string& text : bad) {
    auto r = parse_pem(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code(), ErrorCode::invalid_config);
  }
}

TEST(Pem, RefusesEncryptedKeysClearly) {
  const std::vector<std::string> encrypted = {
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nZm9vYmFy\n-----END ENCRYPTED PRIVATE KEY-----\n",
      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\n"
      "Zm9vYmFy\n-----END RSA PRIVATE KEY-----\n",
  };
  for (const std::string& text : encrypted) {
    auto r = load_private_key_pem(text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::invalid_config);
    EXPECT_STREQ(r.error().context(), "private key");
    EXPECT_EQ(r.error().detail(),
              "encrypted private keys are not supported; decrypt it with 'openssl pkey'");
  }
}

class PemOpensslTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_openssl()) {
      FAIL() << "openssl CLI not available (scripts/setup.sh installs it)";
    }
  }
  TempDir dir_;
};

TEST_F(PemOpensslTest, LoadsAChainInOrder) {
  auto leaf = make_cert(dir_, "leaf", "ec -pkeyopt ec_paramgen_curve:P-256", "/CN=leaf", "-days 1");
  auto ca = make_cert(dir_, "ca", "ec -pkeyopt ec_paramgen_curve:P-256", "/CN=ca", "-days 1");
  std::string text = "leaf follows\n" + read_file(leaf.cert_path) + "\nca follows\n" +
                     read_file(ca.cert_path) + read_file(leaf.key_path);
  auto chain = load_certificate_chain_pem(text);
  ASSERT_TRUE(chain.ok()) << chain.error().message();
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[0], leaf.der);
  EXPECT_EQ((*chain)[1], ca.der);

  auto none = load_certificate_chain_pem(read_file(leaf.key_path));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::invalid_config);

  // A CERTIFICATE block that is not a certificate is caught at load time.
  auto junk = load_certificate_chain_pem(
      "-----BEGIN CERTIFICATE-----\nZm9vYmFy\n-----END CERTIFICATE-----\n");
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.error().detail().find("certificate 1 does not parse"), std::string::npos);
}

TEST_F(PemOpensslTest, LoadsEveryUnencryptedKeyForm) {
  struct Case {
    std::string make;   // command writing PEM to {out}
    std::string label;  // the block openssl wrote
  };
  const std::vector<Case> cases = {
      {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out {out}", "PRIVATE KEY"},
      {"openssl genpkey -algorithm ed25519 -out {out}", "PRIVATE KEY"},
      {"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 | "
       "openssl rsa -traditional -out {out}",
       "RSA PRIVATE KEY"},
      {"openssl ecparam -name prime256v1 -genkey -out {out}", "EC PRIVATE KEY"},
  };
  int i = 0;
  for (const Case& tc : cases) {
    std::string out = dir_.file("key" + std::to_string(i++) + ".pem");
    std::string cmd = tc.make;
    cmd.replace(cmd.find("{out}"), 5, "'" + out + "'");
    ASSERT_EQ(run(cmd).status, 0) << cmd;
    std::string text = read_file(out);
    ASSERT_NE(text.find("BEGIN " + tc.label + "-----"), std::string::npos) << text;
    auto key = load_private_key_pem(text);
    ASSERT_TRUE(key.ok()) << key.error().message();
    // Whatever the form, the DER is the block's own contents: compare with openssl's decoding
    // of the same block (`openssl base64 -d` of the body).
    auto blocks = parse_pem(text);
    ASSERT_TRUE(blocks.ok());
    std::string body_path = out + ".b64";
    std::string der_path = out + ".der";
    ASSERT_EQ(run("sed -n '/BEGIN " + tc.label + "/,/END " + tc.label + "/p' '" + out +
                  "' | grep -v -- ----- > '" + body_path + "' && openssl base64 -d -in '" +
                  body_path + "' -out '" + der_path + "'")
                  .status,
              0);
    EXPECT_EQ(*key, read_bytes(der_path));
  }
}

TEST_F(PemOpensslTest, RefusesKeysOpensslEncrypted) {
  std::string plain = dir_.file("plain.pem");
  ASSERT_EQ(
      run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '" + plain + "'")
          .status,
      0);
  std::string pkcs8 = dir_.file("enc8.pem");
  std::string legacy = dir_.file("enclegacy.pem");
  ASSERT_EQ(
      run("openssl pkey -in '" + plain + "' -aes256 -passout pass:x -out '" + pkcs8 + "'").status,
      0);
  ASSERT_EQ(
      run("openssl ec -in '" + plain + "' -aes256 -passout pass:x -out '" + legacy + "'").status,
      0);
  for (const std::string& path : {pkcs8, legacy}) {
    auto key = load_private_key_pem(read_file(path));
    ASSERT_FALSE(key.ok()) << read_file(path);
    EXPECT_EQ(key.error().detail(),
              "encrypted private keys are not supported; decrypt it with 'openssl pkey'");
  }
}

TEST(PemKeys, SkipsEcParametersAndRefusesTwoKeys) {
  const std::string params =
      "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
      "-----END EC PARAMETERS-----\n";
  const std::string key =
      "-----BEGIN EC PRIVATE KEY-----\nZm9vYmFy\n"
      "-----END EC PRIVATE KEY-----\n";
  auto one = load_private_key_pem(params + key);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, bytes("foobar"));
  auto two = load_private_key_pem(key + key);
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().detail(), "more than one private key found");
  auto none = load_private_key_pem(params);
  ASSERT_FALSE(none.ok());
}

}  // namespace
}  // namespace hs::x509

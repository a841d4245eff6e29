// The field annotator on malformed and unusual bytes: whatever comes in, every byte is covered
// by exactly one leaf, and what does not fit the grammar is an "undecoded" leaf. The real
// handshakes are annotated in tests/unit/handshake/common/annotate_handshake_test.cc.
#include "trace/annotate.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "messages/messages.h"
#include "unit/x509/ocsp_builder.h"

namespace hs::trace {
namespace {

using Bytes = std::vector<uint8_t>;

const Field* find(const Field& f, const std::string& name) {
  if (f.name == name) {
    return &f;
  }
  for (const Field& c : f.children) {
    if (const Field* r = find(c, name)) {
      return r;
    }
  }
  return nullptr;
}

// A minimal TLS 1.2 ClientHello body with one extension of type `ext` holding `ext_body`.
Bytes client_hello(uint16_t ext, const Bytes& ext_body) {
  Bytes body = {0x03, 0x03};
  body.insert(body.end(), 32, 0xAA);  // random
  body.push_back(0);                  // session id
  body.insert(body.end(), {0x00, 0x02, 0xC0, 0x2F, 0x01, 0x00});
  size_t ext_len = 4 + ext_body.size();
  body.push_back(static_cast<uint8_t>(ext_len >> 8));
  body.push_back(static_cast<uint8_t>(ext_len));
  body.push_back(static_cast<uint8_t>(ext >> 8));
  body.push_back(static_cast<uint8_t>(ext));
  body.push_back(static_cast<uint8_t>(ext_body.size() >> 8));
  body.push_back(static_cast<uint8_t>(ext_body.size()));
  body.insert(body.end(), ext_body.begin(), ext_body.end());
  Bytes msg = {0x01, 0x00, static_cast<uint8_t>(body.size() >> 8),
               static_cast<uint8_t>(body.size())};
  msg.insert(msg.end(), body.begin(), body.end());
  return msg;
}

TEST(Annotate, ClientHelloFieldsAndUnknownExtension) {
  Bytes msg = client_hello(0x1234, {1, 2, 3});
  Field f = annotate_handshake(msg, {true, 0x0303});
  EXPECT_TRUE(leaves_cover_exactly(f, msg.size()));
  EXPECT_EQ(f.name, "Client hello (1)");
  ASSERT_NE(find(f, "cipher_suite"), nullptr);
  EXPECT_EQ(find(f, "cipher_suite")->value, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)");
  const Field* ext = find(f, "extension");
  ASSERT_NE(ext, nullptr);
  EXPECT_EQ(ext->value, "unknown (0x1234)");
  // An unknown extension's body is opaque, named by number.
  const Field* body = find(*ext, "undecoded");
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->length, 3u);
  EXPECT_EQ(body->value, "010203");
}

TEST(Annotate, GreaseIsNamed) {
  Bytes msg = client_hello(0x0A0A, {});
  Field f = annotate_handshake(msg, {true, 0x0303});
  EXPECT_TRUE(leaves_cover_exactly(f, msg.size()));
  EXPECT_EQ(find(f, "extension")->value, "GREASE (0x0a0a)");
}

TEST(Annotate, MalformedExtensionBodyIsUndecodedNotDropped) {
  // supported_groups whose list length says 8 but holds 2 bytes.
  Bytes msg = client_hello(10, {0x00, 0x08, 0x00, 0x1D});
  Field f = annotate_handshake(msg, {true, 0x0303});
  EXPECT_TRUE(leaves_cover_exactly(f, msg.size()));
  EXPECT_NE(find(f, "undecoded"), nullptr);
}

TEST(Annotate, TruncatedAndTrailingBytesAreCovered) {
  Bytes msg = client_hello(0, {0x00, 0x05, 0x00, 0x00, 0x02, 'h', 'i'});
  EXPECT_EQ(find(annotate_handshake(msg, {true, 0x0303}), "host_name")->value, "\"hi\"");
  for (size_t n = 0; n <= msg.size(); ++n) {
    Bytes cut(msg.begin(), msg.begin() + static_cast<long>(n));
    Field f = annotate_handshake(cut, {true, 0x0303});
    EXPECT_TRUE(leaves_cover_exactly(f, cut.size())) << n;
  }
  Bytes longer = msg;
  longer.insert(longer.end(), {9, 9, 9});
  Field f = annotate_handshake(longer, {true, 0x0303});
  EXPECT_TRUE(leaves_cover_exactly(f, longer.size()));
  ASSERT_FALSE(f.children.empty());
  EXPECT_EQ(f.children.back().name, "undecoded");
  EXPECT_EQ(f.children.back().length, 3u);
}

TEST(Annotate, EveryMessageTypeOnGarbageKeepsTheInvariant) {
  // A deterministic walk over types, versions, senders and byte patterns.
  uint32_t x = 12345;
  for (int type = 0; type < 256; ++type) {
    for (int len = 0; len < 40; len += 7) {
      Bytes msg = {static_cast<uint8_t>(type), 0, 0, static_cast<uint8_t>(len)};
      for (int i = 0; i < len; ++i) {
        x = x * 1103515245u + 12345u;
        msg.push_back(static_cast<uint8_t>(x >> 16));
      }
      for (uint16_t v : {uint16_t{0x0303}, uint16_t{0x0304}}) {
        for (bool client : {true, false}) {
          Field f = annotate_handshake(msg, {client, v});
          ASSERT_TRUE(leaves_cover_exactly(f, msg.size())) << type << " " << len;
        }
      }
    }
  }
}

TEST(Annotate, AlertChangeCipherSpecAndRecordHeader) {
  Bytes alert = {2, 40};
  Field a = annotate_message(21, alert, {});
  EXPECT_TRUE(leaves_cover_exactly(a, 2));
  EXPECT_EQ(a.children.at(0).value, "fatal (2)");
  EXPECT_EQ(a.children.at(1).value, "handshake_failure (40)");
  Bytes ccs = {1};
  EXPECT_TRUE(leaves_cover_exactly(annotate_message(20, ccs, {}), 1));
  Bytes header = {23, 3, 3, 0x01, 0x00};
  Field h = annotate_record_header(header, true);
  EXPECT_TRUE(leaves_cover_exactly(h, 5));
  EXPECT_EQ(h.children.at(2).value, "256 bytes");
  Bytes short_header = {22, 3};
  EXPECT_TRUE(leaves_cover_exactly(annotate_record_header(short_header, false), 2));
}

TEST(Annotate, CiphertextSplitsNonceDataAndTag) {
  Bytes frag(40, 0x55);
  Field c = annotate_ciphertext(frag, true);
  EXPECT_TRUE(leaves_cover_exactly(c, frag.size()));
  ASSERT_EQ(c.children.size(), 3u);
  EXPECT_EQ(c.children[0].length, 8u);
  EXPECT_EQ(c.children[1].length, 16u);
  EXPECT_EQ(c.children[2].length, 16u);
  Bytes tiny(5, 0);
  EXPECT_TRUE(leaves_cover_exactly(annotate_ciphertext(tiny, true), tiny.size()));
}

TEST(Annotate, CertificateStatusSaysWhatTheResponseStates) {
  namespace t = x509::testing;
  const Bytes ocsp = t::response({t::single(t::kGood)});
  Bytes msg;
  ASSERT_TRUE(messages::serialize_message(messages::CertificateStatus{ocsp}, msg).ok());
  Field f = annotate_handshake(msg, {false, 0x0303});
  EXPECT_TRUE(leaves_cover_exactly(f, msg.size()));
  ASSERT_NE(find(f, "status_type"), nullptr);
  const Field* response = find(f, "response");
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(response->length, ocsp.size());
  EXPECT_EQ(response->value, "good, next update Dec  6 00:00:00 2026 GMT");
}

}  // namespace
}  // namespace hs::trace

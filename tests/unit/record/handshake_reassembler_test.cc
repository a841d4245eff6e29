#include "record/handshake_reassembler.h"

#include <gtest/gtest.h>

#include <vector>

#include "unit/record/rfc8448_vectors.h"
#include "unit/record/test_util.h"

namespace hs::record {
namespace {

using testing::bytes_of;
using testing::from_hex;
using testing::pattern;

std::vector<uint8_t> message(uint8_t type, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> m = {type, static_cast<uint8_t>(body.size() >> 16),
                            static_cast<uint8_t>(body.size() >> 8),
                            static_cast<uint8_t>(body.size())};
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

std::vector<std::vector<uint8_t>> drain(HandshakeReassembler& r,
                                        std::vector<HandshakeType>* types = nullptr) {
  std::vector<std::vector<uint8_t>> out;
  for (;;) {
    auto m = r.next();
    EXPECT_TRUE(m.ok());
    if (!m.ok() || !m->has_value()) {
      return out;
    }
    EXPECT_EQ((*m)->raw.size(), 4 + (*m)->body.size());
    EXPECT_EQ(bytes_of((*m)->raw.subspan(4)), bytes_of((*m)->body));
    if (types != nullptr) {
      types->push_back((*m)->type);
    }
    out.push_back(bytes_of((*m)->raw));
  }
}

TEST(HandshakeReassembler, Rfc8448ServerFlightInOneRecord) {
  // RFC 8448 §3: EncryptedExtensions, Certificate, CertificateVerify and Finished in one record.
  HandshakeReassembler r;
  ASSERT_TRUE(r.add(from_hex(rfc8448::kServerHsPayload)));
  std::vector<HandshakeType> types;
  auto msgs = drain(r, &types);
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_EQ(types, (std::vector<HandshakeType>{
                       HandshakeType::encrypted_extensions, HandshakeType::certificate,
                       HandshakeType::certificate_verify, HandshakeType::finished}));
  EXPECT_EQ(msgs[0].size(), 40u);   // 08 00 00 24
  EXPECT_EQ(msgs[1].size(), 445u);  // "Certificate (445 octets)"
  EXPECT_EQ(msgs[2].size(), 136u);  // "CertificateVerify (136 octets)"
  EXPECT_EQ(msgs[3].size(), 36u);   // "Finished (36 octets)"
  EXPECT_TRUE(r.empty());
}

TEST(HandshakeReassembler, OneMessageAcrossThreeRecords) {
  const auto msg = message(11, pattern(40000));
  HandshakeReassembler r;
  const std::span<const uint8_t> all(msg);
  ASSERT_TRUE(r.add(all.first(16384)));
  EXPECT_TRUE(drain(r).empty());
  EXPECT_FALSE(r.empty());
  ASSERT_TRUE(r.add(all.subspan(16384, 16384)));
  EXPECT_TRUE(drain(r).empty());
  ASSERT_TRUE(r.add(all.subspan(32768)));
  auto msgs = drain(r);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0], msg);
  EXPECT_TRUE(r.empty());
}

TEST(HandshakeReassembler, ByteAtATimeAndSplitHeaders) {
  std::vector<uint8_t> stream;
  std::vector<std::vector<uint8_t>> want;
  for (size_t n : {size_t{0}, size_t{1}, size_t{300}, size_t{2}}) {
    want.push_back(message(static_cast<uint8_t>(n % 250 + 1), pattern(n)));
    stream.insert(stream.end(), want.back().begin(), want.back().end());
  }
  HandshakeReassembler r;
  std::vector<std::vector<uint8_t>> got;
  for (uint8_t b : stream) {
    ASSERT_TRUE(r.add(std::vector<uint8_t>{b}));
    for (auto& m : drain(r)) {
      got.push_back(m);
    }
  }
  EXPECT_EQ(got, want);
  EXPECT_TRUE(r.empty());
}

TEST(HandshakeReassembler, EmptyBodyMessage) {
  HandshakeReassembler r;
  ASSERT_TRUE(r.add(std::vector<uint8_t>{14, 0, 0, 0}));  // ServerHelloDone
  auto m = r.next();
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ((*m)->type, HandshakeType::server_hello_done);
  EXPECT_TRUE((*m)->body.empty());
  EXPECT_EQ((*m)->raw.size(), 4u);
}

TEST(HandshakeReassembler, EmptyMeansNothingBuffered) {
  HandshakeReassembler r;
  EXPECT_TRUE(r.empty());
  auto two = message(20, pattern(12));
  auto next = message(4, pattern(3));
  two.insert(two.end(), next.begin(), next.begin() + 2);  // a partial second message
  ASSERT_TRUE(r.add(two));
  EXPECT_FALSE(r.empty());
  EXPECT_EQ(drain(r).size(), 1u);
  EXPECT_FALSE(r.empty());  // the partial message is still there: a key change must fail
  r.reset();
  EXPECT_TRUE(r.empty());
}

TEST(HandshakeReassembler, OversizedMessageRejectedFromHeader) {
  HandshakeReassembler r(1000);
  ASSERT_TRUE(r.add(std::vector<uint8_t>{11, 0, 3}));  // header incomplete: fine
  auto e = r.add(std::vector<uint8_t>{0xE9});          // 1001 bytes announced
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), ErrorCode::decode_error);
  EXPECT_STREQ(e.error().context(), "handshake message too large");
  auto again = r.next();  // sticky
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::decode_error);

  HandshakeReassembler exact(1000);
  const auto msg = message(11, pattern(1000));
  ASSERT_TRUE(exact.add(msg));
  EXPECT_EQ(drain(exact).size(), 1u);

  HandshakeReassembler def;
  EXPECT_EQ(def.max_message_size(), 64u * 1024);
  EXPECT_FALSE(def.add(std::vector<uint8_t>{11, 0x01, 0x00, 0x01}).ok());
}

TEST(HandshakeReassembler, OversizedSecondMessageRejected) {
  HandshakeReassembler r(100);
  auto bytes = message(2, pattern(10));
  bytes.insert(bytes.end(), {11, 0, 0, 101});
  ASSERT_TRUE(r.add(bytes));  // the first message is fine
  auto first = r.next();
  ASSERT_TRUE(first.ok() && first->has_value());
  auto second = r.next();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::decode_error);
}

TEST(HandshakeReassembler, UnknownTypesPassThrough) {
  HandshakeReassembler r;
  ASSERT_TRUE(r.add(message(0xAB, {1, 2})));
  auto m = r.next();
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ(static_cast<uint8_t>((*m)->type), 0xAB);
}

}  // namespace
}  // namespace hs::record

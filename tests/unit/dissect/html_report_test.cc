// The --trace-html model built from a capture (src/dissect/html_report.h): hand-built frames of
// a TLS 1.2 handshake whose server Finished is sealed with keys from a key-log line. Without
// the key log the protected record is opaque (header and ciphertext only); with it the record
// is opened and the Finished follows it, and the key-log line is shown as it is in the file.
// A capture that ends inside a record says so on the page.
#include "dissect/html_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/testing/testing_provider.h"
#include "dissect/dissector.h"
#include "dissect/keylog_file.h"
#include "handshake/common/suites.h"
#include "keyschedule/tls12_keys.h"
#include "record/protection.h"
#include "test_frames.h"
#include "trace/annotate.h"

namespace hs::dissect {
namespace {

using namespace hs::dissect::frames;
using Kind = trace::HtmlItem::Kind;

const crypto::TestingProvider kProvider;
constexpr auto kSuite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;

bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

std::vector<uint8_t> master_secret() {
  std::vector<uint8_t> m(48);
  for (size_t i = 0; i < m.size(); ++i) {
    m[i] = static_cast<uint8_t>(0xA0 + i);
  }
  return m;
}

// The key-log line for client_hello()'s random (0x00, 0x01, ... 0x1f); upper-case hex on
// purpose: the page must show the line as the file has it.
std::string key_log_line() {
  std::string line = "CLIENT_RANDOM ";
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (int i = 0; i < 32; ++i) {
    line += kDigits[i >> 4];
    line += kDigits[i & 0xF];
  }
  line += ' ';
  for (uint8_t b : master_secret()) {
    line += kDigits[b >> 4];
    line += kDigits[b & 0xF];
  }
  return line;
}

struct Capture {
  std::vector<std::vector<uint8_t>> frames;
  std::vector<uint8_t> sealed;  // the server's protected Finished record, header included
};

// capture builds: SYN, SYN-ACK, ClientHello, ServerHello + ChangeCipherSpec + sealed Finished,
// and, when `truncated`, 10 bytes of a further client record.
Capture capture(bool truncated) {
  messages::ServerHello sh;
  sh.cipher_suite = kSuite;
  for (size_t i = 0; i < sh.random.size(); ++i) {
    sh.random[i] = static_cast<uint8_t>(0x40 + i);
  }
  std::vector<uint8_t> sh_bytes;
  EXPECT_TRUE(messages::serialize_message(sh, sh_bytes).ok());
  auto info = detail::suite_info(kSuite);
  EXPECT_TRUE(info.has_value());
  auto ch = client_hello();
  auto block = keyschedule::key_block(kProvider, info->hash, info->aead, master_secret(), ch.random,
                                      sh.random);
  EXPECT_TRUE(block.ok());
  auto protection = record::make_tls12_protection(
      kProvider, info->aead, block->server_write_key.expose(), block->server_write_iv.expose());
  EXPECT_TRUE(protection.ok());
  Capture c;
  std::vector<uint8_t> finished = {20, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  EXPECT_TRUE((*protection)->seal(ContentType::handshake, 0x0303, finished, c.sealed).ok());

  std::vector<uint8_t> server_flight = record(22, sh_bytes);
  auto ccs = record(20, {1});
  server_flight.insert(server_flight.end(), ccs.begin(), ccs.end());
  server_flight.insert(server_flight.end(), c.sealed.begin(), c.sealed.end());
  auto client_flight = client_hello_record();
  c.frames.push_back(ipv4_frame({40000, 443, 1000, 0x02}, {}));
  c.frames.push_back(ipv4_frame({443, 40000, 5000, 0x12}, {}));
  c.frames.push_back(ipv4_frame({40000, 443, 1001, 0x18}, client_flight));
  c.frames.push_back(ipv4_frame({443, 40000, 5001, 0x18}, server_flight));
  if (truncated) {
    c.frames.push_back(
        ipv4_frame({40000, 443, static_cast<uint32_t>(1001 + client_flight.size()), 0x18},
                   {23, 3, 3, 0, 40, 1, 2, 3, 4, 5}));
  }
  return c;
}

std::vector<ConnectionReport> dissect(const Capture& c, const KeyLogFile* keylog) {
  Dissector d(LinkType::ethernet, keylog, kProvider);
  d.set_keep_bytes(true);
  double t = 1;
  for (const auto& f : c.frames) {
    d.add_frame(f, t);
    t += 0.001;
  }
  return d.finish();
}

// kinds lists the items as "R22 M22 ..." (record or message, and its content type).
std::string kinds(const trace::HtmlConnection& c) {
  std::string out;
  for (const auto& it : c.items) {
    out += (it.kind == Kind::record ? "R" : "M") + std::to_string(it.content_type) + " ";
  }
  return out;
}

TEST(HtmlReport, WithoutKeyLogTheProtectedRecordIsOpaque) {
  Capture c = capture(false);
  auto reports = dissect(c, nullptr);
  ASSERT_EQ(reports.size(), 1u);
  trace::HtmlConnection conn = html_connection_from_report(reports[0], nullptr, "");
  EXPECT_EQ(conn.heading, "Connection 1: client 127.0.0.1:40000 -> server 127.0.0.1:443");
  EXPECT_EQ(kinds(conn), "R22 M22 R22 M22 R20 M20 R22 ");
  const trace::HtmlItem& last = conn.items.back();
  EXPECT_TRUE(last.encrypted);
  EXPECT_TRUE(last.opaque);
  EXPECT_EQ(last.direction, hs::Direction::in);
  // The record's bytes are the fragment exactly as sealed (the header is rebuilt from them).
  EXPECT_EQ(last.bytes, std::vector<uint8_t>(c.sealed.begin() + 5, c.sealed.end()));
  EXPECT_EQ(last.length, c.sealed.size() - 5);
  // Each message explained by the annotator covers its bytes exactly.
  for (const auto& it : conn.items) {
    if (it.kind == Kind::message) {
      trace::Field f = trace::annotate_message(it.content_type, it.bytes, {true, it.version});
      EXPECT_TRUE(trace::leaves_cover_exactly(f, it.bytes.size()));
    }
  }
  EXPECT_FALSE(conn.keys_shown);
  EXPECT_TRUE(conn.key_log_lines.empty());

  std::string page = trace::render_html_page(
      html_page_from_reports("hs dissect cap.pcapng", reports, nullptr, "", {}));
  EXPECT_TRUE(contains(page, "Connection 1: client 127.0.0.1:40000 -&gt; server 127.0.0.1:443"));
  EXPECT_TRUE(contains(page, "Not decrypted"));
  EXPECT_TRUE(contains(page, "No key log was given"));
  EXPECT_FALSE(contains(page, "(decrypted)"));
}

TEST(HtmlReport, WithKeyLogTheRecordIsOpenedAndTheLineShownAsItIs) {
  Capture c = capture(false);
  KeyLogFile keylog = KeyLogFile::parse("# a comment\n" + key_log_line() + "\r\n");
  auto reports = dissect(c, &keylog);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].decrypted);
  trace::HtmlConnection conn = html_connection_from_report(reports[0], &keylog, "keys.log");
  EXPECT_EQ(kinds(conn), "R22 M22 R22 M22 R20 M20 R22 M22 ");
  const trace::HtmlItem& record = conn.items[conn.items.size() - 2];
  EXPECT_TRUE(record.encrypted);
  EXPECT_FALSE(record.opaque);
  const trace::HtmlItem& finished = conn.items.back();
  EXPECT_TRUE(finished.encrypted);
  EXPECT_EQ(finished.bytes,
            (std::vector<uint8_t>{20, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  ASSERT_EQ(conn.key_log_lines.size(), 1u);
  const std::span<const uint8_t> line = conn.key_log_lines[0].expose();
  EXPECT_EQ(std::string(line.begin(), line.end()), key_log_line());
  EXPECT_TRUE(conn.keys_shown);
  ASSERT_EQ(conn.keys.size(), 1u);
  EXPECT_EQ(conn.keys[0].label, "CLIENT_RANDOM");
  EXPECT_EQ(declassify(conn.keys[0].secret.expose()), master_secret());  // test comparison

  std::string page = trace::render_html_page(
      html_page_from_reports("hs dissect cap.pcapng", reports, &keylog, "keys.log", {}));
  EXPECT_TRUE(contains(page, "(decrypted)"));
  EXPECT_FALSE(contains(page, "Not decrypted"));
  EXPECT_TRUE(contains(page, "the key log keys.log"));
  // The line as it is in the file: upper-case hex, no line break.
  EXPECT_TRUE(contains(page, "<pre class=\"secret\">" + key_log_line() + "\n</pre>"));
}

TEST(HtmlReport, TruncatedCaptureSaysWhereItBreaks) {
  Capture c = capture(true);
  auto reports = dissect(c, nullptr);
  ASSERT_EQ(reports.size(), 1u);
  std::string page = trace::render_html_page(
      html_page_from_reports("hs dissect cut.pcapng", reports, nullptr, "",
                             {"The capture is damaged after frame 5 (truncated block)"}));
  EXPECT_TRUE(contains(page, "The capture is damaged after frame 5"));
  EXPECT_TRUE(
      contains(page, "the capture ends inside a record (10 bytes of an incomplete record)"));
}

TEST(HtmlReport, NonTlsConnectionsAreNamedNotDrawn) {
  Dissector d(LinkType::ethernet, nullptr, kProvider);
  d.set_keep_bytes(true);
  d.add_frame(ipv4_frame({40000, 80, 1, 0x02}, {}), 1);
  d.add_frame(ipv4_frame({40000, 80, 2, 0x18}, {'G', 'E', 'T', ' ', '/', ' ', 'H'}), 2);
  auto reports = d.finish();
  trace::HtmlPage page = html_page_from_reports("t", reports, nullptr, "", {});
  EXPECT_TRUE(page.connections.empty());
  ASSERT_EQ(page.closing_notes.size(), 1u);
  EXPECT_TRUE(contains(page.closing_notes[0], "127.0.0.1:40000 -> 127.0.0.1:80"));
  EXPECT_TRUE(contains(trace::render_html_page(page), "holds no TLS connection"));
}

TEST(HtmlReport, BytesAreKeptOnlyWhenAsked) {
  Capture c = capture(false);
  Dissector d(LinkType::ethernet, nullptr, kProvider);
  for (const auto& f : c.frames) {
    d.add_frame(f, 1);
  }
  auto reports = d.finish();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].wire.empty());
  EXPECT_FALSE(reports[0].items.empty());
}

}  // namespace
}  // namespace hs::dissect

// The field annotator (src/trace/annotate.h) and the HTML page (src/trace/html_trace.h) on real
// handshakes between our client and our server in memory, TLS 1.2 and 1.3. It lives with the
// handshake tests because it needs their loopback pair and certificates; the annotator's own
// negative tests are in tests/unit/trace/annotate_test.cc.
#include <gtest/gtest.h>
#include <hs/connection.h>
#include <hs/keylog.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "trace/annotate.h"
#include "trace/html_trace.h"
#include "unit/handshake/common/key_lines.h"
#include "unit/handshake/server12/server12_harness.h"
#include "unit/handshake/server13/server13_harness.h"
#include "x509/certificate.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;

// Wire keeps every record and message one connection reported, bytes copied.
class Wire final : public Observer {
 public:
  struct Record {
    Direction direction;
    uint8_t content_type;
    uint16_t version;
    uint16_t length;
    Bytes fragment;
  };
  struct Message {
    Direction direction;
    uint8_t content_type;
    uint16_t version;
    Bytes bytes;
    bool encrypted;
  };
  void on_event(const Event& event) override {
    if (const auto* r = std::get_if<RecordEvent>(&event.body)) {
      records.push_back({r->direction, r->content_type, r->version, r->length,
                         Bytes(r->fragment.begin(), r->fragment.end())});
    } else if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
      messages.push_back({m->direction, m->content_type, m->version,
                          Bytes(m->bytes.begin(), m->bytes.end()), m->encrypted});
    }
  }
  std::vector<Record> records;
  std::vector<Message> messages;
};

// find returns the first field named `name` in a depth-first walk, or nullptr.
const trace::Field* find(const trace::Field& f, const std::string& name) {
  if (f.name == name) {
    return &f;
  }
  for (const trace::Field& c : f.children) {
    if (const trace::Field* r = find(c, name)) {
      return r;
    }
  }
  return nullptr;
}

bool has_undecoded(const trace::Field& f) { return find(f, "undecoded") != nullptr; }

struct Traced {
  Pair13 pair;
  Wire client_wire;
  Wire server_wire;
};

// connect runs a handshake with observers on both sides from the first byte, and some data.
void connect(Traced& run, std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc,
             Observer* extra_client_observer = nullptr) {
  cc->alpn = {"http/1.1"};
  sc->alpn = {"http/1.1"};
  auto server = Connection::server(std::move(sc));
  ASSERT_TRUE(server.ok());
  run.pair.server = std::move(server).value();
  run.pair.server->set_observer(&run.server_wire);
  auto client = Connection::client(
      std::move(cc), "localhost",
      extra_client_observer != nullptr ? extra_client_observer : &run.client_wire);
  ASSERT_TRUE(client.ok()) << client.error().message();
  run.pair.client = std::move(client).value();
  run.pair.pump();
  ASSERT_FALSE(run.pair.client_error) << run.pair.client_error->message();
  ASSERT_FALSE(run.pair.server_error) << run.pair.server_error->message();
  ASSERT_TRUE(run.pair.client->is_connected());
  exchange_data(run.pair);
}

// check_wire annotates everything one side saw: every leaf set covers its bytes exactly once,
// nothing is left undecoded, every record's fragment is its length, and the decoded values
// agree with what the connection negotiated.
void check_wire(const Wire& wire, bool we_are_client, const SessionInfo& info) {
  ASSERT_FALSE(wire.records.empty());
  for (const auto& r : wire.records) {
    EXPECT_EQ(r.fragment.size(), r.length);
    Bytes header = {r.content_type, static_cast<uint8_t>(r.version >> 8),
                    static_cast<uint8_t>(r.version), static_cast<uint8_t>(r.length >> 8),
                    static_cast<uint8_t>(r.length)};
    trace::Field h = trace::annotate_record_header(header, false);
    EXPECT_TRUE(trace::leaves_cover_exactly(h, header.size()));
    EXPECT_FALSE(has_undecoded(h));
    trace::Field c = trace::annotate_ciphertext(r.fragment, true);
    EXPECT_TRUE(trace::leaves_cover_exactly(c, r.fragment.size()));
  }
  std::map<uint8_t, int> seen;
  for (const auto& m : wire.messages) {
    bool from_client = (m.direction == Direction::out) == we_are_client;
    trace::Field f = trace::annotate_message(m.content_type, m.bytes, {from_client, m.version});
    SCOPED_TRACE(f.name);
    EXPECT_TRUE(trace::leaves_cover_exactly(f, m.bytes.size()));
    EXPECT_FALSE(has_undecoded(f));
    if (m.content_type != 22) {
      continue;
    }
    uint8_t type = m.bytes.at(0);
    ++seen[type];
    EXPECT_EQ(f.name, trace::message_label(type));
    if (type == 1) {
      const trace::Field* host = find(f, "host_name");
      ASSERT_NE(host, nullptr);
      EXPECT_EQ(host->value, "\"" + info.server_name + "\"");
    }
    if (type == 2) {
      const trace::Field* suite = find(f, "cipher_suite");
      ASSERT_NE(suite, nullptr);
      EXPECT_EQ(suite->value, trace::suite_label(static_cast<uint16_t>(*info.cipher_suite)));
      if (info.version == ProtocolVersion::tls1_3) {
        const trace::Field* group = find(f, "group");
        ASSERT_NE(group, nullptr);
        EXPECT_EQ(group->value, trace::group_label(static_cast<uint16_t>(*info.group)));
        const trace::Field* v = find(f, "selected_version");
        ASSERT_NE(v, nullptr);
        EXPECT_EQ(v->value, "TLSv1.3 (0x0304)");
      }
    }
    if (type == 12) {  // ServerKeyExchange: the TLS 1.2 group
      const trace::Field* group = find(f, "named_curve");
      ASSERT_NE(group, nullptr);
      EXPECT_EQ(group->value, trace::group_label(static_cast<uint16_t>(*info.group)));
    }
    if ((type == 8 && info.version == ProtocolVersion::tls1_3) ||
        (type == 2 && info.version == ProtocolVersion::tls1_2)) {
      const trace::Field* alpn = find(f, "protocol_name");
      ASSERT_NE(alpn, nullptr);
      EXPECT_EQ(alpn->value, "\"" + info.alpn + "\"");
    }
  }
  EXPECT_EQ(seen[1], 1);
  EXPECT_EQ(seen[2], 1);
  EXPECT_EQ(seen[20], 2);
}

TEST(AnnotateHandshake, Tls13EveryByteOfEveryMessage) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  Traced run;
  connect(run, client13_config(), make_config({certs->ecdsa}));
  const SessionInfo& info = run.pair.client->info();
  ASSERT_EQ(info.version, ProtocolVersion::tls1_3);
  EXPECT_EQ(info.alpn, "http/1.1");
  check_wire(run.client_wire, true, info);
  check_wire(run.server_wire, false, run.pair.server->info());
}

TEST(AnnotateHandshake, Tls12EveryByteOfEveryMessage) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  auto cc = client13_config({CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384},
                            {NamedGroup::secp256r1});
  cc->max_version = ProtocolVersion::tls1_2;
  Traced run;
  connect(run, cc, make_config({certs->rsa}));
  const SessionInfo& info = run.pair.client->info();
  ASSERT_EQ(info.version, ProtocolVersion::tls1_2);
  check_wire(run.client_wire, true, info);
  check_wire(run.server_wire, false, run.pair.server->info());
}

// The page holds the secrets' bytes exactly when they went through its key-log tee, and shows
// the server's certificate decoded.
TEST(HtmlTrace, SecretsOnlyWithAKeyLog) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  for (bool with_key_log : {false, true}) {
    for (ProtocolVersion v : {ProtocolVersion::tls1_2, ProtocolVersion::tls1_3}) {
      SCOPED_TRACE(std::string(version_name(v)) + (with_key_log ? " with" : " without") +
                   " key log");
      trace::HtmlTraceRenderer page("test");
      auto cc = client13_config(
          v == ProtocolVersion::tls1_3
              ? std::vector<CipherSuite>{CipherSuite::TLS_AES_128_GCM_SHA256}
              : std::vector<CipherSuite>{CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
          {NamedGroup::x25519});
      cc->max_version = v;
      auto client_keys = std::make_shared<KeyLines>();
      if (with_key_log) {
        cc->key_log = page.key_log_tee(client_keys);
      }
      auto sc = make_config({certs->ecdsa});
      auto server_keys = std::make_shared<KeyLines>();  // what the secrets were
      sc->key_log = server_keys;
      Traced run;
      connect(run, cc, sc, &page);
      const std::string html = page.render();
      ASSERT_EQ(server_keys->lines.size(), v == ProtocolVersion::tls1_3 ? 5u : 1u);
      for (const auto& [label, secret] : server_keys->lines) {
        EXPECT_EQ(html.find(trace::hex(secret, 64)) != std::string::npos, with_key_log) << label;
      }
      // Every message is named, and the key schedule is spelled out either way.
      EXPECT_NE(html.find("Client hello (1)"), std::string::npos);
      EXPECT_NE(html.find("Server hello (2)"), std::string::npos);
      EXPECT_NE(html.find("Finished (20)"), std::string::npos);
      EXPECT_NE(html.find(v == ProtocolVersion::tls1_3 ? "handshake_secret" : "pre_master_secret"),
                std::string::npos);
      EXPECT_NE(html.find(v == ProtocolVersion::tls1_3 ? "Encrypted extensions (8)"
                                                       : "Server key exchange (12)"),
                std::string::npos);
      EXPECT_NE(html.find("Ciphertext, as on the wire"), std::string::npos);
      // The server's certificate decoded: subject and issuer as our X.509 parser reads them.
      auto leaf = x509::parse_certificate(certs->ecdsa.chain.front());
      ASSERT_TRUE(leaf.ok());
      EXPECT_NE(html.find("Certificates, decoded"), std::string::npos);
      EXPECT_NE(html.find("subject</td><td>" + x509::to_string(leaf->subject) + "</td>"),
                std::string::npos);
      EXPECT_NE(html.find("issuer</td><td>" + x509::to_string(leaf->issuer) + "</td>"),
                std::string::npos);
    }
  }
}

}  // namespace
}  // namespace hs::test

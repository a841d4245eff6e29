// Behaviours public conformance suites check that the hostile table (one fatal alert per row)
// cannot express: ClientHellos our server must ACCEPT (tlsfuzzer's version negotiation,
// fallback, fragmentation and large-hello scripts), and records a TLS 1.3 server must take
// after the handshake (zero-length application data, maximal padding, closure and warning
// alerts). Each test names the tlsfuzzer script it follows and the RFC text; the test code is
// ours. README "Conformance checks" lists every behaviour and where it is tested.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fuzz/handshake/loopback.h"
#include "handshake/common/suites.h"
#include "hello_surgery.h"
#include "keyschedule/tls12_keys.h"
#include "keyschedule/tls13_schedule.h"
#include "messages/extensions.h"
#include "messages/server_hello.h"
#include "record/protection.h"

namespace hs::fuzzing {
namespace {

// ---- ClientHello surgery (tests/unit/hostile/hello_surgery.h) ----

using namespace surgery;  // NOLINT(google-build-using-namespace): test helpers

// prepend_to_list puts `items` first in an extension whose body is one u16-prefixed list.
void prepend_to_list(Bytes& m, uint16_t type, const Bytes& items) {
  Bytes body = ext_body(m, type);
  body.insert(body.begin() + 2, items.begin(), items.end());
  put_u16(body, 0, body.size() - 2);
  remove_ext(m, type);
  append_ext(m, type, body);
}

constexpr uint16_t kFallbackScsv = 0x5600;  // RFC 7507 §2
constexpr uint16_t kSupportedGroups = 10;
constexpr uint16_t kSupportedVersions = 43;
constexpr uint16_t kKeyShare = 51;

// records frames `message` as handshake records of at most `fragment` bytes each.
std::vector<Bytes> records(const Bytes& message, size_t fragment = 16384,
                           uint16_t version = 0x0301) {
  std::vector<Bytes> out;
  for (size_t at = 0; at < message.size(); at += fragment) {
    const size_t n = std::min(fragment, message.size() - at);
    Bytes r = {22, static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version),
               static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
    r.insert(r.end(), message.begin() + static_cast<std::ptrdiff_t>(at),
             message.begin() + static_cast<std::ptrdiff_t>(at + n));
    out.push_back(std::move(r));
  }
  return out;
}

// our_client_hello is the first ClientHello of our client with `cc` (header + body).
Bytes our_client_hello(ClientConfig cc = fuzz_client_config()) {
  Loopback lb(std::move(cc), fuzz_server_config());
  EXPECT_TRUE(lb.started());
  EXPECT_FALSE(lb.pending(Side::server).empty());
  return lb.pending(Side::server).empty() ? Bytes{} : lb.pending(Side::server).front().plain;
}

// Answer is what a fresh server said to a ClientHello.
struct Answer {
  std::optional<Error> error;
  std::optional<ProtocolVersion> version;  // negotiated, when the server answered
  Bytes first_record;                      // the first record the server sent
};

Answer answer(const std::vector<Bytes>& in, ServerConfig sc = fuzz_server_config()) {
  crypto::TestingProvider provider(kServerSeed);
  sc.provider = &provider;
  Answer a;
  auto conn = Connection::server(std::make_shared<ServerConfig>(std::move(sc)));
  if (!conn.ok()) {
    a.error = conn.error();
    return a;
  }
  for (const Bytes& r : in) {
    auto got = conn.value()->receive(r);
    if (!got.ok()) {
      a.error = got.error();
      break;
    }
  }
  auto out = conn.value()->output();
  auto split = split_records(out);
  if (!split.empty()) {
    a.first_record = split.front();
  }
  a.version = conn.value()->info().version;
  return a;
}

// expect_server_hello checks the server answered with a ServerHello of `version`.
void expect_server_hello(const Answer& a, ProtocolVersion version) {
  ASSERT_FALSE(a.error) << a.error->message();
  ASSERT_GE(a.first_record.size(), 6u);
  EXPECT_EQ(a.first_record[0], 22);  // handshake
  EXPECT_EQ(a.first_record[5], 2);   // server_hello
  ASSERT_TRUE(a.version.has_value());
  EXPECT_EQ(*a.version, version);
}

ServerConfig tls12_server() {
  ServerConfig sc = fuzz_server_config();
  sc.max_version = ProtocolVersion::tls1_2;
  return sc;
}
ClientConfig tls12_client() {
  ClientConfig cc = fuzz_client_config();
  cc.max_version = ProtocolVersion::tls1_2;
  return cc;
}

// ---- RFC 7507 TLS_FALLBACK_SCSV (tlsfuzzer test-fallback-scsv.py) ----

// RFC 7507 §3: the alert is only for a client_version below our highest: a client offering
// TLS 1.3 with the SCSV, and a TLS 1.2 client of a server whose highest version is TLS 1.2,
// get on with the handshake (the script's runs with and without --tls-1.3).
TEST(Conformance, FallbackScsvAtOurHighestVersionIsNoFallback) {
  Bytes hello = our_client_hello();
  add_suite(hello, kFallbackScsv);
  expect_server_hello(answer(records(hello)), ProtocolVersion::tls1_3);

  Bytes hello12 = our_client_hello(tls12_client());
  add_suite(hello12, kFallbackScsv);
  expect_server_hello(answer(records(hello12), tls12_server()), ProtocolVersion::tls1_2);
}

TEST(Conformance, FallbackScsvBelowOurHighestVersionIsInappropriateFallback) {
  Bytes hello12 = our_client_hello(tls12_client());
  add_suite(hello12, kFallbackScsv);
  Answer a = answer(records(hello12));
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->code(), ErrorCode::inappropriate_fallback);
  // The alert goes out in the clear: a fatal inappropriate_fallback(86).
  EXPECT_EQ(a.first_record, (Bytes{21, 3, 3, 0, 2, 2, 86}));
}

// ---- version negotiation (tlsfuzzer test-tls13-version-negotiation.py) ----

// RFC 8446 §5.1: "legacy_record_version: MUST be set to 0x0303 for all records generated by a
// TLS 1.3 implementation other than an initial ClientHello (i.e., one not generated after a
// HelloRetryRequest), where it MAY also be 0x0301 for compatibility purposes. This field is
// deprecated and MUST be ignored for all purposes."
TEST(Conformance, ClientHelloRecordVersionIsIgnored) {
  const Bytes hello = our_client_hello();
  for (uint16_t v : {0x0300, 0x0301, 0x0302, 0x0303}) {
    SCOPED_TRACE(v);
    expect_server_hello(answer(records(hello, 16384, static_cast<uint16_t>(v))),
                        ProtocolVersion::tls1_3);
  }
}

// RFC 8446 §4.2.1: servers "MUST use only the "supported_versions" extension to determine
// client preferences" and "MUST ignore any unknown versions": {0x0309, TLS 1.2} is TLS 1.2.
TEST(Conformance, UnknownHigherVersionInSupportedVersionsFallsToTls12) {
  Bytes hello = our_client_hello();
  remove_ext(hello, kSupportedVersions);
  append_ext(hello, kSupportedVersions, Bytes{4, 0x03, 0x09, 0x03, 0x03});
  expect_server_hello(answer(records(hello)), ProtocolVersion::tls1_2);
}

// RFC 8446 §4.2.1: "If this extension is not present, servers which are compliant with this
// specification and which also support TLS 1.2 MUST negotiate TLS 1.2 or prior as specified in
// [RFC5246], even if ClientHello.legacy_version is 0x0304 or later."
TEST(Conformance, LegacyVersionAboveTls12WithoutSupportedVersionsIsTls12) {
  for (uint16_t v : {0x0304, 0x0309, 0x0400}) {
    SCOPED_TRACE(v);
    Bytes hello = our_client_hello();
    remove_ext(hello, kSupportedVersions);
    put_u16(hello, 4, v);
    expect_server_hello(answer(records(hello)), ProtocolVersion::tls1_2);
  }
}

// ---- groups and key shares (tlsfuzzer test-tls13-unrecognised-groups.py, test-tls13-hrr.py,
// test-tls13-keyshare-omitted.py) ----

// RFC 8446 §4.2.7 / §4.2.8: unknown groups in supported_groups, and shares for them, are
// ignored: the server uses the share for a group it knows ("servers MUST NOT ... fail" on
// unknown values; GREASE, RFC 8701 §3: "MUST NOT negotiate any GREASE value"). 0x01FF is one of
// RFC 7919's ffdhe_private_use code points.
TEST(Conformance, UnknownGroupsAndTheirSharesAreIgnored) {
  Bytes hello = our_client_hello();
  prepend_to_list(hello, kSupportedGroups, Bytes{0x1A, 0x1A, 0x77, 0x77, 0x01, 0xFF});
  prepend_to_list(hello, kKeyShare,
                  Bytes{0x1A, 0x1A, 0, 1, 0, 0x77, 0x77, 0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  remove_ext(hello, kSupportedVersions);
  append_ext(hello, kSupportedVersions, Bytes{2, 3, 4});
  expect_server_hello(answer(records(hello)), ProtocolVersion::tls1_3);
}

// RFC 8446 §4.1.1: "If the server selects an (EC)DHE group and the client did not offer a
// compatible "key_share" extension in the initial ClientHello, the server MUST respond with a
// HelloRetryRequest (Section 4.1.4) message." Here the only share is for X25519MLKEM768 (1216
// bytes, as browsers send it), a group we do not implement, and for no share at all
// (test-tls13-keyshare-omitted.py).
TEST(Conformance, NoUsableKeyShareGetsHelloRetryRequest) {
  for (const Bytes& shares : {Bytes{0x04, 0xc4, 0x11, 0xec, 0x04, 0xc0}, Bytes{0, 0}}) {
    Bytes hello = our_client_hello();
    prepend_to_list(hello, kSupportedGroups, Bytes{0x11, 0xec});
    Bytes body = shares;
    if (body.size() > 2) {
      body.insert(body.end(), 1216, 0x42);
    }
    remove_ext(hello, kKeyShare);
    append_ext(hello, kKeyShare, body);
    Answer a = answer(records(hello));
    ASSERT_FALSE(a.error) << a.error->message();
    ASSERT_GE(a.first_record.size(), 5u + 4 + 2 + 32);
    EXPECT_EQ(a.first_record[5], 2);  // a ServerHello ...
    EXPECT_TRUE(std::equal(messages::kHelloRetryRequestRandom.begin(),
                           messages::kHelloRetryRequestRandom.end(),
                           a.first_record.begin() + 11));  // ... with the HRR random
  }
}

// ---- ClientHello framing and size (tlsfuzzer test-large-hello.py,
// test-record-layer-fragmentation.py, test-tls13-large-number-of-extensions.py) ----

// RFC 8446 §5.1: "Handshake messages MAY be coalesced into a single TLSPlaintext record or
// fragmented across several records".
TEST(Conformance, ClientHelloFragmentedAcrossRecords) {
  const Bytes hello = our_client_hello();
  // Two bytes first (the script's split_message(hello, 2)), then the rest.
  std::vector<Bytes> two = records(Bytes(hello.begin(), hello.begin() + 2));
  auto rest = records(Bytes(hello.begin() + 2, hello.end()));
  two.insert(two.end(), rest.begin(), rest.end());
  expect_server_hello(answer(two), ProtocolVersion::tls1_3);
  // One byte per record.
  expect_server_hello(answer(records(hello, 1)), ProtocolVersion::tls1_3);
}

// RFC 8446 §4.1.2: "Servers MUST ignore unrecognized extensions." tlsfuzzer
// test-tls13-large-number-of-extensions.py sends them in chunks: 4096 empty ones, or 1024 of up
// to 64 bytes (here 48 each: 53 KB, near the 2^16 - 1 bytes of the extensions block; over the
// 16 KiB general bound, under the ClientHello's, Limits::max_certificate_message_size).
TEST(Conformance, ThousandsOfUnknownExtensionsAreIgnored) {
  for (auto [count, payload] : {std::pair<uint16_t, size_t>{4096, 0}, {1024, 48}}) {
    SCOPED_TRACE(count);
    Bytes hello = our_client_hello();
    remove_ext(hello, kSupportedVersions);
    for (uint16_t type = 0x2000; type < 0x2000 + count; ++type) {
      append_ext(hello, type, Bytes(payload, static_cast<uint8_t>(type)));
    }
    // supported_versions last, so the unknown ones precede everything the server looks for.
    append_ext(hello, kSupportedVersions, Bytes{4, 3, 4, 3, 3});
    ASSERT_GT(hello.size(), 16384u);
    expect_server_hello(answer(records(hello)), ProtocolVersion::tls1_3);
  }
}

// A padding extension (RFC 7685) that pushes the ClientHello over one record.
TEST(Conformance, ClientHelloOverOneRecordWithPadding) {
  Bytes hello = our_client_hello();
  remove_ext(hello, kSupportedVersions);
  append_ext(hello, 21, Bytes(0x3f00, 0));
  append_ext(hello, kSupportedVersions, Bytes{4, 3, 4, 3, 3});
  ASSERT_GT(hello.size(), 16384u - 300);
  expect_server_hello(answer(records(hello, 0x3fff)), ProtocolVersion::tls1_3);
}

// ---- TLS 1.3 records after the handshake (tlsfuzzer test-tls13-zero-length-data.py,
// test-tls13-record-padding.py, test-tls13-empty-alert.py, test-tls13-conversation.py) ----

// Connected13 is a finished TLS 1.3 loopback and the client's application write protection,
// rebuilt from the key log, so a test can send records our client would never send.
class Connected13 {
 public:
  explicit Connected13(ClientConfig cc = fuzz_client_config())
      : lb_(std::move(cc), fuzz_server_config()) {
    lb_.run_all();
    EXPECT_FALSE(lb_.error(Side::server));
    EXPECT_FALSE(lb_.error(Side::client));
    auto secret = lb_.keys(Side::client).find("CLIENT_TRAFFIC_SECRET_0");
    auto suite = lb_.conn(Side::server).info().cipher_suite;
    if (!secret || !suite) {
      ADD_FAILURE() << "no client traffic secret";
      return;
    }
    auto info = detail::suite_info(*suite);
    const crypto::Provider& prov = lb_.provider(Side::client);
    auto ts = keyschedule::TrafficSecret::dangerous_from_bytes(
        keyschedule::TrafficSecretKind::client_application, info->hash, *secret);
    auto keys = keyschedule::traffic_keys(prov, ts.value(), info->aead);
    auto p = record::make_tls13_protection(prov, info->aead, keys->key.expose(), keys->iv.expose());
    if (p.ok()) {
      seal_ = std::move(p).value();
    }
    EXPECT_NE(seal_, nullptr);
    // The server's NewSessionTicket and anything else it sent are not under test.
    server().consume_output(server().output().size());
  }

  Connection& server() { return lb_.conn(Side::server); }

  // send seals `plain` as one record of `type` with `padding` zero bytes and hands it to the
  // server, after `tamper` edited the sealed record.
  Result<void> send(ContentType type, const Bytes& plain, size_t padding = 0,
                    const std::function<void(Bytes&)>& tamper = {}) {
    Bytes out;
    auto* p13 = dynamic_cast<record::Tls13AeadProtection*>(seal_.get());
    if (p13 == nullptr) {
      return Error(ErrorCode::internal_error, "test");
    }
    HS_TRY(p13->seal_with_padding(type, plain, padding, out));
    if (tamper) {
      tamper(out);
    }
    return server().receive(out);
  }

  // read_all drains what the server can read.
  std::string read_all() {
    std::string s(server().readable(), '\0');
    std::vector<uint8_t> buf(s.size());
    const size_t n = server().read(buf);
    return std::string(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }

 private:
  Loopback lb_;
  std::unique_ptr<record::RecordProtection> seal_;
};

// RFC 8446 §5.1: "Zero-length fragments of Application Data MAY be sent, as they are
// potentially useful as a traffic analysis countermeasure."
TEST(Conformance, Tls13ZeroLengthApplicationDataIsAccepted) {
  Connected13 c;
  ASSERT_TRUE(c.send(ContentType::application_data, {}).ok());
  ASSERT_TRUE(c.send(ContentType::application_data, {}, 100).ok());
  EXPECT_EQ(c.server().readable(), 0u);
  ASSERT_TRUE(c.send(ContentType::application_data, Bytes{'G', 'E', 'T'}).ok());
  EXPECT_EQ(c.read_all(), "GET");
  EXPECT_FALSE(c.server().failed());
}

// RFC 8446 §5.4: padding up to "The full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1
// octets" is the sender's choice; the receiver strips it.
TEST(Conformance, Tls13MaximalPaddingIsAccepted) {
  Connected13 c;
  ASSERT_TRUE(c.send(ContentType::application_data, Bytes{'x'}, 16384 - 1).ok());
  EXPECT_EQ(c.read_all(), "x");
  // A handshake-free record of only padding around an empty body: as zero-length data.
  ASSERT_TRUE(c.send(ContentType::application_data, {}, 16384).ok());
  EXPECT_FALSE(c.server().failed());
}

// RFC 8446 §5.1: "Implementations MUST NOT send zero-length fragments of Handshake types, even
// if those fragments contain padding." and §5.4's alert for them is unexpected_message
// (tlsfuzzer test-tls13-zero-length-data.py, test-tls13-empty-alert.py).
TEST(Conformance, Tls13ZeroLengthHandshakeAndAlertRecordsAreUnexpected) {
  for (ContentType type : {ContentType::handshake, ContentType::alert}) {
    for (size_t padding : {size_t{0}, size_t{10}}) {
      Connected13 c;
      auto r = c.send(type, {}, padding);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message) << r.error().message();
    }
  }
}

// RFC 8446 §6.1: close_notify "notifies the recipient that the sender will not send any more
// messages on this connection"; §6.2: "All the alerts listed in Section 6.2 MUST be sent with
// AlertLevel=fatal and MUST be treated as error alerts when received regardless of the
// AlertLevel in the message." user_canceled is a closure alert, not an error.
TEST(Conformance, Tls13AlertLevels) {
  {
    Connected13 c;
    ASSERT_TRUE(c.send(ContentType::alert, Bytes{1, 0}).ok());  // warning close_notify
    EXPECT_TRUE(c.server().peer_closed());
    EXPECT_FALSE(c.server().failed());
  }
  {
    Connected13 c;
    ASSERT_TRUE(c.send(ContentType::alert, Bytes{1, 90}).ok());  // warning user_canceled
    EXPECT_FALSE(c.server().failed());
  }
  for (uint8_t d : {40, 48, 80, 112, 255}) {  // handshake_failure, unknown_ca, internal, SNI, ?
    SCOPED_TRACE(int{d});
    Connected13 c;
    auto r = c.send(ContentType::alert, Bytes{1, d});  // at warning level
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::peer_alert);
    EXPECT_TRUE(c.server().failed());
  }
}

// ---- PSKs the server does not know, declined 0-RTT (tlsfuzzer test-tls13-0rtt-garbage.py,
// test-tls13-psk_dhe_ke.py, test-tls13-psk_ke.py) ----

constexpr uint16_t kPreSharedKey = 41;
constexpr uint16_t kEarlyData = 42;
constexpr uint16_t kCookie = 44;
constexpr uint16_t kPskModes = 45;

// bogus_psk is a pre_shared_key body with one identity of `identity_len` bytes and a 32-byte
// binder that no server can check: the script's random identity and binder.
Bytes bogus_psk(size_t identity_len = 320) {
  Bytes body;
  const size_t ids = 2 + identity_len + 4;
  body.push_back(static_cast<uint8_t>(ids >> 8));
  body.push_back(static_cast<uint8_t>(ids));
  body.push_back(static_cast<uint8_t>(identity_len >> 8));
  body.push_back(static_cast<uint8_t>(identity_len));
  for (size_t i = 0; i < identity_len; ++i) {
    body.push_back(static_cast<uint8_t>(i * 7 + 1));
  }
  for (uint8_t b : {0x5A, 0x01, 0x02, 0x03}) {  // obfuscated_ticket_age
    body.push_back(b);
  }
  body.insert(body.end(), {0, 33, 32});
  body.insert(body.end(), 32, 0xB1);
  return body;
}

// with_bogus_psk is our ClientHello offering both PSK modes and a PSK no server issued (last,
// RFC 8446 §4.2.11), and early_data when `early`.
Bytes with_bogus_psk(Bytes hello, bool early) {
  if (find_ext(hello, client_hello_extensions(hello), kPskModes) == SIZE_MAX) {
    append_ext(hello, kPskModes, Bytes{2, 1, 0});  // psk_dhe_ke, psk_ke
  }
  if (early) {
    append_ext(hello, kEarlyData, {});
  }
  append_ext(hello, kPreSharedKey, bogus_psk());
  return hello;
}

// plain is one unprotected record of `type`.
Bytes plain(uint8_t type, const Bytes& fragment) {
  Bytes r = {type, 3, 3, static_cast<uint8_t>(fragment.size() >> 8),
             static_cast<uint8_t>(fragment.size())};
  r.insert(r.end(), fragment.begin(), fragment.end());
  return r;
}

// garbage is `n` bytes that open under no key: early data the server cannot read.
Bytes garbage(size_t n) {
  Bytes g(n);
  for (size_t i = 0; i < n; ++i) {
    g[i] = static_cast<uint8_t>(i * 131 + 17);
  }
  return g;
}

// Server13 is a server fed records one by one, with its key log, so a test can seal what a
// client would send under the client's handshake key.
class Server13 {
 public:
  explicit Server13(ServerConfig sc = fuzz_server_config()) : provider_(kServerSeed) {
    sc.provider = &provider_;
    sc.key_log = keys_;
    conn_ = Connection::server(std::make_shared<ServerConfig>(std::move(sc))).value();
  }
  Result<void> receive(const Bytes& in) { return conn_->receive(in); }
  // records takes what the server sent so far, one record each.
  std::vector<Bytes> records() {
    auto out = conn_->output();
    auto split = split_records(out);
    conn_->consume_output(out.size());
    return split;
  }
  // seal_client_handshake seals `message` as the client would under its handshake key.
  Bytes seal_client_handshake(const Bytes& message, ContentType type = ContentType::handshake) {
    auto secret = keys_->find("CLIENT_HANDSHAKE_TRAFFIC_SECRET");
    auto suite = conn_->info().cipher_suite;
    if (!secret || !suite) {
      ADD_FAILURE() << "no client handshake secret";
      return {};
    }
    auto info = detail::suite_info(*suite);
    auto ts = keyschedule::TrafficSecret::dangerous_from_bytes(
        keyschedule::TrafficSecretKind::client_handshake, info->hash, *secret);
    auto keys = keyschedule::traffic_keys(provider_, ts.value(), info->aead);
    auto p =
        record::make_tls13_protection(provider_, info->aead, keys->key.expose(), keys->iv.expose());
    Bytes out;
    EXPECT_TRUE(p.ok() && p.value()->seal(type, 0x0303, message, out).ok());
    return out;
  }
  Connection& conn() { return *conn_; }

 private:
  crypto::TestingProvider provider_;
  std::shared_ptr<KeyLogCapture> keys_ = std::make_shared<KeyLogCapture>();
  std::unique_ptr<Connection> conn_;
};

// A Finished whose verify_data is wrong: the server can only answer decrypt_error if it
// opened the record, so this shows it reads the client's handshake key after early data.
const Bytes kWrongFinished = [] {
  Bytes f = {20, 0, 0, 32};
  f.insert(f.end(), 32, 0);
  return f;
}();

// RFC 8446 §4.2.11: "Clients MUST verify that the server's selected_identity is within the
// range supplied by the client" -- and a server that does not recognise an identity simply
// does not select it: "If no acceptable PSKs are found, the server SHOULD perform a non-PSK
// handshake if possible." (tlsfuzzer "handshake with invalid PSK")
TEST(Conformance, UnknownPskIdentityGetsAFullHandshake) {
  Bytes hello = with_bogus_psk(our_client_hello(), /*early=*/false);
  Server13 s;
  ASSERT_TRUE(s.receive(records(hello)[0]).ok());
  auto out = s.records();
  ASSERT_GE(out.size(), 3u);
  ASSERT_EQ(out[0][5], 2);  // ServerHello ...
  auto sh = messages::parse_server_hello(std::span<const uint8_t>(out[0]).subspan(9));
  ASSERT_TRUE(sh.ok());
  for (const auto& e : sh->extensions) {
    EXPECT_NE(static_cast<uint16_t>(e.type), kPreSharedKey);  // ... selecting no PSK
  }
  EXPECT_FALSE(s.conn().info().resumed);
}

// RFC 8446 §4.2.10: a server declining early data "ignore[s] the extension and return[s] a
// regular 1-RTT response. The server then skips past early data by attempting to deprotect
// received records using the handshake traffic key, and discarding records which fail
// deprotection (up to the configured max_early_data_size)." The script's early data is one
// 2^14-byte record, or two halves, with a dummy ChangeCipherSpec before or between them.
TEST(Conformance, DeclinedEarlyDataOfAnUnknownPskIsSkipped) {
  const Bytes hello = with_bogus_psk(our_client_hello(), /*early=*/true);
  const Bytes ccs = plain(20, {1});
  const std::vector<std::vector<Bytes>> early = {
      {plain(23, garbage(16384))},
      {plain(23, garbage(8192)), plain(23, garbage(8192))},
      {plain(23, garbage(8192)), ccs, plain(23, garbage(8192))},
      {ccs, plain(23, garbage(16384))},
  };
  for (size_t i = 0; i < early.size(); ++i) {
    SCOPED_TRACE(i);
    Server13 s;
    ASSERT_TRUE(s.receive(records(hello)[0]).ok());
    ASSERT_EQ(s.records()[0][5], 2);
    EXPECT_FALSE(s.conn().info().resumed);
    for (const Bytes& r : early[i]) {
      ASSERT_TRUE(s.receive(r).ok());
    }
    auto r = s.receive(s.seal_client_handshake(kWrongFinished));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::bad_finished) << r.error().message();
    EXPECT_EQ(r.error().alert(), AlertDescription::decrypt_error);
  }
}

// Skipping ends at the first record that opens: tlsfuzzer splits the client's Finished into
// 16-byte records and puts an undecryptable record between them, which must get
// bad_record_mac ("undecryptable record later in handshake together with early_data").
TEST(Conformance, UndecryptableRecordAfterTheFirstHandshakeRecordIsBadRecordMac) {
  Server13 s;
  ASSERT_TRUE(s.receive(records(with_bogus_psk(our_client_hello(), true))[0]).ok());
  ASSERT_TRUE(s.receive(plain(23, garbage(16384))).ok());
  ASSERT_TRUE(
      s.receive(s.seal_client_handshake(Bytes(kWrongFinished.begin(), kWrongFinished.begin() + 16)))
          .ok());
  auto r = s.receive(plain(23, garbage(64)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac) << r.error().message();
}

// After a HelloRetryRequest the early data of ClientHello1 is skipped by content type (RFC
// 8446 §4.2.10: "The server then ignores early data by skipping all records with an external
// content type of "application_data""); ClientHello2 cannot carry early data ("A client MUST
// NOT include the "early_data" extension in its followup ClientHello"), so once it arrived an
// undecryptable record is no early data: bad_record_mac ("handshake with 0-RTT, HRR and early
// data after 2nd Client Hello").
TEST(Conformance, UndecryptableRecordAfterSecondClientHelloIsBadRecordMac) {
  ServerConfig sc = fuzz_server_config();
  sc.groups = {NamedGroup::secp256r1};  // our client's first share is x25519: HRR
  const Bytes hello1 = with_bogus_psk(our_client_hello(), /*early=*/true);
  Server13 s(sc);
  ASSERT_TRUE(s.receive(records(hello1)[0]).ok());
  auto hrr = s.records();
  ASSERT_FALSE(hrr.empty());
  auto hrr_msg = messages::parse_server_hello(std::span<const uint8_t>(hrr[0]).subspan(9));
  ASSERT_TRUE(hrr_msg.ok());
  ASSERT_TRUE(std::equal(messages::kHelloRetryRequestRandom.begin(),
                         messages::kHelloRetryRequestRandom.end(), hrr_msg->random.begin()));
  const messages::Extension* cookie =
      messages::find_extension(hrr_msg->extensions, ExtensionType::cookie);
  ASSERT_NE(cookie, nullptr);
  // ClientHello1's early data, skipped.
  ASSERT_TRUE(s.receive(plain(23, garbage(16384))).ok());
  // ClientHello2: a P-256 share, the cookie, no early_data, the same PSK.
  ClientConfig p256 = fuzz_client_config();
  p256.groups = {NamedGroup::secp256r1};
  const Bytes share = ext_body(our_client_hello(p256), kKeyShare);
  Bytes hello2 = hello1;
  remove_ext(hello2, kPreSharedKey);
  remove_ext(hello2, kEarlyData);
  set_ext(hello2, kKeyShare, share);
  append_ext(hello2, kCookie, cookie->data);
  append_ext(hello2, kPreSharedKey, bogus_psk());
  ASSERT_TRUE(s.receive(records(hello2, 16384, 0x0303)[0]).ok());
  auto flight = s.records();
  ASSERT_FALSE(flight.empty());
  EXPECT_EQ(flight[0][5], 2);  // ServerHello
  auto r = s.receive(plain(23, garbage(64)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac) << r.error().message();
}

// ---- alerts during the handshake (tlsfuzzer test-tls13-unencrypted-alert.py) ----

// A client that could not process the server's flight may send its alert in the clear (RFC
// 8446 §5: the client cannot know whether the server can read its handshake key yet) or
// under its handshake key; either way the server closes without answering ("expect close").
TEST(Conformance, Tls13ClientAlertAfterServerFlightClosesInTheClearOrEncrypted) {
  for (bool encrypted : {false, true}) {
    SCOPED_TRACE(encrypted);
    Server13 s;
    ASSERT_TRUE(s.receive(records(our_client_hello())[0]).ok());
    ASSERT_GE(s.records().size(), 3u);
    const Bytes alert = {2, 48};  // fatal unknown_ca
    auto r = s.receive(encrypted ? s.seal_client_handshake(alert, ContentType::alert)
                                 : plain(21, alert));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::peer_alert) << r.error().message();
    EXPECT_TRUE(s.records().empty());  // no alert of ours in reply
  }
}

// ---- post-handshake authentication offered, and external PSKs we do not have
// (tlsfuzzer test-tls13-post-handshake-auth.py, test-tls13-psk_ke.py) ----

// RFC 8446 §4.2.6: "Servers MUST NOT send a post-handshake CertificateRequest to clients which
// do not offer this extension" -- offering it obliges the server to nothing in the handshake,
// which is an ordinary one; the server may ask later (Connection::request_client_certificate,
// tests/unit/handshake/server13/post_handshake_auth_test.cc).
TEST(Conformance, PostHandshakeAuthOfferLeavesTheHandshakeAsItIs) {
  Bytes hello = our_client_hello();
  append_ext(hello, 49, {});
  Server13 s;
  ASSERT_TRUE(s.receive(records(hello)[0]).ok());
  auto out = s.records();
  ASSERT_GE(out.size(), 3u);
  EXPECT_EQ(out[0][5], 2);
  EXPECT_EQ(s.conn().info().version, ProtocolVersion::tls1_3);
  EXPECT_TRUE(s.conn().info().post_handshake_auth);
  // A non-empty extension_data is malformed (RFC 8446 §4.2.6: "zero length").
  Bytes bad = our_client_hello();
  append_ext(bad, 49, {0});
  Answer a = answer(records(bad));
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->alert(), AlertDescription::decode_error) << a.error->message();
}

// The scripts' ClientHellos carry an external PSK ("test", 0xaa) and no
// signature_algorithms; a server without that PSK must authenticate with a certificate and
// cannot. RFC 8446 §4.2.3: "If a server is authenticating via a certificate and the client has
// not sent a "signature_algorithms" extension, then the server MUST abort the handshake with a
// "missing_extension" alert (see Section 9.2)." (test-tls13-psk_dhe_ke.py's hello.) Without
// key_share and supported_groups as well (test-tls13-psk_ke.py's), no group can be agreed
// first: §4.1.1 "If there is no overlap between the received "supported_groups" and the groups
// supported by the server, then the server MUST abort the handshake with a
// "handshake_failure" or an "insufficient_security" alert."
TEST(Conformance, UnknownExternalPskWithoutSignatureAlgorithmsIsRefused) {
  for (bool dhe : {true, false}) {
    SCOPED_TRACE(dhe);
    Bytes hello = our_client_hello();
    remove_ext(hello, 13);  // signature_algorithms
    if (!dhe) {
      remove_ext(hello, kKeyShare);
      remove_ext(hello, kSupportedGroups);
    }
    if (find_ext(hello, client_hello_extensions(hello), kPskModes) != SIZE_MAX) {
      remove_ext(hello, kPskModes);
    }
    append_ext(hello, kPskModes, Bytes{1, static_cast<uint8_t>(dhe ? 1 : 0)});
    append_ext(hello, kPreSharedKey, bogus_psk(4));
    Answer a = answer(records(hello));
    ASSERT_TRUE(a.error);
    EXPECT_EQ(a.error->alert(),
              dhe ? AlertDescription::missing_extension : AlertDescription::handshake_failure)
        << a.error->message();
  }
}

// ---- groups tlsfuzzer offers that we do not implement (test-tls13-crfg-curves.py,
// test-tls13-obsolete-curves.py, test-tls13-non-support.py) ----

// RFC 8422 §5.1.2 point formats mean nothing in TLS 1.3 (RFC 8446 §4.2.7 lists no such
// extension for it): an ec_point_formats offering only compressed points does not stop an
// X25519 handshake.
TEST(Conformance, Tls13IgnoresEcPointFormats) {
  for (uint8_t format : {1, 2, 0}) {  // ansiX962_compressed_prime, _char2, uncompressed
    SCOPED_TRACE(int{format});
    Bytes hello = our_client_hello();
    if (find_ext(hello, client_hello_extensions(hello), 11) != SIZE_MAX) {
      remove_ext(hello, 11);
    }
    append_ext(hello, 11, Bytes{1, format});
    remove_ext(hello, kSupportedVersions);
    append_ext(hello, kSupportedVersions, Bytes{2, 3, 4});
    expect_server_hello(answer(records(hello)), ProtocolVersion::tls1_3);
  }
}

// RFC 8446 Appendix B.3.1.4: obsolete_RESERVED groups (0x0001-0x0016, 0x001A-0x001C,
// 0xFF01-0xFF02) "MUST NOT be offered or negotiated by TLS 1.3 implementations". The MUST is
// the client's; we treat them as groups we do not know (§4.2.7): ignored next to a usable one,
// and alone they are no group in common, handshake_failure (§4.1.1). tlsfuzzer expects
// illegal_parameter in all these cases (README, known differences).
TEST(Conformance, ObsoleteGroupsAreTreatedAsUnknownOnes) {
  for (uint16_t obsolete : {0x0001, 0x0015, 0x0016, 0x001A, 0xFF01}) {
    SCOPED_TRACE(obsolete);
    const auto hi = static_cast<uint8_t>(obsolete >> 8);
    const auto lo = static_cast<uint8_t>(obsolete);
    Bytes next_to_p256 = our_client_hello();
    set_ext(next_to_p256, kSupportedGroups, Bytes{0, 4, hi, lo, 0, 23});
    Bytes share = {0, 0};  // the P-256 share of our client
    {
      ClientConfig p256 = fuzz_client_config();
      p256.groups = {NamedGroup::secp256r1};
      share = ext_body(our_client_hello(p256), kKeyShare);
    }
    set_ext(next_to_p256, kKeyShare, share);
    expect_server_hello(answer(records(next_to_p256)), ProtocolVersion::tls1_3);

    Bytes alone = our_client_hello();
    set_ext(alone, kSupportedGroups, Bytes{0, 2, hi, lo});
    Bytes bogus = {0, 36, hi, lo, 0, 32};
    bogus.insert(bogus.end(), 32, 0xAB);
    set_ext(alone, kKeyShare, bogus);
    Answer a = answer(records(alone));
    ASSERT_TRUE(a.error);
    EXPECT_EQ(a.error->alert(), AlertDescription::handshake_failure) << a.error->message();
  }
}

// RFC 8446 §4.2.1: "servers MUST ignore any unknown versions": the draft versions (0x7F00 +
// draft) tlsfuzzer offers next to TLS 1.2 give TLS 1.2, and next to TLS 1.3 give TLS 1.3.
TEST(Conformance, DraftVersionsAreIgnored) {
  for (uint8_t draft : {0, 18, 23, 28, 49}) {
    SCOPED_TRACE(int{draft});
    Bytes hello = our_client_hello();
    set_ext(hello, kSupportedVersions, Bytes{4, 0x7F, draft, 3, 3});
    expect_server_hello(answer(records(hello)), ProtocolVersion::tls1_2);
    set_ext(hello, kSupportedVersions, Bytes{4, 0x7F, draft, 3, 4});
    expect_server_hello(answer(records(hello)), ProtocolVersion::tls1_3);
  }
}

// ---- application data lengths (tlsfuzzer test-tls13-lengths.py sends every length from 1
// to 2^14; the script needs an echo server, which hs server is not) ----

TEST(Conformance, Tls13ApplicationDataOfEveryRecordLengthClass) {
  Connected13 c;
  for (size_t n :
       {size_t{1}, size_t{2}, size_t{15}, size_t{16}, size_t{17}, size_t{255}, size_t{256},
        size_t{257}, size_t{4095}, size_t{4096}, size_t{16383}, size_t{16384}}) {
    SCOPED_TRACE(n);
    std::string data(n - 1, 'A');
    data.push_back('\n');
    ASSERT_TRUE(c.send(ContentType::application_data, Bytes(data.begin(), data.end())).ok());
    EXPECT_EQ(c.read_all(), data);
  }
}

// ---- TLS 1.2 ClientHello length checks and extensions (tlsfuzzer
// test-truncating-of-client-hello.py, test-encrypt-then-mac.py) ----

// with_length_fixed is `hello` with its handshake header saying its real body length.
Bytes with_length_fixed(Bytes hello) {
  fix_header(hello);
  return hello;
}

// The script pads the ClientHello body (the header counts the padding) with 1 to 2^17 + 512
// zero or 0xff bytes, or cuts 1 to all of its bytes; the server must answer decode_error and
// never a ServerHello. RFC 5246 §7.4.1.2: the extensions, when present, run to the end of the
// message ("the presence of extensions can be detected by determining whether there are bytes
// following the compression_methods at the end of the ClientHello"), so bytes after the
// extension block cannot be extensions; RFC 8446 §6.2 decode_error: "the length of the message
// was incorrect".
TEST(Conformance, Tls12ClientHelloPaddedOrCutIsDecodeError) {
  const Bytes hello = our_client_hello(tls12_client());
  const size_t no_extensions = client_hello_extensions(hello);  // a valid hello ends here too
  for (size_t cut = 1; cut + 4 <= hello.size(); ++cut) {
    const size_t keep = hello.size() - cut;
    if (keep == no_extensions) {
      continue;  // the script skips this cut too: no extensions is a well-formed ClientHello
    }
    SCOPED_TRACE(cut);
    Answer a = answer(records(with_length_fixed(Bytes(hello.begin(), hello.begin() + keep))),
                      tls12_server());
    ASSERT_TRUE(a.error);
    EXPECT_EQ(a.error->alert(), AlertDescription::decode_error) << a.error->message();
  }
  for (size_t pad : {size_t{1}, size_t{2}, size_t{3}, size_t{256}, size_t{4096}, size_t{65536}}) {
    for (uint8_t byte : {0x00, 0xFF}) {
      SCOPED_TRACE(pad);
      Bytes padded = hello;
      padded.insert(padded.end(), pad, byte);
      Answer a = answer(records(with_length_fixed(padded)), tls12_server());
      ASSERT_TRUE(a.error);
      EXPECT_EQ(a.error->alert(), AlertDescription::decode_error) << a.error->message();
    }
  }
  // 2^17 + 512 bytes of padding: refused on the first record, from the length in the header.
  Bytes huge = hello;
  huge.insert(huge.end(), (1u << 17) + 512, 0);
  Answer a = answer({records(with_length_fixed(huge)).front()}, tls12_server());
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->alert(), AlertDescription::decode_error) << a.error->message();
}

// RFC 7366 §3: "If a server receives an encrypt-then-MAC request extension from a client and
// then selects a stream or Authenticated Encryption with Associated Data (AEAD) ciphersuite, it
// MUST NOT send an encrypt-then-MAC response extension back to the client." We only have AEAD
// suites, so the offer is never echoed (the script's CBC handshakes are refused; README).
TEST(Conformance, EncryptThenMacIsNotEchoedWithAeadSuites) {
  Bytes hello = our_client_hello(tls12_client());
  append_ext(hello, 22, {});
  Server13 s(tls12_server());
  ASSERT_TRUE(s.receive(records(hello)[0]).ok());
  auto out = s.records();
  ASSERT_FALSE(out.empty());
  ASSERT_EQ(out[0][5], 2);
  auto sh = messages::parse_server_hello(std::span<const uint8_t>(out[0]).subspan(9));
  ASSERT_TRUE(sh.ok());
  EXPECT_EQ(messages::find_extension(sh->extensions, static_cast<ExtensionType>(22)), nullptr);
  EXPECT_EQ(s.conn().info().version, ProtocolVersion::tls1_2);
}

// ---- TLS 1.2 signature_algorithms (tlsfuzzer test-sig-algs.py, test-ecdsa-sig-flexibility.py)

// sig_algs_body is a signature_algorithms body listing `schemes` (any 16-bit values).
Bytes sig_algs_body(const std::vector<uint16_t>& schemes) {
  Bytes body = {static_cast<uint8_t>(schemes.size() * 2 >> 8),
                static_cast<uint8_t>(schemes.size() * 2)};
  for (uint16_t v : schemes) {
    body.push_back(static_cast<uint8_t>(v >> 8));
    body.push_back(static_cast<uint8_t>(v));
  }
  return body;
}

// tls12_signed_with runs a TLS 1.2 ClientHello offering only `suite` and `schemes` and returns
// the scheme of the server's ServerKeyExchange signature, or the error.
Result<SignatureScheme> tls12_signed_with(CipherSuite suite, const Bytes& sig_algs) {
  ClientConfig cc = tls12_client();
  cc.cipher_suites = {suite};
  Bytes hello = our_client_hello(cc);
  set_ext(hello, 13, sig_algs);
  Server13 s(tls12_server());
  HS_TRY(s.receive(records(hello)[0]));
  if (!s.conn().info().own_signature_scheme) {
    return Error(ErrorCode::internal_error, "test", "no signature");
  }
  return *s.conn().info().own_signature_scheme;
}

constexpr auto kEcdheRsa = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
constexpr auto kEcdheEcdsa = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;

// RFC 5246 §7.4.1.4.1: "the signature algorithm and hash algorithm used by the server MUST be
// a pair listed in that extension". MD5 and SHA-224 (RFC 8446 §4.2.3: "MD5 [SLOTH], SHA-224,
// and DSA MUST NOT be used") and SHA-1 (we sign with none, default_signature_schemes) are never
// chosen, even listed first; values we do not know are skipped; each RSA-PSS (rsaEncryption key)
// scheme works alone.
TEST(Conformance, Tls12ServerSignsWithAListedSchemeAndNeverMd5OrSha1) {
  const uint16_t md5_rsa = 0x0101, sha1_rsa = 0x0201, sha224_rsa = 0x0301;
  auto first_md5 = tls12_signed_with(
      kEcdheRsa, sig_algs_body({md5_rsa, 0x0601, 0x0501, 0x0401, sha224_rsa, sha1_rsa, 0x0809}));
  ASSERT_TRUE(first_md5.ok()) << first_md5.error().message();
  EXPECT_TRUE(*first_md5 == SignatureScheme::rsa_pkcs1_sha512 ||
              *first_md5 == SignatureScheme::rsa_pkcs1_sha384 ||
              *first_md5 == SignatureScheme::rsa_pkcs1_sha256);
  // Undefined values ahead of the usable ones ("extra sigalgs").
  auto extra =
      tls12_signed_with(kEcdheRsa, sig_algs_body({0x0418, 0x1801, 0x0A0A, 0x0918, 0xFFFF, 0x0401}));
  ASSERT_TRUE(extra.ok()) << extra.error().message();
  EXPECT_EQ(*extra, SignatureScheme::rsa_pkcs1_sha256);
  for (auto only : {SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pss_rsae_sha384,
                    SignatureScheme::rsa_pss_rsae_sha512}) {
    auto r = tls12_signed_with(kEcdheRsa, sig_algs_body({static_cast<uint16_t>(only)}));
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(*r, only);
  }
}

// "only undefined sigalgs" and SHA-1 alone (test-ecdsa-sig-flexibility.py's sha1+ecdsa: we do
// not sign with SHA-1, README known differences): no scheme to sign with, handshake_failure
// (RFC 5246 §7.4.1.4.1 gives the server no fallback once the client sent the extension); "empty
// sigalgs" and an odd-length list: decode_error (RFC 5246 §7.4.1.4.1
// supported_signature_algorithms<2..2^16-2>).
TEST(Conformance, Tls12UnusableOrMalformedSignatureAlgorithms) {
  for (const Bytes& body :
       {sig_algs_body({0x0418, 0x1801, 0x0A0A, 0x0918, 0xFFFF}), sig_algs_body({0x0201})}) {
    auto r = tls12_signed_with(kEcdheRsa, body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert(), AlertDescription::handshake_failure) << r.error().message();
  }
  auto ecdsa_sha1 = tls12_signed_with(kEcdheEcdsa, sig_algs_body({0x0203}));
  ASSERT_FALSE(ecdsa_sha1.ok());
  EXPECT_EQ(ecdsa_sha1.error().alert(), AlertDescription::handshake_failure);
  for (const Bytes& body : {Bytes{0, 0}, Bytes{0, 3, 4, 1, 4}, Bytes{0, 4, 4, 1}}) {
    auto r = tls12_signed_with(kEcdheRsa, body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert(), AlertDescription::decode_error) << r.error().message();
  }
}

// TLS 1.2 does not tie an ECDSA hash to the key's curve (RFC 5246 §7.4.1.4.1 pairs a hash with
// "ecdsa"; the binding to a curve is TLS 1.3's, RFC 8446 §4.2.3): our P-256 key signs with
// SHA-384 or SHA-512 when that is all the client takes.
TEST(Conformance, Tls12EcdsaKeySignsWithAnyListedHash) {
  for (auto only :
       {SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
        SignatureScheme::ecdsa_secp521r1_sha512}) {
    auto r = tls12_signed_with(kEcdheEcdsa, sig_algs_body({static_cast<uint16_t>(only)}));
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(*r, only);
  }
}

// ---- TLS 1.3 CertificateVerify schemes (tlsfuzzer test-tls13-pkcs-signature.py,
// test-tls13-rsa-signatures.py, test-tls13-rsapss-signatures.py, test-tls13-ecdsa-support.py,
// test-tls13-eddsa.py) against our RSA-2048 and ECDSA P-256 certificates ----

// tls13_signed_with returns the scheme of the server's CertificateVerify for a TLS 1.3
// ClientHello listing `sig_algs`, or the error.
Result<SignatureScheme> tls13_signed_with(const Bytes& sig_algs) {
  Bytes hello = our_client_hello();
  set_ext(hello, 13, sig_algs);
  set_ext(hello, kSupportedVersions, Bytes{2, 3, 4});
  Server13 s;
  HS_TRY(s.receive(records(hello)[0]));
  if (!s.conn().info().own_signature_scheme) {
    return Error(ErrorCode::internal_error, "test", "no signature");
  }
  return *s.conn().info().own_signature_scheme;
}

// RFC 8446 §4.2.3: "RSASSA-PKCS1-v1_5 algorithms ... refer solely to signatures which appear in
// certificates ... and are not defined for use in signed TLS handshake messages"; MD5 and
// SHA-224 "MUST NOT be used". A client listing one PKCS#1 scheme alone gets handshake_failure.
TEST(Conformance, Tls13PkcsOneSchemesAloneAreHandshakeFailure) {
  for (uint16_t pkcs1 : {0x0101, 0x0201, 0x0301, 0x0401, 0x0501, 0x0601}) {
    SCOPED_TRACE(pkcs1);
    auto r = tls13_signed_with(sig_algs_body({pkcs1}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert(), AlertDescription::handshake_failure) << r.error().message();
  }
}

// Each scheme alone: rsa_pss_rsae_* with the rsaEncryption key, ecdsa_secp256r1_sha256 with the
// P-256 key. rsa_pss_pss_* need an RSASSA-PSS key, ECDSA schemes their own curve in TLS 1.3
// (§4.2.3), and we have no Ed25519 certificate here and no Ed448 at all: handshake_failure.
TEST(Conformance, Tls13ServerSignsWithTheOneSchemeItCan) {
  for (auto ok : {SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pss_rsae_sha384,
                  SignatureScheme::rsa_pss_rsae_sha512, SignatureScheme::ecdsa_secp256r1_sha256}) {
    SCOPED_TRACE(static_cast<int>(ok));
    auto r = tls13_signed_with(sig_algs_body({static_cast<uint16_t>(ok)}));
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(*r, ok);
  }
  for (uint16_t no : {0x0809, 0x080A, 0x080B, 0x0503, 0x0603, 0x0807, 0x0808}) {
    SCOPED_TRACE(no);
    auto r = tls13_signed_with(sig_algs_body({no}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert(), AlertDescription::handshake_failure) << r.error().message();
  }
}

// ---- TLS 1.3 AEADs (tlsfuzzer test-tls13-symetric-ciphers.py) ----

// Each suite alone is negotiated, and a flipped bit in any of the 16 tag bytes of an
// application data record is bad_record_mac (RFC 8446 §5.2: "If the decryption fails, the
// receiver MUST terminate the connection with a "bad_record_mac" alert"). The CCM suites are
// not implemented: offered alone, handshake_failure (README known differences).
TEST(Conformance, Tls13EachAeadNegotiatesAndRefusesAFlippedTagBit) {
  for (CipherSuite suite :
       {CipherSuite::TLS_AES_128_GCM_SHA256, CipherSuite::TLS_AES_256_GCM_SHA384,
        CipherSuite::TLS_CHACHA20_POLY1305_SHA256}) {
    SCOPED_TRACE(static_cast<int>(suite));
    ClientConfig cc = fuzz_client_config();
    cc.cipher_suites = {suite};
    cc.max_version = ProtocolVersion::tls1_3;
    cc.min_version = ProtocolVersion::tls1_3;
    for (size_t from_end : {size_t{1}, size_t{9}, size_t{16}}) {  // the tag's ends and middle
      Connected13 c(cc);
      ASSERT_EQ(c.server().info().cipher_suite, suite);
      auto r = c.send(ContentType::application_data, Bytes{'G', 'E', 'T'}, 0, [&](Bytes& rec) {
        rec[rec.size() - from_end] ^= static_cast<uint8_t>(1u << (from_end % 8));
      });
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac) << from_end;
    }
  }
  for (uint16_t ccm : {0x1304, 0x1305}) {
    Bytes hello = our_client_hello();
    const size_t at = client_hello_suites(hello);
    hello.erase(hello.begin() + static_cast<std::ptrdiff_t>(at + 2),
                hello.begin() + static_cast<std::ptrdiff_t>(at + 2 + get_u16(hello, at)));
    put_u16(hello, at, 0);
    add_suite(hello, ccm);
    set_ext(hello, kSupportedVersions, Bytes{2, 3, 4});
    Answer a = answer(records(hello));
    ASSERT_TRUE(a.error);
    EXPECT_EQ(a.error->alert(), AlertDescription::handshake_failure) << a.error->message();
  }
}

// ---- fresh randomness per connection (tlsfuzzer test-tls13-serverhello-random.py) ----

// RFC 8446 §4.1.3: ServerHello.random is "32 bytes generated by a secure random number
// generator"; the script collects random and key_share of many handshakes and fails on any
// repeat. Servers on libcrypto (no testing provider), one ClientHello each for X25519, P-256
// and P-384.
TEST(Conformance, ServerRandomAndKeyShareAreFreshPerConnection) {
  std::set<Bytes> randoms;
  std::set<Bytes> shares;
  size_t hellos = 0;
  for (NamedGroup g : {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1}) {
    ClientConfig cc = fuzz_client_config();
    cc.groups = {g};
    const Bytes hello = our_client_hello(cc);
    for (int i = 0; i < 4; ++i) {
      auto conn = Connection::server(std::make_shared<ServerConfig>(fuzz_server_config()));
      ASSERT_TRUE(conn.ok());
      ASSERT_TRUE(conn.value()->receive(records(hello)[0]).ok());
      auto out = split_records(conn.value()->output());
      ASSERT_FALSE(out.empty());
      auto sh = messages::parse_server_hello(std::span<const uint8_t>(out[0]).subspan(9));
      ASSERT_TRUE(sh.ok());
      const messages::Extension* share =
          messages::find_extension(sh->extensions, ExtensionType::key_share);
      ASSERT_NE(share, nullptr);
      randoms.insert(Bytes(sh->random.begin(), sh->random.end()));
      shares.insert(share->data);
      ++hellos;
    }
  }
  EXPECT_EQ(randoms.size(), hellos);
  EXPECT_EQ(shares.size(), hellos);
}

// ---- TLS 1.2 AES-GCM explicit nonces (tlsfuzzer test-aes-gcm-nonces.py) ----

// RFC 5288 §3: "The nonce_explicit MAY be the 64-bit sequence number"; the script checks that
// the server's Finished and first application data record carry consecutive explicit nonces
// (a repeat would be a nonce reuse). Ours are the sequence numbers 0, 1, 2, ...
TEST(Conformance, Tls12GcmExplicitNoncesCountUp) {
  for (CipherSuite suite : {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}) {
    SCOPED_TRACE(static_cast<int>(suite));
    ClientConfig cc = tls12_client();
    cc.cipher_suites = {suite};
    Loopback lb(cc, tls12_server());
    lb.run_all();
    ASSERT_FALSE(lb.error(Side::server));
    ASSERT_EQ(lb.conn(Side::server).info().cipher_suite, suite);
    const Bytes data = {'h', 'i'};
    ASSERT_TRUE(lb.conn(Side::server).write(data).ok());
    ASSERT_TRUE(lb.conn(Side::server).write(data).ok());
    // The server's records after its ChangeCipherSpec: Finished, then the two data records.
    std::vector<Bytes> sealed;
    bool after_ccs = false;
    for (const SentMessage& m : lb.delivered(Side::client)) {
      if (after_ccs) {
        sealed.push_back(m.wire);
      }
      after_ccs = after_ccs || m.type == 20;
    }
    for (const Bytes& r : split_records(lb.take_output(Side::server))) {
      sealed.push_back(r);
    }
    ASSERT_GE(sealed.size(), 3u);
    for (size_t i = 0; i < sealed.size(); ++i) {
      ASSERT_GE(sealed[i].size(), 13u);
      uint64_t explicit_nonce = 0;
      for (size_t b = 5; b < 13; ++b) {
        explicit_nonce = (explicit_nonce << 8) | sealed[i][b];
      }
      EXPECT_EQ(explicit_nonce, i);
    }
  }
}

// ---- TLS 1.2 application data records (tlsfuzzer test-chacha20.py, test-fuzzed-MAC.py,
// test-fuzzed-ciphertext.py) ----

// Connected12 is a finished TLS 1.2 loopback with the client's write protection rebuilt from
// the key log (as the hostile table does), to send records our client would never send.
class Connected12 {
 public:
  explicit Connected12(CipherSuite suite) : lb_(client(suite), tls12_server()) {
    lb_.run_all();
    EXPECT_FALSE(lb_.error(Side::server));
    auto master = lb_.keys(Side::client).find("CLIENT_RANDOM");
    auto info = detail::suite_info(suite);
    const SentMessage* sh = nullptr;
    for (const auto& m : lb_.delivered(Side::client)) {
      if (m.type == 22 && m.plain.size() > 4 && m.plain[0] == 2) {
        sh = &m;
      }
    }
    if (!master || !info || sh == nullptr) {
      ADD_FAILURE() << "no TLS 1.2 keys";
      return;
    }
    auto hello = messages::parse_server_hello(std::span<const uint8_t>(sh->plain).subspan(4));
    const crypto::Provider& prov = lb_.provider(Side::client);
    auto kb = keyschedule::key_block(prov, info->hash, info->aead, *master,
                                     lb_.keys(Side::client).client_random(), hello->random);
    auto p = record::make_tls12_protection(prov, info->aead, kb->client_write_key.expose(),
                                           kb->client_write_iv.expose());
    if (p.ok()) {
      seal_ = std::move(p).value();
    }
    // The client's Finished went out under sequence number 0.
    seal_->dangerous_set_sequence_number(1);
    gcm_ = info->aead != crypto::AeadAlg::chacha20_poly1305;
    iv_.assign(kb->client_write_iv.expose().begin(), kb->client_write_iv.expose().end());
    auto aead = prov.make_aead(info->aead, kb->client_write_key.expose());
    if (aead.ok()) {
      aead_ = std::move(aead).value();
    }
  }

  // send_oversized seals `plain` as the next application data record (sequence number 1) by
  // hand: RecordProtection refuses plaintexts over 2^14, which is what this sends. RFC 5288
  // §3 (GCM: salt || explicit nonce, the nonce on the wire) and RFC 7905 §2 (ChaCha20: IV XOR
  // sequence number); additional data per RFC 5246 §6.2.3.3.
  Result<void> send_oversized(const Bytes& plain) {
    const uint64_t seq = 1;
    Bytes seq_bytes(8);
    for (size_t i = 0; i < 8; ++i) {
      seq_bytes[i] = static_cast<uint8_t>(seq >> (56 - 8 * i));
    }
    Bytes nonce = iv_;
    if (gcm_) {
      nonce.insert(nonce.end(), seq_bytes.begin(), seq_bytes.end());
    } else {
      for (size_t i = 0; i < 8; ++i) {
        nonce[4 + i] ^= seq_bytes[i];
      }
    }
    Bytes aad = seq_bytes;
    aad.insert(aad.end(), {23, 3, 3, static_cast<uint8_t>(plain.size() >> 8),
                           static_cast<uint8_t>(plain.size())});
    Bytes body = plain;
    Bytes tag(crypto::kAeadTagLen);
    if (aead_ == nullptr || !aead_->seal(nonce, aad, body, tag)) {
      return Error(ErrorCode::internal_error, "test");
    }
    Bytes fragment = gcm_ ? seq_bytes : Bytes{};
    fragment.insert(fragment.end(), body.begin(), body.end());
    fragment.insert(fragment.end(), tag.begin(), tag.end());
    return server().receive(plain_record(fragment));
  }

  Connection& server() { return lb_.conn(Side::server); }

  // send seals `plain` as one application data record (tampered with by `tamper`) and hands
  // it to the server.
  Result<void> send(const Bytes& plain, const std::function<void(Bytes&)>& tamper = {}) {
    Bytes out;
    HS_TRY(seal_->seal(ContentType::application_data, 0x0303, plain, out));
    if (tamper) {
      tamper(out);
    }
    return server().receive(out);
  }

  std::string read_all() {
    std::vector<uint8_t> buf(server().readable());
    const size_t n = server().read(buf);
    return std::string(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }

 private:
  static ClientConfig client(CipherSuite suite) {
    ClientConfig cc = tls12_client();
    cc.cipher_suites = {suite};
    return cc;
  }
  // plain_record frames an application data fragment of any length.
  static Bytes plain_record(const Bytes& fragment) {
    Bytes r = {23, 3, 3, static_cast<uint8_t>(fragment.size() >> 8),
               static_cast<uint8_t>(fragment.size())};
    r.insert(r.end(), fragment.begin(), fragment.end());
    return r;
  }
  Loopback lb_;
  std::unique_ptr<record::RecordProtection> seal_;
  std::unique_ptr<crypto::Aead> aead_;
  Bytes iv_;
  bool gcm_ = true;
};

constexpr CipherSuite kTls12Aeads[] = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                       CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256};

// Empty application data, a 1/n-1 split request and a plaintext of exactly 2^14 bytes are
// read; 2^14 + 1 and 2^14 + 1024 bytes are record_overflow (RFC 5246 §6.2.1: "The length MUST
// NOT exceed 2^14"; §6.2.3: "If the decryption fails" ... a TLSCompressed.length above 2^14 +
// 1024 is record_overflow, and with no compression the plaintext limit is 2^14).
TEST(Conformance, Tls12ApplicationDataLengths) {
  for (CipherSuite suite : kTls12Aeads) {
    SCOPED_TRACE(static_cast<int>(suite));
    {
      Connected12 c(suite);
      ASSERT_TRUE(c.send({}).ok());
      ASSERT_TRUE(c.send(Bytes{'G'}).ok());
      ASSERT_TRUE(c.send(Bytes{'E', 'T'}).ok());
      EXPECT_EQ(c.read_all(), "GET");
      ASSERT_TRUE(c.send(Bytes(16384, 'A')).ok());
      EXPECT_EQ(c.read_all(), std::string(16384, 'A'));
    }
    {
      // The hand-made sealing is right: 2^14 bytes that way are read.
      Connected12 c(suite);
      ASSERT_TRUE(c.send_oversized(Bytes(16384, 'B')).ok());
      EXPECT_EQ(c.read_all(), std::string(16384, 'B'));
    }
    for (size_t n : {size_t{16385}, size_t{16384 + 1024}, size_t{16384 + 1025}}) {
      Connected12 c(suite);
      auto r = c.send_oversized(Bytes(n, 'A'));
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().alert(), AlertDescription::record_overflow) << n;
    }
  }
}

// RFC 5246 §6.2.3.3: "If the decryption fails, a fatal bad_record_mac alert MUST be generated."
// A flipped bit in the tag (the script: every bit of every tag byte; here the first, middle and
// last byte), and records too short to hold a tag (and the GCM explicit nonce) at all: the
// script's 0 to 15 bytes of ciphertext ("N bytes long ciphertext"), here 0, 1, 8 and 15.
TEST(Conformance, Tls12BadTagOrShortCiphertextIsBadRecordMac) {
  for (CipherSuite suite : kTls12Aeads) {
    SCOPED_TRACE(static_cast<int>(suite));
    for (size_t from_end : {size_t{1}, size_t{9}, size_t{16}}) {  // the tag's ends and middle
      Connected12 c(suite);
      auto r = c.send(Bytes{'G', 'E', 'T'}, [&](Bytes& rec) {
        rec[rec.size() - from_end] ^= static_cast<uint8_t>(1u << (from_end % 8));
      });
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().alert(), AlertDescription::bad_record_mac) << from_end;
    }
    for (size_t n : {size_t{0}, size_t{1}, size_t{8}, size_t{15}}) {
      Connected12 c(suite);
      auto r = c.server().receive(plain(23, Bytes(n, 0xA1)));
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().alert(), AlertDescription::bad_record_mac) << n;
    }
  }
}

// ---- ECDHE shared secrets with leading zero bytes (tlsfuzzer
// test-ecdhe-padded-shared-secret.py) ----

// RFC 8422 §5.10: the premaster secret is the x-coordinate "as an octet string of length
// ceiling(log_2 q / 8)"; RFC 8446 §7.4.2: "the shared secret is the x-coordinate ... the
// Z is always the same length" -- a secret whose first byte is zero keeps it. The script makes
// connections until such a secret occurs; here libcrypto key pairs are drawn until both sides
// derive one (about one try in 256), for X25519 and P-256 (P-384 the same code, but its key
// generation would make this test take seconds).
TEST(Conformance, SharedSecretsWithALeadingZeroKeepTheirLength) {
  const crypto::Provider& prov = crypto::default_provider();
  for (auto [group, len] :
       {std::pair{NamedGroup::x25519, size_t{32}}, {NamedGroup::secp256r1, size_t{32}}}) {
    SCOPED_TRACE(static_cast<int>(group));
    bool found = false;
    auto a = prov.generate_key_share(group);
    ASSERT_TRUE(a.ok());
    for (int tries = 0; tries < 4096 && !found; ++tries) {
      auto b = prov.generate_key_share(group);
      ASSERT_TRUE(b.ok());
      auto ba = b.value()->derive(a.value()->public_key());
      ASSERT_TRUE(ba.ok());
      ASSERT_EQ(ba->expose().size(), len);
      if (ba->expose()[0] == 0) {
        found = true;
        // The other side (the share `a` stands for the server's) derives the same bytes.
        auto ab = a.value()->derive(b.value()->public_key());
        ASSERT_TRUE(ab.ok());
        ASSERT_EQ(ab->expose().size(), len);
        EXPECT_TRUE(std::equal(ab->expose().begin(), ab->expose().end(), ba->expose().begin()));
      }
    }
    EXPECT_TRUE(found);
  }
}

}  // namespace
}  // namespace hs::fuzzing

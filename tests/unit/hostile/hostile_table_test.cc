// The hostile-input table: one row per (role, version, state, hostile input), walked by one
// parameterized test. Each row replays a valid prefix of a real in-memory handshake between our
// client and our server (fuzz/handshake/loopback.h: deterministic providers, one record per
// message), checks the target reached the row's state, injects the hostile bytes (framed, and
// sealed with the peer's write keys when the target reads under keys), and then checks:
//   - receive() returns the row's ErrorCode, and receive()/receive_eof() return it again later;
//   - the output holds exactly one record, a fatal alert with the row's description, sent in
//     the clear before the target's ChangeCipherSpec and encrypted after it; the peer's side of
//     the same handshake decrypts it and reports that alert;
//   - nothing crashes (the test runs under the asan preset too).
//
// TLS 1.3 server rows run the same loopback with TLS 1.3 on both sides (and, for the second
// ClientHello, a server that only takes P-256 so it sends a HelloRetryRequest; for the client
// Certificate and CertificateVerify, a server requiring a client certificate and a client with
// an ECDSA one), sealing the hostile record under the client's handshake or application keys
// from the key log.
//
// TLS 1.3 client rows replay RFC 8448 §3 to our client instead (fuzz/handshake/rfc8448_client.h),
// with the RFC's encrypted flight re-sealed one message per record under the RFC's keys, and open
// the alert with the RFC's client keys.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/handshake/auth_early.h"
#include "fuzz/handshake/loopback.h"
#include "fuzz/handshake/rfc8448_client.h"
#include "handshake/common/suites.h"
#include "hello_surgery.h"
#include "keyschedule/tls12_keys.h"
#include "keyschedule/tls13_schedule.h"
#include "messages/server_hello.h"
#include "record/protection.h"

namespace hs::fuzzing {
namespace {

using namespace surgery;  // NOLINT(google-build-using-namespace): test helpers

// Ctx builds hostile bytes for a target that has received a prefix of its peer's records.
class Ctx {
 public:
  using Sealer = std::function<Bytes(uint8_t type, const Bytes& plain)>;
  // Ctx for a TLS 1.2 target in a loopback with our own peer.
  Ctx(Loopback& lb, Side target) : lb_(&lb), target_(target) {}
  // Ctx for a TLS 1.3 client replaying RFC 8448: the peer's next message and how it frames.
  Ctx(SentMessage next, Sealer sealer)
      : target_(Side::client), next13_(std::move(next)), sealer13_(std::move(sealer)) {}
  // Ctx for a TLS 1.3 target in a loopback with our own peer: `sealer` frames the peer's next
  // record (in the clear, or under the peer's current TLS 1.3 write key).
  Ctx(Loopback& lb, Side target, Sealer sealer)
      : lb_(&lb), target_(target), sealer13_(std::move(sealer)) {}

  // next is the peer's next (undelivered) record.
  const SentMessage& next() const {
    static const SentMessage none;
    if (lb_ == nullptr) {
      return next13_;
    }
    return lb_->pending(target_).empty() ? none : lb_->pending(target_).front();
  }

  // next_handshake is the peer's next undelivered handshake record (loopback only).
  const SentMessage& next_handshake() const {
    for (const auto& m : lb_->pending(target_)) {
      if (m.type == 22) {
        return m;
      }
    }
    ADD_FAILURE() << "no pending handshake record";
    return next();
  }

  // first_server_message is the first handshake message the target client received.
  const Bytes& first_server_message() const { return lb_->delivered(Side::client).front().plain; }
  // first_hello is the ClientHello of this handshake (header + body).
  const Bytes& first_hello() const { return lb_->delivered(Side::server).front().plain; }

  // peer_encrypts: the target has received the peer's ChangeCipherSpec, so it reads under keys.
  bool peer_encrypts() const { return count_after_ccs(lb_->delivered(target_)).has_value(); }
  // target_encrypts: the target has sent its ChangeCipherSpec (the peer received all it sent).
  bool target_encrypts() const {
    return count_after_ccs(lb_->delivered(other(target_))).has_value();
  }

  // record frames `plain` as one record of `type` the way the peer would send it now: in the
  // clear, or sealed with the peer's write key at the sequence number the target expects.
  Bytes record(uint8_t type, const Bytes& plain) const {
    if (sealer13_) {
      return sealer13_(type, plain);
    }
    auto seq = count_after_ccs(lb_->delivered(target_));
    if (!seq) {
      return raw(type, plain);
    }
    auto prot = peer_write_protection();
    Bytes out;
    if (!prot) {
      ADD_FAILURE() << "no peer keys";
      return out;
    }
    prot->dangerous_set_sequence_number(*seq + sealed_++);
    EXPECT_TRUE(prot->seal(static_cast<ContentType>(type), 0x0303, plain, out).ok());
    return out;
  }
  // raw frames `fragment` as one unprotected record.
  static Bytes raw(uint8_t type, const Bytes& fragment, uint16_t version = 0x0303) {
    Bytes out = {type, static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version & 0xFF),
                 static_cast<uint8_t>(fragment.size() >> 8),
                 static_cast<uint8_t>(fragment.size() & 0xFF)};
    out.insert(out.end(), fragment.begin(), fragment.end());
    return out;
  }

 private:
  // count_after_ccs: records after the first ChangeCipherSpec in `records`, or nullopt.
  static std::optional<uint64_t> count_after_ccs(const std::vector<SentMessage>& records) {
    std::optional<uint64_t> n;
    for (const auto& r : records) {
      if (n) {
        ++*n;
      } else if (r.type == 20) {
        n = 0;
      }
    }
    return n;
  }

  // peer_write_protection rebuilds the peer's TLS 1.2 write keys from the key log.
  std::unique_ptr<record::RecordProtection> peer_write_protection() const {
    Side peer = other(target_);
    auto master = lb_->keys(peer).find("CLIENT_RANDOM");
    auto suite = lb_->conn(target_).info().cipher_suite;
    const SentMessage* sh = nullptr;
    for (const auto& m : lb_->delivered(Side::client)) {
      if (m.type == 22 && m.plain.size() > 4 && m.plain[0] == 2) {
        sh = &m;
      }
    }
    if (!master || !suite || sh == nullptr) {
      return nullptr;
    }
    auto info = detail::suite_info(*suite);
    auto hello = messages::parse_server_hello(std::span<const uint8_t>(sh->plain).subspan(4));
    if (!info || !hello.ok()) {
      return nullptr;
    }
    const crypto::Provider& prov = lb_->provider(peer);
    auto kb = keyschedule::key_block(prov, info->hash, info->aead, *master,
                                     lb_->keys(peer).client_random(), hello->random);
    if (!kb.ok()) {
      return nullptr;
    }
    bool server = peer == Side::server;
    auto p = record::make_tls12_protection(
        prov, info->aead, (server ? kb->server_write_key : kb->client_write_key).expose(),
        (server ? kb->server_write_iv : kb->client_write_iv).expose());
    return p.ok() ? std::move(p).value() : nullptr;
  }

  Loopback* lb_ = nullptr;
  Side target_;
  SentMessage next13_;
  Sealer sealer13_;
  mutable uint64_t sealed_ = 0;  // records sealed so far: each takes the next sequence number
};

using Inject = std::function<Bytes(const Ctx&)>;

struct Row {
  std::string name;
  Side role;
  int version;        // 12 or 13
  size_t prefix;      // peer records replayed before the hostile input
  std::string state;  // the state the prefix must reach
  std::string input;  // what is injected, for humans
  Inject inject;
  AlertDescription alert;
  ErrorCode code;
  bool hrr = false;  // TLS 1.3 server rows: the server only takes P-256, so it sends an HRR
  // client_auth: rows where the server requires a client certificate and our client sends one
  // (ECDSA). TLS 1.3 server rows: CH | CCS, {Certificate}, {CertificateVerify}, {Finished};
  // TLS 1.2 rows (mtls12): the client_auth_client/client_auth_server loopback below.
  bool client_auth = false;
  // early: TLS 1.3 server rows on a resumed connection whose 0-RTT data the server accepted
  // (fuzz/handshake/auth_early.h: the client sends CH | CCS, (early data) | {EndOfEarlyData},
  // {Finished}); the hostile record is sealed under the client's early traffic key.
  bool early = false;
  // loopback13: TLS 1.3 client rows run against our own server instead of RFC 8448: with `hrr`
  // the server only takes P-256 (SH=HRR, CCS, SH, ...), with `client_auth` it requests a client
  // certificate (SH, CCS, {EE}, {CertificateRequest}, {Certificate}, ...).
  bool loopback13 = false;
};

void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

// ---- byte surgery on handshake messages (header + body) ----

Bytes handshake(uint8_t type, Bytes body) {
  Bytes m = {type, 0, 0, 0};
  m.insert(m.end(), body.begin(), body.end());
  fix_header(m);
  return m;
}

// Offsets inside hellos (ClientHello ones in hello_surgery.h).
size_t server_hello_suite(const Bytes& m) { return kSessionIdLen + 1 + m[kSessionIdLen]; }
size_t server_hello_extensions(const Bytes& m) { return server_hello_suite(m) + 3; }
constexpr uint16_t kFallbackScsv = 0x5600;  // RFC 7507 §2
// set_suites replaces a ClientHello's cipher_suites with `suites`.
void set_suites(Bytes& m, const std::vector<uint16_t>& suites) {
  const size_t at = client_hello_suites(m);
  const size_t n = get_u16(m, at);
  m.erase(m.begin() + static_cast<std::ptrdiff_t>(at + 2),
          m.begin() + static_cast<std::ptrdiff_t>(at + 2 + n));
  put_u16(m, at, 0);
  for (uint16_t s : suites) {
    add_suite(m, s, /*last=*/true);
  }
  fix_header(m);
}

// dup_first_extension appends a copy of the first extension of the block at `at`.
void dup_first_extension(Bytes& m, size_t at) {
  size_t first_len = get_u16(m, at + 4);
  Bytes ext(m.begin() + static_cast<std::ptrdiff_t>(at + 2),
            m.begin() + static_cast<std::ptrdiff_t>(at + 6 + first_len));
  size_t end = at + 2 + get_u16(m, at);
  m.insert(m.begin() + static_cast<std::ptrdiff_t>(end), ext.begin(), ext.end());
  put_u16(m, at, get_u16(m, at) + ext.size());
  fix_header(m);
}

// ---- injections ----

Inject message(uint8_t type, Bytes body) {
  return [type, body](const Ctx& c) { return c.record(22, handshake(type, body)); };
}
Inject edit_next(std::function<void(Bytes&)> edit) {
  return [edit](const Ctx& c) {
    Bytes m = c.next().plain;
    edit(m);
    return c.record(c.next().type, m);
  };
}
// edit_next_handshake edits the peer's next handshake record (past a pending CCS).
Inject edit_next_handshake(std::function<void(Bytes&)> edit) {
  return [edit](const Ctx& c) {
    Bytes m = c.next_handshake().plain;
    edit(m);
    return c.record(22, m);
  };
}
Inject truncated() {
  return edit_next([](Bytes& m) {
    m.pop_back();
    fix_header(m);
  });
}
Inject trailing() {
  return edit_next([](Bytes& m) {
    m.push_back(0);
    fix_header(m);
  });
}
Inject record_of(uint8_t type, Bytes fragment) {
  return [type, fragment](const Ctx& c) { return c.record(type, fragment); };
}
Inject plain_record(uint8_t type, Bytes fragment) {
  return [type, fragment](const Ctx&) { return Ctx::raw(type, fragment); };
}

// ---- the table ----

struct StateInfo {
  size_t prefix;
  const char* state;
  std::set<uint8_t> accepts;  // handshake types the state takes
  bool keys;                  // the target reads under keys here
  int version = 12;
  bool hrr = false;           // see Row::hrr
  const char* tag = nullptr;  // row-name prefix when one state appears at two prefixes
  bool client_auth = false;   // see Row::client_auth
  bool early = false;         // see Row::early
  bool loopback13 = false;    // see Row::loopback13
};

const std::vector<uint8_t> kAllHandshakeTypes = {0,  1,  2,  4,  5,  8,  11, 12,
                                                 13, 14, 15, 16, 20, 22, 24, 254};

ClientConfig table_client() {
  ClientConfig c = fuzz_client_config();
  c.max_version = ProtocolVersion::tls1_2;
  c.cipher_suites = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  return c;
}
ServerConfig table_server() {
  ServerConfig s = fuzz_server_config();
  s.max_version = ProtocolVersion::tls1_2;
  return s;
}

std::string state_tag(const char* state) {
  std::string s = state;
  return s.substr(s.find("::") + 2);
}

void add(std::vector<Row>& rows, Side role, const StateInfo& st, std::string what,
         std::string input, Inject inject, AlertDescription alert, ErrorCode code) {
  std::string name = std::string(role == Side::client ? "client" : "server") +
                     std::to_string(st.version) + "_" +
                     (st.tag != nullptr ? std::string(st.tag) : state_tag(st.state)) + "_" + what;
  rows.push_back({name, role, st.version, st.prefix, st.state, std::move(input), std::move(inject),
                  alert, code, st.hrr, st.client_auth, st.early, st.loopback13});
}

// Rows every state gets: each handshake type it does not take, bad records and alerts.
void common_rows(std::vector<Row>& rows, Side role, const StateInfo& st) {
  for (uint8_t t : kAllHandshakeTypes) {
    // HelloRequest is ignored by a TLS 1.2 client (RFC 5246 §7.4.1.1), and by one that offers
    // TLS 1.2 before the ServerHello picks the version: own rows.
    const bool hello_request_ignored =
        role == Side::client && t == 0 && (st.version == 12 || (st.loopback13 && st.prefix == 0));
    if (st.accepts.count(t) != 0 || hello_request_ignored) {
      continue;
    }
    add(rows, role, st, "handshake_type_" + std::to_string(t),
        "handshake message of type " + std::to_string(t), message(t, Bytes{}),
        AlertDescription::unexpected_message, ErrorCode::unexpected_message);
  }
  add(rows, role, st, "unknown_handshake_type", "handshake type 99", message(99, Bytes{}),
      AlertDescription::unexpected_message, ErrorCode::unexpected_message);
  add(rows, role, st, "unknown_content_type", "record of content type 99",
      record_of(99, Bytes{1, 2, 3}), AlertDescription::unexpected_message,
      ErrorCode::unexpected_message);
  // tlsfuzzer test-invalid-content-type.py: heartbeat (24, RFC 6520) is a content type we do
  // not implement, so as unknown as 99 (RFC 5246 §6: "If a TLS implementation receives an
  // unexpected record type, it MUST send an unexpected_message alert.")
  add(rows, role, st, "heartbeat_content_type", "record of content type 24 (heartbeat)",
      record_of(24, Bytes{'h', 'i'}), AlertDescription::unexpected_message,
      ErrorCode::unexpected_message);
  add(rows, role, st, "alert_three_bytes", "alert record of 3 bytes",
      record_of(21, Bytes{2, 40, 0}), AlertDescription::decode_error, ErrorCode::decode_error);
  add(rows, role, st, "alert_one_byte", "alert record of 1 byte", record_of(21, Bytes{2}),
      AlertDescription::decode_error, ErrorCode::decode_error);
  if (st.version == 12) {
    add(rows, role, st, "ccs_bad_byte", "ChangeCipherSpec 0x02", record_of(20, Bytes{2}),
        AlertDescription::decode_error, ErrorCode::decode_error);
    add(rows, role, st, "ccs_two_bytes", "ChangeCipherSpec 0x01 0x01", record_of(20, Bytes{1, 1}),
        AlertDescription::decode_error, ErrorCode::decode_error);
  } else if (st.prefix == 0) {
    // Before the ServerHello no version is negotiated: a malformed message is a decode_error.
    add(rows, role, st, "ccs_bad_byte", "ChangeCipherSpec 0x02", plain_record(20, Bytes{2}),
        AlertDescription::decode_error, ErrorCode::decode_error);
  } else {
    // RFC 8446 §5: "An implementation which receives any other change_cipher_spec value or
    // which receives a protected change_cipher_spec record MUST abort the handshake with an
    // "unexpected_message" alert."
    add(rows, role, st, "ccs_bad_byte", "ChangeCipherSpec 0x02", plain_record(20, Bytes{2}),
        AlertDescription::unexpected_message, ErrorCode::unexpected_message);
    add(rows, role, st, "ccs_two_bytes", "ChangeCipherSpec 0x01 0x01",
        plain_record(20, Bytes{1, 1}), AlertDescription::unexpected_message,
        ErrorCode::unexpected_message);
    if (st.keys) {
      add(rows, role, st, "ccs_protected", "ChangeCipherSpec inside a protected record",
          record_of(20, Bytes{1}), AlertDescription::unexpected_message,
          ErrorCode::unexpected_message);
    }
  }
  add(
      rows, role, st, "oversized_record", "record of 2^14 + 2049 bytes",
      [](const Ctx&) { return Ctx::raw(22, Bytes(16384 + 2049, 0)); },
      AlertDescription::record_overflow, ErrorCode::record_overflow);
  if (st.keys) {
    add(
        rows, role, st, "bad_record_mac", "handshake record with a corrupted tag",
        [](const Ctx& c) {
          Bytes r = c.record(22, handshake(20, Bytes(12, 0)));
          r.back() ^= 1;
          return r;
        },
        AlertDescription::bad_record_mac, ErrorCode::bad_record_mac);
    if (st.version == 12) {
      add(rows, role, st, "plaintext_handshake", "unprotected handshake record under keys",
          plain_record(22, handshake(20, Bytes(12, 0))), AlertDescription::bad_record_mac,
          ErrorCode::bad_record_mac);
    } else {
      // Under TLS 1.3 protection every record but CCS travels as application_data.
      add(rows, role, st, "plaintext_handshake", "unprotected handshake record under keys",
          plain_record(22, handshake(20, Bytes(32, 0))), AlertDescription::unexpected_message,
          ErrorCode::unexpected_message);
    }
  } else {
    add(rows, role, st, "oversized_plaintext", "plaintext record of 2^14 + 1 bytes",
        plain_record(22, Bytes(16385, 0)), AlertDescription::record_overflow,
        ErrorCode::record_overflow);
  }
  bool connected = std::string(st.state).ends_with("Connected");
  // RFC 8446 §4.2.10: a server that accepted 0-RTT reads application data until
  // EndOfEarlyData; those states get their own early-data rows.
  if (!connected && !(st.early && role == Side::server)) {
    add(rows, role, st, "application_data", "application data before the handshake ends",
        record_of(23, Bytes{'G', 'E', 'T'}), AlertDescription::unexpected_message,
        ErrorCode::unexpected_message);
    if (std::string(st.state).find("ChangeCipherSpec") == std::string::npos && st.version == 12) {
      add(rows, role, st, "early_ccs", "ChangeCipherSpec out of order", record_of(20, {1}),
          AlertDescription::unexpected_message, ErrorCode::unexpected_message);
    }
  }
  add(
      rows, role, st, "fragment_then_alert", "half a handshake message, then an alert record",
      [](const Ctx& c) {
        Bytes a = c.record(22, Bytes{20, 0, 0, 12, 1, 2});
        Bytes b = c.record(21, Bytes{1, 0});
        a.insert(a.end(), b.begin(), b.end());
        return a;
      },
      AlertDescription::unexpected_message, ErrorCode::unexpected_message);
}

void add_server13_rows(std::vector<Row>& rows);
void add_client13_loopback_rows(std::vector<Row>& rows);

// ---- TLS 1.2 client authentication (mtls12) -------------------------------------------------
// Rows on a loopback where the server requires a client certificate (client_auth_server) and
// the client has one (client_auth_client). Row names start with "mtls12_".

ClientConfig client_auth_client() {
  ClientConfig c = table_client();
  c.client_certificate = server_certificates()[1];  // the ECDSA chain; any chain will do
  return c;
}

// AcceptAnyClient (auth_early.h) stands in for the client verifier: the chain checks have
// their own tests.

ServerConfig client_auth_server() {
  ServerConfig s = table_server();
  s.client_auth = ClientAuth::require;
  s.client_verifier = std::make_shared<AcceptAnyClient>();
  return s;
}

void add_client_auth12_rows(std::vector<Row>& rows) {
  using AD = AlertDescription;
  using EC = ErrorCode;
  const size_t first = rows.size();
  // The client sends ClientHello, Certificate, ClientKeyExchange, CertificateVerify | CCS,
  // Finished; the server SH, Certificate, SKE, CertificateRequest, SHD | ...
  const StateInfo s_ccert{1, "server12::ExpectClientCertificate", {11}, false};
  const StateInfo s_cv{3, "server12::ExpectCertificateVerify", {15}, false};
  const StateInfo c_shd_cr{3, "client12::ExpectServerHelloDone", {13, 14}, false};
  const StateInfo c_shd_after_cr{4, "client12::ExpectServerHelloDone", {14}, false};
  for (const auto* st : {&s_ccert, &s_cv}) {
    common_rows(rows, Side::server, *st);
  }
  auto server = [&](const StateInfo& st, std::string what, std::string input, Inject inj, AD a,
                    EC e) { add(rows, Side::server, st, what, input, std::move(inj), a, e); };
  auto client = [&](const StateInfo& st, std::string what, std::string input, Inject inj, AD a,
                    EC e) { add(rows, Side::client, st, what, input, std::move(inj), a, e); };
  server(s_ccert, "truncated", "client Certificate missing its last byte", truncated(),
         AD::decode_error, EC::decode_error);
  server(s_ccert, "trailing", "client Certificate with a trailing byte", trailing(),
         AD::decode_error, EC::decode_error);
  // RFC 5246 §7.4.6: an empty Certificate to a server that requires one: handshake_failure.
  server(s_ccert, "empty_list", "client Certificate with no certificate",
         message(11, Bytes{0, 0, 0}), AD::handshake_failure, EC::no_client_certificate);
  server(s_ccert, "unparsable_leaf", "client Certificate holding an empty SEQUENCE",
         message(11, Bytes{0, 0, 5, 0, 0, 2, 0x30, 0x00}), AD::bad_certificate,
         EC::bad_certificate);
  server(s_cv, "truncated", "CertificateVerify missing its last byte", truncated(),
         AD::decode_error, EC::decode_error);
  server(s_cv, "trailing", "CertificateVerify with a trailing byte", trailing(), AD::decode_error,
         EC::decode_error);
  server(s_cv, "bad_signature", "CertificateVerify with a flipped bit",
         edit_next([](Bytes& m) { m.back() ^= 1; }), AD::decrypt_error, EC::bad_signature);
  server(s_cv, "unoffered_scheme", "CertificateVerify with scheme 0x0201 (rsa_pkcs1_sha1)",
         edit_next([](Bytes& m) { put_u16(m, 4, 0x0201); }), AD::illegal_parameter,
         EC::illegal_parameter);
  server(s_cv, "scheme_not_for_key", "CertificateVerify of an ECDSA key with rsa_pss_rsae_sha256",
         edit_next([](Bytes& m) { put_u16(m, 4, 0x0804); }), AD::illegal_parameter,
         EC::illegal_parameter);
  client(c_shd_cr, "request_truncated", "CertificateRequest missing its last byte", truncated(),
         AD::decode_error, EC::decode_error);
  client(c_shd_cr, "request_trailing", "CertificateRequest with a trailing byte", trailing(),
         AD::decode_error, EC::decode_error);
  client(c_shd_cr, "request_no_types", "CertificateRequest with no certificate_types",
         message(13, Bytes{0, 0, 2, 4, 3, 0, 0}), AD::decode_error, EC::decode_error);
  client(c_shd_cr, "request_no_schemes", "CertificateRequest with no signature algorithms",
         message(13, Bytes{1, 64, 0, 0, 0, 0}), AD::decode_error, EC::decode_error);
  client(c_shd_after_cr, "second_request", "a second CertificateRequest",
         message(13, Bytes{1, 64, 0, 2, 4, 3, 0, 0}), AD::unexpected_message,
         EC::unexpected_message);
  for (size_t i = first; i < rows.size(); ++i) {
    rows[i].name = "mtls12_" + rows[i].name;
    rows[i].client_auth = true;
  }
}

std::vector<Row> build_table() {
  std::vector<Row> rows;
  using AD = AlertDescription;
  using EC = ErrorCode;

  // ---- TLS 1.2 client; the server sends SH, Certificate, SKE, SHD | CCS, Finished ----
  const StateInfo c_sh{0, "client12::ExpectServerHello", {2}, false};
  const StateInfo c_cert{1, "client12::ExpectCertificate", {11}, false};
  const StateInfo c_ske{2, "client12::ExpectServerKeyExchange", {12}, false};
  const StateInfo c_shd{3, "client12::ExpectServerHelloDone", {13, 14}, false};
  const StateInfo c_nst{4, "client12::ExpectNewSessionTicket", {4}, false};
  const StateInfo c_ccs{5, "client12::ExpectChangeCipherSpec", {}, false};
  const StateInfo c_fin{6, "client12::ExpectFinished", {20}, true};
  const StateInfo c_done{7, "client12::Connected", {0}, true};
  for (const auto* st : {&c_sh, &c_cert, &c_ske, &c_shd, &c_nst, &c_ccs, &c_fin, &c_done}) {
    common_rows(rows, Side::client, *st);
  }
  for (const auto* st : {&c_sh, &c_cert, &c_ske, &c_shd, &c_nst, &c_fin, &c_done}) {
    add(rows, Side::client, *st, "hello_request_with_body", "HelloRequest with a body",
        message(0, Bytes{0}), AD::decode_error, EC::decode_error);
  }
  auto client = [&](const StateInfo& st, std::string what, std::string input, Inject inj, AD a,
                    EC e) { add(rows, Side::client, st, what, input, std::move(inj), a, e); };
  // ServerHello.
  client(c_sh, "truncated", "ServerHello missing its last byte", truncated(), AD::decode_error,
         EC::decode_error);
  client(c_sh, "trailing", "ServerHello with a trailing byte", trailing(), AD::decode_error,
         EC::decode_error);
  client(c_sh, "session_id_33", "ServerHello legacy_session_id length 33",
         edit_next([](Bytes& m) { m[kSessionIdLen] = 33; }), AD::decode_error, EC::decode_error);
  client(c_sh, "extensions_overlong", "ServerHello extensions length past the end",
         edit_next([](Bytes& m) {
           size_t at = server_hello_extensions(m);
           put_u16(m, at, get_u16(m, at) + 1);
         }),
         AD::decode_error, EC::decode_error);
  client(c_sh, "duplicate_extension", "ServerHello with an extension twice",
         edit_next([](Bytes& m) { dup_first_extension(m, server_hello_extensions(m)); }),
         AD::illegal_parameter, EC::duplicate_extension);
  client(c_sh, "unoffered_suite", "ServerHello choosing suite 0x1234",
         edit_next([](Bytes& m) { put_u16(m, server_hello_suite(m), 0x1234); }),
         AD::illegal_parameter, EC::illegal_parameter);
  client(c_sh, "compression_1", "ServerHello with compression method 1",
         edit_next([](Bytes& m) { m[server_hello_suite(m) + 2] = 1; }), AD::illegal_parameter,
         EC::illegal_parameter);
  client(c_sh, "version_ssl3", "ServerHello legacy_version 0x0300",
         edit_next([](Bytes& m) { put_u16(m, 4, 0x0300); }), AD::protocol_version,
         EC::protocol_version);
  client(c_sh, "empty_message", "ServerHello with an empty body", message(2, Bytes{}),
         AD::decode_error, EC::decode_error);
  // Certificate.
  client(c_cert, "truncated", "Certificate missing its last byte", truncated(), AD::decode_error,
         EC::decode_error);
  client(c_cert, "trailing", "Certificate with a trailing byte", trailing(), AD::decode_error,
         EC::decode_error);
  client(c_cert, "empty_list", "Certificate with no certificate", message(11, Bytes{0, 0, 0}),
         AD::decode_error, EC::decode_error);
  client(c_cert, "zero_length_entry", "Certificate with a zero-length entry",
         message(11, Bytes{0, 0, 3, 0, 0, 0}), AD::decode_error, EC::decode_error);
  client(c_cert, "garbage_der", "Certificate that is not DER",
         message(11, Bytes{0, 0, 6, 0, 0, 3, 1, 2, 3}), AD::bad_certificate, EC::bad_certificate);
  // ServerKeyExchange: curve_type(1) named_curve(2) point<1..255> scheme(2) signature<0..2^16-1>.
  client(c_ske, "truncated", "ServerKeyExchange missing its last byte", truncated(),
         AD::decode_error, EC::decode_error);
  client(c_ske, "trailing", "ServerKeyExchange with a trailing byte", trailing(), AD::decode_error,
         EC::decode_error);
  client(c_ske, "explicit_curve", "ServerKeyExchange curve_type explicit_prime (1)",
         edit_next([](Bytes& m) { m[4] = 1; }), AD::illegal_parameter, EC::illegal_parameter);
  client(c_ske, "unoffered_group", "ServerKeyExchange named_curve 0x1234",
         edit_next([](Bytes& m) { put_u16(m, 5, 0x1234); }), AD::illegal_parameter,
         EC::illegal_parameter);
  client(c_ske, "bad_signature", "ServerKeyExchange signature with a flipped bit",
         edit_next([](Bytes& m) { m.back() ^= 1; }), AD::decrypt_error, EC::bad_signature);
  // The signature covers the point, so a tampered point fails the signature check first.
  client(c_ske, "tampered_point", "ServerKeyExchange public key with a flipped byte",
         edit_next([](Bytes& m) { m[8 + 1] ^= 0xFF; }), AD::decrypt_error, EC::bad_signature);
  // ServerHelloDone.
  client(c_shd, "trailing", "ServerHelloDone with a body", trailing(), AD::decode_error,
         EC::decode_error);
  // NewSessionTicket (RFC 5077 §3.3: lifetime_hint u32, ticket<0..2^16-1>).
  client(c_nst, "truncated", "NewSessionTicket missing its last byte", truncated(),
         AD::decode_error, EC::decode_error);
  client(c_nst, "trailing", "NewSessionTicket with a trailing byte", trailing(), AD::decode_error,
         EC::decode_error);
  client(c_nst, "ticket_overlong", "NewSessionTicket ticket length past the end",
         edit_next([](Bytes& m) { put_u16(m, 8, get_u16(m, 8) + 1); }), AD::decode_error,
         EC::decode_error);
  // Finished (encrypted).
  client(c_fin, "truncated", "Finished of 11 bytes", truncated(), AD::decode_error,
         EC::decode_error);
  client(c_fin, "trailing", "Finished of 13 bytes", trailing(), AD::decode_error, EC::decode_error);
  client(c_fin, "wrong_verify_data", "Finished with a flipped bit",
         edit_next([](Bytes& m) { m.back() ^= 1; }), AD::decrypt_error, EC::bad_finished);
  client(c_fin, "second_ccs", "a second ChangeCipherSpec", record_of(20, {1}),
         AD::unexpected_message, EC::unexpected_message);
  client(c_done, "second_ccs", "ChangeCipherSpec after the handshake", record_of(20, {1}),
         AD::unexpected_message, EC::unexpected_message);

  // ---- TLS 1.2 server; the client sends CH | CKE, CCS, Finished ----
  const StateInfo s_ch{0, "server12::ExpectClientHello", {1}, false};
  const StateInfo s_cke{1, "server12::ExpectClientKeyExchange", {16}, false};
  const StateInfo s_ccs{2, "server12::ExpectChangeCipherSpec", {}, false};
  const StateInfo s_fin{3, "server12::ExpectFinished", {20}, true};
  const StateInfo s_done{4, "server12::Connected", {1}, true};
  for (const auto* st : {&s_ch, &s_cke, &s_ccs, &s_fin, &s_done}) {
    common_rows(rows, Side::server, *st);
  }
  auto server = [&](const StateInfo& st, std::string what, std::string input, Inject inj, AD a,
                    EC e) { add(rows, Side::server, st, what, input, std::move(inj), a, e); };
  // ClientHello.
  server(s_ch, "truncated", "ClientHello missing its last byte", truncated(), AD::decode_error,
         EC::decode_error);
  server(s_ch, "trailing", "ClientHello with a trailing byte", trailing(), AD::decode_error,
         EC::decode_error);
  server(s_ch, "session_id_33", "ClientHello legacy_session_id length 33",
         edit_next([](Bytes& m) { m[kSessionIdLen] = 33; }), AD::decode_error, EC::decode_error);
  server(s_ch, "suites_odd_length", "ClientHello cipher_suites of odd length",
         edit_next([](Bytes& m) {
           size_t at = client_hello_suites(m);
           put_u16(m, at, get_u16(m, at) - 1);
         }),
         AD::decode_error, EC::decode_error);
  server(s_ch, "suites_zero_length", "ClientHello with no cipher suites", edit_next([](Bytes& m) {
           size_t at = client_hello_suites(m);
           size_t n = get_u16(m, at);
           m.erase(m.begin() + static_cast<std::ptrdiff_t>(at + 2),
                   m.begin() + static_cast<std::ptrdiff_t>(at + 2 + n));
           put_u16(m, at, 0);
           fix_header(m);
         }),
         AD::decode_error, EC::decode_error);
  server(s_ch, "compression_zero_length", "ClientHello with no compression methods",
         edit_next([](Bytes& m) {
           size_t at = client_hello_compression(m);
           m.erase(m.begin() + static_cast<std::ptrdiff_t>(at + 1));
           m[at] = 0;
           fix_header(m);
         }),
         AD::decode_error, EC::decode_error);
  server(s_ch, "compression_no_null", "ClientHello offering only compression method 1",
         edit_next([](Bytes& m) { m[client_hello_compression(m) + 1] = 1; }), AD::illegal_parameter,
         EC::illegal_parameter);
  server(s_ch, "extensions_overlong", "ClientHello extensions length past the end",
         edit_next([](Bytes& m) {
           size_t at = client_hello_extensions(m);
           put_u16(m, at, get_u16(m, at) + 1);
         }),
         AD::decode_error, EC::decode_error);
  server(s_ch, "duplicate_extension", "ClientHello with an extension twice",
         edit_next([](Bytes& m) { dup_first_extension(m, client_hello_extensions(m)); }),
         AD::illegal_parameter, EC::duplicate_extension);
  server(s_ch, "version_ssl3", "ClientHello legacy_version 0x0300",
         edit_next([](Bytes& m) { put_u16(m, 4, 0x0300); }), AD::protocol_version,
         EC::protocol_version);
  // tlsfuzzer test-invalid-version.py ("version < 3.0"): RFC 5246 Appendix E.1, a server that
  // does not support the client's version answers protocol_version.
  server(s_ch, "version_0103", "ClientHello legacy_version 0x0103",
         edit_next([](Bytes& m) { put_u16(m, 4, 0x0103); }), AD::protocol_version,
         EC::protocol_version);
  // tlsfuzzer test-extended-master-secret-extension.py ("malformed extended master secret
  // ext"): RFC 7627 §5.1 "The "extension_data" field of this extension is empty."
  server(s_ch, "ems_with_body", "extended_master_secret with one byte of data",
         edit_next([](Bytes& m) { set_ext(m, 23, Bytes{0}); }), AD::decode_error, EC::decode_error);
  server(s_ch, "empty_message", "ClientHello with an empty body", message(1, Bytes{}),
         AD::decode_error, EC::decode_error);
  // RFC 7507 §3: TLS_FALLBACK_SCSV with a version below our highest (TLS 1.2 here) is a fatal
  // inappropriate_fallback (tlsfuzzer test-fallback-scsv.py, "FALLBACK - hello TLSv1.1").
  server(s_ch, "fallback_scsv_tls11", "TLS_FALLBACK_SCSV with legacy_version 0x0302",
         edit_next([](Bytes& m) {
           put_u16(m, 4, 0x0302);
           add_suite(m, kFallbackScsv);
         }),
         AD::inappropriate_fallback, EC::inappropriate_fallback);
  // ClientKeyExchange: point<1..255>.
  server(s_cke, "truncated", "ClientKeyExchange missing its last byte", truncated(),
         AD::decode_error, EC::decode_error);
  server(s_cke, "trailing", "ClientKeyExchange with a trailing byte", trailing(), AD::decode_error,
         EC::decode_error);
  server(s_cke, "zero_length_point", "ClientKeyExchange with an empty point", message(16, Bytes{0}),
         AD::decode_error, EC::decode_error);
  server(s_cke, "wrong_length_point", "ClientKeyExchange with a 5-byte point",
         message(16, Bytes{5, 4, 1, 2, 3, 4}), AD::illegal_parameter, EC::illegal_parameter);
  // Finished (encrypted).
  server(s_fin, "truncated", "Finished of 11 bytes", truncated(), AD::decode_error,
         EC::decode_error);
  server(s_fin, "trailing", "Finished of 13 bytes", trailing(), AD::decode_error, EC::decode_error);
  server(s_fin, "wrong_verify_data", "Finished with a flipped bit",
         edit_next([](Bytes& m) { m.back() ^= 1; }), AD::decrypt_error, EC::bad_finished);
  server(s_fin, "second_ccs", "a second ChangeCipherSpec", record_of(20, {1}),
         AD::unexpected_message, EC::unexpected_message);
  // A ClientHello after the handshake (renegotiation) is not refused fatally: see
  // Renegotiation12.ClientHelloGetsAWarningAndTheConnectionGoesOn.
  server(s_done, "second_ccs", "ChangeCipherSpec after the handshake", record_of(20, {1}),
         AD::unexpected_message, EC::unexpected_message);

  // ---- TLS 1.3 client against RFC 8448 §3's server: SH | EE, Certificate, CV, Finished | NST
  // (the RFC's encrypted flight re-sealed one message per record with the RFC's keys) ----
  const StateInfo t_sh{0, "client::ExpectServerHello", {2}, false, 13};
  const StateInfo t_ee{1, "client13::ExpectEncryptedExtensions", {8}, true, 13};
  const StateInfo t_cert{2, "client13::ExpectCertificateOrRequest", {11, 13}, true, 13};
  const StateInfo t_cv{3, "client13::ExpectCertificateVerify", {15}, true, 13};
  const StateInfo t_fin{4, "client13::ExpectFinished", {20}, true, 13};
  const StateInfo t_done{5, "client13::Connected", {4, 24}, true, 13};
  for (const auto* st : {&t_sh, &t_ee, &t_cert, &t_cv, &t_fin, &t_done}) {
    common_rows(rows, Side::client, *st);
  }
  auto c13 = [&](const StateInfo& st, std::string what, std::string input, Inject inj, AD a, EC e) {
    add(rows, Side::client, st, what, input, std::move(inj), a, e);
  };
  c13(t_sh, "truncated", "ServerHello missing its last byte", truncated(), AD::decode_error,
      EC::decode_error);
  c13(t_sh, "trailing", "ServerHello with a trailing byte", trailing(), AD::decode_error,
      EC::decode_error);
  c13(t_sh, "duplicate_extension", "ServerHello with an extension twice",
      edit_next([](Bytes& m) { dup_first_extension(m, server_hello_extensions(m)); }),
      AD::illegal_parameter, EC::duplicate_extension);
  c13(t_sh, "unoffered_suite", "ServerHello choosing suite 0x1234",
      edit_next([](Bytes& m) { put_u16(m, server_hello_suite(m), 0x1234); }), AD::illegal_parameter,
      EC::illegal_parameter);
  c13(t_sh, "session_id_33", "ServerHello legacy_session_id length 33",
      edit_next([](Bytes& m) { m[kSessionIdLen] = 33; }), AD::decode_error, EC::decode_error);
  c13(t_ee, "truncated", "EncryptedExtensions missing its last byte", truncated(), AD::decode_error,
      EC::decode_error);
  c13(t_ee, "trailing", "EncryptedExtensions with a trailing byte", trailing(), AD::decode_error,
      EC::decode_error);
  c13(t_ee, "duplicate_extension", "EncryptedExtensions with an extension twice",
      edit_next([](Bytes& m) { dup_first_extension(m, 4); }), AD::illegal_parameter,
      EC::duplicate_extension);
  c13(t_ee, "key_share_inside", "EncryptedExtensions carrying key_share",
      message(8, Bytes{0, 6, 0, 51, 0, 2, 0, 29}), AD::illegal_parameter, EC::illegal_parameter);
  // RFC 8446 §4.2: "Implementations MUST NOT send extension responses if the remote endpoint
  // did not send the corresponding extension requests ... Upon receiving such an extension, an
  // endpoint MUST abort the handshake with an "unsupported_extension" alert."
  c13(t_ee, "early_data_unoffered", "EncryptedExtensions accepting early data nobody offered",
      message(8, Bytes{0, 4, 0, 42, 0, 0}), AD::unsupported_extension, EC::unsolicited_extension);
  c13(t_cert, "truncated", "Certificate missing its last byte", truncated(), AD::decode_error,
      EC::decode_error);
  c13(t_cert, "trailing", "Certificate with a trailing byte", trailing(), AD::decode_error,
      EC::decode_error);
  // RFC 8446 §4.4.2.4: "If the server supplies an empty Certificate message, the client MUST
  // abort the handshake with a "decode_error" alert."
  c13(t_cert, "empty_list", "Certificate with no certificate", message(11, Bytes{0, 0, 0, 0}),
      AD::decode_error, EC::decode_error);
  c13(t_cert, "request_context", "Certificate with a non-empty request context",
      edit_next([](Bytes& m) {
        m[4] = 1;
        m.insert(m.begin() + 5, 7);
        fix_header(m);
      }),
      AD::illegal_parameter, EC::illegal_parameter);
  c13(t_cv, "truncated", "CertificateVerify missing its last byte", truncated(), AD::decode_error,
      EC::decode_error);
  c13(t_cv, "trailing", "CertificateVerify with a trailing byte", trailing(), AD::decode_error,
      EC::decode_error);
  c13(t_cv, "bad_signature", "CertificateVerify with a flipped bit",
      edit_next([](Bytes& m) { m.back() ^= 1; }), AD::decrypt_error, EC::bad_signature);
  c13(t_cv, "unoffered_scheme", "CertificateVerify with scheme 0x0201 (rsa_pkcs1_sha1)",
      edit_next([](Bytes& m) { put_u16(m, 4, 0x0201); }), AD::illegal_parameter,
      EC::illegal_parameter);
  c13(t_fin, "truncated", "Finished of 31 bytes", truncated(), AD::decode_error, EC::decode_error);
  c13(t_fin, "trailing", "Finished of 33 bytes", trailing(), AD::decode_error, EC::decode_error);
  c13(t_fin, "wrong_verify_data", "Finished with a flipped bit",
      edit_next([](Bytes& m) { m.back() ^= 1; }), AD::decrypt_error, EC::bad_finished);
  c13(t_done, "ccs_after_finished", "ChangeCipherSpec after the server Finished",
      plain_record(20, {1}), AD::unexpected_message, EC::unexpected_message);
  c13(t_done, "key_update_bad_value", "KeyUpdate request_update 2", message(24, Bytes{2}),
      AD::illegal_parameter, EC::illegal_parameter);
  c13(t_done, "key_update_empty", "KeyUpdate with an empty body", message(24, Bytes{}),
      AD::decode_error, EC::decode_error);
  c13(t_done, "ticket_truncated", "NewSessionTicket missing its last byte", truncated(),
      AD::decode_error, EC::decode_error);
  // RFC 8446 §4.6.2: "A client that receives a CertificateRequest message without having sent
  // the "post_handshake_auth" extension MUST send an "unexpected_message" fatal alert."
  c13(t_done, "unrequested_post_handshake_auth",
      "CertificateRequest after the handshake; post_handshake_auth not offered",
      message(13, Bytes{1, 7, 0, 8, 0, 13, 0, 4, 0, 2, 8, 4}), AD::unexpected_message,
      EC::unexpected_message);

  add_server13_rows(rows);
  add_client13_loopback_rows(rows);
  add_client_auth12_rows(rows);
  return rows;
}

const std::vector<Row>& table() {
  static const std::vector<Row> rows = build_table();
  return rows;
}

class HostileTable : public ::testing::TestWithParam<Row> {};

void run13(const Row& row);
void run_server13(const Row& row);
void run_client13_loopback(const Row& row);
std::shared_ptr<record::RecordProtection> traffic13_write(Loopback& lb, Side writer,
                                                          const std::string& label,
                                                          keyschedule::TrafficSecretKind kind);

TEST_P(HostileTable, RefusedWithTheRightAlert) {
  const Row& row = GetParam();
  SCOPED_TRACE(row.input);
  if (row.version == 13 && row.role == Side::server) {
    run_server13(row);
    return;
  }
  if (row.version == 13 && row.loopback13) {
    run_client13_loopback(row);
    return;
  }
  if (row.version == 13) {
    run13(row);
    return;
  }
  Loopback lb(row.client_auth ? client_auth_client() : table_client(),
              row.client_auth ? client_auth_server() : table_server());
  ASSERT_TRUE(lb.started());
  lb.run(row.role, row.prefix);
  const Side peer = other(row.role);
  ASSERT_FALSE(lb.error(row.role)) << lb.error(row.role)->message();
  ASSERT_FALSE(lb.error(peer)) << lb.error(peer)->message();
  ASSERT_EQ(lb.delivered(row.role).size(), row.prefix);
  // A server enters its first state before anyone can observe it.
  if (row.prefix > 0 || row.role == Side::client) {
    ASSERT_FALSE(lb.states(row.role).empty());
    ASSERT_EQ(lb.states(row.role).back(), row.state);
  } else {
    ASSERT_TRUE(lb.states(row.role).empty());
  }
  Connection& target = lb.conn(row.role);
  ASSERT_TRUE(target.output().empty());

  Ctx ctx(lb, row.role);
  const bool encrypted = ctx.target_encrypts();
  Bytes hostile = row.inject(ctx);
  ASSERT_FALSE(hostile.empty());
  auto r = target.receive(hostile);
  ASSERT_FALSE(r.ok()) << "accepted";
  EXPECT_EQ(error_code_name(r.error().code()), error_code_name(row.code)) << r.error().message();
  ASSERT_EQ(r.error().alert(), row.alert) << r.error().message();
  EXPECT_TRUE(target.failed());

  // Exactly one record, a fatal alert, under the right protection.
  Bytes out(target.output().begin(), target.output().end());
  auto records = split_records(out);
  ASSERT_EQ(records.size(), 1u);
  const Bytes& alert = records.front();
  ASSERT_GE(alert.size(), 7u);
  EXPECT_EQ(alert[0], 21);
  if (encrypted) {
    EXPECT_GT(alert.size(), 7u) << "alert sent in the clear after our ChangeCipherSpec";
  } else {
    const uint16_t version = static_cast<uint16_t>((alert[1] << 8) | alert[2]);
    EXPECT_TRUE(version == 0x0303 || (version == 0x0301 && row.role == Side::client));
    EXPECT_EQ(alert, Ctx::raw(21, Bytes{2, static_cast<uint8_t>(row.alert)}, version));
  }
  // The peer's side of the handshake reads it as that fatal alert.
  auto at_peer = lb.conn(peer).receive(alert);
  ASSERT_FALSE(at_peer.ok());
  EXPECT_EQ(at_peer.error().code(), ErrorCode::peer_alert) << at_peer.error().message();
  EXPECT_EQ(at_peer.error().received_alert(), row.alert) << at_peer.error().message();

  // Sticky: later calls fail the same way and queue nothing more.
  target.consume_output(out.size());
  auto again = target.receive(hostile);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), row.code);
  auto eof = target.receive_eof();
  ASSERT_FALSE(eof.ok());
  EXPECT_EQ(eof.error().code(), row.code);
  EXPECT_TRUE(target.output().empty());
}

// RFC 5246 §7.2.2: no_renegotiation is "Sent ... by the server in response to a client hello
// after initial handshaking ... This message is always a warning." (tlsfuzzer
// test-renegotiation-disabled.py: the warning, then application data still flows.)
TEST(Renegotiation12, ClientHelloGetsAWarningAndTheConnectionGoesOn) {
  Loopback lb(table_client(), table_server());
  ASSERT_TRUE(lb.started());
  lb.run_all();
  ASSERT_FALSE(lb.error(Side::server));
  ASSERT_FALSE(lb.error(Side::client));
  ASSERT_EQ(lb.states(Side::server).back(), "server12::Connected");
  Connection& server = lb.conn(Side::server);
  ASSERT_TRUE(server.output().empty());
  Ctx ctx(lb, Side::server);
  for (int attempt = 0; attempt < 2; ++attempt) {
    // The first ClientHello of this handshake again, encrypted.
    ASSERT_TRUE(server.receive(ctx.record(22, ctx.first_hello())).ok());
    EXPECT_FALSE(server.failed());
    Bytes out(server.output().begin(), server.output().end());
    auto records = split_records(out);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0][0], 21);
    EXPECT_GT(records[0].size(), 7u) << "alert sent in the clear";
    server.consume_output(out.size());
    // Our client reads a warning no_renegotiation and carries on (RFC 5746 §4.2 has clients
    // send the same warning).
    ASSERT_TRUE(lb.conn(Side::client).receive(records[0]).ok());
    EXPECT_FALSE(lb.conn(Side::client).failed());
  }
  ASSERT_TRUE(server.receive(ctx.record(23, Bytes{'p', 'i', 'n', 'g'})).ok());
  EXPECT_EQ(server.readable(), 4u);
  ASSERT_TRUE(server.write(Bytes{'p', 'o', 'n', 'g'}).ok());
  Bytes reply(server.output().begin(), server.output().end());
  ASSERT_TRUE(lb.conn(Side::client).receive(reply).ok());
  EXPECT_EQ(lb.conn(Side::client).readable(), 4u);
}

// ---- TLS 1.3: RFC 8448 §3 replayed to our client ----

Bytes vector_file(const std::string& name) {
  std::ifstream in(std::string(HS_SOURCE_DIR) + "/tests/vectors/rfc8448/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  Bytes out;
  int hi = -1;
  for (char ch : ss.str()) {
    int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
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

std::unique_ptr<record::RecordProtection> rfc_protection(const std::string& prefix) {
  const crypto::Provider& prov = crypto::default_provider();
  auto p = record::make_tls13_protection(prov, crypto::AeadAlg::aes_128_gcm,
                                         vector_file("s3_" + prefix + "_key.hex"),
                                         vector_file("s3_" + prefix + "_iv.hex"));
  EXPECT_TRUE(p.ok());
  return p.ok() ? std::move(p).value() : nullptr;
}

// Rfc13 is RFC 8448 §3's server side: its records, one message per record, and its keys.
struct Rfc13 {
  messages::ClientHello hello;
  Bytes priv;
  std::vector<SentMessage> server;  // SH, EE, Certificate, CertificateVerify, Finished, NST

  Rfc13() {
    Bytes ch = vector_file("s3_client_hello.hex");
    auto parsed = messages::parse_client_hello(std::span<const uint8_t>(ch).subspan(4));
    EXPECT_TRUE(parsed.ok());
    hello = std::move(parsed).value();
    priv = vector_file("s3_client_x25519_private.hex");
    const char* files[] = {"s3_server_hello.hex",    "s3_encrypted_extensions.hex",
                           "s3_certificate.hex",     "s3_certificate_verify.hex",
                           "s3_server_finished.hex", "s3_new_session_ticket.hex"};
    for (const char* f : files) {
      SentMessage m;
      m.type = 22;
      m.plain = vector_file(f);
      server.push_back(std::move(m));
    }
    server[0].wire = Ctx::raw(22, server[0].plain);
    auto hs_keys = rfc_protection("server_handshake");
    for (size_t i = 1; i <= 4; ++i) {
      EXPECT_TRUE(
          hs_keys->seal(ContentType::handshake, 0x0303, server[i].plain, server[i].wire).ok());
      server[i].encrypted = true;
    }
    auto app_keys = rfc_protection("server_application");
    EXPECT_TRUE(
        app_keys->seal(ContentType::handshake, 0x0303, server[5].plain, server[5].wire).ok());
    server[5].encrypted = true;
  }
};

class StateLog final : public Observer {
 public:
  void on_event(const Event& e) override {
    if (const auto* st = std::get_if<StateEvent>(&e.body)) {
      states.emplace_back(st->state);
    }
  }
  std::vector<std::string> states;
};

void run13(const Row& row) {
  static const Rfc13 rfc;
  StateLog log;
  Rfc8448Client client(rfc.hello, rfc.priv, &log);
  ASSERT_TRUE(client.started());
  detail::ConnectionImpl& conn = client.conn();
  conn.consume_output(conn.output().size());
  for (size_t i = 0; i < row.prefix; ++i) {
    auto r = conn.receive(rfc.server[i].wire);
    ASSERT_TRUE(r.ok()) << r.error().message();
    conn.consume_output(conn.output().size());  // the client Finished after the server's
  }
  ASSERT_FALSE(log.states.empty());
  ASSERT_EQ(log.states.back(), row.state);

  // The server's next record is sealed under its handshake keys (the RFC's record i uses
  // sequence number i - 1) until its Finished, then under its application keys.
  std::shared_ptr<record::RecordProtection> seal;
  if (row.prefix >= 1 && row.prefix <= 4) {
    seal = rfc_protection("server_handshake");
    seal->dangerous_set_sequence_number(row.prefix - 1);
  } else if (row.prefix == 5) {
    seal = rfc_protection("server_application");
  }
  Ctx ctx(row.prefix < rfc.server.size() ? rfc.server[row.prefix] : SentMessage{},
          [seal](uint8_t type, const Bytes& plain) {
            if (!seal) {
              return Ctx::raw(type, plain);
            }
            Bytes out;
            EXPECT_TRUE(seal->seal(static_cast<ContentType>(type), 0x0303, plain, out).ok());
            return out;
          });
  Bytes hostile = row.inject(ctx);
  auto r = conn.receive(hostile);
  ASSERT_FALSE(r.ok()) << "accepted";
  EXPECT_EQ(error_code_name(r.error().code()), error_code_name(row.code)) << r.error().message();
  ASSERT_EQ(r.error().alert(), row.alert) << r.error().message();
  EXPECT_TRUE(conn.failed());

  // One record: in the clear until the client has sent its Finished (our client switches its
  // write side to the handshake keys only when it sends its second flight, as OpenSSL does;
  // BoringSSL switches right after the ServerHello, and RFC 8446 §6 only says "encrypted as
  // specified by the current connection state"), then under its application keys, which the
  // RFC's key opens.
  Bytes out(conn.output().begin(), conn.output().end());
  auto records = split_records(out);
  ASSERT_EQ(records.size(), 1u);
  Bytes alert = records.front();
  const Bytes expected = {2, static_cast<uint8_t>(row.alert)};
  if (row.prefix < 5) {
    EXPECT_EQ(alert[0], 21);
    EXPECT_EQ(Bytes(alert.begin() + 5, alert.end()), expected);
  } else {
    EXPECT_EQ(alert[0], 23) << "alert not protected";
    auto open = rfc_protection("client_application");
    Bytes fragment(alert.begin() + 5, alert.end());
    auto opened = open->open(ContentType::application_data, 0x0303, fragment);
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    EXPECT_EQ(opened->type, ContentType::alert);
    EXPECT_EQ(Bytes(opened->plaintext.begin(), opened->plaintext.end()), expected);
  }

  conn.consume_output(out.size());
  auto again = conn.receive(hostile);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), row.code);
  auto eof = conn.receive_eof();
  ASSERT_FALSE(eof.ok());
  EXPECT_EQ(eof.error().code(), row.code);
  EXPECT_TRUE(conn.output().empty());
}

// ---- TLS 1.3 server: our own client (TLS 1.3 and 1.2 offered, an x25519 share) against our
// server in memory. The client sends CH | CCS, {Finished}; with `hrr` the server only takes
// P-256 and the client sends CH1 | CCS, CH2 | {Finished}. ----

Inject edit_hello(std::function<void(Bytes&)> edit) { return edit_next(std::move(edit)); }

// Extension code points (RFC 8446 §4.2, RFC 6066, RFC 7301).
constexpr uint16_t kSni = 0, kGroups = 10, kSigAlgs = 13, kAlpn = 16, kPsk = 41, kVersions = 43,
                   kCookie = 44, kPskModes = 45, kKeyShare = 51;

// key_share(group, len): a client key_share with one entry of `len` bytes of 0x42.
Bytes key_share_body(std::vector<std::pair<uint16_t, size_t>> entries) {
  Bytes list;
  for (auto [group, len] : entries) {
    list.push_back(static_cast<uint8_t>(group >> 8));
    list.push_back(static_cast<uint8_t>(group));
    list.push_back(static_cast<uint8_t>(len >> 8));
    list.push_back(static_cast<uint8_t>(len));
    list.insert(list.end(), len, 0x42);
  }
  Bytes body = {static_cast<uint8_t>(list.size() >> 8), static_cast<uint8_t>(list.size())};
  body.insert(body.end(), list.begin(), list.end());
  return body;
}
// A pre_shared_key offer: one 4-byte identity (not a ticket of ours), one 32-byte binder.
const Bytes kPskOffer = [] {
  Bytes b = {0, 10, 0, 4, 't', 'i', 'c', 'k', 0, 0, 0, 0, 0, 33, 32};
  b.insert(b.end(), 32, 0x55);
  return b;
}();

void add_server13_rows(std::vector<Row>& rows) {
  using AD = AlertDescription;
  using EC = ErrorCode;
  const StateInfo ch{0, "server::ExpectClientHello", {1}, false, 13};
  const StateInfo fin{1, "server13::ExpectFinished", {20}, true, 13, false, "ExpectFinished"};
  const StateInfo fin_ccs{2,     "server13::ExpectFinished", {20}, true, 13,
                          false, "ExpectFinished_after_ccs"};
  const StateInfo done{3, "server13::Connected", {24}, true, 13};
  const StateInfo ch2{
      2, "server13::ExpectSecondClientHello", {1}, false, 13, true, "ExpectSecondClientHello"};
  // Client authentication (RFC 8446 §4.4.2, §4.4.3): the client's records after CH are CCS,
  // {Certificate}, {CertificateVerify}, {Finished}.
  const StateInfo ccert{2,   "server13::ExpectClientCertificate", {11}, true, 13, false, nullptr,
                        true};
  const StateInfo ccv{
      3, "server13::ExpectClientCertificateVerify", {15}, true, 13, false, nullptr, true};
  // 0-RTT accepted (RFC 8446 §4.2.10, §4.5): after CH | CCS the server reads early data and
  // then EndOfEarlyData, all under the client's early traffic key.
  const StateInfo eoed = [] {
    StateInfo st{2, "server13::ExpectEndOfEarlyData", {5}, true, 13, false, "ExpectEndOfEarlyData"};
    st.early = true;
    return st;
  }();
  const StateInfo eoed_data = [&] {  // after one record of early data
    StateInfo st = eoed;
    st.prefix = 3;
    st.tag = "ExpectEndOfEarlyData_after_data";
    return st;
  }();
  for (const auto* st : {&ch, &fin, &fin_ccs, &done, &ch2, &ccert, &ccv, &eoed, &eoed_data}) {
    common_rows(rows, Side::server, *st);
  }
  auto server = [&](const StateInfo& st, std::string what, std::string input, Inject inj, AD a,
                    EC e) { add(rows, Side::server, st, what, input, std::move(inj), a, e); };

  // ClientHello offering TLS 1.3.
  server(ch, "truncated", "ClientHello missing its last byte", truncated(), AD::decode_error,
         EC::decode_error);
  server(ch, "trailing", "ClientHello with a trailing byte", trailing(), AD::decode_error,
         EC::decode_error);
  server(ch, "duplicate_extension", "ClientHello with an extension twice",
         edit_hello([](Bytes& m) { dup_first_extension(m, client_hello_extensions(m)); }),
         AD::illegal_parameter, EC::duplicate_extension);
  server(ch, "extensions_overlong", "ClientHello extensions length past the end",
         edit_hello([](Bytes& m) {
           size_t at = client_hello_extensions(m);
           put_u16(m, at, get_u16(m, at) + 1);
         }),
         AD::decode_error, EC::decode_error);
  // RFC 8446 §4.1.2: "If a TLS 1.3 ClientHello is received with any other value in this field,
  // the server MUST abort the handshake with an "illegal_parameter" alert."
  server(ch, "compression_1", "TLS 1.3 ClientHello offering compression methods 0 and 1",
         edit_hello([](Bytes& m) {
           size_t at = client_hello_compression(m);
           m[at] = 2;
           m.insert(m.begin() + static_cast<std::ptrdiff_t>(at + 2), 1);
           fix_header(m);
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  // RFC 8446 Appendix D.5: "Any endpoint receiving a Hello message with ClientHello.legacy_version
  // ... set to 0x0300 MUST abort the handshake with a "protocol_version" alert."
  server(ch, "version_ssl3", "TLS 1.3 ClientHello legacy_version 0x0300",
         edit_hello([](Bytes& m) { put_u16(m, 4, 0x0300); }), AD::protocol_version,
         EC::protocol_version);
  server(ch, "supported_versions_empty", "supported_versions with an empty list",
         edit_hello([](Bytes& m) { set_ext(m, kVersions, Bytes{0}); }), AD::decode_error,
         EC::decode_error);
  server(ch, "supported_versions_odd", "supported_versions list of 3 bytes",
         edit_hello([](Bytes& m) {
           set_ext(m, kVersions, Bytes{3, 3, 4, 3});
         }),
         AD::decode_error, EC::decode_error);
  // RFC 8446 §4.2.1: "If the "supported_versions" extension in the ClientHello contains no
  // versions acceptable to the server, the server MUST abort the handshake with a
  // "protocol_version" alert."
  server(ch, "supported_versions_unknown", "supported_versions offering only 0x7f00",
         edit_hello([](Bytes& m) {
           set_ext(m, kVersions, Bytes{2, 0x7f, 0x00});
         }),
         AD::protocol_version, EC::protocol_version);
  server(ch, "key_share_empty_key", "key_share entry for x25519 with a zero-length key",
         edit_hello([](Bytes& m) {
           set_ext(m, kKeyShare, key_share_body({{29, 0}}));
         }),
         AD::decode_error, EC::decode_error);
  server(ch, "key_share_overlong", "key_share list length past the extension",
         edit_hello([](Bytes& m) {
           Bytes body = key_share_body({{29, 32}});
           put_u16(body, 0, get_u16(body, 0) + 1);
           set_ext(m, kKeyShare, body);
         }),
         AD::decode_error, EC::decode_error);
  // RFC 8446 §4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same group.
  // ... Servers MAY check for violations of these rules and abort the handshake with an
  // "illegal_parameter" alert if one is violated."
  server(ch, "key_share_same_group_twice", "two key_share entries for x25519",
         edit_hello([](Bytes& m) {
           set_ext(m, kKeyShare, key_share_body({{29, 32}, {29, 32}}));
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  // ffdhe8192 is a group we implement but do not list by default (nor does our client).
  server(ch, "key_share_unlisted_group", "key_share for ffdhe8192, absent from supported_groups",
         edit_hello([](Bytes& m) {
           set_ext(m, kKeyShare, key_share_body({{0x0104, 1024}}));
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  server(ch, "key_share_bad_x25519", "x25519 key_share of 31 bytes", edit_hello([](Bytes& m) {
           set_ext(m, kKeyShare, key_share_body({{29, 31}}));
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  // RFC 8446 §4.2.8.2: "56 bytes for X448".
  server(ch, "key_share_bad_x448", "x448 key_share of 55 bytes", edit_hello([](Bytes& m) {
           set_ext(m, kKeyShare, key_share_body({{30, 55}}));
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  // RFC 8446 §4.2.8.1: Y "padded to the left with zeros to the size of p in bytes", and "Peers
  // MUST validate each other's public key Y by ensuring that 1 < Y < p-1."
  server(ch, "key_share_ffdhe_short", "ffdhe2048 key_share of 255 bytes", edit_hello([](Bytes& m) {
           set_ext(m, kKeyShare, key_share_body({{0x0100, 255}}));
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  server(ch, "key_share_ffdhe_y_is_one", "ffdhe2048 key_share with Y = 1", edit_hello([](Bytes& m) {
           Bytes body = key_share_body({{0x0100, 256}});
           std::fill(body.begin() + 6, body.end(), 0);
           body.back() = 1;
           set_ext(m, kKeyShare, body);
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  // RFC 8446 §9.2: a TLS 1.3 ClientHello "MUST contain" signature_algorithms (certificate
  // authentication) and, with key_share, supported_groups; "missing_extension" otherwise.
  server(ch, "no_signature_algorithms", "TLS 1.3 ClientHello without signature_algorithms",
         edit_hello([](Bytes& m) { remove_ext(m, kSigAlgs); }), AD::missing_extension,
         EC::missing_extension);
  server(ch, "no_supported_groups", "key_share without supported_groups",
         edit_hello([](Bytes& m) { remove_ext(m, kGroups); }), AD::missing_extension,
         EC::missing_extension);
  // RFC 8446 §4.2.11: "The "pre_shared_key" extension MUST be the last extension in the
  // ClientHello ... Servers MUST check that it is the last extension and otherwise fail the
  // handshake with an "illegal_parameter" alert."
  server(ch, "psk_not_last", "pre_shared_key followed by another extension",
         edit_hello([](Bytes& m) {
           append_ext(m, kPsk, kPskOffer);
           append_ext(m, 0xFAFA, Bytes{});
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  // RFC 8446 §4.2.9: "If clients offer "pre_shared_key" without a "psk_key_exchange_modes"
  // extension, servers MUST abort the handshake."
  server(ch, "psk_without_modes", "pre_shared_key without psk_key_exchange_modes",
         edit_hello([](Bytes& m) {
           ASSERT_EQ(find_ext(m, client_hello_extensions(m), kPskModes), SIZE_MAX);
           append_ext(m, kPsk, kPskOffer);
         }),
         AD::missing_extension, EC::missing_extension);
  server(ch, "psk_binders_empty", "pre_shared_key with an empty binder list",
         edit_hello([](Bytes& m) {
           append_ext(m, kPsk, Bytes{0, 10, 0, 4, 't', 'i', 'c', 'k', 0, 0, 0, 0, 0, 0});
         }),
         AD::decode_error, EC::decode_error);
  server(ch, "psk_modes_empty", "psk_key_exchange_modes with no mode",
         edit_hello([](Bytes& m) { append_ext(m, kPskModes, Bytes{0}); }), AD::decode_error,
         EC::decode_error);
  // RFC 8446 §4.2.2: a cookie only ever answers our HelloRetryRequest.
  server(ch, "cookie_in_first_hello", "a cookie in the first ClientHello", edit_hello([](Bytes& m) {
           append_ext(m, kCookie, Bytes{0, 2, 1, 2});
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  server(ch, "sni_empty_name", "server_name with a zero-length host name", edit_hello([](Bytes& m) {
           set_ext(m, kSni, Bytes{0, 3, 0, 0, 0});
         }),
         AD::decode_error, EC::decode_error);
  // RFC 7301 §3.1: "Empty strings MUST NOT be included".
  server(ch, "alpn_empty_name", "ALPN list holding an empty protocol name",
         edit_hello([](Bytes& m) {
           set_ext(m, kAlpn, Bytes{0, 1, 0});
         }),
         AD::decode_error, EC::decode_error);
  server(ch, "no_common_group", "no key_share and only unknown groups", edit_hello([](Bytes& m) {
           set_ext(m, kGroups, Bytes{0, 2, 0x7A, 0x7A});
           set_ext(m, kKeyShare, Bytes{0, 0});
         }),
         AD::handshake_failure, EC::no_common_group);

  // RFC 7507 §3: "If TLS_FALLBACK_SCSV appears in ClientHello.cipher_suites and the highest
  // protocol version supported by the server is higher than the version indicated in
  // ClientHello.client_version, the server MUST respond with a fatal inappropriate_fallback
  // alert". tlsfuzzer test-fallback-scsv.py --tls-1.3 puts the SCSV first, in the middle and
  // last, with legacy_version 0x0302, 0x0303 and 0x0304 and no supported_versions.
  server(ch, "fallback_scsv_tls12_versions", "TLS_FALLBACK_SCSV, supported_versions only TLS 1.2",
         edit_hello([](Bytes& m) {
           set_ext(m, kVersions, Bytes{2, 3, 3});
           add_suite(m, kFallbackScsv);
         }),
         AD::inappropriate_fallback, EC::inappropriate_fallback);
  server(ch, "fallback_scsv_last", "TLS_FALLBACK_SCSV last, no supported_versions",
         edit_hello([](Bytes& m) {
           remove_ext(m, kVersions);
           add_suite(m, kFallbackScsv, /*last=*/true);
         }),
         AD::inappropriate_fallback, EC::inappropriate_fallback);
  // RFC 8446 §4.2.1: without supported_versions a server "MUST negotiate TLS 1.2 or prior ...
  // even if ClientHello.legacy_version is 0x0304 or later": that client has fallen back too.
  server(ch, "fallback_scsv_legacy_0304",
         "TLS_FALLBACK_SCSV, legacy_version 0x0304, no "
         "supported_versions",
         edit_hello([](Bytes& m) {
           remove_ext(m, kVersions);
           put_u16(m, 4, 0x0304);
           add_suite(m, kFallbackScsv);
         }),
         AD::inappropriate_fallback, EC::inappropriate_fallback);
  // The RFC also allows protocol_version for a version we do not support; we send the more
  // precise inappropriate_fallback, as tlsfuzzer expects.
  server(ch, "fallback_scsv_tls11", "TLS_FALLBACK_SCSV with legacy_version 0x0302",
         edit_hello([](Bytes& m) {
           remove_ext(m, kVersions);
           put_u16(m, 4, 0x0302);
           add_suite(m, kFallbackScsv);
         }),
         AD::inappropriate_fallback, EC::inappropriate_fallback);

  // RFC 8446 §4.1.1: "If the server is unable to negotiate a supported set of parameters (i.e.,
  // there is no overlap between the client and server parameters), it MUST abort the handshake
  // with either a "handshake_failure" or "insufficient_security" fatal alert". tlsfuzzer
  // test-tls13-invalid-ciphers.py offers TLS 1.3 with only suites that are not TLS 1.3's.
  server(ch, "only_non_tls13_suites", "TLS 1.3 offered with only CBC, RC4 and GREASE suites",
         edit_hello([](Bytes& m) {
           set_suites(m, {0x002F, 0x0005, 0x0A0A, 0x00FF});
         }),
         AD::handshake_failure, EC::no_common_cipher_suite);
  // tlsfuzzer test-tls13-signature-algorithms.py: no TLS 1.3 scheme in common (SHA-1 and
  // PKCS#1 v1.5 only; RFC 8446 §4.2.3 forbids both for TLS 1.3 signatures).
  server(ch, "only_unusable_signature_schemes",
         "signature_algorithms rsa_pkcs1_sha1, "
         "ecdsa_sha1, rsa_pkcs1_sha256",
         edit_hello([](Bytes& m) {
           set_ext(m, kSigAlgs, Bytes{0, 6, 2, 1, 2, 3, 4, 1});
         }),
         AD::handshake_failure, EC::no_common_signature_scheme);
  // RFC 8446 §7.4.2: "For X25519 and X448, ... implementations MUST check whether the computed
  // Diffie-Hellman shared secret is the all-zero value and abort if so" (tlsfuzzer
  // test-x25519.py and test-tls13-ecdhe-curves: illegal_parameter).
  // tlsfuzzer test-tls13-crfg-curves.py: u = 1 is a point of small order, so the shared
  // secret is all zeros (RFC 7748 §6.1: "check whether the resulting shared secret is the
  // all-zero value and abort if so"); a share of 33 bytes is no X25519 public value.
  server(ch, "x25519_share_of_one", "x25519 key_share 01 00 .. 00 (small order)",
         edit_hello([](Bytes& m) {
           Bytes body = {0, 36, 0, 29, 0, 32, 1};
           body.insert(body.end(), 31, 0);
           set_ext(m, kKeyShare, body);
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  server(ch, "x25519_share_33_bytes", "x25519 key_share of 33 bytes", edit_hello([](Bytes& m) {
           set_ext(m, kKeyShare, key_share_body({{29, 33}}));
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  server(ch, "x25519_all_zero_share", "x25519 key_share of 32 zero bytes", edit_hello([](Bytes& m) {
           Bytes body = {0, 36, 0, 29, 0, 32};
           body.insert(body.end(), 32, 0);
           set_ext(m, kKeyShare, body);
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  // RFC 8446 §4.2.8.2: "Peers MUST validate each other's public key Y by ensuring that 1 < Y <
  // p-1" / the point is on the curve; a bad one is illegal_parameter (tlsfuzzer
  // test-tls13-crfg-curves.py, test-tls13-ecdhe-curves.py).
  server(ch, "key_share_p256_off_curve", "secp256r1 key_share that is not on the curve",
         edit_hello([](Bytes& m) {
           Bytes body = {0, 69, 0, 23, 0, 65, 4};
           body.insert(body.end(), 64, 0x42);
           set_ext(m, kKeyShare, body);
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  // tlsfuzzer test-empty-extensions.py / test-tls13-*: an extension whose syntax has a
  // non-empty vector, sent with an empty body, is decode_error (RFC 8446 §6.2: "A message could
  // not be decoded because some field was out of the specified range or the length of the
  // message was incorrect").
  for (auto [type, name] :
       std::vector<std::pair<uint16_t, std::string>>{{kSni, "server_name"},
                                                     {kGroups, "supported_groups"},
                                                     {kSigAlgs, "signature_algorithms"},
                                                     {kAlpn, "alpn"},
                                                     {kVersions, "supported_versions"},
                                                     {kKeyShare, "key_share"},
                                                     {28, "record_size_limit"},
                                                     {11, "ec_point_formats"}}) {
    server(ch, "empty_" + name, name + " with an empty body", edit_hello([type = type](Bytes& m) {
             if (find_ext(m, client_hello_extensions(m), type) != SIZE_MAX) {
               remove_ext(m, type);
             }
             append_ext(m, type, Bytes{});
           }),
           AD::decode_error, EC::decode_error);
  }

  // The second ClientHello, after our HelloRetryRequest for P-256.
  server(ch2, "truncated", "ClientHello2 missing its last byte", truncated(), AD::decode_error,
         EC::decode_error);
  server(ch2, "trailing", "ClientHello2 with a trailing byte", trailing(), AD::decode_error,
         EC::decode_error);
  server(ch2, "duplicate_extension", "ClientHello2 with an extension twice",
         edit_hello([](Bytes& m) { dup_first_extension(m, client_hello_extensions(m)); }),
         AD::illegal_parameter, EC::duplicate_extension);
  // RFC 8446 §4.1.4: the client must answer with a share for the selected group; a server does
  // not send a second HelloRetryRequest.
  server(
      ch2, "first_hello_again", "ClientHello1 again (still no P-256 share)",
      [](const Ctx& c) { return c.record(22, c.first_hello()); }, AD::illegal_parameter,
      EC::illegal_parameter);
  server(ch2, "share_for_other_group", "ClientHello2 with an x25519 share instead of P-256",
         edit_hello([](Bytes& m) {
           set_ext(m, kKeyShare, key_share_body({{29, 32}}));
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  // RFC 8446 §4.1.2: after a HelloRetryRequest "the client MUST send the same ClientHello
  // without modification, except as follows" (tlsfuzzer test-tls13-hrr.py changes the rest).
  server(ch2, "random_changed", "ClientHello2 with another random",
         edit_hello([](Bytes& m) { m[6] ^= 1; }), AD::illegal_parameter, EC::illegal_parameter);
  server(ch2, "suites_changed", "ClientHello2 with one more cipher suite",
         edit_hello([](Bytes& m) { add_suite(m, 0x1303 ^ 0x0100); }), AD::illegal_parameter,
         EC::illegal_parameter);
  server(ch2, "alpn_removed", "ClientHello2 without the ALPN extension",
         edit_hello([](Bytes& m) { remove_ext(m, kAlpn); }), AD::illegal_parameter,
         EC::illegal_parameter);
  // tlsfuzzer test-tls13-shuffled-extentions.py: the same extensions in another order is not
  // "the same ClientHello".
  server(ch2, "extensions_reordered", "ClientHello2 with its first extension moved last",
         edit_hello([](Bytes& m) {
           const auto first = static_cast<uint16_t>(get_u16(m, client_hello_extensions(m) + 2));
           const Bytes body = ext_body(m, first);
           remove_ext(m, first);
           append_ext(m, first, body);
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  server(ch2, "no_cookie", "ClientHello2 without the cookie",
         edit_hello([](Bytes& m) { remove_ext(m, kCookie); }), AD::illegal_parameter,
         EC::illegal_parameter);
  server(ch2, "bad_cookie", "ClientHello2 with a cookie we did not send", edit_hello([](Bytes& m) {
           size_t block = client_hello_extensions(m);
           size_t at = find_ext(m, block, kCookie);
           ASSERT_NE(at, SIZE_MAX);
           m[at + 4 + get_u16(m, at + 2) - 1] ^= 1;
         }),
         AD::illegal_parameter, EC::illegal_parameter);

  // The client Finished, with and without the dummy ChangeCipherSpec before it.
  for (const auto* st : {&fin, &fin_ccs}) {
    server(*st, "truncated", "Finished of 31 bytes", edit_next_handshake([](Bytes& m) {
      m.pop_back();
      fix_header(m);
    }),
           AD::decode_error, EC::decode_error);
    server(*st, "trailing", "Finished of 33 bytes", edit_next_handshake([](Bytes& m) {
      m.push_back(0);
      fix_header(m);
    }),
           AD::decode_error, EC::decode_error);
    // RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that the contents are
    // correct and if incorrect MUST terminate the connection with a "decrypt_error" alert."
    server(*st, "wrong_verify_data", "Finished with a flipped bit",
           edit_next_handshake([](Bytes& m) { m.back() ^= 1; }), AD::decrypt_error,
           EC::bad_finished);
    server(*st, "empty_finished", "Finished with an empty body", message(20, Bytes{}),
           AD::decode_error, EC::decode_error);
  }
  server(fin_ccs, "second_ccs", "a second dummy ChangeCipherSpec", plain_record(20, {1}),
         AD::unexpected_message, EC::unexpected_message);
  // tlsfuzzer test-tls13-record-layer-limits.py: a Finished padded to fill a whole record
  // (2^14 bytes with its header) is a malformed Finished, not a record problem.
  server(fin, "finished_2_14_bytes", "Finished of 2^14 - 4 bytes in one full record",
         message(20, Bytes(16384 - 4, 0)), AD::decode_error, EC::decode_error);

  // The client's Certificate (CertificateRequest context empty, client certificate required).
  server(ccert, "truncated", "client Certificate missing its last byte",
         edit_next_handshake([](Bytes& m) {
           m.pop_back();
           fix_header(m);
         }),
         AD::decode_error, EC::decode_error);
  server(ccert, "trailing", "client Certificate with a trailing byte",
         edit_next_handshake([](Bytes& m) {
           m.push_back(0);
           fix_header(m);
         }),
         AD::decode_error, EC::decode_error);
  // RFC 8446 §4.4.2: the context is "the value of certificate_request_context in that
  // message" (ours is empty).
  server(ccert, "wrong_context", "client Certificate with a 1-byte request context",
         edit_next_handshake([](Bytes& m) {
           m[4] = 1;
           m.insert(m.begin() + 5, 0x2a);
           fix_header(m);
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  // RFC 8446 §4.4.2.4: an empty Certificate may be refused with "certificate_required".
  server(ccert, "empty_when_required", "empty client Certificate, client auth required",
         message(11, Bytes{0, 0, 0, 0}), AD::certificate_required, EC::certificate_required);
  server(ccert, "garbage_certificate", "client Certificate entry of 3 junk bytes",
         message(11, Bytes{0, 0, 0, 8, 0, 0, 3, 1, 2, 3, 0, 0}), AD::bad_certificate,
         EC::bad_certificate);
  // RFC 8446 §4.4.2: client entry extensions "MUST correspond to extensions in the
  // CertificateRequest"; we asked for none.
  server(ccert, "entry_extension", "client Certificate entry with a status_request extension",
         edit_next_handshake([](Bytes& m) {
           // context(1) | list u24 | cert u24 + der | extensions u16: append 4 bytes to the
           // (last) entry's extension block, then fix every length.
           m.insert(m.end(), {0, 5, 0, 0});
           const size_t ext_len = get_u16(m, m.size() - 6) + 4;
           put_u16(m, m.size() - 6, ext_len);
           const size_t list = m.size() - 8;  // from the list's first byte to the end
           m[5] = static_cast<uint8_t>(list >> 16);
           m[6] = static_cast<uint8_t>(list >> 8);
           m[7] = static_cast<uint8_t>(list);
           fix_header(m);
         }),
         AD::unsupported_extension, EC::unsolicited_extension);

  // The client's CertificateVerify (ECDSA P-256 key).
  server(ccv, "truncated", "client CertificateVerify missing its last byte",
         edit_next_handshake([](Bytes& m) {
           m.pop_back();
           fix_header(m);
         }),
         AD::decode_error, EC::decode_error);
  server(ccv, "trailing", "client CertificateVerify with a trailing byte",
         edit_next_handshake([](Bytes& m) {
           m.push_back(0);
           fix_header(m);
         }),
         AD::decode_error, EC::decode_error);
  // RFC 8446 §4.4.3: "RSA signatures MUST use an RSASSA-PSS algorithm"; the scheme must be one
  // the CertificateRequest listed and fit the key.
  server(ccv, "scheme_pkcs1", "client CertificateVerify scheme rsa_pkcs1_sha256",
         edit_next_handshake([](Bytes& m) { put_u16(m, 4, 0x0401); }), AD::illegal_parameter,
         EC::illegal_parameter);
  server(ccv, "scheme_other_key", "client CertificateVerify scheme ed25519 for an ECDSA key",
         edit_next_handshake([](Bytes& m) { put_u16(m, 4, 0x0807); }), AD::illegal_parameter,
         EC::illegal_parameter);
  server(ccv, "scheme_unknown", "client CertificateVerify scheme 0x0a0a (GREASE)",
         edit_next_handshake([](Bytes& m) { put_u16(m, 4, 0x0a0a); }), AD::illegal_parameter,
         EC::illegal_parameter);
  // RFC 8446 §4.4.3: "If the verification fails, the receiver MUST terminate the handshake
  // with a "decrypt_error" alert."
  server(ccv, "bad_signature", "client CertificateVerify with a flipped signature bit",
         edit_next_handshake([](Bytes& m) { m.back() ^= 1; }), AD::decrypt_error,
         EC::bad_signature);

  // EndOfEarlyData (struct {} EndOfEarlyData) and the early data before it.
  for (const auto* st : {&eoed, &eoed_data}) {
    server(*st, "eoed_with_body", "EndOfEarlyData with a 1-byte body", message(5, Bytes{0}),
           AD::decode_error, EC::decode_error);
    // RFC 8446 §5.1: "Handshake messages MUST NOT span key changes. ... If they do, then the
    // receiver MUST terminate the connection with an "unexpected_message" alert"; EndOfEarlyData
    // switches the client to its handshake keys.
    server(
        *st, "eoed_then_more_in_record", "EndOfEarlyData and half a Finished in one record",
        [](const Ctx& c) {
          Bytes both = handshake(5, Bytes{});
          both.insert(both.end(), {20, 0, 0, 32, 1, 2});
          return c.record(22, both);
        },
        AD::unexpected_message, EC::unexpected_message);
  }
  // RFC 8446 §4.2.10: "If the server receives more than max_early_data_size bytes of 0-RTT
  // data, it SHOULD terminate the connection with an "unexpected_message" alert." The client
  // has sent kEarlyData; a full record more passes the server's 16384.
  server(eoed_data, "too_much_early_data", "a 16384-byte early data record after kEarlyData",
         record_of(23, Bytes(16384, 'x')), AD::unexpected_message, EC::unexpected_message);

  // After the handshake.
  // RFC 8446 §5: a change_cipher_spec record "after the peer's Finished message ... MUST be
  // treated as an unexpected record type".
  server(done, "ccs_after_finished", "ChangeCipherSpec after the client Finished",
         plain_record(20, {1}), AD::unexpected_message, EC::unexpected_message);
  server(done, "key_update_bad_value", "KeyUpdate request_update 2", message(24, Bytes{2}),
         AD::illegal_parameter, EC::illegal_parameter);
  server(done, "key_update_empty", "KeyUpdate with an empty body", message(24, Bytes{}),
         AD::decode_error, EC::decode_error);
  server(done, "key_update_trailing", "KeyUpdate of 2 bytes", message(24, Bytes{0, 0}),
         AD::decode_error, EC::decode_error);
  // RFC 8446 §4: a Certificate or Finished after the handshake answers nothing we asked
  // (no post-handshake CertificateRequest was sent): "a peer which receives a handshake message
  // in an unexpected order MUST abort the handshake with an "unexpected_message" alert."
  server(done, "unrequested_certificate", "an empty Certificate after the client Finished",
         message(11, Bytes{0, 0, 0, 0}), AD::unexpected_message, EC::unexpected_message);
  server(done, "unrequested_finished", "a second client Finished", message(20, Bytes(32, 0)),
         AD::unexpected_message, EC::unexpected_message);
  server(
      done, "client_hello_again", "the first ClientHello again, encrypted",
      [](const Ctx& c) { return c.record(22, c.first_hello()); }, AD::unexpected_message,
      EC::unexpected_message);
}

// ---- TLS 1.3 client against our own server (loopback13 rows) ----
void add_client13_loopback_rows(std::vector<Row>& rows) {
  using AD = AlertDescription;
  using EC = ErrorCode;
  const size_t first = rows.size();
  // After a HelloRetryRequest (the server takes P-256 only): HRR, CCS delivered.
  StateInfo sh2{2, "client13::ExpectServerHello", {2}, false, 13, true};
  // Client authentication: SH, CCS, {EE} delivered, then SH, CCS, {EE}, {CertificateRequest}.
  StateInfo cr{3,     "client13::ExpectCertificateOrRequest", {11, 13}, true, 13,
               false, "ExpectCertificateOrRequest_auth",      true};
  StateInfo cert{4, "client13::ExpectCertificate", {11}, true, 13, false, nullptr, true};
  // Resuming with 0-RTT data (auth_early.h): CH, CCS, early data sent; then SH, CCS, {EE}, ...
  StateInfo e_sh{0, "client::ExpectServerHello", {2}, false, 13, false, "ExpectServerHello_0rtt"};
  StateInfo e_ee{2,     "client13::ExpectEncryptedExtensions", {8}, true, 13,
                 false, "ExpectEncryptedExtensions_0rtt"};
  e_sh.early = e_ee.early = true;
  for (auto* st : {&sh2, &cr, &cert, &e_sh, &e_ee}) {
    st->loopback13 = true;
    common_rows(rows, Side::client, *st);
  }
  auto client = [&](const StateInfo& st, std::string what, std::string input, Inject inj, AD a,
                    EC e) { add(rows, Side::client, st, what, input, std::move(inj), a, e); };
  // RFC 8446 §4.1.4: "If a client receives a second HelloRetryRequest in the same connection
  // (i.e., where the ClientHello was itself in response to a HelloRetryRequest), it MUST abort
  // the handshake with an "unexpected_message" alert."
  client(
      sh2, "second_hrr", "the HelloRetryRequest again",
      [](const Ctx& c) { return c.record(22, c.first_server_message()); }, AD::unexpected_message,
      EC::unexpected_message);
  client(sh2, "truncated", "ServerHello missing its last byte", truncated(), AD::decode_error,
         EC::decode_error);
  client(sh2, "trailing", "ServerHello with a trailing byte", trailing(), AD::decode_error,
         EC::decode_error);
  // RFC 8446 §4.1.4: "clients MUST check that the cipher suite supplied in the ServerHello is
  // identical to that in the HelloRetryRequest and otherwise abort the handshake with an
  // "illegal_parameter" alert."
  client(sh2, "suite_changed", "ServerHello with another offered suite than the HRR's",
         edit_next([](Bytes& m) {
           const size_t at = server_hello_suite(m);
           put_u16(m, at, get_u16(m, at) == 0x1301 ? 0x1302 : 0x1301);
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  // RFC 8446 §4.3.2: "certificate_request_context ... SHALL be zero length unless used for the
  // post-handshake authentication exchanges"; "The "signature_algorithms" extension MUST be
  // specified".
  client(cr, "request_truncated", "CertificateRequest missing its last byte", truncated(),
         AD::decode_error, EC::decode_error);
  client(cr, "request_trailing", "CertificateRequest with a trailing byte", trailing(),
         AD::decode_error, EC::decode_error);
  client(cr, "request_context", "CertificateRequest with a 1-byte context",
         message(13, Bytes{1, 7, 0, 8, 0, 13, 0, 4, 0, 2, 8, 7}), AD::illegal_parameter,
         EC::illegal_parameter);
  client(cr, "request_no_signature_algorithms", "CertificateRequest with only extension 0xfafa",
         message(13, Bytes{0, 0, 4, 0xFA, 0xFA, 0, 0}), AD::missing_extension,
         EC::missing_extension);
  // extensions<2..2^16-1>: an empty block is malformed.
  client(cr, "request_no_extensions", "CertificateRequest with an empty extension block",
         message(13, Bytes{0, 0, 0}), AD::decode_error, EC::decode_error);
  client(cert, "truncated", "Certificate missing its last byte", truncated(), AD::decode_error,
         EC::decode_error);
  // RFC 8446 §4.2.11: "Clients MUST verify that the server's selected_identity is within the
  // range supplied by the client, that the server selected a cipher suite indicating a Hash
  // associated with the PSK ... If these values are not consistent, the client MUST abort the
  // handshake with an "illegal_parameter" alert."
  client(e_sh, "hello_request_with_body", "HelloRequest with a body", message(0, Bytes{0}),
         AD::decode_error, EC::decode_error);
  client(e_sh, "psk_identity_out_of_range", "ServerHello selecting PSK identity 1 of 1",
         edit_next([](Bytes& m) {
           const size_t at = find_ext(m, server_hello_extensions(m), 41);
           ASSERT_NE(at, SIZE_MAX);
           put_u16(m, at + 4, 1);
         }),
         AD::illegal_parameter, EC::illegal_parameter);
  client(e_sh, "psk_other_hash", "ServerHello resuming a SHA-256 PSK with TLS_AES_256_GCM_SHA384",
         edit_next([](Bytes& m) { put_u16(m, server_hello_suite(m), 0x1302); }),
         AD::illegal_parameter, EC::illegal_parameter);
  // early_data in EncryptedExtensions is "struct {}" (RFC 8446 §4.2.10).
  client(e_ee, "early_data_with_body", "EncryptedExtensions early_data with a 2-byte body",
         message(8, Bytes{0, 6, 0, 42, 0, 2, 0, 0}), AD::decode_error, EC::decode_error);
  // RFC 8446 §4.4.2.4: "If the server supplies an empty Certificate message, the client MUST
  // abort the handshake with a "decode_error" alert."
  client(cert, "empty_list", "Certificate with no certificate", message(11, Bytes{0, 0, 0, 0}),
         AD::decode_error, EC::decode_error);
  // RFC 8446 §4.2.10: a server accepting early data "MUST verify that the following values are
  // the same as those associated with the selected PSK: ... The selected ALPN [RFC7301]
  // protocol" (BoGo EarlyData-BadALPNMismatch-Client-TLS13). The ticket's protocol is
  // http/1.1, the fuzz server's first choice; h2 was offered too.
  client(e_ee, "early_data_other_alpn", "EncryptedExtensions accepting early data under h2",
         message(8, Bytes{0, 13, 0, 42, 0, 0, 0, 16, 0, 5, 0, 3, 2, 'h', '2'}),
         AD::illegal_parameter, EC::illegal_parameter);
  // Resuming with 0-RTT data from a P-256-only server: HRR, CCS, SH delivered; ClientHello2
  // dropped early_data (RFC 8446 §4.1.2), so accepting it answers nothing (§4.2:
  // "unsupported_extension"; BoGo ServerAcceptsEarlyDataOnHRR-Client-TLS13).
  StateInfo e_ee_hrr{3,    "client13::ExpectEncryptedExtensions", {8}, true, 13,
                     true, "ExpectEncryptedExtensions_0rtt_hrr"};
  e_ee_hrr.early = e_ee_hrr.loopback13 = true;
  client(e_ee_hrr, "early_data_accepted", "EncryptedExtensions accepting early data after HRR",
         message(8, Bytes{0, 4, 0, 42, 0, 0}), AD::unsupported_extension,
         EC::unsolicited_extension);
  for (size_t i = first; i < rows.size(); ++i) {
    rows[i].name = "loop_" + rows[i].name;
  }
}

// run_client13_loopback: a TLS 1.3 client row against our own server (Row::loopback13).
void run_client13_loopback(const Row& row) {
  ServerConfig sc = fuzz_server_config();
  ClientConfig cc = fuzz_client_config();
  if (row.client_auth) {
    sc = auth_early_server_config();
    cc = auth_early_client_config(nullptr);
  }
  std::optional<StoredSession> session;
  if (row.early) {
    session = first_session();
    ASSERT_TRUE(session.has_value());
    sc = auth_early_server_config();
    cc = auth_early_client_config(&*session);
  }
  if (row.hrr) {
    sc.groups = {NamedGroup::secp256r1};
  }
  Loopback lb(cc, sc);
  ASSERT_TRUE(lb.started());
  if (row.early) {
    ASSERT_TRUE(lb.write_early_data(early_data_bytes()));
  }
  lb.run(Side::client, row.prefix);
  ASSERT_FALSE(lb.error(Side::server)) << lb.error(Side::server)->message();
  ASSERT_FALSE(lb.error(Side::client)) << lb.error(Side::client)->message();
  ASSERT_EQ(lb.delivered(Side::client).size(), row.prefix);
  ASSERT_FALSE(lb.states(Side::client).empty());
  ASSERT_EQ(lb.states(Side::client).back(), row.state);
  Connection& target = lb.conn(Side::client);
  ASSERT_TRUE(target.output().empty());

  // Once the client has the ServerHello it reads the server's handshake keys; the records it
  // has opened so far took the first sequence numbers.
  std::shared_ptr<record::RecordProtection> seal;
  if (row.prefix >= (row.hrr ? 3u : 2u)) {  // past SH, CCS (HRR, CCS, SH)
    seal = traffic13_write(lb, Side::server, "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                           keyschedule::TrafficSecretKind::server_handshake);
    ASSERT_NE(seal, nullptr);
    uint64_t opened = 0;
    for (const auto& m : lb.delivered(Side::client)) {
      opened += m.encrypted ? 1 : 0;
    }
    seal->dangerous_set_sequence_number(opened);
  }
  Ctx ctx(lb, Side::client, [seal](uint8_t type, const Bytes& plain) {
    if (!seal) {
      return Ctx::raw(type, plain);
    }
    Bytes out;
    EXPECT_TRUE(seal->seal(static_cast<ContentType>(type), 0x0303, plain, out).ok());
    return out;
  });
  Bytes hostile = row.inject(ctx);
  ASSERT_FALSE(hostile.empty());
  auto r = target.receive(hostile);
  ASSERT_FALSE(r.ok()) << "accepted";
  EXPECT_EQ(error_code_name(r.error().code()), error_code_name(row.code)) << r.error().message();
  ASSERT_EQ(r.error().alert(), row.alert) << r.error().message();
  EXPECT_TRUE(target.failed());

  // One record: in the clear, as the client switches its write side to its handshake keys only
  // when it sends its second flight (see run13); after 0-RTT data, under the early traffic key
  // it is writing with (RFC 8446 §6: "encrypted as specified by the current connection
  // state"), which the server, still reading early data, opens; after a HelloRetryRequest,
  // which ended the early data, in the clear again.
  Bytes out(target.output().begin(), target.output().end());
  auto records = split_records(out);
  ASSERT_EQ(records.size(), 1u);
  const Bytes& alert = records.front();
  if (row.early && !row.hrr) {
    EXPECT_EQ(alert[0], 23) << "alert not protected";
    auto at_peer = lb.conn(Side::server).receive(alert);
    ASSERT_FALSE(at_peer.ok());
    EXPECT_EQ(at_peer.error().code(), ErrorCode::peer_alert) << at_peer.error().message();
    EXPECT_EQ(at_peer.error().received_alert(), row.alert) << at_peer.error().message();
  } else {
    ASSERT_EQ(alert.size(), 7u);
    EXPECT_EQ(alert[0], 21);
    EXPECT_EQ(Bytes(alert.begin() + 5, alert.end()), (Bytes{2, static_cast<uint8_t>(row.alert)}));
  }

  target.consume_output(out.size());
  auto again = target.receive(hostile);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), row.code);
  auto eof = target.receive_eof();
  ASSERT_FALSE(eof.ok());
  EXPECT_EQ(eof.error().code(), row.code);
  EXPECT_TRUE(target.output().empty());
}

// traffic13_write rebuilds the TLS 1.3 write protection of `writer` for key-log `label`.
std::shared_ptr<record::RecordProtection> traffic13_write(Loopback& lb, Side writer,
                                                          const std::string& label,
                                                          keyschedule::TrafficSecretKind kind) {
  auto secret = lb.keys(writer).find(label);
  auto suite = lb.conn(Side::server).info().cipher_suite;
  if (!secret || !suite) {
    ADD_FAILURE() << "no " << label;
    return nullptr;
  }
  auto info = detail::suite_info(*suite);
  const crypto::Provider& prov = lb.provider(writer);
  auto ts = keyschedule::TrafficSecret::dangerous_from_bytes(kind, info->hash, *secret);
  EXPECT_TRUE(ts.ok());
  auto keys = keyschedule::traffic_keys(prov, ts.value(), info->aead);
  EXPECT_TRUE(keys.ok());
  auto p = record::make_tls13_protection(prov, info->aead, keys->key.expose(), keys->iv.expose());
  EXPECT_TRUE(p.ok());
  return p.ok() ? std::shared_ptr<record::RecordProtection>(std::move(p).value()) : nullptr;
}

// AnyClientCertificate accepts every client chain (the rows test the handshake, not X.509).
class AnyClientCertificate final : public CertificateVerifier {
 public:
  Result<void> verify(std::span<const CertificateDer>, std::string_view) override {
    return ok_result();
  }
};

void run_server13(const Row& row) {
  ServerConfig sc = fuzz_server_config();
  ClientConfig cc = fuzz_client_config();
  if (row.hrr) {
    sc.groups = {NamedGroup::secp256r1};
  }
  if (row.client_auth) {
    sc.client_auth = ClientAuth::require;
    sc.client_verifier = std::make_shared<AnyClientCertificate>();
    cc.client_certificate = server_certificates()[1];  // the ECDSA P-256 chain
  }
  std::optional<StoredSession> session;
  if (row.early) {
    session = first_session();
    ASSERT_TRUE(session.has_value());
    sc = auth_early_server_config();
    cc = auth_early_client_config(&*session);
  }
  Loopback lb(cc, sc);
  ASSERT_TRUE(lb.started());
  if (row.early) {
    ASSERT_TRUE(lb.write_early_data(early_data_bytes()));
  }
  lb.run(Side::server, row.prefix);
  ASSERT_FALSE(lb.error(Side::server)) << lb.error(Side::server)->message();
  ASSERT_FALSE(lb.error(Side::client)) << lb.error(Side::client)->message();
  ASSERT_EQ(lb.delivered(Side::server).size(), row.prefix);
  if (row.prefix > 0) {
    ASSERT_FALSE(lb.states(Side::server).empty());
    ASSERT_EQ(lb.states(Side::server).back(), row.state);
  }
  Connection& target = lb.conn(Side::server);
  ASSERT_TRUE(target.output().empty());

  // The server reads the client's handshake keys until the client Finished, then its
  // application keys; the client has sent nothing under either yet (the Finished is pending).
  std::shared_ptr<record::RecordProtection> seal;
  const bool under_client_handshake_keys = row.state == "server13::ExpectFinished" ||
                                           row.state == "server13::ExpectClientCertificate" ||
                                           row.state == "server13::ExpectClientCertificateVerify";
  const bool after_server_finished =
      under_client_handshake_keys || row.early || row.state == "server13::Connected";
  if (row.early) {
    // Early data records take sequence numbers 0, 1, ... under the early traffic key.
    seal = traffic13_write(lb, Side::client, "CLIENT_EARLY_TRAFFIC_SECRET",
                           keyschedule::TrafficSecretKind::client_early);
    if (seal) {
      seal->dangerous_set_sequence_number(row.prefix - 2);
    }
  } else if (under_client_handshake_keys) {
    seal = traffic13_write(lb, Side::client, "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                           keyschedule::TrafficSecretKind::client_handshake);
    if (seal && row.state == "server13::ExpectClientCertificateVerify") {
      seal->dangerous_set_sequence_number(1);  // the client's Certificate went under seq 0
    }
  } else if (row.state == "server13::Connected") {
    seal = traffic13_write(lb, Side::client, "CLIENT_TRAFFIC_SECRET_0",
                           keyschedule::TrafficSecretKind::client_application);
  }
  if (after_server_finished) {
    ASSERT_NE(seal, nullptr);
  }
  Ctx ctx(lb, Side::server, [seal](uint8_t type, const Bytes& plain) {
    if (!seal) {
      return Ctx::raw(type, plain);
    }
    Bytes out;
    EXPECT_TRUE(seal->seal(static_cast<ContentType>(type), 0x0303, plain, out).ok());
    return out;
  });
  Bytes hostile = row.inject(ctx);
  ASSERT_FALSE(hostile.empty());
  auto r = target.receive(hostile);
  ASSERT_FALSE(r.ok()) << "accepted";
  EXPECT_EQ(error_code_name(r.error().code()), error_code_name(row.code)) << r.error().message();
  ASSERT_EQ(r.error().alert(), row.alert) << r.error().message();
  EXPECT_TRUE(target.failed());

  // One record: in the clear before the server's Finished (RFC 8446 §6: "encrypted as specified
  // by the current connection state"; a server switches to its handshake keys only for its
  // encrypted flight, which it has sent whole), then under its application keys, which our
  // client has installed and opens.
  Bytes out(target.output().begin(), target.output().end());
  auto records = split_records(out);
  ASSERT_EQ(records.size(), 1u);
  const Bytes& alert = records.front();
  ASSERT_GE(alert.size(), 7u);
  if (after_server_finished) {
    EXPECT_EQ(alert[0], 23) << "alert not protected";
  } else {
    EXPECT_EQ(alert, Ctx::raw(21, Bytes{2, static_cast<uint8_t>(row.alert)}));
  }
  auto at_peer = lb.conn(Side::client).receive(alert);
  ASSERT_FALSE(at_peer.ok());
  EXPECT_EQ(at_peer.error().code(), ErrorCode::peer_alert) << at_peer.error().message();
  EXPECT_EQ(at_peer.error().received_alert(), row.alert) << at_peer.error().message();

  target.consume_output(out.size());
  auto again = target.receive(hostile);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), row.code);
  auto eof = target.receive_eof();
  ASSERT_FALSE(eof.ok());
  EXPECT_EQ(eof.error().code(), row.code);
  EXPECT_TRUE(target.output().empty());
}

INSTANTIATE_TEST_SUITE_P(Rows, HostileTable, ::testing::ValuesIn(table()),
                         [](const ::testing::TestParamInfo<Row>& p) { return p.param.name; });

// Every state of every state machine has rows, and the row names are unique (gtest requires
// it). The states are the names the handshake code reports in StateEvents: every string literal
// "<machine>::Expect..." or "<machine>::Connected" under src/handshake/, so a state added there
// without rows here fails this test.
std::set<std::string> states_in_source() {
  std::set<std::string> out;
  const std::regex name("\"((client|server)(12|13)?::(Expect[A-Za-z]+|Connected))\"");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::filesystem::path(HS_SOURCE_DIR) / "src" / "handshake")) {
    if (entry.path().extension() != ".cc" && entry.path().extension() != ".h") {
      continue;
    }
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      for (std::sregex_iterator it(line.begin(), line.end(), name), end; it != end; ++it) {
        out.insert((*it)[1].str());
      }
    }
  }
  return out;
}

TEST(HostileTableShape, EveryStateCovered) {
  std::map<std::string, size_t> per_state;
  std::map<std::string, std::set<std::string>> types_per_state;  // handshake_type_N rows
  std::set<std::string> names;
  for (const Row& row : table()) {
    per_state[row.state]++;
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
  }
  // States no peer byte can reach: the server front reads the first ClientHello itself and
  // reports server::ExpectClientHello (or server12::ExpectClientHello for a TLS 1.2-only
  // server); server13::ExpectClientHello only names the variant's default value.
  const std::set<std::string> unreachable = {"server13::ExpectClientHello"};
  const std::set<std::string> in_source = states_in_source();
  EXPECT_GE(in_source.size(), 25u);  // the scan found the state machines
  for (const std::string& state : in_source) {
    if (unreachable.count(state) != 0) {
      continue;
    }
    EXPECT_GE(per_state[state], 10u) << state << " has no hostile-table rows";
  }
  for (const auto& [state, n] : per_state) {
    EXPECT_GE(n, 10u) << state;
  }
}

// Every state gets one row per handshake message type it does not take, so each state sees
// every message type (the types it takes have their own malformed-message rows).
TEST(HostileTableShape, EveryMessageTypeInEveryState) {
  std::map<std::string, std::set<std::string>> per_state;
  for (const Row& row : table()) {
    per_state[row.state].insert(row.name);
  }
  for (const auto& [state, rows] : per_state) {
    size_t typed = 0;
    for (const auto& n : rows) {
      typed += n.find("_handshake_type_") != std::string::npos ? 1 : 0;
    }
    EXPECT_GE(typed, 10u) << state;
  }
}

}  // namespace
}  // namespace hs::fuzzing

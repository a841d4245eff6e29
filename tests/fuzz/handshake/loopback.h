// In-memory handshakes between our own client and our own server, with deterministic providers,
// for the handshake fuzz targets (fixed configurations, prefixes recorded at start-up), the seed
// corpus generator and the hostile-input table (replay a valid prefix, then inject).
//
// Every connection draws its randomness from a fresh TestingProvider with a fixed seed, so a
// client built with fuzz_client_config() sends the same ClientHello in every run, and the
// server's records recorded against it replay byte for byte. Signatures are not repeatable
// (ECDSA and RSA-PSS draw from libcrypto's own generator); RSA PKCS#1 v1.5 is.
#pragma once

#include <hs/config.h>
#include <hs/connection.h>
#include <hs/keylog.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "codec/reader.h"
#include "crypto/testing/testing_provider.h"
#include "fuzz/handshake/test_keys.h"

namespace hs::fuzzing {

using Bytes = std::vector<uint8_t>;

inline constexpr uint64_t kClientSeed = 0xC11E;
inline constexpr uint64_t kServerSeed = 0x5E4E;
inline constexpr const char kServerName[] = "fuzz.example";

// server_certificates loads the RSA and ECDSA chains of test_keys.h once.
inline const std::vector<ServerCertificate>& server_certificates() {
  static const std::vector<ServerCertificate> certs = [] {
    std::vector<ServerCertificate> out;
    for (auto [cert, key] : {std::pair{kRsaCertPem, kRsaKeyPem}, {kEcdsaCertPem, kEcdsaKeyPem}}) {
      auto c = load_server_certificate(cert, key);
      if (!c.ok()) {
        __builtin_trap();  // the committed keys must load
      }
      out.push_back(std::move(c).value());
    }
    return out;
  }();
  return certs;
}

// fuzz_client_config is the fuzz client: TLS 1.2 and 1.3, default suites and groups, ALPN,
// verification off (-k), so any certificate reaches the signature check.
inline ClientConfig fuzz_client_config() {
  ClientConfig c;
  c.alpn = {"h2", "http/1.1"};
  c.dangerous_skip_verification = true;
  return c;
}

// fuzz_server_config is the fuzz server: both certificates, TLS 1.2 and 1.3, ALPN.
inline ServerConfig fuzz_server_config() {
  ServerConfig s;
  s.certificates = server_certificates();
  s.alpn = {"http/1.1", "h2"};
  return s;
}

// split_records cuts a byte stream into records (5-byte header + body); an incomplete tail
// becomes the last element.
inline std::vector<Bytes> split_records(std::span<const uint8_t> bytes) {
  std::vector<Bytes> out;
  codec::Reader in(bytes);
  while (!in.empty()) {
    codec::Reader header_start = in;
    uint8_t type = 0;
    uint16_t version = 0;
    codec::Reader body;
    if (!in.read_u8(type) || !in.read_u16(version) ||
        !in.read_prefixed(codec::Len::u16, 0, 0xFFFF, body)) {
      auto rest = header_start.take_rest();
      out.emplace_back(rest.begin(), rest.end());
      break;
    }
    size_t len = 5 + body.remaining();
    auto all = header_start.take_rest();
    out.emplace_back(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(len));
  }
  return out;
}

inline Bytes concat(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const auto& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

enum class Side : uint8_t { client = 0, server = 1 };
inline Side other(Side s) { return s == Side::client ? Side::server : Side::client; }

// SentMessage is one record a side sent, with its plaintext (from the side's MessageEvent).
struct SentMessage {
  Bytes wire;        // the record as it crossed the wire
  uint8_t type = 0;  // ContentType of the plaintext
  Bytes plain;       // handshake message with header, alert, CCS byte or application data
  bool encrypted = false;
};

// KeyLogCapture keeps every key-log line (test and fuzz code only: secrets leave through it).
class KeyLogCapture final : public KeyLogSink {
 public:
  void log(std::string_view label, std::span<const uint8_t> client_random,
           std::span<const uint8_t> secret) override {
    client_random_.assign(client_random.begin(), client_random.end());
    secrets_[std::string(label)] = Bytes(secret.begin(), secret.end());
  }
  std::optional<Bytes> find(const std::string& label) const {
    auto it = secrets_.find(label);
    if (it == secrets_.end()) {
      return std::nullopt;
    }
    return it->second;
  }
  const Bytes& client_random() const { return client_random_; }

 private:
  Bytes client_random_;
  std::map<std::string, Bytes> secrets_;
};

// Loopback runs our client against our server in memory, record by record.
class Loopback {
 public:
  Loopback(ClientConfig cc, ServerConfig sc)
      : client_provider_(kClientSeed), server_provider_(kServerSeed) {
    cc.provider = &client_provider_;
    sc.provider = &server_provider_;
    cc.key_log = client_keys_;
    sc.key_log = server_keys_;
    client_config_ = std::make_shared<ClientConfig>(std::move(cc));
    server_config_ = std::make_shared<ServerConfig>(std::move(sc));
    auto server = Connection::server(server_config_);
    if (server.ok()) {
      end(Side::server).conn = std::move(server).value();
      end(Side::server).conn->set_observer(&end(Side::server).observer);
    } else {
      end(Side::server).error = server.error();
    }
    auto client = Connection::client(client_config_, kServerName, &end(Side::client).observer);
    if (client.ok()) {
      end(Side::client).conn = std::move(client).value();
      flush(Side::client);
    } else {
      end(Side::client).error = client.error();
    }
  }
  Loopback(const Loopback&) = delete;
  Loopback& operator=(const Loopback&) = delete;

  bool started() const { return ends_[0].conn && ends_[1].conn; }

  // write_early_data has the client queue `data` as 0-RTT data right after its ClientHello
  // (a resumed TLS 1.3 client with ClientConfig::enable_early_data); false when it cannot.
  bool write_early_data(std::span<const uint8_t> data) {
    if (!started()) {
      return false;
    }
    auto w = end(Side::client).conn->write_early_data(data);
    flush(Side::client);
    return w.ok() && w.value() == data.size();
  }

  // request_client_certificate has the server ask for a client certificate after the
  // handshake (TLS 1.3 post-handshake authentication); false when it refuses.
  bool request_client_certificate(ClientAuth mode = ClientAuth::request) {
    if (!started()) {
      return false;
    }
    auto r = end(Side::server).conn->request_client_certificate(mode);
    flush(Side::server);
    return r.ok();
  }

  // run delivers records until neither side has anything left, except that at most
  // `limit` records are delivered to `target`; the other side always processes everything
  // it is sent. Returns when `target` got `limit` records or the exchange went quiet.
  void run(Side target, size_t limit) {
    if (!started()) {
      return;
    }
    Side peer = other(target);
    for (int guard = 0; guard < 1000; ++guard) {
      while (!end(peer).inbox.empty()) {
        deliver_one(peer);
      }
      if (end(target).delivered.size() >= limit || end(target).inbox.empty()) {
        return;
      }
      deliver_one(target);
    }
  }
  // run_all completes the exchange.
  void run_all() { run(Side::client, SIZE_MAX); }

  Connection& conn(Side s) { return *end(s).conn; }
  // delivered: every record `s` received, in order; pending: records sent to `s` not yet
  // delivered.
  const std::vector<SentMessage>& delivered(Side s) const { return end(s).delivered; }
  const std::deque<SentMessage>& pending(Side s) const { return end(s).inbox; }
  const std::optional<Error>& error(Side s) const { return end(s).error; }
  // states: every state `s` entered, in order.
  const std::vector<std::string>& states(Side s) const { return end(s).observer.states; }
  const KeyLogCapture& keys(Side s) const {
    return s == Side::client ? *client_keys_ : *server_keys_;
  }
  const crypto::Provider& provider(Side s) const {
    return s == Side::client ? static_cast<const crypto::Provider&>(client_provider_)
                             : server_provider_;
  }

  // take_output returns what `s` queued and has not been moved to its peer yet.
  Bytes take_output(Side s) {
    auto out = end(s).conn->output();
    Bytes bytes(out.begin(), out.end());
    end(s).conn->consume_output(out.size());
    end(s).observer.sent.clear();
    return bytes;
  }

 private:
  struct SentObserver final : public Observer {
    void on_event(const Event& e) override {
      if (const auto* m = std::get_if<MessageEvent>(&e.body)) {
        if (m->direction == Direction::out) {
          SentMessage s;
          s.type = m->content_type;
          s.plain.assign(m->bytes.begin(), m->bytes.end());
          s.encrypted = m->encrypted;
          sent.push_back(std::move(s));
        }
      } else if (const auto* st = std::get_if<StateEvent>(&e.body)) {
        states.emplace_back(st->state);
      }
    }
    std::vector<SentMessage> sent;
    std::vector<std::string> states;
  };
  struct End {
    SentObserver observer;  // outlives conn, which may report events until it is destroyed
    std::unique_ptr<Connection> conn;
    std::deque<SentMessage> inbox;
    std::vector<SentMessage> delivered;
    std::optional<Error> error;
  };

  End& end(Side s) { return ends_[static_cast<size_t>(s)]; }
  const End& end(Side s) const { return ends_[static_cast<size_t>(s)]; }

  // flush moves what `from` sent into its peer's inbox, one entry per record, each paired with
  // the plaintext of its MessageEvent (one message per record: nothing here exceeds 2^14).
  void flush(Side from) {
    auto out = end(from).conn->output();
    std::vector<Bytes> records = split_records(out);
    end(from).conn->consume_output(out.size());
    std::vector<SentMessage> sent = std::move(end(from).observer.sent);
    end(from).observer.sent.clear();
    for (size_t i = 0; i < records.size(); ++i) {
      SentMessage m =
          i < sent.size() && records.size() == sent.size() ? std::move(sent[i]) : SentMessage{};
      m.wire = std::move(records[i]);
      end(other(from)).inbox.push_back(std::move(m));
    }
  }

  void deliver_one(Side to) {
    SentMessage m = std::move(end(to).inbox.front());
    end(to).inbox.pop_front();
    auto r = end(to).conn->receive(m.wire);
    if (!r.ok() && !end(to).error) {
      end(to).error = r.error();
    }
    end(to).delivered.push_back(std::move(m));
    flush(to);
  }

  crypto::TestingProvider client_provider_;
  crypto::TestingProvider server_provider_;
  std::shared_ptr<KeyLogCapture> client_keys_ = std::make_shared<KeyLogCapture>();
  std::shared_ptr<KeyLogCapture> server_keys_ = std::make_shared<KeyLogCapture>();
  std::shared_ptr<ClientConfig> client_config_;
  std::shared_ptr<ServerConfig> server_config_;
  End ends_[2];
};

}  // namespace hs::fuzzing

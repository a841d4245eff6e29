// Acceptor (include/hs/acceptor.h): reads records up to the end of the ClientHello with the
// connection's own record decoder, reassembler and parsers, keeping every byte as received, so
// that the Connection made afterwards reads exactly what the client sent and judges it as if
// there had been no Acceptor. The Acceptor refuses only what no configuration could accept.
#include <hs/acceptor.h>

#include <utility>

#include "messages/alert.h"
#include "messages/client_hello.h"
#include "messages/extensions.h"
#include "record/handshake_reassembler.h"
#include "record/record_decoder.h"
#include "record/record_encoder.h"

namespace hs {

namespace {

// kMaxBytesAfterHello bounds what arrives between the ClientHello and accept(): a TLS 1.3
// client may send its 0-RTT data (and a ChangeCipherSpec) right behind the hello while the
// application is still choosing a configuration. 256 KiB covers a large max_early_data_size;
// beyond it receive() fails with record_overflow rather than buffer without end.
constexpr size_t kMaxBytesAfterHello = 256 * 1024;

// info_from reads what ClientHelloInfo shows. Extension bodies that do not parse are left out:
// the Connection decides what to do about them, with the configuration in hand.
ClientHelloInfo info_from(const messages::ClientHello& hello) {
  ClientHelloInfo info;
  info.cipher_suites = hello.cipher_suites;
  const auto& exts = hello.extensions;
  if (const auto* e = messages::find_extension(exts, ExtensionType::server_name)) {
    if (auto name = messages::parse_server_name(e->data); name.ok()) {
      info.server_name = std::move(name).value();
    }
  }
  if (const auto* e =
          messages::find_extension(exts, ExtensionType::application_layer_protocol_negotiation)) {
    if (auto alpn = messages::parse_alpn(e->data); alpn.ok()) {
      info.alpn = std::move(alpn).value();
    }
  }
  if (const auto* e = messages::find_extension(exts, ExtensionType::supported_versions)) {
    if (auto versions = messages::parse_supported_versions_client(e->data); versions.ok()) {
      info.versions = std::move(versions).value();
    }
  } else {
    // RFC 8446 §4.2.1: without supported_versions the client offers legacy_version.
    info.versions = {hello.legacy_version};
  }
  if (const auto* e = messages::find_extension(exts, ExtensionType::signature_algorithms)) {
    if (auto schemes = messages::parse_signature_algorithms(e->data); schemes.ok()) {
      info.signature_schemes = std::move(schemes).value();
    }
  }
  if (const auto* e = messages::find_extension(exts, ExtensionType::supported_groups)) {
    if (auto groups = messages::parse_supported_groups(e->data); groups.ok()) {
      info.groups = std::move(groups).value();
    }
  }
  return info;
}

}  // namespace

struct Acceptor::State {
  explicit State(const Limits& limits) {
    // The bounds a server connection applies before its configuration could differ: the
    // ClientHello takes the Certificate bound (Limits::max_certificate_message_size).
    reassembler.set_limits(limits.max_handshake_message_size, limits.max_certificate_message_size);
  }

  // fail remembers `e` and, unless it is the client's own alert, queues the fatal alert for it
  // in a plaintext record (RFC 8446 §6.2: "the sender MUST send an alert before closing").
  Error fail(Error e) {
    if (auto alert = e.alert()) {
      std::vector<uint8_t> body;
      (void)messages::serialize(messages::AlertMessage{AlertLevel::fatal, *alert}, body);
      record::RecordEncoder encoder;
      (void)encoder.write(ContentType::alert, body, out);
    }
    failed = e;
    return e;
  }

  // read_records runs the records fed so far through the decoder until the ClientHello is
  // whole (true), more bytes are needed (false), or something no server could accept arrives.
  Result<bool> read_records() {
    while (true) {
      auto next = decoder.next();
      if (!next.ok()) {
        return std::move(next).error();
      }
      if (!next.value()) {
        return false;
      }
      const record::Record rec = *next.value();
      switch (rec.type) {
        case ContentType::handshake:
          break;
        case ContentType::alert: {
          auto alert = messages::parse_alert(rec.fragment);
          if (!alert.ok()) {
            return Error(ErrorCode::decode_error, "alert",
                         "an alert record must hold exactly 2 bytes");
          }
          return Error::from_peer_alert(alert.value().description);
        }
        case ContentType::invalid:
        case ContentType::change_cipher_spec:
        case ContentType::application_data:
        default:
          // RFC 8446 §5: "If an implementation receives an unexpected record type, it MUST
          // terminate the connection with an "unexpected_message" alert". A ChangeCipherSpec is
          // dropped only "at any time after the first ClientHello message has been sent or
          // received", so before it, it is one of them.
          return Error(ErrorCode::unexpected_message, "record",
                       "record before the ClientHello is not a handshake record");
      }
      HS_TRY(reassembler.add(rec.fragment));
      auto message = HS_TRY(reassembler.next());
      if (!message) {
        continue;
      }
      if (message->type != HandshakeType::client_hello) {
        return Error(ErrorCode::unexpected_message, "handshake",
                     "the first handshake message is not a ClientHello");
      }
      const messages::ClientHello hello = HS_TRY(messages::parse_client_hello(message->body));
      info = info_from(hello);
      return true;
    }
  }

  std::vector<uint8_t> received;  // every byte, as it came, for the Connection
  size_t hello_end = 0;           // received.size() when the ClientHello became whole
  record::RecordDecoder decoder;
  record::HandshakeReassembler reassembler;
  std::optional<ClientHelloInfo> info;
  std::optional<Error> failed;
  std::vector<uint8_t> out;  // the alert after a failure
  bool used = false;
};

Acceptor::Acceptor(Limits limits) : state_(std::make_unique<State>(limits)) {}
Acceptor::~Acceptor() = default;
Acceptor::Acceptor(Acceptor&&) noexcept = default;
Acceptor& Acceptor::operator=(Acceptor&&) noexcept = default;

Result<bool> Acceptor::receive(std::span<const uint8_t> data) {
  State& s = *state_;
  if (s.failed) {
    return *s.failed;
  }
  if (s.used) {
    return Error(ErrorCode::internal_error, "acceptor", "already accepted");
  }
  s.received.insert(s.received.end(), data.begin(), data.end());
  if (s.info) {
    if (s.received.size() - s.hello_end > kMaxBytesAfterHello) {
      return s.fail(Error(ErrorCode::record_overflow, "acceptor",
                          "too much data after the ClientHello before accept()"));
    }
    return true;
  }
  // The decoder reads `data` where it is; retain() keeps only a record cut at its end.
  s.decoder.attach(data);
  auto r = s.read_records();
  s.decoder.retain();
  if (!r.ok()) {
    return s.fail(std::move(r).error());
  }
  if (r.value()) {
    s.hello_end = s.received.size();
    // Bytes behind the ClientHello stay undecoded: they are the Connection's to read.
    s.decoder = record::RecordDecoder();
    s.reassembler.reset();
  }
  return r.value();
}

const ClientHelloInfo* Acceptor::client_hello() const {
  return state_->info ? &*state_->info : nullptr;
}

std::span<const uint8_t> Acceptor::output() const { return state_->out; }

Result<std::unique_ptr<Connection>> Acceptor::accept(
    std::shared_ptr<const ServerConfig> config, const std::function<void(Connection&)>& prepare) {
  State& s = *state_;
  if (s.failed || !s.info || s.used) {
    return Error(ErrorCode::internal_error, "acceptor",
                 s.used ? "already accepted" : "no complete ClientHello to accept");
  }
  auto conn = HS_TRY(Connection::server(std::move(config)));
  s.used = true;
  if (prepare) {
    prepare(*conn);
  }
  const std::vector<uint8_t> received = std::move(s.received);
  s.received = {};
  // A ClientHello the connection refuses leaves it failed() with the alert in output(); the
  // caller flushes that as after any receive().
  (void)conn->receive(received);
  return conn;
}

}  // namespace hs

// The server driver: version selection on the first ClientHello, then every message to the
// chosen version's states.
#include <string>
#include <utility>

#include "handshake/server/server.h"
#include "messages/client_hello.h"
#include "messages/extensions.h"

namespace hs::server {

bool tls13_enabled(const ServerConfig& config) {
  return config.max_version >= ProtocolVersion::tls1_3 &&
         config.min_version <= ProtocolVersion::tls1_3;
}

Driver::Driver(std::shared_ptr<const ServerConfig> config) : config_(std::move(config)) {}

std::string_view Driver::state_name() const {
  struct Namer {
    bool tls13;
    std::string_view operator()(const ExpectClientHello&) const {
      // A TLS 1.2-only server shows the TLS 1.2 state machine's name, as before TLS 1.3.
      return tls13 ? "server::ExpectClientHello" : "server12::ExpectClientHello";
    }
    std::string_view operator()(const std::unique_ptr<server12::Server12Driver>& d) const {
      return d->state_name();
    }
    std::string_view operator()(const server13::State& st) const {
      return server13::state_name(st);
    }
    std::string_view operator()(const Failed&) const { return "server::Failed"; }
  };
  return std::visit(Namer{tls13_enabled(*config_)}, state_);
}

bool Driver::is_connected() const {
  if (const auto* d = std::get_if<std::unique_ptr<server12::Server12Driver>>(&state_)) {
    return (*d)->is_connected();
  }
  if (const auto* s = std::get_if<server13::State>(&state_)) {
    return std::holds_alternative<server13::Connected>(*s);
  }
  return false;
}

Result<void> Driver::send_key_update(detail::HandshakeContext& ctx, bool request_peer_update) {
  if (auto* s13 = std::get_if<server13::State>(&state_)) {
    if (auto* connected = std::get_if<server13::Connected>(s13)) {
      return detail::send_key_update13(connected->app, ctx, request_peer_update);
    }
  }
  return Error(ErrorCode::internal_error, "key_update",
               "KeyUpdate needs an established TLS 1.3 connection");
}

bool Driver::client_certificate_pending() const {
  if (const auto* s13 = std::get_if<server13::State>(&state_)) {
    if (const auto* connected = std::get_if<server13::Connected>(s13)) {
      return connected->pha_request.has_value();
    }
  }
  return false;
}

Result<void> Driver::request_client_certificate(detail::HandshakeContext& ctx, bool required) {
  if (auto* s13 = std::get_if<server13::State>(&state_)) {
    if (auto* connected = std::get_if<server13::Connected>(s13)) {
      return server13::request_client_certificate(*connected, server13::Env{ctx, *config_},
                                                  required);
    }
  }
  return Error(ErrorCode::internal_error, "certificate_request",
               "post-handshake authentication needs an established TLS 1.3 connection");
}

Result<void> Driver::start(detail::HandshakeContext& ctx) {
  ctx.emit_state(state_name());
  return ok_result();
}

Result<void> Driver::enter13(detail::HandshakeContext& ctx, std::string_view before,
                             Result<server13::State> next) {
  if (!next.ok()) {
    state_ = Failed{};
    return std::move(next).error();
  }
  state_ = std::move(next).value();
  const std::string_view after = state_name();
  if (after != before) {
    ctx.emit_state(after);
  }
  return ok_result();
}

Result<void> Driver::on_first_client_hello(detail::HandshakeContext& ctx,
                                           const detail::HandshakeMessageView& msg) {
  const std::string_view before = state_name();
  if (msg.type != HandshakeType::client_hello) {
    state_ = Failed{};
    return Error(ErrorCode::unexpected_message, "server::ExpectClientHello",
                 "expected ClientHello");
  }
  bool offers_tls13 = false;
  auto hello = messages::parse_client_hello(msg.body);
  if (hello.ok()) {
    if (const messages::Extension* sv =
            messages::find_extension(hello->extensions, ExtensionType::supported_versions)) {
      auto versions = messages::parse_supported_versions_client(sv->data);
      if (!versions.ok()) {
        state_ = Failed{};
        return std::move(versions).error();
      }
      offers_tls13 = detail::contains<ProtocolVersion>(versions.value(), ProtocolVersion::tls1_3);
    }
  }
  if (hello.ok() && offers_tls13 && tls13_enabled(*config_)) {
    ctx.note("client offers TLS 1.3; negotiating TLS 1.3");
    server13::Env env{ctx, *config_};
    return enter13(ctx, before, server13::handle_client_hello(env, hello.value(), msg));
  }
  // TLS 1.2 (or a malformed ClientHello, which the TLS 1.2 state machine refuses with the same
  // decode_error). RFC 8446 §4.1.3: "TLS 1.3 servers which negotiate TLS 1.2 or below in
  // response to a ClientHello MUST set the last 8 bytes of their Random value specially": we
  // are one whenever TLS 1.3 is configured.
  auto d = std::make_unique<server12::Server12Driver>(
      config_, config_->max_version == ProtocolVersion::tls1_3);
  server12::Server12Driver& driver = *d;
  state_ = std::move(d);
  if (before != driver.state_name()) {
    ctx.emit_state(driver.state_name());
  }
  if (hello.ok()) {
    return driver.on_client_hello(ctx, hello.value(), msg);
  }
  return driver.on_handshake(ctx, msg);
}

Result<void> Driver::on_handshake(detail::HandshakeContext& ctx,
                                  const detail::HandshakeMessageView& msg) {
  if (std::holds_alternative<ExpectClientHello>(state_)) {
    return on_first_client_hello(ctx, msg);
  }
  if (auto* d = std::get_if<std::unique_ptr<server12::Server12Driver>>(&state_)) {
    return (*d)->on_handshake(ctx, msg);
  }
  if (auto* s = std::get_if<server13::State>(&state_)) {
    const std::string_view before = state_name();
    server13::State current = std::move(*s);
    state_ = Failed{};
    server13::Env env{ctx, *config_};
    return enter13(ctx, before, server13::handle_message(std::move(current), env, msg));
  }
  return Error(ErrorCode::internal_error, "server", "handshake already failed");
}

Result<void> Driver::on_early_data(detail::HandshakeContext& /*ctx*/, size_t length) {
  if (auto* s = std::get_if<server13::State>(&state_)) {
    auto r = server13::on_early_data(*s, length);
    if (!r.ok()) {
      state_ = Failed{};
    }
    return r;
  }
  return Error(ErrorCode::unexpected_message, "application_data",
               "application data before the handshake finished");
}

Result<void> Driver::on_signature(detail::HandshakeContext& ctx,
                                  std::span<const uint8_t> signature) {
  if (auto* d = std::get_if<std::unique_ptr<server12::Server12Driver>>(&state_)) {
    return (*d)->on_signature(ctx, signature);
  }
  if (auto* s = std::get_if<server13::State>(&state_)) {
    if (auto* waiting = std::get_if<server13::AwaitSignature>(s)) {
      const std::string_view before = state_name();
      server13::FlightEnd end = std::move(waiting->end);
      state_ = Failed{};
      server13::Env env{ctx, *config_};
      return enter13(ctx, before, server13::finish_flight(env, std::move(end), signature));
    }
  }
  return Error(ErrorCode::internal_error, "signature", "no signature was asked for");
}

Result<void> Driver::on_change_cipher_spec(detail::HandshakeContext& ctx) {
  if (auto* d = std::get_if<std::unique_ptr<server12::Server12Driver>>(&state_)) {
    return (*d)->on_change_cipher_spec(ctx);
  }
  // RFC 8446 §5: "An implementation may receive an unencrypted record of type
  // change_cipher_spec consisting of the single byte value 0x01 at any time after the first
  // ClientHello message has been sent or received and before the peer's Finished message has
  // been received and MUST simply drop it without further processing." and "If an
  // implementation detects a change_cipher_spec record received before the first ClientHello
  // message or after the peer's Finished message, it MUST be treated as an unexpected record
  // type". We accept one (compatibility mode sends exactly one); the connection refuses a
  // protected one.
  if (auto* s = std::get_if<server13::State>(&state_)) {
    if (server13::accepts_dummy_change_cipher_spec(*s) && !ccs_seen_) {
      ccs_seen_ = true;
      ctx.note("middlebox-compatibility ChangeCipherSpec dropped");
      return ok_result();
    }
    state_ = Failed{};
    return Error(ErrorCode::unexpected_message, "change_cipher_spec",
                 ccs_seen_ ? "a second ChangeCipherSpec" : "ChangeCipherSpec after Finished");
  }
  state_ = Failed{};
  return Error(ErrorCode::unexpected_message, "change_cipher_spec",
               "ChangeCipherSpec before the ClientHello");
}

}  // namespace hs::server

namespace hs::detail {

std::unique_ptr<HandshakeDriver> make_server_driver(std::shared_ptr<const ServerConfig> config) {
  return std::make_unique<server::Driver>(std::move(config));
}

}  // namespace hs::detail

// The client driver: sends the ClientHello, dispatches the first ServerHello to TLS 1.2 or
// TLS 1.3, then forwards every message to that version's states.
#include <string>
#include <utility>

#include "handshake/client/client.h"
#include "messages/extensions.h"
#include "messages/server_hello.h"

namespace hs::client {

namespace {

std::string_view front_state_name(const ExpectServerHello& st) {
  // A TLS 1.2-only client shows the TLS 1.2 state machine's name, as it did before TLS 1.3.
  return st.offers_tls13 ? "client::ExpectServerHello" : "client12::ExpectServerHello";
}

}  // namespace

Driver::Driver(std::shared_ptr<const ClientConfig> config, std::string host, TestHooks hooks)
    : config_(std::move(config)), host_(std::move(host)), hooks_(std::move(hooks)) {}

std::string_view Driver::state_name() const {
  struct Namer {
    std::string_view operator()(const std::monostate&) const { return "client::Failed"; }
    std::string_view operator()(const ExpectServerHello& st) const { return front_state_name(st); }
    std::string_view operator()(const client12::State& st) const {
      return client12::state_name(st);
    }
    std::string_view operator()(const client13::State& st) const {
      return client13::state_name(st);
    }
  };
  return std::visit(Namer{}, state_);
}

void Driver::enter(HandshakeContext& ctx, std::string_view before, State next) {
  state_ = std::move(next);
  std::string_view after = state_name();
  if (before != after) {
    ctx.emit_state(after);
  }
}

Result<void> Driver::send_key_update(HandshakeContext& ctx, bool request_peer_update) {
  if (auto* s13 = std::get_if<client13::State>(&state_)) {
    if (auto* connected = std::get_if<client13::Connected>(s13)) {
      return detail::send_key_update13(connected->app, ctx, request_peer_update);
    }
  }
  return Error(ErrorCode::internal_error, "key_update",
               "KeyUpdate needs an established TLS 1.3 connection");
}

Result<void> Driver::start(HandshakeContext& ctx) {
  auto hello = HS_TRY(build_client_hello(ctx.provider(), config_, host_, hooks_));
  // OpenSSL's message callback reports the ClientHello and ServerHello under the highest
  // version offered, which is what curl -v prints.
  ctx.set_trace_version(hello.offers_tls13 ? ProtocolVersion::tls1_3 : ProtocolVersion::tls1_2);
  const std::string& server_name =
      hello.offers_tls13 ? hello.offer13.server_name : hello.offer12.server_name;
  ctx.info().server_name = server_name;
  if (server_name.empty()) {
    if (ctx.wants_notes()) {
      ctx.note("server_name not sent (" +
               std::string(host_.empty() || !config_->send_sni ? "disabled" : "IP literal") + ")");
    }
  }
  ctx.note(hello.offers_tls13
               ? (hello.offers_tls12 ? "offering TLS 1.3 and TLS 1.2" : "offering TLS 1.3 only")
               : "offering TLS 1.2 only");
  if (hello.share_from_hint && ctx.wants_notes()) {
    const auto& shares = hello.offer13.shares;
    ctx.note("key share for " + std::string(group_name(shares.front()->group())) +
             ", the group this server chose last time");
  }
  HS_TRY(ctx.send_handshake(hello.raw));
  ExpectServerHello st;
  st.offers_tls12 = hello.offers_tls12;
  st.offers_tls13 = hello.offers_tls13;
  st.offer12 = std::move(hello.offer12);
  st.offer13 = std::move(hello.offer13);
  st.transcript.add(hello.raw);
  HS_TRY(client13::start_early_data(st.offer13, ctx));
  enter(ctx, "", std::move(st));
  return ok_result();
}

Result<Driver::State> Driver::on_server_hello(ExpectServerHello&& st, HandshakeContext& ctx,
                                              const HandshakeMessageView& msg) {
  if (msg.type != HandshakeType::server_hello) {
    return Error(ErrorCode::unexpected_message, "server_hello", "expected ServerHello");
  }
  auto sh = HS_TRY(messages::parse_server_hello(msg.body));
  const bool says_tls13 =
      messages::find_extension(sh.extensions, ExtensionType::supported_versions) != nullptr;
  if (says_tls13 && st.offers_tls13) {
    return State(HS_TRY(client13::handle_server_hello(
        client13::ExpectServerHello{std::move(st.offer13), std::move(st.transcript), {}}, ctx, msg,
        sh)));
  }
  if (!says_tls13 && !st.offers_tls12) {
    // RFC 8446 Appendix D: "If the version chosen by the server is not supported by the client
    // (or is not acceptable), the client MUST abort the handshake with a "protocol_version"
    // alert."
    return Error(ErrorCode::protocol_version, "server_hello",
                 "server chose TLS 1.2 or below; we require TLS 1.3");
  }
  if (st.offer13.early_data) {
    // The alert goes out in plaintext, which a TLS 1.2 server can read (not under our early
    // traffic key).
    client13::decline_early_data(st.offer13, ctx, /*plaintext=*/true);
    // RFC 8446 Appendix D.3: "A client that attempts to send 0-RTT data MUST fail a connection
    // if it receives a ServerHello with TLS 1.2 or older." TLS 1.2 is not acceptable after
    // 0-RTT, so Appendix D's alert applies: "If the version chosen by the server is not
    // supported by the client (or is not acceptable), the client MUST abort the handshake with
    // a "protocol_version" alert." (BoGo: EarlyDataVersionDowngrade-Client-TLS13.)
    return Error(ErrorCode::protocol_version, "server_hello",
                 "server chose TLS 1.2 or below after we sent 0-RTT data");
  }
  if (ccs_dropped_ > 0) {
    // A ChangeCipherSpec before a TLS 1.2 ServerHello is out of order (RFC 5246 §7.1).
    return Error(ErrorCode::unexpected_message, "change_cipher_spec",
                 "ChangeCipherSpec before the ServerHello");
  }
  // TLS 1.2 (or a supported_versions we never offered, which client12 refuses as an
  // unsolicited extension). client12 checks the RFC 8446 §4.1.3 downgrade sentinel when we
  // offered TLS 1.3.
  return State(HS_TRY(client12::handle_server_hello(
      client12::ExpectServerHello{std::move(st.offer12), std::move(st.transcript)}, ctx, msg, sh)));
}

Result<void> Driver::on_signature(HandshakeContext& ctx, std::span<const uint8_t> signature) {
  const std::string_view before = state_name();
  if (auto* s12 = std::get_if<client12::State>(&state_)) {
    if (auto* waiting = std::get_if<client12::AwaitSignature>(s12)) {
      client12::AwaitSignature st = std::move(*waiting);
      state_ = std::monostate{};
      auto next = HS_TRY(client12::finish_client_flight(
          ctx, std::move(st.transcript), st.neg, std::move(st.master_secret),
          std::move(st.master_prf), std::move(st.keys), st.scheme, signature));
      enter(ctx, before, std::move(next));
      return ok_result();
    }
  }
  if (auto* s13 = std::get_if<client13::State>(&state_)) {
    if (auto* waiting = std::get_if<client13::AwaitSignature>(s13)) {
      client13::AwaitSignature st = std::move(*waiting);
      state_ = std::monostate{};
      auto next = HS_TRY(client13::finish_second_flight(
          ctx, std::move(st.s), std::move(st.master), std::move(st.client_app),
          std::move(st.server_app), st.scheme, signature));
      enter(ctx, before, std::move(next));
      return ok_result();
    }
    if (auto* connected = std::get_if<client13::Connected>(s13)) {
      return client13::complete_post_handshake_answer(*connected, ctx, signature);
    }
  }
  return Error(ErrorCode::internal_error, "signature", "no signature was asked for");
}

Result<void> Driver::on_handshake(HandshakeContext& ctx, const HandshakeMessageView& msg) {
  if (auto* front = std::get_if<ExpectServerHello>(&state_)) {
    if (msg.type == HandshakeType::hello_request && front->offers_tls12) {
      // RFC 5246 §7.4.1.1: "This message will be ignored by the client if the client is
      // currently negotiating a session." It is not part of the transcript (§7.4.9).
      if (!msg.body.empty()) {
        return Error(ErrorCode::decode_error, "hello_request", "HelloRequest must be empty");
      }
      ctx.note("HelloRequest ignored during the handshake");
      return ok_result();
    }
    std::string_view before = state_name();
    ExpectServerHello st = std::move(*front);
    state_ = std::monostate{};
    auto next = HS_TRY(on_server_hello(std::move(st), ctx, msg));
    enter(ctx, before, std::move(next));
    return ok_result();
  }
  if (auto* s12 = std::get_if<client12::State>(&state_)) {
    if (msg.type == HandshakeType::hello_request &&
        !std::holds_alternative<client12::Connected>(*s12)) {
      // RFC 5246 §7.4.1.1, as above.
      if (!msg.body.empty()) {
        return Error(ErrorCode::decode_error, "hello_request", "HelloRequest must be empty");
      }
      ctx.note("HelloRequest ignored during the handshake");
      return ok_result();
    }
    std::string_view before = state_name();
    client12::State current = std::move(*s12);
    state_ = std::monostate{};
    auto next = HS_TRY(client12::handle_message(std::move(current), ctx, msg));
    enter(ctx, before, std::move(next));
    return ok_result();
  }
  if (auto* s13 = std::get_if<client13::State>(&state_)) {
    std::string_view before = state_name();
    client13::State current = std::move(*s13);
    state_ = std::monostate{};
    auto next = HS_TRY(client13::handle_message(std::move(current), ctx, msg));
    enter(ctx, before, std::move(next));
    return ok_result();
  }
  return Error(ErrorCode::internal_error, "client", "handshake not running");
}

Result<void> Driver::on_change_cipher_spec(HandshakeContext& ctx) {
  // RFC 8446 §5: "An implementation may receive an unencrypted record of type
  // change_cipher_spec consisting of the single byte value 0x01 at any time after the first
  // ClientHello message has been sent or received and before the peer's Finished message has
  // been received and MUST simply drop it without further processing." Servers in middlebox
  // compatibility mode send one (Appendix D.4), but not all stop there: Java's JSSE sends one
  // after its HelloRetryRequest and another after its ServerHello. We drop up to
  // kMaxDummyChangeCipherSpecs (as Go's crypto/tls ignores up to 16 records), so a peer cannot
  // keep us busy with them; one after the server's Finished is unexpected ("If an
  // implementation detects a change_cipher_spec record received before the first ClientHello
  // message or after the peer's Finished message, it MUST be treated as an unexpected record
  // type"). The connection refuses a protected one.
  const bool tls13_before_finished =
      (std::holds_alternative<ExpectServerHello>(state_) &&
       std::get<ExpectServerHello>(state_).offers_tls13) ||
      (std::holds_alternative<client13::State>(state_) &&
       client13::accepts_dummy_change_cipher_spec(std::get<client13::State>(state_)));
  if (tls13_before_finished) {
    if (ccs_dropped_ == kMaxDummyChangeCipherSpecs) {
      return Error(ErrorCode::unexpected_message, "change_cipher_spec",
                   "too many ChangeCipherSpec records");
    }
    ++ccs_dropped_;
    ctx.note("middlebox-compatibility ChangeCipherSpec dropped");
    return ok_result();
  }
  if (auto* s12 = std::get_if<client12::State>(&state_)) {
    std::string_view before = state_name();
    client12::State current = std::move(*s12);
    state_ = std::monostate{};
    auto next = HS_TRY(client12::handle_change_cipher_spec(std::move(current), ctx));
    enter(ctx, before, std::move(next));
    return ok_result();
  }
  return Error(ErrorCode::unexpected_message, "change_cipher_spec",
               "ChangeCipherSpec not expected here");
}

bool Driver::is_connected() const {
  if (const auto* s12 = std::get_if<client12::State>(&state_)) {
    return std::holds_alternative<client12::Connected>(*s12);
  }
  if (const auto* s13 = std::get_if<client13::State>(&state_)) {
    return std::holds_alternative<client13::Connected>(*s13);
  }
  return false;
}

std::unique_ptr<Driver> make_client_driver_for_testing(std::shared_ptr<const ClientConfig> config,
                                                       std::string host, TestHooks hooks) {
  return std::make_unique<Driver>(std::move(config), std::move(host), std::move(hooks));
}

}  // namespace hs::client

namespace hs::detail {

std::unique_ptr<HandshakeDriver> make_client_driver(std::shared_ptr<const ClientConfig> config,
                                                    std::string server_name) {
  return std::make_unique<client::Driver>(std::move(config), std::move(server_name));
}

}  // namespace hs::detail

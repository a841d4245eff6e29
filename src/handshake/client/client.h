// The client front: one ClientHello offering TLS 1.2 and/or TLS 1.3 (as ClientConfig's
// min_version/max_version allow), then a dispatch on the ServerHello to the TLS 1.2 states
// (handshake/client12/) or the TLS 1.3 states (handshake/client13/).
//
// RFC 8446 §4.2.1: "If this extension is present in the ClientHello, servers MUST NOT use the
// ClientHello.legacy_version value for version negotiation and MUST use only the
// "supported_versions" extension to determine client preferences." A ServerHello carrying
// supported_versions selects TLS 1.3; one without it is a TLS 1.2 ServerHello.
#pragma once

#include <hs/config.h>
#include <hs/result.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "handshake/client12/client12.h"
#include "handshake/client13/client13.h"
#include "handshake/common/driver.h"
#include "handshake/common/transcript.h"
#include "messages/client_hello.h"

namespace hs::client {

using detail::HandshakeContext;
using detail::HandshakeMessageView;

// TestHooks are test-only switches for known-answer tests (RFC 8448 byte-for-byte): no
// production path sets them. `middlebox_compat = false` sends an empty legacy_session_id and no
// dummy ChangeCipherSpec; `edit_client_hello` may rewrite the ClientHello, and
// `edit_client_hello2` the ClientHello2 sent after a HelloRetryRequest, before it is encoded:
// after the PSK offer is added and before its binder is computed, so pre_shared_key must stay
// last (the offer's list of extension types is taken from the edited message); `now_ms` replaces
// session_now_ms() as the clock the obfuscated_ticket_age of a PSK offer is computed from.
struct TestHooks {
  bool middlebox_compat = true;
  std::function<void(messages::ClientHello&)> edit_client_hello;
  std::function<void(messages::ClientHello&)> edit_client_hello2;
  std::function<uint64_t()> now_ms;
};

// Hello is the built ClientHello with the offers both versions check the server against.
struct Hello {
  bool offers_tls12 = false;
  bool offers_tls13 = false;
  client12::Offer offer12;   // meaningful when offers_tls12
  client13::Offer offer13;   // meaningful when offers_tls13
  std::vector<uint8_t> raw;  // header + body
  // share_from_hint: the TLS 1.3 key share is for the group the session store remembered for
  // this server (ClientSessionStore::kx_hint), not for the first configured group.
  bool share_from_hint = false;
};

// build_client_hello builds the ClientHello for `config` (draws the random, the session id and
// the key share from `provider`). invalid_config when the configuration leaves nothing to
// offer for an enabled version.
Result<Hello> build_client_hello(const crypto::Provider& provider,
                                 std::shared_ptr<const ClientConfig> config, std::string host,
                                 const TestHooks& hooks);

// ExpectServerHello waits for the first ServerHello, which picks the version.
struct ExpectServerHello {
  bool offers_tls12 = false;
  bool offers_tls13 = false;
  client12::Offer offer12;
  client13::Offer offer13;
  detail::Transcript transcript;  // ClientHello1, unhashed until the suite is known
};

// Driver adapts the front and both versions' states to detail::HandshakeDriver.
class Driver final : public detail::HandshakeDriver {
 public:
  Driver(std::shared_ptr<const ClientConfig> config, std::string host, TestHooks hooks = {});
  Result<void> start(HandshakeContext& ctx) override;
  Result<void> on_handshake(HandshakeContext& ctx, const HandshakeMessageView& msg) override;
  Result<void> on_change_cipher_spec(HandshakeContext& ctx) override;
  bool is_connected() const override;
  std::string_view state_name() const override;
  Result<void> send_key_update(HandshakeContext& ctx, bool request_peer_update) override;
  Result<void> on_signature(HandshakeContext& ctx, std::span<const uint8_t> signature) override;

  // tls13_state is the TLS 1.3 state, or nullptr (tests read the latest ticket through it).
  const client13::State* tls13_state() const { return std::get_if<client13::State>(&state_); }

 private:
  using State = std::variant<std::monostate, ExpectServerHello, client12::State, client13::State>;
  // enter switches to `next` and emits its name when it differs from `before`.
  void enter(HandshakeContext& ctx, std::string_view before, State next);
  Result<State> on_server_hello(ExpectServerHello&& st, HandshakeContext& ctx,
                                const HandshakeMessageView& msg);

  std::shared_ptr<const ClientConfig> config_;
  std::string host_;
  TestHooks hooks_;
  State state_;
  // ccs_dropped_: the unprotected ChangeCipherSpec records RFC 8446 §5 lets a TLS 1.3 server
  // send before its Finished has arrived, dropped so far (at most kMaxDummyChangeCipherSpecs).
  size_t ccs_dropped_ = 0;
  static constexpr size_t kMaxDummyChangeCipherSpecs = 16;
};

// make_client_driver_for_testing is make_client_driver with TestHooks (tests only).
std::unique_ptr<Driver> make_client_driver_for_testing(std::shared_ptr<const ClientConfig> config,
                                                       std::string host, TestHooks hooks);

}  // namespace hs::client

// The server front: reads the first ClientHello, picks the version, and runs the TLS 1.3
// states (handshake/server13/) or hands the ClientHello to the TLS 1.2 state machine
// (handshake/server12/).
//
// RFC 8446 §4.2.1: "If this extension is present in the ClientHello, servers MUST NOT use the
// ClientHello.legacy_version value for version negotiation and MUST use only the
// "supported_versions" extension to determine client preferences." We pick TLS 1.3 when
// supported_versions lists 0x0304 and the configuration allows TLS 1.3; everything else goes
// to the TLS 1.2 server, which refuses what it cannot speak with protocol_version.
#pragma once

#include <hs/config.h>
#include <hs/result.h>

#include <memory>
#include <string_view>
#include <variant>

#include "handshake/common/driver.h"
#include "handshake/server12/server12.h"
#include "handshake/server13/server13.h"

namespace hs::server {

// Driver adapts the front and both versions' states to detail::HandshakeDriver.
class Driver final : public detail::HandshakeDriver {
 public:
  explicit Driver(std::shared_ptr<const ServerConfig> config);

  Result<void> start(detail::HandshakeContext& ctx) override;
  Result<void> on_handshake(detail::HandshakeContext& ctx,
                            const detail::HandshakeMessageView& msg) override;
  Result<void> on_change_cipher_spec(detail::HandshakeContext& ctx) override;
  Result<void> on_early_data(detail::HandshakeContext& ctx, size_t length) override;
  Result<void> on_signature(detail::HandshakeContext& ctx,
                            std::span<const uint8_t> signature) override;
  bool is_connected() const override;
  std::string_view state_name() const override;
  Result<void> send_key_update(detail::HandshakeContext& ctx, bool request_peer_update) override;
  Result<void> request_client_certificate(detail::HandshakeContext& ctx, bool required) override;
  bool client_certificate_pending() const override;

  // tls13_state is the TLS 1.3 state, or nullptr (tests inspect it).
  const server13::State* tls13_state() const { return std::get_if<server13::State>(&state_); }

 private:
  // ExpectClientHello: nothing received yet.
  struct ExpectClientHello {};
  struct Failed {};
  using State = std::variant<ExpectClientHello, std::unique_ptr<server12::Server12Driver>,
                             server13::State, Failed>;

  Result<void> on_first_client_hello(detail::HandshakeContext& ctx,
                                     const detail::HandshakeMessageView& msg);
  // enter installs `next` (or Failed) and reports a changed state name to the trace.
  Result<void> enter13(detail::HandshakeContext& ctx, std::string_view before,
                       Result<server13::State> next);

  std::shared_ptr<const ServerConfig> config_;
  State state_;
  // ccs_seen_: the one unprotected ChangeCipherSpec RFC 8446 §5 lets a TLS 1.3 client send
  // before its Finished (dropped).
  bool ccs_seen_ = false;
};

// tls13_enabled reports whether `config` allows TLS 1.3.
bool tls13_enabled(const ServerConfig& config);

}  // namespace hs::server

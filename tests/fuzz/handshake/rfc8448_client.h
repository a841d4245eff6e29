// Rfc8448Client: our TLS 1.3 client made to send RFC 8448 §3's ClientHello byte for byte: the
// RFC's client random and x25519 private key come from a scripted provider, and
// client::TestHooks switches middlebox compatibility off and puts the RFC's extension list in
// (as tests/unit/handshake/client13/rfc8448_test.cc does). The RFC's server records are then
// valid input for it, which gives fuzz_client13 and the hostile table a real TLS 1.3 handshake
// to start from while there is no TLS 1.3 server of ours.
#pragma once

#include <hs/connection.h>

#include <deque>
#include <memory>
#include <vector>

#include "connection/connection_impl.h"
#include "crypto/openssl/openssl_provider.h"
#include "handshake/client/client.h"
#include "messages/messages.h"

namespace hs::fuzzing {

// ScriptedProvider hands out `script` through random(), then zeros.
class ScriptedProvider final : public crypto::OpenSslProvider {
 public:
  explicit ScriptedProvider(const std::vector<uint8_t>& script)
      : queue_(script.begin(), script.end()) {}
  Result<void> random(std::span<uint8_t> out) const override {
    for (uint8_t& b : out) {
      b = 0;
      if (!queue_.empty()) {
        b = queue_.front();
        queue_.pop_front();
      }
    }
    return ok_result();
  }

 private:
  mutable std::deque<uint8_t> queue_;
};

class Rfc8448Client {
 public:
  // Rfc8448Client starts the client (its ClientHello is in conn().output()). `hello` is the
  // RFC's ClientHello body (without the handshake header), `priv` the RFC's x25519 key.
  Rfc8448Client(const messages::ClientHello& hello, const std::vector<uint8_t>& priv,
                Observer* observer = nullptr)
      : provider_(script(hello, priv)), extensions_(hello.extensions) {
    auto config = std::make_shared<ClientConfig>();
    config->min_version = ProtocolVersion::tls1_3;
    config->max_version = ProtocolVersion::tls1_3;
    config->cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256,
                             CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                             CipherSuite::TLS_AES_256_GCM_SHA384};
    config->dangerous_skip_verification = true;
    config->provider = &provider_;
    client::TestHooks hooks;
    hooks.middlebox_compat = false;
    hooks.edit_client_hello = [this](messages::ClientHello& h) { h.extensions = extensions_; };
    conn_ = std::make_unique<detail::ConnectionImpl>(
        true, provider_, nullptr, client::make_client_driver_for_testing(config, "server", hooks),
        observer);
    started_ = conn_->start().ok();
  }

  bool started() const { return started_; }
  detail::ConnectionImpl& conn() { return *conn_; }

 private:
  static std::vector<uint8_t> script(const messages::ClientHello& hello,
                                     const std::vector<uint8_t>& priv) {
    std::vector<uint8_t> s(hello.random.begin(), hello.random.end());
    s.insert(s.end(), priv.begin(), priv.end());
    return s;
  }

  ScriptedProvider provider_;
  std::vector<messages::Extension> extensions_;
  std::unique_ptr<detail::ConnectionImpl> conn_;
  bool started_ = false;
};

}  // namespace hs::fuzzing

// What the TLS 1.3 server reads from a ClientHello and chooses from it before answering: the
// decoded hello (Hello13), the cipher suite, and the PSK it accepts (psk.cc), a session ticket
// or an external PSK (RFC 8446 §4.2.11).
#pragma once

#include <hs/result.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "handshake/server12/negotiation.h"
#include "handshake/server13/server13.h"
#include "messages/extensions.h"

namespace hs::server13 {

// Hello13 is a ClientHello decoded for TLS 1.3.
struct Hello13 {
  server12::ClientOffer offer;  // TLS 1.3 suites, groups, schemes, ALPN, SNI
  std::vector<messages::KeyShareEntry> shares;
  std::optional<messages::OfferedPsks> psks;
  std::vector<messages::PskKeyExchangeMode> psk_modes;
  std::optional<std::vector<uint8_t>> cookie;
  bool early_data = false;
  bool post_handshake_auth = false;
};

// select_suite picks the TLS 1.3 suite as the TLS 1.2 server does: server preference, with
// ChaCha20 ranked equal to our best AES-GCM suite when the client lists it first; or the
// client's order when configured. no_common_cipher_suite when none is shared.
Result<CipherSuite> select_suite(const server12::ClientOffer& offer, const ServerConfig& config);

// PskChoice is the PSK the server accepts, before its binder is checked: the first identity, in
// the client's order, that names one of ServerConfig::external_psks usable with this hello, or
// (identity 0 only) is a session ticket of ours.
struct PskChoice {
  size_t index = 0;       // selected_identity (RFC 8446 §4.2.11)
  bool external = false;  // an ExternalPsk, not a ticket
  // For a ticket, what it carries; for an external PSK, only `psk` and `suite` are set.
  TicketState state;
  // dhe: psk_dhe_ke; false is psk_ke (external PSKs with allow_psk_without_dhe only).
  bool dhe = true;
  std::vector<uint8_t> identity;  // the external PSK's identity
};

// choose_psk returns the PSK to use, or nullopt for a certificate handshake; `notes` says why
// an offered PSK was passed over. RFC 8446 §4.2.11: the server "MUST ensure that it selects a
// compatible PSK (if any) and cipher suite": state.suite is the ticket's suite, or for an
// external PSK select_suite among the offered suites of its hash.
std::optional<PskChoice> choose_psk(Env env, const Hello13& h, std::vector<std::string>& notes);

// check_binder verifies the chosen identity's binder over the truncated ClientHello `raw`
// (RFC 8446 §4.2.11.2). `prefix` holds the transcript before this ClientHello (after a
// HelloRetryRequest) or is null. decrypt_error (bad_finished) when it does not verify.
Result<void> check_binder(Env env, const Hello13& h, const PskChoice& psk,
                          const detail::Transcript* prefix, std::span<const uint8_t> raw);

}  // namespace hs::server13

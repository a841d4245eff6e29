// The PSK the TLS 1.3 server accepts (RFC 8446 §4.2.11): the first identity, in the client's
// order, that names one of ServerConfig::external_psks or (as the first identity) is a session
// ticket of ours; and the binder that proves the client holds it.
#include <algorithm>
#include <string>
#include <utility>

#include "crypto/secret.h"
#include "handshake/common/suites.h"
#include "handshake/server13/client_offer13.h"
#include "keyschedule/tls13_schedule.h"

namespace hs::server13 {

namespace {

// usable_ticket opens the first identity's ticket (RFC 8446 §4.2.11: we only ever select
// identity 0) and checks what does not need the transcript. Any failure is "no PSK": "If the
// server ... cannot ... the server MUST ignore the PSK" style fallback to a full handshake.
std::optional<TicketState> usable_ticket(Env env, const Hello13& h,
                                         std::vector<std::string>& notes) {
  if (!h.psks || h.psks->identities.empty()) {
    return std::nullopt;
  }
  // RFC 8446 §4.2.9: "psk_dhe_ke: PSK with (EC)DHE key establishment." We do not offer psk_ke
  // (no forward secrecy).
  if (!detail::contains<messages::PskKeyExchangeMode>(h.psk_modes,
                                                      messages::PskKeyExchangeMode::psk_dhe_ke)) {
    notes.push_back("PSK offered without psk_dhe_ke; full handshake");
    return std::nullopt;
  }
  if (!env.config.issue_tickets) {
    notes.push_back("PSK offered but tickets are disabled; full handshake");
    return std::nullopt;
  }
  auto ticket = open_ticket(env.config, h.psks->identities.front().identity);
  if (!ticket) {
    notes.push_back("session ticket not accepted (not ours or damaged); full handshake");
    return std::nullopt;
  }
  const uint64_t now = now_ms();
  // RFC 8446 §4.6.1: ticket_lifetime "Indicates the lifetime in seconds as a 32-bit unsigned
  // integer in network byte order from the time of ticket issuance." Past it we do not resume.
  if (ticket->created_ms > now + 1000 ||
      now - ticket->created_ms > static_cast<uint64_t>(ticket->lifetime_s) * 1000) {
    notes.push_back("session ticket expired; full handshake");
    return std::nullopt;
  }
  if (!detail::is_tls13_suite(ticket->suite) ||
      !detail::contains<CipherSuite>(h.offer.suites, ticket->suite) ||
      !detail::contains<CipherSuite>(env.config.cipher_suites, ticket->suite)) {
    notes.push_back("session ticket's cipher suite is no longer offered; full handshake");
    return std::nullopt;
  }
  // A client that did not authenticate when the ticket was issued has not proved what
  // ClientAuth::require asks for, and resumption never carries a CertificateRequest (RFC 8446
  // §4.3.2: "Servers which are authenticating with a PSK MUST NOT send the CertificateRequest
  // message in the main handshake"): only a full handshake can authenticate it.
  if (env.config.client_auth == ClientAuth::require && ticket->client_leaf.empty()) {
    notes.push_back(
        "session ticket without client authentication, which is required; full "
        "handshake");
    return std::nullopt;
  }
  return ticket;
}

// external_psk returns the configured external PSK named `identity`, or null.
const ExternalPsk* external_psk(const ServerConfig& config, std::span<const uint8_t> identity) {
  for (const auto& psk : config.external_psks) {
    if (psk &&
        std::equal(psk->identity.begin(), psk->identity.end(), identity.begin(), identity.end())) {
      return psk.get();
    }
  }
  return nullptr;
}

// external_choice checks an external PSK against the rest of the ClientHello: a suite of its
// hash, and a key exchange mode we accept.
std::optional<PskChoice> external_choice(Env env, const Hello13& h, size_t index,
                                         const ExternalPsk& psk, std::vector<std::string>& notes) {
  const crypto::HashAlg hash = detail::hash_of(psk.hash);
  server12::ClientOffer same_hash = h.offer;
  std::erase_if(same_hash.suites, [&](CipherSuite s) {
    auto info = detail::suite_info(s);
    return !info || info->hash != hash;
  });
  auto suite = select_suite(same_hash, env.config);
  if (!suite.ok()) {
    notes.push_back("external PSK offered without a cipher suite of its hash; not used");
    return std::nullopt;
  }
  // RFC 8446 §4.2.9: psk_dhe_ke when offered (forward secrecy), psk_ke only when allowed.
  bool dhe = false;
  if (detail::contains<messages::PskKeyExchangeMode>(h.psk_modes,
                                                     messages::PskKeyExchangeMode::psk_dhe_ke) &&
      h.offer.groups.has_value()) {
    dhe = true;
  } else if (!(env.config.allow_psk_without_dhe &&
               detail::contains<messages::PskKeyExchangeMode>(
                   h.psk_modes, messages::PskKeyExchangeMode::psk_ke))) {
    notes.push_back("external PSK offered without a key exchange mode we accept; not used");
    return std::nullopt;
  }
  PskChoice choice;
  choice.index = index;
  choice.external = true;
  choice.state.suite = *suite;
  choice.state.psk = SecretBytes(psk.key.expose());
  choice.dhe = dhe;
  choice.identity = psk.identity;
  return choice;
}

}  // namespace

std::optional<PskChoice> choose_psk(Env env, const Hello13& h, std::vector<std::string>& notes) {
  if (!h.psks || h.psks->identities.empty()) {
    return std::nullopt;
  }
  // In the client's order: the first identity we can use.
  for (size_t i = 0; i < h.psks->identities.size(); ++i) {
    const ExternalPsk* psk = external_psk(env.config, h.psks->identities[i].identity);
    if (psk != nullptr) {
      auto choice = external_choice(env, h, i, *psk, notes);
      if (choice) {
        return choice;
      }
    } else if (i == 0) {
      auto ticket = usable_ticket(env, h, notes);
      if (ticket) {
        PskChoice choice;
        choice.state = std::move(*ticket);
        return choice;
      }
    }
  }
  return std::nullopt;
}

Result<void> check_binder(Env env, const Hello13& h, const PskChoice& psk,
                          const detail::Transcript* prefix, std::span<const uint8_t> raw) {
  const crypto::Provider& provider = env.ctx.provider();
  const crypto::HashAlg hash = detail::suite_info(psk.state.suite)->hash;
  // RFC 8446 §4.2.11.2: the binder covers "the partial ClientHello up to and including the
  // PreSharedKeyExtension.identities field": the message minus the binders list at its end.
  const size_t binders = messages::psk_binders_size(*h.psks);
  if (binders > raw.size() || psk.index >= h.psks->binders.size()) {
    return Error(ErrorCode::decode_error, "pre_shared_key", "binders exceed the ClientHello");
  }
  detail::Transcript t = prefix != nullptr ? prefix->clone() : detail::Transcript(provider, hash);
  t.add(raw.first(raw.size() - binders));
  auto early = keyschedule::EarlySecret::make(provider, hash, psk.state.psk.expose());
  // RFC 8446 §7.1: "ext binder" for external PSKs, "res binder" for resumption ones: "The
  // different labels prevent the substitution of one type of PSK for the other."
  auto binder_key = HS_TRY(early.binder_key(psk.external ? keyschedule::PskKind::external
                                                         : keyschedule::PskKind::resumption));
  // RFC 8446 §4.2.11: "Prior to accepting PSK key establishment, the server MUST validate the
  // corresponding binder value ... If this value is not present or does not validate, the
  // server MUST abort the handshake." verify_psk_binder answers bad_finished (decrypt_error).
  return keyschedule::verify_psk_binder(provider, hash, binder_key.expose(), t.current(),
                                        h.psks->binders[psk.index]);
}

}  // namespace hs::server13

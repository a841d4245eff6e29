// Offering a stored ticket or an external PSK (RFC 8446 §4.2.9, §4.2.11): the extensions and
// the binder.
#include <utility>

#include "handshake/client13/client13.h"
#include "messages/extensions.h"
#include "messages/handshake.h"

namespace hs::client13 {

Result<void> add_psk_offer(messages::ClientHello& hello, const StoredSession& session,
                           uint64_t now_ms, bool external) {
  auto suite = detail::suite_info(session.suite);
  if (!suite || session.ticket.empty() || session.secret.empty()) {
    return Error(ErrorCode::internal_error, "pre_shared_key", "unusable stored session");
  }
  // RFC 8446 §4.2.9: "A client MUST provide a "psk_key_exchange_modes" extension if it offers a
  // "pre_shared_key" extension." We only offer psk_dhe_ke: resumption keeps forward secrecy.
  hello.extensions.push_back(
      HS_TRY(messages::make_extension(ExtensionType::psk_key_exchange_modes, [](auto& out) {
        return messages::serialize_psk_key_exchange_modes(
            {messages::PskKeyExchangeMode::psk_dhe_ke}, out);
      })));
  // RFC 8446 §4.2.11.1: "the "obfuscated_ticket_age" field of each PskIdentity contains an
  // obfuscated version of the ticket age formed by taking the age in milliseconds and adding
  // the "ticket_age_add" value that was included with the ticket, modulo 2^32."
  // "For identities established externally, an obfuscated_ticket_age of 0 SHOULD be used".
  const uint64_t age_ms = now_ms > session.created_ms ? now_ms - session.created_ms : 0;
  messages::OfferedPsks psks;
  psks.identities.push_back(
      {session.ticket,
       external ? 0 : static_cast<uint32_t>((age_ms + session.age_add) & 0xFFFFFFFFu)});
  psks.binders.push_back(std::vector<uint8_t>(crypto::hash_len(suite->hash), 0));
  // RFC 8446 §4.2.11: "The "pre_shared_key" extension MUST be the last extension in the
  // ClientHello".
  hello.extensions.push_back(
      HS_TRY(messages::make_extension(ExtensionType::pre_shared_key, [&](auto& out) {
        return messages::serialize_pre_shared_key_client(psks, out);
      })));
  return ok_result();
}

Result<std::vector<uint8_t>> bind_psk(const crypto::Provider& provider,
                                      messages::ClientHello& hello, const StoredSession& session,
                                      const detail::Transcript* prefix, bool external) {
  auto suite = detail::suite_info(session.suite);
  if (!suite || hello.extensions.empty() ||
      hello.extensions.back().type != ExtensionType::pre_shared_key) {
    return Error(ErrorCode::internal_error, "pre_shared_key", "no PSK offer to bind");
  }
  messages::Extension& ext = hello.extensions.back();
  auto psks = HS_TRY(messages::parse_pre_shared_key_client(ext.data));
  std::vector<uint8_t> raw;
  HS_TRY(messages::serialize_message(hello, raw));
  // RFC 8446 §4.2.11.2: the binder is over "the partial ClientHello up to and including the
  // PreSharedKeyExtension.identities field", i.e. without the binders list, which is the last
  // psk_binders_size() bytes of the message.
  const size_t binders = messages::psk_binders_size(psks);
  if (binders > raw.size()) {
    return Error(ErrorCode::internal_error, "pre_shared_key", "binders larger than the hello");
  }
  detail::Transcript t =
      prefix != nullptr ? prefix->clone() : detail::Transcript(provider, suite->hash);
  t.add(std::span<const uint8_t>(raw).first(raw.size() - binders));
  // RFC 8446 §7.1: binder_key = Derive-Secret(Early Secret, "res binder", "") for a resumption
  // PSK, "ext binder" for an external one.
  auto early = keyschedule::EarlySecret::make(provider, suite->hash, session.secret.expose());
  auto binder_key = HS_TRY(early.binder_key(external ? keyschedule::PskKind::external
                                                     : keyschedule::PskKind::resumption));
  auto binder =
      HS_TRY(keyschedule::psk_binder(provider, suite->hash, binder_key.expose(), t.current()));
  // The binder travels in the clear inside the ClientHello: public by design.
  psks.binders.front() = declassify(binder.expose());
  ext.data.clear();
  HS_TRY(messages::serialize_pre_shared_key_client(psks, ext.data));
  raw.clear();
  HS_TRY(messages::serialize_message(hello, raw));
  return raw;
}

}  // namespace hs::client13

// Helpers for the server13 tests (named *_test.cc so the test glob picks it up; it holds no
// tests itself).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "handshake/common/suites.h"
#include "keyschedule/tls13_transcript.h"
#include "unit/handshake/server13/server13_harness.h"

namespace hs::test {

namespace {

std::unique_ptr<Tls13Certs> generate() {
  const std::string san = "DNS:localhost,IP:127.0.0.1";
  auto certs = shared_certs("server13-certs",
                            {{"ed25519", "ed25519", "localhost", san},
                             {"ed448", "ed448", "localhost", san},
                             {"ec521", "ec -pkeyopt ec_paramgen_curve:P-521", "localhost", san}});
  if (!certs) {
    return nullptr;
  }
  auto& c = *certs;
  return std::make_unique<Tls13Certs>(
      Tls13Certs{std::move(c[0]), std::move(c[1]), std::move(c[2])});
}

Result<void> transfer(Connection& from, Connection& to) {
  std::vector<uint8_t> out(from.output().begin(), from.output().end());
  from.consume_output(out.size());
  if (out.empty()) {
    return ok_result();
  }
  return to.receive(out);
}

}  // namespace

const Tls13Certs* tls13_certs() {
  static std::unique_ptr<Tls13Certs> certs = generate();
  if (!certs) {
    ADD_FAILURE() << "Ed25519 / Ed448 / P-521 test certificates unavailable";
  }
  return certs.get();
}

std::shared_ptr<ClientConfig> client13_config(std::vector<CipherSuite> suites,
                                              std::vector<NamedGroup> groups) {
  auto c = std::make_shared<ClientConfig>();
  bool any12 = false;
  for (CipherSuite s : suites) {
    any12 = any12 || !detail::is_tls13_suite(s);
  }
  if (!any12) {
    c->min_version = ProtocolVersion::tls1_3;
  }
  c->cipher_suites = std::move(suites);
  c->groups = std::move(groups);
  c->dangerous_skip_verification = true;
  c->provider = &test_provider();
  return c;
}

void Pair13::pump() {
  for (int i = 0; i < 32 && (client->wants_write() || server->wants_write()); ++i) {
    auto r = transfer(*client, *server);
    if (!r.ok() && !server_error) {
      server_error = r.error();
    }
    auto r2 = transfer(*server, *client);
    if (!r2.ok() && !client_error) {
      client_error = r2.error();
    }
  }
}

Pair13 connect13(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc,
                 Observer* server_observer, std::string host) {
  Pair13 p;
  auto server = Connection::server(std::move(sc));
  EXPECT_TRUE(server.ok());
  p.server = std::move(server).value();
  p.server->set_observer(server_observer);
  auto client = Connection::client(std::move(cc), std::move(host));
  EXPECT_TRUE(client.ok()) << client.error().message();
  p.client = std::move(client).value();
  p.pump();
  return p;
}

void exchange_data(Pair13& p) {
  const std::string ping = "ping from the client";
  const std::string pong = "pong from the server";
  ASSERT_TRUE(p.client
                  ->write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(ping.data()),
                                                   ping.size()))
                  .ok());
  ASSERT_TRUE(p.server
                  ->write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(pong.data()),
                                                   pong.size()))
                  .ok());
  p.pump();
  std::vector<uint8_t> buf(256);
  size_t n = p.server->read(buf);
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + static_cast<long>(n)), ping);
  n = p.client->read(buf);
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + static_cast<long>(n)), pong);
}

// ---- ScriptedClient13 ----

Result<void> ScriptedClient13::deliver(std::span<const uint8_t> raw) {
  return driver_.on_handshake(ctx_, view(raw));
}

Result<void> ScriptedClient13::deliver_in_transcript(std::span<const uint8_t> raw) {
  HS_TRY(deliver(raw));
  transcript_->add(raw);
  return ok_result();
}

Result<void> ScriptedClient13::send_hello(const Hello13Options& opts, bool second) {
  const crypto::Provider& provider = test_provider();
  messages::ClientHello ch;
  ch.legacy_version = opts.legacy_version;
  ch.random.fill(0x42);
  ch.legacy_session_id = opts.session_id;
  ch.cipher_suites = opts.suites;
  ch.compression_methods = opts.compression;
  auto add = [&](ExtensionType type, auto&& fn) {
    auto ext = messages::make_extension(type, fn);
    EXPECT_TRUE(ext.ok());
    ch.extensions.push_back(std::move(ext).value());
  };
  if (!opts.sni.empty()) {
    add(ExtensionType::server_name,
        [&](auto& out) { return messages::serialize_server_name(opts.sni, out); });
  }
  add(ExtensionType::supported_versions,
      [&](auto& out) { return messages::serialize_supported_versions_client(opts.versions, out); });
  if (opts.groups) {
    add(ExtensionType::supported_groups,
        [&](auto& out) { return messages::serialize_supported_groups(*opts.groups, out); });
  }
  if (opts.schemes) {
    add(ExtensionType::signature_algorithms,
        [&](auto& out) { return messages::serialize_signature_algorithms(*opts.schemes, out); });
  }
  shares_.clear();
  if (opts.key_share) {
    std::vector<messages::KeyShareEntry> entries;
    for (NamedGroup g : opts.share_groups) {
      auto share = provider.generate_key_share(g);
      EXPECT_TRUE(share.ok());
      auto pub = share.value()->public_key();
      entries.push_back({g, std::vector<uint8_t>(pub.begin(), pub.end())});
      shares_.push_back(std::move(share).value());
    }
    add(ExtensionType::key_share,
        [&](auto& out) { return messages::serialize_key_share_client(entries, out); });
  }
  if (opts.cookie) {
    add(ExtensionType::cookie,
        [&](auto& out) { return messages::serialize_cookie(*opts.cookie, out); });
  }
  if (opts.psk_modes || opts.psk_ticket) {
    add(ExtensionType::psk_key_exchange_modes, [&](auto& out) {
      return messages::serialize_psk_key_exchange_modes(opts.psk_mode_list, out);
    });
  }
  if (opts.early_data) {
    ch.extensions.push_back(messages::Extension{ExtensionType::early_data, {}});
  }
  for (const auto& e : opts.extra) {
    ch.extensions.push_back(e);
  }
  std::vector<uint8_t> raw;
  if (opts.psk_ticket) {
    messages::OfferedPsks psks;
    for (const auto& decoy : opts.psk_decoys) {
      psks.identities.push_back({decoy, 0});
      psks.binders.push_back(std::vector<uint8_t>(crypto::hash_len(opts.psk_hash), 0x5A));
    }
    const size_t ours = psks.identities.size();
    // An external PSK has no ticket age (RFC 8446 §4.2.11: "For identities established
    // externally, an obfuscated_ticket_age of 0 SHOULD be used").
    psks.identities.push_back(
        {*opts.psk_ticket, opts.psk_obfuscated_age.value_or(opts.psk_external ? 0 : 1234)});
    psks.binders.push_back(std::vector<uint8_t>(crypto::hash_len(opts.psk_hash), 0));
    add(ExtensionType::pre_shared_key,
        [&](auto& out) { return messages::serialize_pre_shared_key_client(psks, out); });
    if (opts.psk_not_last) {
      ch.extensions.push_back(messages::Extension{static_cast<ExtensionType>(0x7777), {1, 2}});
    }
    EXPECT_TRUE(messages::serialize_message(ch, raw).ok());
    // RFC 8446 §4.2.11.2: the binder is an HMAC over the transcript up to the truncated hello.
    detail::Transcript t(provider, opts.psk_hash);
    if (second) {
      t.add(keyschedule::message_hash_of(provider, opts.psk_hash, ch1_raw_));
      t.add(hrr_raw_);
    }
    t.add(std::span<const uint8_t>(raw).first(raw.size() - messages::psk_binders_size(psks)));
    auto early = keyschedule::EarlySecret::make(provider, opts.psk_hash, opts.psk_secret);
    auto bk = early.binder_key(opts.psk_external ? keyschedule::PskKind::external
                                                 : keyschedule::PskKind::resumption);
    EXPECT_TRUE(bk.ok());
    auto binder = keyschedule::psk_binder(provider, opts.psk_hash, bk->expose(), t.current());
    EXPECT_TRUE(binder.ok());
    psks.binders[ours] = declassify(binder->expose());
    if (opts.corrupt_binder) {
      psks.binders[ours][0] ^= 1;
    }
    for (auto& e : ch.extensions) {
      if (e.type == ExtensionType::pre_shared_key) {
        e.data.clear();
        EXPECT_TRUE(messages::serialize_pre_shared_key_client(psks, e.data).ok());
      }
    }
    raw.clear();
  }
  EXPECT_TRUE(messages::serialize_message(ch, raw).ok());
  ctx_.take_sent();
  HS_TRY(deliver(raw));
  auto sent = ctx_.take_sent();
  server_flight = sent;
  if (sent.empty() || sent[0].type != HandshakeType::server_hello) {
    return Error(ErrorCode::internal_error, "test", "no ServerHello");
  }
  auto sh = messages::parse_server_hello(std::span<const uint8_t>(sent[0].raw).subspan(4));
  EXPECT_TRUE(sh.ok());
  if (messages::is_hello_retry_request(*sh)) {
    ch1_raw_ = raw;
    hrr_raw_ = sent[0].raw;
    for (const auto& e : sh->extensions) {
      if (e.type == ExtensionType::cookie) {
        hrr_cookie = messages::parse_cookie(e.data).value();
      } else if (e.type == ExtensionType::key_share) {
        hrr_group = messages::parse_key_share_hrr(e.data).value();
      }
    }
    return ok_result();
  }
  server_hello = *sh;
  suite = sh->cipher_suite;
  hash_ = detail::suite_info(suite)->hash;
  transcript_.emplace(provider, hash_);
  if (second) {
    transcript_->add(keyschedule::message_hash_of(provider, hash_, ch1_raw_));
    transcript_->add(hrr_raw_);
  }
  transcript_->add(raw);
  transcript_->add(sent[0].raw);
  const auto* ks = messages::find_extension(sh->extensions, ExtensionType::key_share);
  // Without key_share the server chose psk_ke (RFC 8446 §4.2.9): zeros stand for the (EC)DHE
  // secret (§7.1).
  SecretBytes shared(crypto::hash_len(hash_));
  if (ks == nullptr && !detail::contains<messages::PskKeyExchangeMode>(
                           opts.psk_mode_list, messages::PskKeyExchangeMode::psk_ke)) {
    return Error(ErrorCode::internal_error, "test", "no key_share in ServerHello");
  }
  if (ks != nullptr) {
    auto server_share = HS_TRY(messages::parse_key_share_server(ks->data));
    for (auto& s : shares_) {
      if (s->group() == server_share.group) {
        shared = HS_TRY(s->derive(server_share.key_exchange));
      }
    }
  }
  const bool psk = messages::find_extension(sh->extensions, ExtensionType::pre_shared_key);
  auto early = psk ? keyschedule::EarlySecret::make(provider, hash_, opts.psk_secret)
                   : keyschedule::EarlySecret::make(provider, hash_);
  auto hs = HS_TRY(keyschedule::HandshakeSecret::derive(std::move(early), shared.expose()));
  auto client_hs = HS_TRY(hs.client_handshake_traffic_secret(transcript_->current()));
  auto server_hs = HS_TRY(hs.server_handshake_traffic_secret(transcript_->current()));
  saw_certificate = false;
  for (size_t i = 1; i < sent.size(); ++i) {
    const auto& m = sent[i];
    EXPECT_TRUE(m.encrypted);
    if (m.type == HandshakeType::encrypted_extensions) {
      encrypted_extensions =
          messages::parse_encrypted_extensions(std::span<const uint8_t>(m.raw).subspan(4)).value();
    } else if (m.type == HandshakeType::certificate) {
      saw_certificate = true;
    } else if (m.type == HandshakeType::finished) {
      auto fin = HS_TRY(messages::parse_finished(std::span<const uint8_t>(m.raw).subspan(4),
                                                 crypto::hash_len(hash_)));
      HS_TRY(keyschedule::verify_finished13(provider, server_hs, transcript_->current(),
                                            fin.verify_data));
    }
    transcript_->add(m.raw);
  }
  master_ = HS_TRY(keyschedule::MasterSecret::derive(std::move(hs)));
  client_hs_ = std::move(client_hs);
  return ok_result();
}

Result<void> ScriptedClient13::hello(const Hello13Options& opts) { return send_hello(opts, false); }

Result<void> ScriptedClient13::retry(const Hello13Options& opts) { return send_hello(opts, true); }

Result<void> ScriptedClient13::finished(bool corrupt, bool ccs) {
  const crypto::Provider& provider = test_provider();
  if (ccs) {
    HS_TRY(driver_.on_change_cipher_spec(ctx_));
  }
  auto vd =
      HS_TRY(keyschedule::finished_verify_data13(provider, *client_hs_, transcript_->current()));
  messages::Finished fin{declassify(vd.expose())};
  if (corrupt) {
    fin.verify_data.back() ^= 1;
  }
  std::vector<uint8_t> raw;
  HS_TRY(messages::serialize_message(fin, raw));
  HS_TRY(deliver(raw));
  transcript_->add(raw);
  auto rms = HS_TRY(master_->resumption_master_secret(transcript_->current()));
  resumption_ = declassify(rms.expose());
  return ok_result();
}

std::vector<ScriptedClient13::Ticket> ScriptedClient13::tickets() const {
  std::vector<Ticket> out;
  for (const auto& m : ctx_.sent) {
    if (m.type != HandshakeType::new_session_ticket) {
      continue;
    }
    auto nst =
        messages::parse_new_session_ticket13(std::span<const uint8_t>(m.raw).subspan(4)).value();
    auto psk = keyschedule::psk_from_ticket(test_provider(), hash_, resumption_, nst.nonce).value();
    out.push_back({nst.ticket, declassify(psk.expose()), nst.age_add});
  }
  return out;
}

}  // namespace hs::test

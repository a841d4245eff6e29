// The TLS 1.3 key schedule stages against RFC 8448, byte for byte: §3 (Simple 1-RTT), §4
// (Resumed 0-RTT: binder, early secrets) and §5 (HelloRetryRequest: the message_hash
// transcript). Every expected value and every message is RFC 8448 hex stored in
// tests/vectors/rfc8448/ (see the README there); transcript hashes are computed here from the
// RFC's messages and also compared with the hashes the RFC prints.
#include "keyschedule/tls13_schedule.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "codec/reader.h"
#include "crypto/openssl/openssl_provider.h"
#include "keyschedule/hkdf13.h"
#include "keyschedule/tls13_keylog.h"
#include "keyschedule/tls13_transcript.h"
#include "record/protection.h"
#include "unit/crypto/test_util.h"

namespace hs::keyschedule {
namespace {

using crypto::AeadAlg;
using crypto::HashAlg;
using hs::testing::hex;
using hs::testing::vec;
using Bytes = std::vector<uint8_t>;

constexpr HashAlg kSha256 = HashAlg::sha256;
// RFC 8448 §3-§5 all negotiate TLS_AES_128_GCM_SHA256 (cipher suite 13 01 in each ServerHello).
constexpr AeadAlg kAes128Gcm = AeadAlg::aes_128_gcm;

const crypto::OpenSslProvider& provider() {
  static const crypto::OpenSslProvider p;
  return p;
}

// rfc loads tests/vectors/rfc8448/<name>.hex, whitespace stripped.
Bytes rfc(const std::string& name) {
  const Bytes raw = hs::testing::read_vector("rfc8448/" + name + ".hex");
  std::string text(raw.begin(), raw.end());
  std::erase_if(text, [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
  return hex(text);
}

// transcript_hash is SHA-256 over the concatenation of whole handshake messages (RFC 8446,
// 4.4.1: "Transcript-Hash(M1, M2, ... Mn) = Hash(M1 || M2 || ... || Mn)").
Bytes transcript_hash(std::initializer_list<Bytes> messages) {
  auto h = provider().make_hash(kSha256);
  for (const Bytes& m : messages) {
    h->update(m);
  }
  Bytes out(crypto::hash_len(kSha256));
  h->current(out);
  return out;
}

// finished_body is the verify_data of a Finished message vector (14 00 00 20 || verify_data).
Bytes finished_body(const Bytes& finished) {
  codec::Reader r(finished);
  uint8_t type = 0;
  codec::Reader body;
  EXPECT_TRUE(r.read_u8(type) && r.read_prefixed(codec::Len::u24, 32, 32, body) && r.expect_end());
  EXPECT_EQ(type, 20);
  return vec(body.take_rest());
}

// ticket_nonce reads NewSessionTicket.ticket_nonce from the message vector (RFC 8446, 4.6.1:
// uint32 ticket_lifetime; uint32 ticket_age_add; opaque ticket_nonce<0..255>; ...).
Bytes ticket_nonce(const Bytes& nst) {
  codec::Reader r(nst);
  uint8_t type = 0;
  uint32_t lifetime = 0;
  uint32_t age_add = 0;
  codec::Reader body;
  codec::Reader nonce;
  EXPECT_TRUE(r.read_u8(type) && r.read_prefixed(codec::Len::u24, 0, 0xFFFFFF, body));
  EXPECT_EQ(type, 4);
  EXPECT_TRUE(body.read_u32(lifetime) && body.read_u32(age_add) &&
              body.read_prefixed(codec::Len::u8, 0, 255, nonce));
  return vec(nonce.take_rest());
}

Bytes bytes_of(const SecretBytes& s) { return vec(s.expose()); }

// sub is bytes [offset, offset + n) of `b` (n = npos: to the end).
Bytes sub(std::span<const uint8_t> b, size_t offset, size_t n = std::dynamic_extent) {
  return vec(b.subspan(offset, n));
}
Bytes bytes_of(const TrafficSecret& s) { return vec(s.secret().expose()); }

Bytes shared_secret(NamedGroup group, const Bytes& private_key, const Bytes& peer_public) {
  auto share = provider().key_share_from_private(group, private_key);
  EXPECT_TRUE(share.ok());
  if (!share.ok()) {
    return {};
  }
  auto shared = (*share)->derive(peer_public);
  EXPECT_TRUE(shared.ok());
  return shared.ok() ? bytes_of(*shared) : Bytes{};
}

// ---------------------------------------------------------------------------------------------
// RFC 8448 §3: Simple 1-RTT Handshake.

TEST(Tls13Schedule, Rfc8448Simple1RttFullSchedule) {
  const auto& p = provider();
  const Bytes ch = rfc("s3_client_hello");
  const Bytes sh = rfc("s3_server_hello");
  const Bytes ee = rfc("s3_encrypted_extensions");
  const Bytes cert = rfc("s3_certificate");
  const Bytes cv = rfc("s3_certificate_verify");
  const Bytes server_fin = rfc("s3_server_finished");
  const Bytes client_fin = rfc("s3_client_finished");

  // Early Secret = HKDF-Extract(0, 0): no PSK.
  EarlySecret early = EarlySecret::make(p, kSha256);
  EXPECT_EQ(vec(early.dangerous_secret()), rfc("s3_early_secret"));

  // (EC)DHE: the client's private key with the server's public key gives the RFC's IKM.
  const Bytes ecdhe = shared_secret(NamedGroup::x25519, rfc("s3_client_x25519_private"),
                                    rfc("s3_server_x25519_public"));
  ASSERT_EQ(ecdhe, rfc("s3_shared_secret"));

  auto hs = HandshakeSecret::derive(std::move(early), ecdhe);
  ASSERT_TRUE(hs.ok());
  EXPECT_EQ(vec(hs->dangerous_secret()), rfc("s3_handshake_secret"));

  const Bytes ch_sh = transcript_hash({ch, sh});
  ASSERT_EQ(ch_sh, rfc("s3_ch_sh_hash"));
  auto c_hs = hs->client_handshake_traffic_secret(ch_sh);
  auto s_hs = hs->server_handshake_traffic_secret(ch_sh);
  ASSERT_TRUE(c_hs.ok() && s_hs.ok());
  EXPECT_EQ(c_hs->kind(), TrafficSecretKind::client_handshake);
  EXPECT_EQ(s_hs->kind(), TrafficSecretKind::server_handshake);
  EXPECT_EQ(bytes_of(*c_hs), rfc("s3_client_handshake_traffic_secret"));
  EXPECT_EQ(bytes_of(*s_hs), rfc("s3_server_handshake_traffic_secret"));

  auto s_hs_keys = traffic_keys(p, *s_hs, kAes128Gcm);
  auto c_hs_keys = traffic_keys(p, *c_hs, kAes128Gcm);
  ASSERT_TRUE(s_hs_keys.ok() && c_hs_keys.ok());
  EXPECT_EQ(bytes_of(s_hs_keys->key), rfc("s3_server_handshake_key"));
  EXPECT_EQ(bytes_of(s_hs_keys->iv), rfc("s3_server_handshake_iv"));
  EXPECT_EQ(bytes_of(c_hs_keys->key), rfc("s3_client_handshake_key"));
  EXPECT_EQ(bytes_of(c_hs_keys->iv), rfc("s3_client_handshake_iv"));

  auto s_fk = finished_key(p, kSha256, s_hs->secret().expose());
  auto c_fk = finished_key(p, kSha256, c_hs->secret().expose());
  ASSERT_TRUE(s_fk.ok() && c_fk.ok());
  EXPECT_EQ(bytes_of(*s_fk), rfc("s3_server_finished_key"));
  EXPECT_EQ(bytes_of(*c_fk), rfc("s3_client_finished_key"));

  // Server Finished: HMAC(finished_key, Transcript-Hash(CH, SH, EE, Certificate, CV)).
  const Bytes to_cv = transcript_hash({ch, sh, ee, cert, cv});
  auto server_vd = finished_verify_data13(p, *s_hs, to_cv);
  ASSERT_TRUE(server_vd.ok());
  EXPECT_EQ(bytes_of(*server_vd), finished_body(server_fin));
  EXPECT_TRUE(verify_finished13(p, *s_hs, to_cv, finished_body(server_fin)).ok());

  auto master = MasterSecret::derive(std::move(*hs));
  ASSERT_TRUE(master.ok());
  EXPECT_EQ(vec(master->dangerous_secret()), rfc("s3_master_secret"));

  const Bytes ch_sf = transcript_hash({ch, sh, ee, cert, cv, server_fin});
  ASSERT_EQ(ch_sf, rfc("s3_ch_sf_hash"));
  auto c_ap = master->client_application_traffic_secret_0(ch_sf);
  auto s_ap = master->server_application_traffic_secret_0(ch_sf);
  auto exp = master->exporter_master_secret(ch_sf);
  ASSERT_TRUE(c_ap.ok() && s_ap.ok() && exp.ok());
  EXPECT_EQ(c_ap->kind(), TrafficSecretKind::client_application);
  EXPECT_EQ(s_ap->kind(), TrafficSecretKind::server_application);
  EXPECT_EQ(bytes_of(*c_ap), rfc("s3_client_application_traffic_secret_0"));
  EXPECT_EQ(bytes_of(*s_ap), rfc("s3_server_application_traffic_secret_0"));
  EXPECT_EQ(bytes_of(*exp), rfc("s3_exporter_master_secret"));

  auto s_ap_keys = traffic_keys(p, *s_ap, kAes128Gcm);
  auto c_ap_keys = traffic_keys(p, *c_ap, kAes128Gcm);
  ASSERT_TRUE(s_ap_keys.ok() && c_ap_keys.ok());
  EXPECT_EQ(bytes_of(s_ap_keys->key), rfc("s3_server_application_key"));
  EXPECT_EQ(bytes_of(s_ap_keys->iv), rfc("s3_server_application_iv"));
  EXPECT_EQ(bytes_of(c_ap_keys->key), rfc("s3_client_application_key"));
  EXPECT_EQ(bytes_of(c_ap_keys->iv), rfc("s3_client_application_iv"));

  // Client Finished: the client is anonymous, so its transcript ends at the server Finished.
  auto client_vd = finished_verify_data13(p, *c_hs, ch_sf);
  ASSERT_TRUE(client_vd.ok());
  EXPECT_EQ(bytes_of(*client_vd), finished_body(client_fin));
  EXPECT_TRUE(verify_finished13(p, *c_hs, ch_sf, finished_body(client_fin)).ok());

  const Bytes ch_cf = transcript_hash({ch, sh, ee, cert, cv, server_fin, client_fin});
  ASSERT_EQ(ch_cf, rfc("s3_ch_cf_hash"));
  auto res = master->resumption_master_secret(ch_cf);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(bytes_of(*res), rfc("s3_resumption_master_secret"));

  // The PSK for the ticket, with the nonce read out of the RFC's NewSessionTicket (00 00).
  const Bytes nonce = ticket_nonce(rfc("s3_new_session_ticket"));
  EXPECT_EQ(nonce, hex("0000"));
  auto psk = psk_from_ticket(p, kSha256, res->expose(), nonce);
  ASSERT_TRUE(psk.ok());
  EXPECT_EQ(bytes_of(*psk), rfc("s3_resumption_psk"));
  // §4 resumes with exactly that PSK.
  EXPECT_EQ(bytes_of(*psk), rfc("s4_psk"));
}

TEST(Tls13Schedule, Rfc8448FinishedMismatchIsBadFinished) {
  const auto& p = provider();
  auto s_hs = TrafficSecret::dangerous_from_bytes(TrafficSecretKind::server_handshake, kSha256,
                                                  rfc("s3_server_handshake_traffic_secret"));
  ASSERT_TRUE(s_hs.ok());
  const Bytes to_cv = transcript_hash({rfc("s3_client_hello"), rfc("s3_server_hello"),
                                       rfc("s3_encrypted_extensions"), rfc("s3_certificate"),
                                       rfc("s3_certificate_verify")});
  Bytes vd = finished_body(rfc("s3_server_finished"));
  ASSERT_TRUE(verify_finished13(p, *s_hs, to_cv, vd).ok());
  for (size_t i : {size_t{0}, vd.size() - 1}) {
    Bytes bad = vd;
    bad[i] ^= 0x01;
    auto r = verify_finished13(p, *s_hs, to_cv, bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::bad_finished);
    EXPECT_EQ(r.error().alert(), AlertDescription::decrypt_error);
  }
  // Truncated verify_data, and the right verify_data under the wrong key (the client's).
  EXPECT_FALSE(verify_finished13(p, *s_hs, to_cv, sub(vd, 0, vd.size() - 1)).ok());
  auto c_hs = TrafficSecret::dangerous_from_bytes(TrafficSecretKind::client_handshake, kSha256,
                                                  rfc("s3_client_handshake_traffic_secret"));
  ASSERT_TRUE(c_hs.ok());
  EXPECT_FALSE(verify_finished13(p, *c_hs, to_cv, vd).ok());
  // A transcript hash of the wrong length is our bug, not the peer's.
  auto short_hash = finished_verify_data13(p, *s_hs, Bytes(31, 0));
  ASSERT_FALSE(short_hash.ok());
  EXPECT_EQ(short_hash.error().code(), ErrorCode::internal_error);
}

// The server's second flight of RFC 8448 §3 (EncryptedExtensions..Finished in one record)
// opens under the server handshake keys we derive, through the record layer's TLS 1.3 AEAD.
TEST(Tls13Schedule, Rfc8448ServerFlightDecryptsWithDerivedKeys) {
  const auto& p = provider();
  EarlySecret early = EarlySecret::make(p, kSha256);
  auto hs = HandshakeSecret::derive(std::move(early), rfc("s3_shared_secret"));
  ASSERT_TRUE(hs.ok());
  auto s_hs = hs->server_handshake_traffic_secret(
      transcript_hash({rfc("s3_client_hello"), rfc("s3_server_hello")}));
  ASSERT_TRUE(s_hs.ok());
  auto keys = traffic_keys(p, *s_hs, kAes128Gcm);
  ASSERT_TRUE(keys.ok());
  auto protection =
      record::make_tls13_protection(p, kAes128Gcm, keys->key.expose(), keys->iv.expose());
  ASSERT_TRUE(protection.ok());

  Bytes record = rfc("s3_server_flight_record");
  codec::Reader r(record);
  uint8_t type = 0;
  uint16_t version = 0;
  codec::Reader fragment;
  ASSERT_TRUE(r.read_u8(type) && r.read_u16(version) &&
              r.read_prefixed(codec::Len::u16, 0, 0xFFFF, fragment) && r.expect_end());
  Bytes ciphertext = vec(fragment.take_rest());
  auto opened = (*protection)->open(static_cast<ContentType>(type), version, ciphertext);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(opened->type, ContentType::handshake);
  EXPECT_EQ(vec(opened->plaintext), rfc("s3_server_flight_plaintext"));
  // ... and the plaintext is exactly EE || Certificate || CertificateVerify || Finished.
  Bytes flight = rfc("s3_encrypted_extensions");
  for (const char* m : {"s3_certificate", "s3_certificate_verify", "s3_server_finished"}) {
    const Bytes b = rfc(m);
    flight.insert(flight.end(), b.begin(), b.end());
  }
  EXPECT_EQ(vec(opened->plaintext), flight);
}

TEST(Tls13Schedule, NextApplicationTrafficSecretOnlyFromApplicationSecrets) {
  const auto& p = provider();
  auto c_ap = TrafficSecret::dangerous_from_bytes(TrafficSecretKind::client_application, kSha256,
                                                  rfc("s3_client_application_traffic_secret_0"));
  ASSERT_TRUE(c_ap.ok());
  auto next = next_application_traffic_secret(p, *c_ap);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->kind(), TrafficSecretKind::client_application);
  // RFC 8448 has no KeyUpdate, so this checks the RFC 8446 §7.2 formula over the (RFC 8448
  // checked) HKDF-Expand-Label: the "traffic upd" label with an empty context.
  auto expected = hkdf_expand_label(p, kSha256, rfc("s3_client_application_traffic_secret_0"),
                                    "traffic upd", {}, 32);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(bytes_of(*next), bytes_of(*expected));
  EXPECT_NE(bytes_of(*next), rfc("s3_client_application_traffic_secret_0"));
  auto next2 = next_application_traffic_secret(p, *next);
  ASSERT_TRUE(next2.ok());
  EXPECT_NE(bytes_of(*next2), bytes_of(*next));

  for (TrafficSecretKind kind :
       {TrafficSecretKind::client_early, TrafficSecretKind::client_handshake,
        TrafficSecretKind::server_handshake}) {
    auto s = TrafficSecret::dangerous_from_bytes(kind, kSha256,
                                                 rfc("s3_client_handshake_traffic_secret"));
    ASSERT_TRUE(s.ok());
    auto r = next_application_traffic_secret(p, *s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  }
}

TEST(Tls13Schedule, TrafficKeyLengthsFollowTheAead) {
  const auto& p = provider();
  auto s = TrafficSecret::dangerous_from_bytes(TrafficSecretKind::server_application, kSha256,
                                               rfc("s3_server_application_traffic_secret_0"));
  ASSERT_TRUE(s.ok());
  for (AeadAlg alg : {AeadAlg::aes_128_gcm, AeadAlg::aes_256_gcm, AeadAlg::chacha20_poly1305}) {
    auto keys = traffic_keys(p, *s, alg);
    ASSERT_TRUE(keys.ok());
    EXPECT_EQ(keys->key.size(), crypto::aead_key_len(alg));
    EXPECT_EQ(keys->iv.size(), 12u);
  }
  // The 16-byte key is a prefix of nothing: HKDF-Expand-Label puts the length in the info, so
  // the AES-256 key does not start with the RFC's AES-128 key.
  auto k256 = traffic_keys(p, *s, AeadAlg::aes_256_gcm);
  ASSERT_TRUE(k256.ok());
  EXPECT_NE(sub(k256->key.expose(), 0, 16), rfc("s3_server_application_key"));
  EXPECT_FALSE(TrafficSecret::dangerous_from_bytes(TrafficSecretKind::server_application, kSha256,
                                                   Bytes(31, 1))
                   .ok());
}

TEST(Tls13Schedule, StageMethodsRejectShortTranscriptHashes) {
  const auto& p = provider();
  EarlySecret early = EarlySecret::make(p, kSha256);
  EXPECT_FALSE(early.client_early_traffic_secret(Bytes(20, 0)).ok());
  auto hs = HandshakeSecret::derive(std::move(early), rfc("s3_shared_secret"));
  ASSERT_TRUE(hs.ok());
  EXPECT_FALSE(hs->client_handshake_traffic_secret(Bytes(31, 0)).ok());
  auto master = MasterSecret::derive(std::move(*hs));
  ASSERT_TRUE(master.ok());
  EXPECT_FALSE(master->resumption_master_secret({}).ok());
}

TEST(Tls13Schedule, ExporterFollowsRfc8446Section7_5) {
  const auto& p = provider();
  // No RFC 8448 trace exports keying material, so this checks the §7.5 composition over the
  // RFC 8448 exporter_master_secret with the (RFC 8448 checked) Derive-Secret and
  // HKDF-Expand-Label.
  const Bytes ems = rfc("s3_exporter_master_secret");
  const Bytes context = hs::testing::bytes("context value");
  auto out = export_keying_material(p, kSha256, ems, "EXPORTER-test", context, 42);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->size(), 42u);

  auto per_label = derive_secret(p, kSha256, ems, "EXPORTER-test", empty_hash(p, kSha256));
  ASSERT_TRUE(per_label.ok());
  const Bytes context_hash = transcript_hash({context});
  auto expected = hkdf_expand_label(p, kSha256, per_label->expose(), "exporter", context_hash, 42);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(bytes_of(*out), bytes_of(*expected));

  // "providing no context computes the same value as providing an empty context": Hash("").
  auto no_context = export_keying_material(p, kSha256, ems, "EXPORTER-test", {}, 42);
  ASSERT_TRUE(no_context.ok());
  EXPECT_NE(bytes_of(*no_context), bytes_of(*out));
  auto expected_empty =
      hkdf_expand_label(p, kSha256, per_label->expose(), "exporter", empty_hash(p, kSha256), 42);
  ASSERT_TRUE(expected_empty.ok());
  EXPECT_EQ(bytes_of(*no_context), bytes_of(*expected_empty));

  auto other_label = export_keying_material(p, kSha256, ems, "EXPORTER-other", context, 42);
  ASSERT_TRUE(other_label.ok());
  EXPECT_NE(bytes_of(*other_label), bytes_of(*out));

  EXPECT_FALSE(export_keying_material(p, kSha256, ems, "", context, 42).ok());
  EXPECT_FALSE(export_keying_material(p, kSha256, ems, std::string(250, 'x'), context, 42).ok());
  EXPECT_FALSE(
      export_keying_material(p, kSha256, ems, "EXPORTER-test", context, 255 * 32 + 1).ok());
}

TEST(Tls13Schedule, KeyLogLabelsAreTheDraftNames) {
  // draft-ietf-tls-keylogfile-05, 2.1.
  EXPECT_EQ(keylog_label(TrafficSecretKind::client_early), "CLIENT_EARLY_TRAFFIC_SECRET");
  EXPECT_EQ(keylog_label(TrafficSecretKind::client_handshake), "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
  EXPECT_EQ(keylog_label(TrafficSecretKind::server_handshake), "SERVER_HANDSHAKE_TRAFFIC_SECRET");
  EXPECT_EQ(keylog_label(TrafficSecretKind::client_application), "CLIENT_TRAFFIC_SECRET_0");
  EXPECT_EQ(keylog_label(TrafficSecretKind::server_application), "SERVER_TRAFFIC_SECRET_0");
  EXPECT_EQ(kKeyLogExporterSecret, "EXPORTER_SECRET");
  EXPECT_EQ(kKeyLogEarlyExporterSecret, "EARLY_EXPORTER_SECRET");
}

// ---------------------------------------------------------------------------------------------
// RFC 8448 §4: Resumed 0-RTT Handshake.

TEST(Tls13Schedule, Rfc8448ResumptionBinderAndEarlySecrets) {
  const auto& p = provider();
  EarlySecret early = EarlySecret::make(p, kSha256, rfc("s4_psk"));
  EXPECT_EQ(vec(early.dangerous_secret()), rfc("s4_early_secret"));

  auto binder_key = early.binder_key(PskKind::resumption);
  ASSERT_TRUE(binder_key.ok());
  EXPECT_EQ(bytes_of(*binder_key), rfc("s4_binder_key"));
  auto ext_binder_key = early.binder_key(PskKind::external);
  ASSERT_TRUE(ext_binder_key.ok());
  EXPECT_NE(bytes_of(*ext_binder_key), bytes_of(*binder_key));
  auto binder_fk = finished_key(p, kSha256, binder_key->expose());
  ASSERT_TRUE(binder_fk.ok());
  EXPECT_EQ(bytes_of(*binder_fk), rfc("s4_binder_finished_key"));

  // The ClientHello as sent ends with the binders list: 00 21 (length) 20 (binder length) and
  // the 32-byte binder. Truncate() removes exactly that list.
  const Bytes full_ch = rfc("s4_client_hello");
  ASSERT_EQ(full_ch.size(), 512u);
  const Bytes truncated = sub(full_ch, 0, full_ch.size() - 35);
  EXPECT_EQ(truncated, rfc("s4_client_hello_prefix"));
  const Bytes binders_list = sub(full_ch, full_ch.size() - 35);
  EXPECT_EQ(sub(binders_list, 0, 3), hex("00 21 20"));
  const Bytes binder_on_wire = sub(binders_list, 3);

  const Bytes truncated_hash = transcript_hash({truncated});
  ASSERT_EQ(truncated_hash, rfc("s4_binder_hash"));
  auto binder = psk_binder(p, kSha256, binder_key->expose(), truncated_hash);
  ASSERT_TRUE(binder.ok());
  EXPECT_EQ(bytes_of(*binder), rfc("s4_binder"));
  EXPECT_EQ(bytes_of(*binder), binder_on_wire);
  EXPECT_TRUE(
      verify_psk_binder(p, kSha256, binder_key->expose(), truncated_hash, binder_on_wire).ok());
  Bytes bad = binder_on_wire;
  bad[5] ^= 0x80;
  auto r = verify_psk_binder(p, kSha256, binder_key->expose(), truncated_hash, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_finished);
  // The external-PSK label gives a binder the server would reject.
  EXPECT_FALSE(
      verify_psk_binder(p, kSha256, ext_binder_key->expose(), truncated_hash, binder_on_wire).ok());

  // 0-RTT secrets hash the whole ClientHello, binders included.
  const Bytes ch_hash = transcript_hash({full_ch});
  ASSERT_EQ(ch_hash, rfc("s4_client_hello_hash"));
  auto c_e = early.client_early_traffic_secret(ch_hash);
  auto e_exp = early.early_exporter_master_secret(ch_hash);
  ASSERT_TRUE(c_e.ok() && e_exp.ok());
  EXPECT_EQ(c_e->kind(), TrafficSecretKind::client_early);
  EXPECT_EQ(keylog_label(c_e->kind()), kKeyLogClientEarlyTrafficSecret);
  EXPECT_EQ(bytes_of(*c_e), rfc("s4_client_early_traffic_secret"));
  EXPECT_EQ(bytes_of(*e_exp), rfc("s4_early_exporter_master_secret"));
  auto early_keys = traffic_keys(p, *c_e, kAes128Gcm);
  ASSERT_TRUE(early_keys.ok());
  EXPECT_EQ(bytes_of(early_keys->key), rfc("s4_client_early_key"));
  EXPECT_EQ(bytes_of(early_keys->iv), rfc("s4_client_early_iv"));
}

TEST(Tls13Schedule, Rfc8448ResumptionHandshakeWithEndOfEarlyData) {
  const auto& p = provider();
  const Bytes ch = rfc("s4_client_hello");
  const Bytes sh = rfc("s4_server_hello");
  const Bytes ee = rfc("s4_encrypted_extensions");
  const Bytes server_fin = rfc("s4_server_finished");
  const Bytes eoed = rfc("s4_end_of_early_data");
  const Bytes client_fin = rfc("s4_client_finished");

  auto hs = HandshakeSecret::derive(EarlySecret::make(p, kSha256, rfc("s4_psk")),
                                    rfc("s4_shared_secret"));
  ASSERT_TRUE(hs.ok());
  EXPECT_EQ(vec(hs->dangerous_secret()), rfc("s4_handshake_secret"));
  const Bytes ch_sh = transcript_hash({ch, sh});
  auto c_hs = hs->client_handshake_traffic_secret(ch_sh);
  auto s_hs = hs->server_handshake_traffic_secret(ch_sh);
  ASSERT_TRUE(c_hs.ok() && s_hs.ok());
  EXPECT_EQ(bytes_of(*c_hs), rfc("s4_client_handshake_traffic_secret"));
  EXPECT_EQ(bytes_of(*s_hs), rfc("s4_server_handshake_traffic_secret"));

  // PSK handshake: no Certificate/CertificateVerify, the server Finished covers CH, SH, EE.
  auto server_vd = finished_verify_data13(p, *s_hs, transcript_hash({ch, sh, ee}));
  ASSERT_TRUE(server_vd.ok());
  EXPECT_EQ(bytes_of(*server_vd), finished_body(server_fin));

  auto master = MasterSecret::derive(std::move(*hs));
  ASSERT_TRUE(master.ok());
  EXPECT_EQ(vec(master->dangerous_secret()), rfc("s4_master_secret"));
  const Bytes ch_sf = transcript_hash({ch, sh, ee, server_fin});
  auto c_ap = master->client_application_traffic_secret_0(ch_sf);
  auto s_ap = master->server_application_traffic_secret_0(ch_sf);
  auto exp = master->exporter_master_secret(ch_sf);
  ASSERT_TRUE(c_ap.ok() && s_ap.ok() && exp.ok());
  EXPECT_EQ(bytes_of(*c_ap), rfc("s4_client_application_traffic_secret_0"));
  EXPECT_EQ(bytes_of(*s_ap), rfc("s4_server_application_traffic_secret_0"));
  EXPECT_EQ(bytes_of(*exp), rfc("s4_exporter_master_secret"));

  // RFC 8446, 4.4.1: EndOfEarlyData sits between the server Finished and the client Finished.
  auto client_vd =
      finished_verify_data13(p, *c_hs, transcript_hash({ch, sh, ee, server_fin, eoed}));
  ASSERT_TRUE(client_vd.ok());
  EXPECT_EQ(bytes_of(*client_vd), finished_body(client_fin));
  auto res =
      master->resumption_master_secret(transcript_hash({ch, sh, ee, server_fin, eoed, client_fin}));
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(bytes_of(*res), rfc("s4_resumption_master_secret"));
}

// ---------------------------------------------------------------------------------------------
// RFC 8448 §5: HelloRetryRequest.

TEST(Tls13Schedule, MessageHashMessageLayout) {
  const Bytes digest = rfc("s3_ch_sh_hash");  // any 32 bytes
  const Bytes m = message_hash_message(digest);
  ASSERT_EQ(m.size(), 4u + 32u);
  EXPECT_EQ(sub(m, 0, 4), hex("fe 00 00 20"));
  EXPECT_EQ(sub(m, 4), digest);
  const Bytes ch1 = rfc("s5_client_hello1");
  const Bytes from_message = message_hash_of(provider(), kSha256, ch1);
  EXPECT_EQ(from_message, message_hash_message(transcript_hash({ch1})));
}

TEST(Tls13Schedule, Rfc8448HelloRetryRequestTranscript) {
  const auto& p = provider();
  const Bytes ch1 = rfc("s5_client_hello1");
  const Bytes hrr = rfc("s5_hello_retry_request");
  const Bytes ch2 = rfc("s5_client_hello2");
  const Bytes sh = rfc("s5_server_hello");
  const Bytes ee = rfc("s5_encrypted_extensions");
  const Bytes cert = rfc("s5_certificate");
  const Bytes cv = rfc("s5_certificate_verify");
  const Bytes server_fin = rfc("s5_server_finished");
  const Bytes client_fin = rfc("s5_client_finished");

  // RFC 8446, 4.4.1: ClientHello1 is replaced by message_hash || 00 00 20 || Hash(ClientHello1).
  const Bytes mh = message_hash_of(p, kSha256, ch1);
  const Bytes to_sh = transcript_hash({mh, hrr, ch2, sh});
  EXPECT_EQ(to_sh, rfc("s5_transcript_hash_to_sh"));
  // Hashing ClientHello1 itself instead gives a different transcript.
  EXPECT_NE(transcript_hash({ch1, hrr, ch2, sh}), rfc("s5_transcript_hash_to_sh"));

  // The second ClientHello's P-256 share against the server's gives the RFC's IKM.
  const Bytes ecdhe = shared_secret(NamedGroup::secp256r1, rfc("s5_client_p256_private"),
                                    rfc("s5_server_p256_public"));
  ASSERT_EQ(ecdhe, rfc("s5_shared_secret"));

  auto hs = HandshakeSecret::derive(EarlySecret::make(p, kSha256), ecdhe);
  ASSERT_TRUE(hs.ok());
  EXPECT_EQ(vec(hs->dangerous_secret()), rfc("s5_handshake_secret"));
  auto c_hs = hs->client_handshake_traffic_secret(to_sh);
  auto s_hs = hs->server_handshake_traffic_secret(to_sh);
  ASSERT_TRUE(c_hs.ok() && s_hs.ok());
  EXPECT_EQ(bytes_of(*c_hs), rfc("s5_client_handshake_traffic_secret"));
  EXPECT_EQ(bytes_of(*s_hs), rfc("s5_server_handshake_traffic_secret"));

  auto server_vd =
      finished_verify_data13(p, *s_hs, transcript_hash({mh, hrr, ch2, sh, ee, cert, cv}));
  ASSERT_TRUE(server_vd.ok());
  EXPECT_EQ(bytes_of(*server_vd), finished_body(server_fin));

  auto master = MasterSecret::derive(std::move(*hs));
  ASSERT_TRUE(master.ok());
  EXPECT_EQ(vec(master->dangerous_secret()), rfc("s5_master_secret"));
  const Bytes ch_sf = transcript_hash({mh, hrr, ch2, sh, ee, cert, cv, server_fin});
  auto c_ap = master->client_application_traffic_secret_0(ch_sf);
  auto s_ap = master->server_application_traffic_secret_0(ch_sf);
  ASSERT_TRUE(c_ap.ok() && s_ap.ok());
  EXPECT_EQ(bytes_of(*c_ap), rfc("s5_client_application_traffic_secret_0"));
  EXPECT_EQ(bytes_of(*s_ap), rfc("s5_server_application_traffic_secret_0"));
  auto client_vd = finished_verify_data13(p, *c_hs, ch_sf);
  ASSERT_TRUE(client_vd.ok());
  EXPECT_EQ(bytes_of(*client_vd), finished_body(client_fin));
}

}  // namespace
}  // namespace hs::keyschedule

// The session module on its own: ticket key ring, client store, server cache, session files.
#include <gtest/gtest.h>
#include <hs/session.h>

#include <atomic>
#include <thread>

#include "crypto/testing/testing_provider.h"

namespace hs {
namespace {

std::vector<uint8_t> bytes_of(std::string_view s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

StoredSession make_session(uint8_t id_byte, ProtocolVersion v = ProtocolVersion::tls1_2) {
  StoredSession s;
  s.version = v;
  s.suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  s.secret = SecretBytes(std::vector<uint8_t>(48, id_byte));
  s.session_id = std::vector<uint8_t>(32, id_byte);
  s.created_ms = session_now_ms();
  return s;
}

TEST(TicketKeys, SealOpenRoundTripWithTheRfc5077Layout) {
  auto keys = TicketKeys::generate().value();
  const auto plain = bytes_of("session state");
  auto ticket = keys->seal(plain, kTicketPurposeTls12).value();
  ASSERT_EQ(ticket.size(), TicketKeys::kOverhead + plain.size());
  auto name = keys->current_name();
  EXPECT_TRUE(std::equal(name.begin(), name.end(), ticket.begin()));
  auto opened = keys->open(ticket, kTicketPurposeTls12);
  ASSERT_TRUE(opened.has_value());
  EXPECT_TRUE(
      std::equal(plain.begin(), plain.end(), opened->expose().begin(), opened->expose().end()));
  // Two seals of the same state differ (fresh IV).
  EXPECT_NE(keys->seal(plain, kTicketPurposeTls12).value(), ticket);
}

TEST(TicketKeys, PurposeSeparatesVersions) {
  auto keys = TicketKeys::generate().value();
  auto ticket = keys->seal(bytes_of("x"), kTicketPurposeTls12).value();
  EXPECT_FALSE(keys->open(ticket, kTicketPurposeTls13).has_value());
}

TEST(TicketKeys, RotationKeepsPreviousKeysUntilTheyFallOff) {
  auto keys = TicketKeys::generate(nullptr, /*max_keys=*/2).value();
  auto t0 = keys->seal(bytes_of("zero"), kTicketPurposeTls12).value();
  ASSERT_TRUE(keys->rotate().ok());
  auto t1 = keys->seal(bytes_of("one"), kTicketPurposeTls12).value();
  EXPECT_TRUE(keys->open(t0, kTicketPurposeTls12).has_value());  // previous key still opens
  EXPECT_TRUE(keys->open(t1, kTicketPurposeTls12).has_value());
  ASSERT_TRUE(keys->rotate().ok());
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_FALSE(keys->open(t0, kTicketPurposeTls12).has_value());  // rotated out
  EXPECT_TRUE(keys->open(t1, kTicketPurposeTls12).has_value());
}

TEST(TicketKeys, TamperedTruncatedOrForeignTicketsDoNotOpen) {
  auto keys = TicketKeys::generate().value();
  auto other = TicketKeys::generate().value();
  auto ticket = keys->seal(bytes_of("state"), kTicketPurposeTls12).value();
  for (size_t i = 0; i < ticket.size(); ++i) {
    auto bad = ticket;
    bad[i] ^= 0x01;
    EXPECT_FALSE(keys->open(bad, kTicketPurposeTls12).has_value()) << "byte " << i;
  }
  for (size_t n = 0; n < ticket.size(); ++n) {
    EXPECT_FALSE(keys->open(std::span(ticket).first(n), kTicketPurposeTls12).has_value());
  }
  EXPECT_FALSE(other->open(ticket, kTicketPurposeTls12).has_value());
}

TEST(TicketKeys, SharedKeyBytesOpenEachOthersTickets) {
  std::vector<uint8_t> file(2 * TicketKeys::kEntryLen);
  for (size_t i = 0; i < file.size(); ++i) {
    file[i] = static_cast<uint8_t>(i * 7 + 3);
  }
  auto a = TicketKeys::from_bytes(file).value();
  auto b = TicketKeys::from_bytes(file).value();
  EXPECT_EQ(a->size(), 2u);
  auto na = a->current_name();
  EXPECT_TRUE(std::equal(na.begin(), na.end(), file.begin()));  // first entry is current
  auto ticket = a->seal(bytes_of("shared"), kTicketPurposeTls13).value();
  EXPECT_TRUE(b->open(ticket, kTicketPurposeTls13).has_value());
  // A server holding only the second (previous) key still opens tickets sealed by it.
  auto only_prev = TicketKeys::from_bytes(std::span(file).subspan(TicketKeys::kEntryLen)).value();
  auto t_prev = only_prev->seal(bytes_of("old"), kTicketPurposeTls13).value();
  EXPECT_TRUE(a->open(t_prev, kTicketPurposeTls13).has_value());
  EXPECT_FALSE(only_prev->open(ticket, kTicketPurposeTls13).has_value());
}

TEST(TicketKeys, FromBytesRejectsBadSizes) {
  EXPECT_FALSE(TicketKeys::from_bytes({}).ok());
  EXPECT_FALSE(TicketKeys::from_bytes(std::vector<uint8_t>(47)).ok());
  EXPECT_FALSE(TicketKeys::from_bytes(std::vector<uint8_t>(49)).ok());
  EXPECT_EQ(TicketKeys::from_bytes(std::vector<uint8_t>(49)).error().code(),
            ErrorCode::invalid_config);
  EXPECT_TRUE(TicketKeys::from_bytes(std::vector<uint8_t>(48)).ok());
}

TEST(TicketKeys, ConcurrentSealOpenAndRotate) {
  auto keys = TicketKeys::generate(nullptr, 4).value();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto ticket = keys->seal(bytes_of("state"), kTicketPurposeTls12);
        if (!ticket.ok() || !keys->open(ticket.value(), kTicketPurposeTls12).has_value()) {
          ++failures;  // at most one rotation per 50 seals with 4 keys kept: never rotated out
        }
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 2; ++i) {
      (void)keys->rotate();
    }
  });
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(keys->size(), 4u);
}

TEST(SessionFile, RoundTripsEveryField) {
  StoredSession s = make_session(7, ProtocolVersion::tls1_3);
  s.suite = CipherSuite::TLS_AES_256_GCM_SHA384;
  s.ticket = bytes_of("ticket bytes");
  s.lifetime_s = 7200;
  s.age_add = 0xDEADBEEF;
  s.max_early_data = 16384;
  s.alpn = "http/1.1";
  s.server_name = "example.com";
  s.extended_master_secret = true;
  s.peer_chain = {bytes_of("leaf"), bytes_of("issuer")};
  s.peer_verified = true;
  s.kx_hint = NamedGroup::secp256r1;
  auto bytes = serialize_session(s).value();
  auto back = deserialize_session(bytes.expose()).value();
  EXPECT_EQ(back.version, s.version);
  EXPECT_EQ(back.suite, s.suite);
  EXPECT_TRUE(crypto::constant_time_equal(back.secret.expose(), s.secret.expose()));
  EXPECT_EQ(back.session_id, s.session_id);
  EXPECT_EQ(back.ticket, s.ticket);
  EXPECT_EQ(back.lifetime_s, s.lifetime_s);
  EXPECT_EQ(back.age_add, s.age_add);
  EXPECT_EQ(back.created_ms, s.created_ms);
  EXPECT_EQ(back.max_early_data, s.max_early_data);
  EXPECT_EQ(back.alpn, s.alpn);
  EXPECT_EQ(back.server_name, s.server_name);
  EXPECT_TRUE(back.extended_master_secret);
  EXPECT_EQ(back.peer_chain, s.peer_chain);
  EXPECT_TRUE(back.peer_verified);
  EXPECT_EQ(back.kx_hint, NamedGroup::secp256r1);
  // No hint is written as 0 (not a group) and read back as none.
  s.kx_hint.reset();
  auto without = serialize_session(s).value();
  EXPECT_FALSE(deserialize_session(without.expose()).value().kx_hint.has_value());
}

// A file of the previous format (3, before peer_verified) is refused, as every older one: it
// costs a full handshake, never a misread field (nor a session taken as verified).
TEST(SessionFile, RefusesTheFormatBeforePeerVerified) {
  auto bytes = serialize_session(make_session(1)).value();
  auto raw = std::vector<uint8_t>(bytes.expose().begin(), bytes.expose().end());
  ASSERT_EQ(raw[7], 0);
  ASSERT_EQ(raw[8], 4);  // "HSSESS1" then uint16 format
  raw[8] = 3;
  raw.erase(raw.end() - 3);  // format 3: peer_chain, then kx_hint
  EXPECT_EQ(deserialize_session(raw).error().code(), ErrorCode::decode_error);
  // A verified flag other than 0 or 1 is not one.
  raw = std::vector<uint8_t>(bytes.expose().begin(), bytes.expose().end());
  raw[raw.size() - 3] = 2;
  EXPECT_EQ(deserialize_session(raw).error().code(), ErrorCode::decode_error);
}

TEST(SessionFile, RejectsTruncatedTrailingAndForeignBytes) {
  auto bytes = serialize_session(make_session(1)).value();
  auto raw = std::vector<uint8_t>(bytes.expose().begin(), bytes.expose().end());
  for (size_t n = 0; n < raw.size(); ++n) {
    EXPECT_FALSE(deserialize_session(std::span(raw).first(n)).ok()) << n;
  }
  auto longer = raw;
  longer.push_back(0);
  EXPECT_EQ(deserialize_session(longer).error().code(), ErrorCode::decode_error);
  auto foreign = raw;
  foreign[0] = 'X';
  EXPECT_FALSE(deserialize_session(foreign).ok());
}

TEST(StoredSession, ExpiresAfterItsLifetime) {
  StoredSession s = make_session(1);
  s.created_ms = 1'000'000;
  s.lifetime_s = 10;
  EXPECT_FALSE(s.expired(1'000'000 + 9'999));
  EXPECT_TRUE(s.expired(1'000'000 + 10'000));
  s.lifetime_s = 0;
  EXPECT_FALSE(s.expired(UINT64_MAX));
}

TEST(InMemorySessionStore, Tls13TicketsAreTakenOnceNewestFirst) {
  InMemorySessionStore store(8, 3);
  for (uint8_t i = 1; i <= 4; ++i) {
    store.put("h:443", make_session(i, ProtocolVersion::tls1_3));
  }
  EXPECT_EQ(store.size(), 3u);  // per-server bound drops the oldest
  EXPECT_EQ(store.take("h:443")->session_id[0], 4);
  EXPECT_EQ(store.take("h:443")->session_id[0], 3);
  EXPECT_EQ(store.take("h:443")->session_id[0], 2);
  EXPECT_FALSE(store.take("h:443").has_value());
}

TEST(InMemorySessionStore, Tls12SessionReplacesAndGetKeeps) {
  InMemorySessionStore store;
  store.put("h:443", make_session(1));
  store.put("h:443", make_session(2));
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.get("h:443")->session_id[0], 2);
  EXPECT_EQ(store.get("h:443")->session_id[0], 2);
  EXPECT_FALSE(store.get("other:443").has_value());
}

TEST(InMemorySessionStore, EvictsLeastRecentlyUsedServerAndExpired) {
  InMemorySessionStore store(2, 1);
  store.put("a:1", make_session(1));
  store.put("b:1", make_session(2));
  ASSERT_TRUE(store.get("a:1").has_value());  // a is now most recent
  store.put("c:1", make_session(3));          // evicts b
  EXPECT_TRUE(store.get("a:1").has_value());
  EXPECT_FALSE(store.get("b:1").has_value());
  EXPECT_TRUE(store.get("c:1").has_value());
  StoredSession old = make_session(4);
  old.created_ms = session_now_ms() - 20'000;
  old.lifetime_s = 10;
  store.put("d:1", std::move(old));
  EXPECT_FALSE(store.get("d:1").has_value());
  EXPECT_FALSE(store.take("d:1").has_value());
}

TEST(ServerSessionCache, LruEvictionAndLifetime) {
  ServerSessionCache cache(/*capacity=*/3, /*lifetime_s=*/60);
  for (uint8_t i = 1; i <= 3; ++i) {
    cache.put(make_session(i));
  }
  const uint64_t now = session_now_ms();
  ASSERT_TRUE(cache.get(std::vector<uint8_t>(32, 1), now).has_value());  // 1 most recent
  cache.put(make_session(4));                                            // evicts 2
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.get(std::vector<uint8_t>(32, 2), now).has_value());
  EXPECT_TRUE(cache.get(std::vector<uint8_t>(32, 1), now).has_value());
  EXPECT_TRUE(cache.get(std::vector<uint8_t>(32, 3), now).has_value());
  // Past the cache lifetime every entry is gone (and removed on lookup).
  EXPECT_FALSE(cache.get(std::vector<uint8_t>(32, 4), now + 61'000).has_value());
  EXPECT_EQ(cache.size(), 2u);
  cache.erase(std::vector<uint8_t>(32, 1));
  EXPECT_EQ(cache.size(), 1u);
  cache.put(make_session(9).clone());
  StoredSession no_id = make_session(5);
  no_id.session_id.clear();
  cache.put(std::move(no_id));
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ServerSessionCache, ThreadsHammeringPutGetStayBounded) {
  ServerSessionCache cache(/*capacity=*/64, /*lifetime_s=*/60);
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        StoredSession s = make_session(static_cast<uint8_t>((t * 31 + i) & 0xFF));
        s.session_id[1] = static_cast<uint8_t>(t);
        const auto id = s.session_id;
        cache.put(std::move(s));
        auto got = cache.get(id);
        if (got.has_value() && got->session_id != id) {
          ++bad;
        }
        if (cache.size() > 64) {
          ++bad;
        }
        if (i % 7 == 0) {
          cache.erase(id);
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(bad.load(), 0);
  EXPECT_LE(cache.size(), 64u);
}

TEST(InMemorySessionStore, ThreadsHammeringPutTakeStayBounded) {
  InMemorySessionStore store(16, 2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        std::string key = session_key("host" + std::to_string((t + i) % 40), 443);
        store.put(key, make_session(static_cast<uint8_t>(i), ProtocolVersion::tls1_3));
        (void)store.take(key);
        (void)store.get(key);
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_LE(store.size(), 32u);
}

TEST(InMemorySessionStore, KxHintOutlivesTheSessionsAndIsReplaced) {
  InMemorySessionStore store(4, 2);
  EXPECT_EQ(store.kx_hint("h:443"), std::nullopt);
  store.put("h:443", make_session(1, ProtocolVersion::tls1_3));
  store.set_kx_hint("h:443", NamedGroup::secp256r1);
  EXPECT_EQ(store.kx_hint("h:443"), NamedGroup::secp256r1);
  // Taking the last ticket leaves the hint: it is about the server, not the ticket.
  ASSERT_TRUE(store.take("h:443").has_value());
  EXPECT_FALSE(store.take("h:443").has_value());
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.servers(), 1u);
  EXPECT_EQ(store.kx_hint("h:443"), NamedGroup::secp256r1);
  // A server that changed its mind: the newest choice wins.
  store.set_kx_hint("h:443", NamedGroup::x25519);
  EXPECT_EQ(store.kx_hint("h:443"), NamedGroup::x25519);
  EXPECT_EQ(store.kx_hint("other:443"), std::nullopt);
  // A TLS 1.2 session replacing the tickets keeps the hint too.
  store.put("h:443", make_session(2));
  EXPECT_EQ(store.kx_hint("h:443"), NamedGroup::x25519);
}

TEST(InMemorySessionStore, KxHintsAreBoundedWithTheServers) {
  InMemorySessionStore store(3, 2);
  for (int i = 0; i < 10; ++i) {
    store.set_kx_hint(session_key("host" + std::to_string(i), 443), NamedGroup::secp384r1);
  }
  EXPECT_EQ(store.servers(), 3u);
  // The three most recently used keys remain.
  EXPECT_EQ(store.kx_hint(session_key("host9", 443)), NamedGroup::secp384r1);
  EXPECT_EQ(store.kx_hint(session_key("host7", 443)), NamedGroup::secp384r1);
  EXPECT_EQ(store.kx_hint(session_key("host6", 443)), std::nullopt);
  // Reading a hint marks its key used: host7 survives a new key, host8 (least recent) goes.
  store.put(session_key("new", 443), make_session(1));
  EXPECT_EQ(store.servers(), 3u);
  EXPECT_EQ(store.kx_hint(session_key("host7", 443)), NamedGroup::secp384r1);
  EXPECT_EQ(store.kx_hint(session_key("host8", 443)), std::nullopt);
}

TEST(InMemorySessionStore, ThreadsSettingAndReadingKxHintsStayBounded) {
  InMemorySessionStore store(16, 2);
  const NamedGroup groups[] = {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1};
  std::vector<std::thread> threads;
  std::atomic<int> foreign{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        std::string key = session_key("host" + std::to_string((t + i) % 40), 443);
        store.set_kx_hint(key, groups[(t + i) % 3]);
        store.put(key, make_session(static_cast<uint8_t>(i), ProtocolVersion::tls1_3));
        (void)store.take(key);
        auto hint = store.kx_hint(key);
        if (hint.has_value() && *hint != NamedGroup::x25519 && *hint != NamedGroup::secp256r1 &&
            *hint != NamedGroup::secp384r1) {
          ++foreign;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(foreign.load(), 0);
  EXPECT_LE(store.servers(), 16u);
  EXPECT_LE(store.size(), 32u);
}

// A store written before hints existed (put/take/get only) gets the defaults: no hint is kept.
TEST(ClientSessionStore, DefaultKxHintIsNone) {
  class Minimal final : public ClientSessionStore {
   public:
    void put(const std::string&, StoredSession) override {}
    std::optional<StoredSession> take(const std::string&) override { return std::nullopt; }
    std::optional<StoredSession> get(const std::string&) override { return std::nullopt; }
  } store;
  store.set_kx_hint("h:443", NamedGroup::secp256r1);
  EXPECT_EQ(store.kx_hint("h:443"), std::nullopt);
}

}  // namespace
}  // namespace hs

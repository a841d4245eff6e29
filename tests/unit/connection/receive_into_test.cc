// Connection::receive_into: application data decrypted straight into the caller's buffer, with
// the internal path for everything else (handshake messages, alerts, KeyUpdate, records cut by
// the transport, records that do not fit). TLS 1.2 against ScriptedServer, TLS 1.3 against
// ScriptedServer13.
#include <gtest/gtest.h>
#include <hs/connection.h>

#include <algorithm>
#include <string>
#include <vector>

#include "unit/handshake/client13/scripted_server13.h"
#include "unit/handshake/common/client_harness.h"

namespace hs::testing {
namespace {

using Bytes = std::vector<uint8_t>;

std::string text(size_t n, char seed) {
  std::string s(n, ' ');
  for (size_t i = 0; i < n; ++i) {
    s[i] = static_cast<char>('a' + (static_cast<size_t>(seed) + i * 7) % 26);
  }
  return s;
}

void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

// Receiver feeds a connection through receive_into() into one buffer, as a recv loop would, and
// collects what it returned.
struct Receiver {
  Connection& conn;
  size_t room;  // bytes offered per call
  std::string got;

  Result<size_t> feed(std::span<const uint8_t> data) {
    Bytes out(room, 0xee);
    auto n = conn.receive_into(data, out);
    if (n.ok()) {
      EXPECT_LE(*n, out.size());
      got.append(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    return n;
  }
  // drain takes what is still buffered (records that did not fit).
  void drain() {
    while (conn.readable() > 0) {
      auto n = feed({});
      ASSERT_TRUE(n.ok());
      ASSERT_GT(*n, 0u);
    }
  }
};

// ---- TLS 1.2 ----

TEST(ReceiveInto, Tls12RecordsSplitAtEveryByte) {
  ClientHarness h;
  h.handshake();
  // A flight of three records (one empty) and a warning the client ignores, cut at every byte
  // position; each round is sealed afresh (sequence numbers move on).
  std::string expected;
  Receiver rx{*h.client, 4096, {}};
  // Every round's flight has the same size: the loop ends after cutting it at its end.
  for (size_t cut = 0, size = 0; cut <= size; ++cut) {
    const std::string a = text(37, static_cast<char>(cut)), b = text(5, 'b');
    Bytes flight = h.server.app_data(a);
    append(flight, h.server.app_data(""));
    append(flight, h.server.alert(AlertLevel::warning, AlertDescription::no_renegotiation));
    append(flight, h.server.app_data(b));
    size = flight.size();
    expected += a + b;
    auto first = std::span<const uint8_t>(flight).first(cut);
    ASSERT_TRUE(rx.feed(first).ok());
    ASSERT_TRUE(rx.feed(std::span<const uint8_t>(flight).subspan(cut)).ok());
    ASSERT_EQ(h.client->readable(), 0u);
  }
  EXPECT_EQ(rx.got, expected);
  // One byte at a time, then close_notify: everything before it arrives, nothing after.
  Bytes flight = h.server.app_data("one byte at a time");
  append(flight, h.server.alert(AlertLevel::warning, AlertDescription::close_notify));
  append(flight, h.server.app_data("after close_notify"));
  rx.got.clear();
  for (uint8_t byte : flight) {
    ASSERT_TRUE(rx.feed(Bytes{byte}).ok());
  }
  EXPECT_EQ(rx.got, "one byte at a time");
  EXPECT_TRUE(h.client->peer_closed());
}

TEST(ReceiveInto, Tls12SmallBufferLeavesTheRestReadableInOrder) {
  ClientHarness h;
  h.handshake();
  // What receive() buffered comes first.
  ASSERT_TRUE(h.to_client(h.server.app_data("buffered ")).ok());
  const std::string big = text(3000, 'x');
  Bytes flight = h.server.app_data(big);
  append(flight, h.server.app_data("tail"));
  Receiver rx{*h.client, 100, {}};
  auto n = rx.feed(flight);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 100u);
  EXPECT_EQ(h.client->readable(), 9 + big.size() + 4 - 100);
  // A record that fits exactly (TLS 1.2: its data) is opened into the buffer; read() still
  // works in between.
  Bytes some(50);
  EXPECT_EQ(h.client->read(some), 50u);
  rx.got.append(some.begin(), some.end());
  rx.drain();
  EXPECT_EQ(rx.got, "buffered " + big + "tail");
  rx.room = 16384;
  rx.got.clear();
  const std::string full = text(16384, 'f');
  ASSERT_TRUE(rx.feed(h.server.app_data(full)).ok());
  EXPECT_EQ(rx.got, full);
  EXPECT_EQ(h.client->readable(), 0u);
}

TEST(ReceiveInto, Tls12BadRecordMacLeavesNothingInTheBuffer) {
  ClientHarness h;
  h.handshake();
  Bytes flight = h.server.app_data("good");
  Bytes bad = h.server.app_data(std::string(200, 'Q'));
  bad.back() ^= 0x01;  // the tag
  append(flight, bad);
  Bytes out(1000, 0xee);
  auto n = h.client->receive_into(flight, out);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code(), ErrorCode::bad_record_mac);
  // The unauthenticated plaintext never stays in the caller's buffer (the stream cipher would
  // have produced the right bytes: only the tag is wrong).
  EXPECT_EQ(std::count(out.begin(), out.end(), uint8_t{'Q'}), 0);
  auto sent = h.from_client();
  auto alert = last_alert(sent);
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(*alert, AlertDescription::bad_record_mac);
  // The good record before it is not lost: read() returns it, as after receive().
  Bytes rest(100);
  EXPECT_EQ(h.client->read(rest), 4u);
  EXPECT_EQ(std::string(rest.begin(), rest.begin() + 4), "good");
  EXPECT_FALSE(h.client->receive_into(Bytes{}, out).ok());
}

// Full records cut by reads of every size below a record (as a socket's reads cut them): each
// cut record is opened from the part kept from the read before and the rest of the next read.
// `record_size` is the version's whole 16 KiB record; `room` the caller's buffer.
template <class H>
void expect_full_records_cut_by_the_transport(size_t record_size, size_t room) {
  H h;
  h.handshake();
  for (size_t read_size : {size_t{1000}, size_t{5000}, size_t{16000}, record_size}) {
    std::string expected;
    Bytes flight;
    for (char seed : {'a', 'b', 'c'}) {
      const std::string data = text(16384, seed);
      expected += data;
      append(flight, h.server.app_data(data));
    }
    Receiver rx{*h.client, room, {}};
    for (size_t pos = 0; pos < flight.size(); pos += read_size) {
      const auto read = std::span<const uint8_t>(flight).subspan(pos);
      ASSERT_TRUE(rx.feed(read.first(std::min(read_size, read.size()))).ok());
    }
    EXPECT_EQ(h.client->readable(), 0u);
    EXPECT_EQ(rx.got, expected) << read_size;
  }
}

// A cut record that fails authentication, with the flipped bit in the part received first or
// in the rest, is bad_record_mac and leaves no plaintext in either call's buffer.
template <class H>
void expect_cut_record_tampered_in_either_part_fails() {
  for (bool in_first : {true, false}) {
    H h;
    h.handshake();
    Bytes bad = h.server.app_data(std::string(300, 'Q'));
    const size_t cut = bad.size() / 2;
    bad[in_first ? cut - 10 : cut + 10] ^= 0x04;
    Bytes out1(1000, 0xee);
    Bytes out2(1000, 0xee);
    auto n1 = h.client->receive_into(std::span<const uint8_t>(bad).first(cut), out1);
    ASSERT_TRUE(n1.ok());
    EXPECT_EQ(*n1, 0u);
    auto n2 = h.client->receive_into(std::span<const uint8_t>(bad).subspan(cut), out2);
    ASSERT_FALSE(n2.ok());
    EXPECT_EQ(n2.error().code(), ErrorCode::bad_record_mac);
    EXPECT_EQ(std::count(out1.begin(), out1.end(), uint8_t{'Q'}), 0);
    EXPECT_EQ(std::count(out2.begin(), out2.end(), uint8_t{'Q'}), 0);
    auto alert = last_alert(h.from_client());
    ASSERT_TRUE(alert.has_value());
    EXPECT_EQ(*alert, AlertDescription::bad_record_mac);
  }
}

TEST(ReceiveInto, Tls12FullRecordsCutByTheTransport) {
  expect_full_records_cut_by_the_transport<ClientHarness>(16413, 3 * 16384);
}

TEST(ReceiveInto, Tls12CutRecordTamperedInEitherPartFails) {
  expect_cut_record_tampered_in_either_part_fails<ClientHarness>();
}

// ---- TLS 1.3 ----

TEST(ReceiveInto, Tls13RecordsMixedWithKeyUpdateTicketsAndAlertsSplitAtEveryByte) {
  Harness13 h;
  h.handshake();
  std::string expected;
  Receiver rx{*h.client, 4096, {}};
  for (size_t cut = 0, size = 0; cut <= size; ++cut) {
    const std::string a = text(23, static_cast<char>(cut)), b = text(3, 'b'), c = "c";
    Bytes flight = h.server.app_data(a);
    append(flight, h.server.new_session_ticket());
    append(flight, h.server.app_data(b));
    append(flight, h.server.key_update(/*request=*/false));  // later records: the next key
    append(flight, h.server.alert(AlertLevel::warning, AlertDescription::user_canceled));
    append(flight, h.server.padded_app_data(c, 9));
    size = flight.size();
    expected += a + b + c;
    ASSERT_TRUE(rx.feed(std::span<const uint8_t>(flight).first(cut)).ok());
    ASSERT_TRUE(rx.feed(std::span<const uint8_t>(flight).subspan(cut)).ok());
    ASSERT_EQ(h.client->readable(), 0u);
  }
  EXPECT_EQ(rx.got, expected);
  // A KeyUpdate that asks for ours is answered, before close_notify ends the data.
  Bytes flight = h.server.key_update(/*request=*/true);
  append(flight, h.server.app_data("last"));
  append(flight, h.server.alert(AlertLevel::warning, AlertDescription::close_notify));
  rx.got.clear();
  for (uint8_t byte : flight) {
    ASSERT_TRUE(rx.feed(Bytes{byte}).ok());
  }
  EXPECT_EQ(rx.got, "last");
  EXPECT_TRUE(h.client->peer_closed());
  bool answered = false;
  for (const auto& rec : h.from_client()) {
    answered = answered || (rec.type == ContentType::handshake && !rec.data.empty() &&
                            rec.data[0] == static_cast<uint8_t>(HandshakeType::key_update));
  }
  EXPECT_TRUE(answered);
}

TEST(ReceiveInto, Tls13PaddingAndTheTypeByteAreNeverData) {
  Harness13 h;
  h.handshake();
  // The inner plaintext ("xyz", type byte, 40 zeros) lands in the buffer when it fits; only
  // the data is counted.
  for (size_t room : {size_t{3}, size_t{4}, size_t{43}, size_t{44}, size_t{1000}}) {
    Receiver rx{*h.client, room, {}};
    auto n = rx.feed(h.server.padded_app_data("xyz", 40));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 3u) << room;
    EXPECT_EQ(rx.got, "xyz") << room;
    EXPECT_EQ(h.client->readable(), 0u);
  }
  // Straight in: the type byte (application_data) is there, past the count.
  Bytes out(50, 0xee);
  auto direct = h.client->receive_into(h.server.padded_app_data("xyz", 40), out);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(*direct, 3u);
  EXPECT_EQ(out[3], static_cast<uint8_t>(ContentType::application_data));
  // A full record needs one byte more than its data: with exactly 16 KiB it takes the internal
  // path and still arrives whole; the next one, with room, goes straight in.
  const std::string full = text(16384, 'F');
  for (size_t room : {size_t{16384}, size_t{16385}}) {
    Receiver rx{*h.client, room, {}};
    auto n = rx.feed(h.server.app_data(full));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, full.size());
    EXPECT_EQ(rx.got, full);
    EXPECT_EQ(h.client->readable(), 0u);
  }
}

TEST(ReceiveInto, Tls13BadRecordMacLeavesNothingInTheBuffer) {
  Harness13 h;
  h.handshake();
  Bytes bad = h.server.app_data(std::string(300, 'Q'));
  bad[bad.size() - 3] ^= 0x40;  // the tag
  Bytes out(1000, 0xee);
  auto n = h.client->receive_into(bad, out);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code(), ErrorCode::bad_record_mac);
  EXPECT_EQ(std::count(out.begin(), out.end(), uint8_t{'Q'}), 0);
  EXPECT_EQ(h.client->readable(), 0u);
  auto alert = last_alert(h.from_client());
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(*alert, AlertDescription::bad_record_mac);
}

TEST(ReceiveInto, Tls13FullRecordsCutByTheTransport) {
  expect_full_records_cut_by_the_transport<Harness13>(16406, 3 * 16384 + 1);
}

TEST(ReceiveInto, Tls13CutRecordTamperedInEitherPartFails) {
  expect_cut_record_tampered_in_either_part_fails<Harness13>();
}

}  // namespace
}  // namespace hs::testing

// Hand-built frames for the dissector's unit tests: Ethernet/IPv4 and raw IPv6 carrying TCP
// segments, TLS records, and a ClientHello and ServerHello serialized by our own codecs.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "messages/client_hello.h"
#include "messages/handshake.h"
#include "messages/server_hello.h"

namespace hs::dissect::frames {

inline void put16(std::vector<uint8_t>& v, uint16_t x) {
  v.push_back(static_cast<uint8_t>(x >> 8));
  v.push_back(static_cast<uint8_t>(x));
}
inline void put32(std::vector<uint8_t>& v, uint32_t x) {
  put16(v, static_cast<uint16_t>(x >> 16));
  put16(v, static_cast<uint16_t>(x));
}

struct Tcp {
  uint16_t sport, dport;
  uint32_t seq;
  uint8_t flags;  // 0x02 SYN, 0x10 ACK, 0x01 FIN
};

inline std::vector<uint8_t> tcp_header(const Tcp& t) {
  std::vector<uint8_t> v;
  put16(v, t.sport);
  put16(v, t.dport);
  put32(v, t.seq);
  put32(v, 0);
  v.push_back(0x50);  // 20-byte header
  v.push_back(t.flags);
  put16(v, 65535);
  put16(v, 0);
  put16(v, 0);
  return v;
}

// ipv4_frame builds Ethernet + IPv4 (127.0.0.1 -> 127.0.0.1) + TCP + payload.
inline std::vector<uint8_t> ipv4_frame(const Tcp& t, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> f(12, 0);
  put16(f, 0x0800);
  auto tcp = tcp_header(t);
  f.push_back(0x45);
  f.push_back(0);
  put16(f, static_cast<uint16_t>(20 + tcp.size() + payload.size()));
  put32(f, 0);
  f.push_back(64);
  f.push_back(6);
  put16(f, 0);
  for (int i = 0; i < 2; ++i) {
    f.insert(f.end(), {127, 0, 0, 1});
  }
  f.insert(f.end(), tcp.begin(), tcp.end());
  f.insert(f.end(), payload.begin(), payload.end());
  f.insert(f.end(), 6, 0);  // Ethernet padding after the datagram is ignored
  return f;
}

// ipv6_frame builds a raw IPv6 (::1 -> ::1) + TCP + payload frame.
inline std::vector<uint8_t> ipv6_frame(const Tcp& t, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> f;
  put32(f, 0x60000000);
  auto tcp = tcp_header(t);
  put16(f, static_cast<uint16_t>(tcp.size() + payload.size()));
  f.push_back(6);
  f.push_back(64);
  for (int i = 0; i < 2; ++i) {
    f.insert(f.end(), 15, 0);
    f.push_back(1);
  }
  f.insert(f.end(), tcp.begin(), tcp.end());
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

inline std::vector<uint8_t> record(uint8_t type, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> r = {type, 0x03, 0x03};
  put16(r, static_cast<uint16_t>(body.size()));
  r.insert(r.end(), body.begin(), body.end());
  return r;
}

inline messages::ClientHello client_hello() {
  messages::ClientHello ch;
  for (size_t i = 0; i < ch.random.size(); ++i) {
    ch.random[i] = static_cast<uint8_t>(i);
  }
  ch.cipher_suites = {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
  ch.compression_methods = {0};
  return ch;
}

inline std::vector<uint8_t> client_hello_record() {
  std::vector<uint8_t> hs_bytes;
  EXPECT_TRUE(messages::serialize_message(client_hello(), hs_bytes).ok());
  return record(22, hs_bytes);
}

inline std::vector<uint8_t> server_hello_record() {
  messages::ServerHello sh;
  sh.cipher_suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  std::vector<uint8_t> hs_bytes;
  EXPECT_TRUE(messages::serialize_message(sh, hs_bytes).ok());
  return record(22, hs_bytes);
}

inline std::vector<uint8_t> slice(const std::vector<uint8_t>& v, size_t from, size_t to) {
  return {v.begin() + static_cast<std::ptrdiff_t>(from),
          v.begin() + static_cast<std::ptrdiff_t>(to)};
}

}  // namespace hs::dissect::frames

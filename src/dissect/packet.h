// Link-layer, IPv4/IPv6 and TCP parsing of captured frames for `hs dissect`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace hs::dissect {

// LinkType is the pcap link-layer header type (LINKTYPE_* in the pcap spec) of a capture.
enum class LinkType : uint32_t {
  null = 0,          // BSD loopback: 4-byte address family in host byte order
  ethernet = 1,      // Ethernet II, with 802.1Q tags
  raw = 101,         // bare IPv4/IPv6 (DLT_RAW is 12 or 14 on some systems; map_link_type)
  loop = 108,        // OpenBSD loopback: 4-byte address family in network byte order
  linux_sll = 113,   // Linux "cooked" capture v1 (any interface)
  linux_sll2 = 276,  // Linux "cooked" capture v2
  ipv4 = 228,
  ipv6 = 229,
};

// map_link_type turns a libpcap datalink value into a LinkType (DLT_RAW 12 and 14 become raw);
// nullopt for link types we cannot read.
std::optional<LinkType> map_link_type(int dlt);

// Endpoint is an IP address (4 or 16 bytes, `v6` says which) and a TCP port.
struct Endpoint {
  std::array<uint8_t, 16> addr{};
  bool v6 = false;
  uint16_t port = 0;
  bool operator==(const Endpoint&) const = default;
  auto operator<=>(const Endpoint&) const = default;
};

// to_string renders "192.0.2.1:443" or "[2001:db8::1]:443".
std::string to_string(const Endpoint& e);

// TcpSegment is one TCP segment taken from a frame. `payload` points into the frame.
struct TcpSegment {
  Endpoint src;
  Endpoint dst;
  uint32_t seq = 0;
  uint32_t ack = 0;
  bool syn = false;
  bool fin = false;
  bool rst = false;
  bool ack_flag = false;
  std::span<const uint8_t> payload;
};

// parse_tcp_segment decodes `frame` (captured with link type `link`) down to its TCP segment.
// Returns nullopt for anything else: non-IP frames, other transports, IPv4 fragments (not
// reassembled), and frames cut short by the snap length or malformed. Every read goes through
// codec::Reader bounded by the headers' own length fields.
std::optional<TcpSegment> parse_tcp_segment(LinkType link, std::span<const uint8_t> frame);

}  // namespace hs::dissect

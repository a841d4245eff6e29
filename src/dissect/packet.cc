#include "dissect/packet.h"

#include <cstdio>

#include "codec/reader.h"

namespace hs::dissect {

namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86DD;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88A8;
constexpr uint8_t kProtoTcp = 6;

bool copy_bytes(codec::Reader& in, size_t n, std::array<uint8_t, 16>& out) {
  std::span<const uint8_t> bytes;
  if (!in.read_bytes(n, bytes)) {
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    out[i] = bytes[i];
  }
  return true;
}

// parse_tcp reads the TCP header (RFC 9293, 3.1) and takes the rest of `in` as the payload.
std::optional<TcpSegment> parse_tcp(codec::Reader& in, TcpSegment seg) {
  uint8_t offset_byte = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  uint16_t checksum = 0;
  uint16_t urgent = 0;
  if (!in.read_u16(seg.src.port) || !in.read_u16(seg.dst.port) || !in.read_u32(seg.seq) ||
      !in.read_u32(seg.ack) || !in.read_u8(offset_byte) || !in.read_u8(flags) ||
      !in.read_u16(window) || !in.read_u16(checksum) || !in.read_u16(urgent)) {
    return std::nullopt;
  }
  size_t header_len = static_cast<size_t>(offset_byte >> 4) * 4;
  if (header_len < 20 || !in.skip(header_len - 20)) {
    return std::nullopt;
  }
  seg.fin = (flags & 0x01) != 0;
  seg.syn = (flags & 0x02) != 0;
  seg.rst = (flags & 0x04) != 0;
  seg.ack_flag = (flags & 0x10) != 0;
  seg.payload = in.take_rest();
  return seg;
}

std::optional<TcpSegment> parse_ipv4(codec::Reader& in) {
  uint8_t version_ihl = 0;
  uint8_t tos = 0;
  uint16_t total_len = 0;
  uint16_t id = 0;
  uint16_t frag = 0;
  uint8_t ttl = 0;
  uint8_t proto = 0;
  uint16_t checksum = 0;
  if (!in.read_u8(version_ihl) || (version_ihl >> 4) != 4 || !in.read_u8(tos) ||
      !in.read_u16(total_len) || !in.read_u16(id) || !in.read_u16(frag) || !in.read_u8(ttl) ||
      !in.read_u8(proto) || !in.read_u16(checksum)) {
    return std::nullopt;
  }
  TcpSegment seg;
  if (!copy_bytes(in, 4, seg.src.addr) || !copy_bytes(in, 4, seg.dst.addr)) {
    return std::nullopt;
  }
  size_t ihl = static_cast<size_t>(version_ihl & 0x0F) * 4;
  // Fragments (MF set or a non-zero offset) are not reassembled; TCP over loopback and sane
  // paths does not fragment.
  if (proto != kProtoTcp || ihl < 20 || total_len < ihl || (frag & 0x3FFF) != 0) {
    return std::nullopt;
  }
  // The datagram is total_len bytes; Ethernet may pad short frames after it.
  std::span<const uint8_t> datagram;
  if (!in.read_bytes(std::min<size_t>(size_t{total_len} - 20, in.remaining()), datagram)) {
    return std::nullopt;
  }
  if (datagram.size() < size_t{total_len} - 20) {
    return std::nullopt;  // cut by the snap length
  }
  codec::Reader body(datagram);
  if (!body.skip(ihl - 20)) {
    return std::nullopt;
  }
  return parse_tcp(body, seg);
}

std::optional<TcpSegment> parse_ipv6(codec::Reader& in) {
  uint32_t first = 0;
  uint16_t payload_len = 0;
  uint8_t next = 0;
  uint8_t hops = 0;
  if (!in.read_u32(first) || (first >> 28) != 6 || !in.read_u16(payload_len) || !in.read_u8(next) ||
      !in.read_u8(hops)) {
    return std::nullopt;
  }
  TcpSegment seg;
  seg.src.v6 = seg.dst.v6 = true;
  if (!copy_bytes(in, 16, seg.src.addr) || !copy_bytes(in, 16, seg.dst.addr)) {
    return std::nullopt;
  }
  std::span<const uint8_t> payload;
  if (!in.read_bytes(payload_len, payload)) {
    return std::nullopt;  // cut by the snap length (or a jumbogram, which we do not read)
  }
  codec::Reader body(payload);
  // Skip the extension headers that may precede TCP (RFC 8200, 4): hop-by-hop, routing,
  // destination options. A fragment header (44) ends the walk: fragments are not reassembled.
  for (int i = 0; i < 8 && (next == 0 || next == 43 || next == 60); ++i) {
    uint8_t len8 = 0;
    if (!body.read_u8(next) || !body.read_u8(len8) || !body.skip(6 + size_t{len8} * 8)) {
      return std::nullopt;
    }
  }
  if (next != kProtoTcp) {
    return std::nullopt;
  }
  return parse_tcp(body, seg);
}

std::optional<TcpSegment> parse_ip_by_version(codec::Reader& in) {
  std::span<const uint8_t> rest = in.peek_rest();
  if (rest.empty()) {
    return std::nullopt;
  }
  if ((rest[0] >> 4) == 4) {
    return parse_ipv4(in);
  }
  if ((rest[0] >> 4) == 6) {
    return parse_ipv6(in);
  }
  return std::nullopt;
}

std::optional<TcpSegment> parse_ethertype(uint16_t type, codec::Reader& in) {
  if (type == kEtherIpv4) {
    return parse_ipv4(in);
  }
  if (type == kEtherIpv6) {
    return parse_ipv6(in);
  }
  return std::nullopt;
}

}  // namespace

std::optional<LinkType> map_link_type(int dlt) {
  switch (dlt) {
    case 0:
      return LinkType::null;
    case 1:
      return LinkType::ethernet;
    case 12:
    case 14:
    case 101:
      return LinkType::raw;
    case 108:
      return LinkType::loop;
    case 113:
      return LinkType::linux_sll;
    case 276:
      return LinkType::linux_sll2;
    case 228:
      return LinkType::ipv4;
    case 229:
      return LinkType::ipv6;
    default:
      return std::nullopt;
  }
}

std::string to_string(const Endpoint& e) {
  char buf[64];
  std::string host;
  if (!e.v6) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", e.addr[0], e.addr[1], e.addr[2], e.addr[3]);
    host = buf;
  } else {
    // Full form without zero compression: unambiguous, and captures rarely need better.
    host = "[";
    for (size_t i = 0; i < 16; i += 2) {
      std::snprintf(buf, sizeof buf, "%x", static_cast<unsigned>((e.addr[i] << 8) | e.addr[i + 1]));
      host += buf;
      if (i != 14) {
        host += ":";
      }
    }
    host += "]";
  }
  return host + ":" + std::to_string(e.port);
}

std::optional<TcpSegment> parse_tcp_segment(LinkType link, std::span<const uint8_t> frame) {
  codec::Reader in(frame);
  switch (link) {
    case LinkType::null:
    case LinkType::loop: {
      // The family is 2 (AF_INET) everywhere and 10, 24, 28 or 30 for AF_INET6 depending on
      // the capturing OS; the byte order differs between the two types, so look at the
      // version nibble of the IP header instead.
      if (!in.skip(4)) {
        return std::nullopt;
      }
      return parse_ip_by_version(in);
    }
    case LinkType::ethernet: {
      uint16_t type = 0;
      if (!in.skip(12) || !in.read_u16(type)) {
        return std::nullopt;
      }
      for (int tags = 0; tags < 2 && (type == kEtherVlan || type == kEtherQinQ); ++tags) {
        if (!in.skip(2) || !in.read_u16(type)) {
          return std::nullopt;
        }
      }
      return parse_ethertype(type, in);
    }
    case LinkType::raw:
    case LinkType::ipv4:
    case LinkType::ipv6:
      return parse_ip_by_version(in);
    case LinkType::linux_sll: {
      uint16_t type = 0;
      if (!in.skip(14) || !in.read_u16(type)) {
        return std::nullopt;
      }
      return parse_ethertype(type, in);
    }
    case LinkType::linux_sll2: {
      uint16_t type = 0;
      if (!in.read_u16(type) || !in.skip(18)) {
        return std::nullopt;
      }
      return parse_ethertype(type, in);
    }
  }
  return std::nullopt;
}

}  // namespace hs::dissect

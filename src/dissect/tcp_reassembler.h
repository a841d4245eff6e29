// TcpReassembler: one direction of a TCP connection, turned back into the byte stream the
// sender wrote, from segments that may arrive out of order, twice, or overlapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace hs::dissect {

// TcpReassembler delivers each stream byte exactly once, in order. Sequence numbers are
// unwrapped against the next expected byte (RFC 9293, 3.4: comparisons are modulo 2^32), so
// streams longer than 4 GiB and initial sequence numbers near 2^32 work.
//
//   - The stream starts after the SYN's sequence number, or, when the capture began after the
//     handshake, at the first segment seen.
//   - A segment wholly before the next expected byte is a retransmission: counted and dropped.
//   - A segment that starts before it and reaches past it (an overlapping retransmission) has
//     its old prefix cut off; the first copy of a byte wins, as in the receiver's buffer.
//   - A segment after a gap is held until the gap is filled. At most `max_pending` bytes are
//     held; beyond that segments are dropped and counted (a capture that lost data).
class TcpReassembler {
 public:
  explicit TcpReassembler(size_t max_pending = size_t{4} << 20) : max_pending_(max_pending) {}

  // add takes one segment (`syn` and `fin` are its flags) and returns the stream bytes it made
  // contiguous, possibly none.
  std::vector<uint8_t> add(uint32_t seq, bool syn, bool fin, std::span<const uint8_t> payload);

  // delivered is the number of stream bytes handed out so far.
  uint64_t delivered() const { return next_; }
  // pending_bytes is what is held after a gap (never delivered if the gap stays).
  size_t pending_bytes() const { return pending_bytes_; }
  // gap_before_pending is the number of missing bytes before the first held segment, 0 when
  // nothing is held.
  uint64_t gap_before_pending() const;
  size_t retransmitted_segments() const { return retransmitted_; }
  size_t overlapping_segments() const { return overlapping_; }
  size_t dropped_segments() const { return dropped_; }
  bool saw_fin() const { return fin_; }
  bool started() const { return have_base_; }

 private:
  // offset_of maps a sequence number to a stream offset near next_.
  uint64_t offset_of(uint32_t seq, bool& before_start) const;
  void deliver(uint64_t offset, std::span<const uint8_t> data, std::vector<uint8_t>& out);

  size_t max_pending_;
  bool have_base_ = false;
  uint32_t base_ = 0;  // sequence number of stream offset 0
  uint64_t next_ = 0;  // stream offset of the next byte to deliver
  std::map<uint64_t, std::vector<uint8_t>> pending_;
  size_t pending_bytes_ = 0;
  size_t retransmitted_ = 0;
  size_t overlapping_ = 0;
  size_t dropped_ = 0;
  bool fin_ = false;
};

}  // namespace hs::dissect

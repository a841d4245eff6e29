#include "dissect/tcp_reassembler.h"

namespace hs::dissect {

uint64_t TcpReassembler::offset_of(uint32_t seq, bool& before_start) const {
  // The distance from the next expected byte, as a signed 32-bit value (RFC 9293, 3.4).
  uint32_t expected = base_ + static_cast<uint32_t>(next_);
  auto diff = static_cast<int32_t>(seq - expected);
  before_start = false;
  if (diff < 0) {
    uint64_t back = static_cast<uint64_t>(-static_cast<int64_t>(diff));
    if (back > next_) {
      before_start = true;  // before the stream began (a stray segment from an earlier use)
      return 0;
    }
    return next_ - back;
  }
  return next_ + static_cast<uint64_t>(diff);
}

void TcpReassembler::deliver(uint64_t offset, std::span<const uint8_t> data,
                             std::vector<uint8_t>& out) {
  // Only the part from next_ on is new.
  uint64_t end = offset + data.size();
  if (end <= next_) {
    return;
  }
  size_t skip = static_cast<size_t>(next_ - offset);
  std::span<const uint8_t> fresh = data.subspan(skip);
  out.insert(out.end(), fresh.begin(), fresh.end());
  next_ = end;
}

std::vector<uint8_t> TcpReassembler::add(uint32_t seq, bool syn, bool fin,
                                         std::span<const uint8_t> payload) {
  std::vector<uint8_t> out;
  if (syn) {
    // The SYN occupies one sequence number; data starts after it. A retransmitted SYN changes
    // nothing once data has flowed.
    if (!have_base_ || next_ == 0) {
      base_ = seq + 1;
      have_base_ = true;
    }
    if (payload.empty()) {
      fin_ = fin_ || fin;
      return out;
    }
    seq += 1;  // data on a SYN (TCP Fast Open) follows the SYN's own number
  }
  if (!have_base_) {
    base_ = seq;  // capture started mid-stream
    have_base_ = true;
  }
  fin_ = fin_ || fin;
  if (payload.empty()) {
    return out;
  }
  bool before_start = false;
  uint64_t offset = offset_of(seq, before_start);
  if (before_start) {
    ++retransmitted_;
    return out;
  }
  uint64_t end = offset + payload.size();
  if (end <= next_) {
    ++retransmitted_;
    return out;
  }
  if (offset < next_) {
    ++overlapping_;
  }
  if (offset > next_) {
    // After a gap: hold it. Keep the longer copy when two start at the same offset.
    auto it = pending_.find(offset);
    if (it != pending_.end()) {
      if (it->second.size() >= payload.size()) {
        ++retransmitted_;
        return out;
      }
      pending_bytes_ -= it->second.size();
      pending_.erase(it);
      ++overlapping_;
    }
    if (pending_bytes_ + payload.size() > max_pending_) {
      ++dropped_;
      return out;
    }
    pending_.emplace(offset, std::vector<uint8_t>(payload.begin(), payload.end()));
    pending_bytes_ += payload.size();
    return out;
  }
  deliver(offset, payload, out);
  // Drain what the new bytes made contiguous; held segments that are now wholly old were
  // retransmissions of what just arrived.
  while (!pending_.empty() && pending_.begin()->first <= next_) {
    auto node = pending_.extract(pending_.begin());
    pending_bytes_ -= node.mapped().size();
    if (node.key() + node.mapped().size() <= next_) {
      ++retransmitted_;
      continue;
    }
    if (node.key() < next_) {
      ++overlapping_;
    }
    deliver(node.key(), node.mapped(), out);
  }
  return out;
}

uint64_t TcpReassembler::gap_before_pending() const {
  if (pending_.empty()) {
    return 0;
  }
  return pending_.begin()->first - next_;
}

}  // namespace hs::dissect

#include "dissect/live_dissector.h"

#include <algorithm>
#include <string>

namespace hs::dissect {

LiveDissector::LiveDissector(LinkType link, const crypto::Provider& provider,
                             std::optional<uint16_t> port, size_t max_bytes)
    : link_(link), provider_(&provider), port_(port), max_bytes_(max_bytes) {}

void LiveDissector::add_frame(std::span<const uint8_t> frame, double time) {
  ++frames_;
  auto seg = parse_tcp_segment(link_, frame);
  if (!seg || (port_ && seg->src.port != *port_ && seg->dst.port != *port_)) {
    return;
  }
  auto [lo, hi] = std::minmax(seg->src, seg->dst);
  Key key{lo, hi};
  bool opening = seg->syn && !seg->ack_flag;
  auto it = open_.find(key);
  if (it != open_.end() && opening && it->second.frames.size() > 1) {
    complete(it);  // the 4-tuple is used again by a new connection
    it = open_.end();
  }
  if (it == open_.end()) {
    if (!seg->syn && seg->payload.empty()) {
      return;  // the last ACK or FIN of a connection already reported
    }
    Tracked t;
    t.index = next_index_++;
    it = open_.emplace(key, std::move(t)).first;
  }
  Tracked& t = it->second;
  if (t.bytes + frame.size() > max_bytes_) {
    ++t.dropped;
  } else {
    t.bytes += frame.size();
    t.frames.emplace_back(time, std::vector<uint8_t>(frame.begin(), frame.end()));
  }
  if (seg->fin) {
    (seg->src == key.first ? t.fin_from_first : t.fin_from_second) = true;
  }
  if (seg->rst || (t.fin_from_first && t.fin_from_second)) {
    complete(it);
  }
}

void LiveDissector::complete(std::map<Key, Tracked>::iterator it) {
  done_.push_back(std::move(it->second));
  open_.erase(it);
}

ConnectionReport LiveDissector::dissect(Tracked& t, const KeyLogFile* keylog) const {
  Dissector d(link_, keylog, *provider_, port_);
  d.set_keep_bytes(keep_bytes_);
  for (const auto& [time, bytes] : t.frames) {
    d.add_frame(bytes, time);
  }
  std::vector<ConnectionReport> reports = d.finish();
  ConnectionReport r;
  if (!reports.empty()) {
    r = std::move(reports.front());
  }
  r.index = t.index;
  if (t.dropped > 0) {
    r.notes.push_back("live capture: " + std::to_string(t.dropped) + " frames after the first " +
                      std::to_string(max_bytes_) + " bytes of this connection were not kept");
  }
  return r;
}

std::vector<ConnectionReport> LiveDissector::take_completed(const KeyLogFile* keylog) {
  std::vector<ConnectionReport> out;
  for (Tracked& t : done_) {
    out.push_back(dissect(t, keylog));
  }
  done_.clear();
  return out;
}

std::vector<ConnectionReport> LiveDissector::finish(const KeyLogFile* keylog) {
  std::vector<ConnectionReport> out = take_completed(keylog);
  std::vector<Tracked*> rest;
  for (auto& [key, t] : open_) {
    rest.push_back(&t);
  }
  std::sort(rest.begin(), rest.end(),
            [](const Tracked* a, const Tracked* b) { return a->index < b->index; });
  for (Tracked* t : rest) {
    out.push_back(dissect(*t, keylog));
  }
  open_.clear();
  return out;
}

}  // namespace hs::dissect

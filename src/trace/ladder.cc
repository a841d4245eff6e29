#include "trace/ladder.h"

#include <algorithm>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "codec/wire.h"
#include "messages/server_hello.h"

namespace hs::trace {

namespace {

constexpr uint8_t kNewSessionTicket = 4;
constexpr uint8_t kEndOfEarlyData = 5;
constexpr uint8_t kKeyUpdate = 24;

bool is_client_data(const LadderArrow& a) {
  return a.from == LadderSide::client && a.kind == LadderKind::application_data;
}

// waits_on: a server flight the client has to wait for before it can go on, i.e. one holding a
// handshake message other than the post-handshake NewSessionTicket and KeyUpdate (a
// ChangeCipherSpec counts: in TLS 1.2 it announces the server's Finished; an unopened record
// counts too, as it may hold the server's handshake; so does a fatal alert, the answer that ends
// a failed handshake; close_notify does not).
bool waits_on(const Ladder& l, const LadderFlight& f) {
  for (size_t i = f.first; i <= f.last; ++i) {
    const LadderArrow& a = l.arrows[i];
    switch (a.kind) {
      case LadderKind::handshake:
        if (a.handshake_type != kNewSessionTicket && a.handshake_type != kKeyUpdate) {
          return true;
        }
        break;
      case LadderKind::change_cipher_spec:
      case LadderKind::encrypted:
        return true;
      case LadderKind::alert:
        if (a.fatal) {
          return true;
        }
        break;
      case LadderKind::application_data:
        break;
    }
  }
  return false;
}

std::string arrow_name(const LadderMessage& m) {
  if (!m.label.empty()) {
    return m.label;
  }
  switch (m.kind) {
    case LadderKind::handshake:
      return m.hello_retry ? "HelloRetryRequest" : ladder_message_name(m.handshake_type);
    case LadderKind::change_cipher_spec:
      return "ChangeCipherSpec";
    case LadderKind::alert:
      return m.alert.empty() ? "Alert" : "Alert: " + m.alert;
    case LadderKind::application_data:
      return m.early_data ? "Early Data (0-RTT)" : "Application Data";
    case LadderKind::encrypted:
      return "Encrypted Record";
  }
  return "?";
}

// annotate writes each arrow's note: the moments a reader of the diagram should not miss.
void annotate(Ladder& l) {
  bool retried = false;
  bool first_ticket = true;
  bool tls13 = l.summary.version == "TLS 1.3";
  for (LadderArrow& a : l.arrows) {
    bool hs = a.kind == LadderKind::handshake;
    if (a.hello_retry) {
      a.note = "HelloRetryRequest: the server asks for another key share, one more round trip";
      retried = true;
    } else if (hs && a.handshake_type == 1 && retried) {
      a.note = "the ClientHello again, with the key share the server asked for";
      retried = false;
    } else if (hs && a.handshake_type == 2 && l.summary.resumed && a.from == LadderSide::server) {
      a.note = tls13 ? "resumed: the server accepts the PSK, no Certificate, no CertificateVerify"
                     : "resumed: the server accepts the session, an abbreviated handshake";
    } else if (a.kind == LadderKind::application_data && a.early_data) {
      a.note = "0-RTT: data sent with the ClientHello, before the handshake completes";
    } else if (hs && a.handshake_type == kEndOfEarlyData) {
      a.note = "end of the 0-RTT data";
    } else if (a.kind == LadderKind::alert && a.fatal) {
      a.note = "fatal alert: the connection ends here";
    } else if (a.kind == LadderKind::change_cipher_spec && tls13) {
      a.note = "middlebox compatibility only (RFC 8446, D.4): no key change";
    } else if (hs && a.handshake_type == kNewSessionTicket && first_ticket &&
               a.from == LadderSide::server) {
      a.note = "a ticket to resume this session later";
      first_ticket = false;
    } else if (a.count > 1) {
      a.note = std::to_string(a.count) + " records";
    }
  }
}

void assign_round_trips(Ladder& l) {
  // The client's first application data that is not 0-RTT ends the handshake's round trips.
  size_t limit = l.arrows.size();
  bool early = false;
  for (size_t i = 0; i < l.arrows.size(); ++i) {
    if (is_client_data(l.arrows[i])) {
      if (l.arrows[i].early_data) {
        early = true;
      } else {
        limit = std::min(limit, i);
      }
    }
  }
  // The flight opening the current round trip, when `open`. A plain index and flag rather than
  // std::optional: GCC 12 at -O3 reports the optional's payload as maybe-uninitialized inside
  // `complete` (a false positive that failed the release preset scripts/bench.sh builds).
  size_t open_flight = 0;
  bool open = false;
  bool answered = false;
  size_t answer_last = 0;
  auto complete = [&](double end, size_t last) {
    const LadderFlight& o = l.flights[open_flight];
    LadderRoundTrip rt{o.first, last, o.start, end - o.start};
    l.round_trips.push_back(rt);
    for (size_t i = rt.first; i <= rt.last; ++i) {
      l.arrows[i].round_trip = l.round_trips.size();
    }
    open = false;
  };
  bool ended_by_limit = false;
  for (size_t fi = 0; fi < l.flights.size(); ++fi) {
    const LadderFlight& f = l.flights[fi];
    if (f.from == LadderSide::client && open && answered) {
      complete(f.start, f.first - 1);
    }
    if (f.first >= limit) {
      ended_by_limit = true;
      break;
    }
    if (f.from == LadderSide::client) {
      if (!open) {
        open_flight = fi;
        open = true;
        answered = false;
      }
    } else if (open && waits_on(l, f)) {
      answered = true;
      answer_last = f.last;
    }
  }
  if (!ended_by_limit && open && answered) {
    complete(l.arrows[answer_last].time, answer_last);
  }
  if (early) {
    l.data_after_round_trips = 0;
  } else if (limit < l.arrows.size()) {
    l.data_after_round_trips = l.round_trips.size();
  }
}

}  // namespace

std::string ladder_message_name(uint8_t handshake_type) {
  switch (handshake_type) {
    case 0:
      return "HelloRequest";
    case 1:
      return "ClientHello";
    case 2:
      return "ServerHello";
    case 4:
      return "NewSessionTicket";
    case 5:
      return "EndOfEarlyData";
    case 8:
      return "EncryptedExtensions";
    case 11:
      return "Certificate";
    case 12:
      return "ServerKeyExchange";
    case 13:
      return "CertificateRequest";
    case 14:
      return "ServerHelloDone";
    case 15:
      return "CertificateVerify";
    case 16:
      return "ClientKeyExchange";
    case 20:
      return "Finished";
    case 22:
      return "CertificateStatus";
    case 24:
      return "KeyUpdate";
    case 254:
      return "MessageHash";
    default:
      return "HandshakeType(" + std::to_string(handshake_type) + ")";
  }
}

Ladder build_ladder(std::vector<LadderMessage> messages, LadderSummary summary) {
  Ladder l;
  l.client_label = "Client";
  l.server_label = "Server";
  double origin = messages.empty() ? 0 : messages.front().time;
  bool started[2] = {false, false};
  for (LadderMessage& m : messages) {
    if (m.hello_retry) {
      summary.hello_retry = true;
    }
    double t = std::max(0.0, m.time - origin);
    if (!l.arrows.empty()) {
      LadderArrow& last = l.arrows.back();
      if (m.kind == LadderKind::application_data && last.kind == LadderKind::application_data &&
          last.from == m.from && last.early_data == m.early_data && last.encrypted == m.encrypted) {
        last.size += m.size;
        ++last.count;
        continue;
      }
    }
    LadderArrow a;
    a.from = m.from;
    a.kind = m.kind;
    a.handshake_type = m.handshake_type;
    a.name = arrow_name(m);
    a.size = m.size;
    a.time = t;
    a.encrypted = m.encrypted;
    a.early_data =
        m.early_data || (m.kind == LadderKind::handshake && m.handshake_type == kEndOfEarlyData);
    a.hello_retry = m.hello_retry;
    a.fatal = m.fatal;
    size_t side = m.from == LadderSide::client ? 0 : 1;
    if (m.encrypted && !started[side]) {
      started[side] = true;
      a.encryption_starts = true;
      a.key = m.key;
    }
    l.arrows.push_back(std::move(a));
  }
  for (size_t i = 0; i < l.arrows.size(); ++i) {
    LadderArrow& a = l.arrows[i];
    if (l.flights.empty() || l.flights.back().from != a.from) {
      l.flights.push_back(LadderFlight{a.from, i, i, a.time, a.time});
    }
    l.flights.back().last = i;
    l.flights.back().end = a.time;
    a.flight = l.flights.size();
  }
  assign_round_trips(l);
  std::string version = summary.version.empty() ? "TLS" : summary.version;
  l.title = version + (summary.resumed ? " resumed handshake" : " handshake");
  if (std::ranges::any_of(l.arrows, [](const LadderArrow& a) { return a.fatal; })) {
    l.title += " (failed)";
  }
  l.summary = std::move(summary);
  annotate(l);
  return l;
}

LadderSummary ladder_summary(const SessionInfo& info) {
  LadderSummary s;
  if (info.version) {
    s.version = *info.version == ProtocolVersion::tls1_3 ? "TLS 1.3" : "TLS 1.2";
  }
  if (info.cipher_suite) {
    s.cipher_suite = std::string(suite_name(*info.cipher_suite));
  }
  if (info.group) {
    s.group = std::string(group_name(*info.group));
  }
  s.alpn = info.alpn;
  s.sni = info.server_name;
  s.resumed = info.resumed;
  switch (info.early_data) {
    case EarlyDataStatus::accepted:
      s.early_data = "accepted";
      break;
    case EarlyDataStatus::rejected:
      s.early_data = "rejected";
      break;
    case EarlyDataStatus::offered:
      s.early_data = "offered";
      break;
    case EarlyDataStatus::none:
      break;
  }
  return s;
}

void LadderRecorder::on_event(const Event& event) {
  if (const auto* k = std::get_if<KeyChangeEvent>(&event.body)) {
    (k->direction == Direction::out ? key_out_ : key_in_) = std::string(k->secret);
    return;
  }
  const auto* m = std::get_if<MessageEvent>(&event.body);
  if (m == nullptr) {
    return;
  }
  if (!start_) {
    start_ = event.time;
  }
  LadderMessage msg;
  bool from_self = m->direction == Direction::out;
  LadderSide other = self_ == LadderSide::client ? LadderSide::server : LadderSide::client;
  msg.from = from_self ? self_ : other;
  msg.size = m->bytes.size();
  msg.time = std::chrono::duration<double>(event.time - *start_).count();
  msg.encrypted = m->encrypted;
  const std::string& key = from_self ? key_out_ : key_in_;
  if (m->encrypted) {
    msg.key = key;
  }
  bool under_early_key = m->encrypted && key.find("early") != std::string::npos;
  switch (static_cast<ContentType>(m->content_type)) {
    case ContentType::handshake:
      msg.kind = LadderKind::handshake;
      msg.handshake_type = m->handshake_type;
      // The HelloRetryRequest is a ServerHello with a special random (RFC 8446, 4.1.3), after
      // the 4-byte header and the 2-byte legacy_version.
      if (m->handshake_type == static_cast<uint8_t>(HandshakeType::server_hello) &&
          m->bytes.size() >= 38 &&
          std::ranges::equal(m->bytes.subspan(6, 32), messages::kHelloRetryRequestRandom)) {
        msg.hello_retry = true;
      }
      break;
    case ContentType::change_cipher_spec:
      msg.kind = LadderKind::change_cipher_spec;
      break;
    case ContentType::alert:
      msg.kind = LadderKind::alert;
      if (m->bytes.size() == 2) {
        msg.fatal = m->bytes[0] == 2;
        msg.alert = std::string(alert_name(static_cast<AlertDescription>(m->bytes[1]))) +
                    (m->bytes[0] == 1 ? " (warning)" : " (fatal)");
      }
      break;
    case ContentType::application_data:
      msg.kind = LadderKind::application_data;
      msg.early_data = under_early_key;
      break;
    case ContentType::invalid:
    default:
      return;
  }
  messages_.push_back(std::move(msg));
}

Ladder LadderRecorder::ladder(const LadderSummary& summary) const {
  Ladder l = build_ladder(messages_, summary);
  l.viewpoint = self_ == LadderSide::client ? "client" : "server";
  return l;
}

std::string ladder_file_name(const std::string& file, uint64_t number, uint64_t first_number) {
  if (number == first_number) {
    return file;
  }
  size_t slash = file.find_last_of('/');
  size_t dot = file.find_last_of('.');
  std::string suffix = "-" + std::to_string(number);
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == 0 ||
      (slash != std::string::npos && dot == slash + 1)) {
    return file + suffix;
  }
  return file.substr(0, dot) + suffix + file.substr(dot);
}

}  // namespace hs::trace

#include "dissect/dissector.h"

#include <hs/alert.h>
#include <hs/wire.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "codec/reader.h"
#include "codec/wire.h"
#include "handshake/common/suites.h"
#include "handshake/common/tls13_traffic.h"
#include "keyschedule/tls12_keys.h"
#include "keyschedule/tls13_schedule.h"
#include "messages/alert.h"
#include "messages/certificate.h"
#include "messages/certificate_verify.h"
#include "messages/client_hello.h"
#include "messages/encrypted_extensions.h"
#include "messages/extensions.h"
#include "messages/key_update.h"
#include "messages/new_session_ticket.h"
#include "messages/server_hello.h"
#include "messages/server_key_exchange.h"
#include "record/handshake_reassembler.h"
#include "record/protection.h"
#include "trace/detailed_trace.h"
#include "x509/certificate.h"

namespace hs::dissect {

namespace {

constexpr size_t kRecordHeaderLen = 5;

std::string_view side_name(Direction d) {
  return d == Direction::client_to_server ? "client" : "server";
}

// message_name is the article's spelling of a handshake message.
std::string message_name(uint8_t type) {
  switch (type) {
    case 0:
      return "Hello Request";
    case 1:
      return "Client Hello";
    case 2:
      return "Server Hello";
    case 4:
      return "New Session Ticket";
    case 5:
      return "End Of Early Data";
    case 8:
      return "Encrypted Extensions";
    case 11:
      return "Certificate";
    case 12:
      return "Server Key Exchange";
    case 13:
      return "Certificate Request";
    case 14:
      return "Server Hello Done";
    case 15:
      return "Certificate Verify";
    case 16:
      return "Client Key Exchange";
    case 20:
      return "Finished";
    case 22:
      return "Certificate Status";
    case 24:
      return "Key Update";
    default:
      return "Handshake Message " + std::to_string(type);
  }
}

template <typename T, typename F>
std::string join(const std::vector<T>& values, F&& render) {
  std::string out;
  for (const T& v : values) {
    if (!out.empty()) {
      out += ", ";
    }
    out += render(v);
  }
  return out;
}

std::string version_label(uint16_t v) {
  std::string_view name = version_name(static_cast<ProtocolVersion>(v));
  if (!name.empty()) {
    return std::string(name);
  }
  if (is_grease(v)) {
    return "GREASE";
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

std::string suite_text(CipherSuite s) {
  std::string_view name = suite_name(s);
  return name.empty() ? trace::suite_label(static_cast<uint16_t>(s)) : std::string(name);
}

std::string group_text(NamedGroup g) {
  std::string_view name = group_name(g);
  return name.empty() ? trace::group_label(static_cast<uint16_t>(g)) : std::string(name);
}

std::string scheme_text(SignatureScheme s) {
  std::string_view name = signature_scheme_name(s);
  return name.empty() ? trace::scheme_label(static_cast<uint16_t>(s)) : std::string(name);
}

std::string extension_text(ExtensionType t) {
  std::string_view name = extension_type_name(t);
  return name.empty() ? trace::extension_label(static_cast<uint16_t>(t)) : std::string(name);
}

std::string extension_list(const std::vector<messages::Extension>& exts) {
  return join(exts, [](const messages::Extension& e) { return extension_text(e.type); });
}

}  // namespace

class Dissector::Connection {
 public:
  Connection(size_t index, Endpoint client, Endpoint server, const KeyLogFile* keylog,
             const crypto::Provider& provider, bool keep_bytes)
      : keylog_(keylog), provider_(&provider), keep_bytes_(keep_bytes) {
    r_.index = index;
    r_.client = client;
    r_.server = server;
  }

  const Endpoint& client() const { return r_.client; }
  bool has_data() const { return sides_[0].tcp.delivered() > 0 || sides_[1].tcp.delivered() > 0; }

  // set_guessed_roles marks a connection whose client was guessed (no SYN seen).
  void set_guessed_roles() { guessed_roles_ = true; }

  void add_segment(const TcpSegment& seg, double time) {
    if (guessed_roles_ && !seg.payload.empty()) {
      settle_roles(seg);
    }
    Direction d = seg.src == r_.client ? Direction::client_to_server : Direction::server_to_client;
    Side& s = side(d);
    std::vector<uint8_t> bytes = s.tcp.add(seg.seq, seg.syn, seg.fin, seg.payload);
    if (bytes.empty()) {
      return;
    }
    s.buf.insert(s.buf.end(), bytes.begin(), bytes.end());
    process(d, time);
  }

  // settle_roles fixes a guessed client/server from the first handshake record seen: the
  // sender of a ClientHello is the client, the sender of a ServerHello the server.
  void settle_roles(const TcpSegment& seg) {
    codec::Reader in(seg.payload);
    uint8_t content_type = 0;
    uint8_t handshake_type = 0;
    if (!in.read_u8(content_type) || !in.skip(4) || !in.read_u8(handshake_type) ||
        content_type != static_cast<uint8_t>(ContentType::handshake)) {
      return;
    }
    bool from_client = handshake_type == static_cast<uint8_t>(HandshakeType::client_hello);
    bool from_server = handshake_type == static_cast<uint8_t>(HandshakeType::server_hello);
    if (!from_client && !from_server) {
      return;
    }
    guessed_roles_ = false;
    if (from_client != (seg.src == r_.client)) {
      std::swap(r_.client, r_.server);
      std::swap(sides_[0], sides_[1]);
    }
  }

  ConnectionReport finish() {
    for (Direction d : {Direction::client_to_server, Direction::server_to_client}) {
      Side& s = side(d);
      std::string who(side_name(d));
      if (s.tcp.pending_bytes() > 0) {
        note(who + ": " + std::to_string(s.tcp.gap_before_pending()) +
             " stream bytes missing from the capture; " + std::to_string(s.tcp.pending_bytes()) +
             " bytes after the gap were not decoded");
      }
      if (s.tcp.dropped_segments() > 0) {
        note(who + ": " + std::to_string(s.tcp.dropped_segments()) +
             " segments dropped (too much data held after a gap)");
      }
      if (!s.broken && s.pos < s.buf.size()) {
        note(who + ": the capture ends inside a record (" + std::to_string(s.buf.size() - s.pos) +
             " bytes of an incomplete record)");
      }
      if (!s.broken && !s.hs.empty()) {
        note(who + ": the capture ends inside a handshake message");
      }
    }
    if (client_random_) {
      r_.client_random.assign(client_random_->begin(), client_random_->end());
    }
    return std::move(r_);
  }

 private:
  struct Side {
    TcpReassembler tcp;
    std::vector<uint8_t> buf;  // reassembled stream bytes not yet consumed (from pos)
    size_t pos = 0;
    uint64_t consumed = 0;  // stream offset of buf[0]
    record::HandshakeReassembler hs;
    std::unique_ptr<record::RecordProtection> protection;  // null: no keys
    bool encrypted = false;                                // records are protected from here on
    bool broken = false;                                   // not (or no longer) decodable as TLS
    bool sent_ccs = false;
    std::optional<keyschedule::TrafficSecret> application_secret;  // TLS 1.3, for KeyUpdate
    // finished: this side's handshake Finished was seen (TLS 1.3). A later Finished ends a
    // post-handshake authentication (RFC 8446 §4.6.2) and changes no key.
    bool finished = false;
    // TLS 1.3 0-RTT (client side only). The early keys depend on the resumed session's cipher
    // suite, which the ClientHello does not name: `candidates` holds the early keys under each
    // offered suite until one opens the first early record. `next` holds the handshake keys
    // the client moves to after its early data: after EndOfEarlyData, or, when the server
    // rejected 0-RTT, right after the ServerHello (its first record that the early keys do not
    // open). `early` is set while the records are (or may be) early data.
    std::vector<std::unique_ptr<record::RecordProtection>> candidates;
    std::unique_ptr<record::RecordProtection> next;
    bool early = false;
  };

  struct Opened {
    ContentType type;
    std::vector<uint8_t> plaintext;
  };

  // try_open opens a copy of `fragment` with `p` (a failed open leaves the bytes it worked on
  // unspecified, and the caller may try other keys on the same record).
  static std::optional<Opened> try_open(record::RecordProtection& p, ContentType type,
                                        uint16_t version, std::span<const uint8_t> fragment,
                                        std::string& error) {
    std::vector<uint8_t> copy(fragment.begin(), fragment.end());
    auto opened = p.open(type, version, copy);
    if (!opened.ok()) {
      error = opened.error().message();
      return std::nullopt;
    }
    return Opened{opened->type,
                  std::vector<uint8_t>(opened->plaintext.begin(), opened->plaintext.end())};
  }

  // open_protected opens one protected record with the keys this side may be using (see Side).
  std::optional<Opened> open_protected(Side& s, ContentType type, uint16_t version,
                                       std::span<const uint8_t> fragment, std::string& error) {
    std::optional<Opened> opened;
    if (s.protection) {
      opened = try_open(*s.protection, type, version, fragment, error);
    } else if (!s.candidates.empty()) {
      for (auto& c : s.candidates) {
        opened = try_open(*c, type, version, fragment, error);
        if (opened) {
          s.protection = std::move(c);
          break;
        }
      }
      s.candidates.clear();
    }
    if (!opened && s.next) {
      opened = try_open(*s.next, type, version, fragment, error);
      if (opened) {
        s.protection = std::move(s.next);
        s.early = false;
      }
    }
    return opened;
  }

  Side& side(Direction d) { return sides_[d == Direction::client_to_server ? 0 : 1]; }

  void note(std::string text) { r_.notes.push_back(std::move(text)); }

  // keep adds one record or message to the report's wire list while the budget lasts; a record
  // past it is counted, and the messages it carries are dropped with it.
  void keep(WireItem item) {
    if (!keep_bytes_) {
      return;
    }
    if (item.kind == WireItem::Kind::record) {
      keeping_ = wire_bytes_ + item.bytes.size() <= kMaxWireBytes;
      if (!keeping_) {
        ++r_.wire_dropped;
        return;
      }
    } else if (!keeping_) {
      return;
    }
    wire_bytes_ += item.bytes.size();
    r_.wire.push_back(std::move(item));
  }

  void keep_message(Direction d, ContentType type, std::span<const uint8_t> bytes, bool encrypted,
                    double time) {
    if (!keep_bytes_) {
      return;
    }
    WireItem m;
    m.kind = WireItem::Kind::message;
    m.from = d;
    m.time = time;
    m.content_type = static_cast<uint8_t>(type);
    m.version = tls13_ ? 0x0304 : 0x0303;
    m.bytes.assign(bytes.begin(), bytes.end());
    m.encrypted = encrypted;
    keep(std::move(m));
  }

  void add_item(Direction d, FlowItem item, double time) {
    item.from = d;
    item.time = time;
    r_.items.push_back(std::move(item));
  }

  // process frames records (RFC 8446, 5.1 / RFC 5246, 6.2.1) out of the reassembled stream.
  void process(Direction d, double time) {
    Side& s = side(d);
    while (!s.broken) {
      codec::Reader in(std::span<const uint8_t>(s.buf).subspan(s.pos));
      uint8_t type = 0;
      uint16_t version = 0;
      uint16_t length = 0;
      if (!in.read_u8(type) || !in.read_u16(version) || !in.read_u16(length)) {
        break;  // header incomplete
      }
      if (type < 20 || type > 23 || (version >> 8) != 3 || length > kMaxCiphertext12) {
        s.broken = true;
        note(std::string(side_name(d)) + ": not a TLS record at stream offset " +
             std::to_string(s.consumed + s.pos) + "; the rest of this direction is not decoded");
        break;
      }
      std::span<const uint8_t> fragment;
      if (!in.read_bytes(length, fragment)) {
        break;  // body incomplete
      }
      r_.tls = true;
      std::vector<uint8_t> copy(fragment.begin(), fragment.end());
      if (keep_bytes_) {
        WireItem rec;
        rec.from = d;
        rec.time = time;
        rec.content_type = type;
        rec.version = version;
        rec.bytes = copy;
        keep(std::move(rec));
      }
      s.pos += kRecordHeaderLen + length;
      handle_record(d, static_cast<ContentType>(type), version, std::move(copy), time);
    }
    if (s.pos > 0 && (s.pos == s.buf.size() || s.pos > (size_t{1} << 16))) {
      s.buf.erase(s.buf.begin(), s.buf.begin() + static_cast<std::ptrdiff_t>(s.pos));
      s.consumed += s.pos;
      s.pos = 0;
    }
  }

  void handle_record(Direction d, ContentType type, uint16_t version, std::vector<uint8_t> fragment,
                     double time) {
    Side& s = side(d);
    // RFC 8446, 5: a change_cipher_spec record is never protected in TLS 1.3 (middlebox
    // compatibility); every other record after the key change is.
    bool is_protected =
        s.encrypted &&
        !((tls13_ || s.early) && type == ContentType::change_cipher_spec && fragment.size() == 1);
    std::span<const uint8_t> plaintext = fragment;
    std::vector<uint8_t> opened_plaintext;
    bool early_record = false;
    // The record just kept (process() keeps it before handing it here) learns whether it was
    // protected and opened.
    WireItem* kept = keep_bytes_ && keeping_ && !r_.wire.empty() ? &r_.wire.back() : nullptr;
    if (kept != nullptr) {
      kept->encrypted = is_protected;
    }
    if (is_protected) {
      if (!s.protection && s.candidates.empty() && !s.next) {
        FlowItem item;
        item.kind = FlowItem::Kind::encrypted;
        item.encrypted = true;
        item.length = fragment.size();
        item.name = tls13_                           ? "Encrypted Record"
                    : type == ContentType::handshake ? "Encrypted Handshake Message"
                    : type == ContentType::alert     ? "Encrypted Alert"
                                                     : "Encrypted Application Data";
        add_item(d, std::move(item), time);
        return;
      }
      std::string error;
      auto opened = open_protected(s, type, version, fragment, error);
      if (!opened) {
        note(std::string(side_name(d)) + ": a record did not decrypt (" + error +
             "); wrong or missing key log entry?");
        s.protection.reset();
        FlowItem item;
        item.kind = FlowItem::Kind::encrypted;
        item.encrypted = true;
        item.length = fragment.size();
        item.name = "Undecryptable Record";
        add_item(d, std::move(item), time);
        return;
      }
      if (kept != nullptr) {
        kept->opened = true;
      }
      type = opened->type;
      opened_plaintext = std::move(opened->plaintext);
      plaintext = opened_plaintext;
      r_.decrypted = true;
      early_record = s.early;
    }
    switch (type) {
      case ContentType::handshake: {
        if (auto added = s.hs.add(plaintext); !added.ok()) {
          fail(d, "handshake", added.error());
          return;
        }
        while (true) {
          auto next = s.hs.next();
          if (!next.ok()) {
            fail(d, "handshake", next.error());
            return;
          }
          if (!next->has_value()) {
            break;
          }
          const record::RawHandshake& msg = **next;
          handle_message(d, static_cast<uint8_t>(msg.type), msg.body, is_protected, time);
        }
        break;
      }
      case ContentType::change_cipher_spec: {
        FlowItem item;
        item.kind = FlowItem::Kind::change_cipher_spec;
        item.name = "Change Cipher Spec";
        item.length = plaintext.size();
        add_item(d, std::move(item), time);
        keep_message(d, type, plaintext, false, time);
        if (!tls13_) {
          // RFC 5246, 7.1: the records after ChangeCipherSpec use the pending keys.
          if (d == Direction::server_to_client && !side(Direction::client_to_server).sent_ccs) {
            r_.resumed = true;  // abbreviated handshake: the server changes keys first
          }
          s.sent_ccs = true;
          s.encrypted = true;
          install_tls12_keys(d);
        }
        break;
      }
      case ContentType::alert: {
        FlowItem item;
        item.kind = FlowItem::Kind::alert;
        item.name = "Alert";
        item.length = plaintext.size();
        item.encrypted = is_protected;
        if (auto alert = messages::parse_alert(plaintext); alert.ok()) {
          item.fields.emplace_back("level",
                                   alert->level == AlertLevel::warning ? "warning" : "fatal");
          item.fields.emplace_back("description", std::string(alert_name(alert->description)));
        }
        add_item(d, std::move(item), time);
        keep_message(d, type, plaintext, is_protected, time);
        break;
      }
      case ContentType::application_data: {
        FlowItem item;
        item.kind = FlowItem::Kind::application_data;
        item.name = early_record ? "Early Data" : "Application Data";
        item.length = plaintext.size();
        item.encrypted = is_protected;
        add_item(d, std::move(item), time);
        keep_message(d, type, plaintext, is_protected, time);
        auto& sink = early_record                       ? r_.early_data_plaintext
                     : d == Direction::client_to_server ? r_.client_data
                                                        : r_.server_data;
        sink.insert(sink.end(), plaintext.begin(), plaintext.end());
        break;
      }
      case ContentType::invalid:
      default:
        note(std::string(side_name(d)) + ": record of unknown inner content type " +
             std::to_string(static_cast<int>(type)));
        break;
    }
  }

  void fail(Direction d, const char* what, const Error& e) {
    side(d).broken = true;
    note(std::string(side_name(d)) + ": " + what + ": " + e.message());
  }

  void handle_message(Direction d, uint8_t type, std::span<const uint8_t> body, bool encrypted,
                      double time) {
    FlowItem item;
    item.kind = FlowItem::Kind::handshake;
    item.handshake_type = type;
    item.name = message_name(type);
    item.length = body.size();
    item.encrypted = encrypted;
    auto& f = item.fields;
    auto bad = [&](const Error& e) { f.emplace_back("error", e.message()); };
    switch (static_cast<HandshakeType>(type)) {
      case HandshakeType::client_hello: {
        auto ch = messages::parse_client_hello(body);
        if (!ch.ok()) {
          bad(ch.error());
          break;
        }
        client_random_ = ch->random;
        client_session_id_ = ch->legacy_session_id;
        offered_suites_ = ch->cipher_suites;
        // RFC 8446, 4.2.10: a client sending 0-RTT data puts early_data in its (first)
        // ClientHello; the ClientHello after a HelloRetryRequest MUST NOT.
        early_offered_ =
            !r_.hello_retry &&
            messages::find_extension(ch->extensions, ExtensionType::early_data) != nullptr;
        f.emplace_back("version", version_label(static_cast<uint16_t>(ch->legacy_version)));
        f.emplace_back("random", trace::hex(ch->random));
        f.emplace_back("session_id", ch->legacy_session_id.empty()
                                         ? "(empty)"
                                         : trace::hex(ch->legacy_session_id));
        f.emplace_back("cipher_suites", join(ch->cipher_suites, suite_text));
        f.emplace_back("extensions", extension_list(ch->extensions));
        describe_client_extensions(ch->extensions, f);
        break;
      }
      case HandshakeType::server_hello: {
        auto sh = messages::parse_server_hello(body);
        if (!sh.ok()) {
          bad(sh.error());
          break;
        }
        handle_server_hello(*sh, item);
        break;
      }
      case HandshakeType::certificate: {
        describe_certificate(body, f);
        break;
      }
      case HandshakeType::server_key_exchange: {
        auto ske = messages::parse_server_key_exchange_ecdhe(body);
        if (!ske.ok()) {
          bad(ske.error());
          break;
        }
        r_.group = group_text(ske->group);
        f.emplace_back("group", r_.group);
        f.emplace_back("public_key", trace::hex(ske->public_key, 16));
        f.emplace_back("signature_scheme", scheme_text(ske->scheme));
        break;
      }
      case HandshakeType::encrypted_extensions: {
        auto ee = messages::parse_encrypted_extensions(body);
        if (!ee.ok()) {
          bad(ee.error());
          break;
        }
        f.emplace_back("extensions", extension_list(ee->extensions));
        if (early_offered_) {
          // RFC 8446, 4.2.10: a server that accepts the early data puts early_data in its
          // EncryptedExtensions.
          bool accepted =
              messages::find_extension(ee->extensions, ExtensionType::early_data) != nullptr;
          r_.early_data = accepted ? "accepted" : "rejected";
          f.emplace_back("early_data", r_.early_data);
        }
        if (const auto* alpn = messages::find_extension(
                ee->extensions, ExtensionType::application_layer_protocol_negotiation)) {
          if (auto proto = messages::parse_alpn_server(alpn->data); proto.ok()) {
            f.emplace_back("alpn", *proto);
          }
        }
        break;
      }
      case HandshakeType::certificate_verify: {
        auto cv = messages::parse_certificate_verify(body);
        if (!cv.ok()) {
          bad(cv.error());
          break;
        }
        f.emplace_back("signature_scheme", scheme_text(cv->scheme));
        f.emplace_back("signature_length", std::to_string(cv->signature.size()));
        break;
      }
      case HandshakeType::new_session_ticket: {
        if (tls13_) {
          if (auto t = messages::parse_new_session_ticket13(body); t.ok()) {
            f.emplace_back("lifetime", std::to_string(t->lifetime));
            f.emplace_back("ticket_length", std::to_string(t->ticket.size()));
          } else {
            bad(t.error());
          }
        } else if (auto t = messages::parse_new_session_ticket12(body); t.ok()) {
          f.emplace_back("ticket_length", std::to_string(t->ticket.size()));
        } else {
          bad(t.error());
        }
        break;
      }
      case HandshakeType::key_update: {
        auto ku = messages::parse_key_update(body);
        if (!ku.ok()) {
          bad(ku.error());
          break;
        }
        f.emplace_back("request_update",
                       ku->request_update == messages::KeyUpdateRequest::update_requested
                           ? "update_requested"
                           : "update_not_requested");
        break;
      }
      case HandshakeType::finished:
        f.emplace_back("verify_data", trace::hex(body));
        break;
      case HandshakeType::hello_request:
      case HandshakeType::end_of_early_data:
      case HandshakeType::certificate_request:
      case HandshakeType::server_hello_done:
      case HandshakeType::client_key_exchange:
      case HandshakeType::certificate_status:
      case HandshakeType::message_hash:
      default:
        break;
    }
    add_item(d, std::move(item), time);
    if (keep_bytes_) {
      // The message as it was framed: type, uint24 length, body (RFC 8446, 4).
      std::vector<uint8_t> whole = {type, static_cast<uint8_t>(body.size() >> 16),
                                    static_cast<uint8_t>(body.size() >> 8),
                                    static_cast<uint8_t>(body.size())};
      whole.insert(whole.end(), body.begin(), body.end());
      keep_message(d, ContentType::handshake, whole, encrypted, time);
    }
    after_message(d, type);
  }

  void describe_client_extensions(const std::vector<messages::Extension>& exts,
                                  std::vector<std::pair<std::string, std::string>>& f) {
    if (const auto* e = messages::find_extension(exts, ExtensionType::server_name)) {
      if (auto name = messages::parse_server_name(e->data); name.ok()) {
        f.emplace_back("server_name", *name);
      }
    }
    if (const auto* e = messages::find_extension(exts, ExtensionType::supported_versions)) {
      if (auto v = messages::parse_supported_versions_client(e->data); v.ok()) {
        f.emplace_back("supported_versions", join(*v, [](ProtocolVersion x) {
                         return version_label(static_cast<uint16_t>(x));
                       }));
      }
    }
    if (const auto* e = messages::find_extension(exts, ExtensionType::supported_groups)) {
      if (auto g = messages::parse_supported_groups(e->data); g.ok()) {
        f.emplace_back("supported_groups", join(*g, group_text));
      }
    }
    if (const auto* e = messages::find_extension(exts, ExtensionType::key_share)) {
      if (auto ks = messages::parse_key_share_client(e->data); ks.ok()) {
        f.emplace_back("key_share", join(*ks, [](const messages::KeyShareEntry& k) {
                         return group_text(k.group);
                       }));
      }
    }
    if (const auto* e =
            messages::find_extension(exts, ExtensionType::application_layer_protocol_negotiation)) {
      if (auto alpn = messages::parse_alpn(e->data); alpn.ok()) {
        f.emplace_back("alpn", join(*alpn, [](const std::string& p) { return p; }));
      }
    }
    if (const auto* e = messages::find_extension(exts, ExtensionType::pre_shared_key)) {
      if (auto psk = messages::parse_pre_shared_key_client(e->data); psk.ok()) {
        f.emplace_back("pre_shared_key", std::to_string(psk->identities.size()) + " identities");
      }
    }
  }

  void handle_server_hello(const messages::ServerHello& sh, FlowItem& item) {
    auto& f = item.fields;
    bool hrr = messages::is_hello_retry_request(sh);
    last_hello_was_retry_ = hrr;
    if (hrr) {
      item.name = "Hello Retry Request";
      r_.hello_retry = true;
    }
    ProtocolVersion version = sh.legacy_version;
    if (const auto* e =
            messages::find_extension(sh.extensions, ExtensionType::supported_versions)) {
      if (auto v = messages::parse_supported_versions_server(e->data); v.ok()) {
        version = *v;
      }
    }
    tls13_ = version == ProtocolVersion::tls1_3;
    r_.version = version_label(static_cast<uint16_t>(version));
    r_.cipher_suite = suite_text(sh.cipher_suite);
    suite_ = detail::suite_info(sh.cipher_suite);
    f.emplace_back("version", r_.version);
    f.emplace_back("random", trace::hex(sh.random));
    f.emplace_back("session_id",
                   sh.legacy_session_id.empty() ? "(empty)" : trace::hex(sh.legacy_session_id));
    f.emplace_back("cipher_suite", r_.cipher_suite);
    f.emplace_back("extensions", extension_list(sh.extensions));
    if (hrr) {
      if (const auto* e = messages::find_extension(sh.extensions, ExtensionType::key_share)) {
        if (auto g = messages::parse_key_share_hrr(e->data); g.ok()) {
          f.emplace_back("selected_group", group_text(*g));
        }
      }
      return;
    }
    server_random_ = sh.random;
    if (tls13_) {
      if (const auto* e = messages::find_extension(sh.extensions, ExtensionType::key_share)) {
        if (auto ks = messages::parse_key_share_server(e->data); ks.ok()) {
          r_.group = group_text(ks->group);
          f.emplace_back("key_share", r_.group);
        }
      }
      if (messages::find_extension(sh.extensions, ExtensionType::pre_shared_key) != nullptr) {
        r_.resumed = true;
        f.emplace_back("pre_shared_key", "accepted");
      }
    } else if (!sh.legacy_session_id.empty() && sh.legacy_session_id == client_session_id_) {
      r_.resumed = true;  // RFC 5246, 7.4.1.3: the server echoes the session it resumes
    }
  }

  void describe_certificate(std::span<const uint8_t> body,
                            std::vector<std::pair<std::string, std::string>>& f) {
    std::vector<std::vector<uint8_t>> chain;
    if (tls13_) {
      auto c = messages::parse_certificate13(body);
      if (!c.ok()) {
        f.emplace_back("error", c.error().message());
        return;
      }
      for (auto& e : c->entries) {
        chain.push_back(std::move(e.cert_data));
      }
    } else {
      auto c = messages::parse_certificate12(body);
      if (!c.ok()) {
        f.emplace_back("error", c.error().message());
        return;
      }
      chain = std::move(c->chain);
    }
    f.emplace_back("certificates", std::to_string(chain.size()));
    for (size_t i = 0; i < chain.size(); ++i) {
      auto cert = x509::parse_certificate(chain[i]);
      f.emplace_back("subject[" + std::to_string(i) + "]",
                     cert.ok() ? x509::to_string(cert->subject) : "(unparsable certificate)");
    }
  }

  // after_message changes keys where the TLS 1.3 handshake does (RFC 8446, 2 and 7.3): the
  // records after the ServerHello use the handshake traffic secrets, each side's records after
  // its Finished the application traffic secrets, and after a KeyUpdate the next generation.
  void after_message(Direction d, uint8_t type) {
    using K = keyschedule::TrafficSecretKind;
    bool from_server = d == Direction::server_to_client;
    if (!from_server && early_offered_ &&
        type == static_cast<uint8_t>(HandshakeType::client_hello)) {
      start_early_data();
      return;
    }
    if (!tls13_) {
      return;
    }
    Side& client = side(Direction::client_to_server);
    switch (static_cast<HandshakeType>(type)) {
      case HandshakeType::server_hello:
        if (from_server && last_hello_was_retry_ && client.early) {
          // RFC 8446, 4.2.10: a HelloRetryRequest rejects the early data; the client's second
          // ClientHello is a plaintext record again.
          r_.early_data = "rejected";
          client.early = false;
          client.encrypted = false;
          client.protection.reset();
          client.candidates.clear();
        }
        if (from_server && !last_hello_was_retry_) {
          install_tls13_keys(Direction::server_to_client, "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                             K::server_handshake);
          // A client that sent early data keeps its early keys until EndOfEarlyData (or, when
          // the server rejects 0-RTT, until its first handshake record); see Side.
          install_tls13_keys(Direction::client_to_server, "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                             K::client_handshake, /*after_early_data=*/client.early);
        }
        break;
      case HandshakeType::end_of_early_data:
        // RFC 8446, 4.5: EndOfEarlyData is the last record under the early keys.
        if (!from_server) {
          client.protection = std::move(client.next);
          client.early = false;
        }
        break;
      case HandshakeType::finished:
        if (side(d).finished) {
          break;  // post-handshake authentication: the application keys stay
        }
        side(d).finished = true;
        if (from_server) {
          install_tls13_keys(d, "SERVER_TRAFFIC_SECRET_0", K::server_application);
        } else {
          install_tls13_keys(d, "CLIENT_TRAFFIC_SECRET_0", K::client_application);
        }
        break;
      case HandshakeType::key_update: {
        Side& s = side(d);
        if (!s.application_secret) {
          s.protection.reset();
          break;
        }
        // RFC 8446, 4.6.3: the sender switches to application_traffic_secret_N+1 after
        // sending KeyUpdate.
        auto next = keyschedule::next_application_traffic_secret(*provider_, *s.application_secret);
        s.protection.reset();
        if (next.ok()) {
          install_traffic_secret(d, std::move(next).value());
        }
        break;
      }
      case HandshakeType::hello_request:
      case HandshakeType::client_hello:
      case HandshakeType::new_session_ticket:
      case HandshakeType::encrypted_extensions:
      case HandshakeType::certificate:
      case HandshakeType::server_key_exchange:
      case HandshakeType::certificate_request:
      case HandshakeType::server_hello_done:
      case HandshakeType::certificate_verify:
      case HandshakeType::client_key_exchange:
      case HandshakeType::certificate_status:
      case HandshakeType::message_hash:
      default:
        break;
    }
  }

  void install_tls12_keys(Direction d) {
    Side& s = side(d);
    if (keylog_ == nullptr || !client_random_ || !server_random_ || !suite_) {
      return;
    }
    const SecretBytes* master = keylog_->find("CLIENT_RANDOM", *client_random_);
    if (master == nullptr) {
      note_once_missing("CLIENT_RANDOM");
      return;
    }
    auto block = keyschedule::key_block(*provider_, suite_->hash, suite_->aead, master->expose(),
                                        *client_random_, *server_random_);
    if (!block.ok()) {
      note("key block: " + block.error().message());
      return;
    }
    bool client = d == Direction::client_to_server;
    auto p = record::make_tls12_protection(
        *provider_, suite_->aead,
        (client ? block->client_write_key : block->server_write_key).expose(),
        (client ? block->client_write_iv : block->server_write_iv).expose());
    if (p.ok()) {
      s.protection = std::move(p).value();
    }
  }

  // start_early_data: the client's records after a ClientHello offering 0-RTT are protected
  // with client_early_traffic_secret (RFC 8446, 2.3 and 7.1), under the resumed session's
  // suite: one candidate per offered TLS 1.3 suite whose hash fits the logged secret.
  void start_early_data() {
    Side& s = side(Direction::client_to_server);
    s.encrypted = true;
    s.early = true;
    r_.early_data = "offered";
    if (keylog_ == nullptr || !client_random_) {
      return;
    }
    const SecretBytes* bytes = keylog_->find("CLIENT_EARLY_TRAFFIC_SECRET", *client_random_);
    if (bytes == nullptr) {
      note_once_missing("CLIENT_EARLY_TRAFFIC_SECRET");
      return;
    }
    for (CipherSuite cs : offered_suites_) {
      auto info = detail::suite_info(cs);
      if (!info || !detail::is_tls13_suite(cs)) {
        continue;
      }
      auto secret = keyschedule::TrafficSecret::dangerous_from_bytes(
          keyschedule::TrafficSecretKind::client_early, info->hash, bytes->expose());
      if (!secret.ok()) {
        continue;  // the secret's length is not this suite's hash length
      }
      if (auto p = protection_for(*info, *secret)) {
        s.candidates.push_back(std::move(p));
      }
    }
  }

  // protection_for is the record protection of `secret` under `suite` (the connection's own
  // derivation, detail::tls13_protection), or null when it cannot be made.
  std::unique_ptr<record::RecordProtection> protection_for(
      const detail::SuiteInfo& suite, const keyschedule::TrafficSecret& secret) {
    auto p = detail::tls13_protection(*provider_, secret, suite.aead);
    if (!p.ok()) {
      return nullptr;
    }
    return std::move(p).value();
  }

  // install_tls13_keys sets side d's keys from the key log line `label`; with
  // `after_early_data` they become the client's next keys (Side::next) instead.
  void install_tls13_keys(Direction d, std::string_view label, keyschedule::TrafficSecretKind kind,
                          bool after_early_data = false) {
    Side& s = side(d);
    if (after_early_data) {
      s.next.reset();
    } else {
      s.encrypted = true;
      s.protection.reset();
    }
    if (keylog_ == nullptr || !client_random_ || !suite_) {
      return;
    }
    const SecretBytes* bytes = keylog_->find(label, *client_random_);
    if (bytes == nullptr) {
      note_once_missing(label);
      return;
    }
    auto secret =
        keyschedule::TrafficSecret::dangerous_from_bytes(kind, suite_->hash, bytes->expose());
    if (!secret.ok()) {
      note(std::string(label) + ": " + secret.error().message());
      return;
    }
    if (after_early_data) {
      s.next = protection_for(*suite_, *secret);
      return;
    }
    install_traffic_secret(d, std::move(secret).value());
  }

  void install_traffic_secret(Direction d, keyschedule::TrafficSecret secret) {
    Side& s = side(d);
    auto p = protection_for(*suite_, secret);
    if (p == nullptr) {
      return;
    }
    s.protection = std::move(p);
    s.application_secret.reset();
    if (secret.kind() == keyschedule::TrafficSecretKind::client_application ||
        secret.kind() == keyschedule::TrafficSecretKind::server_application) {
      s.application_secret.emplace(std::move(secret));
    }
  }

  void note_once_missing(std::string_view label) {
    std::string text = "no " + std::string(label) + " line for this connection in the key log";
    if (std::find(r_.notes.begin(), r_.notes.end(), text) == r_.notes.end()) {
      note(std::move(text));
    }
  }

  const KeyLogFile* keylog_;
  const crypto::Provider* provider_;
  ConnectionReport r_;
  std::array<Side, 2> sides_;
  std::optional<std::array<uint8_t, 32>> client_random_;
  std::optional<std::array<uint8_t, 32>> server_random_;
  std::vector<uint8_t> client_session_id_;
  std::vector<CipherSuite> offered_suites_;
  bool early_offered_ = false;  // the ClientHello carried early_data
  std::optional<detail::SuiteInfo> suite_;
  bool tls13_ = false;
  bool last_hello_was_retry_ = false;
  bool guessed_roles_ = false;
  bool keep_bytes_ = false;
  bool keeping_ = true;    // the last record was kept, so are its messages
  size_t wire_bytes_ = 0;  // bytes in r_.wire
};

Dissector::Dissector(LinkType link, const KeyLogFile* keylog, const crypto::Provider& provider,
                     std::optional<uint16_t> port)
    : link_(link), keylog_(keylog), provider_(&provider), port_(port) {}

Dissector::~Dissector() = default;

void Dissector::add_frame(std::span<const uint8_t> frame, double time) {
  ++frames_;
  auto seg = parse_tcp_segment(link_, frame);
  if (!seg || (port_ && seg->src.port != *port_ && seg->dst.port != *port_)) {
    ++ignored_;
    return;
  }
  auto key = std::minmax(seg->src, seg->dst);
  std::pair<Endpoint, Endpoint> k{key.first, key.second};
  auto it = connections_.find(k);
  bool opening = seg->syn && !seg->ack_flag;
  if (it != connections_.end() && opening && it->second->has_data()) {
    // The 4-tuple is used again by a new connection: keep the old report, start afresh.
    closed_.push_back(std::move(it->second));
    connections_.erase(it);
    it = connections_.end();
  }
  if (it == connections_.end()) {
    // The SYN's sender is the client. Without a SYN (the capture started later), guess that
    // the server has the lower port number, or the port we were told.
    bool src_is_client =
        opening || (port_ ? seg->dst.port == *port_ : seg->src.port > seg->dst.port);
    if (seg->syn && seg->ack_flag) {
      src_is_client = false;
    }
    Endpoint client = src_is_client ? seg->src : seg->dst;
    Endpoint server = src_is_client ? seg->dst : seg->src;
    auto conn = std::make_unique<Connection>(order_.size() + 1, client, server, keylog_, *provider_,
                                             keep_bytes_);
    if (!seg->syn) {
      conn->set_guessed_roles();
    }
    order_.push_back(conn.get());
    it = connections_.emplace(k, std::move(conn)).first;
  }
  it->second->add_segment(*seg, time);
}

std::vector<ConnectionReport> Dissector::finish() {
  std::vector<ConnectionReport> reports;
  reports.reserve(order_.size());
  for (Connection* c : order_) {
    reports.push_back(c->finish());
  }
  return reports;
}

std::vector<ConnectionReport> dissect_frames(LinkType link,
                                             const std::vector<std::span<const uint8_t>>& frames,
                                             const KeyLogFile* keylog,
                                             const crypto::Provider& provider) {
  Dissector d(link, keylog, provider);
  double t = 0;
  for (auto frame : frames) {
    d.add_frame(frame, t);
    t += 0.001;
  }
  return d.finish();
}

}  // namespace hs::dissect

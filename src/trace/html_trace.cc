// HtmlTraceRenderer: the illustrated page of one live handshake (see html_trace.h).
#include "trace/html_trace.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <map>
#include <span>
#include <string_view>
#include <utility>

#include "codec/wire.h"
#include "messages/messages.h"
#include "trace/annotate.h"
#include "trace/curl_trace.h"
#include "trace/escape.h"
#include "trace/ladder.h"
#include "x509/certificate.h"

namespace hs::trace {

namespace {

using Item = HtmlTraceRenderer::Item;
using Kind = HtmlTraceRenderer::Item::Kind;

// The page shows at most this many application-data messages and bytes of each, so a large
// download does not make a page of megabytes; the rest is summarised.
constexpr size_t kMaxAppDataItems = 12;
constexpr size_t kMaxAppDataShown = 256;
constexpr size_t kColours = 8;

std::string esc(std::string_view s) { return xml_escape(s); }

std::string ms(std::chrono::steady_clock::duration d) {
  double v = std::chrono::duration<double, std::milli>(d).count();
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.3f ms", v);
  return std::string(buf.data());
}

// breakable escapes `s` and lets a long unbroken run (hex, names with underscores) wrap every
// 24 characters, so a value never widens its column.
std::string breakable(std::string_view s) {
  std::string out;
  size_t run = 0;
  for (char c : s) {
    run = c == ' ' ? 0 : run + 1;
    if (run > 24 && (run - 1) % 24 == 0) {
      out += "&#8203;";  // a zero-width space: HTML4 parsers do not know <wbr>
    }
    out += esc(std::string(1, c));
  }
  return out;
}

std::string hex_spaced(std::span<const uint8_t> b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i > 0) {
      out.push_back(' ');
    }
    out.push_back(kDigits[b[i] >> 4]);
    out.push_back(kDigits[b[i] & 0xF]);
  }
  return out;
}

// Page renders the sections; ids make every field addressable for the hover links.
class Page {
 public:
  std::string out;
  int next_id = 0;

  void add(std::string_view s) { out += s; }

  // hex_and_table renders one annotated structure: the coloured hex, then the field table.
  void hex_and_table(const Field& root, std::span<const uint8_t> bytes, size_t shown_limit) {
    int id = next_id++;
    std::vector<const Field*> leaves;
    collect(root, leaves);
    size_t shown = bytes.size() < shown_limit ? bytes.size() : shown_limit;
    add("<div class=\"hex\">");
    size_t colour = 0;
    for (size_t i = 0; i < leaves.size(); ++i) {
      const Field& f = *leaves[i];
      if (f.offset >= shown) {
        break;
      }
      size_t end = f.offset + f.length < shown ? f.offset + f.length : shown;
      add("<span class=\"f c" + std::to_string(colour) + "\" data-f=\"" + std::to_string(id) + "-" +
          std::to_string(i) + "\" title=\"" + esc(f.name) + ": " + esc(f.value) +
          (f.meaning.empty() ? std::string() : " - " + esc(f.meaning)) + "\">");
      add(hex_spaced(bytes.subspan(f.offset, end - f.offset)));
      add("</span> ");
      colour = (colour + 1) % kColours;
    }
    if (shown < bytes.size()) {
      add("<span class=\"more\">... " + std::to_string(bytes.size() - shown) +
          " more bytes</span>");
    }
    add("</div>\n<table class=\"fields\"><tr><th style=\"width:1.6em\"></th>"
        "<th style=\"width:3.2em\">bytes</th><th style=\"width:27%\">field</th>"
        "<th style=\"width:35%\">value</th><th>meaning</th></tr>\n");
    size_t leaf_index = 0;
    rows(root, 0, id, leaf_index);
    add("</table>\n");
  }

 private:
  static void collect(const Field& f, std::vector<const Field*>& leaves) {
    if (f.is_leaf()) {
      if (f.length > 0) {
        leaves.push_back(&f);
      }
      return;
    }
    for (const Field& c : f.children) {
      collect(c, leaves);
    }
  }

  void rows(const Field& f, int depth, int id, size_t& leaf_index) {
    bool leaf = f.is_leaf();
    if (depth > 0 || leaf) {
      std::string swatch;
      std::string attrs;
      if (leaf && f.length > 0) {
        swatch = "<span class=\"sw c" + std::to_string(leaf_index % kColours) + "\"></span>";
        attrs = " data-f=\"" + std::to_string(id) + "-" + std::to_string(leaf_index) + "\"";
        ++leaf_index;
      }
      add("<tr class=\"" + std::string(leaf ? "leaf" : "group") + "\"" + attrs + "><td>" + swatch +
          "</td><td class=\"n\">" + std::to_string(f.length) + "</td><td style=\"padding-left:" +
          std::to_string(depth * 1.2 + 0.4) + "em\">" + breakable(f.name) + "</td><td>" +
          breakable(f.value) + "</td><td>" + esc(f.meaning) + "</td></tr>\n");
    }
    for (const Field& c : f.children) {
      rows(c, depth + 1, id, leaf_index);
    }
  }
};

// Connection is what the summary and the key schedule need from one handshake.
struct Connection {
  std::vector<uint8_t> client_random;
  std::string sni;
  std::string alpn;
  std::optional<uint16_t> version;
  std::optional<uint16_t> suite;
  std::optional<uint16_t> group;
  bool ems_offered = false;
  bool ems_accepted = false;
  bool psk = false;  // TLS 1.3: the server accepted a PSK
  bool hrr = false;
  bool hello_seen = false;
  bool resumed12 = false;
  std::vector<uint8_t> client_session_id;
};

void learn(Connection& c, const Item& m) {
  if (m.content_type != static_cast<uint8_t>(ContentType::handshake) || m.bytes.size() < 4) {
    return;
  }
  std::span<const uint8_t> body = std::span<const uint8_t>(m.bytes).subspan(4);
  uint8_t type = m.bytes[0];
  if (type == static_cast<uint8_t>(HandshakeType::client_hello)) {
    auto ch = messages::parse_client_hello(body);
    if (!ch.ok()) {
      return;
    }
    if (c.client_random.empty()) {
      c.client_random.assign(ch->random.begin(), ch->random.end());
    }
    c.client_session_id = ch->legacy_session_id;
    if (const auto* e = messages::find_extension(ch->extensions, ExtensionType::server_name)) {
      if (auto n = messages::parse_server_name(e->data); n.ok()) {
        c.sni = *n;
      }
    }
    c.ems_offered =
        messages::find_extension(ch->extensions, ExtensionType::extended_master_secret) != nullptr;
  } else if (type == static_cast<uint8_t>(HandshakeType::server_hello)) {
    auto sh = messages::parse_server_hello(body);
    if (!sh.ok()) {
      return;
    }
    if (messages::is_hello_retry_request(*sh)) {
      c.hrr = true;
      return;
    }
    c.suite = static_cast<uint16_t>(sh->cipher_suite);
    c.version = static_cast<uint16_t>(sh->legacy_version);
    if (const auto* e =
            messages::find_extension(sh->extensions, ExtensionType::supported_versions)) {
      if (auto v = messages::parse_supported_versions_server(e->data); v.ok()) {
        c.version = static_cast<uint16_t>(*v);
      }
    }
    if (const auto* e = messages::find_extension(sh->extensions, ExtensionType::key_share)) {
      if (auto k = messages::parse_key_share_server(e->data); k.ok()) {
        c.group = static_cast<uint16_t>(k->group);
      }
    }
    if (const auto* e = messages::find_extension(
            sh->extensions, ExtensionType::application_layer_protocol_negotiation)) {
      if (auto a = messages::parse_alpn_server(e->data); a.ok()) {
        c.alpn = *a;
      }
    }
    c.ems_accepted =
        messages::find_extension(sh->extensions, ExtensionType::extended_master_secret) != nullptr;
    c.psk = messages::find_extension(sh->extensions, ExtensionType::pre_shared_key) != nullptr;
    c.resumed12 = c.version == 0x0303 && !sh->legacy_session_id.empty() &&
                  sh->legacy_session_id == c.client_session_id;
  } else if (type == static_cast<uint8_t>(HandshakeType::server_key_exchange)) {
    if (auto ske = messages::parse_server_key_exchange_ecdhe(body); ske.ok()) {
      c.group = static_cast<uint16_t>(ske->group);
    }
  } else if (type == static_cast<uint8_t>(HandshakeType::encrypted_extensions)) {
    auto ee = messages::parse_encrypted_extensions(body);
    if (!ee.ok()) {
      return;
    }
    if (const auto* e = messages::find_extension(
            ee->extensions, ExtensionType::application_layer_protocol_negotiation)) {
      if (auto a = messages::parse_alpn_server(e->data); a.ok()) {
        c.alpn = *a;
      }
    }
  }
}

// Step is one line of the key schedule: what it is called, how it is computed, and the key-log
// label whose bytes show it (none for secrets that never leave the library).
struct Step {
  std::string name;
  std::string formula;
  std::string meaning;
  std::string label;
  std::string where = "never leaves the library";  // shown when there is no label
};

std::vector<Step> schedule(const Connection& c) {
  std::string group = c.group ? group_label(*c.group) : std::string("the chosen group");
  if (c.version == 0x0304) {
    std::vector<Step> s;
    s.push_back({"(EC)DHE shared secret",
                 c.psk && !c.group ? std::string("none (psk_ke)")
                                   : "ECDH(own private key, peer's key_share) over " + group,
                 "each side computes it from its private key and the other's public key; it "
                 "never crosses the wire",
                 ""});
    s.push_back({"early_secret",
                 c.psk ? "HKDF-Extract(salt = 0, IKM = the resumption PSK from the ticket)"
                       : "HKDF-Extract(salt = 0, IKM = 0...0)",
                 c.psk ? "the resumed session's PSK enters the schedule here"
                       : "no PSK: the first stage is a constant",
                 ""});
    s.push_back(
        {"client_early_traffic_secret", "Derive-Secret(early_secret, \"c e traffic\", ClientHello)",
         "protects 0-RTT data (only when early data was sent)", "CLIENT_EARLY_TRAFFIC_SECRET"});
    s.push_back({"handshake_secret",
                 "HKDF-Extract(salt = Derive-Secret(early_secret, \"derived\", \"\"), IKM = "
                 "(EC)DHE shared secret)",
                 "the ephemeral key exchange enters the schedule", ""});
    s.push_back({"client_handshake_traffic_secret",
                 "Derive-Secret(handshake_secret, \"c hs traffic\", ClientHello...ServerHello)",
                 "keys for the client's encrypted handshake messages (its Finished)",
                 "CLIENT_HANDSHAKE_TRAFFIC_SECRET"});
    s.push_back({"server_handshake_traffic_secret",
                 "Derive-Secret(handshake_secret, \"s hs traffic\", ClientHello...ServerHello)",
                 "keys for EncryptedExtensions through the server's Finished",
                 "SERVER_HANDSHAKE_TRAFFIC_SECRET"});
    s.push_back({"master_secret",
                 "HKDF-Extract(salt = Derive-Secret(handshake_secret, \"derived\", \"\"), IKM = "
                 "0...0)",
                 "the last stage", ""});
    s.push_back({"client_application_traffic_secret_0",
                 "Derive-Secret(master_secret, \"c ap traffic\", ClientHello...server Finished)",
                 "keys for the client's application data", "CLIENT_TRAFFIC_SECRET_0"});
    s.push_back({"server_application_traffic_secret_0",
                 "Derive-Secret(master_secret, \"s ap traffic\", ClientHello...server Finished)",
                 "keys for the server's application data (and its tickets)",
                 "SERVER_TRAFFIC_SECRET_0"});
    s.push_back({"exporter_master_secret",
                 "Derive-Secret(master_secret, \"exp master\", ClientHello...server Finished)",
                 "keying material for the application (RFC 5705 exporters)", "EXPORTER_SECRET"});
    s.push_back({"resumption_master_secret",
                 "Derive-Secret(master_secret, \"res master\", ClientHello...client Finished)",
                 "the PSKs of the session tickets derive from it", ""});
    s.push_back({"traffic keys",
                 "key = HKDF-Expand-Label(secret, \"key\", \"\", key_length); iv = "
                 "HKDF-Expand-Label(secret, \"iv\", \"\", 12)",
                 "each traffic secret gives one AEAD key and IV; the record sequence number is "
                 "XORed into the IV",
                 ""});
    return s;
  }
  std::vector<Step> s;
  if (c.resumed12) {
    s.push_back({"master_secret", "from the resumed session (ticket or session ID)",
                 "resumption skips the key exchange: the old master secret is reused",
                 "CLIENT_RANDOM"});
  } else {
    s.push_back({"pre_master_secret", "ECDH(own private key, peer's public key) over " + group,
                 "from ServerKeyExchange and ClientKeyExchange; it never crosses the wire", ""});
    if (c.ems_offered && c.ems_accepted) {
      s.push_back({"master_secret (extended, RFC 7627)",
                   "PRF(pre_master_secret, \"extended master secret\", session_hash), 48 bytes",
                   "session_hash is the hash of ClientHello...ClientKeyExchange: the master "
                   "secret is bound to this handshake",
                   "CLIENT_RANDOM"});
    } else {
      s.push_back({"master_secret",
                   "PRF(pre_master_secret, \"master secret\", client_random + server_random), 48 "
                   "bytes",
                   "the session's secret", "CLIENT_RANDOM"});
    }
  }
  s.push_back({"key_block", "PRF(master_secret, \"key expansion\", server_random + client_random)",
               "cut into client_write_key, server_write_key, client_write_IV, server_write_IV "
               "(AES-GCM: 4-byte implicit nonce; ChaCha20-Poly1305: 12-byte IV)",
               ""});
  s.push_back({"verify_data (Finished)",
               "PRF(master_secret, \"client finished\" / \"server finished\", handshake hash), "
               "12 bytes",
               "each side proves it saw the same handshake", "",
               "public: it is the body of each Finished message above"});
  return s;
}

const char* kStyle = R"css(
:root{--client:#1f6feb;--server:#b35900;--bg:#fbfbfa;--line:#ddd}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:var(--bg);color:#222}
.top{background:#20232a;color:#eee;padding:1.2em 2em}
.top h1{margin:0 0 .3em;font-size:1.6em}
.top p{margin:.2em 0;color:#bbb}
.main{max-width:1100px;margin:0 auto;padding:1em 2em 4em}
.summary{display:flex;flex-wrap:wrap;gap:.5em;margin:1em 0}
.summary span{background:#fff;border:1px solid var(--line);border-radius:4px;padding:.2em .6em}
.ladder{background:#fff;border:1px solid var(--line);border-radius:6px;padding:1em;margin:1em 0}
.ladder img{display:block;max-width:100%;height:auto;margin:0 auto}
div.msg{background:#fff;border:1px solid var(--line);border-left:6px solid var(--client);border-radius:6px;margin:1.2em 0;padding:.6em 1.2em 1em}
div.msg.in{border-left-color:var(--server)}
div.msg.srv{margin-left:8%}
div.msg.cli{margin-right:8%}
div.msg h2{font-size:1.15em;margin:.3em 0}
.dir{font-size:.8em;color:#fff;background:var(--client);border-radius:3px;padding:.1em .5em;margin-right:.5em;vertical-align:middle}
div.msg.srv .dir{background:var(--server)}
.meaning{color:#555;margin:.2em 0 .6em}
.t{float:right;color:#888;font-size:.85em}
h3{font-size:.95em;margin:.8em 0 .3em;color:#444}
.hex{font:13px/1.7 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;border-radius:4px;padding:.6em .8em;word-wrap:break-word;max-width:100%}
.hex .f{border-radius:2px;padding:1px 0}
.hex .f:hover,.hex .f.hl{outline:2px solid #222}
.more{color:#888}
table.fields{border-collapse:collapse;width:100%;margin-top:.5em;font-size:.88em;table-layout:fixed}
table.fields th{text-align:left;color:#666;font-weight:600;border-bottom:1px solid var(--line);padding:.2em .4em}
table.fields td{border-bottom:1px solid #f0f0f0;padding:.15em .4em;vertical-align:top}
table.fields td.n{text-align:right;color:#888;width:3.5em}
table.fields tr.group td{font-weight:600;background:#fafafa}
table.fields tr.leaf:hover,table.fields tr.hl{background:#fff6c8}
table.fields td:nth-child(4){font-family:ui-monospace,Menlo,Consolas,monospace}
table.fields td{overflow:hidden}
.sw{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:middle}
.c0{background:#ffd8d8}.c1{background:#d8ecff}.c2{background:#dcf5d0}.c3{background:#ffeac2}
.c4{background:#eadcff}.c5{background:#c9f1ef}.c6{background:#ffdcf1}.c7{background:#e8e8c8}
.event{margin:.6em 0;padding:.4em 1em;border-radius:4px;font-size:.92em}
.event.key{background:#fff4d6;border:1px solid #f0d48a}
.event.alert{background:#ffe3e3;border:1px solid #f1a7a7}
.event.note{color:#666}
details summary{cursor:pointer;color:#555}
.keys{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.6em 1.2em}
.keys ol{padding-left:1.4em}
.keys li{margin:.5em 0}
.keys code{font-size:.9em}
.secret{font:12px ui-monospace,Menlo,Consolas,monospace;background:#fff4d6;padding:.1em .3em;word-break:break-all}
.nobytes{color:#999;font-style:italic}
pre.secret{white-space:pre-wrap;display:block;padding:.5em}
table.cert{border-collapse:collapse;width:100%;margin-top:.3em;font-size:.88em;table-layout:fixed;background:#f4fbf4}
table.cert th{text-align:left;color:#666;font-weight:600;border-bottom:1px solid var(--line);padding:.2em .4em}
table.cert td{border-bottom:1px solid #e6efe6;padding:.15em .4em;vertical-align:top;overflow-wrap:anywhere}
)css";

// kScript links a hex span and its table row on hover; the page works without it (titles).
const char* kScript = R"js(
document.addEventListener('mouseover',function(e){var t=e.target.closest('[data-f]');
document.querySelectorAll('.hl').forEach(function(x){x.classList.remove('hl')});
if(t){document.querySelectorAll('[data-f="'+t.dataset.f+'"]').forEach(function(x){x.classList.add('hl')})}});
)js";

std::string heading_for(const Item& m) {
  switch (static_cast<ContentType>(m.content_type)) {
    case ContentType::handshake: {
      uint8_t t = m.bytes.empty() ? 0 : m.bytes[0];
      std::string label = message_label(t);
      std::string curl = std::string(curl_message_name(t)) + " (" + std::to_string(t) + ")";
      if (curl != label) {
        label += " <span class=\"meaning\">(curl -v: " + curl + ")</span>";
      }
      return label;
    }
    case ContentType::change_cipher_spec:
      return "Change cipher spec";
    case ContentType::alert:
      return "Alert";
    case ContentType::application_data:
      return "Application data";
    case ContentType::invalid:
      break;
  }
  return "Content type " + std::to_string(m.content_type);
}

// record_encrypted decides whether the record at `i` was protected: records precede the
// message they carry, so the next message in the same direction knows. A ChangeCipherSpec
// record is never protected.
bool record_encrypted(const std::vector<Item>& items, size_t i) {
  if (items[i].encrypted) {
    return true;  // a capture knows
  }
  if (items[i].content_type == static_cast<uint8_t>(ContentType::change_cipher_spec)) {
    return false;
  }
  for (size_t j = i + 1; j < items.size(); ++j) {
    if (items[j].kind == Kind::message && items[j].direction == items[i].direction) {
      return items[j].encrypted;
    }
  }
  return items[i].content_type == static_cast<uint8_t>(ContentType::application_data);
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) {
      v |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    }
    if (i + 2 < in.size()) {
      v |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 2]));
    }
    out.push_back(kAlphabet[(v >> 18) & 0x3F]);
    out.push_back(kAlphabet[(v >> 12) & 0x3F]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 0x3F] : '=');
    out.push_back(i + 2 < in.size() ? kAlphabet[v & 0x3F] : '=');
  }
  return out;
}

// ladder_of replays one connection's events into a LadderRecorder, so the diagram comes from
// the same events as the rest of the page.
Ladder ladder_of(const std::vector<Item>& items, const Connection& c, bool we_are_client) {
  LadderRecorder rec(we_are_client ? LadderSide::client : LadderSide::server);
  std::vector<uint8_t> filler;
  for (const Item& it : items) {
    if (it.kind == Kind::key_change) {
      rec.on_event(Event{it.time, KeyChangeEvent{it.direction, it.text}});
    } else if (it.kind == Kind::message) {
      std::span<const uint8_t> bytes(it.bytes);
      if (it.hidden) {
        filler.assign(it.size, 0);  // only the size matters to the diagram
        bytes = filler;
      }
      uint8_t type =
          it.content_type == static_cast<uint8_t>(ContentType::handshake) && !it.bytes.empty()
              ? it.bytes[0]
              : 0;
      rec.on_event(Event{it.time, MessageEvent{it.direction, it.content_type, type, it.version,
                                               bytes, it.encrypted}});
    }
  }
  LadderSummary s;
  if (c.version) {
    s.version = *c.version == 0x0304 ? "TLS 1.3" : "TLS 1.2";
  }
  if (c.suite) {
    s.cipher_suite = std::string(suite_name(static_cast<CipherSuite>(*c.suite)));
  }
  if (c.group) {
    s.group = std::string(group_name(static_cast<NamedGroup>(*c.group)));
  }
  s.alpn = c.alpn;
  s.sni = c.sni;
  s.resumed = c.psk || c.resumed12;
  s.hello_retry = c.hrr;
  Ladder l = rec.ladder(s);
  l.client_label = we_are_client ? "hs client" : "Client";
  l.server_label = we_are_client ? (c.sni.empty() ? std::string("Server") : c.sni) : "hs server";
  return l;
}

}  // namespace

HtmlTraceRenderer::HtmlTraceRenderer(std::string title,
                                     std::shared_ptr<std::vector<KeyLogLine>> key_store)
    : title_(std::move(title)), keys_(std::move(key_store)) {}

namespace {
class TeeKeyLog final : public KeyLogSink {
 public:
  TeeKeyLog(std::shared_ptr<KeyLogSink> next, std::shared_ptr<std::vector<KeyLogLine>> keys)
      : next_(std::move(next)), keys_(std::move(keys)) {}
  void log(std::string_view label, std::span<const uint8_t> client_random,
           std::span<const uint8_t> secret) override {
    if (next_) {
      next_->log(label, client_random, secret);
    }
    keys_->push_back({std::string(label),
                      std::vector<uint8_t>(client_random.begin(), client_random.end()),
                      SecretBytes(secret)});
  }

 private:
  std::shared_ptr<KeyLogSink> next_;
  std::shared_ptr<std::vector<KeyLogLine>> keys_;
};
}  // namespace

std::shared_ptr<KeyLogSink> make_key_log_tee(std::shared_ptr<KeyLogSink> next,
                                             std::shared_ptr<std::vector<KeyLogLine>> store) {
  return std::make_shared<TeeKeyLog>(std::move(next), std::move(store));
}

std::shared_ptr<KeyLogSink> HtmlTraceRenderer::key_log_tee(std::shared_ptr<KeyLogSink> next) {
  if (!keys_) {
    keys_ = std::make_shared<std::vector<KeyLogLine>>();
  }
  return make_key_log_tee(std::move(next), keys_);
}

void HtmlTraceRenderer::release_keys() {
  if (!keys_) {
    return;
  }
  std::vector<std::vector<uint8_t>> randoms;
  for (const Item& it : items_) {
    if (it.kind == Kind::message &&
        it.content_type == static_cast<uint8_t>(ContentType::handshake) && it.bytes.size() >= 4 &&
        it.bytes[0] == static_cast<uint8_t>(HandshakeType::client_hello)) {
      if (auto ch = messages::parse_client_hello(std::span<const uint8_t>(it.bytes).subspan(4));
          ch.ok()) {
        randoms.emplace_back(ch->random.begin(), ch->random.end());
      }
    }
  }
  std::erase_if(*keys_, [&](const KeyLogLine& line) {
    return std::find(randoms.begin(), randoms.end(), line.client_random) != randoms.end();
  });
}

void HtmlTraceRenderer::on_event(const Event& event) {
  Item item;
  item.time = event.time;
  if (const auto* r = std::get_if<RecordEvent>(&event.body)) {
    item.kind = Kind::record;
    item.direction = r->direction;
    item.content_type = r->content_type;
    item.version = r->version;
    item.length = r->length;
    if (app_data_items_ >= kMaxAppDataItems) {
      return;  // the page has shown enough application data; summarised at the end
    }
    item.bytes.assign(r->fragment.begin(), r->fragment.end());
  } else if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
    item.kind = Kind::message;
    item.direction = m->direction;
    item.content_type = m->content_type;
    item.version = m->version;
    item.encrypted = m->encrypted;
    item.size = m->bytes.size();
    if (m->content_type == static_cast<uint8_t>(ContentType::application_data)) {
      app_data_bytes_ += m->bytes.size();
      // Past the first few, only the size is kept: the ladder still counts them.
      item.hidden = ++app_data_items_ > kMaxAppDataItems;
    }
    if (!item.hidden) {
      item.bytes.assign(m->bytes.begin(), m->bytes.end());
    }
  } else if (const auto* k = std::get_if<KeyChangeEvent>(&event.body)) {
    item.kind = Kind::key_change;
    item.direction = k->direction;
    item.text = std::string(k->secret);
  } else if (const auto* a = std::get_if<AlertEvent>(&event.body)) {
    item.kind = Kind::alert;
    item.direction = a->direction;
    item.text = std::string(a->level == AlertLevel::fatal ? "fatal " : "warning ") +
                std::string(alert_name(a->description));
  } else if (const auto* n = std::get_if<NoteEvent>(&event.body)) {
    item.kind = Kind::note;
    item.text = n->text;
  } else if (const auto* s = std::get_if<StateEvent>(&event.body)) {
    item.kind = Kind::state;
    item.text = std::string(s->state);
  }
  items_.push_back(std::move(item));
}

std::string HtmlTraceRenderer::render() const {
  // Which side are we? The first message out is a ClientHello for a client.
  bool we_are_client = true;
  for (const Item& it : items_) {
    if (it.kind == Kind::message) {
      we_are_client = (it.direction == Direction::out) ==
                      (it.content_type == static_cast<uint8_t>(ContentType::handshake) &&
                       !it.bytes.empty() && it.bytes[0] == 1);
      break;
    }
  }

  // One Connection per ClientHello (a client may reconnect; a HelloRetryRequest's second
  // ClientHello stays in the same connection).
  std::vector<Connection> conns;
  std::vector<size_t> conn_of(items_.size(), 0);
  for (size_t i = 0; i < items_.size(); ++i) {
    const Item& it = items_[i];
    bool ch = it.kind == Kind::message &&
              it.content_type == static_cast<uint8_t>(ContentType::handshake) &&
              !it.bytes.empty() && it.bytes[0] == 1;
    if (conns.empty()) {
      conns.emplace_back();
    }
    if (ch && conns.back().hello_seen && !conns.back().hrr) {
      // A new connection: the records that carried this ClientHello belong to it too.
      conns.emplace_back();
      for (size_t j = i;
           j > 0 && items_[j - 1].kind == Kind::record && items_[j - 1].direction == it.direction;
           --j) {
        conn_of[j - 1] = conns.size() - 1;
      }
    }
    if (ch) {
      conns.back().hello_seen = true;
    }
    if (it.kind == Kind::message) {
      learn(conns.back(), it);
    }
    conn_of[i] = conns.size() - 1;
  }

  HtmlPage page;
  page.title = title_;
  page.intro =
      "Every byte of every record of this handshake, as it crossed the wire. Hover a field for "
      "its name, value and meaning.";
  page.connections.resize(conns.size());
  for (size_t i = 0; i < items_.size(); ++i) {
    page.connections[conn_of[i]].items.push_back(items_[i]);
  }
  for (size_t ci = 0; ci < conns.size(); ++ci) {
    HtmlConnection& hc = page.connections[ci];
    hc.heading = "Connection " + std::to_string(ci + 1);
    hc.we_are_client = we_are_client;
    hc.ladder = ladder_of(hc.items, conns[ci], we_are_client);
    // Secret bytes only when a key log is being written (a tee feeds keys_).
    hc.keys_shown = keys_ != nullptr;
    if (keys_) {
      for (const KeyLogLine& k : *keys_) {
        if (k.client_random == conns[ci].client_random) {
          hc.keys.push_back({k.label, k.client_random, k.secret.clone()});
        }
      }
    }
  }
  if (app_data_items_ > kMaxAppDataItems) {
    page.closing_notes.push_back(std::to_string(app_data_items_ - kMaxAppDataItems) +
                                 " more application data messages not shown (" +
                                 std::to_string(app_data_bytes_) +
                                 " bytes of application data in all).");
  }
  return render_html_page(page);
}

namespace {

std::string utc_time(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) {
    return std::to_string(unix_seconds);
  }
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return std::string(buf.data());
}

std::string general_name_text(const x509::GeneralName& g) {
  std::string value(g.value.begin(), g.value.end());
  switch (g.type) {
    case x509::GeneralName::Type::dns_name:
      return "DNS:" + value;
    case x509::GeneralName::Type::rfc822_name:
      return "email:" + value;
    case x509::GeneralName::Type::uri:
      return "URI:" + value;
    case x509::GeneralName::Type::ip_address:
      return "IP:" + x509::format_ip(g.value);
    case x509::GeneralName::Type::directory_name:
      if (auto n = x509::parse_name(g.value); n.ok()) {
        return "DirName:" + x509::to_string(*n);
      }
      return "DirName";
    case x509::GeneralName::Type::other_name:
    case x509::GeneralName::Type::x400_address:
    case x509::GeneralName::Type::edi_party_name:
    case x509::GeneralName::Type::registered_id:
      break;
  }
  return "type " + std::to_string(static_cast<int>(g.type)) + " (" +
         std::to_string(g.value.size()) + " bytes)";
}

void collect_named(const Field& f, std::string_view a, std::string_view b,
                   std::vector<const Field*>& out) {
  if (f.is_leaf()) {
    if (f.name == a || f.name == b) {
      out.push_back(&f);
    }
    return;
  }
  for (const Field& c : f.children) {
    collect_named(c, a, b, out);
  }
}

// certificates renders the certificates of a Certificate message (the annotator's cert_data /
// ASN.1Cert leaves) decoded by our X.509 parser: subject, issuer, validity, SAN.
std::string certificates(const Field& root, std::span<const uint8_t> message) {
  std::vector<const Field*> ders;
  collect_named(root, "cert_data", "ASN.1Cert", ders);
  if (ders.empty()) {
    return "";
  }
  std::string out =
      "<h3>Certificates, decoded</h3>\n<table class=\"cert\"><tr><th style=\"width:3em\">#"
      "</th><th style=\"width:22%\">field</th><th>value</th></tr>\n";
  for (size_t i = 0; i < ders.size(); ++i) {
    const Field& f = *ders[i];
    if (f.offset + f.length > message.size()) {
      break;
    }
    auto cert = x509::parse_certificate(message.subspan(f.offset, f.length));
    std::string n = "<td>[" + std::to_string(i) + "]</td>";
    if (!cert.ok()) {
      out += "<tr>" + n + "<td>not parsed</td><td>" + esc(cert.error().message()) + "</td></tr>\n";
      continue;
    }
    std::string san;
    for (const x509::GeneralName& g : cert->subject_alt_names) {
      san += (san.empty() ? "" : ", ") + general_name_text(g);
    }
    // Names and dates as they are (searchable); only the serial's hex may wrap.
    auto row = [&](const std::string& name, const std::string& value, bool wrap = false) {
      out += "<tr>" + n + "<td>" + esc(name) + "</td><td>" +
             (wrap ? breakable(value) : esc(value)) + "</td></tr>\n";
      n = "<td></td>";
    };
    row("subject", x509::to_string(cert->subject));
    row("issuer", x509::to_string(cert->issuer));
    row("validity",
        "not before " + utc_time(cert->not_before) + ", not after " + utc_time(cert->not_after));
    row("subject alternative names", cert->has_subject_alt_name ? san : std::string("(none)"));
    row("signature algorithm", std::string(x509::signature_oid_name(cert->signature_oid)));
    row("serial number", hex(cert->serial, 32), true);
  }
  out += "</table>\n";
  return out;
}

}  // namespace

std::string render_html_page(const HtmlPage& page) {
  std::vector<Connection> conns(page.connections.size());
  for (size_t ci = 0; ci < page.connections.size(); ++ci) {
    for (const Item& it : page.connections[ci].items) {
      if (it.kind == Kind::message) {
        learn(conns[ci], it);
      }
    }
  }

  Page p;
  p.add("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
  std::string version_text = "TLS";
  if (!conns.empty() && conns.front().version) {
    version_text = conns.front().version == 0x0304 ? "TLS 1.3" : "TLS 1.2";
  }
  std::string heading =
      "The Illustrated " + version_text + " Connection" + (page.connections.size() > 1 ? "s" : "");
  p.add(esc(heading + ": " + page.title));
  p.add("</title>\n<style>");
  p.add(kStyle);
  p.add("</style>\n</head>\n<body>\n<div class=\"top\"><h1>" + esc(heading) + "</h1>\n<p>" +
        esc(page.title) + "</p><p>" + esc(page.intro) + "</p></div>\n<div class=\"main\">\n");
  for (const std::string& n : page.notes) {
    p.add("<div class=\"event alert\">" + esc(n) + "</div>\n");
  }

  std::optional<std::chrono::steady_clock::time_point> t0;
  for (size_t ci = 0; ci < page.connections.size(); ++ci) {
    const HtmlConnection& hc = page.connections[ci];
    const Connection& c = conns[ci];
    const std::vector<Item>& items = hc.items;
    auto from_client = [&](Direction d) { return (d == Direction::out) == hc.we_are_client; };
    p.add("<h2 class=\"conn\">" + esc(hc.heading) + "</h2>\n");
    p.add("<div class=\"ladder\"><img alt=\"ladder diagram of " + esc(hc.heading) +
          "\" src=\"data:image/svg+xml;base64," + base64(render_ladder_svg(hc.ladder)) +
          "\"></div>\n");
    p.add("<div class=\"summary\">");
    if (c.version) {
      p.add("<span>version " + esc(version_label(*c.version)) + "</span>");
    }
    if (c.suite) {
      p.add("<span>cipher suite " + esc(suite_label(*c.suite)) + "</span>");
    }
    if (c.group) {
      p.add("<span>group " + esc(group_label(*c.group)) + "</span>");
    }
    if (!c.sni.empty()) {
      p.add("<span>SNI " + esc(c.sni) + "</span>");
    }
    p.add("<span>ALPN " + esc(c.alpn.empty() ? std::string("none") : c.alpn) + "</span>");
    if (c.psk || c.resumed12) {
      p.add("<span>resumed</span>");
    }
    if (c.hrr) {
      p.add("<span>HelloRetryRequest</span>");
    }
    if (c.version == 0x0303) {
      p.add(std::string("<span>extended master secret: ") +
            (c.ems_offered && c.ems_accepted ? "yes" : "no") + "</span>");
    }
    p.add("</div>\n");

    for (size_t i = 0; i < items.size(); ++i) {
      const Item& it = items[i];
      if (!t0) {
        t0 = it.time;
      }
      if (it.hidden) {
        continue;
      }
      std::string when = "<span class=\"t\">+" + ms(it.time - *t0) + "</span>";
      bool cli = from_client(it.direction);
      std::string side = cli ? "cli" : "srv";
      std::string arrow = cli ? "Client &rarr; Server" : "Server &rarr; Client";
      std::string in_class = cli ? "" : " in";
      MessageContext ctx{cli, it.version};
      switch (it.kind) {
        case Kind::record: {
          bool enc = record_encrypted(items, i);
          p.add("<div class=\"msg " + side + in_class + "\">" + when + "<h2><span class=\"dir\">" +
                arrow + "</span>Record: " +
                esc(std::string(content_type_name(static_cast<ContentType>(it.content_type)))) +
                ", " + std::to_string(it.length) + " bytes" + (enc ? ", encrypted" : "") +
                "</h2>\n");
          std::vector<uint8_t> header = {it.content_type, static_cast<uint8_t>(it.version >> 8),
                                         static_cast<uint8_t>(it.version & 0xFF),
                                         static_cast<uint8_t>(it.length >> 8),
                                         static_cast<uint8_t>(it.length & 0xFF)};
          p.add("<h3>Record header</h3>\n");
          p.hex_and_table(annotate_record_header(header, enc), header, header.size());
          if (enc && !it.bytes.empty()) {
            bool explicit_nonce =
                c.version == 0x0303 && c.suite &&
                *c.suite != static_cast<uint16_t>(
                                CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256) &&
                *c.suite != static_cast<uint16_t>(
                                CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
            p.add("<h3>Ciphertext, as on the wire</h3>\n");
            std::span<const uint8_t> frag(it.bytes);
            p.hex_and_table(annotate_ciphertext(frag, explicit_nonce), frag, 512);
            if (it.opaque) {
              p.add(
                  "<p class=\"meaning\">Not decrypted: the key log has no secret for this "
                  "record (or none was given), so all that shows is the header and the " +
                  std::to_string(it.bytes.size()) +
                  " bytes of ciphertext: the nonce, the encrypted data and the tag.</p>\n");
            } else {
              p.add(std::string("<p class=\"meaning\">") +
                    (c.version == 0x0304
                         ? "TLS 1.3: the plaintext inside is the message below followed by its "
                           "real content type byte; the outer type always says "
                           "application_data."
                         : "TLS 1.2: the nonce is the 4-byte implicit part from the key block "
                           "plus the explicit part; the additional data is the sequence number "
                           "and header.") +
                    " Decrypted, it holds:</p>\n");
            }
          } else if (!enc) {
            p.add("<p class=\"meaning\">The fragment (" + std::to_string(it.length) +
                  " bytes) is the plaintext message below.</p>\n");
          }
          p.add("</div>\n");
          break;
        }
        case Kind::message: {
          Field root = annotate_message(it.content_type, it.bytes, ctx);
          p.add("<div class=\"msg " + side + in_class + "\">" + when + "<h2><span class=\"dir\">" +
                arrow + "</span>" + heading_for(it) +
                (it.encrypted ? " <span class=\"meaning\">(decrypted)</span>" : "") + "</h2>\n");
          if (!root.meaning.empty()) {
            p.add("<p class=\"meaning\">" + esc(root.meaning) + "</p>\n");
          }
          p.hex_and_table(root, it.bytes,
                          it.content_type == static_cast<uint8_t>(ContentType::application_data)
                              ? kMaxAppDataShown
                              : it.bytes.size());
          if (it.content_type == static_cast<uint8_t>(ContentType::handshake) &&
              !it.bytes.empty() &&
              it.bytes[0] == static_cast<uint8_t>(HandshakeType::certificate)) {
            p.add(certificates(root, it.bytes));
          }
          p.add("</div>\n");
          break;
        }
        case Kind::key_change:
          p.add("<div class=\"event key\">&#128273; " +
                std::string(it.direction == Direction::out ? "We now write" : "We now read") +
                " with keys from <b>" + esc(it.text) + "</b>" + when + "</div>\n");
          break;
        case Kind::alert:
          p.add("<div class=\"event alert\">Alert " +
                std::string(it.direction == Direction::out ? "sent" : "received") + ": " +
                esc(it.text) + when + "</div>\n");
          break;
        case Kind::note:
          p.add("<div class=\"event note\">" + esc(it.text) + "</div>\n");
          break;
        case Kind::state:
          break;
      }
    }
    for (const std::string& n : hc.notes) {
      p.add("<div class=\"event alert\">" + esc(n) + "</div>\n");
    }

    // The key schedule, with bytes from the key log when there is one.
    if (!c.version) {
      continue;
    }
    p.add("<h2>Key derivation" +
          (page.connections.size() > 1 ? ", " + esc(hc.heading) : std::string()) +
          "</h2>\n<div class=\"keys\">\n");
    p.add(
        "<p>client_random (names this connection in the key log): <span class=\"secret\" "
        "style=\"background:#eef\">" +
        hex(c.client_random, 32) + "</span></p>\n");
    if (!hc.keys_shown) {
      p.add("<p class=\"nobytes\">" +
            (hc.no_key_log_text.empty()
                 ? std::string("No key log is being written, so no secret's bytes are shown. "
                               "Set SSLKEYLOGFILE to see them (and to let Wireshark decrypt a "
                               "capture).")
                 : esc(hc.no_key_log_text)) +
            "</p>\n");
    }
    if (!hc.key_log_source.empty()) {
      if (hc.key_log_lines.empty()) {
        p.add("<p class=\"nobytes\">" + esc(hc.key_log_source) +
              " has no line for this client_random: the protected records stay opaque.</p>\n");
      } else {
        p.add("<p>The lines of " + esc(hc.key_log_source) +
              " for this connection, as they are:</p>\n<pre class=\"secret\">");
        for (const SecretBytes& l : hc.key_log_lines) {
          const std::span<const uint8_t> b = l.expose();
          p.add(esc(std::string_view(reinterpret_cast<const char*>(b.data()), b.size())) + "\n");
        }
        p.add("</pre>\n");
      }
    }
    p.add("<ol>\n");
    for (const Step& s : schedule(c)) {
      p.add("<li><b>" + esc(s.name) + "</b> = <code>" + esc(s.formula) + "</code><br>" +
            esc(s.meaning));
      if (!s.label.empty()) {
        const KeyLogLine* line = nullptr;
        for (const KeyLogLine& k : hc.keys) {
          if (k.label == s.label && k.client_random == c.client_random) {
            line = &k;
          }
        }
        if (line != nullptr && hc.keys_shown) {
          // The bytes the key log holds: `keys` is filled only by a key-log tee (a live page) or
          // from the user's own key log (a capture), so nothing leaves that the key log did not.
          p.add("<br>key log <code>" + esc(s.label) + "</code>: <span class=\"secret\">" +
                hex(line->secret.expose(), 64) + "</span>");
        } else if (hc.keys_shown) {
          p.add("<br><span class=\"nobytes\">not logged for this connection</span>");
        } else {
          p.add("<br><span class=\"nobytes\">key log label " + esc(s.label) +
                " (bytes not shown)</span>");
        }
      } else {
        p.add("<br><span class=\"nobytes\">" + esc(s.where) + "</span>");
      }
      p.add("</li>\n");
    }
    p.add("</ol>\n</div>\n");
  }
  for (const std::string& n : page.closing_notes) {
    p.add("<p class=\"event note\">" + esc(n) + "</p>\n");
  }
  p.add("</div>\n<script>");
  p.add(kScript);
  p.add("</script>\n</body>\n</html>\n");
  return std::move(p.out);
}

}  // namespace hs::trace

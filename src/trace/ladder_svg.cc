// render_ladder_svg: the Ladder as a standalone SVG, written by hand (plain strings, every text
// XML-escaped). Layout, top to bottom: title and negotiated parameters, the two participant
// boxes with their lifelines, one row per arrow (round trips as shaded bands with their
// measured times on the left, flights as brackets beside the sender's lifeline with their start
// time, encryption shown by a green lifeline bar from the first protected message on and a lock
// on every protected arrow), then the legend.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "trace/escape.h"
#include "trace/ladder.h"

namespace hs::trace {

namespace {

constexpr double kWidth = 1040;
constexpr double kClientX = 340;
constexpr double kServerX = 820;
constexpr double kTop = 140;     // first row
constexpr double kRow = 46;      // row height
constexpr double kNoteRow = 16;  // extra height of a row with an annotation
constexpr double kSlope = 12;    // how much an arrow drops from sender to receiver
constexpr const char* kFont = "DejaVu Sans, Helvetica, Arial, sans-serif";

constexpr const char* kPlain = "#1f4e8c";
constexpr const char* kEncrypted = "#1a7f37";
constexpr const char* kCcs = "#8a8f98";
constexpr const char* kAlert = "#c62828";
constexpr const char* kRetry = "#d9730d";
constexpr const char* kData = "#6f42c1";

std::string esc(std::string_view s) { return xml_escape(s); }

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// duration_text: "0.42 ms", "12.3 ms", "1.20 s".
std::string duration_text(double seconds) {
  char buf[32];
  double ms = seconds * 1000;
  if (ms < 10) {
    std::snprintf(buf, sizeof buf, "%.2f ms", ms);
  } else if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f s", seconds);
  }
  return buf;
}

std::string size_text(size_t bytes) { return std::to_string(bytes) + " B"; }

const char* color_of(const LadderArrow& a) {
  if (a.kind == LadderKind::alert) {
    return kAlert;
  }
  if (a.hello_retry) {
    return kRetry;
  }
  if (a.kind == LadderKind::change_cipher_spec) {
    return kCcs;
  }
  if (a.kind == LadderKind::application_data) {
    return kData;
  }
  return a.encrypted ? kEncrypted : kPlain;
}

const char* marker_of(const LadderArrow& a) {
  if (a.kind == LadderKind::alert) {
    return "m-alert";
  }
  if (a.hello_retry) {
    return "m-retry";
  }
  if (a.kind == LadderKind::change_cipher_spec) {
    return "m-ccs";
  }
  if (a.kind == LadderKind::application_data) {
    return "m-data";
  }
  return a.encrypted ? "m-enc" : "m-plain";
}

// text_width estimates a text's width in DejaVu Sans (about 0.6 em a character, bold wider).
double text_width(std::string_view s, double size, bool bold) {
  return static_cast<double>(s.size()) * size * (bold ? 0.64 : 0.52);
}

void text(std::string& out, double x, double y, std::string_view anchor, double size,
          std::string_view fill, std::string_view content, std::string_view extra = "") {
  out += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + std::string(anchor) +
         "\" font-size=\"" + num(size) + "\" fill=\"" + std::string(fill) + "\"" +
         (extra.empty() ? "" : " " + std::string(extra)) + ">" + esc(content) + "</text>\n";
}

void marker(std::string& out, const std::string& prefix, const char* id, const char* color) {
  out += "<marker id=\"" + prefix + id +
         "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" "
         "markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"" +
         color + "\"/></marker>\n";
}

// lock draws a padlock of height ~12 with its top-left corner at (x, y).
void lock(std::string& out, double x, double y, const char* color) {
  out += "<g class=\"lock\" transform=\"translate(" + num(x) + "," + num(y) +
         ")\"><path d=\"M2.5,6 V4 a3,3 0 0 1 6,0 V6\" fill=\"none\" stroke=\"" + color +
         "\" stroke-width=\"1.6\"/><rect x=\"0.5\" y=\"5.5\" width=\"10\" height=\"7\" rx=\"1.5\" "
         "fill=\"" +
         color + "\"/></g>\n";
}

// wrap splits `s` into lines of at most `max` characters, at spaces where it can.
std::vector<std::string> wrap(std::string_view s, size_t max) {
  std::vector<std::string> lines;
  while (s.size() > max) {
    size_t cut = s.rfind(' ', max);
    if (cut == std::string_view::npos || cut == 0) {
      cut = max;
    }
    lines.emplace_back(s.substr(0, cut));
    s.remove_prefix(cut);
    while (!s.empty() && s.front() == ' ') {
      s.remove_prefix(1);
    }
  }
  lines.emplace_back(s);
  return lines;
}

double x_of(LadderSide s) { return s == LadderSide::client ? kClientX : kServerX; }

}  // namespace

std::string render_ladder_svg(const Ladder& l) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + render_ladder_svg_element(l, "");
}

std::string render_ladder_svg_element(const Ladder& l, const std::string& id_prefix) {
  const std::string prefix = esc(id_prefix);
  // Row tops: each arrow one row, annotated arrows a little taller, and a gap before the
  // client's first application data for the "handshake done" line.
  std::vector<double> row_top(l.arrows.size() + 1);
  std::optional<size_t> data_row;
  for (size_t i = 0; i < l.arrows.size(); ++i) {
    const LadderArrow& a = l.arrows[i];
    if (!data_row && a.from == LadderSide::client && a.kind == LadderKind::application_data &&
        !a.early_data) {
      data_row = i;
    }
  }
  double y = kTop;
  for (size_t i = 0; i < l.arrows.size(); ++i) {
    if (data_row && *data_row == i) {
      y += 18;
    }
    row_top[i] = y;
    y += kRow + (l.arrows[i].note.empty() ? 0 : kNoteRow);
  }
  row_top[l.arrows.size()] = y;
  const double lifeline_end = y + 10;
  const double legend_top = lifeline_end + 34;
  std::vector<std::string> note_lines;
  for (const std::string& n : l.notes) {
    for (std::string& line : wrap(n, 150)) {
      note_lines.push_back(std::move(line));
    }
  }
  const double height = legend_top + 150 + 16 * static_cast<double>(note_lines.size());

  std::string out;
  out.reserve(16384);
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + num(kWidth) +
         "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(kWidth) + " " + num(height) +
         "\" font-family=\"" + kFont + "\" data-round-trips=\"" +
         std::to_string(l.round_trips.size()) + "\" data-arrows=\"" +
         std::to_string(l.arrows.size()) + "\" data-version=\"" + esc(l.summary.version) +
         "\" data-resumed=\"" + (l.summary.resumed ? "true" : "false") + "\" data-hello-retry=\"" +
         (l.summary.hello_retry ? "true" : "false") + "\">\n";
  std::string rt_word = l.round_trips.size() == 1 ? " round trip" : " round trips";
  out += "<title>" + esc(l.title) + ": " + std::to_string(l.round_trips.size()) + rt_word +
         "</title>\n";
  out += "<desc>round trips: " + std::to_string(l.round_trips.size()) + "\n";
  for (const LadderArrow& a : l.arrows) {
    out += esc(std::string(a.from == LadderSide::client ? "client->server " : "server->client ") +
               a.name + " " + std::to_string(a.size)) +
           "\n";
  }
  out += "</desc>\n<defs>\n";
  marker(out, prefix, "m-plain", kPlain);
  marker(out, prefix, "m-enc", kEncrypted);
  marker(out, prefix, "m-ccs", kCcs);
  marker(out, prefix, "m-alert", kAlert);
  marker(out, prefix, "m-retry", kRetry);
  marker(out, prefix, "m-data", kData);
  out += "</defs>\n";
  out += "<rect x=\"0\" y=\"0\" width=\"" + num(kWidth) + "\" height=\"" + num(height) +
         "\" fill=\"#ffffff\"/>\n";

  // Title and the negotiated parameters.
  std::string rt_title = l.title;
  if (!l.round_trips.empty()) {
    rt_title += ": " + std::to_string(l.round_trips.size()) + rt_word;
  }
  text(out, kWidth / 2, 34, "middle", 21, "#1b1f24", rt_title, "font-weight=\"bold\"");
  std::string params;
  auto add = [&params](std::string_view label, const std::string& v) {
    if (v.empty()) {
      return;
    }
    params += params.empty() ? "" : "   \xC2\xB7   ";
    params += std::string(label) + v;
  };
  add("", l.summary.cipher_suite);
  add("group ", l.summary.group);
  add("ALPN ", l.summary.alpn);
  add("SNI ", l.summary.sni);
  text(out, kWidth / 2, 58, "middle", 13, "#57606a", params);
  std::string flags = l.summary.resumed ? "resumed session" : "full handshake";
  if (l.summary.hello_retry) {
    flags += "   \xC2\xB7   HelloRetryRequest";
  }
  if (!l.summary.early_data.empty()) {
    flags += "   \xC2\xB7   0-RTT data " + l.summary.early_data;
  }
  if (!l.viewpoint.empty()) {
    flags += "   \xC2\xB7   times measured by the " + l.viewpoint;
  }
  text(out, kWidth / 2, 78, "middle", 12, "#57606a", flags);

  // Round trip bands behind everything else.
  for (size_t k = 0; k < l.round_trips.size(); ++k) {
    const LadderRoundTrip& rt = l.round_trips[k];
    double top = row_top[rt.first] + 2;
    double bottom = row_top[rt.last] + kRow - 2 + (l.arrows[rt.last].note.empty() ? 0 : kNoteRow);
    out += "<g class=\"round-trip\" data-index=\"" + std::to_string(k + 1) +
           "\"><rect x=\"10\" y=\"" + num(top) + "\" width=\"" + num(kWidth - 20) + "\" height=\"" +
           num(bottom - top) + "\" rx=\"10\" fill=\"" + (k % 2 == 0 ? "#eef4fb" : "#f3f0fa") +
           "\"/>\n";
    double mid = (top + bottom) / 2;
    text(out, 24, mid - 4, "start", 13, kPlain, "Round trip " + std::to_string(k + 1),
         "font-weight=\"bold\"");
    text(out, 24, mid + 13, "start", 12, "#57606a", duration_text(rt.duration));
    out += "</g>\n";
  }

  // Participants and lifelines (bars in green once a side sends encrypted).
  for (LadderSide side : {LadderSide::client, LadderSide::server}) {
    double x = x_of(side);
    const std::string& label = side == LadderSide::client ? l.client_label : l.server_label;
    double w = std::max(120.0, text_width(label, 15, true) + 28);
    out += "<rect x=\"" + num(x - w / 2) + "\" y=\"94\" width=\"" + num(w) +
           "\" height=\"34\" rx=\"8\" fill=\"#24292f\"/>\n";
    text(out, x, 116, "middle", 15, "#ffffff", label, "font-weight=\"bold\"");
    out += "<line x1=\"" + num(x) + "\" y1=\"128\" x2=\"" + num(x) + "\" y2=\"" +
           num(lifeline_end) + "\" stroke=\"#57606a\" stroke-width=\"2\"/>\n";
  }
  for (size_t i = 0; i < l.arrows.size(); ++i) {
    const LadderArrow& a = l.arrows[i];
    if (!a.encryption_starts) {
      continue;
    }
    double x = x_of(a.from);
    double top = row_top[i] + 26;
    out += "<rect class=\"encrypted-from-here\" data-from=\"" +
           std::string(a.from == LadderSide::client ? "client" : "server") + "\" x=\"" +
           num(x - 3) + "\" y=\"" + num(top) + "\" width=\"6\" height=\"" +
           num(lifeline_end - top) + "\" rx=\"3\" fill=\"" + kEncrypted + "\"/>\n";
    bool left = a.from == LadderSide::client;
    double tx = left ? x - 30 : x + 30;
    std::string anchor = left ? "end" : "start";
    std::string who = left ? "client" : "server";
    text(out, tx, top + 8, anchor, 11.5, kEncrypted, who + " encrypts from here",
         "font-weight=\"bold\"");
    lock(out, left ? tx + 4 : tx - 15, top - 3, kEncrypted);
    if (!a.key.empty()) {
      text(out, tx, top + 22, anchor, 10.5, kEncrypted, a.key);
    }
  }

  // Flights: a bracket beside the sender's lifeline, with its number and start time.
  for (size_t f = 0; f < l.flights.size(); ++f) {
    const LadderFlight& fl = l.flights[f];
    bool left = fl.from == LadderSide::client;
    double x = x_of(fl.from) + (left ? -16 : 16);
    double top = row_top[fl.first] + 12;
    double bottom = row_top[fl.last] + 40;
    double tick = left ? 6 : -6;
    out += "<path class=\"flight\" data-index=\"" + std::to_string(f + 1) + "\" d=\"M" +
           num(x + tick) + "," + num(top) + " H" + num(x) + " V" + num(bottom) + " H" +
           num(x + tick) + "\" fill=\"none\" stroke=\"#8c959f\" stroke-width=\"1.5\"/>\n";
    double tx = left ? x - 8 : x + 8;
    text(out, tx, top + 4, left ? "end" : "start", 11.5, "#57606a",
         "flight " + std::to_string(f + 1) + "   +" + duration_text(fl.start));
  }

  // The line where the client's data may go.
  if (data_row) {
    double ly = row_top[*data_row] - 6;
    out += "<line x1=\"" + num(kClientX - 120) + "\" y1=\"" + num(ly) + "\" x2=\"" +
           num(kServerX + 120) + "\" y2=\"" + num(ly) +
           "\" stroke=\"#8c959f\" stroke-width=\"1\" stroke-dasharray=\"6 4\"/>\n";
    std::string label = "handshake done: application data";
    if (l.data_after_round_trips) {
      size_t n = *l.data_after_round_trips;
      label += " after " + std::to_string(n) + (n == 1 ? " round trip" : " round trips");
    }
    double w = text_width(label, 11, false) + 16;
    out += "<rect x=\"" + num((kClientX + kServerX) / 2 - w / 2) + "\" y=\"" + num(ly - 9) +
           "\" width=\"" + num(w) + "\" height=\"17\" rx=\"8\" fill=\"#ffffff\"/>\n";
    text(out, (kClientX + kServerX) / 2, ly + 4, "middle", 11, "#57606a", label,
         "font-style=\"italic\"");
  }

  // Arrows.
  for (size_t i = 0; i < l.arrows.size(); ++i) {
    const LadderArrow& a = l.arrows[i];
    bool to_server = a.from == LadderSide::client;
    double x1 = x_of(a.from) + (to_server ? 4 : -4);
    double x2 = x_of(to_server ? LadderSide::server : LadderSide::client) + (to_server ? -4 : 4);
    double y1 = row_top[i] + 26;
    double y2 = y1 + kSlope;
    const char* color = color_of(a);
    out += "<g class=\"arrow\" data-name=\"" + esc(a.name) + "\" data-from=\"" +
           (to_server ? "client" : "server") + "\" data-size=\"" + std::to_string(a.size) +
           "\" data-time=\"" + std::to_string(a.time) + "\" data-flight=\"" +
           std::to_string(a.flight) + "\" data-round-trip=\"" + std::to_string(a.round_trip) +
           "\" data-encrypted=\"" + (a.encrypted ? "true" : "false") + "\">\n";
    std::string dash;
    if (a.kind == LadderKind::change_cipher_spec || a.early_data) {
      dash = " stroke-dasharray=\"7 4\"";
    }
    out += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" +
           num(y2) + "\" stroke=\"" + color + "\" stroke-width=\"2.2\"" + dash +
           " marker-end=\"url(#" + prefix + marker_of(a) + ")\"/>\n";
    // Label: name (bold) and size, centred above the arrow; encrypted ones in a tinted pill
    // with a lock.
    std::string size = size_text(a.size);
    double name_w = text_width(a.name, 13.5, true);
    double size_w = text_width(size, 12, false);
    double lock_w = a.encrypted ? 16 : 0;
    double total = lock_w + name_w + 10 + size_w;
    double mid = (x1 + x2) / 2;
    double left = mid - total / 2;
    double base = row_top[i] + 18;
    if (a.encrypted) {
      out += "<rect x=\"" + num(left - 8) + "\" y=\"" + num(base - 15) + "\" width=\"" +
             num(total + 16) + "\" height=\"21\" rx=\"10.5\" fill=\"#e6f4ea\" stroke=\"" +
             std::string(kEncrypted) + "\" stroke-opacity=\"0.35\"/>\n";
      lock(out, left, base - 12, kEncrypted);
    }
    text(out, left + lock_w, base, "start", 13.5, color, a.name, "font-weight=\"bold\"");
    text(out, left + lock_w + name_w + 10, base, "start", 12, "#57606a", size);
    const std::string& note = a.note;
    if (!note.empty()) {
      text(out, mid, y2 + 17, "middle", 11, a.hello_retry ? kRetry : "#57606a", note,
           "font-style=\"italic\"");
    }
    out += "</g>\n";
  }

  // Legend.
  double ly = legend_top;
  out += "<line x1=\"24\" y1=\"" + num(ly - 16) + "\" x2=\"" + num(kWidth - 24) + "\" y2=\"" +
         num(ly - 16) + "\" stroke=\"#d0d7de\"/>\n";
  struct Key {
    const char* label;
    const char* color;
    const char* marker;
    bool dashed;
  };
  const Key keys[] = {{"plaintext handshake", kPlain, "m-plain", false},
                      {"encrypted handshake", kEncrypted, "m-enc", false},
                      {"ChangeCipherSpec", kCcs, "m-ccs", true},
                      {"application data", kData, "m-data", false},
                      {"HelloRetryRequest", kRetry, "m-retry", false},
                      {"alert", kAlert, "m-alert", false},
                      {"0-RTT early data", kData, "m-data", true}};
  for (size_t k = 0; k < std::size(keys); ++k) {
    double kx = 24 + 256 * static_cast<double>(k % 4);
    double ky = ly + 24 * static_cast<double>(k / 4);
    out += "<line x1=\"" + num(kx) + "\" y1=\"" + num(ky) + "\" x2=\"" + num(kx + 40) + "\" y2=\"" +
           num(ky) + "\" stroke=\"" + keys[k].color + "\" stroke-width=\"2.2\"" +
           (keys[k].dashed ? " stroke-dasharray=\"7 4\"" : "") + " marker-end=\"url(#" + prefix +
           keys[k].marker + ")\"/>\n";
    text(out, kx + 50, ky + 4, "start", 11.5, "#1b1f24", keys[k].label);
  }
  {
    double kx = 24 + 256 * 3;
    double ky = ly + 24;
    out += "<rect x=\"" + num(kx + 17) + "\" y=\"" + num(ky - 9) +
           "\" width=\"6\" height=\"18\" rx=\"3\" fill=\"" + kEncrypted + "\"/>\n";
    lock(out, kx + 28, ky - 7, kEncrypted);
    text(out, kx + 50, ky + 4, "start", 11.5, "#1b1f24", "sends encrypted from here");
  }
  ly += 48;
  ly += 22;
  std::string facts = "version " + (l.summary.version.empty() ? "?" : l.summary.version) +
                      ";  cipher suite " +
                      (l.summary.cipher_suite.empty() ? "?" : l.summary.cipher_suite) +
                      ";  group " + (l.summary.group.empty() ? "-" : l.summary.group) + ";  ALPN " +
                      (l.summary.alpn.empty() ? "-" : l.summary.alpn) + ";  SNI " +
                      (l.summary.sni.empty() ? "-" : l.summary.sni) + ";  resumed " +
                      (l.summary.resumed ? "yes" : "no");
  text(out, 24, ly, "start", 11.5, "#1b1f24", facts);
  ly += 20;
  text(out, 24, ly, "start", 11.5, "#57606a",
       "Sizes: handshake messages with their 4-byte header, alerts and data as plaintext. A "
       "flight is one side's");
  ly += 16;
  text(out, 24, ly, "start", 11.5, "#57606a",
       "messages sent together; a round trip ends when the client, having waited for the "
       "server's flight, sends again.");
  ly += 16;
  std::string clock = l.viewpoint == "capture"
                          ? "Times: capture timestamps, since the first message."
                          : "Times: the " +
                                (l.viewpoint.empty() ? std::string("local") : l.viewpoint) +
                                "'s clock, since the first message.";
  text(out, 24, ly, "start", 11.5, "#57606a", clock);
  for (const std::string& n : note_lines) {
    ly += 16;
    text(out, 24, ly, "start", 11.5, "#57606a", n);
  }
  out += "</svg>\n";
  return out;
}

}  // namespace hs::trace

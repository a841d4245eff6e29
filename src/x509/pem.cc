#include "x509/pem.h"

#include <algorithm>
#include <array>

#include "crypto/secret.h"
#include "x509/certificate.h"

namespace hs::x509 {

namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";
constexpr const char* kEncryptedKeyMessage =
    "encrypted private keys are not supported; decrypt it with 'openssl pkey'";

Error pem_error(size_t line, std::string_view what) {
  return Error(ErrorCode::invalid_config, "PEM",
               "line " + std::to_string(line) + ": " + std::string(what));
}

Error encrypted_key_error() {
  return Error(ErrorCode::invalid_config, "private key", kEncryptedKeyMessage);
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// boundary_label returns the label of "-----BEGIN label-----" (with `prefix` kBegin or kEnd).
std::optional<std::string_view> boundary_label(std::string_view line, std::string_view prefix) {
  if (!line.starts_with(prefix) || !line.ends_with(kDashes) ||
      line.size() < prefix.size() + kDashes.size()) {
    return std::nullopt;
  }
  line.remove_prefix(prefix.size());
  line.remove_suffix(kDashes.size());
  return line;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}

bool is_key_label(std::string_view label) {
  return label == "PRIVATE KEY" || label == "RSA PRIVATE KEY" || label == "EC PRIVATE KEY";
}

}  // namespace

std::string base64_encode(std::span<const uint8_t> bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t v = static_cast<uint32_t>(bytes[i]) << 16;
    if (n > 1) {
      v |= static_cast<uint32_t>(bytes[i + 1]) << 8;
    }
    if (n > 2) {
      v |= bytes[i + 2];
    }
    out.push_back(kAlphabet[(v >> 18) & 0x3F]);
    out.push_back(kAlphabet[(v >> 12) & 0x3F]);
    out.push_back(n > 1 ? kAlphabet[(v >> 6) & 0x3F] : '=');
    out.push_back(n > 2 ? kAlphabet[v & 0x3F] : '=');
  }
  return out;
}

std::optional<std::vector<uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::array<int, 4> v{};
    size_t pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=') {
        // Padding only at the end of the last quantum, in the last one or two positions.
        if (!last || j < 2) {
          return std::nullopt;
        }
        ++pad;
        v[j] = 0;
        continue;
      }
      if (pad != 0) {
        return std::nullopt;  // data after padding
      }
      v[j] = base64_value(c);
      if (v[j] < 0) {
        return std::nullopt;
      }
    }
    uint32_t n = static_cast<uint32_t>(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
    out.push_back(static_cast<uint8_t>(n >> 16));
    if (pad == 2) {
      // RFC 4648 §3.5: pad bits must be zero in a canonical encoding.
      if ((n & 0xFFFF) != 0) {
        return std::nullopt;
      }
      break;
    }
    out.push_back(static_cast<uint8_t>(n >> 8));
    if (pad == 1) {
      if ((n & 0xFF) != 0) {
        return std::nullopt;
      }
      break;
    }
    out.push_back(static_cast<uint8_t>(n));
  }
  return out;
}

Result<std::vector<PemBlock>> parse_pem(std::string_view text) {
  std::vector<PemBlock> blocks;
  bool inside = false;
  bool seen_data = false;
  bool encrypted = false;
  std::string label;
  std::string body;
  size_t begin_line = 0;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim_right(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;

    if (!inside) {
      if (auto l = boundary_label(line, kBegin)) {
        inside = true;
        seen_data = false;
        encrypted = false;
        label = std::string(*l);
        body.clear();
        begin_line = line_no;
      } else if (line.starts_with(kEnd)) {
        return pem_error(line_no, "END line without a BEGIN line");
      }
      continue;  // RFC 7468 §5.2: text outside the encapsulation boundaries is ignored
    }

    if (line.starts_with(kBegin)) {
      return pem_error(line_no,
                       "BEGIN line inside the block opened on line " + std::to_string(begin_line));
    }
    if (line.starts_with(kEnd)) {
      auto end_label = boundary_label(line, kEnd);
      if (!end_label || *end_label != label) {
        return pem_error(line_no, "END line does not match \"BEGIN " + label + "\"");
      }
      // RFC 5958 §3 names encrypted PKCS#8 keys "ENCRYPTED PRIVATE KEY"; RFC 1421 headers
      // ("Proc-Type: 4,ENCRYPTED") mark OpenSSL's traditional encrypted keys.
      if (encrypted || label == "ENCRYPTED PRIVATE KEY") {
        return encrypted_key_error();
      }
      auto der = base64_decode(body);
      if (!der) {
        return pem_error(begin_line, "invalid base64 in \"" + label + "\" block");
      }
      if (der->empty()) {
        return pem_error(begin_line, "empty \"" + label + "\" block");
      }
      blocks.push_back(PemBlock{std::move(label), std::move(*der)});
      label.clear();
      inside = false;
      continue;
    }
    if (!seen_data && line.find(':') != std::string_view::npos) {
      // An RFC 1421 header, which RFC 7468 §2 forbids except in legacy encrypted keys.
      if ((line.starts_with("Proc-Type:") && line.find("ENCRYPTED") != std::string_view::npos) ||
          line.starts_with("DEK-Info:")) {
        encrypted = true;
        continue;
      }
      if (encrypted) {
        continue;  // any further header of an encrypted key; refused at the END line
      }
      return pem_error(line_no, "unexpected header in PEM block");
    }
    if (line.empty()) {
      continue;  // the blank line after headers, or a blank line in lax output
    }
    for (char c : line) {
      if (base64_value(c) < 0 && c != '=') {
        return pem_error(line_no, "invalid base64 character");
      }
    }
    seen_data = true;
    body.append(line);
  }
  if (inside) {
    return pem_error(begin_line, "\"BEGIN " + label + "\" has no END line");
  }
  return blocks;
}

Result<std::vector<std::vector<uint8_t>>> load_certificate_chain_pem(std::string_view text) {
  std::vector<PemBlock> blocks = HS_TRY(parse_pem(text));
  std::vector<std::vector<uint8_t>> chain;
  for (PemBlock& block : blocks) {
    if (block.label != "CERTIFICATE") {
      continue;
    }
    auto cert = parse_certificate(block.der);
    if (!cert) {
      return Error(ErrorCode::invalid_config, "certificate",
                   "certificate " + std::to_string(chain.size() + 1) +
                       " does not parse: " + cert.error().detail());
    }
    chain.push_back(std::move(block.der));
  }
  if (chain.empty()) {
    return Error(ErrorCode::invalid_config, "certificate", "no CERTIFICATE block found");
  }
  return chain;
}

Result<std::vector<uint8_t>> load_private_key_pem(std::string_view text) {
  std::vector<PemBlock> blocks = HS_TRY(parse_pem(text));
  // The blocks hold key material: wipe whatever is not handed out, on every path.
  struct WipeBlocks {
    std::vector<PemBlock>& blocks;
    ~WipeBlocks() {
      for (PemBlock& b : blocks) {
        crypto::secure_wipe(b.der);
      }
    }
  } wipe{blocks};
  std::optional<std::vector<uint8_t>> key;
  for (PemBlock& block : blocks) {
    if (!is_key_label(block.label)) {
      continue;  // "EC PARAMETERS" from `openssl ecparam -genkey`, certificates, ...
    }
    if (key) {
      return Error(ErrorCode::invalid_config, "private key", "more than one private key found");
    }
    key = std::move(block.der);
  }
  if (!key) {
    return Error(ErrorCode::invalid_config, "private key",
                 "no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block found");
  }
  return std::move(*key);
}

}  // namespace hs::x509

// The trust store reads CA files itself: loading trust anchors from curl's --cacert/--capath
// (and the system bundle), and revocation lists from --crlfile, is part of what the verifier is
// asked to do, like OpenSSL's X509_LOOKUP. Nothing else in src/x509 touches the file system.
#include "x509/trust_store.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

#include "x509/pem.h"

namespace hs::x509 {

namespace {

// read_text reads a whole file; nullopt when it cannot be opened.
std::optional<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    return std::nullopt;
  }
  return ss.str();
}

// is_hashed_name matches OpenSSL's c_rehash names: "5ad8a5d6.0" (and ".r0" CRLs are not
// certificates, so they are left out).
bool is_hashed_name(std::string_view name) {
  if (name.size() < 10 || name[8] != '.') {
    return false;
  }
  for (size_t i = 0; i < 8; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(name[i]))) {
      return false;
    }
  }
  for (size_t i = 9; i < name.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) {
      return false;
    }
  }
  return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<bool> TrustStore::add_der(std::span<const uint8_t> der) {
  Bytes key(der.begin(), der.end());
  if (der_.count(key) != 0) {
    return false;
  }
  auto parsed = parse_certificate(der);
  if (!parsed.ok()) {
    return std::move(parsed).error();
  }
  size_t index = certs_.size();
  auto cert = std::make_unique<Certificate>(std::move(parsed).value());
  by_subject_.emplace(cert->subject.raw, index);
  if (cert->subject_key_id) {
    by_key_id_.emplace(*cert->subject_key_id, index);
  }
  certs_.push_back(std::move(cert));
  der_.insert(std::move(key));
  return true;
}

Result<LoadStats> TrustStore::add_pem(std::string_view text) {
  auto blocks = HS_TRY(parse_pem(text));
  LoadStats stats;
  for (const PemBlock& block : blocks) {
    if (block.label != "CERTIFICATE" && block.label != "TRUSTED CERTIFICATE") {
      continue;
    }
    if (block.label == "TRUSTED CERTIFICATE") {
      // OpenSSL's trusted form appends trust settings after the certificate; we do not read
      // them, so such entries are skipped rather than trusted for purposes they may exclude.
      ++stats.skipped;
      continue;
    }
    auto added = add_der(block.der);
    if (!added.ok()) {
      ++stats.skipped;
    } else if (*added) {
      ++stats.added;
    } else {
      ++stats.duplicates;
    }
  }
  return stats;
}

Result<LoadStats> TrustStore::load_file(const std::string& path) {
  auto text = read_text(path);
  if (!text) {
    return Error(ErrorCode::invalid_config, "CA file", "cannot read " + path);
  }
  auto stats = add_pem(*text);
  if (!stats.ok()) {
    return Error(ErrorCode::invalid_config, "CA file", path + ": " + stats.error().detail());
  }
  if (stats->added + stats->duplicates == 0) {
    return Error(ErrorCode::invalid_config, "CA file", path + ": no certificate");
  }
  return stats;
}

Result<LoadStats> TrustStore::load_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    return Error(ErrorCode::invalid_config, "CA path", "cannot list " + dir);
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    if (!(ends_with(name, ".pem") || ends_with(name, ".crt") || is_hashed_name(name))) {
      continue;
    }
    if (!entry.is_regular_file(ec)) {  // follows symlinks, as /etc/ssl/certs is made of them
      continue;
    }
    files.push_back(entry.path());
  }
  // A stable order makes the store (and so path choice among equals) repeatable.
  std::sort(files.begin(), files.end());
  LoadStats total;
  for (const auto& file : files) {
    auto text = read_text(file);
    if (!text) {
      ++total.skipped;
      continue;
    }
    auto stats = add_pem(*text);
    if (!stats.ok() || stats->added + stats->duplicates + stats->skipped == 0) {
      ++total.skipped;
      continue;
    }
    total.added += stats->added;
    total.duplicates += stats->duplicates;
    total.skipped += stats->skipped;
  }
  return total;
}

std::vector<const Certificate*> TrustStore::find_by_subject(
    std::span<const uint8_t> subject_der) const {
  std::vector<const Certificate*> out;
  auto [lo, hi] = by_subject_.equal_range(Bytes(subject_der.begin(), subject_der.end()));
  for (auto i = lo; i != hi; ++i) {
    out.push_back(certs_[i->second].get());
  }
  return out;
}

std::vector<const Certificate*> TrustStore::find_by_key_id(std::span<const uint8_t> ski) const {
  std::vector<const Certificate*> out;
  auto [lo, hi] = by_key_id_.equal_range(Bytes(ski.begin(), ski.end()));
  for (auto i = lo; i != hi; ++i) {
    out.push_back(certs_[i->second].get());
  }
  return out;
}

const Certificate* TrustStore::find_anchor(const Certificate& cert) const {
  const Certificate* same_key = nullptr;
  for (const Certificate* c : find_by_subject(cert.subject.raw)) {
    if (c->der == cert.der) {
      return c;
    }
    if (same_key == nullptr && c->spki_raw == cert.spki_raw) {
      same_key = c;
    }
  }
  return same_key;
}

bool TrustStore::contains_der(std::span<const uint8_t> der) const {
  return der_.count(Bytes(der.begin(), der.end())) != 0;
}

Result<std::vector<Crl>> load_crl_file(const std::string& path) {
  auto text = read_text(path);
  if (!text) {
    return Error(ErrorCode::invalid_config, "CRL file", "cannot read " + path);
  }
  auto crls = load_crls_pem(*text);
  if (!crls.ok()) {
    return Error(ErrorCode::invalid_config, "CRL file", path + ": " + crls.error().detail());
  }
  return crls;
}

}  // namespace hs::x509

// The x509-limbo harness behind `hs verify --limbo` (see limbo.h). The suite is JSON, read with
// nlohmann/json (Debian's nlohmann-json3-dev; see README "Dependencies").
#include "limbo.h"

#include <hs/x509.h>

#include <cstdint>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "x509/der.h"
#include "x509/pem.h"
#include "x509/trust_store.h"
#include "x509/verifier.h"

namespace hs::tool {
namespace {

using nlohmann::json;
// The report keeps the schema's field order (id, actual_result, context) for people reading it.
using ordered_json = nlohmann::ordered_json;

// kUnderstoodFeatures are the testcase features whose behaviour we implement. The schema:
// "Consumers that don't understand a given feature should skip tests that are marked with it."
// name-constraint-dn: directoryName constraints (x509/name_constraints.cc, RFC 5280 §4.2.1.10).
const std::set<std::string, std::less<>> kUnderstoodFeatures = {"name-constraint-dn", "has-crl"};

struct Verdict {
  std::string actual;   // SUCCESS, FAILURE or SKIPPED
  std::string context;  // empty for SUCCESS
};

Verdict skip(std::string why) { return {"SKIPPED", std::move(why)}; }
Verdict fail(std::string why) { return {"FAILURE", std::move(why)}; }

// non_empty_array: `key` is present and a non-empty array (null and [] both mean "none").
bool non_empty_array(const json& tc, std::string_view key) {
  auto it = tc.find(key);
  return it != tc.end() && it->is_array() && !it->empty();
}

// parse_rfc3339 reads a validation_time (RFC 3339 date-time: "2024-01-02T03:04:05Z", with
// optional fractional seconds, dropped, and a "Z" or "+hh:mm" / "-hh:mm" offset) into Unix
// seconds, through the certificate time parser (x509::parse_time_value, GeneralizedTime).
std::optional<int64_t> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS at fixed positions.
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  std::string generalized;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    generalized.push_back(s[i]);
  }
  generalized.push_back('Z');
  size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    const size_t digits_start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ++pos;
    }
    if (pos == digits_start) {
      return std::nullopt;
    }
  }
  int64_t offset = 0;
  const std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    for (size_t i : {1, 2, 4, 5}) {
      if (zone[i] < '0' || zone[i] > '9') {
        return std::nullopt;
      }
    }
    const int hh = (zone[1] - '0') * 10 + (zone[2] - '0');
    const int mm = (zone[4] - '0') * 10 + (zone[5] - '0');
    if (hh > 23 || mm > 59) {
      return std::nullopt;
    }
    offset = (zone[0] == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
  } else {
    return std::nullopt;
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(generalized.data());
  auto local = x509::parse_time_value(x509::tag::kGeneralizedTime, {bytes, generalized.size()});
  if (!local) {
    return std::nullopt;
  }
  // A time at +hh:mm is hh:mm ahead of UTC.
  return *local - offset;
}

// certificate_ders returns the DER of each CERTIFICATE block in the PEM strings of `list`, in
// order, unparsed: the verifier decides what a malformed one means, as it does for a peer's.
std::optional<std::vector<CertificateDer>> certificate_ders(const json& list) {
  std::vector<CertificateDer> out;
  if (list.is_null()) {
    return out;
  }
  if (!list.is_array()) {
    return std::nullopt;
  }
  for (const json& item : list) {
    if (!item.is_string()) {
      return std::nullopt;
    }
    auto blocks = x509::parse_pem(item.get_ref<const std::string&>());
    if (!blocks.ok()) {
      return std::nullopt;
    }
    for (x509::PemBlock& b : *blocks) {
      if (b.label == "CERTIFICATE") {
        out.push_back(std::move(b.der));
      }
    }
  }
  return out;
}

// evaluate decides one testcase. A structurally broken testcase (a missing field, a wrong type)
// throws json::exception: a harness error, caught by run_limbo.
Verdict evaluate(const json& tc) {
  if (auto it = tc.find("features"); it != tc.end() && it->is_array()) {
    for (const json& f : *it) {
      const std::string name = f.get<std::string>();
      if (!kUnderstoodFeatures.contains(name)) {
        return skip("feature not implemented: " + name);
      }
    }
  }
  if (non_empty_array(tc, "signature_algorithms")) {
    return skip("no signature algorithm constraint option");
  }
  if (non_empty_array(tc, "key_usage")) {
    return skip("no keyUsage constraint option (the purpose sets it)");
  }
  if (non_empty_array(tc, "expected_peer_names")) {
    return skip("one peer name per validation");
  }
  if (auto it = tc.find("max_chain_depth"); it != tc.end() && !it->is_null()) {
    return skip("no chain depth option");
  }

  const std::string kind = tc.at("validation_kind").get<std::string>();
  CertificatePurpose purpose;
  if (kind == "SERVER") {
    purpose = CertificatePurpose::server;
  } else if (kind == "CLIENT") {
    purpose = CertificatePurpose::client;
  } else {
    throw json::other_error::create(501, "unknown validation_kind " + kind, &tc);
  }
  // The purpose is what our API constrains EKU with: serverAuth or clientAuth, one of them.
  if (non_empty_array(tc, "extended_key_usage")) {
    const json& ekus = tc.at("extended_key_usage");
    const std::string eku = ekus.front().get<std::string>();
    if (ekus.size() != 1 || (eku != "serverAuth" && eku != "clientAuth")) {
      return skip("EKU constraint other than serverAuth or clientAuth alone");
    }
    purpose = eku == "serverAuth" ? CertificatePurpose::server : CertificatePurpose::client;
  }

  std::string host;
  if (auto it = tc.find("expected_peer_name"); it != tc.end() && !it->is_null()) {
    const std::string name_kind = it->at("kind").get<std::string>();
    if (name_kind != "DNS" && name_kind != "IP") {
      return skip("peer name kind not implemented: " + name_kind);
    }
    host = it->at("value").get<std::string>();
    if (host.empty()) {
      return fail("empty peer name");
    }
  }

  TrustOptions trust;
  trust.purpose = purpose;
  if (auto it = tc.find("validation_time"); it != tc.end() && !it->is_null()) {
    auto t = parse_rfc3339(it->get<std::string>());
    if (!t) {
      throw json::other_error::create(501, "validation_time is not RFC 3339", &tc);
    }
    trust.at_time = *t;
  }

  auto store = std::make_shared<x509::TrustStore>();
  for (const json& pem : tc.at("trusted_certs")) {
    // A block that does not parse is counted and skipped: it anchors nothing.
    auto added = store->add_pem(pem.get<std::string>());
    if (!added.ok()) {
      return fail("trusted_certs: " + added.error().detail());
    }
  }
  auto leaf = certificate_ders(json::array({tc.at("peer_certificate")}));
  auto intermediates = certificate_ders(tc.at("untrusted_intermediates"));
  if (!leaf || leaf->size() != 1 || !intermediates) {
    return fail("peer_certificate or untrusted_intermediates: not PEM certificates");
  }
  std::vector<CertificateDer> chain = std::move(*leaf);
  chain.insert(chain.end(), intermediates->begin(), intermediates->end());

  // No CRL file is named, so making the options cannot fail.
  x509::ValidationOptions validation = x509::validation_options(trust).value();
  auto crls = std::make_shared<x509::CrlSet>();
  if (non_empty_array(tc, "crls")) {
    for (const json& pem : tc.at("crls")) {
      // A CRL that does not parse (a version other than v2, no nextUpdate, a 2025 date as
      // GeneralizedTime) is no CRL: dropped, as limbo's crl::external cases expect.
      auto loaded = x509::load_crls_pem(pem.get<std::string>());
      if (loaded.ok()) {
        crls->insert(crls->end(), loaded->begin(), loaded->end());
      }
    }
  }
  // Revocation is checked when the testcase gives at least one CRL that parses.
  if (!crls->empty()) {
    validation.crls = std::move(crls);
    // limbo follows RFC 5280 §6.3: the anchor is trusted input, not checked for revocation, and
    // a CRL must carry its cRLNumber (§5.2.3). hs client follows OpenSSL and curl instead.
    validation.check_anchor_revocation = false;
    validation.require_crl_number = true;
  }
  x509::DefaultVerifier verifier(store, std::move(validation));
  auto outcome = verifier.verify_detailed(chain, host);
  if (!outcome.ok()) {
    // A certificate that does not parse, as hs client would refuse it.
    return fail(outcome.error().message());
  }
  if (outcome->failure) {
    return fail(outcome->failure->curl_message() + " (" + outcome->failure->where() + ")");
  }
  return {"SUCCESS", ""};
}

}  // namespace

int run_limbo(std::istream& in, std::ostream& out, std::ostream& err) {
  ordered_json results = ordered_json::array();
  try {
    const json suite = json::parse(in);
    if (suite.at("version").get<int>() != 1) {
      err << "hs verify --limbo: unsupported limbo schema version " << suite.at("version") << "\n";
      return 1;
    }
    for (const json& tc : suite.at("testcases")) {
      const Verdict v = evaluate(tc);
      results.push_back({
          {"id", tc.at("id").get<std::string>()},
          {"actual_result", v.actual},
          {"context", v.context.empty() ? ordered_json(nullptr) : ordered_json(v.context)},
      });
    }
  } catch (const json::exception& e) {
    err << "hs verify --limbo: not a limbo testsuite: " << e.what() << "\n";
    return 1;
  }
  const ordered_json report = {
      {"version", 1},
      {"harness", "handshake (hs verify)"},
      {"results", std::move(results)},
  };
  out << report.dump(2) << "\n";
  return 0;
}

}  // namespace hs::tool

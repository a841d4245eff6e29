// `hs verify`: check a certificate chain as `hs client` would (path building, RFC 5280 checks,
// the host name), like `openssl verify`, and show the path found or why there is none; with
// --ocsp-response, also an OCSP response for the leaf as `hs client --cert-status` checks a
// stapled one (like `openssl ocsp -respin FILE -issuer ... -cert ...`).
#include <fmt/core.h>
#include <hs/x509.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/json.h"
#include "crypto/provider.h"
#include "limbo.h"
#include "options.h"
#include "pinned_key.h"
#include "subcommands.h"
#include "x509/certificate.h"
#include "x509/der.h"
#include "x509/ocsp_verify.h"
#include "x509/pem.h"
#include "x509/verifier.h"

namespace hs::tool {

namespace {

struct VerifyOptions {
  std::string cafile;
  std::string capath;
  std::string untrusted;
  std::string host;
  std::string purpose = "server";
  std::optional<int64_t> at_time;
  std::string ocsp_response;  // DER OCSPResponse for the leaf
  std::string crl_file;       // PEM CRLs: check every certificate's revocation
  bool json = false;
  bool limbo = false;
  std::string leaf;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "hs verify: %s\n", message.c_str());
  return 2;
}

// OcspVerdict is what --ocsp-response found: "good, next update ..." or the refusal in curl's
// words.
struct OcspVerdict {
  bool ok = false;
  std::string detail;
};

// check_ocsp verifies `der` for the leaf of the path found (the issuer is taken from the path, so
// a trust anchor from --cafile serves), at --at-time or now.
OcspVerdict check_ocsp(const x509::VerifyOutcome& o, std::span<const uint8_t> der,
                       std::optional<int64_t> at_time) {
  std::vector<std::vector<uint8_t>> path;
  for (const x509::Certificate& c : o.validation.path) {
    path.push_back(c.der);
  }
  const int64_t now = at_time ? *at_time : static_cast<int64_t>(std::time(nullptr));
  auto r = x509::verify_stapled_ocsp(crypto::default_provider(), path, der, now);
  if (!r.ok()) {
    return {false, r.error().detail()};
  }
  std::string detail = "good";
  if (r->next_update) {
    detail += ", next update " + x509::format_time(*r->next_update);
  }
  return {true, detail};
}

std::string certificate_json(const x509::Certificate& c, size_t depth, bool anchor) {
  return fmt::format(
      "{{\"depth\": {}, \"subject\": {}, \"issuer\": {}, \"not_before\": {}, \"not_after\": {}, "
      "\"signature_algorithm\": {}, \"trust_anchor\": {}}}",
      depth, json_string(x509::to_string(c.subject)), json_string(x509::to_string(c.issuer)),
      json_string(x509::format_time(c.not_before)), json_string(x509::format_time(c.not_after)),
      json_string(x509::signature_oid_name(c.signature_oid)), anchor ? "true" : "false");
}

void print_json(const x509::VerifyOutcome& o, const std::optional<OcspVerdict>& ocsp) {
  const x509::ValidationResult& v = o.validation;
  std::string out = "{\n";
  out +=
      fmt::format("  \"result\": {},\n", o.failure || (ocsp && !ocsp->ok) ? "\"fail\"" : "\"ok\"");
  if (ocsp) {
    out += fmt::format("  \"ocsp\": {{\"ok\": {}, \"detail\": {}}},\n", ocsp->ok ? "true" : "false",
                       json_string(ocsp->detail));
  }
  if (o.failure) {
    out += fmt::format(
        "  \"error\": {{\"code\": {}, \"reason\": {}, \"curl\": {}, \"depth\": {}, \"subject\": "
        "{}}},\n",
        x509::openssl_verify_code(o.failure->status),
        json_string(x509::verify_status_string(o.failure->status)),
        json_string(o.failure->curl_message()), o.failure->depth, json_string(o.failure->subject));
  } else {
    out += "  \"error\": null,\n";
  }
  out += "  \"chain\": [";
  for (size_t i = 0; i < v.path.size(); ++i) {
    out += i == 0 ? "\n    " : ",\n    ";
    out += certificate_json(v.path[i], i, v.anchored && i + 1 == v.path.size());
  }
  out += v.path.empty() ? "],\n" : "\n  ],\n";
  out += "  \"checks\": [";
  for (size_t i = 0; i < v.checks.size(); ++i) {
    const x509::CheckRecord& c = v.checks[i];
    out += i == 0 ? "\n    " : ",\n    ";
    out += fmt::format("{{\"depth\": {}, \"check\": {}, \"ok\": {}, \"detail\": {}}}", c.depth,
                       json_string(c.check), c.ok ? "true" : "false", json_string(c.detail));
  }
  out += v.checks.empty() ? "],\n" : "\n  ],\n";
  if (!o.chain.empty()) {
    out += fmt::format("  \"leaf_public_key_pin\": {},\n",
                       json_string(public_key_pin(o.chain.front().spki_raw)));
  }
  out += fmt::format("  \"signature_checks\": {},\n  \"paths_tried\": {}\n}}\n", v.signature_checks,
                     v.paths_tried);
  std::fputs(out.c_str(), stdout);
}

void print_text(const x509::VerifyOutcome& o, const std::optional<OcspVerdict>& ocsp) {
  const x509::ValidationResult& v = o.validation;
  if (o.failure) {
    std::string reason(x509::verify_status_string(o.failure->status));
    std::printf("FAILED: %s\n", reason.c_str());
    std::printf("at %s\n", o.failure->where().c_str());
    // The failed check's own words, when it has more to say than the reason ("revoked <date>,
    // keyCompromise (1)", "pathLenConstraint 0, 1 intermediates below", the validity period).
    if (!v.checks.empty() && !v.checks.back().ok && !v.checks.back().detail.empty() &&
        v.checks.back().check != "host") {
      std::printf("why: %s\n", v.checks.back().detail.c_str());
    }
    std::printf("curl would say: %s\n", o.failure->curl_message().c_str());
  } else {
    std::printf("OK\n");
  }
  if (!v.path.empty()) {
    std::printf("%s:\n", o.failure ? "closest path" : "path");
    for (size_t i = 0; i < v.path.size(); ++i) {
      bool anchor = v.anchored && i + 1 == v.path.size();
      std::printf("  %zu: %s%s\n", i, x509::to_string(v.path[i].subject).c_str(),
                  anchor ? " (trust anchor)" : "");
    }
  }
  if (ocsp) {
    std::printf("OCSP: %s%s\n", ocsp->ok ? "" : "FAILED: ", ocsp->detail.c_str());
  }
  if (!o.chain.empty()) {
    // What --pinnedpubkey (hs client, curl) takes to pin this leaf's key.
    std::printf("leaf public key pin: %s\n", public_key_pin(o.chain.front().spki_raw).c_str());
  }
}

int run_verify(const VerifyOptions& o) {
  auto leaf_text = read_text(o.leaf);
  if (!leaf_text) {
    return usage_error("cannot read " + o.leaf);
  }
  // LEAF.pem may carry the rest of the chain after the leaf, as a server's chain file does.
  auto chain = x509::load_certificate_chain_pem(*leaf_text);
  if (!chain.ok()) {
    return usage_error(o.leaf + ": " + chain.error().detail());
  }
  std::vector<CertificateDer> certs = std::move(chain).value();
  if (!o.untrusted.empty()) {
    auto text = read_text(o.untrusted);
    if (!text) {
      return usage_error("cannot read " + o.untrusted);
    }
    auto more = x509::load_certificate_chain_pem(*text);
    if (!more.ok()) {
      return usage_error(o.untrusted + ": " + more.error().detail());
    }
    certs.insert(certs.end(), more->begin(), more->end());
  }

  TrustOptions trust;
  trust.ca_file = o.cafile;
  trust.ca_path = o.capath;
  // Like `openssl verify`: the system trust only when no CA option is given.
  trust.use_system_default = o.cafile.empty() && o.capath.empty();
  trust.purpose = o.purpose == "client" ? CertificatePurpose::client : CertificatePurpose::server;
  trust.at_time = o.at_time;
  trust.crl_file = o.crl_file;
  auto store = x509::load_trust_store(trust);
  if (!store.ok()) {
    return usage_error(store.error().detail());
  }
  auto validation = x509::validation_options(trust);
  if (!validation.ok()) {
    return usage_error(validation.error().detail());
  }
  x509::DefaultVerifier verifier(*store, std::move(validation).value());
  auto outcome = verifier.verify_detailed(certs, o.host);
  if (!outcome.ok()) {
    return usage_error(outcome.error().message());
  }
  std::optional<OcspVerdict> ocsp;
  if (!o.ocsp_response.empty()) {
    auto der = read_text(o.ocsp_response);
    if (!der) {
      return usage_error("cannot read " + o.ocsp_response);
    }
    const std::vector<uint8_t> bytes(der->begin(), der->end());
    ocsp = check_ocsp(*outcome, bytes, o.at_time);
  }
  if (o.json) {
    print_json(*outcome, ocsp);
  } else {
    print_text(*outcome, ocsp);
  }
  return outcome->failure || (ocsp && !ocsp->ok) ? 1 : 0;
}

}  // namespace

std::function<int()> register_verify(CLI::App& app) {
  auto opts = std::make_shared<VerifyOptions>();
  CLI::App* sub = app.add_subcommand("verify", "Verify a certificate chain (like openssl verify)");
  sub->add_option("--cafile,--CAfile", opts->cafile, "Trusted CA certificates (PEM bundle)");
  sub->add_option("--capath,--CApath", opts->capath, "Directory of trusted CA certificates");
  sub->add_option("--untrusted", opts->untrusted, "Intermediate certificates (PEM), any order");
  sub->add_option("--host", opts->host, "Check the leaf against this host name or IP address");
  sub->add_option("--purpose", opts->purpose, "server (serverAuth) or client (clientAuth)")
      ->check(CLI::IsMember({"server", "client"}));
  sub->add_option("--at-time", opts->at_time, "Check validity at this Unix time");
  sub->add_option("--ocsp-response", opts->ocsp_response,
                  "Also check this OCSP response (DER) for the leaf, as hs client --cert-status "
                  "checks a stapled one: signer, certificate ID, times, status");
  sub->add_option("--crlfile,--CRLfile", opts->crl_file,
                  "PEM file of CRLs: every certificate of the path, the anchor included, needs "
                  "a current CRL from its issuer that does not list it (as curl --crlfile, "
                  "openssl verify -crl_check_all)");
  sub->add_flag("--json", opts->json, "Print the chain and every check as JSON");
  auto* limbo = sub->add_flag("--limbo", opts->limbo,
                              "x509-limbo harness: read a limbo testsuite (JSON) on standard "
                              "input, write the results as JSON on standard output");
  auto* leaf =
      sub->add_option("leaf", opts->leaf, "Leaf certificate (PEM; may be followed by its chain)");
  limbo->excludes(leaf);
  return [opts]() {
    if (opts->limbo) {
      return run_limbo(std::cin, std::cout, std::cerr);
    }
    if (opts->leaf.empty()) {
      return usage_error("a leaf certificate is required (or --limbo)");
    }
    return run_verify(*opts);
  };
}

}  // namespace hs::tool

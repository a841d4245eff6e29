// `hs verify --limbo`, the x509-limbo harness: testcases in limbo's schema built from the shared
// test PKI go through `hs verify --limbo` on standard input, and each verdict (SUCCESS, FAILURE
// with curl's reason, SKIPPED with what is not implemented) and the harness's exit codes are
// checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "support/paths.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace hs::test {
namespace {

using nlohmann::json;

// rfc3339 formats `t` (Unix seconds) as RFC 3339 with the given offset from UTC in minutes.
std::string rfc3339(int64_t t, int offset_minutes) {
  const std::time_t local = static_cast<std::time_t>(t + int64_t{offset_minutes} * 60);
  std::tm tm{};
  gmtime_r(&local, &tm);
  char date[32];
  std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
  if (offset_minutes == 0) {
    return std::string(date) + "Z";
  }
  const int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char zone[16];
  std::snprintf(zone, sizeof(zone), "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
  return std::string(date) + zone;
}

class LimboHarness : public ::testing::Test {
 protected:
  // testcase is a valid SERVER case in limbo's schema: the shared PKI's chain leaf (RSA, issued
  // by the intermediate, SAN localhost and 127.0.0.1, EKU serverAuth) for "localhost", the
  // intermediate untrusted, the root trusted.
  json testcase(const std::string& id) const {
    return {
        {"id", id},
        {"features", nullptr},
        {"description", "built from the test PKI"},
        {"validation_kind", "SERVER"},
        {"trusted_certs", {read_file(pki_.ca_cert)}},
        {"untrusted_intermediates", {read_file(pki_.intermediate_cert)}},
        {"peer_certificate", read_file(pki_.chain_leaf_cert)},
        {"validation_time", nullptr},
        {"signature_algorithms", nullptr},
        {"key_usage", nullptr},
        {"extended_key_usage", nullptr},
        {"expected_result", "SUCCESS"},
        {"expected_peer_name", {{"kind", "DNS"}, {"value", "localhost"}}},
        {"expected_peer_names", nullptr},
        {"max_chain_depth", nullptr},
    };
  }

  // run feeds `suite` to `hs verify --limbo` and returns the command's result.
  static CommandResult run(const std::string& suite) {
    return run_command({hs_binary().string(), "verify", "--limbo"}, std::chrono::seconds(30),
                       suite);
  }

  // verdicts runs the testcases and returns the results by id, checking the report's frame.
  static std::map<std::string, json> verdicts(const json& cases) {
    const CommandResult r = run(json{{"version", 1}, {"testcases", cases}}.dump());
    EXPECT_EQ(r.exit_code, 0) << r.output();
    const json report = json::parse(r.out);
    EXPECT_EQ(report.at("version"), 1);
    EXPECT_TRUE(report.at("harness").is_string());
    std::map<std::string, json> by_id;
    for (const json& result : report.at("results")) {
      by_id[result.at("id").get<std::string>()] = result;
    }
    EXPECT_EQ(by_id.size(), cases.size()) << r.out;
    return by_id;
  }

  const TestPki& pki_ = shared_test_pki();
};

// expect_verdict: `result` is `actual`, and its context holds `context_part` (SUCCESS: null).
void expect_verdict(const json& result, const std::string& actual,
                    const std::string& context_part = "") {
  EXPECT_EQ(result.at("actual_result"), actual) << result.dump();
  if (actual == "SUCCESS") {
    EXPECT_TRUE(result.at("context").is_null()) << result.dump();
  } else {
    ASSERT_TRUE(result.at("context").is_string()) << result.dump();
    EXPECT_NE(result.at("context").get<std::string>().find(context_part), std::string::npos)
        << result.dump();
  }
}

TEST_F(LimboHarness, ChainAndPeerNamesDecideAsHsClientWould) {
  json cases = json::array();
  cases.push_back(testcase("valid"));
  json ip = testcase("ip-name");
  ip["expected_peer_name"] = {{"kind", "IP"}, {"value", "127.0.0.1"}};
  cases.push_back(ip);
  json no_name = testcase("no-peer-name");
  no_name["expected_peer_name"] = nullptr;
  cases.push_back(no_name);
  json wrong = testcase("wrong-host");
  wrong["expected_peer_name"] = {{"kind", "DNS"}, {"value", "example.com"}};
  cases.push_back(wrong);
  json untrusted = testcase("other-root");
  untrusted["trusted_certs"] = {read_file(pki_.other_ca_cert)};
  cases.push_back(untrusted);
  json missing = testcase("missing-intermediate");
  missing["untrusted_intermediates"] = json::array();
  cases.push_back(missing);
  json client_eku = testcase("server-leaf-for-client-auth");
  client_eku["extended_key_usage"] = {"clientAuth"};
  cases.push_back(client_eku);
  json client = testcase("client-kind");
  client["validation_kind"] = "CLIENT";
  client["peer_certificate"] = read_file(pki_.client_cert);
  client["untrusted_intermediates"] = json::array();
  client["expected_peer_name"] = nullptr;
  cases.push_back(client);
  json junk = testcase("leaf-not-der");
  junk["peer_certificate"] = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";
  cases.push_back(junk);

  auto v = verdicts(cases);
  expect_verdict(v["valid"], "SUCCESS");
  expect_verdict(v["ip-name"], "SUCCESS");
  expect_verdict(v["no-peer-name"], "SUCCESS");
  expect_verdict(v["wrong-host"], "FAILURE", "target host name 'example.com'");
  expect_verdict(v["other-root"], "FAILURE", "unable to get local issuer certificate");
  expect_verdict(v["missing-intermediate"], "FAILURE", "unable to get local issuer certificate");
  expect_verdict(v["server-leaf-for-client-auth"], "FAILURE", "unsuitable certificate purpose");
  expect_verdict(v["client-kind"], "SUCCESS");
  expect_verdict(v["leaf-not-der"], "FAILURE", "certificate");
}

// not_before reads a certificate's notBefore with the openssl CLI, in Unix seconds.
int64_t not_before(const std::filesystem::path& cert) {
  const CommandResult r = run_command(
      {"openssl", "x509", "-in", cert.string(), "-noout", "-startdate", "-dateopt", "iso_8601"});
  EXPECT_EQ(r.exit_code, 0) << r.output();
  std::tm tm{};
  // notBefore=2026-11-28 14:02:16Z
  EXPECT_NE(strptime(r.out.c_str(), "notBefore=%Y-%m-%d %H:%M:%SZ", &tm), nullptr) << r.out;
  return static_cast<int64_t>(timegm(&tm));
}

TEST_F(LimboHarness, ValidationTimeIsRfc3339WithOffsets) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // The chain is valid from the latest notBefore of its three certificates (the PKI is made
  // with -days from the moment it is generated): half an hour either side of it, written in
  // zones an hour away, tells whether the offsets' signs are applied the right way round.
  const int64_t start = std::max({not_before(pki_.ca_cert), not_before(pki_.intermediate_cert),
                                  not_before(pki_.chain_leaf_cert)});
  json cases = json::array();
  json z = testcase("now-utc");
  z["validation_time"] = rfc3339(now, 0);
  cases.push_back(z);
  json west = testcase("now-at-minus-five");
  west["validation_time"] = rfc3339(now, -300);
  cases.push_back(west);
  json after_start = testcase("after-start-at-minus-one");
  after_start["validation_time"] = rfc3339(start + 1800, -60);
  cases.push_back(after_start);
  json before_start = testcase("before-start-at-plus-one");
  before_start["validation_time"] = rfc3339(start - 1800, 60);
  cases.push_back(before_start);
  json future = testcase("far-future-fraction");
  future["validation_time"] = "2999-01-01T00:00:00.250Z";
  cases.push_back(future);
  json past = testcase("before-issuance");
  past["validation_time"] = "1999-01-01T01:00:00+02:00";
  cases.push_back(past);

  auto v = verdicts(cases);
  expect_verdict(v["now-utc"], "SUCCESS");
  expect_verdict(v["now-at-minus-five"], "SUCCESS");
  expect_verdict(v["after-start-at-minus-one"], "SUCCESS");
  expect_verdict(v["before-start-at-plus-one"], "FAILURE", "certificate is not yet valid");
  expect_verdict(v["far-future-fraction"], "FAILURE", "certificate has expired");
  expect_verdict(v["before-issuance"], "FAILURE", "certificate is not yet valid");
}

TEST_F(LimboHarness, WhatIsNotImplementedIsSkippedWithTheReason) {
  json cases = json::array();
  json email = testcase("rfc822-name");
  email["expected_peer_name"] = {{"kind", "RFC822"}, {"value", "user@example.com"}};
  cases.push_back(email);
  json policies = testcase("policies");
  policies["features"] = {"has-cert-policies"};
  cases.push_back(policies);
  json dn = testcase("dn-constraints-understood");
  dn["features"] = {"name-constraint-dn"};
  cases.push_back(dn);
  json depth = testcase("depth");
  depth["max_chain_depth"] = 1;
  cases.push_back(depth);
  json ku = testcase("key-usage");
  ku["key_usage"] = {"digitalSignature"};
  cases.push_back(ku);
  json code = testcase("code-signing");
  code["extended_key_usage"] = {"codeSigning"};
  cases.push_back(code);

  auto v = verdicts(cases);
  expect_verdict(v["rfc822-name"], "SKIPPED", "RFC822");
  expect_verdict(v["policies"], "SKIPPED", "has-cert-policies");
  expect_verdict(v["dn-constraints-understood"], "SUCCESS");
  expect_verdict(v["depth"], "SKIPPED", "depth");
  expect_verdict(v["key-usage"], "SKIPPED", "keyUsage");
  expect_verdict(v["code-signing"], "SKIPPED", "EKU");
}

// CRL testcases ("has-crl") are decided as RFC 5280 §6.3 has it: every certificate below the
// trust anchor needs a CRL from its issuer, the anchor is not checked.
TEST_F(LimboHarness, CrlTestcasesCheckEveryCertificateBelowTheAnchor) {
  ASSERT_TRUE(require_program("openssl"));  // make_crl: openssl ca -gencrl
  TempDir dir;
  const auto crl = [&](const std::filesystem::path& cert, const std::filesystem::path& key,
                       const std::vector<std::filesystem::path>& revoked, const std::string& name) {
    make_crl(cert, key, revoked, dir / name);
    return read_file(dir / name);
  };
  const std::string root = crl(pki_.ca_cert, pki_.ca_key, {}, "root.crl");
  const std::string root_revoking_itself =
      crl(pki_.ca_cert, pki_.ca_key, {pki_.ca_cert}, "root-self.crl");
  const std::string inter = crl(pki_.intermediate_cert, pki_.intermediate_key, {}, "inter.crl");
  const std::string inter_revoking_leaf =
      crl(pki_.intermediate_cert, pki_.intermediate_key, {pki_.chain_leaf_cert}, "inter-leaf.crl");
  json cases = json::array();
  auto add = [&](const std::string& id, const json& crls) {
    json c = testcase(id);
    c["features"] = {"has-crl"};
    c["crls"] = crls;
    cases.push_back(c);
  };
  add("crl-none-revoked", {root, inter});
  add("crl-leaf-revoked", {root, inter_revoking_leaf});
  add("crl-none-for-the-intermediate", {inter});
  add("crl-anchor-revoking-itself", {root_revoking_itself, inter});
  // A CRL that does not parse is dropped; with no CRL left, revocation is not checked.
  add("crl-unreadable", {"-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n"});

  auto v = verdicts(cases);
  expect_verdict(v["crl-none-revoked"], "SUCCESS");
  expect_verdict(v["crl-leaf-revoked"], "FAILURE", "certificate revoked");
  expect_verdict(v["crl-none-for-the-intermediate"], "FAILURE", "unable to get certificate CRL");
  expect_verdict(v["crl-anchor-revoking-itself"], "SUCCESS");
  expect_verdict(v["crl-unreadable"], "SUCCESS");
}

TEST_F(LimboHarness, InputThatIsNoLimboSuiteIsAHarnessError) {
  for (const std::string& input :
       {std::string("not json"), std::string("{}"),
        std::string(R"({"version": 2, "testcases": []})"),
        json{{"version", 1}, {"testcases", {{{"id", "no-fields"}}}}}.dump()}) {
    const CommandResult r = run(input);
    EXPECT_EQ(r.exit_code, 1) << input << "\n" << r.output();
    EXPECT_NE(r.err.find("hs verify --limbo"), std::string::npos) << r.output();
    EXPECT_TRUE(r.out.empty()) << r.output();
  }
  const CommandResult empty = run(json{{"version", 1}, {"testcases", json::array()}}.dump());
  EXPECT_EQ(empty.exit_code, 0) << empty.output();
  EXPECT_TRUE(json::parse(empty.out).at("results").empty()) << empty.output();
  // Without --limbo a leaf is required.
  const CommandResult no_leaf = run_command({hs_binary().string(), "verify"});
  EXPECT_EQ(no_leaf.exit_code, 2) << no_leaf.output();
}

}  // namespace
}  // namespace hs::test

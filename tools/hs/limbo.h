// `hs verify --limbo`: an x509-limbo harness (C2SP's path-validation test suite). It reads a
// limbo testsuite (JSON, schema version 1) and writes a LimboResult, as every harness of that
// project does (`harness < limbo.json > results.json`), deciding each testcase with the same
// DefaultVerifier `hs client` uses.
#pragma once

#include <iosfwd>

namespace hs::tool {

// run_limbo evaluates every testcase of the suite read from `in` and writes the results to `out`
// as JSON: {"version": 1, "harness": ..., "results": [{"id", "actual_result", "context"}]}, where
// actual_result is SUCCESS, FAILURE (context: curl's text for the reason) or SKIPPED (context:
// what the testcase asks that we do not implement). Returns 0, or 1 after a message on `err`
// when the input is not a limbo suite (the harness convention: non-zero only for harness
// errors, never for a testcase's verdict).
int run_limbo(std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace hs::tool

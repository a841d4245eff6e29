// fuzz_der: walks arbitrary bytes as nested DER elements (depth-bounded) and runs every typed
// read on each primitive, so the reader's bounds and strictness checks meet hostile lengths. The
// whole input also goes through check_ocsp_response (x509/ocsp.h), the OCSPResponse shape check.
#include <cstddef>
#include <cstdint>
#include <span>

#include "x509/der.h"
#include "x509/ocsp.h"

namespace {

constexpr int kMaxDepth = 32;

void walk(std::span<const uint8_t> data, int depth) {
  using namespace hs::x509;
  DerReader r(data);
  while (!r.empty()) {
    DerReader probe = r;
    std::span<const uint8_t> out;
    uint64_t n;
    int64_t t;
    bool b;
    uint8_t unused;
    (void)probe.read_integer(out);
    probe = r;
    (void)probe.read_small_uint(UINT32_MAX, n);
    probe = r;
    if (probe.read_oid(out)) {
      (void)oid_to_string(out);
    }
    probe = r;
    if (probe.read_time(t)) {
      (void)format_time(t);
    }
    probe = r;
    (void)probe.read_bool(b);
    probe = r;
    (void)probe.read_bit_string(out, unused);

    Tlv tlv;
    if (!r.read_any(tlv)) {
      return;
    }
    if ((tlv.tag & 0x20) != 0 && depth < kMaxDepth) {
      walk(tlv.value, depth + 1);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  walk(std::span<const uint8_t>(data, size), 0);
  (void)hs::x509::check_ocsp_response(std::span<const uint8_t>(data, size));
  return 0;
}

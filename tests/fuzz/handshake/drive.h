// drive: the one loop every handshake fuzz target runs. The first input byte picks how the
// rest is cut into receive() calls (0: one call; n: chunks of n bytes), so the fuzzer explores
// record and message fragmentation on its own. After each receive() the output is drained, as
// a transport would. Any broken invariant traps, so libFuzzer reports it as a crash.
#pragma once

#include <hs/connection.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "fuzz/handshake/loopback.h"

namespace hs::fuzzing {

// check traps when `ok` is false (libFuzzer reports a crash with the stack).
inline void check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

// Conn is hs::Connection or detail::ConnectionImpl (fuzz_client13 needs the test hooks).
template <typename Conn>
void drain(Conn& conn) {
  size_t n = conn.output().size();
  conn.consume_output(n);
  check(conn.output().empty());
}

// drive feeds `input` to `conn` and exercises reads, writes, close and EOF afterwards.
// `after_receive`, when set, runs after every receive() that succeeded, before the output is
// drained (fuzz_server_auth_early asks for a certificate there once connected).
template <typename Conn>
void drive(Conn& conn, std::span<const uint8_t> input,
           const std::function<void(Conn&)>& after_receive = {}) {
  drain(conn);
  if (input.empty()) {
    return;
  }
  size_t chunk = input[0];
  std::span<const uint8_t> rest = input.subspan(1);
  if (chunk == 0) {
    chunk = rest.size() == 0 ? 1 : rest.size();
  }
  bool failed = false;
  ErrorCode code{};
  while (!rest.empty()) {
    size_t n = chunk < rest.size() ? chunk : rest.size();
    auto r = conn.receive(rest.first(n));
    rest = rest.subspan(n);
    if (!r.ok()) {
      if (failed) {
        check(r.error().code() == code);  // sticky: the same error every time
        // After the first failure nothing more is queued.
        check(conn.output().empty());
      } else {
        failed = true;
        code = r.error().code();
        check(conn.failed());
        // The alert the error maps to is the last record queued (outer type alert, or
        // application_data under TLS 1.3 protection).
        if (r.error().alert()) {
          auto records = split_records(conn.output());
          check(!records.empty() && records.back().size() >= 7 &&
                (records.back()[0] == 21 || records.back()[0] == 23));
        }
      }
    } else {
      check(!failed);
      if (after_receive) {
        after_receive(conn);
      }
    }
    drain(conn);
  }
  if (!failed && conn.is_connected()) {
    static constexpr uint8_t kPing[] = {'p', 'i', 'n', 'g'};
    (void)conn.write(kPing);
    uint8_t buf[256];
    while (conn.read(buf) > 0) {
    }
    conn.close();
  }
  (void)conn.receive_eof();
  drain(conn);
  auto again = conn.receive(input.first(1));
  if (failed) {
    check(!again.ok() && again.error().code() == code);
  }
  drain(conn);
}

}  // namespace hs::fuzzing

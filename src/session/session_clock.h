// Test-only control of session_now_ms() (include/hs/session.h).
#pragma once

#include <cstdint>

namespace hs::detail {

// dangerous_pin_session_clock makes session_now_ms() return `ms` in this process from now on
// (0: the wall clock again). Fuzz targets and their seed generator pin it so that tickets and
// 0-RTT ClientHellos recorded into a seed corpus stay within their lifetime when replayed on
// any later day. Never call it in a program that serves real peers.
void dangerous_pin_session_clock(uint64_t ms);

}  // namespace hs::detail

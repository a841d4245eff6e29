// run_hs_client: our `hs client` fetching https://localhost:PORT/ from a peer's server on
// loopback, for the interop tests that put hs client against another library's server.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "support/pki.h"
#include "support/process.h"

namespace hs::test {

// run_hs_client runs `hs client -S --no-progress-meter --cacert <the test root> --capath <an
// empty directory> --resolve localhost:PORT:127.0.0.1 FLAGS... https://localhost:PORT/`: the
// server is verified against the test root only. The empty --capath replaces /etc/ssl/certs,
// whose ~150 files hs client (like curl) would otherwise load on every run (0.3 s each in a
// dev build).
CommandResult run_hs_client(const TestPki& pki, uint16_t port, std::vector<std::string> flags,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace hs::test

// The hs subcommands. Each registers its options on a CLI11 subcommand and returns the
// process exit code when run.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace hs::tool {

// register_client adds `hs client`; the returned function runs it (exit code as curl's).
std::function<int()> register_client(CLI::App& app);
// register_server adds `hs server`.
std::function<int()> register_server(CLI::App& app);
// register_verify adds `hs verify` (verify.cc).
std::function<int()> register_verify(CLI::App& app);
// register_dissect adds `hs dissect` (dissect.cc).
std::function<int()> register_dissect(CLI::App& app);

}  // namespace hs::tool

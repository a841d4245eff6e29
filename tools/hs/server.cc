// `hs server` (placeholder until the event loop lands).
#include <cstdio>

#include "subcommands.h"

namespace hs::tool {

std::function<int()> register_server(CLI::App& app) {
  app.add_subcommand("server", "Serve HTTPS");
  return []() {
    std::fputs("hs: server not implemented yet\n", stderr);
    return 2;
  };
}

}  // namespace hs::tool

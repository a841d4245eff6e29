// hs: a curl-like TLS client and a small TLS server built on the handshake library.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>

#include "subcommands.h"

int main(int argc, char** argv) {
  CLI::App app{"hs: TLS 1.2/1.3 client and server (handshake library)"};
  app.require_subcommand(1);
  std::function<int()> client = hs::tool::register_client(app);
  std::function<int()> server = hs::tool::register_server(app);
  std::function<int()> verify = hs::tool::register_verify(app);
  std::function<int()> dissect = hs::tool::register_dissect(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // curl exits 2 for bad usage ("failed to initialize").
    return rc == 0 ? 0 : 2;
  }
  if (app.got_subcommand("client")) {
    return client();
  }
  if (app.got_subcommand("server")) {
    return server();
  }
  if (app.got_subcommand("verify")) {
    return verify();
  }
  if (app.got_subcommand("dissect")) {
    return dissect();
  }
  return 2;
}

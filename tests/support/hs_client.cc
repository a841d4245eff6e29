#include "support/hs_client.h"

#include <utility>

#include "support/paths.h"
#include "support/temp_dir.h"

namespace hs::test {

CommandResult run_hs_client(const TestPki& pki, uint16_t port, std::vector<std::string> flags,
                            std::chrono::milliseconds timeout) {
  static const TempDir no_ca_dir;  // stays empty; removed at exit
  const std::string p = std::to_string(port);
  std::vector<std::string> args = {hs_binary().string(),
                                   "client",
                                   "-S",
                                   "--no-progress-meter",
                                   "--cacert",
                                   pki.ca_cert.string(),
                                   "--capath",
                                   no_ca_dir.path().string(),
                                   "--resolve",
                                   "localhost:" + p + ":127.0.0.1"};
  args.insert(args.end(), std::make_move_iterator(flags.begin()),
              std::make_move_iterator(flags.end()));
  args.push_back("https://localhost:" + p + "/");
  return run_command(std::move(args), timeout);
}

}  // namespace hs::test

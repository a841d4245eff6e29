// --keymatexport for hs client and hs server: keying material exported from a connection
// (Connection::export_keying_material), printed as openssl s_client / s_server print theirs.
#pragma once

#include <hs/connection.h>
#include <hs/result.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hs::tool {

// KeymatExport is what --keymatexport, --keymatexportlen and --keymatexport-context asked for.
struct KeymatExport {
  std::string label;   // empty: nothing asked
  size_t length = 20;  // openssl's default for -keymatexportlen
  std::optional<std::vector<uint8_t>> context;
};

// make_keymat_export checks the flags' values: a context must be hex (an even number of digits;
// "" is an empty context, distinct from none under TLS 1.2). The error says which flag is wrong.
Result<KeymatExport> make_keymat_export(std::string label, size_t length,
                                        const std::optional<std::string>& context_hex);

// keymat_line derives the material from `connection` and renders it for the log:
//   Keying material exporter: label "EXPORTER-x", 20 bytes: 0f1e...
// (with `context 0a0b, ` or `context (empty), ` before the length when one was given); the
// export's error otherwise (its detail() is the reason alone).
Result<std::string> keymat_line(const Connection& connection, const KeymatExport& ask);

}  // namespace hs::tool

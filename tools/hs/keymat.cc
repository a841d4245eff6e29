#include "keymat.h"

#include <fmt/core.h>

#include "common/hex.h"

namespace hs::tool {

Result<KeymatExport> make_keymat_export(std::string label, size_t length,
                                        const std::optional<std::string>& context_hex) {
  KeymatExport ask;
  ask.label = std::move(label);
  ask.length = length;
  if (context_hex) {
    std::vector<uint8_t> context(context_hex->size() / 2);
    if (context_hex->size() % 2 != 0 || !decode_hex(*context_hex, context)) {
      return Error(ErrorCode::invalid_config, "--keymatexport-context",
                   "--keymatexport-context must be hex digits, two per byte");
    }
    ask.context = std::move(context);
  }
  return ask;
}

Result<std::string> keymat_line(const Connection& connection, const KeymatExport& ask) {
  std::optional<std::span<const uint8_t>> context;
  if (ask.context) {
    context = std::span<const uint8_t>(*ask.context);
  }
  SecretBytes material = HS_TRY(connection.export_keying_material(ask.label, ask.length, context));
  std::string line = fmt::format("Keying material exporter: label \"{}\", ", ask.label);
  if (ask.context) {
    line += "context ";
    if (ask.context->empty()) {
      line += "(empty)";
    } else {
      append_hex(line, *ask.context);
    }
    line += ", ";
  }
  line += fmt::format("{} bytes: ", ask.length);
  // Printed because it was asked for: the material belongs to the user's protocol, not to this
  // connection's keys (it reveals nothing of them, RFC 5705 §5).
  append_hex(line, material.expose());
  return line;
}

}  // namespace hs::tool

// --trace-svg FILE for hs client, hs server and hs dissect: where each connection's ladder
// diagram goes and the writing of it. The diagram itself is src/trace/ladder.h.
#pragma once

#include <string>

#include "trace/ladder.h"

namespace hs::tool {

// write_trace_svg renders `ladder` (render_ladder_svg) into `path`. On failure it prints
// "hs: cannot write --trace-svg file PATH" to stderr and returns false.
bool write_trace_svg(const std::string& path, const trace::Ladder& ladder);

}  // namespace hs::tool

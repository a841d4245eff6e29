// html_page_from_reports: `hs dissect --trace-html FILE`. The connections of a capture as the
// same illustrated page `hs client --trace-html` writes (src/trace/html_trace.h), so the page
// has no rendering code of its own: each TLS connection becomes one section with its ladder
// (ladder_from_report), every record of both directions byte by byte, the decrypted messages
// when the key log has the connection's secrets (and the key-log lines used, as they are in the
// file the user gave), and the protected records as opaque ciphertext when it does not.
#pragma once

#include <string>
#include <vector>

#include "dissect/dissector.h"
#include "dissect/keylog_file.h"
#include "trace/html_trace.h"

namespace hs::dissect {

// html_connection_from_report builds one connection's section. The report must come from a
// Dissector with set_keep_bytes(true) (otherwise the section has the ladder and notes only).
// `keylog` (may be null) is the key log the capture was dissected with and `keylog_name` how
// the page names it (its path).
trace::HtmlConnection html_connection_from_report(const ConnectionReport& report,
                                                  const KeyLogFile* keylog,
                                                  const std::string& keylog_name);

// html_page_from_reports builds the page of one capture: `title` heads it ("hs dissect
// cap.pcapng"), `capture_notes` say where the capture breaks (a damaged or truncated file),
// one section per TLS connection, and a closing line naming the TCP connections that carried
// no TLS.
trace::HtmlPage html_page_from_reports(std::string title,
                                       const std::vector<ConnectionReport>& reports,
                                       const KeyLogFile* keylog, const std::string& keylog_name,
                                       std::vector<std::string> capture_notes);

}  // namespace hs::dissect

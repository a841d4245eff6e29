// Renderers for `hs dissect`: the article-style flow and one JSON object per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "dissect/dissector.h"

namespace hs::dissect {

// render_text draws one connection as the article does:
//   Client Hello ->
//                                  <- Server Hello
// each message with its decoded fields indented below it, then the decrypted application data
// sizes and a text preview, then the notes.
std::string render_text(const ConnectionReport& report);

// render_json renders one connection as one line of JSON:
//   {"connection":1,"client":"..","server":"..","version":"TLSv1.3","cipher_suite":"..",
//    "group":"..","resumed":false,"hello_retry":false,"decrypted":true,
//    "early_data":""|"offered"|"accepted"|"rejected",
//    "messages":[{"from":"client","kind":"handshake","type":1,"name":"Client Hello",
//                 "length":N,"encrypted":false,"time":T,"fields":{...}}, ...],
//    "application_data":{"client":"<hex>","server":"<hex>","early":"<hex>"},"notes":[...]}
// ("early" is the client's 0-RTT data; "Early Data" messages carry it.)
std::string render_json(const ConnectionReport& report);

// text_preview renders up to `max` bytes as printable text ("\r\n" as "\\r\\n", other control
// and non-ASCII bytes as '.'), with "..." when cut.
std::string text_preview(std::span<const uint8_t> bytes, size_t max = 80);

}  // namespace hs::dissect

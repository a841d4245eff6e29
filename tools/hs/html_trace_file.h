// HtmlTraceFile: `--trace-html FILE` for the hs subcommands. Owns the page renderer
// (src/trace/html_trace.h), wraps the key log so the page can show secrets exactly when a key
// log is being written, and writes the page when the command is done.
#pragma once

#include <hs/keylog.h>

#include <memory>
#include <string>

#include "trace/html_trace.h"

namespace hs::tool {

// write_trace_html renders `page` into `path`. On failure it prints "hs: cannot write
// --trace-html file PATH" to stderr and returns false.
bool write_trace_html(const std::string& path, const trace::HtmlTraceRenderer& page);

class HtmlTraceFile {
 public:
  // `path` is where write() puts the page; `title` heads it ("hs client https://...").
  HtmlTraceFile(std::string path, std::string title)
      : path_(std::move(path)), renderer_(std::move(title)) {}

  trace::HtmlTraceRenderer& renderer() { return renderer_; }

  // wrap_key_log returns the sink to install: null stays null (no key log, so the page shows no
  // secret bytes); otherwise a tee that writes `file_sink` and gives the page the same lines.
  std::shared_ptr<KeyLogSink> wrap_key_log(std::shared_ptr<KeyLogSink> file_sink) {
    if (!file_sink) {
      return file_sink;
    }
    return renderer_.key_log_tee(std::move(file_sink));
  }

  // write renders the page to the file (write_trace_html). Returns false when the file cannot
  // be written.
  bool write() const;

 private:
  std::string path_;
  trace::HtmlTraceRenderer renderer_;
};

}  // namespace hs::tool

// PcapSource: what a capture file (pcap_source.cc) and a live capture (pcap_live.cc) share:
// the libpcap handle, closed with the source; the link type check made when one is opened; and
// turning pcap_next_ex's answer into a Frame or a Status. Internal to src/dissect: only these
// two files see libpcap.
#pragma once

#include <pcap/pcap.h>

#include <optional>
#include <string>

#include "dissect/pcap_source.h"

namespace hs::dissect::detail {

class PcapSource : public PacketSource {
 public:
  PcapSource(pcap_t* handle, LinkType link) : handle_(handle), link_(link) {}
  ~PcapSource() override { pcap_close(handle_); }
  PcapSource(const PcapSource&) = delete;
  PcapSource& operator=(const PcapSource&) = delete;

  LinkType link_type() const override { return link_; }
  const std::string& error_message() const override { return error_; }

 protected:
  // read_frame calls pcap_next_ex once: frame (filled in), end (PCAP_ERROR_BREAK: the end of a
  // file, or pcap_breakloop), timeout (0: nothing arrived yet; a live capture only) or error
  // (error_message() says libpcap's words).
  Status read_frame(Frame& frame);

  pcap_t* handle() const { return handle_; }

 private:
  pcap_t* handle_;
  LinkType link_;
  std::string error_;
};

// supported_link_type returns the handle's link type when the dissector reads it; otherwise
// sets `error` ("unsupported link-layer type NAME") and returns nullopt. The caller closes the
// handle.
std::optional<LinkType> supported_link_type(pcap_t* handle, std::string& error);

}  // namespace hs::dissect::detail

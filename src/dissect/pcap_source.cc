#include "dissect/pcap_source.h"

#include <pcap/pcap.h>

#include "dissect/pcap_handle.h"

namespace hs::dissect {

namespace detail {

PacketSource::Status PcapSource::read_frame(Frame& frame) {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_, &header, &data);
  if (rc == 1) {
    frame.time =
        static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6;
    frame.data = std::span<const uint8_t>(data, header->caplen);
    frame.original_length = header->len;
    return Status::frame;
  }
  if (rc == 0) {
    return Status::timeout;
  }
  if (rc == PCAP_ERROR_BREAK) {
    return Status::end;
  }
  error_ = pcap_geterr(handle_);
  return Status::error;
}

std::optional<LinkType> supported_link_type(pcap_t* handle, std::string& error) {
  const int dlt = pcap_datalink(handle);
  auto link = map_link_type(dlt);
  if (!link) {
    const char* name = pcap_datalink_val_to_name(dlt);  // null for values libpcap cannot name
    error =
        "unsupported link-layer type " + std::string(name != nullptr ? name : std::to_string(dlt));
  }
  return link;
}

}  // namespace detail

namespace {

// PcapFileSource reads a pcap or pcapng file; pcap_next_ex on a file never answers "nothing
// yet", so next() never returns Status::timeout.
class PcapFileSource final : public detail::PcapSource {
 public:
  using PcapSource::PcapSource;
  Status next(Frame& frame) override { return read_frame(frame); }
};

}  // namespace

std::unique_ptr<PacketSource> open_capture_file(const std::string& path, std::string& error) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_open_offline(path.c_str(), errbuf);
  if (handle == nullptr) {
    error = errbuf;
    return nullptr;
  }
  auto link = detail::supported_link_type(handle, error);
  if (!link) {
    pcap_close(handle);
    return nullptr;
  }
  return std::make_unique<PcapFileSource>(handle, *link);
}

}  // namespace hs::dissect

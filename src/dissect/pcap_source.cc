#include "dissect/pcap_source.h"

#include <pcap/pcap.h>

namespace hs::dissect {

namespace {

class PcapFileSource final : public PacketSource {
 public:
  PcapFileSource(pcap_t* handle, LinkType link) : handle_(handle), link_(link) {}
  ~PcapFileSource() override { pcap_close(handle_); }
  PcapFileSource(const PcapFileSource&) = delete;
  PcapFileSource& operator=(const PcapFileSource&) = delete;

  LinkType link_type() const override { return link_; }

  Status next(Frame& frame) override {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    int rc = pcap_next_ex(handle_, &header, &data);
    if (rc == 1) {
      frame.time =
          static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6;
      frame.data = std::span<const uint8_t>(data, header->caplen);
      frame.original_length = header->len;
      return Status::frame;
    }
    if (rc == PCAP_ERROR_BREAK) {
      return Status::end;
    }
    error_ = pcap_geterr(handle_);
    return Status::error;
  }

  const std::string& error_message() const override { return error_; }

 private:
  pcap_t* handle_;
  LinkType link_;
  std::string error_;
};

}  // namespace

std::unique_ptr<PacketSource> open_capture_file(const std::string& path, std::string& error) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_open_offline(path.c_str(), errbuf);
  if (handle == nullptr) {
    error = errbuf;
    return nullptr;
  }
  auto link = map_link_type(pcap_datalink(handle));
  if (!link) {
    error = std::string("unsupported link-layer type ") +
            pcap_datalink_val_to_name(pcap_datalink(handle));
    pcap_close(handle);
    return nullptr;
  }
  return std::make_unique<PcapFileSource>(handle, *link);
}

}  // namespace hs::dissect

// Live capture with libpcap for `hs dissect -i IFACE`.
#include <pcap/pcap.h>
#include <poll.h>

#include <string>

#include "dissect/pcap_handle.h"
#include "dissect/pcap_source.h"

namespace hs::dissect {

namespace {

class PcapLiveSource final : public detail::PcapSource {
 public:
  PcapLiveSource(pcap_t* handle, LinkType link, int fd, int timeout_ms)
      : PcapSource(handle, link), fd_(fd), timeout_ms_(timeout_ms) {}

  // next reads in non-blocking mode and waits in poll() itself: libpcap's own read timeout
  // does not fire on an idle interface (TPACKET_V3 waits for a packet), and a signal must
  // stop the wait too (poll returns EINTR; the caller then sees its stop flag).
  Status next(Frame& frame) override {
    Status status = read_frame(frame);
    if (status == Status::timeout) {
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, timeout_ms_) <= 0) {
        return Status::timeout;
      }
      status = read_frame(frame);
    }
    return status;
  }

 private:
  int fd_;
  int timeout_ms_;
};

// activation_error explains why pcap_activate failed, in words a user can act on.
std::string activation_error(pcap_t* handle, int rc, const std::string& iface) {
  std::string detail = pcap_geterr(handle);
  switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return "no such interface \"" + iface + "\" (" + detail + ")";
    case PCAP_ERROR_PERM_DENIED:
      return "no permission to capture on " + iface +
             ": capturing needs the CAP_NET_RAW and CAP_NET_ADMIN capabilities (run as root, or "
             "setcap cap_net_raw,cap_net_admin=eip on the hs binary) (" +
             detail + ")";
    case PCAP_ERROR_IFACE_NOT_UP:
      return "interface " + iface + " is not up";
    default:
      return std::string(pcap_statustostr(rc)) + (detail.empty() ? "" : " (" + detail + ")");
  }
}

}  // namespace

std::unique_ptr<PacketSource> open_live_capture(const LiveCaptureOptions& options,
                                                std::string& error) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_create(options.interface.c_str(), errbuf);
  if (handle == nullptr) {
    error = errbuf;
    return nullptr;
  }
  // Each frame is handed over as it arrives (no buffering), and next() returns at least every
  // read timeout so the caller sees its stop conditions.
  pcap_set_snaplen(handle, 262144);
  pcap_set_immediate_mode(handle, 1);
  pcap_set_timeout(handle, options.read_timeout_ms);
  int rc = pcap_activate(handle);
  if (rc < 0) {
    error = activation_error(handle, rc, options.interface);
    pcap_close(handle);
    return nullptr;
  }
  auto link = detail::supported_link_type(handle, error);
  if (!link) {
    pcap_close(handle);
    return nullptr;
  }
  std::string filter = options.port ? "tcp port " + std::to_string(*options.port) : "tcp";
  bpf_program program{};
  if (pcap_compile(handle, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 ||
      pcap_setfilter(handle, &program) != 0) {
    error = "BPF filter \"" + filter + "\": " + pcap_geterr(handle);
    pcap_freecode(&program);
    pcap_close(handle);
    return nullptr;
  }
  pcap_freecode(&program);
  int fd = pcap_get_selectable_fd(handle);
  if (fd < 0 || pcap_setnonblock(handle, 1, errbuf) != 0) {
    error = std::string("cannot wait for frames on ") + options.interface + ": " + errbuf;
    pcap_close(handle);
    return nullptr;
  }
  return std::make_unique<PcapLiveSource>(handle, *link, fd, options.read_timeout_ms);
}

}  // namespace hs::dissect

// KeyLogSink: the one way a secret leaves the library, in the NSS key-log format
// (draft-ietf-tls-keylogfile), so that Wireshark and tshark can decrypt a capture.
#pragma once

#include <hs/export.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace hs {

// KeyLogSink receives one line's worth of data per secret: the label ("CLIENT_RANDOM" for the
// TLS 1.2 master secret; "CLIENT_HANDSHAKE_TRAFFIC_SECRET", ... for TLS 1.3), the 32-byte
// ClientHello.random that names the connection, and the secret itself. Implementations must be
// safe to call from the thread that drives the connection.
class HS_API KeyLogSink {
 public:
  virtual ~KeyLogSink() = default;
  virtual void log(std::string_view label, std::span<const uint8_t> client_random,
                   std::span<const uint8_t> secret) = 0;
};

// format_key_log_line renders "<label> <hex client_random> <hex secret>" without a newline.
HS_API std::string format_key_log_line(std::string_view label,
                                       std::span<const uint8_t> client_random,
                                       std::span<const uint8_t> secret);

// KeyLogFile appends lines to a file (opened in append mode, as curl and OpenSSL do with
// SSLKEYLOGFILE). open_key_log_file returns nullptr if the file cannot be opened.
HS_API std::unique_ptr<KeyLogSink> open_key_log_file(const std::string& path);

}  // namespace hs

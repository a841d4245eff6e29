#include "messages/server_hello.h"

#include <algorithm>

#include "messages/common.h"

namespace hs::messages {

namespace {
constexpr const char* kContext = "server_hello";
}

bool is_hello_retry_request(const ServerHello& sh) { return sh.random == kHelloRetryRequestRandom; }

DowngradeSentinel downgrade_sentinel(const std::array<uint8_t, 32>& server_random) {
  auto tail = std::span<const uint8_t, 32>(server_random).last<8>();
  if (std::equal(tail.begin(), tail.end(), kDowngradeTls12.begin())) {
    return DowngradeSentinel::tls12;
  }
  if (std::equal(tail.begin(), tail.end(), kDowngradeTls11.begin())) {
    return DowngradeSentinel::tls11;
  }
  return DowngradeSentinel::none;
}

Result<ServerHello> parse_server_hello(std::span<const uint8_t> body) {
  codec::Reader in(body);
  ServerHello sh;
  std::span<const uint8_t> random;
  std::span<const uint8_t> session_id;
  if (!in.read_enum16(sh.legacy_version) || !in.read_bytes(sh.random.size(), random) ||
      !in.read_prefixed_bytes(codec::Len::u8, 0, 32, session_id) ||
      !in.read_enum16(sh.cipher_suite) || !in.read_u8(sh.compression_method)) {
    return detail::malformed(kContext);
  }
  std::copy(random.begin(), random.end(), sh.random.begin());
  sh.legacy_session_id.assign(session_id.begin(), session_id.end());
  if (!in.empty()) {
    sh.extensions = HS_TRY(parse_extensions(in));
    if (!in.expect_end()) {
      return detail::malformed(kContext);
    }
  }
  return sh;
}

Result<void> serialize(const ServerHello& msg, std::vector<uint8_t>& body_out) {
  codec::Writer w(body_out);
  w.write_enum16(msg.legacy_version);
  w.write_bytes(msg.random);
  {
    auto sid = w.open_prefixed(codec::Len::u8, 32);
    sid.write_bytes(msg.legacy_session_id);
  }
  w.write_enum16(msg.cipher_suite);
  w.write_u8(msg.compression_method);
  if (!msg.extensions.empty()) {
    write_extensions(msg.extensions, w);
  }
  return detail::finish(w, kContext);
}

}  // namespace hs::messages

// Fuzz target: every typed extension-body parser. Byte 0 selects the parser; the rest is the
// extension_data. A body that parses is serialized with the matching serialize_* and must
// re-parse to an equal value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "messages/extensions.h"
#include "round_trip.h"

namespace {

using hs::messages::fuzz::check_round_trip;
namespace m = hs::messages;

// check_empty: a parser that returns Result<void> accepts only the empty body.
template <typename Parse>
void check_empty(std::span<const uint8_t> body, Parse parse) {
  if (parse(body).ok() != body.empty()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  if (input.empty()) {
    return 0;
  }
  const auto body = input.subspan(1);
  using Bytes = std::vector<uint8_t>;
  switch (input[0] % 20) {
    case 0: {
      // An all-unknown-types list yields "", which has no encoding of its own.
      auto host = m::parse_server_name(body);
      if (host.ok() && !host->empty()) {
        Bytes out;
        if (!m::serialize_server_name(host.value(), out).ok()) {
          std::abort();
        }
        auto again = m::parse_server_name(out);
        if (!again.ok() || again.value() != host.value()) {
          std::abort();
        }
      }
      break;
    }
    case 1:
      check_round_trip(body, m::parse_supported_groups, m::serialize_supported_groups);
      break;
    case 2:
      check_round_trip(body, m::parse_ec_point_formats, m::serialize_ec_point_formats);
      break;
    case 3:
      check_round_trip(body, m::parse_signature_algorithms, m::serialize_signature_algorithms);
      break;
    case 4:
      check_round_trip(body, m::parse_alpn, m::serialize_alpn);
      break;
    case 5:
      check_round_trip(body, m::parse_alpn_server, [](const std::string& p, Bytes& out) {
        return m::serialize_alpn_server(p, out);
      });
      break;
    case 6:
      check_round_trip(body, m::parse_supported_versions_client,
                       m::serialize_supported_versions_client);
      break;
    case 7:
      check_round_trip(body, m::parse_supported_versions_server,
                       m::serialize_supported_versions_server);
      break;
    case 8:
      check_round_trip(body, m::parse_key_share_client, m::serialize_key_share_client);
      break;
    case 9:
      check_round_trip(body, m::parse_key_share_server, m::serialize_key_share_server);
      break;
    case 10:
      check_round_trip(body, m::parse_key_share_hrr, m::serialize_key_share_hrr);
      break;
    case 11:
      check_round_trip(body, m::parse_renegotiation_info, [](const Bytes& v, Bytes& out) {
        return m::serialize_renegotiation_info(v, out);
      });
      break;
    case 12:
      check_empty(body, m::parse_empty_extension);
      check_empty(body, m::parse_server_name_ack);
      break;
    case 13:
      check_round_trip(body, m::parse_psk_key_exchange_modes, m::serialize_psk_key_exchange_modes);
      break;
    case 14:
      check_round_trip(body, m::parse_cookie,
                       [](const Bytes& v, Bytes& out) { return m::serialize_cookie(v, out); });
      break;
    case 15: {
      auto psks = m::parse_pre_shared_key_client(body);
      if (psks.ok()) {
        // The binders list is the tail of the extension body.
        if (m::psk_binders_size(psks.value()) > body.size()) {
          std::abort();
        }
      }
      check_round_trip(body, m::parse_pre_shared_key_client, m::serialize_pre_shared_key_client);
      break;
    }
    case 16:
      check_round_trip(body, m::parse_pre_shared_key_server, m::serialize_pre_shared_key_server);
      break;
    case 17:
      check_round_trip(body, m::parse_early_data_nst, m::serialize_early_data_nst);
      break;
    case 18:
      check_round_trip(body, m::parse_record_size_limit, m::serialize_record_size_limit);
      break;
    default:
      check_round_trip(body, m::parse_signature_algorithms_cert,
                       m::serialize_signature_algorithms_cert);
      break;
  }
  return 0;
}

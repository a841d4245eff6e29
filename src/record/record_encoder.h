// RecordEncoder: fragments outgoing content into protected records (sans-IO).
#pragma once

#include <hs/result.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "codec/plain_buffer.h"
#include "codec/wire.h"
#include "record/protection.h"

namespace hs::record {

// RecordEncoder splits content into records of at most max_fragment() plaintext bytes, protects
// each with the current write protection (initially NullProtection) and appends them to a
// caller-owned buffer.
class RecordEncoder {
 public:
  RecordEncoder();

  // write fragments `data` of content type `type` into records appended to `out`. Empty `data`
  // writes nothing (we never send zero-length fragments; RFC 8446 §5.1: "Implementations MUST
  // NOT send zero-length fragments of Handshake types"). Alerts must fit one record (RFC 8446
  // §5.1: "Alert messages MUST NOT be fragmented across records"). Errors: internal_error
  // (type invalid, alert longer than max_fragment(), or the protection failed, e.g. sequence
  // number exhausted). On error `out` may hold the records written before the failing one.
  // The connection's output is a codec::PlainBuffer: each record's room is added without being
  // zero-filled first and sealed into (RecordProtection::seal_into). A std::vector works too
  // (tests), at the cost of that fill.
  Result<void> write(ContentType type, std::span<const uint8_t> data, codec::PlainBuffer& out);
  Result<void> write(ContentType type, std::span<const uint8_t> data, std::vector<uint8_t>& out);

  // set_protection installs the write protection for the records that follow (a key change).
  // `protection` must not be null.
  void set_protection(std::unique_ptr<RecordProtection> protection);
  const RecordProtection& protection() const { return *protection_; }

  // set_version sets the legacy record version written in headers: 0x0301 is common for the
  // first ClientHello, 0x0303 afterwards (the default). TLS 1.3 protection always writes
  // 0x0303 (RFC 8446 §5.2).
  void set_version(uint16_t version) { version_ = version; }
  uint16_t version() const { return version_; }

  // set_max_fragment bounds each record's plaintext, 1..2^14 (default 2^14). For a peer's
  // record_size_limit (RFC 8449 §4) pass the limit for TLS 1.2 and limit - 1 for TLS 1.3 (the
  // limit counts the inner content type byte). internal_error outside 1..2^14.
  Result<void> set_max_fragment(size_t max_fragment);
  size_t max_fragment() const { return max_fragment_; }

 private:
  template <class Buffer>
  Result<void> write_to(ContentType type, std::span<const uint8_t> data, Buffer& out);

  std::unique_ptr<RecordProtection> protection_;
  uint16_t version_ = 0x0303;
  size_t max_fragment_ = kMaxPlaintext;
};

}  // namespace hs::record

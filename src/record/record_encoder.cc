#include "record/record_encoder.h"

#include <algorithm>
#include <utility>

namespace hs::record {

RecordEncoder::RecordEncoder() : protection_(std::make_unique<NullProtection>()) {}

void RecordEncoder::set_protection(std::unique_ptr<RecordProtection> protection) {
  protection_ = std::move(protection);
}

Result<void> RecordEncoder::set_max_fragment(size_t max_fragment) {
  if (max_fragment == 0 || max_fragment > kMaxPlaintext) {
    return Error(ErrorCode::internal_error, "record max_fragment out of range");
  }
  max_fragment_ = max_fragment;
  return ok_result();
}

Result<void> RecordEncoder::write(ContentType type, std::span<const uint8_t> data,
                                  codec::PlainBuffer& out) {
  return write_to(type, data, out);
}

Result<void> RecordEncoder::write(ContentType type, std::span<const uint8_t> data,
                                  std::vector<uint8_t>& out) {
  return write_to(type, data, out);
}

template <class Buffer>
Result<void> RecordEncoder::write_to(ContentType type, std::span<const uint8_t> data, Buffer& out) {
  switch (type) {
    case ContentType::change_cipher_spec:
    case ContentType::alert:
    case ContentType::handshake:
    case ContentType::application_data:
      break;
    case ContentType::invalid:
      return Error(ErrorCode::internal_error, "record: invalid content type");
  }
  // RFC 8446 §5.1: "Alert messages MUST NOT be fragmented across records".
  if (type == ContentType::alert && data.size() > max_fragment_) {
    return Error(ErrorCode::internal_error, "record: alert does not fit one record");
  }
  // An empty write sends nothing: RFC 8446 §5.1 "Implementations MUST NOT send zero-length
  // fragments of Handshake types", and empty application_data only helps traffic analysis
  // countermeasures we do not use.
  if (data.empty()) {
    return ok_result();
  }
  const size_t records = (data.size() + max_fragment_ - 1) / max_fragment_;
  // Room for every record at once, grown geometrically: an exact reserve per write made a peer
  // that provokes many small records (alerts, KeyUpdate answers) while the caller does not
  // flush cost a copy of the whole pending output per record, quadratic in it.
  const size_t need =
      out.size() + data.size() + records * (kRecordHeaderLen + protection_->max_overhead());
  if (need > out.capacity()) {
    out.reserve(std::max(need, 2 * out.capacity()));
  }
  while (!data.empty()) {
    const size_t n = std::min(data.size(), max_fragment_);
    const size_t start = out.size();
    out.resize(start + protection_->sealed_room(n));  // within the capacity reserved above
    auto sealed = protection_->seal_into(type, version_, data.first(n),
                                         std::span<uint8_t>(out).subspan(start));
    out.resize(start + (sealed.ok() ? sealed.value() : 0));
    if (!sealed.ok()) {
      return std::move(sealed).error();
    }
    data = data.subspan(n);
  }
  return ok_result();
}

}  // namespace hs::record

#include "record/protection.h"

#include <algorithm>
#include <array>
#include <limits>

#include "codec/writer.h"

namespace hs::record {
namespace {

constexpr const char* kContext = "record";

Error bad_record_mac() { return Error(ErrorCode::bad_record_mac, kContext); }
Error record_overflow() { return Error(ErrorCode::record_overflow, kContext); }

// write_header writes the 5-byte record header (RFC 5246 §6.2.1, RFC 8446 §5.1) at the start
// of `record`.
void write_header(std::span<uint8_t> record, ContentType type, uint16_t version, size_t length) {
  record[0] = static_cast<uint8_t>(type);
  codec::put_be(record.subspan(1, 2), version);
  codec::put_be(record.subspan(3, 2), length);
}

Error seal_room_too_small() {
  return Error(ErrorCode::internal_error, "record: seal room too small");
}

// xor_sequence_number XORs the 64-bit big-endian sequence number into the last 8 bytes of a
// 12-byte nonce (RFC 8446 §5.3, RFC 7905 §2: the number is left-padded with zeros to the IV
// length, so the first 4 bytes are untouched).
void xor_sequence_number(uint64_t seq, std::span<uint8_t, crypto::kAeadNonceLen> nonce) {
  for (size_t i = 0; i < 8; ++i) {
    nonce[crypto::kAeadNonceLen - 1 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
  }
}

constexpr uint8_t byte_of(uint64_t v, unsigned shift) { return static_cast<uint8_t>(v >> shift); }

// tls12_aad is RFC 5246 §6.2.3.3: additional_data = seq_num + TLSCompressed.type +
// TLSCompressed.version + TLSCompressed.length. Built on the stack: no allocation per record.
std::array<uint8_t, 13> tls12_aad(uint64_t seq, ContentType type, uint16_t version, size_t length) {
  return {byte_of(seq, 56),           byte_of(seq, 48),    byte_of(seq, 40),    byte_of(seq, 32),
          byte_of(seq, 24),           byte_of(seq, 16),    byte_of(seq, 8),     byte_of(seq, 0),
          static_cast<uint8_t>(type), byte_of(version, 8), byte_of(version, 0), byte_of(length, 8),
          byte_of(length, 0)};
}

// tls13_header is the 5-byte record header, the TLS 1.3 additional data (RFC 8446 §5.2).
std::array<uint8_t, kRecordHeaderLen> tls13_header(ContentType type, uint16_t version,
                                                   size_t length) {
  return {static_cast<uint8_t>(type), byte_of(version, 8), byte_of(version, 0), byte_of(length, 8),
          byte_of(length, 0)};
}

}  // namespace

Pieces Pieces::slice(size_t pos, size_t len) const {
  const size_t head_pos = std::min(pos, head.size());
  const size_t head_len = std::min(len, head.size() - head_pos);
  const size_t tail_pos = pos - head_pos;
  return Pieces{head.subspan(head_pos, head_len), tail.subspan(tail_pos, len - head_len)};
}

void Pieces::copy_to(std::span<uint8_t> out) const {
  std::ranges::copy(head, out.begin());
  std::ranges::copy(tail, out.subspan(head.size()).begin());
}

Result<void> RecordProtection::seal(ContentType type, uint16_t version,
                                    std::span<const uint8_t> plaintext, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  out.resize(start + sealed_room(plaintext.size()));
  auto sealed = seal_into(type, version, plaintext, std::span<uint8_t>(out).subspan(start));
  out.resize(start + (sealed.ok() ? sealed.value() : 0));
  if (!sealed.ok()) {
    return std::move(sealed).error();
  }
  return ok_result();
}

Result<uint64_t> RecordProtection::peek_sequence_number() const {
  // RFC 8446 §5.3: "Because the size of sequence numbers is 64-bit, they should not wrap. If a
  // TLS implementation would need to wrap a sequence number, it MUST either rekey (Section
  // 4.6.3) or terminate the connection." RFC 5246 §6.1: "Sequence numbers ... may not exceed
  // 2^64-1."
  if (exhausted_) {
    return Error(ErrorCode::internal_error, "record sequence number exhausted");
  }
  return seq_;
}

void RecordProtection::advance_sequence_number() {
  if (seq_ == std::numeric_limits<uint64_t>::max()) {
    exhausted_ = true;
  } else {
    ++seq_;
  }
}

// ---- NullProtection ----

Result<size_t> NullProtection::seal_into(ContentType type, uint16_t version,
                                         std::span<const uint8_t> plaintext,
                                         std::span<uint8_t> out) {
  if (plaintext.size() > kMaxPlaintext) {
    return Error(ErrorCode::internal_error, "record plaintext too long");
  }
  if (out.size() < kRecordHeaderLen + plaintext.size()) {
    return seal_room_too_small();
  }
  write_header(out, type, version, plaintext.size());
  std::ranges::copy(plaintext, out.subspan(kRecordHeaderLen).begin());
  return kRecordHeaderLen + plaintext.size();
}

Result<OpenedRecord> NullProtection::open(ContentType type, uint16_t /*version*/,
                                          std::span<uint8_t> fragment) {
  // RFC 8446 §5.1: "The length MUST NOT exceed 2^14 bytes. An endpoint that receives a record
  // that exceeds this length MUST terminate the connection with a "record_overflow" alert."
  if (fragment.size() > kMaxPlaintext) {
    return record_overflow();
  }
  return OpenedRecord{type, fragment};
}

Result<OpenedRecord> NullProtection::open_split_to(ContentType type, uint16_t /*version*/,
                                                   std::span<const uint8_t> head,
                                                   std::span<const uint8_t> tail,
                                                   std::span<uint8_t> out) {
  const Pieces fragment{head, tail};
  if (fragment.size() > kMaxPlaintext) {
    return record_overflow();
  }
  if (out.size() < fragment.size()) {
    return Error(ErrorCode::internal_error, "record: open_to buffer too small");
  }
  fragment.copy_to(out);
  return OpenedRecord{type, out.first(fragment.size())};
}

// ---- Tls12AeadProtection ----

Tls12AeadProtection::Tls12AeadProtection(std::unique_ptr<crypto::Aead> aead, crypto::AeadAlg alg,
                                         std::span<const uint8_t> fixed_iv)
    : aead_(std::move(aead)), alg_(alg) {
  const size_t want = alg == crypto::AeadAlg::chacha20_poly1305 ? crypto::kAeadNonceLen : 4;
  valid_ = aead_ != nullptr && aead_->alg() == alg && fixed_iv.size() == want;
  if (valid_) {
    std::copy(fixed_iv.begin(), fixed_iv.end(), iv_.expose_mut().begin());
  }
}

size_t Tls12AeadProtection::explicit_nonce_len() const {
  // RFC 5288 §3: the nonce_explicit is 8 bytes; RFC 7905 §2 sends none.
  return alg_ == crypto::AeadAlg::chacha20_poly1305 ? 0 : 8;
}

size_t Tls12AeadProtection::max_overhead() const {
  return explicit_nonce_len() + crypto::kAeadTagLen;
}

void Tls12AeadProtection::make_nonce(uint64_t seq, std::span<const uint8_t> explicit_nonce,
                                     std::span<uint8_t, crypto::kAeadNonceLen> nonce) const {
  const auto iv = iv_.expose();
  if (alg_ == crypto::AeadAlg::chacha20_poly1305) {
    // RFC 7905 §2: "The 64-bit record sequence number is serialized as an 8-byte, big-endian
    // value and padded on the left with four 0x00 bytes. The padded sequence number is XORed
    // with the client_write_IV (when the client is sending) or server_write_IV".
    std::copy(iv.begin(), iv.end(), nonce.begin());
    xor_sequence_number(seq, nonce);
    return;
  }
  // RFC 5288 §3: struct { opaque salt[4]; opaque nonce_explicit[8]; } GCMNonce;
  std::ranges::copy(iv.first(4), nonce.begin());
  std::ranges::copy(explicit_nonce, std::span<uint8_t>(nonce).subspan(4).begin());
}

Result<size_t> Tls12AeadProtection::seal_into(ContentType type, uint16_t version,
                                              std::span<const uint8_t> plaintext,
                                              std::span<uint8_t> out) {
  if (!valid_) {
    return Error(ErrorCode::internal_error, "record protection misconfigured");
  }
  if (plaintext.size() > kMaxPlaintext) {
    return Error(ErrorCode::internal_error, "record plaintext too long");
  }
  const uint64_t seq = HS_TRY(peek_sequence_number());
  const size_t explicit_len = explicit_nonce_len();
  const size_t length = explicit_len + plaintext.size() + crypto::kAeadTagLen;
  if (out.size() < kRecordHeaderLen + length) {
    return seal_room_too_small();
  }
  write_header(out, type, version, length);
  // The plaintext is sealed from the caller's buffer straight into the fragment.
  const auto fragment = out.subspan(kRecordHeaderLen, length);
  const auto explicit_nonce = fragment.first(explicit_len);
  // RFC 5288 §3: "The nonce_explicit MAY be the 64-bit sequence number." Using it guarantees
  // a nonce is never reused under one key.
  if (explicit_len != 0) {
    codec::put_be(explicit_nonce, seq);
  }
  const auto body = fragment.subspan(explicit_len, plaintext.size());
  const auto tag = fragment.last(crypto::kAeadTagLen);
  std::array<uint8_t, crypto::kAeadNonceLen> nonce{};
  make_nonce(seq, explicit_nonce, nonce);
  const auto aad = tls12_aad(seq, type, version, plaintext.size());
  if (!aead_->seal_to(nonce, aad, plaintext, {}, body, tag)) {
    return Error(ErrorCode::internal_error, "record seal");
  }
  advance_sequence_number();
  return kRecordHeaderLen + length;
}

size_t Tls12AeadProtection::plaintext_room(size_t fragment_len) const {
  return fragment_len - std::min(fragment_len, explicit_nonce_len() + crypto::kAeadTagLen);
}

Result<OpenedRecord> Tls12AeadProtection::open(ContentType type, uint16_t version,
                                               std::span<uint8_t> fragment) {
  return open_impl(type, version, Pieces{fragment, {}}, fragment, /*in_place=*/true);
}

Result<OpenedRecord> Tls12AeadProtection::open_split_to(ContentType type, uint16_t version,
                                                        std::span<const uint8_t> head,
                                                        std::span<const uint8_t> tail,
                                                        std::span<uint8_t> out) {
  if (out.size() < plaintext_room(head.size() + tail.size())) {
    return Error(ErrorCode::internal_error, "record: open_to buffer too small");
  }
  return open_impl(type, version, Pieces{head, tail}, out, /*in_place=*/false);
}

Result<OpenedRecord> Tls12AeadProtection::open_impl(ContentType type, uint16_t version,
                                                    Pieces fragment, std::span<uint8_t> out,
                                                    bool in_place) {
  if (!valid_) {
    return Error(ErrorCode::internal_error, "record protection misconfigured");
  }
  // RFC 5246 §6.2.3: "The length MUST NOT exceed 2^14 + 2048."
  if (fragment.size() > kMaxCiphertext12) {
    return record_overflow();
  }
  const size_t explicit_len = explicit_nonce_len();
  if (fragment.size() < explicit_len + crypto::kAeadTagLen) {
    return bad_record_mac();  // too short to carry a tag: it cannot authenticate
  }
  const uint64_t seq = HS_TRY(peek_sequence_number());
  // The explicit nonce and the tag are joined on the stack when the fragment is in two pieces.
  std::array<uint8_t, 8> explicit_nonce_bytes{};
  const auto explicit_nonce = std::span(explicit_nonce_bytes).first(explicit_len);
  fragment.slice(0, explicit_len).copy_to(explicit_nonce);
  const size_t plaintext_len = fragment.size() - explicit_len - crypto::kAeadTagLen;
  const Pieces body = fragment.slice(explicit_len, plaintext_len);
  // In place the plaintext replaces the ciphertext (exactly the same bytes, as EVP requires);
  // otherwise it goes to the start of `out`.
  const auto plain = in_place ? out.subspan(explicit_len, plaintext_len) : out.first(plaintext_len);
  std::array<uint8_t, crypto::kAeadTagLen> tag{};
  fragment.slice(explicit_len + plaintext_len, crypto::kAeadTagLen).copy_to(tag);
  std::array<uint8_t, crypto::kAeadNonceLen> nonce{};
  make_nonce(seq, explicit_nonce, nonce);
  const auto aad = tls12_aad(seq, type, version, plaintext_len);
  // RFC 5246 §6.2.3.3: "If the decryption fails, a fatal bad_record_mac alert MUST be
  // generated."
  if (!aead_->open_split_to(nonce, aad, body.head, body.tail, plain, tag)) {
    return bad_record_mac();
  }
  advance_sequence_number();
  // RFC 5246 §6.2.1: "The length MUST NOT exceed 2^14." (RFC 8446 §5.4 applies the same bound
  // to decrypted plaintext.)
  if (plaintext_len > kMaxPlaintext) {
    return record_overflow();
  }
  // RFC 8449 §4: "A TLS endpoint that receives a record larger than its advertised limit MUST
  // generate a fatal "record_overflow" alert".
  if (plaintext_len > plaintext_limit()) {
    return record_overflow();
  }
  return OpenedRecord{type, plain};
}

// ---- Tls13AeadProtection ----

Tls13AeadProtection::Tls13AeadProtection(std::unique_ptr<crypto::Aead> aead,
                                         std::span<const uint8_t> iv)
    : aead_(std::move(aead)) {
  valid_ = aead_ != nullptr && iv.size() == crypto::kAeadNonceLen;
  if (valid_) {
    std::copy(iv.begin(), iv.end(), iv_.expose_mut().begin());
  }
}

void Tls13AeadProtection::set_padding_block(size_t block) {
  padding_block_ = block <= 1 ? 0 : block;
  max_padding_ = padding_block_ == 0 ? 0 : padding_block_ - 1;
}

void Tls13AeadProtection::make_nonce(uint64_t seq,
                                     std::span<uint8_t, crypto::kAeadNonceLen> nonce) const {
  // RFC 8446 §5.3: "1. The 64-bit record sequence number is encoded in network byte order and
  // padded to the left with zeros to iv_length. 2. The padded sequence number is XORed with
  // either the static client_write_iv or server_write_iv".
  const auto iv = iv_.expose();
  std::copy(iv.begin(), iv.end(), nonce.begin());
  xor_sequence_number(seq, nonce);
}

Result<size_t> Tls13AeadProtection::seal_into(ContentType type, uint16_t /*version*/,
                                              std::span<const uint8_t> plaintext,
                                              std::span<uint8_t> out) {
  size_t padding = 0;
  if (padding_block_ != 0) {
    const size_t inner = plaintext.size() + 1;
    const size_t rounded = (inner + padding_block_ - 1) / padding_block_ * padding_block_;
    padding = std::min(rounded, kMaxPlaintext + 1) - std::min(inner, kMaxPlaintext + 1);
  }
  return seal_padded_into(type, plaintext, padding, out);
}

Result<void> Tls13AeadProtection::seal_with_padding(ContentType type,
                                                    std::span<const uint8_t> plaintext,
                                                    size_t padding, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  // At most the inner plaintext's limit; anything longer is refused before it is written.
  out.resize(start + kRecordHeaderLen +
             std::min(plaintext.size() + 1 + padding, kMaxPlaintext + 1) + crypto::kAeadTagLen);
  auto sealed = seal_padded_into(type, plaintext, padding, std::span<uint8_t>(out).subspan(start));
  out.resize(start + (sealed.ok() ? sealed.value() : 0));
  if (!sealed.ok()) {
    return std::move(sealed).error();
  }
  return ok_result();
}

Result<size_t> Tls13AeadProtection::seal_padded_into(ContentType type,
                                                     std::span<const uint8_t> plaintext,
                                                     size_t padding, std::span<uint8_t> out) {
  if (!valid_) {
    return Error(ErrorCode::internal_error, "record protection misconfigured");
  }
  // RFC 8446 §5.4: "The full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets."
  if (plaintext.size() > kMaxPlaintext || padding > kMaxPlaintext + 1 - plaintext.size() - 1) {
    return Error(ErrorCode::internal_error, "record plaintext too long");
  }
  const uint64_t seq = HS_TRY(peek_sequence_number());
  const size_t inner_len = plaintext.size() + 1 + padding;
  if (out.size() < kRecordHeaderLen + inner_len + crypto::kAeadTagLen) {
    return seal_room_too_small();
  }
  const auto record = out.first(kRecordHeaderLen + inner_len + crypto::kAeadTagLen);
  // RFC 8446 §5.2: "opaque_type: The outer opaque_type field of a TLSCiphertext record is
  // always set to the value 23 (application_data)"; "legacy_record_version: The
  // legacy_record_version field is always 0x0303."
  write_header(record, ContentType::application_data, 0x0303, inner_len + crypto::kAeadTagLen);
  // The content type and the padding zeros after the room for the content are encrypted in
  // place, the content straight from the caller.
  // RFC 8446 §5.2: "additional_data = TLSCiphertext.opaque_type || legacy_record_version ||
  // length"
  const auto header = record.first(kRecordHeaderLen);
  const auto inner = record.subspan(kRecordHeaderLen, inner_len);
  const auto trailer = inner.subspan(plaintext.size());
  trailer[0] = static_cast<uint8_t>(type);
  std::ranges::fill(trailer.subspan(1), uint8_t{0});
  const auto tag = record.last(crypto::kAeadTagLen);
  std::array<uint8_t, crypto::kAeadNonceLen> nonce{};
  make_nonce(seq, nonce);
  if (!aead_->seal_to(nonce, header, plaintext, trailer, inner, tag)) {
    return Error(ErrorCode::internal_error, "record seal");
  }
  advance_sequence_number();
  return record.size();
}

Result<OpenedRecord> Tls13AeadProtection::open(ContentType type, uint16_t version,
                                               std::span<uint8_t> fragment) {
  return open_impl(type, version, Pieces{fragment, {}}, fragment);
}

Result<OpenedRecord> Tls13AeadProtection::open_split_to(ContentType type, uint16_t version,
                                                        std::span<const uint8_t> head,
                                                        std::span<const uint8_t> tail,
                                                        std::span<uint8_t> out) {
  if (out.size() < plaintext_room(head.size() + tail.size())) {
    return Error(ErrorCode::internal_error, "record: open_to buffer too small");
  }
  return open_impl(type, version, Pieces{head, tail}, out);
}

// open_impl decrypts into the start of `out`, which is `fragment` itself for open(): the inner
// plaintext starts where the ciphertext does, so that is exactly in place.
Result<OpenedRecord> Tls13AeadProtection::open_impl(ContentType type, uint16_t version,
                                                    Pieces fragment, std::span<uint8_t> out) {
  if (!valid_) {
    return Error(ErrorCode::internal_error, "record protection misconfigured");
  }
  // RFC 8446 §5: "An implementation which receives any other change_cipher_spec value or
  // which receives a protected change_cipher_spec record MUST abort the handshake with an
  // "unexpected_message" alert." Protected records are always application_data outside.
  if (type != ContentType::application_data) {
    return Error(ErrorCode::unexpected_message, kContext);
  }
  // RFC 8446 §5.2: "The length MUST NOT exceed 2^14 + 256 bytes. An endpoint that receives a
  // record that exceeds this length MUST terminate the connection with a "record_overflow"
  // alert."
  if (fragment.size() > kMaxCiphertext13) {
    return record_overflow();
  }
  if (fragment.size() < crypto::kAeadTagLen) {
    return bad_record_mac();
  }
  const uint64_t seq = HS_TRY(peek_sequence_number());
  const auto header = tls13_header(type, version, fragment.size());

  const size_t inner_len = fragment.size() - crypto::kAeadTagLen;
  const auto inner = out.first(inner_len);
  // The tag is joined on the stack when the fragment is in two pieces.
  std::array<uint8_t, crypto::kAeadTagLen> tag{};
  fragment.slice(inner_len, crypto::kAeadTagLen).copy_to(tag);
  const Pieces body = fragment.slice(0, inner_len);
  std::array<uint8_t, crypto::kAeadNonceLen> nonce{};
  make_nonce(seq, nonce);
  // RFC 8446 §5.2: "If the decryption fails, the receiver MUST terminate the connection with
  // a "bad_record_mac" alert."
  if (!aead_->open_split_to(nonce, header, body.head, body.tail, inner, tag)) {
    return bad_record_mac();
  }
  advance_sequence_number();
  // RFC 8446 §5.4 (via §5.2): "The full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1
  // octets."
  if (inner_len > kMaxPlaintext + 1) {
    return record_overflow();
  }
  // RFC 8449 §4: the limit counts "the complete length of TLSInnerPlaintext"; "A TLS endpoint
  // that receives a record larger than its advertised limit MUST generate a fatal
  // "record_overflow" alert".
  if (inner_len > plaintext_limit()) {
    return record_overflow();
  }
  // RFC 8446 §5.4: "the receiving implementation scans the field from the end toward the
  // beginning until it finds a non-zero octet. This non-zero octet is the content type of the
  // message. ... If a receiving implementation does not find a non-zero octet in the
  // cleartext, it MUST terminate the connection with an "unexpected_message" alert."
  size_t type_pos = inner_len;
  while (type_pos > 0 && inner[type_pos - 1] == 0) {
    --type_pos;
  }
  if (type_pos == 0) {
    return Error(ErrorCode::unexpected_message, "record: all-zero inner plaintext");
  }
  const auto inner_type = static_cast<ContentType>(inner[type_pos - 1]);
  if (inner_type == ContentType::change_cipher_spec) {
    return Error(ErrorCode::unexpected_message, "record: protected change_cipher_spec");
  }
  return OpenedRecord{inner_type, inner.first(type_pos - 1)};
}

// ---- factories ----

Result<std::unique_ptr<RecordProtection>> make_tls12_protection(const crypto::Provider& provider,
                                                                crypto::AeadAlg alg,
                                                                std::span<const uint8_t> key,
                                                                std::span<const uint8_t> fixed_iv) {
  if (key.size() != crypto::aead_key_len(alg)) {
    return Error(ErrorCode::internal_error, "record key length");
  }
  auto aead = HS_TRY(provider.make_aead(alg, key));
  auto protection = std::make_unique<Tls12AeadProtection>(std::move(aead), alg, fixed_iv);
  if (!protection->valid()) {
    return Error(ErrorCode::internal_error, "record iv length");
  }
  return std::unique_ptr<RecordProtection>(std::move(protection));
}

Result<std::unique_ptr<RecordProtection>> make_tls13_protection(const crypto::Provider& provider,
                                                                crypto::AeadAlg alg,
                                                                std::span<const uint8_t> key,
                                                                std::span<const uint8_t> iv) {
  if (key.size() != crypto::aead_key_len(alg)) {
    return Error(ErrorCode::internal_error, "record key length");
  }
  auto aead = HS_TRY(provider.make_aead(alg, key));
  auto protection = std::make_unique<Tls13AeadProtection>(std::move(aead), iv);
  if (!protection->valid()) {
    return Error(ErrorCode::internal_error, "record iv length");
  }
  return std::unique_ptr<RecordProtection>(std::move(protection));
}

}  // namespace hs::record

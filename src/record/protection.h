// Record protection: seals and opens one record's fragment under one epoch's keys (RFC 5246
// §6.2.3.3, RFC 5288 §3, RFC 7905 §2, RFC 8446 §5.2-5.3). Each object keeps its own 64-bit sequence
// number, so a key change is simply a new object (sequence numbers restart at zero).
#pragma once

#include <hs/result.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "codec/wire.h"
#include "crypto/provider.h"
#include "crypto/secret.h"

namespace hs::record {

// OpenedRecord is what open() recovers from one record: the true content type (for TLS 1.3 the
// inner type from TLSInnerPlaintext) and the plaintext, a sub-span of the fragment that was
// passed to open() (decryption happens in place, nothing is copied or allocated).
struct OpenedRecord {
  ContentType type;
  std::span<uint8_t> plaintext;
};

// Pieces is a fragment in up to two pieces, `head` followed by `tail` (see open_split_to).
struct Pieces {
  std::span<const uint8_t> head;
  std::span<const uint8_t> tail;

  size_t size() const { return head.size() + tail.size(); }
  // slice is the `len` bytes from `pos` on, still in (up to) two pieces.
  Pieces slice(size_t pos, size_t len) const;
  // copy_to copies the whole of it into `out` (at least size() bytes): for the few bytes that
  // must be contiguous (an explicit nonce, a tag).
  void copy_to(std::span<uint8_t> out) const;
};

// RecordProtection is one direction's protection for one epoch. Not copyable; one object per
// direction per key change.
//
// Errors (all Error(code, "record")):
//   - bad_record_mac: the AEAD tag does not verify, or the fragment is too short to hold one
//     (RFC 8446 §5.2 "If the decryption fails, the receiver MUST terminate the connection with a
//     bad_record_mac alert").
//   - record_overflow: ciphertext longer than max_ciphertext_len(), or plaintext longer than
//     2^14 after decryption (RFC 8446 §5.2/§5.4, RFC 5246 §6.2.3).
//   - unexpected_message: TLS 1.3 inner plaintext with no non-zero content type byte, or a
//     TLS 1.3 record whose outer type is not application_data.
//   - internal_error: the sequence number is exhausted (RFC 8446 §5.3 / RFC 5246 §6.1: it
//     MUST NOT wrap), the plaintext handed to seal() is longer than 2^14, or the AEAD failed
//     while sealing.
class RecordProtection {
 public:
  RecordProtection() = default;
  virtual ~RecordProtection() = default;
  RecordProtection(const RecordProtection&) = delete;
  RecordProtection& operator=(const RecordProtection&) = delete;

  // encrypted is false only for NullProtection (the initial epoch).
  virtual bool encrypted() const = 0;
  // hides_content_type is true for TLS 1.3 protection: every protected record travels as
  // application_data and the real type is inside. The decoder then passes plaintext
  // change_cipher_spec records through unprotected (RFC 8446 §5: middlebox compatibility);
  // the caller decides whether one is acceptable at that point.
  virtual bool hides_content_type() const { return false; }
  // max_ciphertext_len is the largest record length (TLSCiphertext.length, or
  // TLSPlaintext.length for NullProtection) that open() accepts. The decoder rejects a header
  // announcing more with record_overflow before the body arrives.
  virtual size_t max_ciphertext_len() const = 0;
  // max_overhead is the largest number of bytes seal() adds to a plaintext, not counting the
  // 5-byte record header.
  virtual size_t max_overhead() const = 0;
  // plaintext_room is how many bytes open_to() needs in `out` for a fragment of
  // `fragment_len` bytes: the longest plaintext such a fragment can decrypt to (for TLS 1.3
  // the whole TLSInnerPlaintext: content, type byte and padding).
  virtual size_t plaintext_room(size_t fragment_len) const { return fragment_len; }

  // seal protects `plaintext` (at most 2^14 bytes) as one record of content type `type` and
  // appends the complete record (5-byte header + fragment) to `out`. `version` is the
  // legacy record version written in the header (TLS 1.3 protection always writes 0x0303, as
  // RFC 8446 §5.2 requires). Consumes one sequence number. On error `out` is left as it was.
  // The plaintext is sealed straight into `out` (no copy first); it must not point into `out`.
  Result<void> seal(ContentType type, uint16_t version, std::span<const uint8_t> plaintext,
                    std::vector<uint8_t>& out);
  // seal_into is seal() into room the caller made: `out` holds at least sealed_room(
  // plaintext.size()) bytes, the record (header and fragment) is written at its start, and its
  // length is returned. The record encoder grows its output without zero-filling it
  // (codec::PlainBuffer) and seals into that: a std::vector resize would write every byte of
  // each record once more before the cipher does. `out` must not overlap `plaintext`. On error
  // `out` is unspecified.
  virtual Result<size_t> seal_into(ContentType type, uint16_t version,
                                   std::span<const uint8_t> plaintext, std::span<uint8_t> out) = 0;
  // sealed_room is the most a record of `plaintext_len` bytes takes, header included.
  size_t sealed_room(size_t plaintext_len) const {
    return kRecordHeaderLen + plaintext_len + max_overhead();
  }

  // open authenticates and decrypts `fragment` in place. `type` and `version` are the values
  // from the record header (they are part of the additional data). Consumes one sequence
  // number on success. On failure the fragment bytes are unspecified.
  virtual Result<OpenedRecord> open(ContentType type, uint16_t version,
                                    std::span<uint8_t> fragment) = 0;
  // open_to is open() that leaves `fragment` as it is and decrypts into `out` instead, which
  // must hold at least plaintext_room(fragment.size()) bytes and must not overlap `fragment`:
  // received bytes go straight into the reader's plaintext buffer (or the application's). The
  // plaintext returned is a prefix of `out`; on failure the first plaintext_room() bytes of
  // `out` are unspecified (unauthenticated plaintext may be there: the caller wipes them).
  Result<OpenedRecord> open_to(ContentType type, uint16_t version,
                               std::span<const uint8_t> fragment, std::span<uint8_t> out) {
    return open_split_to(type, version, fragment, {}, out);
  }
  // open_split_to is open_to() for a fragment in two pieces, `head` followed by `tail` (either
  // may be empty; the cut may fall anywhere, in an explicit nonce or the tag too): a record cut
  // by the transport is opened from the bytes the decoder kept and the rest where the new read
  // left them, and no record is copied whole. Neither piece may overlap `out`.
  virtual Result<OpenedRecord> open_split_to(ContentType type, uint16_t version,
                                             std::span<const uint8_t> head,
                                             std::span<const uint8_t> tail,
                                             std::span<uint8_t> out) = 0;

  // set_plaintext_limit lowers the largest plaintext open() accepts, for the limit we
  // advertised in record_size_limit (RFC 8449 §4): for TLS 1.3 it bounds the whole
  // TLSInnerPlaintext (content, type byte and padding), for TLS 1.2 the decrypted fragment. A
  // larger record fails with record_overflow ("A TLS endpoint that receives a record larger
  // than its advertised limit MUST generate a fatal "record_overflow" alert"). Values above the
  // protocol maximum change nothing; NullProtection ignores it ("Unprotected messages are not
  // subject to this limit").
  void set_plaintext_limit(size_t limit) { plaintext_limit_ = limit; }
  size_t plaintext_limit() const { return plaintext_limit_; }

  // sequence_number is the number the next sealed or opened record will use.
  uint64_t sequence_number() const { return seq_; }
  // dangerous_set_sequence_number jumps the counter (tests of the wrap refusal only).
  void dangerous_set_sequence_number(uint64_t seq) {
    seq_ = seq;
    exhausted_ = false;
  }

 protected:
  // peek_sequence_number returns the current number, or internal_error once all 2^64 numbers
  // were used.
  Result<uint64_t> peek_sequence_number() const;
  // advance_sequence_number marks the current number used.
  void advance_sequence_number();

 private:
  uint64_t seq_ = 0;
  bool exhausted_ = false;
  size_t plaintext_limit_ = SIZE_MAX;
};

// NullProtection is the initial epoch: TLSPlaintext records, no sequence numbers consumed.
// open() only checks the RFC 5246 §6.2.1 / RFC 8446 §5.1 limit (length <= 2^14).
class NullProtection final : public RecordProtection {
 public:
  bool encrypted() const override { return false; }
  size_t max_ciphertext_len() const override { return kMaxPlaintext; }
  size_t max_overhead() const override { return 0; }
  Result<size_t> seal_into(ContentType type, uint16_t version, std::span<const uint8_t> plaintext,
                           std::span<uint8_t> out) override;
  Result<OpenedRecord> open(ContentType type, uint16_t version,
                            std::span<uint8_t> fragment) override;
  Result<OpenedRecord> open_split_to(ContentType type, uint16_t version,
                                     std::span<const uint8_t> head, std::span<const uint8_t> tail,
                                     std::span<uint8_t> out) override;
};

// Tls12AeadProtection is TLS 1.2 GenericAEADCipher protection (RFC 5246 §6.2.3.3):
//   - AES-128/256-GCM (RFC 5288 §3): nonce = 4-byte salt (`fixed_iv`, the client/server
//     write IV from the key block) || 8-byte explicit nonce carried at the start of the
//     fragment. We send the sequence number as the explicit nonce; on open we use whatever
//     the peer sent.
//   - ChaCha20-Poly1305 (RFC 7905 §2): nonce = 12-byte `fixed_iv` XOR the sequence number
//     left-padded to 12 bytes; no explicit nonce.
// AAD = seq_num(8) || type(1) || version(2) || plaintext length(2).
// `alg` must match aead->alg() and `fixed_iv` must be 4 (GCM) or 12 (ChaCha) bytes; otherwise
// every seal/open fails with internal_error (check valid()).
class Tls12AeadProtection final : public RecordProtection {
 public:
  Tls12AeadProtection(std::unique_ptr<crypto::Aead> aead, crypto::AeadAlg alg,
                      std::span<const uint8_t> fixed_iv);

  // valid is false when the constructor arguments did not fit together.
  bool valid() const { return valid_; }
  bool encrypted() const override { return true; }
  // RFC 5246 §6.2.3: "The length (in bytes) of the following TLSCiphertext.fragment. The
  // length MUST NOT exceed 2^14 + 2048."
  size_t max_ciphertext_len() const override { return kMaxCiphertext12; }
  size_t max_overhead() const override;
  size_t plaintext_room(size_t fragment_len) const override;
  Result<size_t> seal_into(ContentType type, uint16_t version, std::span<const uint8_t> plaintext,
                           std::span<uint8_t> out) override;
  Result<OpenedRecord> open(ContentType type, uint16_t version,
                            std::span<uint8_t> fragment) override;
  Result<OpenedRecord> open_split_to(ContentType type, uint16_t version,
                                     std::span<const uint8_t> head, std::span<const uint8_t> tail,
                                     std::span<uint8_t> out) override;

 private:
  // open_impl decrypts the body of `fragment` into `out`: the fragment itself for open() (in
  // place), the caller's buffer for open_to().
  Result<OpenedRecord> open_impl(ContentType type, uint16_t version, Pieces fragment,
                                 std::span<uint8_t> out, bool in_place);
  size_t explicit_nonce_len() const;
  void make_nonce(uint64_t seq, std::span<const uint8_t> explicit_nonce,
                  std::span<uint8_t, crypto::kAeadNonceLen> nonce) const;

  std::unique_ptr<crypto::Aead> aead_;
  crypto::AeadAlg alg_;
  SecretArray<crypto::kAeadNonceLen> iv_;  // GCM uses the first 4 bytes (the salt)
  bool valid_ = false;
};

// Tls13AeadProtection is TLS 1.3 record protection (RFC 8446 §5.2-5.3): nonce = 12-byte `iv`
// XOR the sequence number left-padded to 12 bytes; AAD = the 5-byte record header; the
// plaintext is TLSInnerPlaintext = content || type || zeros. Records travel with outer type
// application_data and version 0x0303. `iv` must be 12 bytes (else valid() is false and every
// call fails with internal_error).
class Tls13AeadProtection final : public RecordProtection {
 public:
  Tls13AeadProtection(std::unique_ptr<crypto::Aead> aead, std::span<const uint8_t> iv);

  bool valid() const { return valid_; }
  bool encrypted() const override { return true; }
  bool hides_content_type() const override { return true; }
  // RFC 8446 §5.2: "The length MUST NOT exceed 2^14 + 256 bytes."
  size_t max_ciphertext_len() const override { return kMaxCiphertext13; }
  size_t max_overhead() const override { return 1 + crypto::kAeadTagLen + max_padding_; }
  size_t plaintext_room(size_t fragment_len) const override {
    return fragment_len - std::min(fragment_len, crypto::kAeadTagLen);
  }

  // set_padding_block pads every sealed record's TLSInnerPlaintext with zeros up to a multiple
  // of `block` bytes (0 or 1: no padding), never beyond 2^14 + 1 bytes. A traffic-analysis
  // countermeasure (RFC 8446 §5.4); off by default.
  void set_padding_block(size_t block);

  Result<size_t> seal_into(ContentType type, uint16_t version, std::span<const uint8_t> plaintext,
                           std::span<uint8_t> out) override;
  // seal_with_padding is seal() with exactly `padding` zero bytes after the content type.
  // internal_error when the inner plaintext would exceed 2^14 + 1 bytes.
  Result<void> seal_with_padding(ContentType type, std::span<const uint8_t> plaintext,
                                 size_t padding, std::vector<uint8_t>& out);
  Result<OpenedRecord> open(ContentType type, uint16_t version,
                            std::span<uint8_t> fragment) override;
  Result<OpenedRecord> open_split_to(ContentType type, uint16_t version,
                                     std::span<const uint8_t> head, std::span<const uint8_t> tail,
                                     std::span<uint8_t> out) override;

 private:
  // seal_padded_into is seal_with_padding() into room the caller made (see seal_into).
  Result<size_t> seal_padded_into(ContentType type, std::span<const uint8_t> plaintext,
                                  size_t padding, std::span<uint8_t> out);
  // open_impl: see Tls12AeadProtection::open_impl.
  Result<OpenedRecord> open_impl(ContentType type, uint16_t version, Pieces fragment,
                                 std::span<uint8_t> out);
  void make_nonce(uint64_t seq, std::span<uint8_t, crypto::kAeadNonceLen> nonce) const;

  std::unique_ptr<crypto::Aead> aead_;
  SecretArray<crypto::kAeadNonceLen> iv_;
  size_t padding_block_ = 0;
  size_t max_padding_ = 0;
  bool valid_ = false;
};

// make_tls12_protection builds Tls12AeadProtection from key-block material: `key` of
// aead_key_len(alg) bytes and `fixed_iv` of 4 (GCM) or 12 (ChaCha20-Poly1305) bytes.
// internal_error when the sizes are wrong or the provider fails.
Result<std::unique_ptr<RecordProtection>> make_tls12_protection(const crypto::Provider& provider,
                                                                crypto::AeadAlg alg,
                                                                std::span<const uint8_t> key,
                                                                std::span<const uint8_t> fixed_iv);

// make_tls13_protection builds Tls13AeadProtection from a traffic key and 12-byte iv (RFC
// 8446 §7.3). internal_error when the sizes are wrong or the provider fails.
Result<std::unique_ptr<RecordProtection>> make_tls13_protection(const crypto::Provider& provider,
                                                                crypto::AeadAlg alg,
                                                                std::span<const uint8_t> key,
                                                                std::span<const uint8_t> iv);

}  // namespace hs::record

// Fuzz target: RecordDecoder under NullProtection, fixed-key TLS 1.2 / TLS 1.3 AEAD protection
// (real libcrypto AEADs), and a transparent fake AEAD that lets the fuzzer reach the checks that
// follow decryption (TLS 1.3 inner type and padding, zero-length fragments, overflow).
//
// Input: byte 0 selects the protection (and whether to start in plaintext and switch keys after
// the first record, and whether records are fed or attached and opened into a sink or a
// caller's buffer: the path that opens a record cut between two reads from its two pieces),
// byte 1 the feed chunk size, the rest is the transport stream.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "crypto/provider.h"
#include "record/record_decoder.h"

namespace {

using hs::crypto::AeadAlg;

// FakeAead "decrypts" by XOR with 0x5A and accepts a tag of 16 copies of nonce[11] (so records
// depend on the sequence number, as real ones do). Seeds in tests/fuzz/corpus/record_decoder
// are built with this rule.
class FakeAead final : public hs::crypto::Aead {
 public:
  explicit FakeAead(AeadAlg alg) : alg_(alg) {}
  AeadAlg alg() const override { return alg_; }
  bool seal_to(std::span<const uint8_t> nonce, std::span<const uint8_t>,
               std::span<const uint8_t> in, std::span<const uint8_t> trailer,
               std::span<uint8_t> out, std::span<uint8_t> tag) override {
    // `out` may be `in` itself and `trailer` may be out's tail: byte i is read before it is
    // written, so both cases work.
    for (size_t i = 0; i < in.size(); ++i) {
      out[i] = static_cast<uint8_t>(in[i] ^ 0x5A);
    }
    for (size_t j = 0; j < trailer.size(); ++j) {
      out[in.size() + j] = static_cast<uint8_t>(trailer[j] ^ 0x5A);
    }
    for (auto& t : tag) {
      t = nonce[11];
    }
    return true;
  }
  bool open_to(std::span<const uint8_t> nonce, std::span<const uint8_t> aad,
               std::span<const uint8_t> in, std::span<uint8_t> out,
               std::span<const uint8_t> tag) override {
    return open_split_to(nonce, aad, in, {}, out, tag);
  }
  bool open_split_to(std::span<const uint8_t> nonce, std::span<const uint8_t>,
                     std::span<const uint8_t> head, std::span<const uint8_t> tail,
                     std::span<uint8_t> out, std::span<const uint8_t> tag) override {
    if (out.size() != head.size() + tail.size()) {
      std::abort();
    }
    for (uint8_t t : tag) {
      if (t != nonce[11]) {
        return false;
      }
    }
    for (size_t i = 0; i < head.size(); ++i) {
      out[i] = static_cast<uint8_t>(head[i] ^ 0x5A);
    }
    for (size_t i = 0; i < tail.size(); ++i) {
      out[head.size() + i] = static_cast<uint8_t>(tail[i] ^ 0x5A);
    }
    return true;
  }

 private:
  AeadAlg alg_;
};

std::unique_ptr<hs::crypto::Aead> real_aead(AeadAlg alg) {
  const std::vector<uint8_t> key(hs::crypto::aead_key_len(alg), 0x42);
  auto aead = hs::crypto::default_provider().make_aead(alg, key);
  if (!aead.ok()) {
    std::abort();
  }
  return std::move(aead).value();
}

std::unique_ptr<hs::record::RecordProtection> make_protection(uint8_t selector) {
  const std::vector<uint8_t> iv4(4, 0);
  const std::vector<uint8_t> iv12(12, 0);
  const bool fake = (selector & 0x08) != 0;
  auto aead = [&](AeadAlg alg) -> std::unique_ptr<hs::crypto::Aead> {
    if (fake) {
      return std::make_unique<FakeAead>(alg);
    }
    return real_aead(alg);
  };
  switch (selector & 0x07) {
    case 1:
      return std::make_unique<hs::record::Tls12AeadProtection>(aead(AeadAlg::aes_128_gcm),
                                                               AeadAlg::aes_128_gcm, iv4);
    case 2:
      return std::make_unique<hs::record::Tls12AeadProtection>(aead(AeadAlg::chacha20_poly1305),
                                                               AeadAlg::chacha20_poly1305, iv12);
    case 3:
      return std::make_unique<hs::record::Tls13AeadProtection>(aead(AeadAlg::aes_128_gcm), iv12);
    case 4:
      return std::make_unique<hs::record::Tls13AeadProtection>(aead(AeadAlg::chacha20_poly1305),
                                                               iv12);
    default:
      return std::make_unique<hs::record::NullProtection>();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) {
    return 0;
  }
  const std::span<const uint8_t> input(data, size);
  const uint8_t selector = input[0];
  const size_t chunk = static_cast<size_t>(input[1]) * 67 + 1;
  const bool switch_after_first = (selector & 0x10) != 0;
  const bool to_sink = (selector & 0x20) != 0;
  const bool to_dest = (selector & 0x40) != 0;
  hs::codec::PlainBuffer sink;
  std::vector<uint8_t> dest(to_dest ? static_cast<size_t>(input[1]) * 80 : 0);
  auto stream = input.subspan(2);

  hs::record::RecordDecoder decoder;
  bool switched = !switch_after_first;
  if (!switch_after_first) {
    decoder.set_protection(make_protection(selector));
  }
  while (!stream.empty()) {
    const size_t n = stream.size() < chunk ? stream.size() : chunk;
    // Attached bytes are a copy that goes away after retain(), as a caller's read buffer does.
    std::vector<uint8_t> piece(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(n));
    if (to_sink || to_dest) {
      decoder.attach(piece);
    } else {
      decoder.feed(piece);
    }
    stream = stream.subspan(n);
    for (;;) {
      sink.clear();
      auto rec = decoder.next(to_sink ? &sink : nullptr, dest);
      if (!rec.ok()) {
        return 0;
      }
      if (!rec->has_value()) {
        break;
      }
      const auto& r = **rec;
      if (r.fragment.size() > hs::kMaxPlaintext) {
        std::abort();
      }
      if (r.fragment.empty() && r.type != hs::ContentType::application_data) {
        std::abort();
      }
      if (r.in_dest && r.fragment.data() != dest.data()) {
        std::abort();
      }
      if (!switched) {
        decoder.set_protection(make_protection(selector));
        switched = true;
      }
    }
    decoder.retain();
    std::fill(piece.begin(), piece.end(), uint8_t{0});
    // Bounded buffering: at most one maximum record beyond what was consumed, plus this feed.
    if (decoder.buffered_size() > hs::kRecordHeaderLen + hs::kMaxCiphertext12 + n) {
      std::abort();
    }
  }
  return 0;
}

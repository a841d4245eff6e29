#include "handshake/common/transcript.h"

namespace hs::detail {

Transcript::Transcript(const crypto::Provider& provider, crypto::HashAlg alg)
    : hash_(provider.make_hash(alg)) {}

void Transcript::add(std::span<const uint8_t> raw) {
  last_len_ = 0;
  if (hash_) {
    hash_->update(raw);
  }
  if (!hash_ || keep_) {
    buffered_.insert(buffered_.end(), raw.begin(), raw.end());
  }
}

Result<void> Transcript::set_hash(const crypto::Provider& provider, crypto::HashAlg alg) {
  if (hash_) {
    if (hash_->alg() != alg) {
      return Error(ErrorCode::internal_error, "transcript", "hash already chosen");
    }
    return ok_result();
  }
  last_len_ = 0;
  hash_ = provider.make_hash(alg);
  if (!hash_) {
    return Error(ErrorCode::internal_error, "transcript", "hash unavailable");
  }
  hash_->update(buffered_);
  if (!keep_) {
    buffered_.clear();
    buffered_.shrink_to_fit();
  }
  return ok_result();
}

std::vector<uint8_t> Transcript::current() const {
  if (!hash_) {
    return {};
  }
  if (last_len_ == 0) {
    last_len_ = crypto::hash_len(hash_->alg());
    hash_->current(std::span<uint8_t>(last_).first(last_len_));
  }
  return std::vector<uint8_t>(last_.begin(),
                              last_.begin() + static_cast<std::ptrdiff_t>(last_len_));
}

Transcript Transcript::clone() const {
  Transcript t;
  if (hash_) {
    t.hash_ = hash_->clone();
  }
  t.buffered_ = buffered_;
  t.keep_ = keep_;
  t.last_ = last_;
  t.last_len_ = last_len_;
  return t;
}

}  // namespace hs::detail

#include "offload_signer.h"

#include <utility>

#include "crypto/signature.h"

namespace hs::tool {

OffloadSigner::OffloadSigner(std::vector<std::shared_ptr<const crypto::PrivateKey>> keys,
                             Deliver deliver)
    : keys_(std::move(keys)), deliver_(std::move(deliver)), worker_([this] { run(); }) {}

OffloadSigner::~OffloadSigner() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  ready_.notify_one();
  worker_.join();
}

void OffloadSigner::sign(uint64_t session_id, const SignatureRequest& request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(Job{session_id, request});
  }
  ready_.notify_one();
}

void OffloadSigner::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
      if (stop_) {
        return;
      }
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    std::vector<uint8_t> signature;
    const auto alg = crypto::scheme_algorithm(job.request.scheme);
    if (job.request.certificate < keys_.size() && alg) {
      auto signed_bytes = keys_[job.request.certificate]->sign(*alg, job.request.message);
      if (signed_bytes.ok()) {
        signature = std::move(signed_bytes).value();
      }
    }
    deliver_(job.session_id, std::move(signature));
  }
}

}  // namespace hs::tool

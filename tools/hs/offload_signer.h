// OffloadSigner: `hs server --offload-signing` makes its handshake signatures on a worker
// thread instead of inside receive(), as a server whose keys sit behind a signing service does
// (certified_key_for_offload, ServerHandler::on_signature_request): the loop queues a job and
// goes on serving; the worker signs and hands the signature back through
// ServerLoop::provide_signature.
#pragma once

#include <hs/connection.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "crypto/provider.h"

namespace hs::tool {

class OffloadSigner {
 public:
  // Deliver receives each result (empty when signing failed) on the worker thread.
  using Deliver = std::function<void(uint64_t session_id, std::vector<uint8_t> signature)>;

  // `keys` are the certificates' keys, by index into ServerConfig::certificates.
  OffloadSigner(std::vector<std::shared_ptr<const crypto::PrivateKey>> keys, Deliver deliver);
  ~OffloadSigner();
  OffloadSigner(const OffloadSigner&) = delete;
  OffloadSigner& operator=(const OffloadSigner&) = delete;

  // sign queues `request` for session `session_id`.
  void sign(uint64_t session_id, const SignatureRequest& request);

 private:
  struct Job {
    uint64_t session_id;
    SignatureRequest request;
  };
  void run();

  std::vector<std::shared_ptr<const crypto::PrivateKey>> keys_;
  Deliver deliver_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> jobs_;
  bool stop_ = false;
  std::thread worker_;  // last: started once the members above exist
};

}  // namespace hs::tool

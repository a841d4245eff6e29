// Fuzz target: deserialize_session (the --sess-in file format, src/session/stored_session.cc),
// and for a file that parses, serialize_session and deserialize_session again: every field must
// survive the round trip. Any mismatch aborts. (tests/fuzz/session has no module of its own, so
// this target links them all.)
#include <hs/session.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

namespace {

bool same(const hs::StoredSession& a, const hs::StoredSession& b) {
  const auto as = a.secret.expose();
  const auto bs = b.secret.expose();
  return a.version == b.version && a.suite == b.suite &&
         std::equal(as.begin(), as.end(), bs.begin(), bs.end()) && a.session_id == b.session_id &&
         a.ticket == b.ticket && a.lifetime_s == b.lifetime_s && a.age_add == b.age_add &&
         a.created_ms == b.created_ms && a.max_early_data == b.max_early_data && a.alpn == b.alpn &&
         a.server_name == b.server_name && a.extended_master_secret == b.extended_master_secret &&
         a.peer_chain == b.peer_chain && a.peer_verified == b.peer_verified &&
         a.kx_hint == b.kx_hint;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto first = hs::deserialize_session(std::span<const uint8_t>(data, size));
  if (!first.ok()) {
    return 0;
  }
  auto bytes = hs::serialize_session(*first);
  if (!bytes.ok()) {
    std::abort();  // what parsed always fits the format again
  }
  auto second = hs::deserialize_session(bytes->expose());
  if (!second.ok() || !same(*first, *second)) {
    std::abort();
  }
  return 0;
}

// detail::Transcript: the running hash, and current()'s value kept until the next message.
#include "handshake/common/transcript.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/provider.h"

namespace hs::test {
namespace {

using Bytes = std::vector<uint8_t>;

// sha256 is the hash of `data` computed on its own.
Bytes sha256(const Bytes& data) {
  auto h = crypto::default_provider().make_hash(crypto::HashAlg::sha256);
  h->update(data);
  Bytes out(32);
  h->current(out);
  return out;
}

TEST(Transcript, CurrentFollowsEveryMessageEvenWhenAskedTwice) {
  detail::Transcript t(crypto::default_provider(), crypto::HashAlg::sha256);
  const Bytes first = {1, 0, 0, 1, 0xAA};
  const Bytes second = {2, 0, 0, 2, 0xBB, 0xCC};
  t.add(first);
  EXPECT_EQ(t.current(), sha256(first));
  EXPECT_EQ(t.current(), sha256(first));  // the kept value
  t.add(second);
  Bytes both = first;
  both.insert(both.end(), second.begin(), second.end());
  EXPECT_EQ(t.current(), sha256(both));  // not the kept one
  // A clone carries the value and then goes its own way.
  detail::Transcript fork = t.clone();
  EXPECT_EQ(fork.current(), sha256(both));
  fork.add(first);
  Bytes three = both;
  three.insert(three.end(), first.begin(), first.end());
  EXPECT_EQ(fork.current(), sha256(three));
  EXPECT_EQ(t.current(), sha256(both));
}

TEST(Transcript, MessagesBeforeTheHashIsKnownAreHashedWhenItIs) {
  detail::Transcript t;
  const Bytes hello = {1, 0, 0, 1, 7};
  t.add(hello);
  EXPECT_TRUE(t.current().empty());
  ASSERT_TRUE(t.set_hash(crypto::default_provider(), crypto::HashAlg::sha256).ok());
  EXPECT_EQ(t.current(), sha256(hello));
}

}  // namespace
}  // namespace hs::test
